"""`python build.py new KIND ID`: start a record from a commented template.

The template is written from the same declarations the validator reads
(schema.py): each field with its doc as a comment, required fields left blank
to fill, optional ones commented out. Until the blanks are filled,
`python build.py check` names each one.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from . import schema
from .load import shown_path
from .problems import a, command, did_you_mean
from .read import read

HINTS = {
    schema.Date: "A date: YYYY-MM-DD, YYYY-MM or a year in quotes ('2022'); or, when not exact, "
                 "a mapping of date, approximate: true and note.",
    schema.Url: "An http:// or https:// address.",
}


def kind_named(name: str) -> schema.Kind | None:
    """The kind by its folder name ('quotes') or its singular ('quote')."""
    if name in schema.KINDS:
        return schema.KINDS[name]
    return next((kind for kind in schema.KINDS.values() if kind.singular == name), None)


def describe(declared: schema.Field) -> str:
    """The comment above a field: its doc, what to write, and whether it is required."""
    parts = [declared.doc] if declared.doc else []
    kind = declared.type
    item = kind.item if isinstance(kind, schema.ListOf) else kind
    if isinstance(item, schema.Text) and item.choices:
        parts.append("One of: " + ", ".join(item.choices) + ".")
    elif isinstance(item, schema.Text) and item.hint:
        parts.append(f"Write {item.hint}.")
    elif isinstance(item, schema.Ref):
        parts.append(f"The id of {a(schema.KINDS[item.kind].singular)}.")
    elif isinstance(item, schema.Markdown):
        parts.append("Markdown; cite inline with [@source-id] or [@source-id, \"exact words\"]."
                     if item.cited or item.self_cited else "Markdown.")
    elif type(item) in HINTS:
        parts.append(HINTS[type(item)])
    if isinstance(kind, schema.ListOf):
        parts.append("A list" + (f" of at least {kind.min_items}" if kind.min_items else "") + ".")
    parts.append("Required." if declared.required else "Optional: uncomment to use.")
    return " ".join(parts)


def block(declared: schema.Field, indent: str, documented: bool = True) -> list[str]:
    """The lines of one field: doc comment, then the field, blank or commented out."""
    if not documented and not declared.required:
        return []  # inside a commented-out example, only what must be filled in
    lines = [f"{indent}# {describe(declared)}"] if documented else []
    body = value_lines(declared, indent, documented and declared.required)
    if not declared.required:
        body = [f"{indent}# {line[len(indent):]}" for line in body]
    return lines + body


def value_lines(declared: schema.Field, indent: str, documented: bool) -> list[str]:
    """The field itself: `name:` with a blank value, or a skeleton of its list or mapping."""
    kind = declared.type
    if isinstance(kind, schema.ListOf):
        return [f"{indent}{declared.name}:"] + item_lines(kind.item, indent + "  ", documented)
    if isinstance(kind, schema.Struct):
        return [f"{indent}{declared.name}:"] + fields_lines(kind.fields, indent + "  ", documented)
    return [f"{indent}{declared.name}:"]


def item_lines(kind, indent: str, documented: bool) -> list[str]:
    """One list item to fill in: a blank for a value, the required fields for a mapping."""
    if isinstance(kind, schema.Struct) and kind is not schema.CITATION:
        lines = fields_lines(kind.fields, indent + "  ", documented)
        first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
        if first == 0:
            return [f"{indent}- {lines[0].lstrip()}"] + lines[1:]
        # Comments come first: put the dash on a line of its own so they stay inside the item.
        return [f"{indent}-"] + lines
    if kind is schema.CITATION:
        return [f"{indent}- source:"] + ([f"{indent}  # locator:"] if documented else [])
    return [f"{indent}-"]


def fields_lines(fields, indent: str, documented: bool) -> list[str]:
    lines = []
    for declared in fields:
        lines += block(declared, indent, documented)
    return lines


def template(kind: schema.Kind, record_id: str, schema_path: str | None, guide: bool = True) -> str:
    """The text of a new record file (`guide`: the site has a CONTRIBUTING.md to point to)."""
    lines = [f"# yaml-language-server: $schema={schema_path}"] if schema_path else []
    lines += [
        f"# {a(kind.singular).capitalize()}: {kind.doc[0].lower()}{kind.doc[1:]}" if kind.doc
        else f"# {a(kind.singular).capitalize()}.",
        "# Fill in every blank, delete the optional lines you do not use, then run",
        f"# `{command()} check`." + (" CONTRIBUTING.md explains each kind with an example." if guide else ""),
        "",
    ]
    for declared in kind.fields:
        if declared.name == "id":
            lines.append(f"# {declared.doc}")
            lines.append(f"id: {record_id}")
        else:
            lines += [""] + block(declared, "")
    return "\n".join(lines) + "\n"


def schema_reference(target: Path, kind: schema.Kind, content: Path) -> str | None:
    """The $schema path from the new file's folder to the site's own schema/ beside content/, relative
    as in the other content files; None when the site has none (never a path into the installed package)."""
    schema_file = content.absolute().parent / "schema" / f"{kind.name}.schema.json"
    if not schema_file.is_file():
        return None
    try:
        return Path(os.path.relpath(schema_file, target.parent.absolute())).as_posix()
    except ValueError:  # another drive on Windows
        return schema_file.as_uri()


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def new_record(content: Path, kind_name: str, record_id: str) -> int:
    """Write content/KIND/ID.yml from the template; refuse to overwrite or to write a bad name."""
    kind = kind_named(kind_name)
    if kind is None:
        plural = [k.name for k in schema.KINDS.values() if not k.single]
        return fail(f"unknown kind of record '{kind_name}'{did_you_mean(kind_name, plural)}; "
                    f"choose one of {', '.join(plural)}")
    if kind.single:
        return fail(f"there is one {kind.name} record, {shown_path(content / (kind.name + '.yml'))}: edit it")
    if not re.match(schema.SLUG, record_id) or record_id.endswith("\n"):
        return fail(f"'{record_id}' is not a valid id: write {schema.ID.type.hint}")
    if not content.is_dir():
        return fail(f"content folder {shown_path(content)} not found; pass --content DIR")
    folder = content / kind.name
    target = folder / f"{record_id}.yml"
    for existing in (target, target.with_suffix(".yaml")):
        if existing.exists():
            return fail(f"{shown_path(existing)} already exists; choose another id or edit that file")
    for record in read(content, kind=kind.name).records:
        if record.id == record_id:
            return fail(f"the id '{record_id}' is already used by the {kind.singular} at "
                        f"{record.path}:{record.line}:{record.column}; choose another id")
    folder.mkdir(exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as file:
            reference = schema_reference(target, kind, content)
            file.write(template(kind, record_id, reference, (content.absolute().parent / "CONTRIBUTING.md").is_file()))
    except FileExistsError:
        return fail(f"{shown_path(target)} already exists; choose another id or edit that file")
    print(f"wrote {shown_path(target)}: fill in the blanks, then run `{command()} check`")
    if reference is None:
        print(f"(it names no editor schema: there is no schema/{kind.name}.schema.json beside "
              f"{shown_path(content)}; `python -m stances.jsonschema --out schema` writes them)")
    return 0
