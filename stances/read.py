"""Read: every content file loaded (load.py) and validated (validate.py), in reading order.

The pipeline's first stage, a plain function: `read(content)` lists the files, reads each on its own
(across processes when there are many), and gives back the records, the problems, and which files
gave no record at all (so that link leaves unchecked the references into them). `build`, `check`
and `new` call it; rebuild.py wraps `read_file` to read again only the files that changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .load import load_file, scan
from .problems import Problem
from .shares import each
from .validate import Record, records_of

READ_SHARED_FROM = 200  # files to read; below this, forking costs more than it saves


@dataclass(frozen=True)
class Content:
    """The content as read: what the stages after it take."""

    records: list[Record]  # every record, in reading order
    problems: list[Problem]  # the listing's and every file's
    unreadable: set  # (kind, id) of every file that gave errors and no record, the id by its name


def read(content: Path, workers: int = 1, kind: str | None = None) -> Content:
    """Load and validate every content file (`kind`: only the files of that kind)."""
    files, problems = scan(content)
    entries = [(file_kind, path) for file_kind, path, _ in files if kind is None or file_kind == kind]
    records: list = []
    failed: set = set()
    for entry, (found_records, found) in zip(entries, each(read_file, entries, workers, READ_SHARED_FROM)):
        records += found_records
        problems += found
        if gave_nothing(found_records, found):
            failed.add(named(*entry))
    return Content(records, problems, failed)


def read_file(entry: tuple) -> tuple[list, list[Problem]]:
    """Load and validate one content file, given as (kind, path): its records and problems."""
    kind, path = entry
    document, problems = load_file(kind, Path(path))
    if document is None:
        return [], problems
    records, more = records_of(document)
    return records, problems + more


def gave_nothing(records: list, problems: list[Problem]) -> bool:
    """True for a file whose errors left no record: the references into it cannot be checked."""
    return not records and any(problem.is_error for problem in problems)


def named(kind: str, path: str) -> tuple[str, str]:
    """(kind, id) of the record a file holds, the id by the file's name."""
    return kind, os.path.splitext(os.path.basename(path))[0]
