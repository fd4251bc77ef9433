"""Files, and what tells that one changed: shared by the loader, the cache and the up-to-date check.

Standard library only, so that `python build.py` can tell a site is up to date before it
imports the pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path


def layers(folders) -> tuple[Path, ...]:
    """A folder, or folders laid over one another (a file in the first that holds its name wins), as a tuple."""
    return tuple(folders) if isinstance(folders, (tuple, list)) else (folders,)


def stat_key(status: os.stat_result) -> tuple:
    """What tells a file changed: its time, size and inode."""
    return status.st_mtime_ns, status.st_size, status.st_ino


def files_under(folder: Path) -> list[tuple[str, tuple | None]]:
    """(path relative to the folder, stat key) of every file under it, in name order, following linked
    folders as the loader does (each folder once, so a link loop ends); None for a file gone meanwhile."""
    found: list[tuple[str, tuple | None]] = []
    walk(os.fspath(folder.absolute()), "", found, set())
    return found


def walk(folder: str, prefix: str, found: list, seen: set) -> None:
    try:
        here = os.stat(folder)
        if (here.st_dev, here.st_ino) in seen:
            return
        seen.add((here.st_dev, here.st_ino))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir():
            walk(entry.path, f"{prefix}{entry.name}/", found, seen)
        else:
            try:
                key = stat_key(entry.stat())
            except OSError:
                key = None
            found.append((prefix + entry.name, key))
