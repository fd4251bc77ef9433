"""The editors' JSON Schemas: generated from schema.py, committed, and true to the validator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from stances import schema
from stances.jsonschema import FOLDER, differences, dumps, expected, generate
from stances.load import Document, compose
from stances.validate import records_of

ROOT = Path(__file__).resolve().parent.parent
CONTENT_TREES = [ROOT / "content", ROOT / "tests" / "fixtures" / "golden" / "content"]


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: a bare 2022-01-12 is a string, not a date."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator(kind: str) -> jsonschema.Draft202012Validator:
    document = json.loads((FOLDER / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_errors(kind: str, text: str) -> list[str]:
    """Every message, down to the branches of anyOf (one record or a list; a date string or mapping)."""
    def leaves(errors):
        for error in errors:
            yield error.message
            yield from leaves(error.context or [])
    return list(leaves(validator(kind).iter_errors(yaml.load(text, Loader=EditorLoader))))


def validator_errors(kind: str, text: str) -> list[str]:
    named = re.search(r"(?m)^id: (\S+)$", text)  # a file holds one record named after its id
    path = f"{named.group(1) if named else 'records'}.yml"
    node, problems = compose(text, path)
    if not problems:
        problems = records_of(Document(kind, path, text, node))[1]
    return [str(problem) for problem in problems if problem.is_error]


def kind_of(path: Path, content: Path) -> str:
    relative = path.relative_to(content)
    return relative.parts[0] if len(relative.parts) > 1 else path.stem


def content_files() -> list:
    return [pytest.param(content, path, id=path.relative_to(ROOT).as_posix())
            for content in CONTENT_TREES for path in sorted(content.rglob("*.y*ml"))]


def test_committed_schemas_match_the_declarations():
    assert differences() == [], "the schema files are stale: run `python -m stances.jsonschema`"


def test_one_schema_per_kind_at_the_path_content_files_name():
    assert sorted(path.name for path in FOLDER.glob("*.json")) == sorted(
        f"{kind}.schema.json" for kind in schema.KINDS)


def test_generation_is_deterministic_with_sorted_keys_and_a_final_newline():
    first, second = expected(), expected()
    assert first == second
    for text in first.values():
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert dumps(json.loads(text)) == text


@pytest.mark.parametrize("kind", sorted(schema.KINDS))
def test_each_schema_is_valid_draft_2020_12(kind):
    document = generate(schema.KINDS[kind])
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_fields_carry_their_docs_and_requirements():
    quote = generate(schema.KINDS["quotes"])["$defs"]["quote"]
    assert quote["additionalProperties"] is False
    assert set(quote["required"]) == {"id", "speaker", "wordings"}
    assert quote["properties"]["wordings"]["description"] == schema.KINDS["quotes"].by_name["wordings"].doc
    source = generate(schema.KINDS["sources"])["$defs"]["source"]
    assert source["properties"]["translation"]["enum"] == ["machine", "human"]


@pytest.mark.parametrize("content, path", content_files())
def test_shipped_content_validates(content, path):
    kind = kind_of(path, content)
    text = path.read_text(encoding="utf-8")
    assert schema_errors(kind, text) == []
    first = text.splitlines()[0] if text else ""
    reference = re.match(r"# yaml-language-server: \$schema=(\S+)$", first)
    if reference:  # the editor finds the schema the line names
        assert (path.parent / reference.group(1)).resolve() == (FOLDER / f"{kind}.schema.json").resolve()


SITE = "title: T\ndescription: D\nlanguage: en\nbase_url: https://example.org/\nsides: [a]\nintro: I [@src].\n"

GOOD = [
    ("site", SITE + "per_page: 20\n"),
    ("sources", "id: a\noutlet: O\nheadline: H\npublished: 2024-03-02\nlanguage: en\n"),
    ("sources", "id: a\noutlet: O\nheadline: H\npublished: '2024'\nlanguage: en\ntranslation: human\n"),
    ("sources", "id: a\noutlet: O\nheadline: H\nlanguage: en\n"
                "published: {date: 2024-03, approximate: true, note: Only the month shows.}\n"),
    ("quotes", "- id: q\n  speaker: ann\n  wordings:\n    - text: Words.\n      cite: [src]\n"
               "- id: r\n  speaker: ann\n  wordings:\n    - text: More.\n      cite:\n"
               "        - {source: src, locator: More}\n"),
    ("people", "id: ann\nname: Ann\nroles:\n  - title: Mayor\n    from: 2020-01\n    cite: [src]\n"),
]

BAD = [  # why, kind, record, what the schema says
    ("unknown field", "actors", "id: a\nname: A\ntype: state\nslogan: Forward\n",
     "Additional properties are not allowed ('slogan' was unexpected)"),
    ("unknown nested field", "people", "id: ann\nname: Ann\nroles:\n  - title: Mayor\n    cite: [src]\n"
                                       "    rank: 1\n", "('rank' was unexpected)"),
    ("missing required field", "topics", "id: t\ntitle: T\n", "'summary' is a required property"),
    ("text given a list", "topics", "id: t\ntitle: [T]\nsummary: S [@src].\n", "['T'] is not of type 'string'"),
    ("not one of the choices", "actors", "id: a\nname: A\ntype: country\n", "'country' is not one of"),
    ("id not a slug", "actors", "id: Not A Slug\nname: A\ntype: state\n", "'Not A Slug' does not match"),
    ("date in the wrong form", "events", "id: e\ndate: 12 March 2024\ntitle: T\nsummary: S [@src].\n",
     "'12 March 2024' does not match"),
    ("date as a number", "events", "id: e\ndate: 2024\ntitle: T\nsummary: S [@src].\n",
     "2024 is not of type 'string'"),
    ("boolean as text", "actors", "id: a\nname: yes\ntype: state\n", "True is not of type 'string'"),
    ("bad approximate", "sources", "id: a\noutlet: O\nheadline: H\nlanguage: en\n"
                                   "published: {date: 2024-03, approximate: maybe}\n",
     "'maybe' is not of type 'boolean'"),
    ("not an http address", "sources", "id: a\noutlet: O\nheadline: H\npublished: 2024-03-02\n"
                                       "language: en\nurl: ftp://example.org/a\n", "'ftp://example.org/a' does not match"),
    ("a list needs an item", "quotes", "id: q\nspeaker: ann\nwordings: []\n", "[] should be non-empty"),
    ("a bad record in a list", "actors", "- id: a\n  name: A\n  type: state\n- id: b\n  name: B\n",
     "'type' is a required property"),
    ("site as a list", "site", "- title: T\n", "is not of type 'object'"),
    ("no quotes a page", "site", SITE + "per_page: 0\n", "0 is less than the minimum of 1"),
    ("quotes a page as text", "site", SITE + "per_page: many\n", "'many' is not of type 'integer'"),
]


@pytest.mark.parametrize("kind, text", GOOD)
def test_schema_and_validator_accept_the_same_good_records(kind, text):
    assert schema_errors(kind, text) == []
    assert validator_errors(kind, text) == []


@pytest.mark.parametrize("why, kind, text, message", BAD, ids=[case[0] for case in BAD])
def test_schema_and_validator_reject_the_same_bad_records(why, kind, text, message):
    errors = schema_errors(kind, text)
    assert any(message in error for error in errors), errors
    assert validator_errors(kind, text), f"the validator accepts a record with {why}"


def test_check_mode_reports_a_stale_schema(tmp_path):
    from stances.jsonschema import main, write

    write(tmp_path)
    assert main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "quotes.schema.json").write_text("{}\n")
    (tmp_path / "gone.schema.json").write_text("{}\n")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert sorted(differences(tmp_path)) == ["gone.schema.json: no such kind any more",
                                             "quotes.schema.json: differs from stances/schema.py"]
    assert main(["--out", str(tmp_path)]) == 0
    assert differences(tmp_path) == []


SOURCE = "id: a\noutlet: O\nheadline: H\npublished: 2024-03-02\nlanguage: en\n"
EDGES = [  # (field, the value as written in the file)
    ("published", "2022-13-01"), ("published", "2022-02-30"), ("published", "2022-04-31"), ("published", "2022-00"),
    ("published", "2024-02-29"), ("published", "2023-02-29"), ("published", "1900-02-29"), ("published", "2000-02-29"),
    ("published", "0000-01-01"), ("published", "'2022'"), ("published", "2022"), ("published", "1e3"),
    ("published", "{date: 2022-02-30}"), ("published", "{date: 2022-02-28, approximate: yes}"),
    ("headline", '"   "'), ("headline", '""'), ("headline", "~"), ("headline", '"a\\x02b"'), ("headline", '"a\\u0085b"'),
    ("headline", '"a\\tb"'), ("headline", "no"), ("headline", "on"), ("headline", "'no'"), ("headline", "Off"),
    ("headline", "1e3"), ("headline", "0o17"), ("headline", ".inf"), ("headline", "-.inf"), ("headline", ".nan"),
    ("headline", "12"), ("headline", "0x1F"), ("headline", "[a]"), ("headline", "{a: b}"),
    ("language", "'no'"), ("language", "no"), ("language", "12"),
]


@pytest.mark.parametrize("field, value", EDGES, ids=[f"{field}: {value}" for field, value in EDGES])
def test_editor_schema_and_build_agree_on_edge_values(field, value):
    """The editor reads YAML 1.1, as .vscode/settings.json sets it (and the build reads it): the schema
    accepts exactly what the build accepts."""
    text = re.sub(rf"(?m)^{field}: .*$", lambda _: f"{field}: {value}", SOURCE)
    built = validator_errors("sources", text)
    editor = schema_errors("sources", text)
    assert (built == []) == (editor == []), (built, editor)


@pytest.mark.parametrize("number", [1000.0, 15, float("inf"), float("nan")])
def test_text_an_editor_reads_as_a_number_is_text_to_the_schema_as_to_the_build(number):
    """YAML 1.2 (an editor's default) reads a bare 1e3, 0o17 or .inf as a number; the build takes the text."""
    record = yaml.load(SOURCE, Loader=EditorLoader)
    record["headline"] = number
    assert list(validator("sources").iter_errors(record)) == []


@pytest.mark.parametrize("kind, text, message", [
    ("actors", '"text"\n', "'text' is not of type 'object'"),
    ("events", "id: e\ntitle: T\nsummary: S\ndate: 2024-13\n", "'2024-13' does not match"),
    ("events", "id: e\ntitle: T\nsummary: S\ndate: 2024\n", "2024 is not of type 'string'"),
    ("quotes", "id: q\nspeaker: ann\nwordings:\n  - text: W\n    cite: [{source: s, locatr: x}]\n", "'locatr' was unexpected"),
])
def test_a_validators_best_match_is_the_error_in_the_form_written(kind, text, message):
    best = jsonschema.exceptions.best_match(validator(kind).iter_errors(yaml.load(text, Loader=EditorLoader)))
    assert message in best.message


def test_the_editor_settings_read_yaml_1_1_and_map_every_kind_to_its_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.yamlVersion"] == "1.1"
    assert sorted(settings["yaml.schemas"]) == sorted(f"schema/{kind}.schema.json" for kind in schema.KINDS)
    assert settings["yaml.schemas"]["schema/quotes.schema.json"] == ["content/quotes/**/*.yml",
                                                                      "content/quotes/**/*.yaml"]
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
