"""The whole pipeline, top to bottom: load, validate, link, plan, render, write."""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import Cache, DataLater, LastBuild, LastPlan, changed_records, current_records, inputs_key
from .tracking import planning
from .data import export
from .link import Site, link, unchecked
from .files import apart, inputs_of
from .load import shown_path
from . import search as searching
from .pages import placeholder_base, plan
from .problems import Problem, failure, warning
from .progress import Silent
from .rebuild import Reuse, last_plan, read_records, render_again, unreadable
from .render import render_once
from .validate import published_address
from .verify import verify
from .write import MARKER, InPlace, Staging, files_of, replace_files, sweep


@dataclass(frozen=True)
class BuildOptions:
    """What a build reads, and the options that shape what it writes: the command line's, in short."""

    content: Path
    templates: Path | tuple  # a folder, or folders laid over one another (files.layers)
    assets: Path | tuple
    archive: Path | None = None  # the articles quotes are checked against
    base_url: str | None = None  # where the site is published; else site.yml's
    strict: bool = False  # warnings count as errors
    search: bool = True  # index search in the build; False leaves it to the caller (`serve`)
    workers: int | None = None  # processes that read and render; None: one per core


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    pages: int = 0
    written: int = 0
    unchecked: int = 0  # references into files that could not be read, left unchecked
    rendered: int = 0  # pages rendered anew; the rest were unchanged since the cache's last build
    changed: list = field(default_factory=list)  # files written or removed, relative to the output
    timings: dict = field(default_factory=dict)  # stage -> seconds (build.py --timings prints them)
    search_memory: int | None = None  # Pagefind's peak, in bytes, where the system says
    searchable: tuple | None = None  # (site, pages) of a build that left its search index to the caller

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


NO_MARKS: dict = {}


def run(options: BuildOptions, out: Path | None, *, cache: Cache | None = None, changed_paths: set | None = None,
        data_later: bool = False, progress: Silent | None = None) -> Result:
    """Check the content and, when `out` is given and all is well, write the site there.

    With a cache kept from an earlier run (as `serve` keeps one), only what changed is redone;
    the site written is the same as a fresh build's. `changed_paths`, from a file watcher, spares a rebuild from looking
    at every content file: only those paths are looked at again. `data_later`: a rebuild in place
    leaves the open-data files to `write_later(cache)`, so the pages show first (`serve` writes
    them right after); the next run writes them first if no one has. `progress` is told each stage
    and each page written (see progress.py).
    """
    options = replace(options, workers=options.workers or os.cpu_count() or 1)
    content, templates, assets, archive = options.content, options.templates, options.assets, options.archive
    base_url, strict, search, workers = options.base_url, options.strict, options.search, options.workers
    remember = cache is not None
    cache = cache or Cache()
    result = Result()
    if out is not None:
        result.problems = [failure(why) for why in apart(out, inputs_of(content, templates, assets, archive))]
    if base_url is not None and not published_address(base_url):
        result.problems.append(failure(f"--base-url must be where the site is published: an http:// or https:// "
                                       f"address with no ?query or #fragment, such as https://example.org/explainer/, "
                                       f"not '{base_url}'"))
    if result.problems:
        return result
    if out is not None:
        sweep(out)  # what builds that were killed left behind, before anything else
    clock = Clock(result.timings)
    progress = progress or Silent()
    progress.stage("reading content")
    result.problems += write_later(cache)
    records, problems, touched = read_records(content, cache, changed_paths, workers)
    problems = result.problems + problems
    clock("load and validate")
    layout = inputs_key(templates)
    inputs = (content.absolute(), out and out.absolute(), base_url, strict, search,
              layout, inputs_key(assets, *([archive] if archive else [])))
    standing = cache.last is not None and cache.last.inputs == inputs and (out is None or (out / MARKER).is_file())
    if not touched and standing:
        earlier = cache.last.result  # nothing changed since the last good build: it stands
        return Result(problems=list(earlier.problems), records=earlier.records, pages=earlier.pages,
                      timings=result.timings, searchable=earlier.searchable)
    cache.last = None
    result.records = len(records)
    progress.stage("linking")
    site, found = link(records, cache, workers, in_place=not remember)
    clock("link")
    found, result.unchecked = unchecked(found, unreadable(cache))
    problems += found
    result.problems = problems
    if site is None:
        return result
    if archive is not None:  # reads only sources and the quotes' wordings: it runs whatever else failed
        progress.stage("checking quotes against the archive")
        result.problems += verify(site, archive)
    if result.failed(strict):
        result.problems += plan_anyway(site, base_url)
        return result
    if not remember:
        # Nothing is kept for a next build: the plan and the render workers make their objects in the
        # memory only a rebuild would reuse (49 MB at 10,000 quotes).
        records = None
        cache.let_go_of_reading()
    relinked = cache.relinked if cache.records else None
    if relinked is not None:  # only these changed since the last good build: patch its records
        now = dict(cache.records)
        now.update((key, site.records[key[0]][key[1]]) for key in relinked)
    else:
        now = current_records(site.records)
    if out is not None:
        out = out.absolute()
        new_folder = cache.out != out or cache.templates != layout or not (out / MARKER).is_file()
    changed = None if out is None or new_folder else changed_records(cache.records, now, relinked)
    if out is not None:
        result.problems += placeholder_base(site, base_url)
    pages = last_plan(cache, site, now, changed, base_url, relinked)
    same_plan = pages is not None
    if pages is None:
        progress.stage("planning pages")
        fields: set = set()
        token = planning.set(fields if remember else None)  # which fields the plan read: for a next build
        try:
            pages, found = plan(site, base_url)
        finally:
            planning.reset(token)
        result.problems += found
        if not remember:
            # Past the plan, nothing is reported at a record's place: the render workers need not
            # inherit where every value stands (9 MB at 10,000 quotes).
            for record in now.values():
                record.marks = NO_MARKS
        order = {kind: list(ids) for kind, ids in site.records.items()}
    clock("plan")
    result.pages = cache.plan.html_pages if same_plan else sum(1 for page in pages if page.template.endswith(".html"))
    if out is None or result.failed(strict):
        return result
    try:
        write_site(result, Planned(site, pages, now, changed, new_folder, same_plan, layout, out), options, cache,
                   remember, data_later and not new_folder, clock, progress)
    finally:
        if same_plan and result.failed(strict):
            cache.out = None  # records were brought up to date in place: the next build starts afresh
    if not result.failed(strict):
        if not same_plan:
            cache.plan = LastPlan(pages, fields, base_url, order, result.pages)
        cache.last = LastBuild(inputs, result)
    if remember:
        # What the cache holds lives until the next rebuild: keep the collector from walking it
        # on every rebuild (at 10,000 quotes a full collection alone took longer than an edit).
        gc.freeze()
    return result


@dataclass
class Planned:
    """A site planned and ready to write, as write_site takes it."""

    site: Site
    pages: list
    now: dict  # (kind, id) -> the record this build holds
    changed: set | None  # (kind, id) changed since the cache's last build; None: all of them
    new_folder: bool  # a new folder is written and swapped in; else the last site is brought up to date in place
    same_plan: bool  # the pages are the last build's plan
    layout: tuple  # the templates' key (cache.inputs_key)
    out: Path


def write_site(result: Result, planned: Planned, options: BuildOptions, cache: Cache, remember: bool,
               data_later: bool, clock: Clock, progress: Silent) -> None:
    """Render, export and write; on success, remember in the cache what was written.

    With `data_later`, the open data is left in the cache for `write_later`. With `options.search`, the
    search index is fed to Pagefind while the pages render, and written before the site is swapped in;
    without it, the site and pages are handed back in `result.searchable` for the caller to index."""
    site, pages, now, changed, new_folder, same_plan, layout, out = (
        planned.site, planned.pages, planned.now, planned.changed, planned.new_folder, planned.same_plan,
        planned.layout, planned.out)
    templates, assets, search, workers, strict = (options.templates, options.assets, options.search,
                                                   options.workers, options.strict)
    writer = Staging(out) if new_folder else InPlace(out)
    indexing = None
    try:
        result.problems += writer.begin()
        if result.failed(strict):
            return
        exported: dict = {}

        def export_data() -> None:
            # With nothing kept for a next build, each file is written as it is made, not held.
            emit = None if remember else writer.page
            exported["data"], exported["rows"] = export(site, changed, cache.data, cache.data_texts, emit=emit)
            if emit is None:
                for name, text in exported["data"].items():
                    if changed is None or cache.data_texts.get(name) != text:
                        writer.page(name, text)

        def meanwhile() -> None:
            nonlocal indexing
            if search and new_folder:  # Pagefind takes the search records while the pages render
                indexing = searching.start(searching.entries(site, pages), writer.folder / searching.FOLDER,
                                           site.settings["language"], out)
            if new_folder and not data_later:  # and the open data is written here meanwhile
                export_data()

        progress.stage("rendering", total=len(pages))
        emit = progress.counting(writer.page)
        if remember:
            memos, found, result.rendered = render_again(cache, site, pages, templates, emit,
                                                         Reuse(changed, same_plan), workers, meanwhile)
        else:
            memos, found, result.rendered = render_once(site, pages, templates, emit, workers, meanwhile)
        clock("render and write pages" + (" and open data" if "data" in exported else ""))
        result.problems += found
        if data_later:
            data, rows = cache.data_texts, cache.data  # the names stay; the texts follow in write_later
        else:
            if "data" not in exported:
                export_data()
                clock("open data")
            data, rows = exported["data"], exported["rows"]
        if indexing is not None:
            result.problems += indexing.wait()
            result.search_memory = indexing.peak_memory
            clock("search index")
        if result.failed(strict):
            return
        current = {page.output for page in pages} | set(data) | {f"assets/{name}" for name, _ in files_of(assets)}
        progress.stage("indexing for search and swapping the site in" if new_folder and search else "writing")
        if new_folder:
            result.problems += writer.finish(assets)
            result.changed = sorted(current)
        else:
            result.problems += writer.finish(assets, current, cache.written)
            result.changed = writer.changed
            if search and any(name.endswith(".html") for name in result.changed):
                result.problems += searching.replace(out, searching.entries(site, pages), site.settings["language"])
    except OSError as exc:  # a full or read-only disk, a folder we may not write to: the last good site stays
        result.problems.append(cannot_write(out, exc))
        return
    finally:
        if indexing is not None:
            indexing.cancel()  # a build that stopped early ends its Pagefind (after `wait`, nothing is left to end)
        if new_folder:
            writer.discard()
    clock("swap" if new_folder else "write")
    if not search:
        result.searchable = (site, pages)
    result.written = len(result.changed)
    if not result.failed(strict):  # what the next run may take as written
        cache.records, cache.pages, cache.templates, cache.out, cache.data = now, memos, layout, out, rows
        cache.relinked = set()  # from here, what relink patches is counted again
        cache.data_texts = data
        cache.written = current
        if data_later:
            cache.later = DataLater(site, changed, out)


def plan_anyway(site, base_url: str | None) -> list[Problem]:
    """The plan's problems (pages that would collide) for a build that has failed already, so that one run
    reports everything it can. A record that failed validation may lack a field the plan reads: then
    the plan says nothing, and the next run says the rest."""
    try:
        return plan(site, base_url)[1]
    except (KeyError, AttributeError, TypeError, ValueError, IndexError):
        return []


def cannot_write(out: Path, exc: OSError) -> Problem:
    """The error for a site the system would not let us write (or a template or asset it would not let us read)."""
    name = os.path.abspath(os.fsdecode(exc.filename)) if isinstance(exc.filename, (str, bytes)) else None
    ours = name is None or name == str(out) or name.startswith((str(out) + os.sep, f"{out.parent}{os.sep}.{out.name}."))
    if not ours:
        return failure(f"cannot read {shown_path(Path(name))}: {exc.strerror or exc}; {shown_path(out)}/ is left as it was")
    where = f" ({shown_path(Path(name))})" if name else ""
    return failure(f"cannot write the site into {shown_path(out)}/: {exc.strerror or exc}{where}; "
                   "the last good site is left as it was")


def write_later(cache: Cache) -> list[Problem]:
    """Write the open-data files a rebuild left for later (see `run`'s data_later), if any."""
    if cache.later is None:
        return []
    site, changed, out = cache.later.site, cache.later.changed, cache.later.out
    cache.later = None
    data, rows = export(site, changed, cache.data, cache.data_texts)
    try:
        replace_files([(out / name, text.encode("utf-8")) for name, text in data.items()
                       if cache.data_texts.get(name) != text])
    except OSError as exc:
        cache.out = cache.last = None  # the next build writes the whole site afresh
        return [warning(shown_path(out), 1, 1, f"open data not written ({exc}); the next build writes it")]
    cache.data, cache.data_texts = rows, data
    return []
