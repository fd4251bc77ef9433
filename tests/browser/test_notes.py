"""Footnote previews: hover, keyboard focus and a tap show the note beside its mark; Escape closes it."""

from __future__ import annotations

from .browsing import PHONE

PREVIEW = ".note-preview:not([hidden])"


def first_mark(page):
    return page.locator('main sup.note > a[role="doc-noteref"]').first


def note_source(page, mark) -> dict:
    """What the note a mark points to names: outlet and headline."""
    note = page.locator(mark.get_attribute("href"))
    return {"outlet": note.locator(".outlet").inner_text(), "headline": note.locator("a.headline").inner_text()}


def test_hovering_a_mark_previews_its_note_and_leaving_closes_it(kinds, open_page):
    page = open_page()
    page.open(kinds["topic"])
    mark = page.page.locator('main sup.note > a[role="doc-noteref"]').nth(2)
    named = note_source(page.page, mark)
    mark.hover()
    preview = page.page.locator(PREVIEW)
    preview.wait_for()
    assert named["outlet"] in preview.inner_text() and named["headline"] in preview.inner_text()
    assert preview.locator("a.headline").count() == 1
    box, target = preview.bounding_box(), mark.bounding_box()
    assert abs(box["y"] - (target["y"] + target["height"])) < 40 or box["y"] + box["height"] <= target["y"] + 1
    # Hoverable: the pointer can move onto the preview without it closing.
    page.page.mouse.move(box["x"] + 10, box["y"] + 10, steps=4)
    page.page.wait_for_timeout(500)
    assert preview.is_visible()
    page.page.mouse.move(2, 2)
    page.page.locator(".note-preview").wait_for(state="hidden")
    assert page.problems == []


def test_keyboard_focus_previews_the_note_and_escape_closes_it(kinds, open_page):
    page = open_page()
    page.open(kinds["source"])
    mark = first_mark(page.page)
    named = note_source(page.page, mark)
    mark.focus()
    preview = page.page.locator(PREVIEW)
    preview.wait_for()
    assert named["headline"] in preview.inner_text()
    described = mark.get_attribute("aria-describedby")
    assert described and page.page.locator(f"#{described}").inner_text() == preview.inner_text()
    # Tab moves into the preview's links; Escape closes it and returns to the mark.
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.closest('.note-preview') !== null")
    page.page.keyboard.press("Escape")
    page.page.locator(".note-preview").wait_for(state="hidden")
    assert page.page.evaluate("document.activeElement.getAttribute('role')") == "doc-noteref"
    assert mark.get_attribute("aria-describedby") is None
    # Enter still jumps to the note.
    page.page.keyboard.press("Enter")
    assert page.page.evaluate("location.hash") == mark.get_attribute("href")
    assert page.problems == []


def test_escape_closes_a_hover_preview_without_moving_the_pointer(kinds, open_page):
    page = open_page()
    page.open("")
    first_mark(page.page).hover()
    page.page.locator(PREVIEW).wait_for()
    page.page.keyboard.press("Escape")
    page.page.locator(".note-preview").wait_for(state="hidden")


def test_a_tap_previews_the_note_instead_of_jumping(kinds, open_page):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    page.open(kinds["topic"])
    mark = first_mark(page.page)
    named = note_source(page.page, mark)
    mark.tap()
    preview = page.page.locator(PREVIEW)
    preview.wait_for()
    assert named["outlet"] in preview.inner_text()
    assert page.page.evaluate("location.hash") == ""
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    preview.locator(".note-preview-jump").tap()
    assert page.page.evaluate("location.hash") == mark.get_attribute("href")
    assert page.problems == []


def test_without_javascript_a_mark_is_a_plain_jump_to_its_note(browser, site, kinds):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site[1] + kinds["topic"])
        mark = first_mark(page)
        mark.click()
        assert page.evaluate("location.hash") == mark.get_attribute("href")
        backlink = page.locator(f'{mark.get_attribute("href")} a[role="doc-backlink"]').first
        backlink.click()
        assert page.evaluate("location.hash") == "#" + mark.get_attribute("id")
    finally:
        context.close()
