"""Write: put the rendered site in place atomically; never touch a folder we did not make."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .load import shown_path
from .problems import Problem, error

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


def write(outputs: dict[str, str], assets: Path, out: Path) -> tuple[int, list[Problem]]:
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
            put(staging / name, html.encode("utf-8"), out / name)
        for name, path in files_of(assets):
            put(staging / "assets" / name, path.read_bytes(), out / "assets" / name)
        (staging / MARKER).write_text("This folder is written by stances (python build.py); edits here are lost.\n")
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
