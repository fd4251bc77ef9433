"""Link: index records by kind and id, resolve references, render prose once, find back-references."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup

from . import schema
from .cite import PLACEHOLDER, Notes, make_markdown, refusal, render_prose
from .problems import Problem, did_you_mean, error, warning
from .shares import can_fork, each
from .validate import Citation, Prose, Record, fallback_citations, fields_of


@dataclass(frozen=True)
class Statement:
    """A place on the site that cites a source: which record, which field, which locator."""

    record: Record
    field: str
    locator: str | None


@dataclass
class Site:
    """Everything the pages need: records by kind and id, rendered prose, back-references."""

    settings: Record
    records: dict  # kind -> {id: Record}, in load order
    notes: Notes
    cited_by: dict = field(default_factory=dict)  # source id -> [Statement]

    def get(self, kind: str, record_id: str) -> Record:
        return self.records[kind][record_id]

    def all(self, kind: str) -> list[Record]:
        return list(self.records.get(kind, {}).values())

    def citations_of(self, record: Record) -> list[Citation]:
        """The record's `cite:` list, or else the citations in its own prose."""
        if record.get("cite"):
            return record["cite"]
        found = []
        for value in record.data.values():
            for cited in getattr(value, "cited", []):
                citation = Citation(cited.source, cited.locator)
                if citation not in found:
                    found.append(citation)
        return found


def index(records: list[Record]) -> tuple[dict, list[Problem]]:
    """Index records by kind and id; report duplicate ids."""
    by_kind: dict = {name: {} for name in schema.KINDS}
    problems = []
    for record in records:
        first = by_kind[record.kind].get(record.id)
        if first is not None:
            path, line, column = record.where("id")
            problems.append(error(path, line, column,
                                  f"duplicate {schema.KINDS[record.kind].singular} id '{record.id}' "
                                  f"(first at {first.path}:{first.line}:{first.column}): rename one"))
            continue
        by_kind[record.kind][record.id] = record
    return by_kind, problems


@dataclass
class Linked:
    """What linking one validated record gave: the record with its prose rendered, problems, citations."""

    source: Record  # the validated record it was made from (kept so its id() is not reused)
    record: Record
    problems: list
    statements: list  # (source id, Statement)

    def citations(self) -> list[tuple]:
        """(source, field, locator) of every citation, in order: what citations_in gives for the record."""
        return [(source, statement.field, statement.locator) for source, statement in self.statements]


REPORTED = ("citations", "uncited", "refused")  # what link_prose reads of a render's env
PRERENDER_FROM = 200  # prose fields to render; below this, forking costs more than it saves


class Linking:
    """What linking the records shares: the Markdown parser, the notes every citation marks before pages
    render, and each Markdown text's render, made once (the same text renders the same).

    `renders` maps prose_key -> (html, env). Linking reads it by key and fills in what is missing, so a
    mapping given from outside may hold earlier renders (rebuild.py hands one in, with the notes they
    were numbered against)."""

    def __init__(self, notes: Notes | None = None, renders: dict | None = None):
        self.md = make_markdown()
        self.notes = Notes() if notes is None else notes
        self.renders = {} if renders is None else renders

    def render(self, key: tuple) -> tuple[str, dict]:
        """The render of a prose value, given by its prose_key."""
        try:
            return self.renders[key]
        except KeyError:
            found = self.renders[key] = render_prose(self.md, key[0], self.notes, key[1], required=key[2])
            return found


def prerender(linking: Linking, records: list[Record], workers: int) -> None:
    """Render the records' prose that `linking` lacks across `workers` processes, into its renders.

    `link_prose` then finds each rendered; a fragment's note placeholders are made again here
    against the shared notes, since each process numbers its notes its own way.
    """
    if workers < 2 or not can_fork():
        return
    todo: dict = {}
    for record in records:
        for path, declared, value in fields_of(record):
            if isinstance(declared, schema.Markdown):
                key = prose_key(record, path, declared, value)
                if key not in linking.renders:
                    todo[key] = None
    if len(todo) < PRERENDER_FROM:
        return
    md = linking.md

    def render_one(key: tuple) -> tuple:
        notes = Notes()
        html, env = render_prose(md, key[0], notes, key[1], required=key[2])
        return html, notes.keys, {name: env[name] for name in REPORTED if name in env}

    keys = list(todo)
    number = linking.notes.number
    for key, (html, marked, found) in zip(keys, each(render_one, keys, workers, PRERENDER_FROM)):
        html = PLACEHOLDER.sub(lambda found: f"\x02{number(*marked[int(found.group(1))])}\x03", html)
        linking.renders[key] = (html, {"notes": linking.notes, **found})


def link(records: list[Record], workers: int = 1, in_place: bool = False) -> tuple[Site | None, list[Problem]]:
    """Resolve every reference and citation; render prose once; compute back-references.

    Prose is rendered across `workers` processes when there is much of it. `in_place`: see with_html.
    """
    linking = Linking()
    by_kind, problems = index(records)
    prerender(linking, records, workers)
    linked = {id(record): link_record(linking, record, by_kind, in_place)
              for record in records if by_kind[record.kind].get(record.id) is record}
    site, _, found = assemble(records, by_kind, linked, linking.notes)
    return site, problems + [problem for record in records if id(record) in linked
                             for problem in linked[id(record)].problems] + found


def assemble(records: list[Record], by_kind: dict, linked: dict, notes: Notes) -> tuple[Site | None, dict, list]:
    """The site from each record's link (`linked`: id(record) -> Linked, for every record `index` kept):
    the site (None without site settings), every source's statements (its own among them), and the
    warnings of `unused`."""
    cited_by: dict = defaultdict(list)
    for record in records:
        if id(record) in linked:
            for source_id, statement in linked[id(record)].statements:
                cited_by[source_id].append(statement)
    for source_id in by_kind["sources"]:
        notes.mark(source_id, None)
    settings = by_kind["site"].get("site")
    if settings is None:
        return None, cited_by, []
    records_out = {kind: {rid: linked[id(record)].record for rid, record in found.items()}
                   for kind, found in by_kind.items()}
    first = [topic for topic in settings.get("topics", []) if topic in records_out["topics"]]
    records_out["topics"] = {topic: records_out["topics"][topic]
                             for topic in first + [t for t in records_out["topics"] if t not in first]}
    site = Site(records_out["site"]["site"], records_out, notes)
    site.cited_by = {source: [statement for statement in statements
                              if statement.record.kind != "sources" or statement.record.id != source]
                     for source, statements in cited_by.items()}
    return site, cited_by, unused(site)


def link_record(linking: Linking, record: Record, by_kind: dict, in_place: bool = False) -> Linked:
    """Check one record's references, render its prose, and list what it cites (`in_place`: see with_html)."""
    problems: list = []
    cited: list = []
    rendered: dict = {}
    for path, declared, value in fields_of(record):
        if isinstance(declared, schema.Ref):
            problems += check_ref(record, path, declared.kind, value, by_kind)
        elif declared is schema.CITATION:
            cited.append((value.source, path[0], value.locator))
            linking.notes.mark(value.source, value.locator)  # every note a page can show is known before pages render
        elif isinstance(declared, schema.Markdown):
            html, found = link_prose(linking, record, path, declared, value, by_kind)
            problems += found
            rendered[path] = html
            cited += [(c.source, path[0], c.locator) for c in html.cited]
    out = with_html(record, rendered, in_place)
    return Linked(record, out, problems, [(source, Statement(out, name, locator)) for source, name, locator in cited])


def citations_in(record: Record) -> list[tuple]:
    """(source, field, locator) of every citation a linked record makes, in order."""
    found = []
    for path, declared, value in fields_of(record):
        if declared is schema.CITATION:
            found.append((value.source, path[0], value.locator))
        elif isinstance(declared, schema.Markdown):
            found += [(c.source, path[0], c.locator) for c in getattr(value, "cited", [])]
    return found


class Fragment(Markup):
    """Rendered Markdown, marked safe here, in one place; remembers its citations and its source text."""

    cited: list
    markdown: str


def prose_key(record: Record, path: tuple, declared, prose) -> tuple:
    """What a prose value renders from: its Markdown, the citations its uncited paragraphs fall back on,
    and whether each paragraph must cite (the key of Linking.renders)."""
    return str(prose), tuple(fallback_citations(record, path)), declared.cited


def link_prose(linking: Linking, record, path, declared, prose, by_kind) -> tuple[Fragment, list[Problem]]:
    key = prose_key(record, path, declared, prose)
    html, env = linking.render(key)
    fragment = Fragment(html)
    fragment.cited = env.get("citations", [])
    fragment.markdown = key[0]  # the Markdown, as str(prose) gave it for the key: one copy, not two
    problems = []
    seen: dict = {}  # needle -> where the last one was found: each is looked for after it, not from the start

    def at(needle: str, message: str) -> Problem:
        """The error at the needle's next place in the field's text, or at the field."""
        file, line, column = record.where(*path)
        if isinstance(prose, Prose):
            found = prose.text.find(needle, seen.get(needle, prose.start - 1) + 1, prose.end)
            if found >= 0:  # not found: a refused link's address as the parser normalised it
                seen[needle] = found
                if "base" not in seen:  # the line the value starts on: counted once, then from there
                    seen["base"] = prose.text.count("\n", 0, prose.start)
                line = seen["base"] + prose.text.count("\n", prose.start, found) + 1
                column = found - (prose.text.rfind("\n", 0, found) + 1) + 1
        return error(file, line, column, message)

    for cited in fragment.cited:
        if cited.source not in by_kind["sources"]:
            problems.append(at("@" + cited.source, unknown("sources", cited.source, by_kind["sources"])))
    for _, url in env.get("refused", []):
        problems.append(at(url, refusal(url)))
    for _ in env.get("uncited", []):
        file, line, column = record.where(*path)
        problems.append(error(file, line, column,
                              f"'{path[-1] if isinstance(path[-1], str) else path[0]}' states something "
                              "with no citation: add [@source-id] to each paragraph, or a cite: list"))
    return fragment, problems


def check_ref(record, path, kind, value, by_kind) -> list[Problem]:
    if value in by_kind[kind]:
        return []
    file, line, column = record.where(*path)
    return [error(file, line, column, unknown(kind, value, by_kind[kind]))]


def unknown(kind: str, record_id: str, known) -> str:
    """The error for a reference to a record that is not there."""
    return f"unknown {schema.KINDS[kind].singular} '{record_id}'{did_you_mean(record_id, known)}"


def unchecked(problems: list[Problem], unread: set) -> tuple[list[Problem], int]:
    """Leave out the unknown-reference errors into records whose files could not be read, given as
    (kind, id); return the rest and how many were left out. That file's own error says what to fix."""
    if not unread:
        return problems, 0
    starts = tuple(unknown(kind, record_id, ()) for kind, record_id in unread)
    kept = [problem for problem in problems if not problem.message.startswith(starts)]
    return kept, len(problems) - len(kept)


def with_html(record: Record, fragments: dict, in_place: bool = False) -> Record:
    """Return the record with each prose value replaced by its rendered fragment.

    `in_place`: the record as read is not kept (a build from the command line), so its values are
    replaced where they stand instead of in a copy. Copies, the first let go of, left the memory a
    render worker inherits 8 MB larger at 10,000 quotes, in holes Python's allocator keeps."""
    if not fragments:
        return record
    if in_place:
        for path, fragment in fragments.items():
            holder = record.data
            for step in path[:-1]:
                holder = holder[step]
            holder[path[-1]] = fragment
        return record

    def swap(value, path):
        if path in fragments:
            return fragments[path]
        if isinstance(value, dict):
            return {name: swap(inner, path + (name,)) for name, inner in value.items()}
        if isinstance(value, list):
            return [swap(inner, path + (position,)) for position, inner in enumerate(value)]
        return value

    data = {name: swap(value, (name,)) for name, value in record.data.items()}
    return Record(record.kind, record.id, record.path, record.line, record.column, data, record.marks)


def unused(site: Site) -> list[Problem]:
    """Warn of what a person should decide on: sources nobody cites, people never quoted."""
    problems = []
    for source in site.all("sources"):
        if not site.cited_by.get(source.id):
            problems.append(warning(source.path, source.line, source.column,
                                    f"source '{source.id}' is cited by nothing: cite it or remove it"))
    named = {quote.get("speaker") for quote in site.all("quotes")}
    named.update(person for event in site.all("events") for person in event.get("people", []))
    for person in site.all("people"):
        if person.id not in named:
            problems.append(warning(person.path, person.line, person.column,
                                    f"person '{person.id}' is never quoted nor named in an event: "
                                    "add a quote or an event, or remove them"))
    return problems
