"""Verify quotes and locator excerpts against the archived texts of the sources they cite."""

from __future__ import annotations

import re
from pathlib import Path

from .link import Site
from .load import read_text, shown_path
from .problems import Problem, error, warning
from .validate import fields_of
from . import schema

FOLDS = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ",
})
ELLIPSIS = re.compile(r"\s*(?:\u2026|\.\.\.)\s*")
INSERTION = re.compile(r"\[[^\]]*\]")


def fold(text: str) -> str:
    """Fold typographic quote marks and dashes to plain ones, and runs of white space to one space."""
    text = text.translate(FOLDS)
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


OMITTED = 2000  # characters an ellipsis may stand for
INSERTED = 80  # characters [an insertion] may stand in for, within one sentence (no full stop)


def pieces_of(quote: str) -> list[tuple[str, int, bool]]:
    """The quote as its verbatim pieces, each with how far it may stand from the piece before and whether
    that gap may cross a full stop: an ellipsis stands for omitted words, [brackets] for an insertion."""
    pieces = []
    for index, part in enumerate(ELLIPSIS.split(fold(quote))):
        for number, chunk in enumerate(INSERTION.split(part)):
            pieces.append((chunk, OMITTED if index and not number else INSERTED if number else 0, number == 0))
    return pieces


ARCHIVE_BYTES = 1024 * 1024  # an archived article; a larger file is refused, so a check stays quick
STEPS = 200_000  # places a quote's pieces are found at, at most, before a check gives up (see TooVague)


class TooVague(Exception):
    """A quote whose short pieces stand in too many places to check in bounded time."""


def matches(quote: str, text: str) -> bool:
    """True if the quote stands in the (folded) text.

    No pattern that backtracks: each piece is looked for only within reach of where the one before may
    end, and those places are kept as intervals, each grown with one backward scan (str.rfind) to the
    last place within reach, not place by place. So each piece costs about one scan of the text; a
    quote whose pieces stand in more than STEPS separate places raises TooVague.
    """
    pieces = pieces_of(quote)
    reach = [(0, len(text))]  # where the next piece may start: disjoint intervals, inclusive, in order
    steps = 0
    for number, (chunk, _, _) in enumerate(pieces):
        if number + 1 == len(pieces):
            return any(text.find(chunk, first, last + len(chunk)) >= 0 for first, last in reach)
        _, gap, stops = pieces[number + 1]

        def furthest(end: int) -> int:
            """How far on the next piece may start, after this one ends at `end`."""
            limit = min(end + gap, len(text))
            if not stops:
                dot = text.find(".", end, limit)
                limit = limit if dot < 0 else dot
            return limit

        ahead: list = []
        for first, last in reach:
            if not chunk:  # it ends wherever it may start: on from each interval's last place
                if ahead and first <= ahead[-1][1] + 1:
                    ahead[-1] = (ahead[-1][0], max(ahead[-1][1], furthest(last)))
                else:
                    ahead.append((first, furthest(last)))
                continue
            at = text.find(chunk, first, last + len(chunk))
            while at >= 0:
                low = at + len(chunk)
                high = furthest(low)
                while True:  # take in every later place whose reach joins this interval's
                    later = text.rfind(chunk, at + 1, min(last, high + 1 - len(chunk)) + len(chunk))
                    if later < 0:
                        break
                    at, high = later, max(high, furthest(later + len(chunk)))
                    steps += 1
                steps += 1
                if steps > STEPS:
                    raise TooVague
                if ahead and low <= ahead[-1][1] + 1:
                    ahead[-1] = (ahead[-1][0], max(ahead[-1][1], high))
                else:
                    ahead.append((low, high))
                at = text.find(chunk, at + 1, last + len(chunk))
        if not ahead:
            return False
        reach = ahead
    return True  # an empty quote


def closest(quote: str, text: str) -> str:
    """The passage of the text most like the quote, for the error message: where the longest run of the
    quote's words, from the start of one of its first words, stands in the text. Each look is one scan
    of the text (str.find), never a comparison of every character with every other."""
    needle = fold(INSERTION.sub("", ELLIPSIS.sub(" ", quote)))
    best, start = 0, 0
    for word in [0] + [found.end() for found in re.finditer(r"\s+", needle)][:24]:
        if needle.find(" ", word) < 0 and best:
            break
        if best and text.find(needle[word: word + best + 1]) < 0:
            continue  # not even one character longer than the best so far
        low, high = best, len(needle) - word  # the longest prefix of needle[word:] that the text holds
        while low < high:
            middle = (low + high + 1) // 2
            if text.find(needle[word: word + middle]) >= 0:
                low = middle
            else:
                high = middle - 1
        if low > best:
            best, start = low, max(0, text.find(needle[word: word + low]) - word)
    end = start + len(needle) + 10
    # Whole words: back to the start of the first, on to the end of the last.
    while 0 < start and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end].strip()
    return passage if len(passage) < 160 else passage[:157].rsplit(" ", 1)[0] + " …"


def excerpts(site: Site):
    """Yield (record, path, source id, excerpt, what) for every quote wording and locator."""
    for kind in ("quotes", "positions", "proposals", "events", "topics", "people", "actors", "pages", "site"):
        for record in site.all(kind):
            for path, declared, value in fields_of(record):
                if declared is schema.CITATION and value.locator:
                    yield record, path + ("locator",), value.source, value.locator, "locator"
                elif isinstance(declared, schema.Markdown):
                    for cited in getattr(value, "cited", []):
                        if cited.locator:
                            yield record, path, cited.source, cited.locator, "locator"
            if kind == "quotes":
                for position, wording in enumerate(record.get("wordings", [])):
                    for citation in wording.get("cite", []):
                        yield record, ("wordings", position, "text"), citation.source, wording["text"], "quote"


def verify(site: Site, archive: Path) -> list[Problem]:
    """Check every quote and locator against the archived text of each source it cites."""
    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    if not archive.is_dir():
        return [error(shown_path(archive), 1, 1, "archive folder not found")]
    for source in site.all("sources"):
        name = source.get("archive")
        if not name:
            problems.append(warning(*source.where("id"),
                                    f"source '{source.id}' has no archive file, so its quotes are not checked"))
            texts[source.id] = None
            continue
        path = archive / name
        if not path.is_file():
            problems.append(error(*source.where("archive"), f"archived text '{name}' not found in {archive}"))
            texts[source.id] = None
            continue
        text, found = read_text(path, shown_path(path), ARCHIVE_BYTES)
        problems += found
        texts[source.id] = fold(text) if text is not None else None
    for record, path, source_id, excerpt, what in excerpts(site):
        text = texts.get(source_id)
        shown = excerpt if len(excerpt) < 80 else excerpt[:77] + "…"
        owner = f"{schema.KINDS[record.kind].singular} '{record.id}'"
        subject = f"quote '{record.id}'" if what == "quote" else f"locator of {owner}"
        try:
            if text is None or matches(excerpt, text):
                continue
        except TooVague:
            problems.append(error(*record.where(*path),
                                  f"{subject} cannot be checked against source '{source_id}': its pieces between "
                                  f"ellipses and [insertions] are too short, and stand in too many places: "
                                  f"\"{shown}\"; quote more of the words around them"))
            continue
        problems.append(error(*record.where(*path),
                              f"{subject} is not verbatim in source '{source_id}': \"{shown}\"; "
                              f"closest passage: \"{closest(excerpt, text)}\""))
    return problems
