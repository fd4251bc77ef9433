"""Verify quotes and locator excerpts against the archived texts of the sources they cite."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .link import Site, fields_of
from .load import read_text, shown_path
from .problems import Problem, error, warning
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


def pattern_of(quote: str) -> re.Pattern:
    """A pattern for a quote: an ellipsis stands for omitted words, [brackets] for an insertion."""
    pieces = []
    for index, part in enumerate(ELLIPSIS.split(fold(quote))):
        if index:
            pieces.append(r"[\s\S]{0,2000}?")
        chunks = INSERTION.split(part)
        pieces.append(r"[^.]{0,80}?".join(re.escape(chunk) for chunk in chunks))
    return re.compile("".join(pieces))


def closest(quote: str, text: str) -> str:
    """The passage of the text most like the quote, for the error message."""
    needle = fold(INSERTION.sub("", ELLIPSIS.sub(" ", quote)))
    matcher = difflib.SequenceMatcher(None, text, needle, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(needle))
    start = max(0, match.a - match.b)
    end = start + len(needle) + 10
    # Whole words: back to the start of the first, on to the end of the last.
    while 0 < start and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end].strip()
    return passage if len(passage) < 160 else passage[:157].rsplit(" ", 1)[0] + " …"


def matches(quote: str, text: str) -> bool:
    """True if the quote stands in the (folded) text."""
    return pattern_of(quote).search(text) is not None


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
        text, found = read_text(path, shown_path(path))
        problems += found
        texts[source.id] = fold(text) if text is not None else None
    for record, path, source_id, excerpt, what in excerpts(site):
        text = texts.get(source_id)
        if text is None or matches(excerpt, text):
            continue
        shown = excerpt if len(excerpt) < 80 else excerpt[:77] + "…"
        owner = f"{schema.KINDS[record.kind].singular} '{record.id}'"
        subject = f"quote '{record.id}'" if what == "quote" else f"locator of {owner}"
        problems.append(error(*record.where(*path),
                              f"{subject} is not verbatim in source '{source_id}': \"{shown}\"; "
                              f"closest passage: \"{closest(excerpt, text)}\""))
    return problems
