"""`python build.py new KIND ID`: a commented template that, filled in, passes `check`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from stances import jsonschema as jsonschema_files, schema
from stances.read import read

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "content"
KINDS = sorted(name for name, kind in schema.KINDS.items() if not kind.single)


class EditorLoader(yaml.SafeLoader):
    """Dates stay strings, as an editor reads them, so the JSON Schema check sees what it would."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS=""))


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copytree(GOLDEN, tmp_path / "content")
    jsonschema_files.write(tmp_path / "schema")  # a site's own editor schemas, beside its content
    return tmp_path


def existing_ids(content: Path) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for record in read(content).records:
        ids.setdefault(record.kind, []).append(record.id)
    return ids


class Filler:
    """Fills every blank of a template the way a contributor would: with a value of the declared type."""

    def __init__(self, ids: dict[str, list[str]]):
        self.ids = ids
        self.source = ids["sources"][0]

    def value(self, kind):
        if isinstance(kind, schema.Text):
            if kind.choices:
                return kind.choices[0]
            if kind.pattern == schema.SLUG:
                return "filled-in"
            if kind.pattern and re.match(kind.pattern, "2024-03-01"):
                return "2024-03-01"
            if kind.pattern and re.match(kind.pattern, "en"):
                return "en"
            return "Filled in."
        if isinstance(kind, schema.Markdown):
            return f"Filled in [@{self.source}]."
        if isinstance(kind, schema.Date):
            return "2024-03-01"
        if isinstance(kind, schema.Url):
            return "https://example.org/filled-in"
        if isinstance(kind, schema.Bool):
            return False
        if isinstance(kind, schema.Ref):
            return self.ids[kind.kind][0]
        if isinstance(kind, schema.ListOf):
            return [self.value(kind.item)]
        if isinstance(kind, schema.Struct):
            return self.fill({}, kind.fields) if not kind.shorthand else self.value(
                next(f.type for f in kind.fields if f.name == kind.shorthand))
        raise TypeError(kind)

    def fill(self, mapping: dict, fields) -> dict:
        for declared in fields:
            if declared.name not in mapping:
                if declared.required:
                    mapping[declared.name] = self.value(declared.type)
                continue
            mapping[declared.name] = self.refill(mapping[declared.name], declared.type)
        return mapping

    def refill(self, value, kind):
        if value is None:
            return self.value(kind)
        if isinstance(kind, schema.ListOf):
            return [self.refill(item, kind.item) for item in value]
        if isinstance(kind, schema.Struct) and isinstance(value, dict):
            return self.fill(value, kind.fields)
        return value


@pytest.mark.parametrize("kind", KINDS)
def test_new_record_template_filled_in_passes_check(folder, kind):
    result = run("new", kind, "brand-new", "--content", "content", cwd=folder)
    assert result.returncode == 0, result.stderr
    path = folder / "content" / kind / "brand-new.yml"
    assert f"content/{kind}/brand-new.yml" in result.stdout
    text = path.read_text(encoding="utf-8")

    # The $schema line first, pointing at the generated schema; each field documented.
    first = text.splitlines()[0]
    reference = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert reference, first
    assert (path.parent / reference.group(1)).resolve() == folder / "schema" / f"{kind}.schema.json"
    declaration = schema.KINDS[kind]
    for declared in declaration.fields:
        assert re.search(rf"(?m)^ *(# )?{re.escape(declared.name)}:", text), declared.name
        if declared.doc:
            assert declared.doc in text

    # Blanks left: check names each required one, at its line.
    blank = run("check", "--content", "content", cwd=folder)
    assert blank.returncode == 1
    lines = text.splitlines()
    places = [int(line) for line in re.findall(rf"content/{kind}/brand-new\.yml:(\d+):\d+: error: ", blank.stderr)]
    assert places, blank.stderr
    for line in places:  # each error is at a blank to fill
        assert re.fullmatch(r" *(- )?[a-z_]+:|( *-)", lines[line - 1]), lines[line - 1]
    for declared in declaration.fields:  # and each required value left blank has one
        if declared.required and not isinstance(declared.type, (schema.ListOf, schema.Struct)) \
                and declared.name != "id":
            assert lines.index(f"{declared.name}:") + 1 in places, declared.name

    # Filled in: it passes check (and the JSON Schema editors use).
    data = yaml.load(text, Loader=EditorLoader)
    assert data["id"] == "brand-new"
    data = Filler(existing_ids(folder / "content")).fill(data, declaration.fields)
    path.write_text(first + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    filled = run("check", "--content", "content", cwd=folder)
    assert filled.returncode == 0, filled.stderr + path.read_text(encoding="utf-8")
    document = json.loads((ROOT / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader), document)


def test_the_singular_names_the_kind_too(folder):
    assert run("new", "quote", "said-again", "--content", "content", cwd=folder).returncode == 0
    assert (folder / "content" / "quotes" / "said-again.yml").is_file()


def test_refuses_to_overwrite_an_existing_file(folder):
    path = next((folder / "content" / "people").glob("*.yml"))
    before = path.read_bytes()
    result = run("new", "people", path.stem, "--content", "content", cwd=folder)
    assert result.returncode == 1
    assert "already exists" in result.stderr and f"content/people/{path.name}" in result.stderr
    assert path.read_bytes() == before


def test_refuses_an_id_another_file_already_uses(folder):
    taken = existing_ids(folder / "content")["events"]
    listed = [record_id for record_id in taken if not (folder / "content" / "events" / f"{record_id}.yml").exists()]
    record_id = (listed or taken)[0]
    result = run("new", "events", record_id, "--content", "content", cwd=folder)
    assert result.returncode == 1
    assert "already" in result.stderr and record_id in result.stderr
    assert not (listed and (folder / "content" / "events" / f"{record_id}.yml").exists())


@pytest.mark.parametrize("record_id", ["Capital", "under_score", "../escape", "a/b", "-leading", "trailing-", ""])
def test_refuses_an_invalid_id(folder, record_id):
    before = sorted(path for path in (folder / "content").rglob("*"))
    result = run("new", "quotes", "--content", "content", "--", record_id, cwd=folder)
    assert result.returncode == 1
    assert "is not a valid id" in result.stderr
    assert sorted(path for path in (folder / "content").rglob("*")) == before
    assert not (folder / "escape.yml").exists()


@pytest.mark.parametrize("kind, message", [
    ("qoutes", "unknown kind of record 'qoutes' (did you mean 'quotes'?)"),
    ("site", "there is one site record"),
    ("../quotes", "unknown kind of record"),
])
def test_refuses_an_unknown_kind(folder, kind, message):
    result = run("new", kind, "fine-id", "--content", "content", cwd=folder)
    assert result.returncode == 1
    assert message in result.stderr
    assert not list((folder / "content").rglob("fine-id.yml"))


def test_new_names_no_schema_where_the_site_has_none(tmp_path):
    """An installed stances must not point a site's files into its own package folder."""
    shutil.copytree(GOLDEN, tmp_path / "content")
    result = run("new", "quotes", "no-schema-here", "--content", "content", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "content" / "quotes" / "no-schema-here.yml").read_text(encoding="utf-8")
    assert "$schema" not in text and "site-packages" not in text
    assert "it names no editor schema: there is no schema/quotes.schema.json beside content" in result.stdout


def test_new_help_lists_the_kinds():
    result = run("new", "--help", cwd=ROOT)
    assert result.returncode == 0
    listed = " ".join(result.stdout.split())
    kinds = ", ".join(kind.name for kind in schema.KINDS.values() if not kind.single)
    assert f"KIND kind of record: {kinds} ID" in listed, listed
