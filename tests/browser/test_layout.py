"""What a reader sees: the matrix on a phone and a desk, quote cards, print, and screenshots for review."""

from __future__ import annotations

import shutil

from .browsing import ARTIFACTS, DESKTOP, PHONE, ROOT

SHOTS = ARTIFACTS / "screenshots"


def test_matrix_is_a_table_on_a_desk_and_stacked_and_labelled_on_a_phone(open_page):
    page = open_page()
    page.open("")
    sides = page.page.locator("table.matrix thead th").all_inner_texts()[1:]
    row = page.page.locator("table.matrix tbody tr").first
    cells = row.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert len({round(box["y"]) for box in boxes}) == 1  # side by side
    assert not cells.first.locator(".cell-side").is_visible()

    page.page.set_viewport_size(PHONE)
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert all(later["y"] >= earlier["y"] + earlier["height"] - 1 for earlier, later in zip(boxes, boxes[1:]))
    assert all(box["width"] >= PHONE["width"] * 0.8 for box in boxes)  # one under the other, full width
    for index, side in enumerate(sides):
        label = cells.nth(index).locator(".cell-side")
        assert label.is_visible() and label.inner_text().strip().lower() == side.strip().lower()
        label_box, cell_box = label.bounding_box(), cells.nth(index).bounding_box()
        assert label_box["y"] - cell_box["y"] < 30  # the label comes first in its cell
    assert page.problems == []


def test_each_matrix_cell_links_to_the_quotes_behind_its_stance(open_page, site):
    page = open_page()
    page.open("")
    link = page.page.locator("table.matrix td a.more").first
    assert "quote" in link.inner_text()
    link.click()
    target = page.page.evaluate("location.hash").lstrip("#")
    assert target.startswith("position-")
    assert page.page.locator(f"#{target} figure.quote").count() >= 1


def test_topic_positions_are_columns_on_a_desk_and_stacked_on_a_phone(kinds, open_page):
    page = open_page()
    page.open(kinds["topic"])
    columns = page.page.locator(".sides > .side")
    tops = {round(columns.nth(i).bounding_box()["y"]) for i in range(min(columns.count(), 3))}
    assert len(tops) == 1
    page.page.set_viewport_size(PHONE)
    boxes = [columns.nth(i).bounding_box() for i in range(columns.count())]
    assert all(later["y"] > earlier["y"] for earlier, later in zip(boxes, boxes[1:]))
    assert all(columns.nth(i).locator(".side-label").is_visible() for i in range(columns.count()))


def test_cite_this_copies_a_plain_text_citation(kinds, context_factory, site):
    context = context_factory()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site[1] + kinds["quote"])
    card = page.locator("figure.quote").first
    card.get_by_role("button", name="Cite this").click()
    page.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    speaker = card.locator("figcaption a").first.inner_text()
    words = card.locator("blockquote p").first.evaluate(
        "p => [...p.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim()")
    assert copied.startswith(f"{speaker}: “{words}”")
    assert "Reported by " in copied and copied.endswith(site[1] + kinds["quote"])
    assert page.locator('[role="status"]').inner_text() == "Citation copied to the clipboard."


def test_without_javascript_there_is_no_cite_button_and_the_permalink_stays(browser, site, kinds):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site[1] + kinds["quotes"])
        assert page.locator("button.cite-this").count() == 0
        assert page.locator("figure.quote a.permalink").count() == page.locator("figure.quote").count()
    finally:
        context.close()


def test_notes_print_with_their_addresses(kinds, open_page):
    page = open_page()
    page.open(kinds["topic"])
    page.page.emulate_media(media="print")
    notes = page.page.locator('section[role="doc-endnotes"] li[id^="fn-"]')
    assert notes.count() > 0
    for index in range(notes.count()):
        note = notes.nth(index)
        shown = note.locator("a.original, .no-url").first
        assert shown.is_visible()  # the original's address, printed as the link's own text, or why there is none
        if shown.evaluate("e => e.matches('a.original')"):
            assert shown.get_attribute("href") in shown.evaluate("e => getComputedStyle(e, '::after').content")
        assert note.locator('[role="doc-backlink"]').first.is_hidden()
    assert page.page.locator("nav[aria-label=Site]").is_hidden()
    # Any other link to the web prints its address after it too.
    after = page.page.evaluate("""() => {
        const main = document.querySelector('main');
        const other = Object.assign(document.createElement('a'), {href: 'https://example.org/a', textContent: 'a'});
        main.append(other);
        return getComputedStyle(other, '::after').content;
    }""")
    assert "https://example.org/a" in after
    # Each quote's permalink prints as its address.
    page.open(kinds["quotes"])
    page.page.emulate_media(media="print")
    permalink = page.page.locator("figure.quote a.permalink").first
    assert permalink.is_visible()
    printed = permalink.evaluate("e => getComputedStyle(e, '::after').content")
    assert page.base_url + "quotes/" in printed


def test_screenshots_of_index_topic_and_source_on_a_desk_and_a_phone(kinds, open_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(viewport=viewport)
        for name in ("index", "topic", "source"):
            page.open(kinds[name])
            page.page.screenshot(path=SHOTS / f"{name}-{device}.png")
            assert (SHOTS / f"{name}-{device}.png").stat().st_size > 10_000
        assert page.problems == []
    # Two more for review: the matrix stacked on a phone, and a note preview open on a desk.
    page = open_page(viewport=PHONE)
    page.open("")
    page.page.locator("table.matrix tbody").scroll_into_view_if_needed()
    page.page.evaluate("document.querySelector('table.matrix tbody').scrollIntoView()")
    page.page.screenshot(path=SHOTS / "matrix-phone.png")
    page = open_page()
    page.open(kinds["topic"])
    mark = page.page.locator('.sides sup.note > a[role="doc-noteref"]').first
    mark.evaluate("mark => mark.scrollIntoView({block: 'center'})")
    mark.hover()
    page.page.locator(".note-preview:not([hidden])").wait_for()
    page.page.screenshot(path=SHOTS / "note-preview-desktop.png")
    page.open("search/?q=Geneva")
    page.page.locator(".search-result-link").first.wait_for()
    page.page.screenshot(path=SHOTS / "search-desktop.png")
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(SHOTS / "index-desktop.png", docs / "screenshot.png")
