"""Render: pages to HTML through strict Jinja templates, then number the notes in reading order."""

from __future__ import annotations

import html as html_module
import json
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .environment import Environment
from .cite import PLACEHOLDER
from .link import Site
from .files import layers
from .load import shown_path
from .pages import Page, date_key, is_placeholder, quotes_shown, side_of, url_of
from .problems import Problem, error
from .shares import shared

ENDNOTES = "<!--stances:endnotes-->"


def relative(page: Page, target: str) -> str:
    """A link from a page to a site URL that works under any sub-path (absolute on the 404 page)."""
    if page.kind == "404":
        return page.context["base_path"] + target
    here, _, fragment = target.partition("#")
    if here == page.url and fragment:
        return "#" + fragment
    depth = page.url.count("/")
    return "../" * depth + target or "./"


# In a fragment (a card, block or note, rendered once and shown on pages at every depth) a link
# is written from the site's root, behind a marker that `place_links` turns into the way up from
# the page that shows it. Validation refuses control characters in content, so content cannot forge one.
ROOT = "\x05"  # stands for "../" once per folder the page is in
HOME = "\x06"  # a link to the home page itself: the same, or "./" on a page at the root


def from_root(page: Page, target: str) -> str:
    """A fragment's link to a site URL, finished by `place_links` on each page that shows it."""
    if page.kind == "404":
        return relative(page, target)
    return ROOT + target if target else HOME


def place_links(html: str, page: Page) -> str:
    """Finish the links fragments wrote from the root (see `from_root`) for the page they are shown on."""
    if ROOT not in html and HOME not in html:
        return html
    up = "../" * page.url.count("/")
    html = html.replace(ROOT + page.url + "#", "#")  # to a place on this very page, as `relative` writes it
    return html.replace(ROOT, up).replace(HOME, up or "./")


def environment(templates: Path) -> jinja2.Environment:
    """Strict Jinja: undefined names fail, everything is escaped unless marked safe."""
    env = Environment(
        loader=jinja2.FileSystemLoader(layers(templates)),  # the site's own first, then the defaults
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Jinja would look at a template file's time stamp at each use (every extends, import, block):
        # a change to the templates makes a new environment instead (see `render`).
        auto_reload=False,
    )
    env.filters["plain"] = plain
    env.filters["format_updated"] = lambda key: "{:04d}-{:02d}-{:02d}T00:00:00Z".format(
        key[0], max(key[1], 1), max(key[2], 1))
    env.filters["json"] = lambda value: Markup(
        json.dumps(value, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("&", "\\u0026"))
    return env


NOTE_MARK = re.compile("<sup class=\"note\">\x02\\d+\x03</sup>")
TAG = re.compile(r"<[^>]+>")
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0's Char


def plain(html: str) -> str:
    """Rendered prose as plain text, without its note marks (for feeds, metadata and data files)."""
    return html_module.unescape(TAG.sub("", NOTE_MARK.sub("", str(html)))).strip()


def linked_data(site: Site, page: Page) -> dict | None:
    """schema.org JSON-LD: the site on the home page, a Quotation per quote, a NewsArticle per source."""
    def article(source):
        data = {"@type": "NewsArticle", "headline": source["headline"], "datePublished": source["published"].value,
                "publisher": {"@type": "Organization", "name": source["outlet"]},
                "inLanguage": source["language"], "mainEntityOfPage": page.base_url + url_of(source)}
        if source.get("url"):
            data["url"] = source["url"]
        return data

    if page.kind == "index":
        return {"@context": "https://schema.org", "@type": "WebSite", "name": site.settings["title"],
                "description": site.settings["description"], "url": page.base_url,
                "inLanguage": site.settings["language"]}
    if page.kind == "source":
        return {"@context": "https://schema.org", **article(page.context["record"])}
    if page.kind == "quote":
        quote = page.context["record"]
        speaker = site.get("people", quote["speaker"])
        source_ids = dict.fromkeys(c.source for w in quote["wordings"] for c in w["cite"])
        sources = [site.get("sources", source_id) for source_id in source_ids]
        data = {"@context": "https://schema.org", "@type": "Quotation", "text": quote["wordings"][0]["text"],
                "url": page.absolute, "spokenByCharacter": {"@type": "Person", "name": speaker["name"]},
                "isBasedOn": [article(source) for source in sources]}
        if quote.get("said"):
            data["dateCreated"] = quote["said"].value
        return data
    return None


def citation_text(site: Site, page: Page, quote) -> str:
    """A plain-text citation of a quote: speaker, words, occasion, date, outlet, headline, page address."""
    speaker = site.get("people", quote["speaker"])
    wording = quote["wordings"][0]
    said = ", ".join(str(part) for part in (quote.get("occasion"), quote.get("place"), quote.get("said")) if part)
    reported = "; ".join(f"{source['outlet']}, “{source['headline']}”, {source['published']}"
                         for source in (site.get("sources", source_id)
                                        for source_id in dict.fromkeys(c.source for c in wording["cite"])))
    return (f"{speaker['name']}: “{wording['text']}”" + (f" ({said})" if said else "")
            + f". Reported by {reported}. {page.base_url}{url_of(quote)}")


def helpers(site: Site, page: Page, renderer: "Renderer | None" = None, whole: bool = True) -> dict:
    """Functions templates call; each knows the page it renders for (`whole`: the page, not a fragment of it)."""

    def notes(citations) -> Markup:
        return Markup("".join(site.notes.mark(c.source, c.locator) for c in citations))

    def note_to(source_id: str, locator: str | None = None) -> Markup:
        return Markup(site.notes.mark(source_id, locator))

    def to(target: str) -> str:
        return relative(page, target) if whole else from_root(page, target)

    def quote_card(quote, show_speaker: bool = True) -> Markup:
        return renderer.card(page, quote, show_speaker)

    def quote_cards(quotes, show_speaker: bool = True) -> Markup:
        return Markup("".join([renderer.card(page, quote, show_speaker) for quote in quotes]))

    sides = site.settings["sides"]

    def position_quotes(position) -> dict:
        """A position's quotes: a few words (shown inline), its own side's, and any other side's."""
        quotes = [site.get("quotes", quote_id) for quote_id in position.get("quotes", [])]

        def own(quote) -> bool:
            side = side_of(site, site.get("people", quote["speaker"]))
            return side is not None and side.id == position["actor"]

        fragments = [quote for quote in quotes if is_fragment(quote)]
        cards = [quote for quote in quotes if not is_fragment(quote)]
        return {"fragments": fragments, "own": [q for q in cards if own(q)],
                "borrowed": [q for q in cards if not own(q)], "any_own": any(own(q) for q in quotes)}

    def side_class(actor_id: str | None) -> str:
        """The class that gives a side its colour: side-1, side-2... in site.yml's order, else side-other."""
        return f"side-{sides.index(actor_id) + 1}" if actor_id in sides else "side-other"

    def side_tag(actor) -> Markup:
        """A side's label in its colour: never the colour alone."""
        name = actor.get("short_name") or actor["name"]
        # Markup.format escapes the same way, through string.Formatter: three times as long, on every card
        return Markup('<span class="side-tag {}">{}</span>'.format(escape(side_class(actor.id)), escape(name)))

    return {
        "site": site,
        "settings": site.settings,
        "page": page,
        "link": to,
        "href": lambda record: to(url_of(record)),
        "notes": notes,
        "note_to": note_to,
        "quote_card": quote_card,
        "quote_cards": quote_cards,
        "block": lambda name, record: renderer.block(page, name, record),
        "cites": site.citations_of,
        "get": site.get,
        "actor": lambda actor_id: site.get("actors", actor_id),
        "person": lambda person_id: site.get("people", person_id),
        "source": lambda source_id: site.get("sources", source_id),
        "linked_data": linked_data(site, page) if whole else None,
        "absolute": lambda target: page.base_url + target,
        "citation": lambda quote: citation_text(site, page, quote),
        "placeholder_base": is_placeholder(page.base_url),
        "position_quotes": position_quotes,
        "lead": lead,
        "side_classes": lambda: {actor.get("short_name") or actor["name"]: side_class(actor.id)
                                 for actor in (site.get("actors", side) for side in sides)},
        "side_class": side_class,
        "side_tag": side_tag,
        "side_of": lambda person: side_of(site, person),
        "url_of": url_of,
    }


def lead(html) -> tuple[Markup, Markup]:
    """Rendered prose split after its first paragraph (the lead), and the rest ('' when there is none)."""
    html = str(html)
    end = html.find("</p>\n") + len("</p>\n")
    if not html.startswith("<p>") or end < len("</p>\n") or not html[end:].strip():
        return Markup(html), Markup("")
    return Markup(html[:end]), Markup(html[end:])


FRAGMENT_WORDS = 4  # a quote of this many words or fewer, in one wording, reads inline, not as a card


def is_fragment(quote) -> bool:
    """A quote of a few words (one wording): shown inline beside the statement that uses it."""
    return len(quote["wordings"]) == 1 and len(quote["wordings"][0]["text"].split()) <= FRAGMENT_WORDS


NUMBER = "\x04"  # stands for a note's number in an endnote kept as a fragment (validation refuses it in content)
SEPARATED = '</sup><sup class="note"><span class="sep">,</span>'


def links(page: Page) -> str:
    """How a fragment's links are written on a page: from the root, or absolute on the 404 page."""
    return "absolute" if page.kind == "404" else "from root"


@dataclass
class Fragments:
    """Quote cards, notes and other record blocks rendered once and reused on every page that shows them.

    Each entry keeps the records it read, and each record the entries that read it, so that a
    rebuild drops just the entries an edit touched without looking at the others.

    The HTML is kept as UTF-8 bytes: a text with one character such as "“" or "↩" takes two bytes
    a character as a str, and the fragments are most of what a render worker holds.
    """

    cards: dict = field(default_factory=dict)  # (quote id, show speaker, links) -> (UTF-8 html, reads)
    notes: dict = field(default_factory=dict)  # (source id, locator, references, links) -> (UTF-8 html, reads)
    blocks: dict = field(default_factory=dict)  # (template, kind, id, links) -> (UTF-8 html, reads)
    readers: dict = field(default_factory=dict)  # (kind, id) -> {(entries name, key), ...}

    def add(self, name: str, key: tuple, html, reads: frozenset) -> tuple:
        found = getattr(self, name)[key] = (html, reads)
        for record in reads:
            self.readers.setdefault(record, set()).add((name, key))
        return found

    def forget(self, changed: set) -> None:
        for record in changed:
            for name, key in self.readers.pop(record, ()):
                getattr(self, name).pop(key, None)

    def merge(self, other: "Fragments") -> None:
        """Take in what a render worker made."""
        for name in ("cards", "notes", "blocks"):
            for key, (html, reads) in getattr(other, name).items():
                if key not in getattr(self, name):
                    self.add(name, key, html, reads)


READ_NOTHING = frozenset()  # one for every fragment that reads no record (all, when nothing is tracked):
# each frozenset() made anew takes 216 bytes, 6 MB of a render worker at 10,000 quotes


class Renderer:
    """The loaded templates and the fragments rendered so far, for one site.

    `reads`, for a rebuild (see rebuild.py): the tracking.Reads that the views of the site's records
    note into, to tell the records each page and fragment reads; None for a one-off build, which
    renders the records themselves."""

    def __init__(self, site: Site, templates: Path, fragments: Fragments, env: jinja2.Environment, reads=None):
        self.site = site
        self.reads = reads
        self.templates = templates
        self.fragments = fragments
        self.env = env
        self.loaded: dict = {}
        self.card_template = self.env.get_template("_quote_card.html")
        self.note_template = self.env.get_template("_endnote.html")
        self.notes_template = self.env.get_template("_endnotes.html")

    def load(self, pages: list[Page]) -> None:
        for page in pages:
            if page.kind not in self.loaded:
                self.loaded[page.kind] = self.env.get_template(page.template)

    def fragment(self, name: str, key: tuple, template: jinja2.Template, page: Page, context) -> Markup:
        """Render a fragment once per key in self.fragments.<name> (`context()` gives its variables, only
        when it is rendered); on every use, count the records it read as the page's."""
        found = getattr(self.fragments, name).get(key)
        if found is None:

            def work() -> Markup:
                return Markup(template.render(**context(), **helpers(self.site, page, self, whole=False)))

            html, reads = (work(), READ_NOTHING) if self.reads is None else self.reads.apart(work)
            found = self.fragments.add(name, key, html.encode(), reads or READ_NOTHING)
        if self.reads is not None:
            self.reads.add(found[1])
        return Markup(found[0].decode())

    def card(self, page: Page, quote, show_speaker: bool = True) -> Markup:
        return self.fragment("cards", (quote.id, bool(show_speaker), links(page)), self.card_template,
                             page, lambda: {"quote": quote, "show_speaker": show_speaker})

    def block(self, page: Page, name: str, record) -> Markup:
        """A template (its name starting with _) rendered once per record, with `record`."""
        if not name.startswith("_"):
            raise ValueError(f"block({name!r}, ...): a block's template name starts with _")
        return self.fragment("blocks", (name, record.kind, record.id, links(page)), self.env.get_template(name),
                             page, lambda: {"record": record})

    def endnote(self, page: Page, note: "Note") -> str:
        """One article's note: rendered once per article, passages and references, numbered on each page."""
        number = str(note.number)

        def refs(counts) -> list:
            return [{"id": f"ref-{NUMBER}-{count}", "letter": letter(index)} for index, count in enumerate(counts)]

        def context() -> dict:
            return {"note": {"number": NUMBER, "source": self.site.get("sources", note.source),
                             "refs": refs(note.passages.get(None, ())),
                             "passages": [{"id": f"passage-{NUMBER}-{index}", "locator": locator, "refs": refs(counts)}
                                          for index, (locator, counts) in enumerate(note.located(), 1)]}}

        key = (note.source, tuple((locator, tuple(counts)) for locator, counts in note.passages.items()), links(page))
        html = self.fragment("notes", key, self.note_template, page, context)
        return Markup(str.replace(html, NUMBER, number))

    def page(self, page: Page) -> str:
        html = self.loaded[page.kind].render(**page.context, **helpers(self.site, page, self))
        if not page.template.endswith(".html"):
            text = place_links(PLACEHOLDER.sub("", html), page)
            # What XML cannot hold goes, e.g. a form feed that a Markdown entity (&#12;) wrote.
            return NOT_XML.sub("", text) if page.template.endswith(".xml") else text
        return place_links(self.number_notes(html, page), page)

    def number_notes(self, html: str, page: Page) -> str:
        """Number note marks in reading order, one note per article, and list the notes.

        A mark shows its article's number and leads to the passage it cites (or to the article's
        note, when it cites no passage); the note lists each passage once, with a way back to every
        place that cites it.
        """
        numbers: dict[str, Note] = {}
        keys = self.site.notes.keys

        def mark(match) -> str:
            source, locator = keys[int(match.group(1))]
            note = numbers.get(source)
            if note is None:
                note = numbers[source] = Note(len(numbers) + 1, source)
            count = note.cite(locator)
            target = f"fn-{note.number}" if locator is None else f"passage-{note.number}-{note.place(locator)}"
            return f'<a role="doc-noteref" href="#{target}" id="ref-{note.number}-{count}">{note.number}</a>'

        html = PLACEHOLDER.sub(mark, html)
        # Marks side by side are separated by a comma (a mark after text is not: CSS cannot tell the two apart).
        html = html.replace('</sup><sup class="note">', SEPARATED)
        section = ""
        if numbers:
            items = [self.endnote(page, note) for note in numbers.values()]
            section = self.notes_template.render(endnotes=items, **helpers(self.site, page, self, whole=False))
        return html.replace(ENDNOTES, section, 1)


@dataclass
class Note:
    """One article's note on a page: its number, and the references to each passage cited from it."""

    number: int
    source: str
    passages: dict = field(default_factory=dict)  # locator (None: the article as a whole) -> [reference counts]
    count: int = 0

    def cite(self, locator: str | None) -> int:
        """Count one more reference to a passage (made on first use); return its count within the note."""
        self.count += 1
        self.passages.setdefault(locator, []).append(self.count)
        return self.count

    def located(self) -> list:
        return [(locator, counts) for locator, counts in self.passages.items() if locator is not None]

    def place(self, locator: str) -> int:
        """Where a passage stands among the note's passages, from 1."""
        return [found for found in self.passages if found is not None].index(locator) + 1


def letter(index: int) -> str:
    """a, b, ... z, aa, ab, ...: the name of a note's index-th way back to the text (from 0)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = "abcdefghijklmnopqrstuvwxyz"[rest] + name
    return name


def template_place(exc: BaseException, templates: Path) -> tuple[str, int]:
    """Find the template file and line an error was raised in."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return shown_path(Path(exc.filename)), exc.lineno or 1
    place = (shown_path(layers(templates)[0]), 1)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith(".html") and Path(name).is_file():
            place = (shown_path(Path(name)), line)
    return place


def template_problem(exc: BaseException, templates: Path) -> Problem:
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(shown_path(layers(templates)[0] / exc.name), 1, 1, f"template {exc.name} not found")
    path, line = template_place(exc, templates)
    return error(path, line, 1, f"template: {getattr(exc, 'message', None) or exc}")


@dataclass
class Rendered:
    """What rendering pages gave: what `keep` made of each page (see `render`), problems, how many were written."""

    kept: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    count: int = 0
    fragments: Fragments | None = None  # what a render worker made, to take in


def render_pages(renderer: Renderer, pages: list[Page], emit, keep=None) -> Rendered:
    """Render pages and hand each to `emit(output path, text)` as soon as it is done."""
    done = Rendered()
    failed: set[str] = set()
    for page in pages:
        if page.kind in failed:
            continue
        try:
            if renderer.reads is None:
                text, reads = renderer.page(page), READ_NOTHING
            else:
                text, reads = renderer.reads.apart(lambda: renderer.page(page))
            kept = keep(page, reads) if keep is not None else None
        except Exception as exc:  # noqa: BLE001 - a template bug is reported, not raised
            failed.add(page.kind)
            path, line = template_place(exc, renderer.templates)
            done.problems.append(error(path, line, 1, f"template {page.template} failed on {page.output}: {exc}"))
            continue
        emit(page.output, text)  # a file that cannot be written is no template's fault: the writer says so
        done.count += 1
        if keep is not None:
            done.kept[page.output] = kept
    return done


def renderer_for(site: Site, pages: list[Page], templates: Path, fragments: Fragments | None = None,
                 env: jinja2.Environment | None = None, reads=None) -> Renderer | Problem:
    """The templates the pages need, loaded (or the problem that stopped them loading). A rebuild (see
    rebuild.py) gives the `fragments` and `env` it keeps, and the `reads` its views note into."""
    try:
        renderer = Renderer(site, templates, fragments or Fragments(), env or environment(templates), reads)
        renderer.load(pages)
    except jinja2.TemplateError as exc:
        return template_problem(exc, templates)
    return renderer


def render(site: Site, pages: list[Page], renderer: Renderer, emit, *, keep=None, workers: int = 1,
           meanwhile=None) -> Rendered:
    """Render the pages, each to `emit(output path, html)`, across `workers` processes.

    `keep(page, reads)`, if given, is called for each page rendered with the records it read (none unless
    the renderer tracks them: see Renderer), and what it returns is handed back in `kept` (a rebuild's
    memo of the page); the fragments the workers made are then taken into the renderer's. `meanwhile()`
    is called while the pages render in other processes (or once they have rendered, if they render here).
    """
    known = len(site.notes.keys)

    def render_share(share: list[Page]) -> Rendered:
        done = render_pages(renderer, share, emit, keep)
        # Fragments hold note keys; one made in a worker, and not here, would mean nothing here.
        done.fragments = renderer.fragments if keep is not None and len(site.notes.keys) == known else None
        return done

    total = Rendered()
    for share in shared(render_share, pages, workers, PARALLEL_FROM, meanwhile=meanwhile, cut=by_quotes_shown):
        total.kept.update(share.kept)
        total.problems += share.problems
        total.count += share.count
        if share.fragments is not None and share.fragments is not renderer.fragments:
            renderer.fragments.merge(share.fragments)
    total.problems = sorted(set(total.problems))
    return total


def by_quotes_shown(pages: list[Page], count: int) -> list[list[Page]]:
    """The pages cut into `count` shares for the render workers (shares.shared's `cut`), so that few quote
    cards are rendered twice.

    A worker renders a card once for all its pages that show it. A quote's own page, the quotes list,
    and its side's list show it among quotes of about the same date: so the pages that show quotes go
    to the workers in runs, by the date of the first quote each shows, about as many cards to each
    worker. The other pages are dealt out in turn. (With every page dealt out in turn, two workers
    rendered 29,000 cards at 10,000 quotes, where one renders 20,000: a third of their render time.)"""
    showing, rest = [], []
    for page in pages:
        quotes = quotes_shown(page)
        if quotes:
            showing.append((date_key(quotes[0], "said"), len(showing), page, len(quotes)))
        else:
            rest.append(page)
    showing.sort(key=lambda entry: entry[:2])
    weight = sum(CARD_WEIGHT + shown for *_, shown in showing)
    shares: list[list[Page]] = [[] for _ in range(count)]
    done = 0
    for *_, page, shown in showing:
        shares[min(count - 1, done * count // weight)].append(page)
        done += CARD_WEIGHT + shown
    for index, page in enumerate(rest):
        shares[index % count].append(page)
    return shares


CARD_WEIGHT = 8  # a page's cost, as the cost of so many quote cards besides those it shows (for `by_quotes_shown`)


def render_once(site: Site, pages: list[Page], templates: Path, emit, workers: int = 1,
                meanwhile=None) -> tuple[dict, list[Problem], int]:
    """Render every page for a build that keeps nothing for a next: no memos, the problems, how many."""
    renderer = renderer_for(site, pages, templates)
    if isinstance(renderer, Problem):
        return {}, [renderer], 0
    done = render(site, pages, renderer, emit, workers=workers, meanwhile=meanwhile)
    return {}, done.problems, done.count


PARALLEL_FROM = 400  # pages; below this, forking costs more than it saves
