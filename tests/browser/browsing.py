"""What the browser tests share: the sub-path server, a watched page, the page kinds of a built site."""

from __future__ import annotations

import http.server
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
MOUNT = "/stances/"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def chromium_path() -> str | None:
    found = os.environ.get("STANCES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).is_file() else None


def unavailable(reason: str):
    """Skip a browser test where the browser is missing; under CI that is a failure."""
    message = (f"{reason}: the browser tests need Debian's Chromium and Playwright "
               "(apt-get install chromium, or STANCES_CHROMIUM=/path/to/chromium; pip install -e '.[browser]')")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site at MOUNT only, and its 404.html for anything missing, as GitHub Pages does.

    `tools` maps a few paths outside MOUNT to test files (axe-core), which pages can then load from
    their own origin, as the pages' CSP requires.
    """

    tools: dict[str, Path] = {}

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path in self.tools:
            return str(self.tools[path])
        if not path.startswith(MOUNT):
            return str(Path(self.directory) / ".missing")
        return super().translate_path("/" + path[len(MOUNT):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


class Watched:
    """A page with every console error, page error and failed request it met along the way."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self.failed)
        page.on("response", self.response)
        self.expected_status: dict[str, int] = {}

    def console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in self.expected_status:
            return  # the page asked for on purpose with an error status (the 404 page); checked in open()
        self.problems.append(f"console: {message.text} ({url})")

    def failed(self, request):
        # The browser aborts what a page still loads when it is left (the favicon, fetched after `load`,
        # when the next page is opened at once): not the site's fault. A file missing is a 404 (`response`).
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def response(self, response):
        wanted = self.expected_status.get(response.url, 200)
        if response.status >= 400 and response.status != wanted:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, path: str, status: int = 200):
        """Go to a page of the site (a path under the mount) and wait until it has settled."""
        url = self.base_url + path
        self.expected_status[url] = status
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, f"{url}: HTTP {response and response.status}"
        return response


def page_kinds(folder: Path) -> dict[str, str]:
    """One page of every kind in a built site, by kind: its path under the mount."""
    def first(kind: str) -> str:
        return sorted(p.parent.name for p in (folder / kind).glob("*/index.html"))[0]
    return {
        "index": "", "topics": "topics/", "topic": f"topics/{first('topics')}/",
        "actors": "actors/", "actor": f"actors/{first('actors')}/",
        "people": "people/", "person": f"people/{first('people')}/",
        "sources": "sources/", "source": f"sources/{first('sources')}/",
        "quotes": "quotes/", "quote": f"quotes/{first('quotes')}/",
        "proposals": "proposals/", "timeline": "timeline/", "about": "about/", "corrections": "corrections/",
        "data": "data/",
        "search": "search/", "404": "there/is/no/such/page/",
    }
