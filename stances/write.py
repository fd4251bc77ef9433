"""Write: put the rendered site in place atomically; never touch a folder we did not make."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .files import layers
from .load import shown_path
from .problems import Problem, error
from .search import DOCUMENTS, FOLDER, document, index
from .uptodate import FOLDER as CACHE

MARKER = ".stances-site"


def owned(out: Path) -> bool:
    """True if the folder is absent, empty, or was written by this tool."""
    return not out.exists() or (out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir())))


def same_file(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def linked(previous: Path, target: Path) -> bool:
    """Make `target` a hard link to the old tree's file, if the file system allows it."""
    try:
        os.link(previous, target)
        return True
    except OSError:
        return False


def put(target: Path, data: bytes, previous: Path) -> None:
    """Write a file into the new tree; an unchanged file is linked from the old tree, untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (same_file(previous, data) and linked(previous, target)):
        target.write_bytes(data)


def files_of(assets):
    """Yield (relative path, file) for every asset, in a stable order; of folders laid over one another
    (see files.layers), the file of the first that holds a name."""
    found: dict = {}
    for folder in layers(assets):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                    found.setdefault(path.relative_to(folder).as_posix(), path)
    yield from sorted(found.items())


def search_documents(out: Path) -> Path:
    """Where a build into `out` keeps each page's search document from build to build (see Staging)."""
    return out.parent / CACHE / f"{out.name}.{DOCUMENTS}"


class Staging:
    """A fresh folder beside `out`: pages go in as they are rendered, then it is swapped in whole.

    Files unchanged since the last build are hard links to the old tree's, so an unchanged
    file keeps its bytes and its time stamp.
    """

    def __init__(self, out: Path, search: bool = True):
        self.out = out.absolute()
        self.search = search
        # Each page's search document (see search.document), kept from build to build beside the
        # stamp in .stances-cache/: rewriting a file costs less than making it and deleting it again.
        self.documents = search_documents(self.out)
        self.folder = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        self.retired = self.out.parent / f".{self.out.name}.old-{os.getpid()}"

    def begin(self) -> list[Problem]:
        if not owned(self.out):
            return [error(shown_path(self.out), 1, 1,
                          f"refusing to replace {shown_path(self.out)}: it is not empty and was not made by "
                          f"this tool (no {MARKER} file); choose another --out")]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        return []

    def page(self, name: str, text: str | bytes | bytearray) -> None:
        """Write a page or data file (a str, or its UTF-8 bytes), with its search document if it has one."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        put(self.folder / name, data, self.out / name)
        if self.search and name.endswith(".html"):
            searched = document(data)
            if searched is None:
                (self.documents / name).unlink(missing_ok=True)
            elif not same_file(self.documents / name, searched):
                (self.documents / name).parent.mkdir(parents=True, exist_ok=True)
                (self.documents / name).write_bytes(searched)

    def finish(self, assets: Path, pages: set) -> list[Problem]:
        """Add the assets and the search index, then swap the folder in; the last good site stays on failure.

        `pages` names every file this build wrote: a search document of any other page is stale."""
        try:
            for name, path in files_of(assets):
                put(self.folder / "assets" / name, path.read_bytes(), self.out / "assets" / name)
            (self.folder / MARKER).write_text(
                "This folder is written by stances (python build.py); edits here are lost.\n")
            if self.search:
                problems = index(self.folder, documents=str(self.documents) if self.keep_documents(pages) else ".")
                if problems:
                    return problems
                for path in sorted((self.folder / FOLDER).rglob("*")):
                    previous = self.out / path.relative_to(self.folder)
                    if path.is_file() and previous.is_file():  # an unchanged index file is linked from the old tree too
                        data = path.read_bytes()
                        if same_file(previous, data):
                            path.unlink()
                            if not linked(previous, path):
                                path.write_bytes(data)
            if self.out.exists():
                self.out.rename(self.retired)
            try:
                self.folder.rename(self.out)
            except OSError:
                self.retired.rename(self.out)
                raise
            return []
        finally:
            self.discard()

    def keep_documents(self, pages: set) -> bool:
        """Remove the search documents of pages this build did not write; True if any is left."""
        left = False
        for folder, _, names in os.walk(self.documents):
            for name in names:
                path = Path(folder, name)
                if path.relative_to(self.documents).as_posix() in pages:
                    left = True
                else:
                    path.unlink()
        return left

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.retired, ignore_errors=True)


def replace_file(target: Path, data: bytes) -> None:
    """Write one file so that a reader sees the old bytes or the new, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part-{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, target)


class InPlace:
    """Bring a site this tool wrote last time up to date where it stands: changed files only.

    For the preview server, which holds requests while it builds, so no reader sees the
    site half updated; `python build.py` always writes a fresh folder and swaps it in.
    """

    def __init__(self, out: Path):
        self.out = out.absolute()
        self.pending: dict[str, str] = {}  # held until the build is known good
        self.changed: list[str] = []

    def begin(self) -> list[Problem]:
        return []

    def page(self, name: str, text: str | bytes | bytearray) -> None:
        self.pending[name] = text

    def finish(self, assets: Path, current: set, previous: set, search: bool = True) -> list[Problem]:
        """Write the changed pages, remove what is no longer built, refresh changed assets and,
        if a page changed, the search index."""
        for name, text in sorted(self.pending.items()):
            replace_file(self.out / name, text.encode("utf-8") if isinstance(text, str) else text)
            self.changed.append(name)
        for name in sorted(previous - current, reverse=True):
            (self.out / name).unlink(missing_ok=True)
            self.changed.append(name)
            folder = (self.out / name).parent
            while folder != self.out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        for name, path in files_of(assets):
            data = path.read_bytes()
            if not same_file(self.out / "assets" / name, data):
                replace_file(self.out / "assets" / name, data)
                self.changed.append(f"assets/{name}")
        if not search or not any(name.endswith(".html") for name in self.changed):
            return []  # no page changed, so the search index still holds (or the caller indexes later)
        return reindex(self.out)


def reindex(out: Path) -> list[Problem]:
    """Index a written site again, swapping the new index in whole."""
    fresh = out / f".{FOLDER}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    problems = index(out, fresh)
    if not problems:
        old = out / f".{FOLDER}-old-{os.getpid()}"
        if (out / FOLDER).exists():
            (out / FOLDER).rename(old)
        fresh.rename(out / FOLDER)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(fresh, ignore_errors=True)
    return problems
