"""Open data: every record as JSON (all, and one file per kind) and CSV per kind, under data/."""

from __future__ import annotations

import csv
import io
import json

from . import schema
from .link import Fragment, Site
from .validate import Citation, Date


def plain_value(value):
    """A record value as JSON data: Markdown as written, dates as text or {date, approximate, note}."""
    if isinstance(value, Fragment):
        return value.markdown
    if isinstance(value, Date):
        if not value.approximate and not value.note:
            return value.value
        return {"date": value.value, "approximate": value.approximate, "note": value.note}
    if isinstance(value, Citation):
        return {"source": value.source, "locator": value.locator}
    if isinstance(value, dict):
        return {name: plain_value(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [plain_value(inner) for inner in value]
    return value


def record_as_data(kind: schema.Kind, record) -> dict:
    return {field.name: plain_value(record.data[field.name]) for field in kind.fields if field.name in record.data}


# A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...) would run when opened):
# OWASP's advice is to start such a cell with a single quote, which shows it as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A CSV cell: a formula shown as text, and a carriage return as a line end (the writer quotes a cell
    that holds "\n", but not one that holds a lone "\r", which readers take for the end of the row)."""
    value = "'" + value if value.startswith(FORMULA_STARTS) else value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def csv_row(kind: schema.Kind, row: dict) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        ["" if field.name not in row else cell(row[field.name] if isinstance(row[field.name], str)
                                               else json.dumps(row[field.name], ensure_ascii=False, sort_keys=True))
         for field in kind.fields])
    return buffer.getvalue()


def json_array(lines: list[str], end: str = ""):
    """The pieces of a JSON array, one item a line, and `end`."""
    if not lines:
        yield "[]" + end
        return
    yield "[\n"
    for number, line in enumerate(lines):
        if number:
            yield ",\n"
        yield line
    yield "\n]" + end


def json_object(site_part: str, kinds: list):
    """The pieces of data/all.json: the site, then each kind's array."""
    yield "{\n"
    yield site_part
    for name, lines in kinds:
        yield f",\n {json.dumps(name)}: "
        yield from json_array(lines)
    yield "\n}\n"


def export(site: Site, changed: set | None = None, earlier: dict | None = None,
           earlier_texts: dict | None = None, emit=None) -> tuple[dict[str, str], dict]:
    """Return {output path: text} for every data file, and each kind's renderings for the next build.

    A kind's JSON file holds one record a line, so a record that did not change (not in
    `changed`) reuses its rendering from `earlier` ({kind: {id: (JSON line, CSV row)}}); a kind
    none of whose records changed reuses its files from `earlier_texts` whole.

    With `emit`, a build that keeps nothing for the next: each file goes to `emit(path, UTF-8
    bytearray)` as soon as it is made and is let go (the texts returned are None, the renderings {}),
    so the files are never all held at once.
    """
    anew = changed is None or earlier is None
    earlier = {} if anew else earlier
    earlier_texts = {} if anew or earlier_texts is None else earlier_texts
    changed = changed or set()
    touched = {kind for kind, _ in changed}
    rows: dict = {}
    files: dict = {}

    def made(name: str, pieces) -> None:
        if emit is None:
            files[name] = "".join(pieces)
        else:  # the file as UTF-8, never held whole as a str too
            data = bytearray()
            for piece in pieces:
                data += piece.encode("utf-8")
            emit(name, data)
            files[name] = None

    site_part = f' "site": {json.dumps(plain_value(dict(site.settings.data)), ensure_ascii=False, sort_keys=True)}'
    kinds: list = []  # (kind name, its JSON lines), for data/all.json
    for kind in schema.KINDS.values():
        if kind.single:
            continue
        name = f"data/{kind.name}"
        if (kind.name not in touched and kind.name in earlier and f"{name}.json" in earlier_texts
                and list(earlier[kind.name]) == list(site.records.get(kind.name, {}))):  # not even reordered
            rows[kind.name] = earlier[kind.name]
            lines = [line for line, _ in earlier[kind.name].values()]
            made(f"{name}.json", [earlier_texts[f"{name}.json"]])
            made(f"{name}.csv", [earlier_texts[f"{name}.csv"]])
        else:
            known = earlier.get(kind.name, {})
            done = {}
            lines, table = [], [csv_row(kind, {field.name: field.name for field in kind.fields})]
            for record in site.all(kind.name):
                found = known.get(record.id)
                if found is None or (kind.name, record.id) in changed:
                    row = record_as_data(kind, record)
                    found = (json.dumps(row, ensure_ascii=False, sort_keys=True), csv_row(kind, row))
                if emit is None:
                    done[record.id] = found
                lines.append(found[0])
                table.append(found[1])
            if emit is None:
                rows[kind.name] = done
            del done
            # Each file is joined once from its pieces, not from joins of joins, and let go of once
            # written: at 10,000 quotes the files are 26 MB.
            made(f"{name}.json", json_array(lines, "\n"))
            made(f"{name}.csv", table)
            del table
        kinds.append((kind.name, lines))
    made("data/all.json", json_object(site_part, kinds))
    return files, rows
