"""Validate: turn YAML nodes into records by the declarations in schema.py."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from . import schema
from .load import Document
from .problems import Problem, a, command, did_you_mean, error

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
PLAIN_TAGS = {STR, BOOL, NULL, INT, FLOAT, TIMESTAMP}
# Control characters other than tab and line ends. YAML lets an escape ("\x02") write one; no page
# may show one (HTML forbids them), and the build uses a few as markers of its own (see cite.py).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")  # U+FFFE, U+FFFF: not in XML either
MAX_PROSE = 20_000  # characters in one Markdown field: about 3,000 words, four times the longest shipped
# What Markdown costs is bounded a file, not a field alone (a file may hold many fields): markdown-it-py
# takes up to about 15 µs a character (brackets), and a table up to about 40 µs a cell, even a cell its
# header makes up for a short row, so a table of 500 columns and 130 one-word rows is 65,000 cells.
MAX_PROSE_FILE = 200_000  # characters of Markdown in one file: 30,000 words, 2,500 quotes with a short context
MAX_CELLS_FILE = 5_000  # table cells in one file's Markdown, as table_cells counts them
# Each paragraph without a citation of its own shows every source of its record's cite: list: 6,600
# one-word paragraphs under a list of 3,000 sources made 20 million notes (80 s, 590 MB of HTML).
MAX_NOTES_FILE = 100_000  # notes a file's uncited paragraphs could take, as within_notes_limit counts them
TABLE_DELIMITER = re.compile(r"[ \t>]*\|?[ \t]*:?-[ \t|:>-]*")  # a table's second line: |---|:--:| (in a quote: >)


class Prose(str):
    """Markdown text that remembers where it stands in its file, for citation errors."""

    path: str
    text: str  # the whole file
    start: int
    end: int

    def __new__(cls, value: str, path: str, text: str, start: int, end: int):
        prose = super().__new__(cls, value)
        prose.path, prose.text, prose.start, prose.end = path, text, start, end
        return prose

    def __reduce__(self):  # records read in a worker process come back pickled
        return Prose, (str(self), self.path, self.text, self.start, self.end)


@dataclass(frozen=True)
class Date:
    """A date that may be partial (year, month) or approximate."""

    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    approximate: bool = False
    note: str | None = None

    MONTHS = ("January", "February", "March", "April", "May", "June", "July",
              "August", "September", "October", "November", "December")

    @property
    def parts(self) -> tuple[int, ...]:
        return tuple(map(int, self.value.split("-")))

    def __str__(self) -> str:
        parts = self.parts
        shown = str(parts[0])
        if len(parts) > 1:
            shown = f"{self.MONTHS[parts[1] - 1]} {parts[0]}"
        if len(parts) > 2:
            shown = f"{parts[2]} {shown}"
        return f"about {shown}" if self.approximate else shown

    @property
    def month(self) -> str:
        """The month heading it falls under, e.g. 'January 2022'."""
        parts = self.parts
        return f"{self.MONTHS[parts[1] - 1]} {parts[0]}" if len(parts) > 1 else str(parts[0])

    @property
    def sort_key(self) -> tuple[int, int, int]:
        parts = self.parts + (0, 0)
        return parts[0], parts[1], parts[2]


@dataclass(frozen=True)
class Citation:
    """A reference to a source, optionally to a passage (locator) in it."""

    source: str
    locator: str | None = None


@dataclass
class Record:
    """A validated record: its values, and where each value stands in its file."""

    kind: str
    id: str
    path: str
    line: int
    column: int
    data: dict
    marks: dict = field(default_factory=dict, repr=False)

    def __getitem__(self, name):
        return self.data[name]

    def __getattr__(self, name):
        # Templates read fields as attributes (record.title); Jinja tries attributes first.
        try:
            value = self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None
        return value

    def get(self, name, default=None):
        return self.data.get(name, default)

    def where(self, *path) -> tuple[str, int, int]:
        """Return (file, line, column) of a value, or of the record when unknown."""
        while path and path not in self.marks:
            path = path[:-1]
        line, column = self.marks.get(path, (self.line, self.column))
        return self.path, line, column


class Converter:
    """Converts one document's nodes, collecting problems instead of raising."""

    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Problem] = []
        self.marks: dict = {}
        self.seen: set[int] = set()
        self.prose_chars = self.cells = 0  # the file's Markdown so far, against MAX_PROSE_FILE, MAX_CELLS_FILE
        self.notes = 0  # against MAX_NOTES_FILE

    def fail(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(error(self.document.path, mark.line + 1, mark.column + 1, message))

    def visit(self, node: yaml.Node) -> bool:
        """Refuse aliases: a node met twice is an alias (and aliases make bombs)."""
        if id(node) in self.seen:
            self.fail(node, "YAML aliases (*name) are not supported: write the value out")
            return False
        self.seen.add(id(node))
        if node.tag not in PLAIN_TAGS and not node.tag.startswith("tag:yaml.org,2002:"):
            self.fail(node, f"YAML tag '{node.tag}' is not allowed: remove it")
            return False
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag not in PLAIN_TAGS | {
                "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}:
            self.fail(node, f"YAML tag '{node.tag}' is not allowed: remove it")
            return False
        return True

    # -- scalars

    def scalar(self, node: yaml.Node, name: str, what: str) -> str | None:
        if isinstance(node, yaml.MappingNode):
            self.fail(node, f"'{name}' must be {what}, not a mapping")
            return None
        if isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'{name}' must be {what}, not a list")
            return None
        if node.tag == NULL and not node.style:
            self.fail(node, f"'{name}' is empty: give {what}")
            return None
        if node.tag == BOOL and not node.style:
            self.fail(node, f"'{name}': YAML reads {node.value} as {_bool_word(node.value)}; "
                            f"put it in quotes if you mean the text '{node.value}'")
            return None
        bad = CONTROL.search(node.value)
        if bad:
            self.fail(node, f"'{name}' holds the control character U+{ord(bad.group()):04X} "
                            f"(a \\x or \\u escape?), which no page can show: remove it")
            return None
        return node.value

    def text(self, node, name, kind: schema.Text) -> str | None:
        value = self.scalar(node, name, "text")
        if value is None:
            return None
        if not value.strip():
            self.fail(node, f"'{name}' is blank: give some text or leave the field out")
            return None
        if kind.choices and value not in kind.choices:
            self.fail(node, f"'{name}' must be one of {', '.join(kind.choices)}, not '{value}'"
                            f"{did_you_mean(value, kind.choices)}")
            return None
        if kind.pattern and not re.match(kind.pattern, value):
            self.fail(node, f"'{name}' must be {kind.hint}, not '{value}'")
            return None
        return value

    def prose(self, node, name) -> Prose | None:
        value = self.scalar(node, name, "Markdown text")
        if value is None:
            return None
        if len(value) > MAX_PROSE:  # Markdown's parser takes up to 0.1 ms a character on bracket-heavy text
            self.fail(node, f"'{name}' holds {len(value):,} characters; the limit is {MAX_PROSE:,} a field: "
                            "split the text, or move it to a page of its own")
            return None
        if not self.within_file_limits(node, name, value):
            return None
        if not value.strip():
            self.fail(node, f"'{name}' is blank: give some text or leave the field out")
            return None
        return Prose(value, self.document.path, self.document.text,
                     node.start_mark.index, node.end_mark.index)

    def within_file_limits(self, node, name, value: str) -> bool:
        """Count a Markdown field against the file's limits; refuse it (once a file) past them."""
        over = self.prose_chars > MAX_PROSE_FILE or self.cells > MAX_CELLS_FILE  # refused already
        self.prose_chars += len(value)
        self.cells += table_cells(value)
        if over:
            return False
        if self.prose_chars > MAX_PROSE_FILE:
            self.fail(node, f"'{name}' brings the Markdown in this file to {self.prose_chars:,} characters; the "
                            f"limit is {MAX_PROSE_FILE:,} a file: move some records to files of their own, or "
                            "shorten the text")
        elif self.cells > MAX_CELLS_FILE:
            self.fail(node, f"'{name}' brings the table cells in this file to {self.cells:,} (columns times rows); "
                            f"the limit is {MAX_CELLS_FILE:,} a file: shorten the tables, or move some records "
                            "to files of their own")
        return self.prose_chars <= MAX_PROSE_FILE and self.cells <= MAX_CELLS_FILE

    def url(self, node, name) -> str | None:
        value = self.scalar(node, name, "a URL")
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
            self.fail(node, f"'{name}' must be an http:// or https:// address, not '{value}'")
            return None
        if name == "base_url" and not published_address(value):  # every page's address starts with it
            self.fail(node, f"'{name}' must be where the site is published, with no ?query or #fragment, "
                            f"not '{value}'")
            return None
        return value

    def boolean(self, node, name) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL or node.style:
            self.fail(node, f"'{name}' must be true or false")
            return None
        return node.value.lower() in ("true", "yes", "on")  # as YAML 1.1 (and an editor set to it) reads them

    def count(self, node, name, kind: schema.Count) -> int | None:
        # Length first: Python refuses to convert more than 4,300 digits, and no count needs them.
        if (not isinstance(node, yaml.ScalarNode) or node.tag != INT or not re.fullmatch(r"[0-9]{1,20}", node.value)
                or not kind.least <= int(node.value) <= kind.most):
            self.fail(node, f"'{name}' must be a whole number from {kind.least} to {kind.most}")
            return None
        return int(node.value)

    def ref(self, node, name, kind: schema.Ref) -> str | None:
        value = self.scalar(node, name, f"the id of {a(schema.KINDS[kind.kind].singular)}")
        if value is None:
            return None
        if not re.match(schema.SLUG, value):
            self.fail(node, f"'{name}' must be the id of {a(schema.KINDS[kind.kind].singular)} "
                            f"(a lowercase slug), not '{value}'")
            return None
        return value

    def date(self, node, name, path) -> Date | None:
        if isinstance(node, yaml.MappingNode):
            data = self.mapping(node, schema.DATE_FIELDS, path, name)
            if data is None or "date" not in data:
                return None
            written = next(value for key, value in node.value if key.value == "date")  # reported where it stands
            value = self.date_text(written, data["date"], name)
            return value and Date(value, data.get("approximate", False), data.get("note"))
        if isinstance(node, yaml.ScalarNode) and node.tag in (INT, FLOAT) and not node.style:
            self.fail(node, f"'{name}': YAML reads {node.value} as a number; write the date in "
                            f"quotes ('{node.value}') or as YYYY-MM-DD")
            return None
        value = self.scalar(node, name, "a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        value = value and self.date_text(node, value, name)
        return value and Date(value)

    def date_text(self, node, value: str, name: str) -> str | None:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            self.fail(node, f"'{name}' must be a date written YYYY-MM-DD, YYYY-MM or YYYY, not '{value}'")
            return None
        parts = [int(part) for part in value.split("-")] + [1, 1]
        try:
            datetime.date(parts[0], parts[1], parts[2])
        except ValueError:
            self.fail(node, f"'{name}': {value} is not a real date")
            return None
        return value

    # -- containers

    def value(self, node, kind, name: str, path: tuple, visited: bool = False):
        if not visited and not self.visit(node):
            return None
        self.marks[path] = interned((node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(kind, schema.Text):
            return self.text(node, name, kind)
        if isinstance(kind, schema.Markdown):
            return self.prose(node, name)
        if isinstance(kind, schema.Date):
            return self.date(node, name, path)
        if isinstance(kind, schema.Url):
            return self.url(node, name)
        if isinstance(kind, schema.Bool):
            return self.boolean(node, name)
        if isinstance(kind, schema.Count):
            return self.count(node, name, kind)
        if isinstance(kind, schema.Ref):
            return self.ref(node, name, kind)
        if isinstance(kind, schema.ListOf):
            return self.sequence(node, kind, name, path)
        if isinstance(kind, schema.Struct):
            if kind.shorthand and isinstance(node, yaml.ScalarNode):
                short = next(f for f in kind.fields if f.name == kind.shorthand)
                value = self.value(node, short.type, name, path + (kind.shorthand,), visited=True)
                data = None if value is None else {kind.shorthand: value}
            else:
                data = self.mapping(node, kind.fields, path, name)
            if data is not None and kind is schema.CITATION:
                return Citation(data["source"], data.get("locator")) if "source" in data else None
            return data
        raise TypeError(f"unknown field type {kind!r}")

    def sequence(self, node, kind: schema.ListOf, name, path) -> list | None:
        if not isinstance(node, yaml.SequenceNode):
            if isinstance(node, yaml.ScalarNode) and node.tag == NULL and not node.style:
                self.fail(node, f"'{name}' is empty: give a list or leave the field out")
            else:
                self.fail(node, f"'{name}' must be a list (items starting with '- ')")
            return None
        if len(node.value) < kind.min_items:
            self.fail(node, f"'{name}' needs at least {kind.min_items} item(s)")
        items = []
        for index, item in enumerate(node.value):
            value = self.value(item, kind.item, name, interned(path + (index,)))
            if value is not None:
                items.append(value)
        return items

    def mapping(self, node, fields, path, name="record") -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"'{name}' must be a mapping of fields (name: value)")
            return None
        by_name = {f.name: f for f in fields}
        data: dict = {}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (STR, BOOL, INT, NULL):
                self.fail(key_node, "field names must be plain words")
                continue
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark
                self.fail(key_node, f"duplicate field '{key}' (first at line {first.line + 1}); "
                                    "YAML would keep only the last: remove one")
                continue
            seen[key] = key_node
            declared = by_name.get(key)
            if declared is None:
                self.fail(key_node, f"unknown field '{key}'{did_you_mean(key, by_name)}; "
                                    f"'{name}' takes {', '.join(by_name)}")
                continue
            key = declared.name  # one string for the field in every record, not one per file
            inner = interned(path + (key,))
            self.marks[inner] = interned((key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            value = self.value(value_node, declared.type, key, inner)
            if value is not None:
                data[key] = value
        for declared in fields:
            if declared.required and declared.name not in seen:
                about = declared.doc.rstrip(".")
                self.fail(node, f"missing required field '{declared.name}'"
                                + (f" ({about[0].lower()}{about[1:]})" if about else ""))
        return data


# Every field path met, e.g. ('wordings', 0, 'text'), and every (line, column): one tuple for all the
# records that have it, not one per record (at 10,000 quotes, 25 MB less).
PATHS: dict = {}


def table_cells(markdown: str) -> int:
    """At least as many cells as markdown-it would make of the tables in this Markdown: for each line that
    could be a table's delimiter row, its columns (its bars, plus one) times its rows (the header, and each
    line up to the next blank one). A short row still gets a cell for each column."""
    if "|" not in markdown or "-" not in markdown:
        return 0
    lines = markdown.splitlines()
    cells = 0
    blank = len(lines)  # the first blank line at or after each line, found from the end
    for number in range(len(lines) - 1, 0, -1):
        line = lines[number]
        if not line.strip():
            blank = number
        elif "|" in line and TABLE_DELIMITER.fullmatch(line):
            cells += (line.count("|") + 1) * (blank - number)
    return cells


def interned(path: tuple) -> tuple:
    return PATHS.setdefault(path, path)


def published_address(url: str) -> bool:
    """True for an address pages can be published under: http(s), a host, no query, fragment or white space."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
            and "#" not in url and "?" not in url and not any(c.isspace() or not c.isprintable() for c in url))


def _bool_word(value: str) -> str:
    return "true" if value.lower() in ("yes", "y", "true", "on") else "false"


def records_of(document: Document) -> tuple[list[Record], list[Problem]]:
    """Convert one document into its records."""
    kind = schema.KINDS[document.kind]
    node = document.node
    convert = Converter(document)
    if node is None:
        return [], [error(document.path, 1, 1, f"file is empty: write a {kind.singular} "
                                               f"(see `{command()} new {kind.name} ID`)")]
    if isinstance(node, yaml.SequenceNode) and not kind.single:
        nodes = node.value
        if not nodes:
            convert.fail(node, f"the list is empty: write at least one {kind.singular}")
    else:
        nodes = [node]
    records = []
    for item in nodes:
        if not convert.visit(item):
            continue
        if not isinstance(item, yaml.MappingNode):
            what = "a mapping (one record) or a list of records" if not kind.single else "a mapping of fields"
            convert.fail(item, f"a {kind.singular} must be {what}")
            continue
        convert.marks = {}
        data = convert.mapping(item, kind.fields, (), kind.singular)
        if data is None:
            continue
        record_id = "site" if kind.single else data.get("id")
        if record_id is None:
            continue
        name = os.path.splitext(os.path.basename(document.path))[0]
        if item is node and not kind.single and record_id != name:
            # One record a file, named after its id: the name is what a contributor looks for.
            convert.fail(next(value for key, value in item.value if key.value == "id"),
                         f"the id '{record_id}' is not the file's name '{name}': rename the file "
                         f"{record_id}{os.path.splitext(document.path)[1]}, or give it the id '{name}'")
        mark = item.start_mark
        record = Record(kind.name, record_id, document.path, mark.line + 1, mark.column + 1, data, convert.marks)
        within_notes_limit(convert, item, record)
        records.append(record)
    return records, convert.problems


def walk(value, declared, path=()):
    """Yield (path, type, value) for every value in a record, following the declaration."""
    if isinstance(declared, schema.ListOf):
        for position, item in enumerate(value):
            yield from walk(item, declared.item, path + (position,))
    elif declared is schema.CITATION:
        yield path, declared, value
        yield path + ("source",), schema.Ref("sources"), value.source
    elif isinstance(declared, schema.Struct):
        for inner in declared.fields:
            if inner.name in value:
                yield from walk(value[inner.name], inner.type, path + (inner.name,))
    else:
        yield path, declared, value


def fields_of(record: Record):
    """Yield (path, type, value) for every value of a record."""
    for declared in schema.KINDS[record.kind].fields:
        if declared.name in record.data:
            yield from walk(record.data[declared.name], declared.type, (declared.name,))


def fallback_citations(record: Record, path: tuple) -> list[Citation]:
    """The citations that stand for a prose field's uncited paragraphs: the nearest `cite:`."""
    data = record.data
    nearest = data.get("cite", [])
    for step in path[:-1]:
        data = data[step]
        if isinstance(data, dict) and data.get("cite"):
            nearest = data["cite"]
    if record.kind == "quotes" and not nearest:
        nearest = [c for wording in record.data.get("wordings", []) for c in wording.get("cite", [])]
    if record.kind == "sources" and not nearest:
        nearest = [Citation(record.id)]
    return nearest


def within_notes_limit(convert: Converter, node, record: Record) -> None:
    """Count the notes the record's uncited paragraphs could take against the file's limit; past it, say
    so (once a file) and empty the record's Markdown, so that rendering it costs nothing."""
    over = convert.notes > MAX_NOTES_FILE
    for path, declared, prose in list(fields_of(record)):
        if not isinstance(declared, schema.Markdown):
            continue
        # Each statement (a paragraph, a table row) has a line of its own: at most one a line that is not blank.
        lines = sum(1 for line in prose.splitlines() if line.strip())
        convert.notes += lines * max(len(fallback_citations(record, path)), 1)
        if convert.notes > MAX_NOTES_FILE:
            holder = record.data
            for step in path[:-1]:
                holder = holder[step]
            holder[path[-1]] = Prose("", prose.path, prose.text, prose.start, prose.start)
    if convert.notes > MAX_NOTES_FILE and not over:
        convert.fail(node, f"the paragraphs of {schema.KINDS[record.kind].singular} '{record.id}' and those "
                           f"before it in this file could take {convert.notes:,} notes from cite: lists (each "
                           "paragraph without a citation of its own shows every source of its list); the limit "
                           f"is {MAX_NOTES_FILE:,} a file: cite the paragraphs inline with [@source-id], shorten "
                           "the cite: lists, or move some records to files of their own")
