"""Tracking: the view of the records through which a rebuild's plan and render are watched.

A rebuild needs to know which fields the plan reads (an edit to none of them leaves the last plan
standing) and which records each page's render reads (a page is rendered again only if one of them
changed). The rebuild layer (rebuild.py) hands plan and render the site with each record behind a
`View`, which notes every field read into the `Reads` it shares with the others, and reads the
record's values. A `validate.Record` is plain data and knows nothing of this: a one-off build plans
and renders the records themselves, and pays nothing. Standard library only.
"""

from __future__ import annotations


class Reads:
    """Where the views of one site note what is read, while someone collects it (else None)."""

    __slots__ = ("fields", "records")

    def __init__(self):
        self.fields: set | None = None  # (kind, id, field) the plan reads
        self.records: set | None = None  # (kind, id) of the records the page being rendered reads

    def apart(self, work):
        """Run work() with its reads collected apart from the current ones: (its result, what it read)."""
        outer, self.records = self.records, set()
        try:
            return work(), frozenset(self.records)
        finally:
            self.records = outer

    def add(self, records) -> None:
        """Count these (kind, id) as read by whatever is collecting now, if anything is."""
        if self.records is not None:
            self.records.update(records)


class View:
    """A record as a rebuild's plan and render read it: its values, every field read noted in `reads`.

    It reads as a validate.Record does (record["field"], record.get, record.field, kind, id, where); a
    view stands for its (kind, id), so a plan holding it sees the record it is pointed at now."""

    __slots__ = ("record", "reads", "key")

    def __init__(self, record, reads: Reads):
        self.record = record
        self.reads = reads
        self.key = (record.kind, record.id)

    def noted(self, name: str) -> None:
        reads = self.reads
        if reads.records is not None:
            reads.records.add(self.key)
        if reads.fields is not None:
            reads.fields.add((*self.key, name))

    def __getitem__(self, name):
        self.noted(name)
        return self.record.data[name]

    def get(self, name, default=None):
        self.noted(name)
        return self.record.data.get(name, default)

    def __getattr__(self, name):  # a field read as an attribute (record.title), as a Record allows
        if name in View.__slots__:  # not set yet (a copy being made): no field stands in for it
            raise AttributeError(name)
        try:
            value = self.record.data[name]
        except KeyError:
            raise AttributeError(name) from None
        self.noted(name)
        return value

    # What says which record it is and where it stands is no field: reading it is not noted.
    kind = property(lambda self: self.record.kind)
    id = property(lambda self: self.record.id)
    path = property(lambda self: self.record.path)
    line = property(lambda self: self.record.line)
    column = property(lambda self: self.record.column)
    data = property(lambda self: self.record.data)
    marks = property(lambda self: self.record.marks)

    def where(self, *path) -> tuple[str, int, int]:
        return self.record.where(*path)

    def __eq__(self, other):
        return self.record == (other.record if type(other) is View else other)

    __hash__ = None  # as a Record's

    def __repr__(self) -> str:
        return f"View({self.record!r})"
