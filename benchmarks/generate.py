#!/usr/bin/env python3
"""Write a synthetic explainer, in the real schema, for the benchmark: `DIR/content/` for stances and
`DIR/hugo/` for Hugo (the templates in benchmarks/hugo/ plus the same records as Hugo data files).

    python benchmarks/generate.py --quotes 10000 --out /tmp/corpus [--seed 1]

Shape, for N quotes: N/5 sources, N/20 people (each with one cited role), 6 actors (3 of them the
sides compared), 20 topics with a position for every side, N/50 proposals (each answered), N/20
events. Every source is cited and every person quoted, so `build.py check --strict` passes.

Files are laid out the way the shipped explainer is: one YAML file per record, content/<kind>/<id>.yml,
and content/site.yml. The output is a pure function of (N, seed).

The Hugo copy holds the same records as one JSON object per kind, keyed by id (data/<kind>.json), with
two normalisations a Hugo author would make when exporting: a citation is always {source, locator}
and a date always {date, approximate, note}. Pages come from content adapters (content/<kind>/
_content.gotmpl) that read those data files; list pages are _index.md stubs.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

WORDS = (
    "the a of to and in that it for on with as was is said would be by at this from they have not talks "
    "agreement river dam water border security troops treaty council minister government alliance proposal "
    "answer week month meeting ceasefire sanctions trade exports quota fishing rights shipping lane port "
    "pipeline gas grid tariff inspectors observers withdrawal guarantees verification missiles drills "
    "exercises patrols airspace corridor refugees aid convoy negotiators delegation envoy summit draft "
    "memorandum clause article amendment ratify reject accept consider demand insist warn threaten "
    "reassure welcome regret deny confirm expect hope believe doubt fear urge offer refuse postpone resume "
    "signal progress deadlock compromise principle sovereignty neutrality enlargement deterrence dialogue "
    "transparency reciprocity stability escalation restraint partners neighbours allies citizens farmers "
    "fishermen workers families villages towns valley coast north south east west upper lower new old "
    "long short clear serious firm open closed fair unfair legal binding final early late immediate "
    "gradual joint mutual separate direct indirect formal informal public private"
).split()

OUTLETS = ("The Northland Courier", "Southland Daily", "Eastern Wire Service", "The Valley Gazette",
           "Coastal Broadcasting", "The River Review", "Western Herald", "Frontier Radio News",
           "The Capital Observer", "Harbour Evening Post", "Upland Tribune", "The Delta Monitor")

ACTORS = (
    ("northland", "Republic of Northland", "Northland", "state"),
    ("southland", "Kingdom of Southland", "Southland", "state"),
    ("river-league", "River League", "League", "alliance"),
    ("coast-federation", "Coast Federation", "", "government"),
    ("basin-commission", "Basin Water Commission", "Commission", "organisation"),
    ("observer-mission", "Independent Observer Mission", "Observers", "other"),
)
SIDES = [actor[0] for actor in ACTORS[:3]]
TOPIC_COUNT = 20
TITLES = ("Minister of Foreign Affairs", "Deputy Minister of Defence", "Government spokesperson",
          "Chief negotiator", "Ambassador", "Secretary-General", "Head of delegation", "Prime Minister",
          "President", "Trade envoy", "Water commissioner", "Senior adviser")
OCCASIONS = ("press conference", "interview with a broadcaster", "parliamentary debate", "briefing to reporters",
             "televised address", "joint statement", "radio interview")
PLACES = ("the capital", "the border crossing", "the summit venue", "the harbour", "the council chamber",
          "the delegation's hotel", "the upper valley")


class Writer:
    """Deterministic text and dates from one random generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def words(self, low: int, high: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]

    def sentence(self, low: int = 6, high: int = 14) -> str:
        words = self.words(low, high)
        return " ".join(words).capitalize() + "."

    def plain(self, low: int, high: int) -> str:
        """Plain text of low..high words in sentences (a quote's words, a title)."""
        words = self.words(low, high)
        out, since = [], 0
        for index, word in enumerate(words):
            out.append(word.capitalize() if since == 0 else word)
            since += 1
            if since >= self.rng.randint(6, 14) and index < len(words) - 1:
                out[-1] += self.rng.choice((".", ".", ",", ";"))
                since = 0 if out[-1].endswith(".") else since
        return " ".join(out) + "."

    def markdown(self, low: int, high: int) -> str:
        """Markdown prose of low..high words: some emphasis, strong text and links."""
        words = self.words(low, high)
        for _ in range(self.rng.randint(0, 2)):
            at = self.rng.randrange(len(words))
            words[at] = self.rng.choice(("*{}*", "**{}**", "[{}](https://example.org/{})")).format(
                words[at], words[at])
        words[0] = words[0].capitalize() if not words[0].startswith(("*", "[")) else words[0]
        return " ".join(words) + "."

    def date(self, start_year: int = 2021, years: int = 3) -> str:
        year = start_year + self.rng.randrange(years)
        return f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def dated(self, approximate_share: float = 0.1, start_year: int = 2021):
        """A date as a user writes it: a string, or {date, approximate, note} when only roughly known."""
        value = self.date(start_year)
        roll = self.rng.random()
        if roll < approximate_share:
            return {"date": value, "approximate": True, "note": self.sentence(5, 10)}
        if roll < approximate_share * 1.5:
            return {"date": value[:7], "note": "The source gives only the month."}
        return value

    def pick(self, items, low: int, high: int) -> list:
        return self.rng.sample(list(items), min(len(items), self.rng.randint(low, high)))


def cite_item(source: str, locator: str | None):
    return {"source": source, "locator": locator} if locator else source


def inline(sources: list[tuple[str, str | None]]) -> str:
    """Pandoc-style citation: [@a] or [@a, excerpt; @b]."""
    return "[" + "; ".join(f"@{s}, {loc}" if loc else f"@{s}" for s, loc in sources) + "]"


def build_records(quotes: int, seed: int, per_page: int | None = None) -> dict[str, list[dict]]:
    """Every record, as a YAML-ready dict, by kind (site is a one-item list)."""
    w = Writer(seed)
    rng = w.rng
    n_sources = max(1, quotes // 5)
    n_people = max(1, quotes // 20)
    n_proposals = max(1, quotes // 50)
    n_events = max(1, quotes // 20)
    sources = [f"source-{i:06d}" for i in range(1, n_sources + 1)]
    people = [f"person-{i:05d}" for i in range(1, n_people + 1)]
    events = [f"event-{i:05d}" for i in range(1, n_events + 1)]
    topics = [f"topic-{i:02d}" for i in range(1, TOPIC_COUNT + 1)]
    quote_ids = [f"quote-{i:06d}" for i in range(1, quotes + 1)]
    actors = [actor[0] for actor in ACTORS]

    def src() -> str:
        return rng.choice(sources)

    def loc() -> str | None:
        return " ".join(w.words(3, 7)) if rng.random() < 0.4 else None

    def cited_prose(low: int, high: int, paragraphs: int = 1, uncited_last: bool = False):
        """Markdown whose paragraphs cite inline; the last may rely on the record's cite: list."""
        paras, used = [], []
        for index in range(paragraphs):
            text = w.markdown(low, high)
            if uncited_last and index == paragraphs - 1 and index > 0:
                paras.append(text)
                continue
            cites = [(src(), loc()) for _ in range(rng.randint(1, 2))]
            used += cites
            paras.append(f"{text} {inline(cites)}")
        return "\n\n".join(paras), used

    out: dict[str, list[dict]] = {kind: [] for kind in (
        "site", "sources", "actors", "people", "topics", "positions", "proposals", "quotes", "events")}

    # sources
    for i, sid in enumerate(sources):
        record = {"id": sid, "outlet": OUTLETS[i % len(OUTLETS)], "headline": w.plain(6, 14).rstrip("."),
                  "published": w.dated(0.1), "language": "en"}
        if rng.random() < 0.5:
            record["url"] = f"https://news.example.org/{i // 100}/{sid}"
        if rng.random() < 0.2:
            record["notes"] = [w.markdown(15, 40) for _ in range(rng.randint(1, 2))]
        out["sources"].append(record)

    # actors
    for aid, name, short, kind in ACTORS:
        summary, _ = cited_prose(20, 45)
        record = {"id": aid, "name": name, "type": kind, "summary": summary,
                  "cite": [cite_item(src(), loc())]}
        if short:
            record["short_name"] = short
        out["actors"].append(record)

    # people: one cited role each, actors in turn
    person_actor = {}
    for i, pid in enumerate(people):
        actor = actors[i % len(actors)]
        person_actor[pid] = actor
        record = {"id": pid, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                  "roles": [{"title": f"{rng.choice(TITLES)} of {ACTORS[i % len(ACTORS)][2] or ACTORS[i % len(ACTORS)][1]}",
                             "actor": actor, "cite": [cite_item(src(), loc())]}]}
        if rng.random() < 0.3:
            record["summary"], _ = cited_prose(15, 35)
        out["people"].append(record)

    # topics
    for i, tid in enumerate(topics):
        summary, _ = cited_prose(25, 50, paragraphs=2, uncited_last=True)
        out["topics"].append({"id": tid, "title": f"Topic {i + 1}: {w.plain(3, 7).rstrip('.')}",
                              "summary": summary, "cite": [cite_item(src(), None), cite_item(src(), loc())]})

    # events
    for eid in events:
        summary, _ = cited_prose(20, 45, paragraphs=rng.randint(1, 2))
        record = {"id": eid, "date": w.date(), "title": w.plain(4, 9).rstrip("."), "summary": summary,
                  "people": w.pick(people, 1, 3), "actors": w.pick(actors, 1, 2), "topics": w.pick(topics, 1, 2),
                  "cite": [cite_item(src(), loc())]}
        if rng.random() < 0.5:
            record["place"] = rng.choice(PLACES)
        out["events"].append(record)

    # quotes: speakers in turn (every person quoted), first source in turn (every source cited)
    by_topic_side: dict = {}
    for i, qid in enumerate(quote_ids):
        speaker = people[i % len(people)]
        first = sources[i % len(sources)]
        wordings = [{"text": w.plain(20, 60), "cite": [cite_item(first, loc())]}]
        budget = 2  # one to three citations in all
        if rng.random() < 0.1:
            wordings.append({"text": w.plain(20, 60), "cite": [cite_item(src(), None)]})
            budget -= 1
        record = {"id": qid, "speaker": speaker, "wordings": wordings, "said": w.dated(0.1)}
        if rng.random() < 0.3:
            record["occasion"] = rng.choice(OCCASIONS)
        if rng.random() < 0.2:
            record["place"] = rng.choice(PLACES)
        if rng.random() < 0.4:
            record["event"] = rng.choice(events)
        record["topics"] = w.pick(topics, 1, 2)
        if rng.random() < 0.7:
            cites = [(src(), loc()) for _ in range(rng.randint(0, budget))]
            context = w.markdown(20, 60) + (f" {inline(cites)}" if cites else "")
            if cites and rng.random() < 0.3:
                context += "\n\n" + w.markdown(10, 25)  # footnoted to the wordings' sources
            record["context"] = context
        for topic in record["topics"]:
            by_topic_side.setdefault((topic, person_actor[speaker]), []).append(qid)
        out["quotes"].append(record)

    # positions: every side on every topic
    for tid in topics:
        for side in SIDES:
            stance, _ = cited_prose(15, 35)
            record = {"id": f"{side}-on-{tid}", "actor": side, "topic": tid, "stance": stance}
            if rng.random() < 0.5:
                record["detail"], _ = cited_prose(20, 45, paragraphs=2, uncited_last=True)
            shown = by_topic_side.get((tid, side), [])
            if shown:
                record["quotes"] = rng.sample(shown, min(3, len(shown)))
            record["cite"] = [cite_item(src(), loc())]
            out["positions"].append(record)

    # proposals, each answered
    for i in range(n_proposals):
        by = SIDES[i % len(SIDES)]
        summary, _ = cited_prose(20, 45)
        record = {"id": f"proposal-{i + 1:05d}", "title": w.plain(5, 10).rstrip("."), "by": by,
                  "to": [side for side in SIDES if side != by], "date": w.dated(0.1),
                  "document": f"the {rng.choice(('draft treaty', 'memorandum', 'note verbale', 'joint paper'))} "
                              f"of {rng.randint(1, 28)} {rng.choice(MONTHS)}",
                  "summary": summary, "topics": w.pick(topics, 1, 2)}
        if rng.random() < 0.5:
            record["quotes"] = w.pick(quote_ids, 1, 2)
        responses = []
        for responder in w.pick([side for side in SIDES if side != by], 1, 2):
            text = w.markdown(15, 35)
            response = {"by": responder, "date": w.date(), "cite": [cite_item(src(), loc())]}
            response["summary"] = text if rng.random() < 0.5 else f"{text} {inline([(src(), loc())])}"
            if rng.random() < 0.4:
                response["quotes"] = w.pick(quote_ids, 1, 1)
            responses.append(response)
        record["responses"] = responses
        out["proposals"].append(record)

    intro = "\n\n".join(f"{w.markdown(30, 60)} {inline([(src(), loc()), (src(), None)])}" for _ in range(3))
    about = "\n\n".join(w.markdown(30, 60) for _ in range(2))
    order = topics[:]
    rng.shuffle(order)
    out["site"].append({"title": f"A synthetic dispute ({quotes} quotes)",
                        "description": "A generated explainer used to benchmark the generator.",
                        "language": "en", "base_url": "https://example.org/stances/", "sides": SIDES,
                        "topics": order, "intro": intro, "about": about})
    if per_page is not None:  # the site's default (50) unless asked: small, so tiny corpora have long lists
        out["site"][0]["per_page"] = per_page
    return out


FIRST = ("Ada", "Bo", "Cara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kiri", "Lena",
         "Marek", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Stefan", "Tamar", "Ugo", "Vera", "Wim", "Yusuf")
LAST = ("Abel", "Brandt", "Costa", "Dahl", "Ekberg", "Fischer", "Gallo", "Horvat", "Ivanova", "Jansen", "Kowalski",
        "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Santos", "Tanaka", "Urban", "Varga")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


# ---- writing -------------------------------------------------------------------------------


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _str)


def dump_yaml(record: dict) -> str:
    return yaml.dump(record, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120)


def write_content(records: dict, content: Path) -> int:
    files = 0
    content.mkdir(parents=True)
    (content / "site.yml").write_text(dump_yaml(records["site"][0]), encoding="utf-8")
    for kind, items in records.items():
        if kind == "site":
            continue
        folder = content / kind
        folder.mkdir()
        for record in items:
            (folder / f"{record['id']}.yml").write_text(dump_yaml(record), encoding="utf-8")
            files += 1
    return files + 1


DATE_FIELDS = {"published", "date", "said", "from", "to"}
CITE_FIELDS = {"cite"}


def normal(value, name: str = ""):
    """A record value as Hugo data: citations as {source, locator}, dates as {date, approximate, note}."""
    if name in CITE_FIELDS:
        return [{"source": c, "locator": None} if isinstance(c, str) else {"locator": None, **c} for c in value]
    if name in DATE_FIELDS and not (name == "to" and isinstance(value, list)):
        if isinstance(value, str):
            return {"date": value, "approximate": False, "note": None}
        return {"approximate": False, "note": None, **value}
    if isinstance(value, dict):
        return {key: normal(inner, key) for key, inner in value.items()}
    if isinstance(value, list):
        return [normal(inner) for inner in value]
    return value


def write_hugo(records: dict, hugo: Path) -> None:
    shutil.copytree(HERE / "hugo", hugo, ignore=shutil.ignore_patterns("public", "resources", ".hugo_build.lock"))
    if (ROOT / "assets").is_dir():  # the same stylesheet, script and icon as ours
        shutil.copytree(ROOT / "assets", hugo / "static" / "assets")
    data = hugo / "data"
    data.mkdir(exist_ok=True)
    site = normal(records["site"][0])
    (data / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    for kind, items in records.items():
        if kind == "site":
            continue
        keyed = {record["id"]: normal(record) for record in items}
        (data / f"{kind}.json").write_text(json.dumps(keyed, ensure_ascii=False), encoding="utf-8")
    sys.path.insert(0, str(ROOT))
    from stances.pages import data_kinds  # the data page lists the schema's fields, as ours does
    (data / "kinds.json").write_text(json.dumps(data_kinds(), ensure_ascii=False), encoding="utf-8")


def generate(quotes: int, out: Path, seed: int = 1, per_page: int | None = None) -> dict:
    """Write DIR/content and DIR/hugo; return counts by kind."""
    if out.exists():
        shutil.rmtree(out)
    records = build_records(quotes, seed, per_page)
    write_content(records, out / "content")
    write_hugo(records, out / "hugo")
    return {kind: len(items) for kind, items in records.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", type=int, required=True, help="number of quotes (N)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write content/ and hugo/ into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-page", type=int, help="quotes a list page shows (default: the site's default, 50)")
    options = parser.parse_args(argv)
    counts = generate(options.quotes, options.out, options.seed, options.per_page)
    print(", ".join(f"{count} {kind}" for kind, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
