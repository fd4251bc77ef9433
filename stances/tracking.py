"""Tracking: which records a page's render reads, and which fields the plan reads.

A rebuild needs both: a page is rendered again only if a record it read changed, and the
plan is made again only if a field it read changed. Record lookups report here (`noticed`);
nothing is collected unless a rebuild asked for it by setting `reading` or `planning`, so a
one-off build pays one context-variable look-up per field read. Standard library only.
"""

from __future__ import annotations

from contextvars import ContextVar

# The (kind, id) of the records a page's template reads while it renders.
reading: ContextVar[set | None] = ContextVar("reading", default=None)
# The (kind, id, field) the plan reads: an edit to none of them leaves the last plan standing.
planning: ContextVar[set | None] = ContextVar("planning", default=None)


def noticed(record, name: str) -> None:
    """Note that the page being rendered reads this record, or that the plan reads this field."""
    reads = reading.get()
    if reads is not None:
        reads.add((record.kind, record.id))
    fields = planning.get()
    if fields is not None:
        fields.add((record.kind, record.id, name))
