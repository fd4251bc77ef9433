"""The search index, as the search page loads it: which records a reader can find, titled and filtered how.

The index is read back from the built site (`pagefind/fragment/*`), so these tests see what a search
returns, whatever builds it. A failing Pagefind is a build problem, and the last good site stays.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
from pathlib import Path

import pytest

from conftest import ROOT
from stances.search import FOLDER


def records(site: Path) -> list[dict]:
    """Every search record of a built site."""
    found = []
    for path in sorted((site / FOLDER / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def by_url(site: Path) -> dict[str, list[dict]]:
    """Every search record of a built site, by the URL it leads to."""
    found: dict[str, list[dict]] = {}
    for record in records(site):
        found.setdefault(record["url"], []).append(record)
    return found


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    from conftest import FIXTURES, run_build
    import shutil

    folder = tmp_path_factory.mktemp("golden")
    shutil.copytree(FIXTURES / "golden" / "content", folder / "content")
    done = run_build("--content", "content", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


def the(found: dict, url: str) -> dict:
    [record] = found[url]
    return record


def test_a_quote_is_one_record_on_its_own_page_filtered_by_its_speakers_side(golden):
    found = by_url(golden / "site")
    quote = the(found, "/quotes/lee-dam/")
    assert quote["meta"]["title"].startswith("Ann Lee: “The dam will prevent floods")
    page = (golden / "site" / "quotes" / "lee-dam" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{html.escape(quote['meta']['title'], quote=False)} · " in page  # titled as its page
    assert quote["filters"] == {"kind": ["Quotes"], "speaker": ["Ann Lee"], "side": ["Upton"], "topic": ["The dam"]}
    for words in ("prevent floods in every spring", "stop the floods of every spring",  # both wordings
                  "Upton town hall", "council meeting", "Said before the council voted"):
        assert words in quote["content"]
    assert "[@" not in quote["content"] and "<" not in quote["content"]  # prose as words, without its citations
    # Her page lists the quote, word for word, but only the quote's own page is found by its words.
    assert "prevent floods" not in the(found, "/people/ann-lee/")["content"]
    assert [url for url, found_here in found.items()
            if any("prevent floods in every spring" in record["content"] for record in found_here)] \
        == ["/quotes/lee-dam/"]


def test_positions_proposals_answers_and_events_lead_to_their_sections_titled_by_what_they_are(golden):
    found = by_url(golden / "site")
    position = the(found, "/topics/the-dam/#position-downton-dam")
    assert position["meta"]["title"] == "Downton's position on The dam"
    assert position["filters"] == {"kind": ["Topics and positions"], "speaker": ["Bo Brown"], "side": ["Downton"],
                                   "topic": ["The dam"]}
    assert "dry its fields" in position["content"] and "Brown repeated this" in position["content"]
    topic = the(found, "/topics/the-dam/")
    assert "side" not in topic["filters"]  # no one speaks the topic's summary: it is on no side
    proposal = the(found, "/proposals/#shared-gauge")  # with the answers to it, shown in its section
    assert proposal["meta"]["title"] == "Downton's proposal: A shared water gauge"
    assert proposal["filters"] == {"kind": ["Proposals"], "speaker": ["Ann Lee"], "side": ["Downton", "Upton"],
                                   "topic": ["Sharing the water"]}
    assert "both towns can read" in proposal["content"] and "would consider it" in proposal["content"]
    assert any(url.startswith("/timeline/#") and record["filters"]["kind"] == ["Timeline"]
               for url, found_here in found.items() for record in found_here)


def test_every_record_leads_to_a_page_and_a_place_on_it_that_exist(golden):
    site = golden / "site"
    found = by_url(site)
    assert len(found) >= 20
    for url in found:
        path, _, anchor = url.partition("#")
        page = site / path.lstrip("/") / "index.html"
        assert page.is_file(), url
        if anchor:
            assert f'id="{anchor}"' in page.read_text(encoding="utf-8"), url
    assert not any("/page/" in url for url in found)  # a list's later pages are not searched
    assert "/about/" not in found and "/" not in found


def test_no_search_documents_are_kept_and_no_page_carries_search_markup(golden):
    assert not list(golden.rglob("*search-documents*"))
    for page in (golden / "site").rglob("*.html"):
        assert "data-pagefind" not in page.read_text(encoding="utf-8"), page


def test_the_index_is_the_same_bytes_build_after_build(golden, build, tmp_path):
    import shutil

    shutil.copytree(golden / "content", tmp_path / "content")
    assert build("--content", "content", cwd=tmp_path).returncode == 0
    ours = {p.relative_to(golden / "site").as_posix(): p.read_bytes() for p in (golden / "site" / FOLDER).rglob("*")
            if p.is_file()}
    again = {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site" / FOLDER).rglob("*")
             if p.is_file()}
    assert ours == again


@pytest.mark.parametrize("script, said", [
    ("echo 'pagefind: no space left on device' >&2; exit 3",
     r"search index: pagefind stopped \(exit status 3\): pagefind: no space left on device"),
    ("printf 'bm90IGpzb24=,'; sleep 5",  # answers with base64 that is not JSON
     r"search index: pagefind answered something this client cannot read"),
])
def test_a_failing_pagefind_is_a_build_error_and_the_last_good_site_stays(golden_tree, build, tmp_path, script,
                                                                         said):
    assert build("--content", "content", cwd=golden_tree).returncode == 0
    before = (golden_tree / "site" / "index.html").read_bytes()
    fake = tmp_path / "pagefind"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    (golden_tree / "content" / "site.yml").write_text(
        (golden_tree / "content" / "site.yml").read_text().replace("title: The river dispute", "title: Changed"))
    env = dict(os.environ, PAGEFIND_BINARY_PATH=str(fake), PYTHONPATH=str(ROOT), GITHUB_ACTIONS="")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", "content"], cwd=golden_tree,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert re.search(r"^site:1:1: error: " + said, done.stderr, re.M), done.stderr
    assert "Traceback" not in done.stderr
    assert (golden_tree / "site" / "index.html").read_bytes() == before
    assert not [path.name for path in golden_tree.iterdir() if path.name.startswith(".site.")]
