"""Render: pages to HTML through strict Jinja templates, then number the notes in reading order."""

from __future__ import annotations

import html as html_module
import json
import re
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup

from .cache import Cache, PageMemo, fingerprint, reading
from .cite import PLACEHOLDER
from .link import Site
from .load import shown_path
from .pages import Page, url_of
from .problems import Problem, error

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


def environment(templates: Path) -> jinja2.Environment:
    """Strict Jinja: undefined names fail, everything is escaped unless marked safe."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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


def helpers(site: Site, page: Page) -> dict:
    """Functions templates call; each knows the page it renders for."""

    def notes(citations) -> Markup:
        return Markup("".join(site.notes.mark(c.source, c.locator) for c in citations))

    def note_to(source_id: str, locator: str | None = None) -> Markup:
        return Markup(site.notes.mark(source_id, locator))

    return {
        "site": site,
        "settings": site.settings,
        "page": page,
        "link": lambda target: relative(page, target),
        "href": lambda record: relative(page, url_of(record)),
        "notes": notes,
        "note_to": note_to,
        "cites": site.citations_of,
        "get": site.get,
        "actor": lambda actor_id: site.get("actors", actor_id),
        "person": lambda person_id: site.get("people", person_id),
        "source": lambda source_id: site.get("sources", source_id),
        "linked_data": linked_data(site, page),
        "absolute": lambda target: page.base_url + target,
        "citation": lambda quote: citation_text(site, page, quote),
    }


def number_notes(html: str, page: Page, site: Site, endnotes: jinja2.Template) -> str:
    """Number note marks in reading order, one note per source and locator, and list the notes."""
    numbers: dict[int, int] = {}
    notes: list[dict] = []

    def mark(match) -> str:
        key = int(match.group(1))
        if key not in numbers:
            source_id, locator = site.notes.keys[key]
            numbers[key] = len(notes) + 1
            notes.append({"number": numbers[key], "source": site.get("sources", source_id),
                          "locator": locator, "refs": []})
        note = notes[numbers[key] - 1]
        ref = f"ref-{note['number']}-{len(note['refs']) + 1}"
        note["refs"].append(ref)
        return f'<a role="doc-noteref" href="#fn-{note["number"]}" id="{ref}">{note["number"]}</a>'

    html = PLACEHOLDER.sub(mark, html)
    # Marks side by side are separated by a comma (a mark after text is not: CSS cannot tell the two apart).
    html = html.replace('</sup><sup class="note">', '</sup><sup class="note"><span class="sep">,</span>')
    section = endnotes.render(endnotes=notes, **helpers(site, page)) if notes else ""
    return html.replace(ENDNOTES, section, 1)


def template_place(exc: BaseException, templates: Path) -> tuple[str, int]:
    """Find the template file and line an error was raised in."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return shown_path(Path(exc.filename)), exc.lineno or 1
    place = (shown_path(templates), 1)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith(".html") and Path(name).is_file():
            place = (shown_path(Path(name)), line)
    return place


def render(site: Site, pages: list[Page], templates: Path, cache: Cache | None = None,
           changed: set | None = None) -> tuple[dict[str, str | None], dict, list[Problem]]:
    """Render every page whose plan or read records changed since the cache's last build.

    Returns {output path: html, or None where the file written last time still holds},
    the pages' memos for the next build, and any template problems.
    """
    env = environment(templates)
    outputs: dict[str, str | None] = {}
    memos: dict = {}
    problems: list[Problem] = []
    earlier = cache.pages if cache is not None and changed is not None else {}
    try:
        endnotes = env.get_template("_endnotes.html")
        loaded = {page.kind: env.get_template(page.template) for page in pages}
    except jinja2.TemplateNotFound as exc:
        return {}, {}, [error(shown_path(templates / exc.name), 1, 1, f"template {exc.name} not found")]
    except jinja2.TemplateError as exc:
        path, line = template_place(exc, templates)
        return {}, {}, [error(path, line, 1, f"template: {exc.message}")]
    failed: set[str] = set()
    for page in pages:
        if page.kind in failed:
            continue
        memo = earlier.get(page.output)
        plan_print = fingerprint(page)
        if memo is not None and memo.fingerprint == plan_print and not memo.reads & changed:
            outputs[page.output], memos[page.output] = None, memo
            continue
        reads: set = set()
        token = reading.set(reads)
        try:
            html = loaded[page.kind].render(**page.context, **helpers(site, page))
            outputs[page.output] = number_notes(html, page, site, endnotes) if page.template.endswith(
                ".html") else PLACEHOLDER.sub("", html)
            memos[page.output] = PageMemo(plan_print, frozenset(reads))
        except Exception as exc:  # noqa: BLE001 - a template bug is reported, not raised
            failed.add(page.kind)
            path, line = template_place(exc, templates)
            problems.append(error(path, line, 1, f"template {page.template} failed on {page.output}: {exc}"))
        finally:
            reading.reset(token)
    return outputs, memos, problems
