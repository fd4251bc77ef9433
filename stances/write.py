"""Write: put the rendered site in place atomically; never touch a folder we did not make."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .files import layers
from .load import shown_path
from .problems import Problem, error
from .search import FOLDER

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


class Staging:
    """A fresh folder beside `out`: pages go in as they are rendered, then it is swapped in whole.

    Files unchanged since the last build are hard links to the old tree's, so an unchanged
    file keeps its bytes and its time stamp.
    """

    def __init__(self, out: Path):
        self.out = out.absolute()
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
        """Write a page or data file (a str, or its UTF-8 bytes)."""
        put(self.folder / name, text.encode("utf-8") if isinstance(text, str) else text, self.out / name)

    def finish(self, assets: Path) -> list[Problem]:
        """Add the assets, then swap the folder in (with the search index, if one was written into it)."""
        try:
            for name, path in files_of(assets):
                put(self.folder / "assets" / name, path.read_bytes(), self.out / "assets" / name)
            (self.folder / MARKER).write_text(
                "This folder is written by stances (python build.py); edits here are lost.\n")
            if (self.folder / FOLDER).is_dir():
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

    def finish(self, assets: Path, current: set, previous: set) -> list[Problem]:
        """Write the changed pages, remove what is no longer built, refresh changed assets."""
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
        return []
