"""The whole pipeline, top to bottom: load, validate, link, plan, render, write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .data import export
from .link import link
from .load import load
from .pages import plan
from .problems import Problem
from .render import render
from .validate import validate
from .verify import verify
from .write import write


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    pages: int = 0
    written: int = 0

    def failed(self, strict: bool) -> bool:
        return any(problem.is_error or strict for problem in self.problems)


def run(content: Path, templates: Path, assets: Path, out: Path | None, *,
        base_url: str | None = None, archive: Path | None = None, strict: bool = False) -> Result:
    """Check the content and, when `out` is given and all is well, write the site there."""
    result = Result()
    documents, problems = load(content)
    records, found = validate(documents)
    problems += found
    result.records = len(records)
    site, found = link(records)
    problems += found
    result.problems = problems
    if site is None or result.failed(strict):
        return result
    if archive is not None:
        result.problems += verify(site, archive)
    pages, found = plan(site, base_url)
    result.problems += found
    result.pages = sum(1 for page in pages if page.template.endswith(".html"))
    if out is None or result.failed(strict):
        return result
    outputs, found = render(site, pages, templates)
    outputs.update(export(site))
    result.problems += found
    if result.failed(strict):
        return result
    result.written, found = write(outputs, assets, out)
    result.problems += found
    return result
