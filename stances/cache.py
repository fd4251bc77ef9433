"""What one build keeps for the next, so a rebuild redoes only what an edit touched.

`python build.py` starts with an empty Cache; `serve` keeps one across rebuilds. Both run
the same pipeline: the cache only lets a stage skip work whose inputs it has seen, and a
property test (tests/test_incremental.py) checks the result is byte-identical to a fresh build.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from .cite import Notes
from .files import files_under, layers

from .validate import Record


@dataclass
class PageMemo:
    """What a page was last rendered from: its plan fingerprint and the records it read."""

    fingerprint: tuple
    reads: frozenset


@dataclass
class Fragments:
    """Quote cards, notes and other record blocks rendered once and reused on every page that shows them.

    Each entry keeps the records it read, and each record the entries that read it, so that a
    rebuild drops just the entries an edit touched without looking at the others.

    The HTML is kept as UTF-8 bytes: a text with one character such as "“" or "↩" takes two bytes
    a character as a str, and the fragments are most of what a render worker holds.
    """

    cards: dict = field(default_factory=dict)  # (quote id, show speaker, links) -> (UTF-8 html, reads)
    notes: dict = field(default_factory=dict)  # (source id, locator, references, links) -> (UTF-8 html, reads)
    blocks: dict = field(default_factory=dict)  # (template, kind, id, links) -> (UTF-8 html, reads)
    readers: dict = field(default_factory=dict)  # (kind, id) -> {(entries name, key), ...}

    def add(self, name: str, key: tuple, html, reads: frozenset) -> tuple:
        found = getattr(self, name)[key] = (html, reads)
        for record in reads:
            self.readers.setdefault(record, set()).add((name, key))
        return found

    def forget(self, changed: set) -> None:
        for record in changed:
            for name, key in self.readers.pop(record, ()):
                getattr(self, name).pop(key, None)

    def merge(self, other: "Fragments") -> None:
        """Take in what a render worker made."""
        for name in ("cards", "notes", "blocks"):
            for key, (html, reads) in getattr(other, name).items():
                if key not in getattr(self, name):
                    self.add(name, key, html, reads)


@dataclass
class Cache:
    files: dict = field(default_factory=dict)  # path -> (stat key, records, problems)
    listing: tuple | None = None  # what scan() listed last: ([(kind, path, stat key)], problems)
    read: tuple | None = None  # the last read: (records, the files' problems, path -> (first, end) in records)
    prose: dict = field(default_factory=dict)  # (markdown, fallback, required) -> (html, env)
    linked: dict = field(default_factory=dict)  # id(validated record) -> link.Linked
    ids: dict = field(default_factory=dict)  # kind -> frozenset of ids, at the last link
    notes: Notes = field(default_factory=Notes)
    records: dict = field(default_factory=dict)  # (kind, id) -> linked Record of the last good build
    pages: dict = field(default_factory=dict)  # output path -> PageMemo
    templates: tuple = ()  # (name, stat_key) of every template, at the last render
    last: tuple | None = None  # the inputs of the last good build, with what it found
    out: Path | None = None  # where the last good build was written
    written: set = field(default_factory=set)  # the pages and data files it wrote there
    data: dict = field(default_factory=dict)  # kind -> {id: (JSON line, CSV row)} in the data files
    data_texts: dict = field(default_factory=dict)  # data file -> its text, as last written
    fragments: Fragments = field(default_factory=Fragments)  # quote cards and notes, see render.py
    plan: tuple | None = None  # (pages, fields the plan read, base URL, ids by kind, HTML pages) of the last good build
    env: object = None  # the Jinja environment, its templates compiled, while the templates stay the same
    link_state: object = None  # link.LinkState: what the last link made, for a small edit to patch
    reread: list | None = None  # the records the last read read again in place, ids unchanged; None: unknown
    relinked: set | None = None  # (kind, id) relinked on their own since the last good build; None: unknown
    later: tuple | None = None  # (site, changed records, output) whose open data is still to write

    def let_go_of_reading(self) -> None:
        """Drop what only a rebuild reuses of the read and the link: the records as read, before their
        prose was rendered, and what linking kept of them (for a build that keeps no cache)."""
        self.files, self.listing, self.read, self.prose, self.linked, self.link_state = {}, None, None, {}, {}, None


def inputs_key(*folders: Path) -> tuple:
    """Every file in the folders with its stat key (files.stat_key): what tells templates or assets changed."""
    return tuple((folder.as_posix(), tuple(files_under(folder)))
                 for given in folders for folder in layers(given) if folder.is_dir())


def current_records(records: dict) -> dict:
    """Every linked record by (kind, id)."""
    return {(kind, record_id): record for kind, ids in records.items() for record_id, record in ids.items()}


def changed_records(earlier: dict, now: dict, among: set | None = None) -> set:
    """(kind, id) of every record added, removed or changed between two builds (`among`: the only
    keys that can have changed, when that is known)."""
    if among is not None:
        return {key for key in among if earlier[key] is not now[key] and earlier[key].data != now[key].data}
    changed = set(now.keys() ^ earlier.keys())
    changed.update(key for key, record in now.items()
                   if key in earlier and earlier[key] is not record and earlier[key].data != record.data)
    return changed


def changed_fields(earlier, now) -> set:
    """The names of the fields that differ between two versions of a record."""
    return {name for name in earlier.data.keys() | now.data.keys() if earlier.data.get(name) != now.data.get(name)}


SIMPLE = (type(None), str, int, float, bool)
FIELDS: dict = {}  # dataclass type -> its field names


def fingerprint(value) -> object:
    """A page's plan, with records reduced to their identity (their contents are tracked by reads)."""
    kind = type(value)
    if kind in SIMPLE:
        return value
    if kind is dict:
        return tuple((key, fingerprint(inner)) for key, inner in value.items())
    if kind is list or kind is tuple:
        return tuple(fingerprint(inner) for inner in value)
    names = FIELDS.get(kind)
    if names is None:
        FIELDS[kind] = names = field_names(kind)
    if names == "record":
        return ("record", value.kind, value.id)
    if names:
        return (kind.__name__,) + tuple(fingerprint(getattr(value, name)) for name in names)
    return value


def field_names(kind: type) -> tuple | str:
    """How fingerprint takes a value of this type apart: 'record', its dataclass fields, or () as it is."""
    if issubclass(kind, Record):
        return "record"
    return tuple(f.name for f in dataclasses.fields(kind) if f.compare) if dataclasses.is_dataclass(kind) else ()
