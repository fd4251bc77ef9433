"""Footnote previews: hover, keyboard focus and a tap show the note beside its mark; Escape closes it."""

from __future__ import annotations

from .browsing import PHONE

PREVIEW = ".note-preview:not([hidden])"


def first_mark(page):
    return page.locator('main sup.note > a[role="doc-noteref"]').first


def note_source(page, mark) -> dict:
    """What the note a mark points to names: outlet, headline, and the passage it cites (if any)."""
    target = page.locator(mark.get_attribute("href"))
    is_passage = target.get_attribute("id").startswith("passage-")
    note = page.locator('li[id^="fn-"]', has=target) if is_passage else target
    return {"outlet": note.locator(".outlet").first.inner_text(), "headline": note.locator("a.headline").inner_text(),
            "passage": target.locator(".locator").inner_text() if is_passage else None}


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
    if named["passage"]:  # its own passage, and no other the note lists
        assert preview.locator(".locator").all_inner_texts() == [named["passage"]]
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
    # Escape closes it, focus staying on the mark.
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


def test_a_preview_adds_no_tab_stops_tab_goes_from_mark_to_the_next_place_on_the_page(open_page):
    page = open_page()
    page.open("")
    order = page.page.evaluate("""() => [...document.querySelectorAll('main a[href], main button, main summary')]
        .filter(e => e.offsetParent !== null && e.tabIndex >= 0).map(e => e.id || e.getAttribute('href'))""")
    marks = page.page.locator('main sup.note > a[role="doc-noteref"]')
    assert marks.count() > 5
    for index in range(5):
        mark = marks.nth(index)
        mark.focus()
        page.page.locator(PREVIEW).wait_for()
        page.page.keyboard.press("Tab")
        now = page.page.evaluate("document.activeElement.id || document.activeElement.getAttribute('href')")
        assert page.page.evaluate("document.activeElement.closest('.note-preview') === null")
        assert now == order[order.index(mark.get_attribute("id")) + 1]
    assert page.problems == []


def test_following_a_mark_leaves_its_note_clear_of_the_top_and_back_leaves_the_sentence_in_view(kinds, open_page):
    page = open_page()
    page.open(kinds["topic"])
    mark = first_mark(page.page)
    mark_id = mark.get_attribute("id")
    page.page.evaluate("id => { location.hash = document.getElementById(id).getAttribute('href'); }", mark_id)
    target = page.page.locator(mark.get_attribute("href"))
    assert target.bounding_box()["y"] > 40  # not flush to the top
    page.page.evaluate("id => { location.hash = id; }", mark_id)
    assert page.page.locator(f"#{mark_id}").bounding_box()["y"] > 100  # the sentence before it stays in view
