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


def csv_row(kind: schema.Kind, row: dict) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        ["" if field.name not in row else row[field.name] if isinstance(row[field.name], str)
         else json.dumps(row[field.name], ensure_ascii=False, sort_keys=True) for field in kind.fields])
    return buffer.getvalue()


def export(site: Site, changed: set | None = None, earlier: dict | None = None,
           earlier_texts: dict | None = None, emit=None) -> tuple[dict[str, str], dict]:
    """Return {output path: text} for every data file, and each kind's renderings for the next build.

    A kind's JSON file holds one record a line, so a record that did not change (not in
    `changed`) reuses its rendering from `earlier` ({kind: {id: (JSON line, CSV row)}}); a kind
    none of whose records changed reuses its files from `earlier_texts` whole.

    With `emit`, a build that keeps nothing for the next: each file goes to `emit(path, text)` as
    soon as it is made and is let go (the texts returned are None, the renderings {}), so the
    files are never all held at once.
    """
    fresh = changed is None or earlier is None
    earlier = {} if fresh else earlier
    earlier_texts = {} if fresh or earlier_texts is None else earlier_texts
    changed = changed or set()
    touched = {kind for kind, _ in changed}
    rows: dict = {}
    files: dict = {}

    def made(name: str, text: str) -> None:
        if emit is None:
            files[name] = text
        else:
            emit(name, text)
            files[name] = None

    parts = [f' "site": {json.dumps(plain_value(dict(site.settings.data)), ensure_ascii=False, sort_keys=True)}']
    for kind in schema.KINDS.values():
        if kind.single:
            continue
        name = f"data/{kind.name}"
        if (kind.name not in touched and kind.name in earlier and f"{name}.json" in earlier_texts
                and list(earlier[kind.name]) == list(site.records.get(kind.name, {}))):  # not even reordered
            rows[kind.name] = earlier[kind.name]
            text, table = earlier_texts[f"{name}.json"], earlier_texts[f"{name}.csv"]
        else:
            known = earlier.get(kind.name, {})
            done = {}
            for record in site.all(kind.name):
                found = known.get(record.id)
                if found is None or (kind.name, record.id) in changed:
                    row = record_as_data(kind, record)
                    found = (json.dumps(row, ensure_ascii=False, sort_keys=True), csv_row(kind, row))
                done[record.id] = found
            if emit is None:
                rows[kind.name] = done
            lines = [line for line, _ in done.values()]
            text = ("[\n" + ",\n".join(lines) + "\n]" if lines else "[]") + "\n"
            del lines
            table = csv_row(kind, {field.name: field.name for field in kind.fields}) + "".join(
                row for _, row in done.values())
            del done
        made(f"{name}.json", text)
        made(f"{name}.csv", table)
        del table
        parts.append(f" {json.dumps(kind.name)}: {text[:-1]}")
        del text
    made("data/all.json", "{\n" + ",\n".join(parts) + "\n}\n")
    return files, rows
