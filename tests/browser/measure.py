"""Measure what the reader's-explainer tests bound, for a report: each page's height at 1280 and 375 px
(quotes closed, as the page opens) and its notes against the articles it cites.

    python build.py --out /tmp/site && python -m tests.browser.measure /tmp/site [PATH ...]
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading

from .browsing import CHROMIUM_ARGS, chromium_path

PATHS = ["", "topics/nato-enlargement/", "topics/ukraine/", "topics/the-talks/", "proposals/", "topics/"]
COUNT = """() => {
    const notes = [...document.querySelectorAll('section[role="doc-endnotes"] li[id^="fn-"]')];
    const list = document.querySelector('details.notes-list');
    const shut = list && !list.open;
    if (list) list.open = true;
    const open = document.documentElement.scrollHeight;
    if (shut) list.open = false;
    return {notes: notes.length, articles: new Set(notes.map(li => li.dataset.source)).size,
            marks: document.querySelectorAll('main a[role="doc-noteref"]').length, open};
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    folder, paths = argv[0], argv[1:] or PATHS
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for width in (1280, 375):
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in paths:
                page.goto(base + path)
                height = page.evaluate("document.documentElement.scrollHeight")
                found = page.evaluate(COUNT)
                print(f"{width:5} px  /{path:28} {height:6} px tall ({found['open']} px with the notes open);"
                      f" {found['notes']} notes for {found['articles']} articles, {found['marks']} marks")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
