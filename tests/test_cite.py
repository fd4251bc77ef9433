"""The citation plugin, by fixture file in markdown-it-py's style (name, input, expected)."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES
from stances.cite import PLACEHOLDER, Notes, make_markdown, render_prose
from stances.validate import Citation


def read_fixtures(path):
    """Parse 'name / . / input / . / expected / .' blocks."""
    blocks = path.read_text(encoding="utf-8").split("\n.\n\n")
    for block in blocks:
        name, rest = block.split("\n.\n", 1)
        source, expected = rest.split("\n.\n", 1)
        yield pytest.param(source + "\n", expected.removesuffix("\n.\n").rstrip("\n.") + "\n", id=name)


def readable(html: str, notes: Notes, fallback_key: int | None) -> str:
    def show(match):
        key = int(match.group(1))
        if key == fallback_key:
            return "[fallback]"
        source, locator = notes.keys[key]
        return f"[{source}{' | ' + locator if locator else ''}]"
    return PLACEHOLDER.sub(show, html)


@pytest.mark.parametrize("source, expected", list(read_fixtures(FIXTURES / "cite.md")))
def test_citation_fixture(source, expected):
    notes = Notes()
    fallback_key = int(re.search(r"\d+", notes.mark("fallback", None)).group())
    html, env = render_prose(make_markdown(), source, notes, [Citation("fallback")])
    assert readable(html, notes, fallback_key) == expected


def test_uncited_paragraph_without_fallback_is_reported_with_its_line():
    html, env = render_prose(make_markdown(), "First [@a].\n\nSecond.\n", Notes(), [])
    assert env["uncited"] == [3]
    assert [(c.source, c.line) for c in env["citations"]] == [("a", 1)]


def test_refused_links_are_reported_with_their_lines_however_written():
    text = ("A [x](javascript:alert(1)) [@a].\n\nB <vbscript:x> and [y] [@a].\n\n"
            "C [z](//evil.example/) and [ok](https://x.example/) [@a].\n\n[y]: data:text/html,x\n")
    html, env = render_prose(make_markdown(), text, Notes(), [])
    assert env["refused"] == [(1, "javascript:alert(1)"), (3, "vbscript:x"), (3, "data:text/html,x"),
                              (5, "//evil.example/")]
    assert re.findall(r"<a [^>]*>", html) == ['<a href="https://x.example/" rel="noopener noreferrer">']
    assert "<p>A x<sup" in html and "C z and" in html  # each refused link's text stays, as text


def test_notes_keep_one_key_per_source_and_locator():
    notes = Notes()
    first = notes.mark("a", None)
    assert notes.mark("a", None) == first
    assert notes.mark("a", "p. 2") != first
