"""Write: put the rendered site in place atomically; never touch a folder we did not make."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .load import shown_path
from .problems import Problem, error
from .search import FOLDER, index

MARKER = ".stances-site"


def owned(out: Path) -> bool:
    """True if the folder is absent, empty, or was written by this tool."""
    return not out.exists() or (out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir())))


def same_file(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def put(target: Path, data: bytes, previous: Path) -> None:
    """Write a file into the new tree; an unchanged file is linked from the old tree, untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if same_file(previous, data):
        try:
            os.link(previous, target)
            return
        except OSError:
            pass
    target.write_bytes(data)


def files_of(assets: Path):
    """Yield (relative path, file) for every asset, in a stable order."""
    if assets.is_dir():
        for path in sorted(assets.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(assets).parts):
                yield path.relative_to(assets).as_posix(), path


def write(outputs: dict[str, str | None], assets: Path, out: Path) -> tuple[int, list[Problem]]:
    """Write pages and assets to a fresh folder beside `out`, then swap it in whole."""
    out = out.absolute()
    if not owned(out):
        return 0, [error(shown_path(out), 1, 1,
                         f"refusing to replace {shown_path(out)}: it is not empty and was not made by "
                         f"this tool (no {MARKER} file); choose another --out")]
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        for name, html in sorted(outputs.items()):
            if html is None:  # unchanged since the last build, which wrote it there
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                os.link(out / name, staging / name)
            else:
                put(staging / name, html.encode("utf-8"), out / name)
        for name, path in files_of(assets):
            put(staging / "assets" / name, path.read_bytes(), out / "assets" / name)
        (staging / MARKER).write_text("This folder is written by stances (python build.py); edits here are lost.\n")
        problems = index(staging)
        if problems:
            return 0, problems  # the last good site stays; the staging folder is removed below
        for path in sorted((staging / FOLDER).rglob("*")):
            if path.is_file():  # an unchanged index file is linked from the old tree too
                data = path.read_bytes()
                path.unlink()
                put(path, data, out / path.relative_to(staging))
        if out.exists():
            out.rename(retired)
        try:
            staging.rename(out)
        except OSError:
            retired.rename(out)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return len(outputs), []


def replace_file(target: Path, data: bytes) -> None:
    """Write one file so that a reader sees the old bytes or the new, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part-{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, target)


def update(outputs: dict[str, str | None], assets: Path, out: Path, previous: set) -> tuple[int, list[Problem]]:
    """Bring a site this tool wrote last time up to date in place: changed files only.

    For the preview server, which holds requests while it builds, so no reader sees the
    site half updated; `python build.py` always writes a fresh folder and swaps it in.
    """
    out = out.absolute()
    written = 0
    for name, html in sorted(outputs.items()):
        if html is not None:
            replace_file(out / name, html.encode("utf-8"))
            written += 1
    current = set(outputs) | {f"assets/{name}" for name, _ in files_of(assets)}
    for name in sorted(previous - current, reverse=True):
        (out / name).unlink(missing_ok=True)
        folder = (out / name).parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    for name, path in files_of(assets):
        data = path.read_bytes()
        if not same_file(out / "assets" / name, data):
            replace_file(out / "assets" / name, data)
    if not any(html is not None and name.endswith(".html") for name, html in outputs.items()):
        return written, []  # no page changed, so the search index still holds
    shutil.rmtree(out / FOLDER, ignore_errors=True)
    return written, index(out)
