"""The rebuild layer: what a rebuild takes from the last build, decided at a stage's boundary.

`serve` keeps a `cache.Cache` from build to build; the stages wrapped here run as a one-off build
runs them, and are only told which part of their input to do again:
- the read (`read_records`): only files changed since the last read, or only those the watcher named;
- the plan (`last_plan`): the last plan stands while no field it read changed;
- the render (`render_again`): only pages whose plan, or a record they read, changed; what each page
  read and the fragments rendered are kept for the next build.
What the plan and the render read is told by the dependency tracking this layer owns: it hands them
the site with each record behind a tracking.View (`Tracked`), where a one-off build hands them the
records themselves. (The link still reuses inside link.py.) tests/test_incremental.py checks the
result is byte for byte a fresh build's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import Cache, LastRead, Listing, PageMemo, changed_fields, fingerprint
from .files import stat_key
from .link import Site, citations_in
from .load import YAML_SUFFIXES, load_file, scan
from .pages import Page, plan
from .problems import Problem
from .render import Fragments, environment, render, renderer_for
from .schema import KINDS
from .shares import each
from .tracking import Reads, View
from .validate import records_of


@dataclass
class Tracked:
    """The site as a rebuild's plan and render see it: each record behind a tracking.View, the views
    noting into one `reads`. It lives as long as the plan made through it, whose pages hold its views."""

    site: Site
    reads: Reads


def track(site: Site) -> Tracked:
    """A view of the site for a rebuild to plan and render through (see Tracked)."""
    reads = Reads()
    views = {kind: {record_id: View(record, reads) for record_id, record in ids.items()}
             for kind, ids in site.records.items()}
    cited_by = {source: [replace(statement, record=views[statement.record.kind][statement.record.id])
                         for statement in statements] for source, statements in site.cited_by.items()}
    return Tracked(Site(views["site"]["site"], views, site.notes, cited_by), reads)


def plan_tracked(site: Site, base_url: str | None) -> tuple[list[Page], list[Problem], Tracked, set]:
    """Plan the site through a view of it (pages.plan): the pages, the problems, the view the pages
    hold, and the (kind, id, field) the plan read."""
    tracked = track(site)
    tracked.reads.fields = fields = set()
    try:
        pages, problems = plan(tracked.site, base_url)
    finally:
        tracked.reads.fields = None
    return pages, problems, tracked, fields


@dataclass(frozen=True)
class Reuse:
    """What of the last build's render may stand."""

    changed: set | None = None  # (kind, id) changed since the cache's last build; None: render every page
    same_plan: bool = False  # the pages are the last build's plan: each page's fingerprint stands


def render_again(cache: Cache, tracked: Tracked, pages: list[Page], templates: Path, emit, reuse: Reuse,
                 workers: int = 1, meanwhile=None) -> tuple[dict, list[Problem], int]:
    """Render every page whose plan or read records changed since the cache's last build (see render.render),
    through the view the pages were planned through, which tells what each reads.

    A page left alone still holds in the output of the last build. Returns every page's memo for the
    next build, the problems, and how many pages were rendered."""
    changed, same_plan = reuse.changed, reuse.same_plan
    if changed is None:  # templates changed, or nothing was rendered yet
        cache.fragments, cache.env = Fragments(), environment(templates)
    else:
        cache.fragments.forget(changed)
    site = tracked.site
    renderer = renderer_for(site, pages, templates, cache.fragments, cache.env, tracked.reads)
    if isinstance(renderer, Problem):
        return {}, [renderer], 0
    earlier = cache.pages if changed is not None else {}
    memos: dict = {}
    todo: list[Page] = []
    for page in pages:  # with the same plan as last time, every page's plan is the same as its memo's
        memo = earlier.get(page.output)
        if memo is not None and memo.reads.isdisjoint(changed) and (same_plan or memo.fingerprint == fingerprint(page)):
            memos[page.output] = memo
        else:
            todo.append(page)
    prints = {page.output: earlier[page.output].fingerprint for page in todo
              if page.output in earlier} if same_plan else {}

    def keep(page: Page, reads: frozenset) -> PageMemo:  # in the render workers: the fingerprints are shared out
        known = prints.get(page.output)
        return PageMemo(known if known is not None else fingerprint(page), reads)

    done = render(site, todo, renderer, emit, keep=keep, workers=workers, meanwhile=meanwhile)
    memos.update(done.kept)
    return memos, done.problems, done.count


def listed(content: Path, cache: Cache, paths: set | None) -> tuple[list, list[Problem]]:
    """Every content file as scan() lists it: from the last listing and the paths that changed, if given.

    The watcher in `serve` reports changed paths. A path this cannot place (a folder, a new kind,
    the site file gone) means a full scan, as does a first build.
    """
    if paths is None or cache.listing is None:
        return scan(content)
    top = str(content.absolute()) + os.sep
    files, problems = cache.listing.files, cache.listing.problems
    where = {path: number for number, (_, path, _) in enumerate(files)}
    files = list(files)
    moved = False  # a file came or went, so the order must be made again
    for path in paths:
        parts = path[len(top):].split(os.sep) if path.startswith(top) else [".."]
        if parts[0] == ".." or any(part.startswith(".") for part in parts):
            continue  # templates, assets, the archive (their own keys tell), or hidden: not content
        kind = parts[0] if len(parts) > 1 else os.path.splitext(parts[0])[0]
        is_yaml = parts[-1].endswith(YAML_SUFFIXES)
        if kind not in KINDS or KINDS[kind].single != (len(parts) == 1) or (not is_yaml and os.path.isdir(path)):
            return scan(content)
        if not is_yaml:
            continue
        try:
            entry = (kind, path, stat_key(os.stat(path)))
        except FileNotFoundError:
            if KINDS[kind].single:
                return scan(content)
            if path in where:
                files[where[path]] = None
                moved = True
            continue
        except OSError:  # a link loop, a file we may not look at: the full scan says what is wrong
            return scan(content)
        if path in where:
            files[where[path]] = entry
        else:
            files.append(entry)
            moved = True
    if moved:

        def place(entry) -> tuple:
            parts = entry[1][len(top):].split(os.sep)
            return parts[0], tuple(parts[1:])

        files = sorted((entry for entry in files if entry is not None), key=place)
    return files, list(problems)


READ_SHARED_FROM = 200  # files to read; below this, forking costs more than it saves


def read_file(entry: tuple) -> tuple[list, list[Problem]]:
    """Load and validate one content file, given as (kind, path): its records and problems."""
    kind, path = entry
    document, problems = load_file(kind, Path(path))
    if document is None:
        return [], problems
    records, more = records_of(document)
    return records, problems + more


def read_records(content: Path, cache: Cache, paths: set | None = None,
                 workers: int = 1) -> tuple[list, list[Problem], bool]:
    """Load and validate every content file, reusing what the cache holds for unchanged files.

    Also says whether any file was added, removed or changed since the cache's last read.
    Files are read across `workers` processes when there are many to read.
    """
    files, problems = listed(content, cache, paths)
    cache.listing = Listing(files, list(problems))
    patched = reread(files, cache, paths) if paths is not None else None
    if patched is not None:
        records, found, touched = patched
        return records, problems + found, touched
    cache.reread = None
    records: list = []
    spans: dict = {}
    kept: dict = {}
    touched = len(files) != len(cache.files)
    todo = [(kind, path) for kind, path, key in files
            if (earlier := cache.files.get(path)) is None or earlier[0] != key]
    read_now = dict(zip((path for _, path in todo), each(read_file, todo, workers, READ_SHARED_FROM)))
    for kind, path, key in files:
        earlier = cache.files.get(path)
        if path not in read_now:
            found_records, found = earlier[1], earlier[2]
        else:
            found_records, found = read_now[path]
            if earlier is not None and same_records(earlier[1], found_records) and earlier[2] == found:
                found_records = earlier[1]  # saved again unchanged: the records it held still stand
            else:
                touched = True
        kept[path] = (key, found_records, found)
        spans[path] = (len(records), len(records) + len(found_records))
        records += found_records
        problems += found
    cache.files = kept
    cache.read = LastRead(records, problems[len(cache.listing.problems):], spans)
    return records, problems, touched


def unreadable(cache: Cache) -> set[tuple[str, str]]:
    """(kind, id) of every content file the last read found errors in and no records, the id by its name."""
    failed = set()
    for kind, path, _ in cache.listing.files:
        _, records, problems = cache.files.get(path, (None, [None], []))
        if not records and any(problem.is_error for problem in problems):
            failed.add((kind, os.path.splitext(os.path.basename(path))[0]))
    return failed


def reread(files: list, cache: Cache, paths: set) -> tuple[list, list, bool] | None:
    """Read again just the files the watcher named, into the last read's records; or None where a
    full read is needed: a file came or went, or one named now holds another number of records,
    or has problems, or had them."""
    if cache.read is None or len(files) != len(cache.files):
        return None
    records, found, spans = cache.read.records, cache.read.problems, cache.read.spans
    records, touched, updates, in_place = list(records), False, {}, []
    for path in paths:
        earlier = cache.files.get(path)
        if earlier is None:
            continue  # not a content file; a new one would have changed the count
        try:
            key = stat_key(os.stat(path))
        except OSError:
            return None
        if key == earlier[0]:
            continue
        if earlier[2] or not earlier[1]:
            return None
        now, problems = read_file((earlier[1][0].kind, path))
        if problems or len(now) != len(earlier[1]):
            return None
        if same_records(earlier[1], now):
            now = earlier[1]  # saved again unchanged: the records it held still stand
        else:
            touched = True
            start, end = spans[path]
            records[start:end] = now
            if in_place is not None and [key_of(r) for r in now] == [key_of(r) for r in earlier[1]]:
                in_place += now
            else:
                in_place = None  # an id changed: link must look at the order of every record
        updates[path] = (key, now, [])
    cache.files.update(updates)
    cache.read = LastRead(records, found, spans)
    cache.reread = in_place
    return records, list(found), touched


def last_plan(cache: Cache, site, now: dict, changed: set | None, base_url: str | None,
              relinked: set | None = None) -> list | None:
    """The last good build's pages, if this build's records would plan them the same; else None.

    They would when no record was added or removed, the records stand in the same order, no
    changed record cites differently, and no field that changed is one the plan read (see
    `plan_tracked`). The pages hold the views of the last plan's Tracked (cache.plan.tracked): each
    view of a record this build holds anew is pointed at it; no record is changed.
    """
    if cache.plan is None or changed is None:
        return None
    pages, fields, planned_base, order = cache.plan.pages, cache.plan.fields, cache.plan.base_url, cache.plan.order
    if planned_base != base_url or any(key not in cache.records or key not in now for key in changed):
        return None
    if any(list(ids) != order.get(kind) for kind, ids in site.records.items()):
        return None
    for key in changed:
        earlier, record = cache.records[key], now[key]
        if citations_in(earlier) != citations_in(record):
            return None
        if any((key[0], key[1], name) in fields for name in changed_fields(earlier, record)):
            return None
    # Changed records, and records read again from a file whose text changed around them (moved,
    # renamed, reformatted: new objects, the same data): every page that holds one's view sees the new.
    views = cache.plan.tracked.site
    for kind, record_id in (now if relinked is None else relinked):
        view = views.records[kind][record_id]
        if view.record is not now[kind, record_id]:
            view.record = now[kind, record_id]
    views.notes = site.notes
    return pages


def key_of(record) -> tuple:
    return record.kind, record.id


def same_records(earlier: list, now: list) -> bool:
    """True if a file that was saved again holds the same records, placed the same, as before."""
    return len(earlier) == len(now) and all(
        (a.kind, a.id, a.path, a.line, a.column, a.data, a.marks) == (b.kind, b.id, b.path, b.line, b.column, b.data,
                                                                      b.marks) for a, b in zip(earlier, now))
