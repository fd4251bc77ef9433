"""The rebuild layer: what a rebuild takes from the last build, decided at a stage's boundary.

`serve` keeps a `cache.Cache` from build to build, and tells each rebuild what changed, sorted by
kind (`Change`, as Zola's serve sorts its ChangeKind); the stages wrapped here run as a one-off build
runs them, and are only told which part of their input to do again:
- the inputs besides the content (`keys_now`): the templates, assets and archive are looked at again
  only when a file of theirs changed, so a content edit looks at none of them;
- the read (`read_records`): only files changed since the last read, or only those the watcher named
  (a template, asset or archive change names none);
- the link (`link_again`): a record read again keeps its last link while the ids stay the same, a
  Markdown text its render; a few changed records that cite as before patch the last site (`relink`);
- the plan (`last_plan`): the last plan stands while no field it read changed;
- the render (`render_again`): only pages whose plan, or a record they read, changed, and every page
  when the templates changed; what each page read and the fragments rendered are kept for the next build;
- the write (`assets_to_write`): the assets are copied again only when they changed; what a good
  build wrote and planned is kept (`remember_written`, `remember_build`), the open data of a rebuild
  written after its pages (`write_later`), and the build before stands when nothing changed (`last_result`).
Only this module writes into the cache (tests/test_structure.py).
What the plan and the render read is told by the dependency tracking this layer owns: it hands them
the site with each record behind a tracking.View (`Tracked`), where a one-off build hands them the
records themselves. tests/test_incremental.py checks the result is byte for byte a fresh build's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import Cache, Copied, DataLater, InputKeys, LastBuild, LastPlan, LastRead, LinkState, Listing, PageMemo, \
    Written, changed_fields, changed_records, current_records, fingerprint, inputs_key
from .files import stat_key
from .data import export
from .link import Linking, Site, assemble, citations_in, index, link_record, prerender
from .load import YAML_SUFFIXES, scan, shown_path
from .pages import Page, plan
from .problems import Problem, warning
from .read import READ_SHARED_FROM, Content, gave_nothing, named, read_file
from .render import Fragments, environment, render, renderer_for
from .schema import KINDS
from .shares import each
from .tracking import Reads, View
from .write import MARKER, files_of, replace_files


@dataclass(frozen=True)
class Change:
    """What changed since the last build, by kind, as serve's watcher saw it; a rebuild redoes that kind's
    work and no other. A change no kind places is `whole`: everything is looked at again."""

    content: frozenset = frozenset()  # content files: read again (site.yml too: pages track the settings they read)
    templates: bool = False  # the templates are looked at again; if they changed, every page is rendered again
    assets: bool = False  # the assets are looked at again, and copied if they changed
    archive: bool = False  # the archived articles (--archive), which the quotes are checked against again
    whole: bool = False  # a folder made, moved or deleted; a first build: every file of every kind is looked at

    def to_read(self) -> set | None:
        """The content files to look at again; None: every one."""
        return None if self.whole else set(self.content)


EVERYTHING = Change(whole=True)


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


def keys_now(options, cache: Cache, change: Change) -> InputKeys:
    """The templates', assets' and archive's keys (cache.inputs_key), each made again only when that kind
    changed since the last build looked (`options`: pipeline.BuildOptions)."""
    last = cache.keys
    whole = last is None or change.whole
    archive = [options.archive] if options.archive else []
    cache.keys = InputKeys(
        inputs_key(options.templates) if whole or change.templates else last.templates,
        inputs_key(options.assets) if whole or change.assets else last.assets,
        inputs_key(*archive) if whole or change.archive else last.archive)
    return cache.keys


def assets_to_write(cache: Cache, key: tuple, assets, new_folder: bool) -> tuple[tuple, Copied]:
    """The asset folders to copy from (none, when the assets are as the last good build wrote them into
    the same folder), and the assets the output holds once written."""
    if not new_folder and cache.assets is not None and cache.assets.key == key:
        return (), cache.assets
    return assets, Copied(key, frozenset(f"assets/{name}" for name, _ in files_of(assets)))


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


def read_records(content: Path, cache: Cache, paths: set | None = None,
                 workers: int = 1) -> tuple[Content, bool]:
    """read.read's content, reading again only the files changed since the cache's last read.

    Also says whether any file was added, removed or changed since then.
    """
    files, problems = listed(content, cache, paths)
    cache.listing = Listing(files, list(problems))
    patched = reread(files, cache, paths) if paths is not None else None
    if patched is not None:
        records, found, touched = patched
        return Content(records, problems + found, cache.read.unreadable), touched
    cache.reread = None
    records: list = []
    spans: dict = {}
    kept: dict = {}
    failed: set = set()
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
        if gave_nothing(found_records, found):
            failed.add(named(kind, path))
        spans[path] = (len(records), len(records) + len(found_records))
        records += found_records
        problems += found
    cache.files = kept
    cache.read = LastRead(records, problems[len(cache.listing.problems):], spans, failed)
    return Content(records, problems, failed), touched


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
    cache.read = LastRead(records, found, spans, cache.read.unreadable)  # files with problems are read in full
    cache.reread = in_place
    return records, list(found), touched


class Carried(dict):
    """The Markdown renders of this link: a render missing is taken from the last link's, if it made it.
    Only the renders this link used are carried on to the next."""

    def __init__(self, earlier: dict):
        super().__init__()
        self.earlier = earlier

    def __missing__(self, key):
        found = self[key] = self.earlier[key]
        return found

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self.earlier


def link_again(records: list, cache: Cache, workers: int = 1) -> tuple[Site | None, list[Problem]]:
    """link.link's site, linking again only what changed since the cache's last link.

    When only a few records changed, and cite and name as before, the last site is patched (`relink`).
    Otherwise each record is linked, but among the same ids a record that is the same object as last
    time (its file did not change) keeps its last link; prose keeps its render (`Carried`)."""
    patched = relink(records, cache)
    if patched is not None:
        return patched
    cache.link_state = cache.relinked = None
    by_kind, problems = index(records)
    ids = {kind: frozenset(found) for kind, found in by_kind.items()}
    reuse = ids == cache.ids
    renders = cache.prose if reuse else Carried(cache.prose)
    linking = Linking(cache.notes, renders)
    prerender(linking, records, workers)
    linked: dict = {}
    for record in records:
        if by_kind[record.kind].get(record.id) is record:
            done = cache.linked.get(id(record)) if reuse else None
            linked[id(record)] = done if done is not None and done.source is record else \
                link_record(linking, record, by_kind)
    cache.prose, cache.linked, cache.ids = renders if reuse else dict(renders), linked, ids
    site, cited_by, found = assemble(records, by_kind, linked, cache.notes)
    problems += [problem for record in records if id(record) in linked for problem in linked[id(record)].problems]
    if site is not None and not any(problem.is_error for problem in problems):  # no duplicate ids, all linked
        cache.link_state = LinkState([key_of(record) for record in records], by_kind, site, cited_by,
                                     list(problems), found)
    return site, problems + found


RELINK_AT_MOST = 50  # changed records; beyond this a full link costs about the same


def relink(records: list, cache: Cache) -> tuple[Site, list[Problem]] | None:
    """Patch the last linked site for the few records that changed, or None where a full link is needed.

    It can when the same records stand in the same order, none is the site settings, a source, a
    person or an event (what `unused` and the topic order read), no quote changed speaker, and each
    changed record cites the same sources, fields and locators as before (so every back-reference
    list keeps its order). Otherwise, or if anything is unsure, None.
    """
    state = cache.link_state
    if state is None or len(records) != len(state.order):
        return None
    # The read may name the records it read again in place, ids unchanged; else every record is looked at.
    if cache.reread is None and [key_of(r) for r in records] != state.order:
        return None
    to_relink = [record for record in (records if cache.reread is None else cache.reread)
                 if (done := cache.linked.get(id(record))) is None or done.source is not record]
    if not to_relink or len(to_relink) > RELINK_AT_MOST:
        return None
    linking = Linking(cache.notes, cache.prose)
    patches = []
    for record in to_relink:
        old = state.by_kind[record.kind].get(record.id)
        before = cache.linked.get(id(old)) if old is not None else None
        if before is None or before.source is not old or record.kind in ("site", "sources", "people", "events"):
            return None
        if record.kind == "quotes" and old.get("speaker") != record.get("speaker"):
            return None
        after = link_record(linking, record, state.by_kind)
        if before.citations() != after.citations():
            return None
        patches.append((old, before, record, after))
    again = False
    for old, before, record, after in patches:
        state.by_kind[record.kind][record.id] = record
        del cache.linked[id(old)]
        cache.linked[id(record)] = after
        state.site.records[record.kind][record.id] = after.record
        for (source, was), (_, now) in zip(before.statements, after.statements):
            for statements in (state.cited_by[source], state.site.cited_by.get(source, [])):
                for number, statement in enumerate(statements):
                    if statement is was:
                        statements[number] = now
        again = again or bool(before.problems or after.problems)
    if again:
        state.problems = [problem for record in records for problem in cache.linked[id(record)].problems]
    if cache.relinked is not None:
        cache.relinked.update(key_of(record) for record in to_relink)
    return state.site, state.problems + state.unused


def last_result(cache: Cache, inputs: tuple, touched: bool, out: Path | None):
    """The last good build's result, if it stands: no content file changed (`touched`), its other inputs
    are the same, and its site is still where it was written. Else None, and it is forgotten."""
    earlier = cache.last
    if not touched and earlier is not None and earlier.inputs == inputs and (out is None or (out / MARKER).is_file()):
        return earlier.result
    cache.last = None
    return None


def changes(cache: Cache, site: Site, out: Path | None, layout: tuple) -> tuple[dict, set | None, bool]:
    """What this build holds against the cache's last good build: every record by (kind, id); the (kind, id)
    that changed, or None where every page is to be rendered; and whether the site is written into a new
    folder (a first build, another folder, other templates, the last site gone) or brought up to date."""
    relinked = cache.relinked if cache.records else None
    if relinked is not None:  # only these changed since the last good build: patch its records
        now = dict(cache.records)
        now.update((key, site.records[key[0]][key[1]]) for key in relinked)
    else:
        now = current_records(site.records)
    new_folder = out is not None and (cache.out != out or cache.templates != layout or not (out / MARKER).is_file())
    changed = None if out is None or new_folder else changed_records(cache.records, now, relinked)
    return now, changed, new_folder


def remember_written(cache: Cache, written: Written, later: DataLater | None) -> None:
    """Keep what a good build wrote, for the next to compare with; `later`: the open data it left to write_later."""
    cache.records, cache.pages, cache.templates = written.records, written.pages, written.templates
    cache.out = written.out
    cache.data, cache.data_texts, cache.written, cache.assets = written.data, written.data_texts, written.names, \
        written.assets
    cache.relinked = set()  # from here, what relink patches is counted again
    cache.later = later


def remember_build(cache: Cache, new_plan: LastPlan | None, inputs: tuple, result) -> None:
    """Keep a good build's plan (None: the last stands) and its result, which stands while `inputs` do."""
    if new_plan is not None:
        cache.plan = new_plan
    cache.last = LastBuild(inputs, result)


def failed_after_plan(cache: Cache, new_plan: LastPlan | None) -> None:
    """A build failed once planned: if it reused the last plan, whose views now show this build's records,
    the next build starts afresh."""
    if new_plan is None:
        cache.out = None


def start_afresh(cache: Cache) -> None:
    """Have the next build write the whole site into a new folder, whatever it finds the same."""
    cache.out = cache.last = None


def write_later(cache: Cache) -> list[Problem]:
    """Write the open-data files a rebuild left for later (pipeline.run's data_later), if any."""
    if cache.later is None:
        return []
    site, changed, out = cache.later.site, cache.later.changed, cache.later.out
    cache.later = None
    data, rows = export(site, changed, cache.data, cache.data_texts)
    try:
        replace_files([(out / name, text.encode("utf-8")) for name, text in data.items()
                       if cache.data_texts.get(name) != text])
    except OSError as exc:
        start_afresh(cache)
        return [warning(shown_path(out), 1, 1, f"open data not written ({exc}); the next build writes it")]
    cache.data, cache.data_texts = rows, data
    return []


def last_plan(cache: Cache, site, now: dict, changed: set | None, base_url: str | None) -> list | None:
    """The last good build's pages, if this build's records would plan them the same; else None.

    They would when no record was added or removed, the records stand in the same order, no
    changed record cites differently, and no field that changed is one the plan read (see
    `plan_tracked`). The pages hold the views of the last plan's Tracked (cache.plan.tracked): each
    view of a record this build holds anew is pointed at it; no record is changed.
    """
    if cache.plan is None or changed is None:
        return None
    relinked = cache.relinked if cache.records else None
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
