"""Hostile content, generated: the build never raises, exits 0 or 1, and when it succeeds every output parses.

Runs in this process (`stances.cli.main`, as `python build.py` calls it), with a bounded number of
examples, so that the harness stays a few tens of seconds on a loaded machine.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from stances.cli import main
from test_property import base_tree, to_yaml, values

BASE = FIXTURES / "errors" / "base"
LINE = re.compile(r"(?:[^\n]+:\d+:\d+: )?(?:error|warning): [^\n]*|failed: [^\n]*|not checked: [^\n]*")
# Pieces that have broken one format or another somewhere: formulas, markup of every kind, entities a
# Markdown parser decodes, line and paragraph separators, bidirectional overrides, YAML's own syntax.
HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "]]>", "<!--", "-->", "</script>",
           "<script>alert(1)</script>", "&#12;", "&#xFFFE;", "&#0;", "&#x1F;", "&amp;", "\u2028", "\u2029",
           "\u202e", "\ufeff", "\x85", "\x7f", "\x00", "\ud7ff", "\U0010ffff", "[@paper]", "[@nope]", "[@",
           "[x](//evil.example/)", "[x](javascript:alert(1))", "<https://x.example/>", "\\", '"', "'", "{{ 1 }}",
           "{% raw %}", "e … e … e", "[sic]", "\n\n", "# h", "| a | b |\n|---|---|\n| 1 | 2 |", "---", "...",
           "%0A::error::x", ": ", " #", "&", "*", "`"]
strings = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), min_size=1, max_size=6).map("".join)
# Text and Markdown fields of the base tree: (file, field, is Markdown).
FIELDS = [("site.yml", "title", False), ("site.yml", "description", False), ("site.yml", "intro", True),
          ("sources/paper.yml", "outlet", False), ("sources/paper.yml", "headline", False),
          ("actors/sides.yml", "name", False), ("people/pat.yml", "name", False),
          ("topics/border.yml", "title", False), ("topics/border.yml", "summary", True),
          ("quotes/pat-no.yml", "text", False), ("quotes/pat-no.yml", "place", False)]


class Balanced(HTMLParser):
    """Checks that every element that is opened is closed, in order (void elements aside)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.faults: list[str] = []
        self.scripts: list[str] = []
        self.in_ld = False

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)
        self.in_ld = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.faults.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()
        self.in_ld = False

    def handle_data(self, data):
        if self.in_ld:
            self.scripts.append(data)


def assert_well_formed(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.lower().startswith("<!doctype html>"), page
        assert not re.search("[\x00-\x08\x0b\x0e-\x1f\x7f]", text), page
        parser = Balanced()
        parser.feed(text)
        parser.close()
        assert parser.faults == [] and parser.open == [], (page, parser.faults, parser.open)
        for script in parser.scripts:
            json.loads(script)
    for name in ("feed.xml", "sitemap.xml"):
        ElementTree.parse(site / name)
    for data in (site / "data").glob("*.json"):
        json.loads(data.read_text(encoding="utf-8"))
    for table in (site / "data").glob("*.csv"):
        rows = list(csv.reader(table.open(newline="", encoding="utf-8")))
        assert all(len(row) == len(rows[0]) for row in rows), table
        assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], table


def build(files: dict[str, str]) -> None:
    """Build a copy of the base tree with these files written over it; assert what any build must hold."""
    with base_tree(files) as tree:
        said = io.StringIO()
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            status = main(["build", "--content", str(tree / "content"), "--out", str(tree / "site"), "--no-search",
                           "--workers", "1", "--templates", str(ROOT / "templates"), "--assets", str(ROOT / "assets"),
                           "-q"])
        assert status in (0, 1), status
        for line in said.getvalue().splitlines():
            assert LINE.fullmatch(line), line
        if status == 0:
            assert_well_formed(tree / "site")
        else:
            assert said.getvalue().splitlines()[-1].startswith("failed: ")


def with_value(name: str, field: str, value: str) -> dict[str, str]:
    """A base file with one field's value replaced, written as YAML's double-quoted (escaped) text."""
    text = (BASE / "content" / name).read_text(encoding="utf-8")
    quoted = json.dumps(value, ensure_ascii=False)  # control characters as \u escapes, which YAML reads too
    pattern = re.compile(rf"(?m)^(\s*(?:- )?){re.escape(field)}: .*$")
    if pattern.search(text):
        text = pattern.sub(lambda found: f"{found.group(1)}{field}: {quoted}", text, count=1)
    else:
        text += f"{field}: {quoted}\n"
    return {name: text}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIELDS), strings)
def test_hostile_strings_in_any_field(where, value):
    name, field, markdown = where
    build(with_value(name, field, value + (" [@paper]" if markdown else "")))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["topics/border.yml", "quotes/pat-no.yml", "sources/paper.yml", "site.yml",
                        "events/e.yml", "pages/p.yml"]), values)
def test_hostile_yaml_trees(name, value):
    build({name: to_yaml(value)})
