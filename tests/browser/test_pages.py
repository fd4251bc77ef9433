"""Every kind of page, in Chromium: it loads cleanly, axe finds nothing, and nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browsing import DESKTOP, PHONE, SubPathHandler, Watched

KINDS = ["index", "topics", "topic", "actors", "actor", "people", "person", "sources", "source", "quotes", "quote",
         "proposals", "timeline", "about", "corrections", "data", "search", "404"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def status(kind: str) -> int:
    return 404 if kind == "404" else 200


AXE = "/__tests__/axe.min.js"
# Load axe-core from the page's own origin (the CSP allows no other), then run it; the run is left
# pending in the page, so that many pages can be checked at once, one per core, and collected after.
START_AXE = """([source, tags, colours]) => {
    window.__axe = new Promise((resolve, reject) => {
        const run = () => {
            const rules = axe.getRules(tags).filter(r => !colours || r.tags.includes("cat.color")).map(r => r.ruleId);
            axe.run(document, {runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]})
                .then(results => resolve(results.violations), reject);
        };
        if (window.axe) return run();
        const script = Object.assign(document.createElement("script"), {src: source});
        script.addEventListener("load", run);
        script.addEventListener("error", () => reject(new Error("axe-core did not load")));
        document.head.append(script);
    });
}"""


def summary(found: list) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in found]


@pytest.fixture(scope="module")
def axe_findings(browser, site, kinds) -> dict[str, dict[str, list[str]]]:
    """axe-core's violations on every page kind, light then dark, all pages checked side by side.

    Light: every WCAG 2.2 A and AA rule and axe's best practices. Dark: the rules about colour,
    the only ones a colour scheme can change.
    """
    from axe_playwright_python import sync_playwright as axe_package
    SubPathHandler.tools[AXE] = Path(axe_package.__file__).parent / "axe.min.js"
    contexts, pages = [], {}
    try:
        for kind in KINDS:
            contexts.append(browser.new_context(viewport=DESKTOP))
            page = Watched(contexts[-1].new_page(), site[1])
            page.open(kinds[kind], status(kind))
            if kind == "search":  # with results showing, and the filters, one of them ticked
                page.page.locator("#search.ready").wait_for()
                page.page.get_by_label("Search for").fill("Geneva")
                page.page.locator(".search-result-link").first.wait_for()
                page.page.locator(".search-filter input[name=side]").first.check()
                page.page.wait_for_function("() => location.search.includes('side=')")
                page.page.locator(".search-result-link").first.wait_for()
            pages[kind] = page.page
        found: dict = {kind: {} for kind in KINDS}
        for scheme in ("light", "dark"):
            for page in pages.values():
                page.emulate_media(color_scheme=scheme)
                page.evaluate(START_AXE, [AXE, AXE_TAGS, scheme == "dark"])
            for kind, page in pages.items():
                found[kind][scheme] = summary(page.evaluate("() => window.__axe"))
        return found
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations_in_light_and_dark(kind, axe_findings):
    assert axe_findings[kind] == {"light": [], "dark": []}


def test_axe_finds_no_violations_with_a_note_preview_open(kinds, open_page):
    page = open_page()
    page.open(kinds["topic"])
    page.page.locator('main sup.note > a[role="doc-noteref"]').first.focus()
    page.page.locator(".note-preview:not([hidden])").wait_for()
    page.page.evaluate(START_AXE, [AXE, AXE_TAGS, False])
    assert summary(page.page.evaluate("() => window.__axe")) == []


@pytest.mark.parametrize("kind", KINDS)
def test_page_loads_with_no_console_error_and_no_failed_request(kind, kinds, open_page):
    page = open_page()
    page.open(kinds[kind], status(kind))
    if kind == "search":
        page.page.locator("#search.ready").wait_for()
        page.page.get_by_label("Search for").fill("Geneva")
        page.page.locator(".search-result").first.wait_for()
        page.page.keyboard.press("Enter")  # the form must not submit anywhere (the CSP forbids it)
    assert page.page.locator("main h1").count() == 1
    assert page.problems == []


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_scrolls_sideways_on_a_phone(kind, kinds, open_page):
    page = open_page(viewport=PHONE)
    page.open(kinds[kind], status(kind))
    for width in (375, 320):
        page.page.set_viewport_size({"width": width, "height": PHONE["height"]})
        scroll, inner = page.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{kinds[kind] or 'index'} is {scroll} px wide in a {inner} px window"
