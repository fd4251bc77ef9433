"""`stances init DIR`: a new explainer that builds, checks and publishes as it stands.

It holds site.yml and one commented example of each kind (about a made-up dispute, each statement
resting on the one made-up article in archive/), the editor schemas and settings, both GitHub
workflows, a pre-commit config, a .gitignore and a short README. The templates and assets are the
defaults that ship with stances: a file put in the site's own templates/ or assets/ replaces the
default of the same name. stances itself is on no package index: the site carries a wheel of the
stances that made it in vendor/ (stances/wheel.py), which requirements.txt names and the workflows
install; `stances init --upgrade DIR` replaces it with the stances that runs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import __version__, jsonschema, schema, wheel
from .load import shown_path

ARTICLE = """\
Bridge talks end without agreement

3 June 2024. The councils of Northfield and Southbank met on Monday to discuss a new bridge over the
river. Northfield wants the bridge built this year. Mayor Ada Stone of Northfield said: "A town cut in
two by a river needs a bridge, and it needs it now." Southbank asks for a study of the traffic first.
The councils agreed to meet again in July.
"""

# Each example names its kind's fields it uses; `stances new KIND ID` writes a file with all of them.
EXAMPLES = {
    "site.yml": """\
# The explainer as a whole. Replace each example value with your own; `stances check` says what is missing.
title: The bridge dispute (an example)
description: An example explainer about a made-up dispute between two towns; replace it with your own.
language: en
# Where the site is published. The Pages workflow builds with the address GitHub gives it.
base_url: https://example.org/explainer/
# The folder of stored article texts; whenever it is there, every quote is checked against it word for word.
archive: archive/
# The actors whose stances are compared, in order: ids from content/actors/.
sides: [northfield, southbank]
intro: |
  Northfield wants a bridge over the river built this year; Southbank asks for a study of the traffic
  first [@example-article, Southbank asks for a study of the traffic first].
""",
    "sources/example-article.yml": """\
# An article that statements on the site rest on. Its text is stored in archive/, never invented.
id: example-article
outlet: The Example Gazette
headline: Bridge talks end without agreement
published: 2024-06-03
language: en
# The file in archive/ that holds the article's text.
archive: example-article.txt
# url: leave it out unless you know the original address.
""",
    "actors/northfield.yml": """\
# A state, alliance or organisation that takes part. A file may hold one record, as here, or a list.
id: northfield
name: Town of Northfield
short_name: Northfield
type: government
""",
    "actors/southbank.yml": """\
id: southbank
name: Town of Southbank
short_name: Southbank
type: government
""",
    "people/ada-stone.yml": """\
# Someone the sources name, with each role cited.
id: ada-stone
name: Ada Stone
roles:
  - title: Mayor of Northfield
    actor: northfield
    cite:
      - source: example-article
        locator: Mayor Ada Stone of Northfield
""",
    "topics/the-bridge.yml": """\
# A question in dispute, summed up neutrally. Markdown; cite inline with [@source-id, exact words].
id: the-bridge
title: The new bridge
summary: Whether a bridge over the river should be built this year [@example-article, discuss a new bridge over the river].
""",
    "positions/northfield-on-the-bridge.yml": """\
# One actor's stance on one topic, attributed, saying no more than the source does.
id: northfield-on-the-bridge
actor: northfield
topic: the-bridge
stance: Northfield wants the bridge built this year, according to the Example Gazette [@example-article, Northfield wants the bridge built this year].
quotes: [stone-2024-06-03-bridge-now]
""",
    "positions/southbank-on-the-bridge.yml": """\
id: southbank-on-the-bridge
actor: southbank
topic: the-bridge
stance: Southbank asks for a study of the traffic first, according to the Example Gazette [@example-article, Southbank asks for a study of the traffic first].
""",
    "proposals/traffic-study.yml": """\
# Who proposed what, to whom, and how it was answered.
id: traffic-study
title: A study of the traffic
by: southbank
to: [northfield]
summary: Southbank asked for a study of the traffic before the bridge [@example-article, Southbank asks for a study of the traffic first].
topics: [the-bridge]
""",
    "quotes/stone-2024-06-03-bridge-now.yml": """\
# Words a named person said, verbatim as the source prints them: `stances check` compares them with archive/.
id: stone-2024-06-03-bridge-now
speaker: ada-stone
wordings:
  - text: "A town cut in two by a river needs a bridge, and it needs it now."
    cite: [example-article]
# The article says "on Monday": the date is no more precise than the article's.
said:
  date: 2024-06-03
  approximate: true
  note: The article of 3 June 2024 says the councils met "on Monday".
event: bridge-talks
topics: [the-bridge]
""",
    "events/bridge-talks.yml": """\
# Something that happened on a date.
id: bridge-talks
date:
  date: 2024-06-03
  approximate: true
  note: The article of 3 June 2024 says "on Monday".
title: The councils discuss the bridge
summary: The councils of both towns met to discuss a new bridge [@example-article, The councils of Northfield and Southbank met on Monday].
actors: [northfield, southbank]
people: [ada-stone]
topics: [the-bridge]
""",
    "pages/method.yml": """\
# A free page of prose, published at method/.
id: method
title: How this site is made
body: |
  Every statement is footnoted to the article it comes from, and every quote is checked word for word
  against the article's stored text [@example-article].
""",
}

GITIGNORE = """\
/site/
/.site.*
/.stances-cache/
/.venv/
__pycache__/
"""

def requirements(wheel: str) -> str:
    return f"""\
# What the workflows and a contributor install: stances from the wheel of it in vendor/ (it is on no
# package index), its dependencies from PyPI. `stances init --upgrade .` puts the stances you run there.
./vendor/{wheel}
"""


VENDOR = "vendor"
# A requirement line for stances: by name (stances==1.0, stances @ git+…), or a wheel's path.
STANCES = re.compile(r"^\s*(stances\b(?![-_.\w])|\S*stances-[^/\\\s]*\.whl\s*$)", re.IGNORECASE)

SETUP = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"

PYTHON = """\
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"
          cache: pip
          cache-dependency-path: requirements.txt
"""

CHECKS = f"""\
# Check every pull request: the content check first (problems shown as annotations on the lines they
# concern), then a build whatever it found. No deploy.
name: Checks

on:
  pull_request:
  push:
    branches-ignore: [main]

permissions:
  contents: read

concurrency:
  group: checks-${{{{ github.ref }}}}
  cancel-in-progress: true

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
{PYTHON}      - name: Install
        run: {SETUP}
      - name: Content check, with problems as annotations on the offending lines
        run: .venv/bin/stances check --strict --annotations
      - name: Build
        if: ${{{{ !cancelled() }}}}
        # For the address Pages would serve it at: a strict build refuses a placeholder base_url (example.org).
        run: .venv/bin/stances build --strict --base-url "https://${{{{ github.repository_owner }}}}.github.io/${{{{ github.event.repository.name }}}}/"
"""

PAGES = f"""\
# Publish the explainer on GitHub Pages: on every push to main, and by hand.
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
{PYTHON}      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v6
      - name: Install
        run: {SETUP}
      - name: Build with the address Pages will serve
        run: .venv/bin/stances build --strict --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - name: Upload the site
        uses: actions/upload-pages-artifact@v5
        with:
          path: site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy
        id: deployment
        uses: actions/deploy-pages@v5
"""

PRE_COMMIT = """\
# pre-commit install   (once). The hook runs with the site's .venv, activated or not.
repos:
  - repo: local
    hooks:
      - id: stances-check
        name: check content (stances check --strict)
        entry: sh -c 'PATH="$PWD/.venv/bin:$PATH"; exec stances check --strict'
        language: system
        files: ^(content/|templates/|archive/)
        pass_filenames: false
"""

README = f"""\
# An explainer made with stances

Each side's stance in its own words, every statement footnoted to the article it comes from.
The content in `content/` is a made-up example: replace it with your own.

## Set up and preview

    {SETUP}
    .venv/bin/stances serve          # then open the address it prints; it rebuilds as you save

## Write

- `content/site.yml` names the site, its sides and its intro; each other kind is a folder of YAML
  files, one record a file, named after its id. Each example file says what its kind is for.
- `.venv/bin/stances new quotes ID` starts a record with every field described (`stances new --help`
  lists the kinds).
- Store each article's text in `archive/` and name the file in its source's `archive:`; every quote and
  every `[@source, exact words]` is checked against it, word for word.
- `.venv/bin/stances check --strict` lists every problem as `path:line:col: error: message`.

A file in `templates/` or `assets/` replaces the stances default of the same name; the rest stay.

## Publish on GitHub Pages

Push this folder to a GitHub repository; under **Settings → Pages → Build and deployment**, set
**Source** to **GitHub Actions**. Every push to `main` then publishes the site
(`.github/workflows/pages.yml`), and every pull request is checked (`.github/workflows/checks.yml`),
with problems shown on the lines they concern.

## Upgrade stances

The workflows install stances from the wheel in `vendor/` that `requirements.txt` names, and its
dependencies from PyPI. To move this site to another version of stances, run that version here:

    stances init --upgrade .         # replaces the wheel in vendor/, its line in requirements.txt, schema/
    .venv/bin/pip install -r requirements.txt

then build, check, and commit `vendor/`, `requirements.txt` and `schema/` together.

## Editors

VS Code: install the recommended YAML extension (`.vscode/extensions.json`); the schemas in `schema/`
then complete and check every field as you type. `pre-commit install` checks the content on every commit.
"""


def editor_settings(schema_folder: str = "schema") -> dict[str, str]:
    """.vscode/settings.json and extensions.json: each kind's files mapped to its schema, YAML 1.1 as the
    build reads it (where `no` is false), and the YAML extension recommended."""
    schemas = {}
    for kind in schema.KINDS.values():
        globs = [f"content/{kind.name}.yml"] if kind.single else [
            f"content/{kind.name}/**/*.yml", f"content/{kind.name}/**/*.yaml"]
        schemas[f"{schema_folder}/{jsonschema.file_name(kind)}"] = globs
    settings = {"yaml.yamlVersion": "1.1", "yaml.schemas": schemas}
    extensions = {"recommendations": ["redhat.vscode-yaml"]}
    return {".vscode/settings.json": json.dumps(settings, indent=2) + "\n",
            ".vscode/extensions.json": json.dumps(extensions, indent=2) + "\n"}


def files() -> dict[str, str]:
    """Every file of a new explainer but its schemas, by path."""
    found = {".gitignore": GITIGNORE, "README.md": README, "requirements.txt": requirements(wheel.file_name()),
             ".pre-commit-config.yaml": PRE_COMMIT, ".github/workflows/checks.yml": CHECKS,
             ".github/workflows/pages.yml": PAGES, "archive/example-article.txt": ARTICLE}
    found.update(editor_settings())
    for name, text in EXAMPLES.items():
        kind = name.split("/")[0].removesuffix(".yml")
        up = "../" * name.count("/")
        found[f"content/{name}"] = f"# yaml-language-server: $schema={up}../schema/{kind}.schema.json\n" + text
    return found


def init(folder: Path) -> int:
    """Write a new explainer into a new or empty folder."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(f"error: {shown_path(folder)} is not empty: stances init writes a new explainer into a new "
              "or empty folder (`stances init --upgrade` replaces just the stances in an explainer's vendor/)",
              file=sys.stderr)
        return 1
    for name, text in sorted(files().items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    jsonschema.write(folder / "schema")
    wheel.write(folder / VENDOR)
    print(f"wrote a new explainer in {folder}/; next:\n    cd {folder}\n    {SETUP}\n    .venv/bin/stances serve")
    return 0


def upgrade(folder: Path) -> int:
    """In an explainer init wrote, put the wheel of this stances in vendor/ in place of the one there, name
    it in requirements.txt instead of whatever stances that named, and write its schemas in schema/."""
    listed = folder / "requirements.txt"
    try:
        lines = listed.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {shown_path(listed)}: cannot read it ({exc.strerror if isinstance(exc, OSError) else exc}): "
              "stances init --upgrade works in an explainer that stances init made", file=sys.stderr)
        return 1
    for old in (folder / VENDOR).glob("stances-*.whl"):
        old.unlink()
    written = wheel.write(folder / VENDOR)
    jsonschema.write(folder / "schema")  # the editors' schemas, as this stances reads each kind
    line = f"./{VENDOR}/{written.name}"
    named = [index for index, text in enumerate(lines) if STANCES.match(text)]
    lines = [line if index == named[0] else text for index, text in enumerate(lines)
             if index not in named[1:]] if named else lines + [line]
    listed.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    print(f"{shown_path(written)}: stances {__version__}, named in {shown_path(listed)}; "
          "install it with `.venv/bin/pip install -r requirements.txt`")
    return 0
