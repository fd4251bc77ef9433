"""Write: put the rendered site in place atomically; never touch a folder we did not make."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
from pathlib import Path

from .files import layers
from .load import shown_path
from .problems import Problem, error
from .search import FOLDER

MARKER = ".stances-site"
MARKER_TEXT = "This folder is written by stances (python build.py); edits here are lost.\n"


def _renameat2():
    """Linux's renameat2, or None where the C library has none (glibc before 2.28, macOS, Windows)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_exchange = _renameat2()
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def exchange(one: Path, other: Path) -> bool:
    """Swap two folders in one step (renameat2 with RENAME_EXCHANGE): every reader, and a build killed at
    any moment, finds one or the other whole. False where the system or the file system cannot."""
    if _exchange is None:
        return False
    if _exchange(AT_FDCWD, os.fsencode(one), AT_FDCWD, os.fsencode(other), RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(number, os.strerror(number), os.fspath(other))


def alive(pid: int) -> bool:
    """True if a process with this id may be running (on Windows, always: signal 0 is not a question there)."""
    if os.name == "nt" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep(out: Path) -> None:
    """Clear what builds into `out` that were killed left beside it, where it is provably theirs: a
    `.NAME.building-PID` or `.NAME.old-PID` folder whose process is gone and that holds the marker.
    A site moved aside by a build killed between its two renames (where folders cannot be exchanged)
    is moved back first, if no site stands in its place."""
    out = out.absolute()
    debris = re.compile(rf"\.{re.escape(out.name)}\.(building|old|making)-(\d+)")
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return
    for name in names:
        found = debris.fullmatch(name)
        folder = out.parent / name
        if not found or alive(int(found.group(2))):
            continue
        if found.group(1) == "making":  # killed before the marker was in: ours if it holds nothing else
            if {entry.name for entry in os.scandir(folder)} <= {MARKER}:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        if not (folder / MARKER).is_file():
            continue
        try:
            if found.group(1) == "old" and not os.path.lexists(out):
                folder.rename(out)
            else:
                shutil.rmtree(folder)
        except OSError:
            pass  # left for a later build; it harms nothing where it is


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
        # Made under another name and given its marker before it takes its own, so a build killed at
        # any moment leaves nothing a later build cannot tell for its debris (see `sweep`).
        making = self.out.parent / f".{self.out.name}.making-{os.getpid()}"
        shutil.rmtree(making, ignore_errors=True)
        making.mkdir(parents=True)
        (making / MARKER).write_text(MARKER_TEXT)
        making.rename(self.folder)
        return []

    def page(self, name: str, text: str | bytes | bytearray) -> None:
        """Write a page or data file (a str, or its UTF-8 bytes)."""
        put(self.folder / name, text.encode("utf-8") if isinstance(text, str) else text, self.out / name)

    def finish(self, assets: Path) -> list[Problem]:
        """Add the assets, then swap the folder in (with the search index, if one was written into it)."""
        try:
            for name, path in files_of(assets):
                put(self.folder / "assets" / name, path.read_bytes(), self.out / "assets" / name)
            if (self.folder / FOLDER).is_dir():
                for path in sorted((self.folder / FOLDER).rglob("*")):
                    previous = self.out / path.relative_to(self.folder)
                    if path.is_file() and previous.is_file():  # an unchanged index file is linked from the old tree too
                        data = path.read_bytes()
                        if same_file(previous, data):
                            path.unlink()
                            if not linked(previous, path):
                                path.write_bytes(data)
            if not self.out.exists():
                self.folder.rename(self.out)
            elif not exchange(self.folder, self.out):  # then the old site is in self.folder, to be removed
                # Two renames: a build killed between them leaves the last site in self.retired, which
                # the next build's `sweep` moves back.
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
        for folder in (self.folder, self.retired):
            remove_marked(folder)


def remove_marked(folder: Path) -> None:
    """Remove a folder of ours, its marker last: killed halfway, what is left still says whose it is."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name != MARKER:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def replace_files(files: list) -> None:
    """Write files ([(path, bytes)]) so that a reader sees all the old or all the new: each is written
    whole beside its old one first, and only then are they put in place (a rename needs no space). A full
    disk stops it before any file has changed, and the partial files are removed."""
    staged: list = []
    try:
        for target, data in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part-{os.getpid()}")
            staged.append((partial, target))
            partial.write_bytes(data)
    except OSError:
        for partial, _ in staged:
            partial.unlink(missing_ok=True)
        raise
    for partial, target in staged:
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
        """Write the changed pages and assets (all or none), then remove what is no longer built."""
        files = [(name, text.encode("utf-8") if isinstance(text, str) else text)
                 for name, text in sorted(self.pending.items())]
        for name, path in files_of(assets):
            data = path.read_bytes()
            if not same_file(self.out / "assets" / name, data):
                files.append((f"assets/{name}", data))
        replace_files([(self.out / name, data) for name, data in files])
        self.changed += [name for name, _ in files]
        for name in sorted(previous - current, reverse=True):
            (self.out / name).unlink(missing_ok=True)
            self.changed.append(name)
            folder = (self.out / name).parent
            while folder != self.out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        return []
