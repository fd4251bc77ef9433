"""The whole pipeline, top to bottom: load, validate, link, plan, render, write."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, changed_records, current_records, inputs_key
from .data import export
from .link import link
from .load import load_file, scan
from .pages import plan
from .problems import Problem
from .render import render
from .validate import records_of
from .verify import verify
from .write import MARKER, InPlace, Staging, files_of


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    pages: int = 0
    written: int = 0
    rendered: int = 0  # pages rendered anew; the rest were unchanged since the cache's last build
    changed: list = field(default_factory=list)  # files written or removed, relative to the output
    timings: dict = field(default_factory=dict)  # stage -> seconds (build.py --timings prints them)

    def failed(self, strict: bool) -> bool:
        return any(problem.is_error or strict for problem in self.problems)


class Clock:
    """Times the stages of a run into a dict."""

    def __init__(self, timings: dict):
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.last
        self.last = now


def read_records(content: Path, cache: Cache) -> tuple[list, list[Problem], bool]:
    """Load and validate every content file, reusing what the cache holds for unchanged files.

    Also says whether any file was added, removed or changed since the cache's last read.
    """
    files, problems = scan(content)
    records: list = []
    kept: dict = {}
    touched = len(files) != len(cache.files)
    for kind, path, key in files:
        earlier = cache.files.get(path)
        if earlier is not None and earlier[0] == key:
            found_records, found = earlier[1], earlier[2]
        else:
            touched = True
            document, found = load_file(kind, Path(path))
            found_records = []
            if document is not None:
                found_records, more = records_of(document)
                found = found + more
        kept[path] = (key, found_records, found)
        records += found_records
        problems += found
    cache.files = kept
    return records, problems, touched


def run(content: Path, templates: Path, assets: Path, out: Path | None, *,
        base_url: str | None = None, archive: Path | None = None, strict: bool = False,
        cache: Cache | None = None, search: bool = True, workers: int | None = None) -> Result:
    """Check the content and, when `out` is given and all is well, write the site there.

    With a cache kept from an earlier run (as `serve` keeps one), only what changed is redone;
    the site written is the same as a fresh build's. `search=False` leaves the search index to
    the caller (`serve` indexes in the background); `workers` is how many processes render
    (default: one per core).
    """
    remember = cache is not None
    cache = cache or Cache()
    result = Result()
    clock = Clock(result.timings)
    records, problems, touched = read_records(content, cache)
    clock("load and validate")
    inputs = (content.absolute(), out and out.absolute(), base_url, strict, search,
              inputs_key(templates, assets, *([archive] if archive else [])))
    if not touched and cache.last is not None and cache.last[0] == inputs and (out is None or (out / MARKER).is_file()):
        earlier = cache.last[1]  # nothing changed since the last good build: it stands
        return Result(problems=list(earlier.problems), records=earlier.records, pages=earlier.pages,
                      timings=result.timings)
    cache.last = None
    result.records = len(records)
    site, found = link(records, cache)
    clock("link")
    problems += found
    result.problems = problems
    if site is None or result.failed(strict):
        return result
    if archive is not None:
        result.problems += verify(site, archive)
    pages, found = plan(site, base_url)
    clock("plan")
    result.problems += found
    result.pages = sum(1 for page in pages if page.template.endswith(".html"))
    if out is None or result.failed(strict):
        return result
    out = out.absolute()
    layout = inputs_key(templates)
    now = current_records(site.records)
    fresh = cache.out != out or cache.templates != layout or not (out / MARKER).is_file()
    changed = None if fresh else changed_records(cache.records, now)
    writer = Staging(out) if fresh else InPlace(out)
    result.problems += writer.begin()
    if result.failed(strict):
        return result
    try:
        memos, found, result.rendered = render(site, pages, templates, cache, changed, writer.page,
                                               remember=remember, workers=workers or os.cpu_count() or 1)
        clock("render and write pages")
        result.problems += found
        data, rows = export(site, changed, cache.data)
        for name, text in data.items():
            if changed is None or cache.data_texts.get(name) != text:
                writer.page(name, text)
        clock("open data")
        if result.failed(strict):
            return result
        current = {page.output for page in pages} | set(data) | {f"assets/{name}" for name, _ in files_of(assets)}
        if fresh:
            result.problems += writer.finish(assets, search)
            result.changed = sorted(current)
        else:
            result.problems += writer.finish(assets, current, cache.written, search)
            result.changed = writer.changed
    finally:
        if fresh:
            writer.discard()
    clock("search index and swap" if fresh else "write")
    result.written = len(result.changed)
    if not result.failed(strict):  # what the next run may take as written
        cache.records, cache.pages, cache.templates, cache.out, cache.data = now, memos, layout, out, rows
        cache.data_texts = data
        cache.written = current
        cache.last = (inputs, result)
    return result
