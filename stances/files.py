"""Files, and what tells that one changed: shared by the loader, the cache and the up-to-date check.

Standard library only, so that `python build.py` can tell a site is up to date before it
imports the pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def default_folder(name: str) -> Path:
    """The default templates or assets: shipped inside the package, or beside it in a checkout."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else PACKAGE.parent / name


def layers(folders) -> tuple[Path, ...]:
    """A folder, or folders laid over one another (a file in the first that holds its name wins), as a tuple."""
    return tuple(folders) if isinstance(folders, (tuple, list)) else (folders,)


def stat_key(status: os.stat_result) -> tuple:
    """What tells a file changed: its times, size and inode. The change time (ctime) is in it because a
    copy that keeps the modified time (`cp -p`, `rsync -t`, an unpacked archive) can leave a file of the
    same size with the same mtime; no one can set the ctime, and every write moves it."""
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


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
        try:
            folder = entry.is_dir()
        except OSError:  # a loop of links (ELOOP): the loader says so; here it is a file that changes nothing
            folder = False
        if folder:
            walk(entry.path, f"{prefix}{entry.name}/", found, seen)
        else:
            try:
                key = stat_key(entry.stat())
            except OSError:
                key = None
            found.append((prefix + entry.name, key))


def apart(out: Path, inputs: dict) -> list[str]:
    """Why an output folder may not be used: it is, holds or sits inside an input folder ({option: folder
    or None, or a tuple of folders: see `layers`). A build replaces its output whole, and must never touch
    what it reads."""
    found = []
    real = Path(os.path.realpath(out))
    for option, folder in ((option, folder) for option, given in inputs.items()
                           for folder in (given if isinstance(given, (tuple, list)) else (given,))):
        if folder is None:
            continue
        other = Path(os.path.realpath(folder))
        how = "is" if real == other else "sits inside" if real.is_relative_to(other) else \
            "holds" if other.is_relative_to(real) else None
        if how is not None:
            found.append(f"--out {shown(out)} {how} the {option.removeprefix('--')} folder {shown(folder)}: a build "
                         "replaces its output whole, so it must never touch what it reads; choose an --out outside it")
    return found


def shown(path: Path) -> str:
    """A path as a contributor would type it: relative to here when inside."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def inputs_of(content: Path, templates: Path, assets: Path, archive: Path | None) -> dict:
    return {"--content": content, "--templates": templates, "--assets": assets, "--archive": archive}
