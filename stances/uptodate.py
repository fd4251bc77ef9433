"""Whether `python build.py` may leave the last build's site as it stands: nothing it is built from changed.

After a good build, `remember` writes a stamp into `.stances-cache/` beside the output folder
(not into the site, so the published site stays the same bytes build after build). The stamp
holds two digests and what the build printed:
- of what a build reads: every file under the content, templates, assets and archive folders and
  the stances code (by path and files.stat_key: times, size, inode), the versions of the libraries that shape the
  output, and the options that change it;
- of what it wrote: every file of the site (by path, size and time), so a site edited or
  damaged by hand is built again.
The next build that finds both digests the same has nothing to do (`unchanged`); `--force` builds
anyway. The digests are taken before the build reads anything, so an edit made while it runs
makes the next build run too. It imports only the standard library (and files.py): the check runs
before the pipeline's imports.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from .files import files_under, layers

FOLDER = ".stances-cache"
CODE = Path(__file__).resolve().parent
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "pagefind", "pagefind-bin")


def stamp_path(out: Path) -> Path:
    out = out.absolute()
    return out.parent / FOLDER / f"{out.name}.json"


def tree(digest, folder: Path | None, only_suffix: str = "") -> None:
    """Add every file under a folder to the digest: its path and stat key (files.stat_key)."""
    if folder is None:
        digest.update(b"\0none")
        return
    digest.update(os.fsencode(folder.absolute()) + b"\0")
    lines = [f"{name}\0{key}\n" for name, key in files_under(folder) if name.endswith(only_suffix)]
    digest.update("".join(lines).encode("utf-8", "surrogateescape"))


def inputs(options) -> str:
    """The digest of what a build reads, and of the options and libraries that shape what it writes."""
    digest = hashlib.sha256()
    versions = []
    for library in LIBRARIES:
        try:
            versions.append(f"{library}={metadata.version(library)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{library}=none")
    folders = (options.content, *layers(options.templates), *layers(options.assets), options.archive)
    settings = {"python": sys.version, "libraries": versions, "base_url": options.base_url,
                "strict": options.strict, "search": options.search,
                "folders": [str(path.absolute()) if path else None
                            for path in folders]}
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    for folder in folders:
        tree(digest, folder)
    tree(digest, CODE, ".py")
    return digest.hexdigest()


def outputs(out: Path) -> str:
    """The digest of the site as written: every file's path, size and time."""
    digest = hashlib.sha256()
    tree(digest, out)
    return digest.hexdigest()


def unchanged(options, read: str) -> dict | None:
    """The last build's stamp if the site still stands as it left it and it read what a build would read now."""
    out = options.out
    try:
        stamp = json.loads(stamp_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("inputs") != read or not out.is_dir():
        return None
    if not (isinstance(stamp.get("pages"), int) and isinstance(stamp.get("records"), int)
            and isinstance(stamp.get("problems"), list)
            and all(isinstance(problem, list) and len(problem) == 5 for problem in stamp["problems"])):
        return None
    return stamp if stamp.get("outputs") == outputs(out) else None


def forget(out: Path) -> None:
    """Drop the stamp: a build is about to replace the site."""
    try:
        stamp_path(out).unlink()
    except OSError:
        pass


def remember(options, read: str, pages: int, records: int, problems: list) -> None:
    """Write the stamp of a good build (`read`: its inputs' digest, taken before it read them), with
    the warnings it printed, so that a build that finds the site up to date prints them again."""
    path = stamp_path(options.out)
    stamp = {"inputs": read, "outputs": outputs(options.out), "pages": pages, "records": records,
             "problems": [[problem.path, problem.line, problem.column, problem.message, problem.severity]
                          for problem in problems]}
    try:
        path.parent.mkdir(exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by stances (python build.py): what the last build read and wrote.\n*\n")
        path.write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    except OSError:
        pass  # without a stamp the next build just runs
