"""Plan: decide every page (URL, template, context) before any is rendered.

What each template receives is written down below as a TypedDict per page kind;
every page also gets `site` (the linked Site), `settings` (site.yml) and `page`.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypedDict
from urllib.parse import urlsplit

from .link import Site, citations_in
from .problems import Problem, error, warning
from .validate import Record


@dataclass
class Page:
    """A page to render: where it goes, which template, what it shows."""

    url: str  # '' for the home page, 'topics/x/' for a folder, '404.html' for a file
    kind: str  # also the template: templates/<kind>.html
    heading: object  # the title, or a Title read from its record when the page renders
    context: dict = field(default_factory=dict)
    origin: tuple | None = None  # (file, line, column) of the record it shows
    base_url: str = "/"

    @property
    def title(self) -> str:
        return title_of(self.heading)

    @functools.cached_property
    def output(self) -> str:
        return self.url if self.is_file else self.url + "index.html"

    @property
    def is_file(self) -> bool:
        return self.url.endswith((".html", ".xml", ".txt"))

    @property
    def template(self) -> str:
        """One rule picks the template: templates/<kind>.html (or .xml, .txt for those files)."""
        suffix = self.url.rsplit(".", 1)[1] if self.is_file else "html"
        return f"{self.kind}.{suffix}"

    @property
    def absolute(self) -> str:
        return self.base_url + self.url


@dataclass(frozen=True)
class Title:
    """A page title taken from its record when the page renders, so an edit to it needs no new plan."""

    site: Site = field(compare=False, repr=False)
    record: Record
    name: str | None  # the field that holds it; None for a quote: its speaker and first words

    def __call__(self) -> str:
        return self.record[self.name] if self.name else quote_title(self.site, self.record)


@dataclass(frozen=True)
class FirstPage:
    """A list's first page, as its later pages link back to it."""

    url: str
    heading: object  # its title, or a Title
    kind: str

    @property
    def title(self) -> str:
        return title_of(self.heading)


def title_of(heading) -> str:
    """A page's title: the text itself, or read now from a Title or Continued."""
    return heading() if isinstance(heading, (Title, Continued)) else heading


@dataclass(frozen=True)
class Continued:
    """The title of a list's later page: its first page's title, and which page of how many."""

    first: FirstPage
    number: int
    count: int

    def __call__(self) -> str:
        what = "" if self.first.kind == "quotes" else ": quotes"
        return f"{self.first.title}{what}, page {self.number} of {self.count}"


@dataclass(frozen=True)
class Pager:
    """Where a page stands in a list shown over several pages: its number, and every page's URL."""

    number: int
    urls: tuple  # from the site root, the first page's first
    total: int  # items in the whole list
    start: int = 1  # the place in the list of this page's first item, from 1

    @property
    def count(self) -> int:
        return len(self.urls)

    @property
    def previous(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None


class ListingContext(TypedDict):
    first: FirstPage  # the list's first page, which shows what the list belongs to
    quotes: list  # this page's part of the list
    show_speaker: bool
    pager: Pager


class IndexContext(TypedDict):
    matrix: list  # [(topic, [[position, ...] per side])]
    events: list  # the events its timeline shows (site.yml's at_a_glance.events, or the last six), by date


class TopicContext(TypedDict):
    topic: Record
    columns: list  # [(actor, [position, ...])] for the sides, then others with a stance
    quotes: list
    proposals: list
    events: list


class ProposalsContext(TypedDict):
    proposals: list  # every proposal, by date
    columns: list  # the actors answering: the sides, then any other that proposes or answers
    groups: list  # [(proposer, [(proposal, [[response, ...] per column]) by date])], the sides' proposals first


class RecordContext(TypedDict):
    record: Record  # actor, person, source, quote or page
    related: dict  # what the page lists beside it, by name


class TimelineContext(TypedDict):
    months: list  # [(month, [(event, the gap since the previous event in words or None, quotes said there)])]


class AboutContext(TypedDict):
    sources: list  # by date
    quote_counts: list  # [(side actor or None for speakers of no side, {source id: quotes, None: all quotes})]


class CorrectionsContext(TypedDict):
    corrections: list  # [Correction], newest first


@dataclass(frozen=True)
class Correction:
    """One entry of a record's `corrections:` log, with the record it corrects."""

    record: Record
    url: str  # where the record is shown, from the site root
    anchor: str  # the correction's id on the corrections page: kind-id-number
    date: object  # a validate.Date
    what: str
    why: str


def corrections_of(site: Site) -> list[Correction]:
    """Every correction logged on any record (site.yml's too), newest first, then in load order."""
    records = [record for kind in site.records for record in site.all(kind)]  # site.yml's included
    found = [Correction(record, url_of(record), f"{record.kind}-{record.id}-{number}", entry["date"],
                        entry["what"], entry["why"])
             for record in records for number, entry in enumerate(record.get("corrections", []), 1)]
    return sorted(found, key=lambda correction: correction.date.sort_key, reverse=True)


def quote_counts(site: Site) -> list:
    """How many quotes each side has, in all and in each source; speakers of no side last, if any."""
    sides = site.settings["sides"]
    counts: dict = {side: defaultdict(int) for side in sides}
    for quote in site.all("quotes"):
        speaker = side_of(site, site.get("people", quote["speaker"]))
        side = speaker.id if speaker is not None and speaker.id in sides else None
        tally = counts.setdefault(side, defaultdict(int))
        tally[None] += 1
        # The wordings' sources, read through citations_in, not quote["wordings"]: reading the field would
        # tie the plan to every wording's text, while a change of what a quote cites re-plans anyway.
        for source in dict.fromkeys(source for source, name, _ in citations_in(quote) if name == "wordings"):
            tally[source] += 1
    return [(site.get("actors", side) if side is not None else None, dict(tally)) for side, tally in counts.items()]


URL_OF = {
    "topics": "topics/{id}/",
    "actors": "actors/{id}/",
    "people": "people/{id}/",
    "sources": "sources/{id}/",
    "quotes": "quotes/{id}/",
    "pages": "{id}/",
}


def url_of(record: Record) -> str:
    """The URL (from the site root) where a record is shown."""
    if record.kind in URL_OF:
        return URL_OF[record.kind].format(id=record.id)
    if record.kind == "positions":
        return f"topics/{record['topic']}/#position-{record.id}"
    if record.kind == "proposals":
        return f"proposals/#{record.id}"
    if record.kind == "events":
        return f"timeline/#{record.id}"
    return ""


def by_date(records: list[Record], name: str = "date") -> list[Record]:
    """Sort records by a date field (undated last), keeping load order among equals."""
    return sorted(records, key=lambda r: date_key(r, name))


def date_key(record: Record, name: str = "date") -> tuple:
    """What `by_date` sorts a record by: its date field, the undated after every date."""
    return record.get(name).sort_key if record.get(name) else (9999, 99, 99)


def side_of(site: Site, person: Record) -> Record | None:
    """The actor a person acted for in their first role, if any."""
    for role in person.get("roles", []):
        if role.get("actor"):
            return site.get("actors", role["actor"])
    return None


def normal_base(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")  # RFC 2606's, for documentation only


@functools.lru_cache(maxsize=8)  # asked on every page and fragment rendered, of the one base URL
def is_placeholder(base_url: str) -> bool:
    """True for a base URL on a documentation-only host, which no published site can have."""
    host = (urlsplit(base_url).hostname or "").lower()
    return any(host == name or host.endswith("." + name) for name in PLACEHOLDER_HOSTS)


def placeholder_base(site: Site, base_url: str | None = None) -> list[Problem]:
    """Warn that a site is being built for a placeholder address (its canonical links, feed and sitemap)."""
    base = normal_base(base_url or site.settings["base_url"])
    if not is_placeholder(base):
        return []
    return [warning(*site.settings.where("base_url"),
                    f"base_url {base} is a placeholder: the canonical links, the feed, the sitemap and "
                    "citations would give addresses that are not the site's; set base_url, or build with --base-url")]


def plan(site: Site, base_url: str | None = None) -> tuple[list[Page], list[Problem]]:
    """List every page of the site; report two pages that would write the same file."""
    base = normal_base(base_url or site.settings["base_url"])
    lookup = Lookup(site)
    base_path = urlsplit(base).path or "/"
    pages = [
        Page("", "index", site.settings["title"], index_context(site, lookup)),
        Page("topics/", "topics", "Topics", {"topics": site.all("topics")}),
        Page("actors/", "actors", "Actors", {"actors": site.all("actors")}),
        Page("people/", "people", "People", {"people": sorted(site.all("people"), key=lambda p: p["name"])}),
        Page("sources/", "sources", "Sources", {"sources": by_date(site.all("sources"), "published")}),
        Page("quotes/", "quotes", "Quotes", {"quotes": lookup.quotes}),
        Page("proposals/", "proposals", "Proposals", proposals_context(site)),
        Page("timeline/", "timeline", "Timeline", timeline_context(lookup)),
        Page("about/", "about", "About this site", {"sources": by_date(site.all("sources"), "published"),
                                                    "quote_counts": quote_counts(site)}),
        Page("corrections/", "corrections", "Corrections", {"corrections": corrections_of(site)}),
        Page("404.html", "404", "Page not found", {"base_path": base_path}),
        Page("data/", "data", "Open data", {"kinds": data_kinds()}),
        Page("search/", "search", "Search"),
        Page("feed.xml", "feed", "Timeline", {"events": list(reversed(lookup.events)),
                                              "corrections": corrections_of(site)}),
        Page("robots.txt", "robots", "robots.txt"),
    ]
    for topic in site.all("topics"):
        pages.append(Page(url_of(topic), "topic", Title(site, topic, "title"), topic_context(site, topic, lookup),
                          where(topic)))
    for kind, template, title in (("actors", "actor", "name"), ("people", "person", "name"),
                                  ("sources", "source", "headline"), ("quotes", "quote", None),
                                  ("pages", "page", "title")):
        for record in site.all(kind):
            pages.append(Page(url_of(record), template, Title(site, record, title),
                              {"record": record, "related": related(site, record, lookup)}, where(record)))
    pages = paginate(pages, site.settings.get("per_page", PER_PAGE))
    pages.append(Page("sitemap.xml", "sitemap", "Sitemap",
                      {"urls": sorted(page.url for page in pages if not page.is_file)}))
    for page in pages:
        page.base_url = base
    return pages, collisions(pages)


PER_PAGE = 50
PAGED = {"quotes": None, "topic": None, "actor": "related", "person": "related"}  # kind: where its "quotes" are


def quotes_shown(page: Page) -> list[Record]:
    """The quotes a page lists as cards that name their speaker, as the plan gives them: a quote's own page
    its quote; a list's page (a topic's, a side's, the quotes list, or a later page of one) its part of
    the list. (A speaker's own pages list theirs without the name: cards no other page shows.)"""
    if page.kind == "quote":
        return [page.context["record"]]
    if page.kind == "listing":
        return page.context["quotes"] if page.context["show_speaker"] else []
    if page.kind in PAGED and page.kind != "person":
        return (page.context if PAGED[page.kind] is None else page.context[PAGED[page.kind]])["quotes"]
    return []


def paginate(pages: list[Page], per_page: int) -> list[Page]:
    """Split each long list of quotes over numbered pages: the first page keeps its URL and all else it
    shows; pages 2, 3, ... (at <url>page/<n>/, template listing.html) show the rest of the list."""
    result = []
    for page in pages:
        result.append(page)
        if page.kind not in PAGED:
            continue
        holder = page.context if PAGED[page.kind] is None else page.context[PAGED[page.kind]]
        quotes = holder["quotes"]
        parts = [quotes[start:start + per_page] for start in range(0, len(quotes), per_page)] or [[]]
        urls = (page.url,) + tuple(f"{page.url}page/{number}/" for number in range(2, len(parts) + 1))
        if len(parts) > 1:
            holder = {**holder, "quotes": parts[0]}
            page.context = {**page.context, **({"quotes": parts[0]} if PAGED[page.kind] is None
                                               else {PAGED[page.kind]: holder})}
        page.context["pager"] = Pager(1, urls, len(quotes))
        first = FirstPage(page.url, page.heading, page.kind)
        for number in range(2, len(parts) + 1):
            result.append(Page(urls[number - 1], "listing", Continued(first, number, len(parts)),
                               {"first": first, "quotes": parts[number - 1], "show_speaker": page.kind != "person",
                                "pager": Pager(number, urls, len(quotes), (number - 1) * per_page + 1)},
                               page.origin))
    return result


def data_kinds() -> list[dict]:
    """The kinds published under data/, with every declared field (nested ones as a.b), for the data page."""
    from . import schema

    def rows(fields, prefix=""):
        for declared in fields:
            yield {"name": prefix + declared.name, "required": declared.required, "doc": declared.doc}
            inner = declared.type.item if isinstance(declared.type, schema.ListOf) else declared.type
            if isinstance(inner, schema.Struct):
                marker = "[]." if isinstance(declared.type, schema.ListOf) else "."
                yield from rows(inner.fields, prefix + declared.name + marker)

    return [{"name": kind.name, "doc": kind.doc, "fields": list(rows(kind.fields))}
            for kind in schema.KINDS.values() if not kind.single]


def where(record: Record) -> tuple:
    return record.where("id")


def collisions(pages: list[Page]) -> list[Problem]:
    """Report pages that would write the same file."""
    problems = []
    first: dict[str, Page] = {}
    for page in pages:
        other = first.setdefault(page.output, page)
        if other is page:
            continue
        elsewhere = f"the built-in {other.kind} page" if other.origin is None else \
            "the page of {}:{}:{}".format(*other.origin)
        problems.append(error(*(page.origin or other.origin or ("site", 1, 1)),
                              f"two pages would write {page.output}: this record's page and {elsewhere}; "
                              "change the id"))
    return problems


def quote_title(site: Site, quote: Record) -> str:
    speaker = site.records["people"].get(quote["speaker"])
    words = quote["wordings"][0]["text"].split()
    short = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return f"{speaker['name'] if speaker else quote['speaker']}: “{short}”"


class Lookup:
    """Every 'which records point at this one' list, built once so each page is a dictionary lookup."""

    def __init__(self, site: Site):
        self.quotes = by_date(site.all("quotes"), "said")
        self.events = by_date(site.all("events"))
        self.by: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        for person in site.all("people"):
            for actor in dict.fromkeys(role.get("actor") for role in person["roles"] if role.get("actor")):
                self.by["people-of-actor"][actor].append(person)
                self.by["actors-of-person"][person.id].append(actor)
        for quote in self.quotes:  # by date, as the quotes list: so are the lists made here
            self.by["quotes-of-speaker"][quote["speaker"]].append(quote)
            for actor in self.by["actors-of-person"].get(quote["speaker"], []):
                self.by["quotes-for-actor"][actor].append(quote)
            for topic in quote.get("topics", []):
                self.by["quotes-on-topic"][topic].append(quote)
            if quote.get("event"):
                self.by["quotes-at-event"][quote["event"]].append(quote)
        for event in self.events:
            for person in event.get("people", []):
                self.by["events-with-person"][person].append(event)
            for topic in event.get("topics", []):
                self.by["events-on-topic"][topic].append(event)
        for position in site.all("positions"):
            self.by["positions-of-actor"][position["actor"]].append(position)
            self.by["positions-on-topic"][position["topic"]].append(position)
            for quote in position.get("quotes", []):
                self.by["positions-with-quote"][quote].append(position)
        for proposal in site.all("proposals"):
            self.by["proposals-by-actor"][proposal["by"]].append(proposal)
            for topic in proposal.get("topics", []):
                self.by["proposals-on-topic"][topic].append(proposal)

    def __call__(self, relation: str, record_id: str) -> list:
        return self.by[relation].get(record_id, [])


def index_context(site: Site, lookup: Lookup) -> IndexContext:
    sides = site.settings["sides"]
    matrix = [(topic, [[p for p in lookup("positions-on-topic", topic.id) if p["actor"] == side] for side in sides])
              for topic in site.all("topics")]
    chosen = set(site.settings.get("at_a_glance", {}).get("events", ()))
    events = [event for event in lookup.events if event.id in chosen] if chosen else lookup.events[-6:]
    return {"matrix": matrix, "events": events}


def topic_context(site: Site, topic: Record, lookup: Lookup) -> TopicContext:
    positions = lookup("positions-on-topic", topic.id)
    sides = site.settings["sides"]
    others = [actor for actor in site.records["actors"]
              if actor not in sides and any(p["actor"] == actor for p in positions)]
    columns = [(site.get("actors", actor), [p for p in positions if p["actor"] == actor])
               for actor in list(sides) + others]
    shown = {quote for p in positions for quote in p.get("quotes", [])}
    return {
        "topic": topic,
        "columns": columns,
        "quotes": [q for q in lookup("quotes-on-topic", topic.id) if q.id not in shown],
        "proposals": lookup("proposals-on-topic", topic.id),
        "events": lookup("events-on-topic", topic.id),
    }


def proposals_context(site: Site) -> ProposalsContext:
    """The proposals as tables, one per proposer: each proposal against each side's answers."""
    proposals = by_date(site.all("proposals"))
    sides = list(site.settings["sides"])
    taking_part = {proposal["by"] for proposal in proposals} | {
        response["by"] for proposal in proposals for response in proposal.get("responses", [])}
    columns = sides + [actor for actor in site.records["actors"] if actor in taking_part and actor not in sides]
    groups = []
    for proposer in columns:
        rows = [(proposal, [[response for response in proposal.get("responses", []) if response["by"] == actor]
                            for actor in columns])
                for proposal in proposals if proposal["by"] == proposer]
        if rows:
            groups.append((site.get("actors", proposer), rows))
    return {"proposals": proposals, "columns": [site.get("actors", actor) for actor in columns], "groups": groups}


def gap_between(earlier, later) -> str | None:
    """How long after one event the next came, in words, to the precision both dates have; None if close."""
    if len(earlier.parts) == 3 and len(later.parts) == 3:
        days = (datetime.date(*later.parts) - datetime.date(*earlier.parts)).days
        if days < 2:
            return None
        if days < 62:
            return f"{days} days later"
    months = (later.parts[0] - earlier.parts[0]) * 12
    if len(earlier.parts) > 1 and len(later.parts) > 1:
        months += later.parts[1] - earlier.parts[1]
    elif months == 0:
        return None
    if months < 1:
        return None
    if months < 12 or (months < 24 and months % 12):
        return f"{months} month{'s' if months != 1 else ''} later"
    return f"{months // 12} year{'s' if months >= 24 else ''} later"


def timeline_context(lookup: Lookup) -> TimelineContext:
    months: list = []
    previous = None
    for event in lookup.events:
        date = event["date"]
        gap = gap_between(previous, date) if previous is not None else None
        previous = date
        if not months or months[-1][0] != date.month:
            months.append((date.month, []))
        months[-1][1].append((event, gap, lookup("quotes-at-event", event.id)))
    return {"months": months}


def related(site: Site, record: Record, lookup: Lookup) -> dict:
    """What a record's own page lists beside it."""
    if record.kind == "actors":
        return {
            "positions": lookup("positions-of-actor", record.id),
            "proposals": lookup("proposals-by-actor", record.id),
            "people": lookup("people-of-actor", record.id),
            "quotes": lookup("quotes-for-actor", record.id),
        }
    if record.kind == "people":
        return {"quotes": lookup("quotes-of-speaker", record.id), "events": lookup("events-with-person", record.id)}
    if record.kind == "sources":
        return {"statements": site.cited_by.get(record.id, [])}
    if record.kind == "quotes":
        return {
            "speaker": site.get("people", record["speaker"]),
            "positions": lookup("positions-with-quote", record.id),
            "event": site.get("events", record["event"]) if record.get("event") else None,
        }
    return {}
