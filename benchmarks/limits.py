#!/usr/bin/env python3
"""How long `build.py check` takes on hostile content at the size limits (a benchmark, not a test).

    python benchmarks/limits.py                 # every case, a Markdown table on stdout
    python benchmarks/limits.py --only archive  # the cases whose name holds a word

The limits: 8 MiB a content file, 20,000 characters a Markdown field, 1 MiB an archived text. The
target is 10 s a case on 2 cores, or a clear error. Each case is a copy of the small tree in
tests/fixtures/errors/base with one thing made hostile; its time is the whole command's, start to exit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "errors" / "base"
MIB = 1024 * 1024
FIELD = 20_000  # stances.validate.MAX_PROSE
TARGET = 10.0


def tree(folder: Path, files: dict[str, str], archive: str | None = None) -> list[str]:
    """Write a copy of the base tree with these content files; return the extra options for `check`."""
    shutil.copytree(BASE, folder, dirs_exist_ok=True)
    for name, text in files.items():
        (folder / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "content" / name).write_text(text, encoding="utf-8")
    if archive is None:
        return []
    (folder / "archive").mkdir()
    (folder / "archive" / "paper.txt").write_text(archive, encoding="utf-8")
    source = folder / "content" / "sources" / "paper.yml"
    source.write_text(source.read_text() + "archive: paper.txt\n")
    return ["--archive", "archive"]


def quote(text: str) -> dict[str, str]:
    return {"quotes/pat-no.yml": f"id: pat-no\nspeaker: pat\nwordings:\n  - text: {json.dumps(text)}\n"
                                 "    cite: [paper]\n"}


def summary(text: str, topics: int = 1) -> dict[str, str]:
    """`topics` topics, each with this summary (cited, so that it is valid as it stands)."""
    return {"topics/border.yml": "".join(f"- id: t{number}\n  title: T\n  summary: {json.dumps(text + ' [@paper]')}\n"
                                         for number in range(topics))}


def cases() -> dict:
    prose = "The alliance said it was ready to talk, and the other side said it was not. "
    article = (prose * (MIB // len(prose) + 1))[:MIB - 1024]
    many = "".join(f"- id: q{number}\n  speaker: pat\n  wordings:\n    - text: \"Words number {number}.\"\n"
                   f"      cite: [paper]\n  context: Said on day {number} [@paper].\n" for number in range(60_000))
    cut = many[:8 * MIB - 4096]
    many = cut[:cut.rfind("\n- id:") + 1]
    return {
        "archive: 'e … e … e … zzqx' against 1 MiB of prose": (quote("e … e … e … zzqx"), article),
        "archive: 30 ellipses of 'e' against 1 MiB of prose": (quote(" … ".join(["e"] * 30) + " zzqx"), article),
        "archive: '[x] e [y] e [z] zzqx' against 1 MiB of 'e.'": (quote("[x] e [y] e [z] zzqx"), "e." * (MIB // 2 - 512)),
        "archive: a verbatim quote at the end of 1 MiB": (quote("It was over at the end."),
                                                          article + "It was over at the end."),
        **{f"markdown: one field of {FIELD:,} characters of {unit!r}": (summary(unit * ((FIELD - 20) // len(unit))), None)
           for unit in ("[@a ", "[@a] ", "[", "![", "*a ", "[x](", "<", "`", "- ", "> ")},
        f"markdown: one field over the limit, 6.5 MiB of '[@a ' (refused)": (summary("[@a " * 1_700_000), None),
        "markdown: 8 fields of 20,000 characters of '[' (one file)": ({"topics/border.yml": "".join(
            f"- id: t{number}\n  title: T\n  summary: {json.dumps('[' * (FIELD - 40) + f' {number} [@paper]')}\n"
            for number in range(8))}, None),
        "yaml: a file at the 8 MiB limit, 60,000-odd quotes": ({"quotes/many.yml": many}, None),
    }


def measure(name: str, files: dict, archive: str | None) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as folder:
        options = tree(Path(folder), files, archive)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "-q", *options], cwd=folder,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
    said = done.stderr.strip().splitlines()
    first = said[0] if said else ""
    return seconds, done.returncode, first[:110] + ("…" if len(first) > 110 else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the cases whose name holds this")
    options = parser.parse_args()
    print("| case | seconds | exit | within 10 s | first line printed |")
    print("|---|---:|---:|---|---|")
    for name, (files, archive) in cases().items():
        if options.only not in name:
            continue
        seconds, status, first = measure(name, files, archive)
        verdict = "yes" if seconds <= TARGET else "**no**"
        print(f"| {name} | {seconds:.2f} | {status} | {verdict} | {first.replace('|', '/')} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
