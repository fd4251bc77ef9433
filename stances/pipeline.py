"""The whole pipeline, top to bottom: read (load, validate), link, verify, plan, render, write."""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import Cache, DataLater, LastPlan, Written
from .data import export
from .link import Site, link, unchecked
from .files import apart, inputs_of
from .load import shown_path
from . import search as searching
from .pages import placeholder_base, plan
from .problems import Problem, failure
from .progress import Silent
from .read import read
from .rebuild import Change, EVERYTHING, Reuse, Tracked, assets_to_write, changes, failed_after_plan, keys_now, \
    last_plan, last_result, link_again, plan_tracked, read_records, remember_build, remember_written, render_again, \
    write_later
from .render import render_once
from .validate import published_address
from .verify import verify
from .write import InPlace, Staging, sweep


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

    @classmethod
    def of(cls, given, **changes) -> "BuildOptions":
        """From the command line's options (cli.parser), with `changes` over them."""
        return replace(cls(given.content, given.templates, given.assets, given.archive, given.base_url, given.strict,
                           getattr(given, "search", True), getattr(given, "workers", None)), **changes)


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


@dataclass(frozen=True)
class Memory:
    """What a run keeps of what it makes: all of it for a next build (serve's rebuilds, `KEEP`), or, for a
    one-off build (`LET_GO`), each thing dropped once no later stage needs it. (A one-off build also reads and
    links with the plain stages, which keep nothing, and links the records in place.)"""

    keep: bool

    def after_plan(self, records) -> None:
        if not self.keep:  # past the plan, nothing is reported at a record's place: the render workers need
            for record in records:  # not inherit where every value stands (9 MB at 10,000 quotes)
                record.marks = NO_MARKS

    def data_emit(self, writer):
        """Where the open-data export hands each file as it is made (one-off: straight to the writer), or None
        to have it hand back all of them (kept for a next build to compare)."""
        return None if self.keep else writer.page

    def after_build(self) -> None:
        if self.keep:  # the cache lives till the next rebuild: spare the collector walking it (10,000 quotes:
            gc.freeze()  # a full collection alone took longer than an edit)


KEEP, LET_GO = Memory(True), Memory(False)


@dataclass
class Planned:
    """A site planned and ready to write, as write_site takes it."""

    site: Site
    pages: list
    now: dict  # (kind, id) -> the record this build holds
    changed: set | None  # (kind, id) changed since the cache's last build; None: all of them
    new_folder: bool  # a new folder is written and swapped in; else the last site is brought up to date in place
    new_plan: LastPlan | None  # the plan made for this build, to keep; None: the last build's plan stands
    tracked: Tracked | None = None  # a rebuild's view of the site, that the pages were planned through


@dataclass
class Job:
    """One run of the pipeline: what it was asked, and what it keeps track of on the way."""

    options: BuildOptions
    out: Path | None  # absolute; None: check only
    cache: Cache
    memory: Memory
    result: Result
    clock: Clock
    progress: Silent
    data_later: bool = False  # see `run`
    change: Change = EVERYTHING  # see `run`
    layout: tuple = ()  # the templates' key (cache.inputs_key), once read
    assets: tuple = ()  # the assets' key, once read
    inputs: tuple = ()  # what the result depends on besides the content: cache.last's key


def run(options: BuildOptions, out: Path | None, *, cache: Cache | None = None, change: Change = EVERYTHING,
        data_later: bool = False, progress: Silent | None = None) -> Result:
    """Check the content and, when `out` is given and all is well, write the site there.

    With a cache kept from an earlier run (serve's), only what changed is redone (rebuild.py): the site is
    a fresh build's, byte for byte. `change`, from a file watcher: what changed since that run, by kind, and
    so the only part looked at again (rebuild.Change). `data_later`: a rebuild in place leaves the open data
    to `write_later(cache)`, so the pages show first. `progress` is told each stage and each page written
    (progress.py)."""
    options = replace(options, workers=options.workers or os.cpu_count() or 1)
    result = Result(problems=refused(options, out))
    if result.problems:
        return result
    if out is not None:
        out = out.absolute()
        sweep(out)  # what builds that were killed left behind, before anything else
    job = Job(options, out, cache or Cache(), KEEP if cache is not None else LET_GO, result, Clock(result.timings),
              progress or Silent(), data_later, change)
    site = read_and_link(job)
    if not isinstance(site, Site):
        return site or result  # the last good build's, standing; or this one's, which cannot be planned
    planned = plan_site(job, site)
    if out is None or result.failed(options.strict):
        return result
    write_site(job, planned)
    job.memory.after_build()
    return result


def refused(options: BuildOptions, out: Path | None) -> list[Problem]:
    """Options no build may run with: an output folder among the inputs, a base URL that is no address."""
    found = [] if out is None else [failure(why) for why in apart(out, inputs_of(
        options.content, options.templates, options.assets, options.archive))]
    if options.base_url is not None and not published_address(options.base_url):
        found.append(failure(f"--base-url must be where the site is published: an http:// or https:// "
                             f"address with no ?query or #fragment, such as https://example.org/explainer/, "
                             f"not '{options.base_url}'"))
    return found


def read_and_link(job: Job) -> Site | Result | None:
    """Load, validate and link the content, and check the quotes against the archive: the linked site;
    or, when nothing changed since the cache's last good build, that build's result, which stands;
    or None, when the site cannot be planned (the problems are in job.result)."""
    options, cache, result, progress = job.options, job.cache, job.result, job.progress
    progress.stage("reading content")
    result.problems += write_later(cache)
    keep = job.memory.keep  # a rebuild reads and links again only what changed (rebuild.py)
    content, touched = (read_records(options.content, cache, job.change.to_read(), options.workers) if keep
                        else (read(options.content, options.workers), True))
    result.problems += content.problems
    job.clock("load and validate")
    keys = keys_now(options, cache, job.change)
    job.layout, job.assets = keys.templates, keys.assets
    job.inputs = (options.content.absolute(), job.out, options.base_url, options.strict, options.search, keys)
    earlier = last_result(cache, job.inputs, touched, job.out) if keep else None
    if earlier is not None:  # nothing changed since the last good build: it stands
        return Result(problems=list(earlier.problems), records=earlier.records, pages=earlier.pages,
                      timings=result.timings, searchable=earlier.searchable)
    result.records = len(content.records)
    progress.stage("linking")  # a one-off build keeps no record as read: link turns them into linked ones in place
    site, found = (link_again(content.records, cache, options.workers) if keep
                   else link(content.records, options.workers, in_place=True))
    job.clock("link")
    found, result.unchecked = unchecked(found, content.unreadable)
    result.problems += found
    if site is None:
        return None
    if options.archive is not None:  # reads only sources and the quotes' wordings: it runs whatever else failed
        progress.stage("checking quotes against the archive")
        result.problems += verify(site, options.archive)
    if result.failed(options.strict):
        result.problems += plan_anyway(site, options.base_url)
        return None
    return site


def plan_site(job: Job, site: Site) -> Planned:
    """Every page of the site: the last good build's plan, if it stands (rebuild.last_plan), else planned anew."""
    options, cache, result, out = job.options, job.cache, job.result, job.out
    now, changed, new_folder = changes(cache, site, out, job.layout)
    if out is not None:
        result.problems += placeholder_base(site, options.base_url)
    pages = last_plan(cache, site, now, changed, options.base_url)
    new_plan = None
    if pages is None:
        job.progress.stage("planning pages")
        if job.memory.keep:  # a rebuild plans through a view of the site that tells the fields the plan reads
            pages, found, tracked, fields = plan_tracked(site, options.base_url)
        else:
            (pages, found), tracked, fields = plan(site, options.base_url), None, set()
        result.problems += found
        job.memory.after_plan(now.values())
        order = {kind: list(ids) for kind, ids in site.records.items()}
        new_plan = LastPlan(pages, fields, options.base_url, order,
                            sum(1 for page in pages if page.template.endswith(".html")), tracked)
    job.clock("plan")
    standing = new_plan or cache.plan
    result.pages = standing.html_pages
    return Planned(site, pages, now, changed, new_folder, new_plan, standing.tracked)


def write_site(job: Job, planned: Planned) -> None:
    """Render, export and write; on success, remember in the cache what was written, and what the build read.

    With `job.data_later`, the open data of a rebuild in place is left in the cache for `write_later`.
    With `options.search`, the search index is fed to Pagefind while the pages render, and written
    before the site is swapped in; without it, the site and pages are handed back in
    `result.searchable` for the caller to index."""
    try:
        write_pages(job, planned)
    finally:
        if job.result.failed(job.options.strict):
            failed_after_plan(job.cache, planned.new_plan)
    if not job.result.failed(job.options.strict):
        remember_build(job.cache, planned.new_plan, job.inputs, job.result)


def write_pages(job: Job, planned: Planned) -> None:
    """Render, export and write (see `write_site`)."""
    result, options, cache, clock, progress = job.result, job.options, job.cache, job.clock, job.progress
    site, pages, now, changed = planned.site, planned.pages, planned.now, planned.changed
    new_folder = planned.new_folder
    layout, out = job.layout, job.out
    same_plan = planned.new_plan is None
    data_later = job.data_later and not new_folder
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
            emit = job.memory.data_emit(writer)
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
        if job.memory.keep:
            memos, found, result.rendered = render_again(cache, planned.tracked, pages, templates, emit,
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
        assets, copied = assets_to_write(cache, job.assets, assets, new_folder)
        current = {page.output for page in pages} | set(data) | copied.names
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
        remember_written(cache, Written(now, memos, layout, out, rows, data, current, copied),
                         DataLater(site, changed, out) if data_later else None)


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
