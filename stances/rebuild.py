"""The rebuild layer: what a rebuild takes from the last build, decided at a stage's boundary.

`serve` keeps a `cache.Cache` from build to build; the stages it wraps here run as a one-off
build runs them, and are only told which part of their input to do again. So far the render:
`render_again` renders the pages whose plan, or a record they read, changed since the last build,
and keeps for the next one what each page read and the fragments rendered. (The read and the link
still reuse inside pipeline.py and link.py.) tests/test_incremental.py checks the result is
byte for byte a fresh build's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, PageMemo, fingerprint
from .link import Site
from .pages import Page
from .problems import Problem
from .render import Fragments, environment, render, renderer_for


@dataclass(frozen=True)
class Reuse:
    """What of the last build's render may stand."""

    changed: set | None = None  # (kind, id) changed since the cache's last build; None: render every page
    same_plan: bool = False  # the pages are the last build's plan: each page's fingerprint stands


def render_again(cache: Cache, site: Site, pages: list[Page], templates: Path, emit, reuse: Reuse,
                 workers: int = 1, meanwhile=None) -> tuple[dict, list[Problem], int]:
    """Render every page whose plan or read records changed since the cache's last build (see render.render).

    A page left alone still holds in the output of the last build. Returns every page's memo for the
    next build, the problems, and how many pages were rendered."""
    changed, same_plan = reuse.changed, reuse.same_plan
    if changed is None:  # templates changed, or nothing was rendered yet
        cache.fragments, cache.env = Fragments(), environment(templates)
    else:
        cache.fragments.forget(changed)
    renderer = renderer_for(site, pages, templates, cache.fragments, cache.env)
    if isinstance(renderer, Problem):
        return {}, [renderer], 0
    earlier = cache.pages if changed is not None else {}
    memos: dict = {}
    todo: list[Page] = []
    for page in pages:  # with the same plan as last time, every page's plan is the same as its memo's
        memo = earlier.get(page.output)
        if memo is not None and memo.reads.isdisjoint(changed) and (same_plan or memo.fingerprint == fingerprint(page)):
            memos[page.output] = memo
        else:
            todo.append(page)
    prints = {page.output: earlier[page.output].fingerprint for page in todo
              if page.output in earlier} if same_plan else {}

    def keep(page: Page, reads: frozenset) -> PageMemo:  # in the render workers: the fingerprints are shared out
        known = prints.get(page.output)
        return PageMemo(known if known is not None else fingerprint(page), reads)

    done = render(site, todo, renderer, emit, keep=keep, workers=workers, meanwhile=meanwhile)
    memos.update(done.kept)
    return memos, done.problems, done.count
