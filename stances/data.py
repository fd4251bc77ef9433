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


def records_as_data(site: Site, kind: schema.Kind) -> list[dict]:
    return [{field.name: plain_value(record.data[field.name]) for field in kind.fields if field.name in record.data}
            for record in site.all(kind.name)]


def as_csv(kind: schema.Kind, rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [field.name for field in kind.fields]
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if name not in row else row[name] if isinstance(row[name], str)
                         else json.dumps(row[name], ensure_ascii=False, sort_keys=True) for name in names])
    return buffer.getvalue()


def export(site: Site) -> dict[str, str]:
    """Return {output path: text} for every data file."""
    files: dict[str, str] = {}
    everything: dict = {"site": plain_value({name: site.settings.data[name] for name in site.settings.data})}
    for kind in schema.KINDS.values():
        if kind.single:
            continue
        rows = records_as_data(site, kind)
        everything[kind.name] = rows
        files[f"data/{kind.name}.json"] = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        files[f"data/{kind.name}.csv"] = as_csv(kind, rows)
    files["data/all.json"] = json.dumps(everything, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return files
