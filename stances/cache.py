"""What one build keeps for the next, so a rebuild redoes only what an edit touched.

`serve` keeps one Cache across rebuilds, and only the rebuild layer (rebuild.py) reads and writes
it, at the stages' boundaries; a one-off build runs the plain stages and keeps nothing for a next.
A property test (tests/test_incremental.py) checks a rebuild's result is byte-identical to a fresh build's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from .cite import Notes
from .files import files_under, layers

from .tracking import View
from .validate import Record


@dataclass
class PageMemo:
    """What a page was last rendered from: its plan fingerprint and the records it read."""

    fingerprint: tuple
    reads: frozenset


@dataclass(frozen=True)
class Listing:
    """What load.scan listed last."""

    files: list  # (kind, path, stat key) of every content file, in reading order
    problems: list  # what the scan found wrong (unreadable folders, files of no kind)


@dataclass(frozen=True)
class LastRead:
    """The last read of the content files."""

    records: list  # every record, in reading order
    problems: list  # the files' problems
    spans: dict  # path -> (first, end): where its records stand in `records`
    unreadable: set  # read.Content's: (kind, id) of the files that gave errors and no record


@dataclass(frozen=True)
class LastPlan:
    """The last good build's plan, and what it depended on."""

    pages: list
    fields: set  # (kind, id, field) the plan read: an edit to another field leaves it standing
    base_url: str | None
    order: dict  # kind -> ids in the order they were planned
    html_pages: int  # how many of the pages are HTML (what a build reports)
    tracked: object = None  # rebuild.Tracked: the view of the site the pages were planned through (a rebuild's)


@dataclass(frozen=True)
class LastBuild:
    """The inputs of the last good build, and its result: a build that finds them the same has nothing to do."""

    inputs: tuple
    result: object  # pipeline.Result


@dataclass(frozen=True)
class InputKeys:
    """The inputs besides the content as a rebuild last looked at them, each an `inputs_key`."""

    templates: tuple
    assets: tuple
    archive: tuple


@dataclass(frozen=True)
class Copied:
    """The assets as the last good build wrote them."""

    key: tuple  # their inputs_key then
    names: frozenset  # "assets/<name>" of each, as the output holds it


@dataclass(frozen=True)
class Written:
    """What a good build wrote, for the next to compare with (rebuild.remember_written)."""

    records: dict  # (kind, id) -> the record it held
    pages: dict  # output path -> PageMemo
    templates: tuple  # the templates' key
    out: Path  # where it wrote
    data: dict  # kind -> {id: (JSON line, CSV row)} in the open-data files
    data_texts: dict  # open-data file -> its text
    names: set  # the pages and data files it wrote there
    assets: object  # Copied: the assets it copied


@dataclass(frozen=True)
class DataLater:
    """Open data a rebuild left for `rebuild.write_later`."""

    site: object  # link.Site
    changed: set | None  # (kind, id) changed since the data was last written; None: all of them
    out: Path


@dataclass
class LinkState:
    """What the last full link made, for a small edit to patch (rebuild.relink)."""

    order: list  # (kind, id) of every record, in load order
    by_kind: dict  # kind -> {id: validated Record}
    site: object  # link.Site
    cited_by: dict  # source id -> [link.Statement], the source's own included
    problems: list  # what linking the records found, in record order
    unused: list  # link.unused(site)


@dataclass
class Cache:
    files: dict = field(default_factory=dict)  # path -> (stat key, records, problems)
    listing: Listing | None = None
    read: LastRead | None = None
    prose: dict = field(default_factory=dict)  # link.prose_key -> (html, env): Markdown rendered against `notes`
    linked: dict = field(default_factory=dict)  # id(validated record) -> link.Linked
    ids: dict = field(default_factory=dict)  # kind -> frozenset of ids, at the last link
    notes: Notes = field(default_factory=Notes)
    records: dict = field(default_factory=dict)  # (kind, id) -> linked Record of the last good build
    pages: dict = field(default_factory=dict)  # output path -> PageMemo
    templates: tuple = ()  # (name, stat_key) of every template, at the last render
    last: LastBuild | None = None
    out: Path | None = None  # where the last good build was written
    written: set = field(default_factory=set)  # the pages and data files it wrote there
    data: dict = field(default_factory=dict)  # kind -> {id: (JSON line, CSV row)} in the data files
    data_texts: dict = field(default_factory=dict)  # data file -> its text, as last written
    fragments: object = None  # render.Fragments: quote cards and notes rendered, while the templates stay the same
    plan: LastPlan | None = None
    env: object = None  # the Jinja environment, its templates compiled, while the templates stay the same
    link_state: LinkState | None = None  # what the last link made, for a small edit to patch
    reread: list | None = None  # the records the last read read again in place, ids unchanged; None: unknown
    relinked: set | None = None  # (kind, id) relinked on their own since the last good build; None: unknown
    later: DataLater | None = None
    keys: InputKeys | None = None  # what the last build found of templates, assets and archive
    assets: Copied | None = None  # the assets the last good build wrote


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
    """How fingerprint takes a value of this type apart: 'record' (a record, or a rebuild's view of one), its
    dataclass fields, or () as it is."""
    if issubclass(kind, (Record, View)):
        return "record"
    return tuple(f.name for f in dataclasses.fields(kind) if f.compare) if dataclasses.is_dataclass(kind) else ()
