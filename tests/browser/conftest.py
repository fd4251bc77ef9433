"""The browser suite: one build of the shipped explainer, served under a sub-path, one Chromium.

Playwright drives Debian's Chromium (`apt-get install chromium`); Playwright's own browser
download is not used. Without Chromium the suite skips, except under CI, where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .browsing import CHROMIUM_ARGS, DESKTOP, MOUNT, ROOT, SubPathHandler, Watched, chromium_path, page_kinds, unavailable


@pytest.fixture(scope="package")
def server(tmp_path_factory):
    """A static server on 127.0.0.1 and a free port, serving a folder that the build fills."""
    folder = tmp_path_factory.mktemp("browser") / "site"
    folder.mkdir()
    handler = functools.partial(SubPathHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}{MOUNT}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="package")
def site(server, browser) -> tuple[Path, str]:
    """The shipped explainer, built once for the browser tests with the server's address as its base URL.

    It asks for the browser first, so that where there is none the suite skips without building.
    """
    folder, base_url = server
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(folder), "--base-url", base_url,
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS=""))
    assert result.returncode == 0, result.stderr
    return folder, base_url


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests, stopped after them.

    Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running while
    it is started, and the tests after these (tests/test_serve.py) run loops of their own.
    """
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium was not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - a browser that will not start is reported as such
        playwright.stop()
        unavailable(f"Chromium would not start ({exc})")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def context_factory(browser, site):
    """New browser contexts (desktop by default), closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, color_scheme="light", **options):
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def open_page(context_factory, site):
    """A watched page in a fresh context: open_page(viewport=..., color_scheme=...)."""

    def make(**options) -> Watched:
        return Watched(context_factory(**options).new_page(), site[1])

    return make


@pytest.fixture(scope="package")
def kinds(site) -> dict[str, str]:
    return page_kinds(site[0])
