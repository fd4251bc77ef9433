"""Search: the records a reader can find, fed to Pagefind's service, which writes the index into pagefind/.

No page is read back: each searchable page gives one search record or more from the records it
shows (`entries`): the words a result should match, its title, where it leads and its filters
(kind, speaker, side, topic). A topic's positions, each proposal with the answers to it, and each
event of the timeline are records of their own, leading to their section of the page and titled
by what they are ("Russia's position on NATO enlargement"). "Side" is the side of whoever speaks:
a quote's speaker's, a position's actor, a proposal's and its answers' actors. The quotes a page only lists are left to
their own pages, so that each is found once.

A build starts Pagefind's service (`pagefind_service.Service`) and feeds it while its pages
render (`start`), and waits for the written index before the site is swapped in (`Indexing.wait`);
the preview (`serve`) keeps one service and, in the background, gives it the records a save
changed (`Live`).
Pagefind writes its index, its wasm and its UI into `pagefind/`, so every search asset is served by
the site itself.

Pagefind lists filter values in hash-map order, which changes from run to run, and names each
file by a hash of its content; `settle` sorts those lists and renames the files, so that the
same site gives the same bytes every time (the rest of its output is stable already).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .link import Site
from .load import shown_path
from .pages import Page, side_of, url_of
from .pagefind_service import Service, ServiceError
from .problems import Problem, error
from .render import plain

FOLDER = "pagefind"
BACKGROUND = 10  # how much a background Pagefind gives way to other work (a `nice` value)
SIGNATURE = b"pagefind_dcd"
log = logging.getLogger("stances")

KINDS = {"quote": "Quotes", "topic": "Topics and positions", "proposals": "Proposals",
         "person": "People", "actor": "Actors", "source": "Sources", "timeline": "Timeline"}


@dataclass(frozen=True)
class Entry:
    """One search record: where it leads (from the site's root), its title, its words and its filters."""

    url: str
    title: str
    content: str
    filters: dict = field(default_factory=dict)  # name -> sorted values; names without values left out


def entries(site: Site, pages: Iterable[Page]) -> Iterator[Entry]:
    """Every search record of the site, in the pages' order."""
    for page in pages:
        make = MAKERS.get(page.kind)
        if make is not None:
            yield from make(site, page)


# -- the words

def text(*parts) -> str:
    """The words of some values (plain text, rendered Markdown, dates), one line each, those missing left out."""
    return "\n".join(plain(part) if hasattr(part, "__html__") else str(part) for part in parts if part)


def name_of(actor) -> str:
    return actor.get("short_name") or actor["name"]


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def filters(kind: str, speakers=(), sides=(), topics=()) -> dict:
    found = {"kind": [KINDS[kind]], "speaker": sorted({person["name"] for person in speakers}),
             "side": sorted({name_of(actor) for actor in sides}), "topic": sorted({topic["title"] for topic in topics})}
    return {name: values for name, values in found.items() if values}


def quotes_of(site: Site, said) -> list:
    return [site.get("quotes", quote) for quote in said.get("quotes", [])]


def speakers_of(site: Site, quotes) -> list:
    return [site.get("people", quote["speaker"]) for quote in quotes]


def topics_of(site: Site, record) -> list:
    return [site.get("topics", topic) for topic in record.get("topics", [])]


def address(record) -> str:
    return "/" + url_of(record)


# -- one maker per kind of page

def quote_entries(site: Site, page: Page) -> Iterator[Entry]:
    quote = page.context["record"]
    speaker = site.get("people", quote["speaker"])
    side = side_of(site, speaker)
    event = page.context["related"]["event"]
    topics = topics_of(site, quote)
    yield Entry(address(quote), page.title,
                text(*(wording["text"] for wording in quote["wordings"]), speaker["name"], quote.get("occasion"),
                     quote.get("place"), quote.get("said"), quote.get("context"), event and event["title"],
                     *(topic["title"] for topic in topics)),
                filters("quote", [speaker], [side] if side else [], topics))


def topic_entries(site: Site, page: Page) -> Iterator[Entry]:
    topic = page.context["topic"]
    yield Entry("/" + page.url, page.title, text(topic["title"], topic["summary"]), filters("topic", topics=[topic]))
    for actor, positions in page.context["columns"]:
        for position in positions:
            quotes = quotes_of(site, position)
            yield Entry(address(position), f"{possessive(name_of(actor))} position on {topic['title']}",
                        text(position["stance"], position.get("detail")),
                        filters("topic", speakers_of(site, quotes), [actor], [topic]))


def proposal_entries(site: Site, page: Page) -> Iterator[Entry]:
    # The answers are part of their proposal's record: Pagefind keeps one record an address, and the
    # proposal's section is where they are shown. So its sides are the proposer's and the answerers'.
    for proposal in page.context["proposals"]:
        by = site.get("actors", proposal["by"])
        answers = proposal.get("responses", [])
        answering = [site.get("actors", answer["by"]) for answer in answers]
        yield Entry(address(proposal), f"{possessive(name_of(by))} proposal: {proposal['title']}",
                    text(proposal["title"], by["name"], *(site.get("actors", to)["name"] for to in proposal.get("to", [])),
                         proposal.get("date"), proposal.get("document"), proposal.get("summary"),
                         *(part for answer, actor in zip(answers, answering)
                           for part in (actor["name"], answer.get("date"), answer.get("summary")))),
                    filters("proposals", speakers_of(site, [quote for said in [proposal, *answers]
                                                             for quote in quotes_of(site, said)]),
                            [by, *answering], topics_of(site, proposal)))


def timeline_entries(site: Site, page: Page) -> Iterator[Entry]:
    for _, events in page.context["months"]:
        for event, _, said in events:
            yield Entry(address(event), f"{event['date']}: {event['title']}",
                        text(event["date"], event["title"], event.get("place"), event.get("summary")),
                        filters("timeline", speakers_of(site, said), topics=topics_of(site, event)))


def person_entries(site: Site, page: Page) -> Iterator[Entry]:
    person = page.context["record"]
    quotes = page.context["related"]["quotes"]
    sides = [site.get("actors", role["actor"]) for role in person["roles"] if role.get("actor")]
    yield Entry(address(person), page.title,
                text(person["name"], *(role["title"] for role in person["roles"]), *(actor["name"] for actor in sides),
                     person.get("summary")),
                filters("person", [person], sides, [topic for quote in quotes for topic in topics_of(site, quote)]))


def actor_entries(site: Site, page: Page) -> Iterator[Entry]:
    actor = page.context["record"]
    related = page.context["related"]
    yield Entry(address(actor), page.title,
                text(actor["name"], actor.get("short_name"), actor.get("summary"),
                     *(person["name"] for person in related["people"])),
                filters("actor", speakers_of(site, related["quotes"]), [actor],
                        [site.get("topics", position["topic"]) for position in related["positions"]]))


def source_entries(site: Site, page: Page) -> Iterator[Entry]:
    source = page.context["record"]
    yield Entry(address(source), page.title,
                text(source["headline"], source["outlet"], source["published"], *source.get("notes", [])),
                filters("source"))


MAKERS = {"quote": quote_entries, "topic": topic_entries, "proposals": proposal_entries,
          "timeline": timeline_entries, "person": person_entries, "actor": actor_entries, "source": source_entries}


# -- Pagefind

class Indexing:
    """A search index that Pagefind is writing while the build goes on: `wait` for it."""

    def __init__(self, out: Path, service: Service | None = None, written: int | None = None,
                 into: Path | None = None, problems: list | None = None):
        self.out, self.service, self.written, self.into = out, service, written, into
        self.problems = problems or []
        self.peak_memory: int | None = None  # Pagefind's, in bytes, where the system says

    def wait(self) -> list[Problem]:
        """Wait until the index is written and settled; its problems, if Pagefind failed."""
        if self.service is None:
            return self.problems
        try:
            self.service.answer(self.written, "WriteFiles")
            self.service.finished_writing(self.into)
            self.peak_memory = self.service.peak_memory()
        except ServiceError as exc:
            return [problem(self.out, exc)]
        finally:
            self.service.close()
            self.service = None
        try:
            settle(self.into)
        except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
            log.warning("search index left as Pagefind wrote it, in an order that may change between builds: %s", exc)
        return []


    def cancel(self) -> None:
        """Stop Pagefind, if it is still at work: its index is no longer wanted."""
        if self.service is not None:
            self.service.close()
            self.service = None


def problem(out: Path, exc: Exception) -> Problem:
    return error(shown_path(out), 1, 1, f"search index: {exc}")


def start(records: Iterable[Entry], into: Path, language: str, out: Path, background: bool = False) -> Indexing:
    """Start Pagefind, give it every record and ask for the index in `into`; do not wait for it to be written.

    `out` is the site the index is for, where a failure is reported. `background`: Pagefind gives way
    to other work (the preview's builds)."""
    service = None
    try:
        service = Service(nice=BACKGROUND if background else 0)
        index_id = service.new_index({"force_language": language})
        for entry in records:
            service.add_record(index_id, entry.url, entry.content, language, {"title": entry.title},
                               entry.filters)
        return Indexing(out, service, service.write_files(index_id, into), into)
    except ServiceError as exc:
        if service is not None:
            service.close()
        return Indexing(out, problems=[problem(out, exc)])


def index(records: Iterable[Entry], into: Path, language: str, out: Path, background: bool = False) -> list[Problem]:
    """Write the search index of these records into `into`."""
    return start(records, into, language, out, background).wait()


def replace(out: Path, records: Iterable[Entry], language: str, background: bool = False) -> list[Problem]:
    """Index a written site again, swapping the new index in whole."""
    building = out / f".{FOLDER}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    problems = index(records, building, language, out, background)
    if not problems:
        swap_in(building, out)
    shutil.rmtree(building, ignore_errors=True)
    return problems


def swap_in(fresh: Path, out: Path) -> None:
    old = out / f".{FOLDER}-old-{os.getpid()}"
    if (out / FOLDER).exists():
        (out / FOLDER).rename(old)
    fresh.rename(out / FOLDER)
    shutil.rmtree(old, ignore_errors=True)


class Live:
    """The preview's search index: one Pagefind service kept from save to save, given only what changed.

    Pagefind's service keeps the records it was given, and one given again at the same address takes
    the old one's place; each WriteFiles builds the whole index again from them, but writes only the
    files not in its folder already (each is named by its content). So after a save only the records
    that changed are sent, and the index is written into a copy of the live one made of hard links
    (`carry_over`: no file is copied), then swapped in whole as `replace` does. Pagefind cannot be
    told to forget a record, and numbers records in the order it first took them: when one is gone,
    added or moved, a new service starts from all of them, so that the index is always the one a
    fresh build writes, byte for byte."""

    def __init__(self):
        self.service: Service | None = None
        self.index_id = 0
        self.language = ""
        self.sent: dict[str, Entry] = {}  # url -> the record Pagefind holds for it

    def update(self, out: Path, records: Iterable[Entry], language: str, background: bool = False) -> list[Problem]:
        """Bring `out`'s search index to these records."""
        wanted = {entry.url: entry for entry in records}
        fresh = out / f".{FOLDER}-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            if self.service is None or language != self.language or list(wanted) != list(self.sent):
                self.close()
                self.service = Service(nice=BACKGROUND if background else 0, kept=True)
                self.index_id = self.service.new_index({"force_language": language})
                self.language = language
            carry_over(out / FOLDER, fresh)
            for url, entry in wanted.items():
                if self.sent.get(url) != entry:
                    self.service.add_record(self.index_id, url, entry.content, language, {"title": entry.title},
                                            entry.filters)
            self.sent = {}  # until Pagefind has taken them all
            self.service.answer(self.service.write_files(self.index_id, fresh), "WriteFiles")
            self.service.finished_writing(fresh)
            self.sent = wanted
        except ServiceError as exc:
            self.close()
            shutil.rmtree(fresh, ignore_errors=True)
            return [problem(out, exc)]
        try:
            settle(fresh)
        except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
            log.warning("search index left as Pagefind wrote it, in an order that may change between builds: %s", exc)
        try:
            prune(fresh)  # the files of records that changed or went, carried over
        except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError) as exc:
            log.warning("search index: files of earlier records left in it: %s", exc)
        swap_in(fresh, out)
        return []

    def close(self) -> None:
        if self.service is not None:
            self.service.close()
        self.service, self.sent = None, {}


def carry_over(live: Path, fresh: Path) -> None:
    """Hard-link into `fresh` the fragment, word and filter files of the index in `live`: Pagefind then
    writes only the files that are new. Whatever cannot be linked, it writes."""
    try:
        for folder in PARTS:
            (fresh / folder).mkdir(parents=True, exist_ok=True)
        for name in parts_of(live):
            os.link(live / name, fresh / name)
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError):
        pass


def prune(bundle: Path) -> None:
    """Delete the fragment, word and filter files that the index in `bundle` no longer leads to."""
    kept = parts_of(bundle)
    for folder in PARTS:
        for name in os.listdir(bundle / folder):
            if f"{folder}/{name}" not in kept:
                (bundle / folder / name).unlink()


PARTS = ("fragment", "index", "filter")


def parts_of(bundle: Path) -> set[str]:
    """The fragment, word and filter files (relative names) that an index's entry and meta files lead to."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    names = set()
    for language in entry["languages"].values():
        meta = unpack((bundle / f"pagefind.{language['hash']}.pf_meta").read_bytes())
        names.update(f"fragment/{page[0]}.pf_fragment" for page in meta[1])
        names.update(f"index/{chunk[2]}.pf_index" for chunk in meta[2])
        names.update(f"filter/{found[1]}.pf_filter" for found in meta[3])
    return names


# -- a stable index

def settle(bundle: Path) -> None:
    """Sort the filter lists Pagefind wrote in hash-map order, and rename what they change."""
    entry = bundle / "pagefind-entry.json"
    text = entry.read_text(encoding="utf-8")
    for meta_file in sorted(bundle.glob("pagefind.*.pf_meta")):
        old_hash = meta_file.name[len("pagefind."):-len(".pf_meta")]
        language = old_hash.rsplit("_", 1)[0]
        meta = unpack(meta_file.read_bytes())
        found = []
        for name, filter_hash in meta[3]:
            path = bundle / "filter" / f"{filter_hash}.pf_filter"
            values = unpack(path.read_bytes())
            values[1].sort(key=lambda value: value[0])
            new_hash = write(bundle / "filter", language, len(filter_hash) - len(language) - 1, values, ".pf_filter")
            if new_hash != filter_hash:
                path.unlink()
            found.append([name, new_hash])
        meta[3] = sorted(found)
        new_hash = write(bundle, language, len(old_hash) - len(language) - 1, meta, ".pf_meta", "pagefind.")
        if new_hash != old_hash:
            meta_file.unlink()
            text = text.replace(f'"{old_hash}"', f'"{new_hash}"')
    entry.write_text(text, encoding="utf-8")


def write(folder: Path, language: str, digits: int, value, suffix: str, prefix: str = "") -> str:
    """Write a value as Pagefind does (signed, CBOR, gzip), named by a hash of it; return that name."""
    data = gzip.compress(SIGNATURE + encode(value), mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    path = folder / f"{prefix}{name}{suffix}"
    if not path.exists():  # named by its content, it holds these bytes already (and may be linked to a live index)
        path.write_bytes(data)
    return name


def unpack(data: bytes):
    unpacked = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    if not unpacked.startswith(SIGNATURE):
        raise ValueError("not a Pagefind index file")
    value, end = decode(unpacked, len(SIGNATURE))
    if end != len(unpacked):
        raise ValueError("trailing bytes in a Pagefind index file")
    return value


# The little CBOR (RFC 8949) that Pagefind's index files use: unsigned integers, text, arrays.
def decode(data: bytes, at: int):
    major, argument, at = head(data, at)
    if major == 0:
        return argument, at
    if major == 3:
        return data[at:at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unexpected CBOR major type {major}")


def head(data: bytes, at: int) -> tuple[int, int, int]:
    major, info = data[at] >> 5, data[at] & 31
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def encode(value) -> bytes:
    if isinstance(value, int):
        return encode_head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return encode_head(3, len(raw)) + raw
    return encode_head(4, len(value)) + b"".join(encode(item) for item in value)


def encode_head(major: int, argument: int) -> bytes:
    for info, size, limit in ((None, 0, 24), (24, 1, 1 << 8), (25, 2, 1 << 16), (26, 4, 1 << 32), (27, 8, 1 << 64)):
        if argument < limit:
            first = bytes([major << 5 | (argument if info is None else info)])
            return first + (argument.to_bytes(size, "big") if size else b"")
    raise ValueError("integer too large for CBOR")
