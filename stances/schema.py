"""One declaration per record kind: fields, types, references.

Validation (validate.py), reference resolution (link.py), error messages and the
JSON Schema for editors (jsonschema.py) all read from KINDS, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field


# ---- field types -------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A line or paragraph of plain text, shown escaped."""

    choices: tuple[str, ...] = ()
    pattern: str = ""
    hint: str = ""
    describe = "text"


@dataclass(frozen=True)
class Markdown:
    """Markdown prose that cites inline with [@source-id]; see cite.py.

    `cited` means every paragraph must carry a note, from an inline citation or
    from the record's `cite:` list. `self_cited` paragraphs without one are
    footnoted to the record itself (a source's notes rest on the source).
    """

    cited: bool = True
    self_cited: bool = False
    describe = "Markdown text"


@dataclass(frozen=True)
class Date:
    """YYYY-MM-DD, YYYY-MM or YYYY; or {date, approximate, note}."""

    describe = "date"


@dataclass(frozen=True)
class Url:
    """An absolute http(s) URL."""

    describe = "URL"


@dataclass(frozen=True)
class Bool:
    describe = "true or false"


@dataclass(frozen=True)
class Count:
    """A whole number from `least` to `most`."""

    least: int = 1
    most: int = 10_000
    describe = "whole number"


@dataclass(frozen=True)
class Ref:
    """The id of a record of another kind."""

    kind: str
    describe = "id"


@dataclass(frozen=True)
class ListOf:
    item: object
    min_items: int = 0
    describe = "list"


@dataclass(frozen=True)
class Struct:
    """A nested mapping with its own fields."""

    fields: tuple["Field", ...]
    # A bare scalar may stand for the struct with only this field set.
    shorthand: str = ""
    describe = "mapping"


@dataclass(frozen=True)
class Field:
    name: str
    type: object
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of record: where it lives in content/ and what it holds."""

    name: str  # plural, also the folder name: "sources"
    singular: str
    fields: tuple[Field, ...]
    doc: str = ""
    single: bool = False  # one record in content/<name>.yml, no id (site)
    by_name: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        self.by_name.update({f.name: f for f in self.fields})


SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

ID = Field("id", Text(pattern=SLUG, hint="a lowercase slug such as 'water-rights'"), True,
           "Stable identifier, unique within its kind; used in the page URL.")

CITATION = Struct(
    (
        Field("source", Ref("sources"), True, "The id of the source."),
        Field("locator", Text(), False, "The excerpt or place in the source the statement rests on."),
    ),
    shorthand="source",
)

CITE = Field("cite", ListOf(CITATION), False,
             "The sources the record's statements rest on: ids, or {source, locator}.")


def cite_required(doc: str = "The sources that report it.") -> Field:
    return Field("cite", ListOf(CITATION, min_items=1), True, doc)


DATE_FIELDS = (
    Field("date", Text(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", hint="YYYY-MM-DD, YYYY-MM or YYYY"), True),
    Field("approximate", Bool(), False, "True when the date is not exact."),
    Field("note", Text(), False, "Why the date is approximate, or what it rests on."),
)


CORRECTIONS = Field("corrections", ListOf(Struct((
    Field("date", Date(), True, "When the record was corrected."),
    Field("what", Text(), True, "What changed, e.g. 'The summary said \"invades\"; it now says \"further invade\"'."),
    Field("why", Text(), True, "Why: what the cited article says, or what was wrong."),
)), min_items=1), False, "A public log of corrections to this record: each shown on its page, on the "
                         "corrections page and in the feed.")

KINDS: dict[str, Kind] = {}


def _kind(kind: Kind) -> Kind:
    """Register a kind; every kind may carry `corrections` (declared once, above)."""
    kind = Kind(kind.name, kind.singular, kind.fields + (CORRECTIONS,), kind.doc, kind.single)
    KINDS[kind.name] = kind
    return kind


_kind(Kind("site", "site", (
    Field("title", Text(), True, "The explainer's title."),
    Field("description", Text(), True, "One sentence on what the explainer covers."),
    Field("language", Text(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", hint="a language tag such as 'en'"), True,
          "The language of the site, as a BCP 47 tag."),
    Field("base_url", Url(), True, "Where the site is published, e.g. https://example.org/my-explainer/."),
    Field("sides", ListOf(Ref("actors"), min_items=1), True, "The actors whose stances are compared, in order."),
    Field("topics", ListOf(Ref("topics")), False,
          "The order topics are shown in; topics not listed follow, in file order."),
    Field("intro", Markdown(), True, "What the dispute is; cites inline with [@source-id]."),
    Field("about", Markdown(cited=False), False, "How statements are sourced and checked (the site's own method)."),
    Field("at_a_glance", Struct((
        Field("points", ListOf(Markdown(), min_items=1), False,
              "Three to five short points the home page opens with, each citing inline with [@source-id]."),
        Field("events", ListOf(Ref("events")), False,
              "The events the home page's timeline shows, in date order (default: the last six)."),
    )), False, "What the home page shows first: the dispute in a few cited points, and its main events."),
    Field("per_page", Count(least=1, most=10_000), False,
          "At most this many quotes a page shows in a list; longer lists go on over numbered pages (default 50)."),
    Field("archive", Text(), False,
          "The folder of stored article texts, from the folder that holds content/, e.g. archive/. Whenever it "
          "exists, check and build compare every quote and locator with it (as --archive does)."),
    CITE,
), "The explainer as a whole.", single=True))

_kind(Kind("sources", "source", (
    ID,
    Field("outlet", Text(), True, "Who published it, as far as can be told."),
    Field("headline", Text(), True, "The headline as published."),
    Field("published", Date(), True, "Publication date; approximate with a note where the text only hints."),
    Field("url", Url(), False, "The original address. Leave out when unknown: never invent one."),
    Field("language", Text(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", hint="a language tag such as 'en'"), True,
          "Language of the text as archived."),
    Field("original_language", Text(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", hint="a language tag such as 'mk'"),
          False, "Language of the original, when the archived text is a translation."),
    Field("translation", Text(choices=("machine", "human")), False, "How it was translated, if it was."),
    Field("archive", Text(pattern=r"^[^/\\]+$", hint="a file name with no folder"), False,
          "File name of the stored text, checked by --archive."),
    Field("notes", ListOf(Markdown(self_cited=True)), False, "What a reader needs to judge the source."),
), "An article that statements on the site rest on."))

_kind(Kind("actors", "actor", (
    ID,
    Field("name", Text(), True, "Full name, e.g. 'European Union'."),
    Field("short_name", Text(), False, "Short name used in tables, e.g. 'EU'."),
    Field("type", Text(choices=("state", "alliance", "organisation", "government", "other")), True),
    Field("summary", Markdown(), False, "Who they are in this dispute."),
    CITE,
), "A state, alliance or organisation that takes part."))

_kind(Kind("people", "person", (
    ID,
    Field("name", Text(), True, "The person's name, correctly spelt."),
    Field("roles", ListOf(Struct((
        Field("title", Text(), True, "The role, e.g. 'Minister of Agriculture'."),
        Field("actor", Ref("actors"), False, "Who they acted for."),
        Field("from", Date(), False),
        Field("to", Date(), False),
        cite_required("The sources that give the role."),
    )), min_items=1), True, "Roles at the time, each cited."),
    Field("summary", Markdown(), False),
    CITE,
), "Someone the sources name as speaking or acting."))

_kind(Kind("topics", "topic", (
    ID,
    Field("title", Text(), True, "The question in dispute, e.g. 'Water rights on the upper river'."),
    Field("summary", Markdown(), True, "A neutral summary of what is disputed."),
    CITE,
), "A question in dispute."))

_kind(Kind("positions", "position", (
    ID,
    Field("actor", Ref("actors"), True, "Whose stance it is."),
    Field("topic", Ref("topics"), True, "What it is about."),
    Field("stance", Markdown(), True, "The stance in a sentence or two, attributed."),
    Field("detail", Markdown(), False, "More on the stance."),
    Field("quotes", ListOf(Ref("quotes")), False, "The quotes that show it."),
    CITE,
), "An actor's stance on a topic."))

_kind(Kind("proposals", "proposal", (
    ID,
    Field("title", Text(), True),
    Field("by", Ref("actors"), True, "Who proposed it."),
    Field("to", ListOf(Ref("actors")), False, "To whom."),
    Field("date", Date(), False, "When it was put forward."),
    Field("document", Text(), False, "The document it belongs to, e.g. 'the draft treaty of 3 May'."),
    Field("summary", Markdown(), True, "What was proposed."),
    Field("topics", ListOf(Ref("topics")), False),
    Field("quotes", ListOf(Ref("quotes")), False),
    Field("responses", ListOf(Struct((
        Field("by", Ref("actors"), True, "Who answered."),
        Field("date", Date(), False),
        Field("summary", Markdown(), True, "How they answered."),
        Field("quotes", ListOf(Ref("quotes")), False),
        CITE,
    ))), False, "How the other side answered."),
    CITE,
), "Who proposed what, to whom, and how it was answered."))

_kind(Kind("quotes", "quote", (
    ID,
    Field("speaker", Ref("people"), True),
    Field("wordings", ListOf(Struct((
        Field("text", Text(), True, "The words, verbatim as the source prints them."),
        cite_required("The sources that print these words."),
    )), min_items=1), True, "The quote as each source words it; one entry when all agree."),
    Field("said", Date(), False, "When it was said."),
    Field("place", Text(), False, "Where it was said, e.g. 'the town hall'."),
    Field("occasion", Text(), False, "e.g. 'press conference', 'interview with CNN'."),
    Field("event", Ref("events"), False, "The event where it was said."),
    Field("topics", ListOf(Ref("topics")), False),
    Field("context", Markdown(), False, "What was being discussed; cites inline."),
), "Words a named person said, verbatim."))

_kind(Kind("events", "event", (
    ID,
    Field("date", Date(), True),
    Field("title", Text(), True),
    Field("summary", Markdown(), True, "What happened."),
    Field("place", Text(), False),
    Field("actors", ListOf(Ref("actors")), False, "Who took part."),
    Field("people", ListOf(Ref("people")), False, "Who took part."),
    Field("topics", ListOf(Ref("topics")), False),
    CITE,
), "Something that happened on a date."))

_kind(Kind("pages", "page", (
    ID,
    Field("title", Text(), True),
    Field("body", Markdown(), True),
    CITE,
), "A free page of prose, published at <id>/."))
