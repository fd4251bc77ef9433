#!/usr/bin/env python3
"""How long `build.py check` takes on hostile content at the size limits (a benchmark, not a test).

    python benchmarks/limits.py                 # every case, a Markdown table on stdout
    python benchmarks/limits.py --only archive  # the cases whose name holds a word

The limits: 512 KiB a content file; 20,000 characters a Markdown field, 200,000 a file, and 5,000 table
cells a file; 100,000 notes a file from cite: lists; 1 MiB an archived text. The target is 10 s a
case on 2 cores, or a clear error. Each case is a copy of the small tree in
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
FILE_PROSE = 200_000  # stances.validate.MAX_PROSE_FILE
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
                   f"      cite: [paper]\n  context: Said on day {number} [@paper].\n" for number in range(9_000))
    cut = many[:MIB // 2 - 4096]
    many = cut[:cut.rfind("\n- id:") + 1]
    table = "|a" * 500 + "|\n" + "|-" * 500 + "|\n" + "a\n" * 130 + "\n"  # 65,000 cells in 2,300 characters
    brackets = "".join(f"- id: t{number}\n  title: T\n  summary: {json.dumps('[' * (FIELD - 40) + f' {number} [@paper]')}\n"
                       for number in range(FILE_PROSE // FIELD))
    sources = "".join(f"- id: s{number}\n  outlet: O\n  headline: H\n  url: https://x.example/{number}\n"
                      f"  published: 2022-01-01\n  language: en\n" for number in range(1_000))
    cite = "[" + ", ".join(f"s{number}" for number in range(1_000)) + "]"
    return {
        "archive: 'e … e … e … zzqx' against 1 MiB of prose": (quote("e … e … e … zzqx"), article),
        "archive: 30 ellipses of 'e' against 1 MiB of prose": (quote(" … ".join(["e"] * 30) + " zzqx"), article),
        "archive: '[x] e [y] e [z] zzqx' against 1 MiB of 'e.'": (quote("[x] e [y] e [z] zzqx"), "e." * (MIB // 2 - 512)),
        "archive: a verbatim quote at the end of 1 MiB": (quote("It was over at the end."),
                                                          article + "It was over at the end."),
        **{f"markdown: one field of {FIELD:,} characters of {unit!r}": (summary(unit * ((FIELD - 20) // len(unit))), None)
           for unit in ("[@a ", "[@a] ", "[", "![", "*a ", "[x](", "<", "`", "- ", "> ")},
        f"markdown: one field over the limit, 25,000 characters of '[@a ' (refused)": (summary("[@a " * 6_250), None),
        f"markdown: one field of 6.5 MiB of '[@a ' (refused)": (summary("[@a " * 1_700_000), None),
        f"markdown: {FILE_PROSE // FIELD} fields of {FIELD:,} characters of '[' (one file at its Markdown limit)":
            ({"topics/border.yml": brackets}, None),
        f"markdown: one more field of '[' past the file's Markdown limit (refused)": ({"topics/border.yml": brackets + (
            f"- id: over\n  title: T\n  summary: {json.dumps('[' * (FIELD - 40) + ' [@paper]')}\n")}, None),
        "markdown: a table of 500 columns and 130 one-word rows, 65,000 cells (refused)": (summary(table), None),
        "markdown: 8 tables of 500 columns in one field under 20,000 characters (refused)": (summary(table * 8), None),
        "notes: 1,000 uncited paragraphs under a cite: list of 1,000 sources (refused)": ({
            "sources/many.yml": sources, "topics/border.yml": "id: border\ntitle: T\nsummary: "
            + json.dumps("a\n\n" * 1_000) + f"\ncite: {cite}\n"}, None),
        "notes: 6,600 uncited paragraphs under a cite: list of 15 sources (99,000 notes)": ({
            "sources/many.yml": sources, "topics/border.yml": "id: border\ntitle: T\nsummary: "
            + json.dumps("a\n\n" * 6_600) + "\ncite: [" + ", ".join(f"s{number}" for number in range(15)) + "]\n"}, None),
        "yaml: a file at the 512 KiB limit, 3,500-odd quotes": ({"quotes/many.yml": many}, None),
        "yaml: a file at the 512 KiB limit of one-letter citations": ({"topics/border.yml": "id: border\ntitle: T\n"
            "summary: x [@paper]\ncite: [" + ", ".join(["p"] * ((MIB // 2 - 100) // 3)) + "]\n",
            "sources/p.yml": "id: p\noutlet: O\nheadline: H\npublished: 2022-01-01\nlanguage: en\n"}, None),
        "yaml: a file over the 512 KiB limit (refused)": ({"quotes/many.yml": many + " " * MIB}, None),
        "references: 6,000 quotes naming missing speakers, against a file of 18,000 people": ({
            "people/many.yml": "".join(f"- id: person-{number}\n  name: P\n" for number in range(18_000)),
            "quotes/many.yml": "".join(f"- id: q{number}\n  speaker: person-x{number}\n  wordings:\n"
                                       "    - text: \"W.\"\n      cite: [paper]\n" for number in range(6_000))}, None),
    }


def measure(name: str, files: dict, archive: str | None) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as folder:
        options = tree(Path(folder), files, archive)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "-q", *options], cwd=folder,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
    said = done.stderr.strip().splitlines()
    first = next((line for line in said if ": error: " in line), said[0] if said else "")
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
