"""JSON Schemas for editors, generated from the declarations in schema.py.

`python -m stances.jsonschema` writes schema/<kind>.schema.json for every kind;
`--check` only reports files that differ from the declarations (exit 1). Editors
find them through the first line of each content file:
`# yaml-language-server: $schema=../../schema/<kind>.schema.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import schema
from .problems import a

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = Path(__file__).resolve().parent.parent / "schema"
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
# What the build takes as text: no control character but tab and line ends (validate.CONTROL), and not
# blank. An editor may read a bare 1e3, 0o17 or .inf as a number; the build takes it as the text written.
CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
TEXT = {"type": ["string", "number"], "pattern": f"^[^{CONTROL}]*[^{CONTROL}\\s][^{CONTROL}]*$"}
# A date the calendar has: months 01-12, days as many as the month holds, 29 February in leap years.
DAY = r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
LEAP = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
CALENDAR = rf"^(?!0000)(?:\d{{4}}(?:-(?:0[1-9]|1[0-2]))?|\d{{4}}-{DAY}|{LEAP})$"


def file_name(kind: schema.Kind) -> str:
    return f"{kind.name}.schema.json"


def anchored(pattern: str) -> str:
    """The validator uses re.match, anchored at the start; JSON Schema patterns are not."""
    return pattern if pattern.startswith("^") else "^" + pattern


class Generator:
    """Turns one kind's declaration into a schema, collecting shared $defs as it goes."""

    def __init__(self):
        self.defs: dict[str, dict] = {}

    def field(self, declared: schema.Field) -> dict:
        result = self.type(declared.type)
        if declared.doc:
            result = {**result, "description": declared.doc}
        return result

    def struct(self, fields: tuple[schema.Field, ...]) -> dict:
        result = {
            "type": "object",
            "properties": {declared.name: self.field(declared) for declared in fields},
            "additionalProperties": False,
        }
        required = [declared.name for declared in fields if declared.required]
        if required:
            result["required"] = required
        return result

    def type(self, kind) -> dict:
        if isinstance(kind, schema.Text):
            if kind.choices:
                return {"type": "string", "enum": list(kind.choices)}
            if kind.pattern:
                return {"type": "string", "pattern": anchored(kind.pattern)}
            return dict(TEXT)
        if isinstance(kind, schema.Markdown):
            return dict(TEXT)
        if isinstance(kind, schema.Date):
            return self.shared("date", self.date)
        if isinstance(kind, schema.Url):
            return {"type": "string", "format": "uri", "pattern": URL_PATTERN}
        if isinstance(kind, schema.Bool):
            return {"type": "boolean"}
        if isinstance(kind, schema.Count):
            return {"type": "integer", "minimum": kind.least, "maximum": kind.most}
        if isinstance(kind, schema.Ref):
            target = schema.KINDS[kind.kind]
            return {"type": "string", "pattern": schema.SLUG,
                    "description": f"The id of {a(target.singular)} (content/{target.name}/)."}
        if isinstance(kind, schema.ListOf):
            result = {"type": "array", "items": self.type(kind.item)}
            if kind.min_items:
                result["minItems"] = kind.min_items
            return result
        if isinstance(kind, schema.Struct):
            if kind is schema.CITATION:
                return self.shared("citation", lambda: self.struct_or_shorthand(kind))
            return self.struct_or_shorthand(kind)
        raise TypeError(f"unknown field type {kind!r}")

    def date(self) -> dict:
        written = {"type": "string", "pattern": CALENDAR}
        mapping = self.struct(schema.DATE_FIELDS)
        mapping["properties"]["date"] = {**mapping["properties"]["date"], **written}
        return {"description": "A date written YYYY-MM-DD, YYYY-MM or YYYY; or a mapping {date, approximate, note}.",
                **either(mapping, written)}

    def struct_or_shorthand(self, kind: schema.Struct) -> dict:
        mapping = self.struct(kind.fields)
        if not kind.shorthand:
            return mapping
        short = next(declared for declared in kind.fields if declared.name == kind.shorthand)
        return either(mapping, self.field(short))

    def shared(self, name: str, make) -> dict:
        """A definition used in many places, written once under $defs."""
        if name not in self.defs:
            self.defs[name] = {}  # claimed first, so a definition may refer to itself
            self.defs[name] = make()
        return {"$ref": f"#/$defs/{name}"}


def either(mapping: dict, other: dict) -> dict:
    """A mapping, or else another form; chosen by the value's type (not anyOf), so that a validator's
    "best match" is the error of the form written, not of the form that was not."""
    return {"if": {"type": "object"}, "then": mapping, "else": other}


def generate(kind: schema.Kind) -> dict:
    """The JSON Schema of one content file of this kind."""
    generator = Generator()
    record = generator.struct(kind.fields)
    document: dict = {
        "$schema": DRAFT,
        "title": f"stances {kind.singular}" + ("" if kind.single else "s"),
        "description": kind.doc + (f" One file, content/{kind.name}.yml." if kind.single else
                                   f" A file in content/{kind.name}/ holds one {kind.singular} "
                                   f"or a list of them."),
    }
    if kind.single:
        document.update(record)
    else:
        generator.defs[kind.singular] = {"description": kind.doc, **record}
        reference = {"$ref": f"#/$defs/{kind.singular}"}
        document.update({"if": {"type": "array"}, "then": {"minItems": 1, "items": reference}, "else": reference})
    if generator.defs:
        document["$defs"] = generator.defs
    return document


def dumps(document: dict) -> str:
    """Serialise deterministically: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected() -> dict[str, str]:
    """Every schema file's name and text, as the declarations say now."""
    return {file_name(kind): dumps(generate(kind)) for kind in schema.KINDS.values()}


def differences(folder: Path = FOLDER) -> list[str]:
    """Name every schema file that is missing, stale or left over."""
    wanted = expected()
    found = []
    for name, text in sorted(wanted.items()):
        path = folder / name
        if not path.is_file():
            found.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            found.append(f"{name}: differs from stances/schema.py")
    if folder.is_dir():
        for path in sorted(folder.glob("*.schema.json")):
            if path.name not in wanted:
                found.append(f"{path.name}: no such kind any more")
    return found


def write(folder: Path = FOLDER) -> list[str]:
    """Write every schema file that changed; remove those of kinds that are gone."""
    wanted = expected()
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in sorted(wanted.items()):
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(name)
    for path in sorted(folder.glob("*.schema.json")):
        if path.name not in wanted:
            path.unlink()
            changed.append(path.name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stances.jsonschema",
                                     description="Write the JSON Schemas editors use, from stances/schema.py.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a schema file is stale")
    parser.add_argument("--out", type=Path, default=Path("schema"), help="folder (default: schema)")
    options = parser.parse_args(argv)
    if options.check:
        stale = differences(options.out)
        for line in stale:
            print(f"{options.out / line}", file=sys.stderr)
        if stale:
            print("run `python -m stances.jsonschema` to regenerate", file=sys.stderr)
        return 1 if stale else 0
    for name in write(options.out):
        print(f"wrote {options.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
