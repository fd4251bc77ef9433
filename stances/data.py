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


def export(site: Site, changed: set | None = None, earlier: dict | None = None) -> tuple[dict[str, str], dict]:
    """Return {output path: text} for every data file, and each record's rendering for the next build.

    A kind's JSON file holds one record a line, so a record that did not change (not in
    `changed`) reuses its rendering from `earlier`.
    """
    earlier = earlier if changed is not None and earlier is not None else {}
    changed = changed or set()
    rows: dict = {}
    files: dict[str, str] = {}
    parts = [f' "site": {json.dumps(plain_value(dict(site.settings.data)), ensure_ascii=False, sort_keys=True)}']
    for kind in schema.KINDS.values():
        if kind.single:
            continue
        lines, table = [], [csv_row(kind, {field.name: field.name for field in kind.fields})]
        for record in site.all(kind.name):
            key = (kind.name, record.id)
            if key in earlier and key not in changed:
                rows[key] = earlier[key]
            else:
                row = record_as_data(kind, record)
                rows[key] = (json.dumps(row, ensure_ascii=False, sort_keys=True), csv_row(kind, row))
            lines.append(rows[key][0])
            table.append(rows[key][1])
        text = "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"
        files[f"data/{kind.name}.json"] = text + "\n"
        files[f"data/{kind.name}.csv"] = "".join(table)
        parts.append(f" {json.dumps(kind.name)}: {text}")
    files["data/all.json"] = "{\n" + ",\n".join(parts) + "\n}\n"
    return files, rows
