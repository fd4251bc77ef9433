"""`python build.py serve`, driven over HTTP and the LiveReload socket as a browser would."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "content"
BASE = "https://example.org/sub/"
SCRIPT = re.compile(r'<script src="/livereload\.js\?snipver=\d+" defer></script>')
TIMEOUT = 20  # seconds: generous for a loaded 2-core machine; loops end as soon as they can


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str) -> tuple[int, dict, bytes]:
    """GET a URL exactly as written (no redirects followed); return status, headers, body."""
    try:
        with OPENER.open(url, timeout=TIMEOUT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_until(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    """A `python build.py serve` subprocess in a folder holding content/."""

    def __init__(self, folder: Path, *options: str, preexec=None):
        self.folder = folder
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", "content", "--out", "site",
             "--port", "0", *options],
            cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT)), preexec_fn=preexec)
        threading.Thread(target=self._read, daemon=True).start()
        match = wait_until(lambda: self._line(r"serving (http://127\.0\.0\.1:\d+)(/\S*)"), "the server to start")
        self.origin, self.base = match.group(1), match.group(2)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _line(self, pattern: str):
        if self.process.poll() is not None:
            time.sleep(0.2)  # let the reader catch the last lines
            raise AssertionError("server exited:\n" + self.output)
        return next((m for m in map(re.compile(pattern).search, list(self.lines)) if m), None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return fetch(self.origin + path)

    def page(self, path: str = "") -> str:
        status, _, body = self.get(self.base + path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("/__stances__/status")[2])

    def wait_for_build(self, after: int) -> dict:
        """Wait for the build after generation `after` to finish; return the status."""
        def done():
            status = self.status()
            return status if status["generation"] > after and not status["building"] else None
        return wait_until(done, f"a build after build {after}\n{self.output}")

    def pending_saves(self) -> bool:
        """Whether the last lines say a build was overtaken and another follows."""
        return bool(self.lines) and "overtaken" in self.lines[-1]

    def builds(self) -> int:
        return sum(1 for line in self.lines if re.match(r"(built \d+ pages|build \d+ failed)", line))

    def stop(self, how=signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def folder(tmp_path) -> Path:
    """A contributor's folder: a copy of the golden content, and assets to edit."""
    shutil.copytree(GOLDEN, tmp_path / "content")
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    return tmp_path


@pytest.fixture
def start(folder):
    servers: list[Server] = []

    def start_server(*options: str) -> Server:
        server = Server(folder, "--assets", "assets", *options)
        servers.append(server)
        return server

    yield start_server
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def server(start) -> Server:
    return start("--base-url", BASE)


def edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def retitle(title: str):
    return lambda text: re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)


def full_build(folder: Path, out: str = "fresh") -> Path:
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", out, "--assets", "assets",
         "--base-url", BASE], cwd=folder, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr
    return folder / out


def assert_serves(server: Server, built: Path) -> None:
    """Every file of a full build is served, HTML identical once the livereload tag is stripped."""
    files = sorted(path for path in built.rglob("*") if path.is_file() and not path.name.startswith("."))
    assert any(path.suffix == ".html" for path in files)
    for path in files:
        name = path.relative_to(built).as_posix()
        if name.startswith(("pagefind/", "data/")) and not name.endswith(".html"):
            # The preview indexes search in the background, and writes the open data, after the pages. Its
            # Pagefind runs at a low priority (search.BACKGROUND), so on a busy machine it may take a while.
            wait_until(lambda: server.get(server.base + name)[2] == path.read_bytes(),
                       f"{name} to follow the pages\n{server.output}", timeout=3 * TIMEOUT)
        status, headers, body = server.get(server.base + name)
        expected_status = 404 if name == "404.html" else 200  # GitHub Pages serves it for misses only
        if name != "404.html":
            assert status == expected_status, name
        if path.suffix == ".html":
            text = body.decode("utf-8")
            assert len(SCRIPT.findall(text)) == 1, name
            assert SCRIPT.sub("", text) == path.read_text(encoding="utf-8"), name
            assert "stances-problems" not in text
        else:
            assert body == path.read_bytes(), name


def test_serves_under_the_sub_path_exactly_what_a_full_build_writes(server, folder):
    assert server.base == "/sub/"
    assert_serves(server, full_build(folder))
    status, headers, _ = server.get("/")
    assert (status, headers["Location"]) == (302, "/sub/")
    status, headers, _ = server.get("/sub")
    assert (status, headers["Location"]) == (302, "/sub/")
    status, headers, _ = server.get("/sub/topics")
    assert (status, headers["Location"]) == (302, "/sub/topics/")
    assert server.get("/sub/assets/style.css")[1]["Content-Type"].startswith("text/css")
    # The livereload client comes from the same origin: the pages' CSP allows no other script.
    status, headers, body = server.get("/livereload.js")
    assert status == 200 and b"LiveReload" in body


def test_sub_path_comes_from_site_settings_without_base_url(start, folder):
    import yaml

    settings = yaml.safe_load((folder / "content" / "site.yml").read_text(encoding="utf-8"))
    path = re.sub(r"^https?://[^/]+", "", settings["base_url"]).rstrip("/") + "/"
    server = start()
    assert server.base == path
    assert server.get("/")[1]["Location"] == path
    assert 'rel="canonical" href="' + settings["base_url"].rstrip("/") + '/"' in server.page()


def test_missing_pages_get_the_sites_own_404_page(server, folder):
    own = (full_build(folder) / "404.html").read_text(encoding="utf-8")
    for path in ("/sub/no-such-page/", "/sub/topics/no-such-topic/", "/sub/missing.css", "/elsewhere/"):
        status, headers, body = server.get(path)
        assert status == 404, path
        assert headers["Content-Type"].startswith("text/html")
        assert SCRIPT.sub("", body.decode("utf-8")) == own


@pytest.mark.parametrize("path", [
    "/sub/../../etc/passwd",
    "/sub/../secret.txt",
    "/sub/%2e%2e/secret.txt",
    "/sub/%2E%2E%2Fsecret.txt",
    "/sub/..%2f..%2f..%2fetc%2fpasswd",
    "/sub/..%5csecret.txt",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/sub/assets/%2e%2e/%2e%2e/secret.txt",
    "/sub/.stances-site",
])
def test_refuses_paths_that_leave_the_site(server, folder, path):
    (folder / "secret.txt").write_text("secret\n")
    status, _, body = server.get(path)
    assert status in (400, 404), status
    assert b"secret\n" not in body and b"root:" not in body


def test_an_edit_appears_and_saves_during_a_build_give_one_more_build(server, folder):
    site = folder / "content" / "site.yml"
    first = server.status()["generation"]
    edit(site, retitle("The river dispute, edited"))
    assert server.wait_for_build(first)["ok"] is True
    assert "The river dispute, edited" in server.page()

    before = server.status()["generation"]
    for number in range(6):  # an editor saving several times, a formatter rewriting, at once
        edit(site, retitle(f"Burst {number}"))
    # The first save starts a build at once; the saves that came while it ran give one more build.
    wait_until(lambda: "Burst 5" in server.page(), "the last save to be served")
    time.sleep(1.0)  # no build may follow once the saves have stopped
    status = server.status()
    # Each save's closing may start a build; saves that come while one runs wait for one more.
    assert before < status["generation"] <= before + 6 and not status["building"] and status["ok"]
    assert "error" not in server.output  # a build that read the file half written was overtaken, not reported
    assert re.search(r"built \d+ pages in \d+\.\d+ s", server.output)  # the rebuild time is printed
    assert_serves(server, full_build(folder))


def test_an_editor_saving_through_a_temporary_file_gives_the_final_site(server, folder):
    quote = folder / "content" / "quotes" / "lee.yml"
    for number in range(3):
        generation = server.status()["generation"]
        # As vim, VS Code and others save: the new text goes to a temporary file, renamed over the old.
        temporary = quote.with_name(f".lee.yml.{number}.tmp")
        temporary.write_text(quote.read_text(encoding="utf-8").replace(
            "We will consider the gauge" if number == 0 else f"We will weigh the gauge {number - 1}",
            f"We will weigh the gauge {number}"), encoding="utf-8")
        os.replace(temporary, quote)
        wait_until(lambda: f"We will weigh the gauge {number}" in server.page("quotes/lee-consider/"),
                   f"save {number} to be served")
        server.wait_for_build(generation)
    time.sleep(0.5)
    assert server.status()["ok"] is True
    assert "error" not in server.output
    assert_serves(server, full_build(folder))


def test_a_checkout_that_rewrites_many_files_at_once_ends_in_the_site_it_checked_out(server, folder):
    # As `git checkout` does: files removed, added and changed in a burst, while builds start and run.
    generation = server.status()["generation"]
    quotes = folder / "content" / "quotes"
    (quotes / "lee.yml").rename(folder / "lee.yml.saved")  # gone, then back below: its quotes are cited
    (quotes / "lee-later.yml").write_text("id: lee-later\nspeaker: ann-lee\nwordings:\n  - text: \"Checked out.\"\n"
                                      "    cite: [gazette-dam]\n", encoding="utf-8")
    edit(folder / "content" / "site.yml", retitle("Checked out"))
    for path in sorted((folder / "content").rglob("*.yml")):
        path.write_bytes(path.read_bytes())  # rewritten unchanged
    (folder / "lee.yml.saved").rename(quotes / "lee.yml")
    wait_until(lambda: b"Checked out." in server.get(server.base + "quotes/lee-later/")[2], "the checked-out site")
    server.wait_for_build(generation)
    wait_until(lambda: not server.status()["building"] and not server.pending_saves(), "the builds to end")
    time.sleep(0.5)
    status = server.status()
    assert status["ok"] is True, status["problems"]
    assert_serves(server, full_build(folder))


def test_each_kind_of_change_is_served_as_a_full_build_writes_it(start, folder):
    # Sorted by kind, each change gets its own rebuild: a template renders every page again, an asset is
    # copied, a content file is read again, the site settings show on every page that shows them.
    shutil.copytree(ROOT / "templates", folder / "templates")
    server = start("--base-url", BASE)
    changes = [
        (folder / "templates" / "quote.html",
         lambda text: text.replace("<h1>{{ page.title }}</h1>", "<h1>{{ page.title }} (template edited)</h1>"),
         ["quotes/lee-consider/", "quotes/brown-fields/"], "(template edited)"),
        (folder / "assets" / "style.css", lambda text: text + "\n.asset-edited { color: red; }\n",
         ["assets/style.css"], ".asset-edited"),
        (folder / "content" / "quotes" / "lee.yml",
         lambda text: text.replace("We will consider the gauge", "We will weigh the gauge"),
         ["quotes/lee-consider/"], "We will weigh the gauge"),
        (folder / "content" / "site.yml", retitle("Settings edited"),
         ["", "topics/the-dam/", "quotes/lee-consider/", "about/"], "Settings edited"),
    ]
    for path, change, pages, seen in changes:
        generation = server.status()["generation"]
        edit(path, change)
        for page in pages:
            wait_until(lambda: seen in server.page(page), f"{path.name}'s edit on /{page}")
        server.wait_for_build(generation)
        wait_until(lambda: not server.status()["building"] and not server.pending_saves(), "the builds to end")
        assert server.status()["ok"] is True
        assert_serves(server, full_build(folder, f"fresh-{path.stem}"))
    assert "(template edited)" in server.page("quotes/lee-consider/")  # each kind's edit stands after the others'


def test_a_content_save_reads_no_template_and_copies_no_asset(start, folder):
    # A template and an asset changed where the watcher cannot see them: through hard links from outside
    # the watched folders. A content save reads the content alone, so the pages keep the template they
    # were rendered with and the stylesheet stays as it was; once each is saved where the watcher sees
    # it, the site follows it.
    shutil.copytree(ROOT / "templates", folder / "templates")
    template, css = folder / "templates" / "quote.html", folder / "assets" / "style.css"
    (folder / "elsewhere").mkdir()
    for path in (template, css):
        os.link(path, folder / "elsewhere" / path.name)
    server = start("--base-url", BASE)
    generation = server.status()["generation"]
    edit(folder / "elsewhere" / template.name,
         lambda text: text.replace("<h1>{{ page.title }}</h1>", "<h1>{{ page.title }} (unseen)</h1>"))
    edit(folder / "elsewhere" / css.name, lambda text: text + "\n.unseen { color: red; }\n")
    time.sleep(1.0)
    assert server.status()["generation"] == generation  # the watcher heard nothing
    edit(folder / "content" / "quotes" / "lee.yml",
         lambda text: text.replace("We will consider the gauge", "We will weigh the gauge"))
    wait_until(lambda: "We will weigh the gauge" in server.page("quotes/lee-consider/"), "the content save")
    server.wait_for_build(generation)
    assert "(unseen)" not in server.page("quotes/lee-consider/")
    assert ".unseen" not in server.page("assets/style.css")
    for path, page, seen in ((template, "quotes/brown-fields/", "(unseen)"), (css, "assets/style.css", ".unseen")):
        generation = server.status()["generation"]
        path.write_bytes(path.read_bytes())  # saved as it is, where the watcher sees it
        wait_until(lambda: seen in server.page(page), f"{path.name} saved")
        server.wait_for_build(generation)
    assert "We will weigh the gauge" in server.page("quotes/lee-consider/")
    assert_serves(server, full_build(folder))


def test_an_edit_in_a_burst_too_large_for_the_system_to_report_is_served(server, folder):
    # While the preview cannot read the system's reports (stopped here, as on a machine too busy), a burst
    # of saves fills the kernel's queue, and the edit saved after it is reported by no event. The system
    # says events were dropped: everything is looked at again, and the edit is served.
    generation = server.status()["generation"]
    server.process.send_signal(signal.SIGSTOP)
    try:
        noise = folder / "content" / ".noise"
        for number in range(12_000):  # 3 events each (opened, modified, closed): past the queue's 16,384
            noise.write_text(str(number))
        edit(folder / "content" / "quotes" / "lee.yml",
             lambda text: text.replace("We will consider the gauge", "We will weigh the gauge"))
    finally:
        server.process.send_signal(signal.SIGCONT)
    wait_until(lambda: "We will weigh the gauge" in server.page("quotes/lee-consider/"), "the edit after the burst")
    server.wait_for_build(generation)
    wait_until(lambda: not server.status()["building"] and not server.pending_saves(), "the builds to end")
    assert_serves(server, full_build(folder))


def test_an_archived_article_edited_has_the_quotes_checked_again(start, folder):
    shutil.copytree(GOLDEN.parent / "archive", folder / "archive")
    server = start("--base-url", BASE, "--archive", "archive")
    assert server.status()["ok"] is True
    article = folder / "archive" / "gazette-dam.txt"
    generation = server.status()["generation"]
    edit(article, lambda text: text.replace("We will consider the gauge.", "We will think about the gauge."))
    status = server.wait_for_build(generation)
    assert not status["ok"]
    assert any("quote 'lee-consider' is not verbatim in source 'gazette-dam'" in problem
               for problem in status["problems"]), status["problems"]
    assert "stances-problems" in server.page("quotes/lee-consider/")
    edit(article, lambda text: text.replace("We will think about the gauge.", "We will consider the gauge."))
    wait_until(lambda: server.status()["ok"] and not server.status()["building"], "the article put back")
    assert "stances-problems" not in server.page("quotes/lee-consider/")


def test_search_is_indexed_in_the_background_after_the_pages_are_written(server, folder):
    wait_until(lambda: "search index updated" in server.output, "the first search index")
    assert (folder / "site" / "pagefind" / "pagefind-entry.json").is_file()
    indexed = server.output.count("search index updated")
    generation = server.status()["generation"]
    edit(folder / "content" / "site.yml", retitle("Indexed again"))
    assert server.wait_for_build(generation)["ok"] is True
    assert "Indexed again" in server.page()  # the page is there before the index is
    wait_until(lambda: server.output.count("search index updated") > indexed, "the search index to follow the edit")
    assert not list((folder / "site").glob(".pagefind*"))  # the new index was swapped in whole


def test_search_follows_an_edit_an_addition_and_a_deletion_with_the_index_a_fresh_build_writes(server, folder):
    """The preview gives Pagefind only the records a save changed (and starts it again when one comes or
    goes): each time, the index it swaps in is the one a fresh build writes, file for file."""
    from test_search import records

    def bundle(site: Path) -> dict:
        try:
            return {path.relative_to(site).as_posix(): path.read_bytes()
                    for path in sorted((site / "pagefind").rglob("*")) if path.is_file()}
        except OSError:  # swapped meanwhile
            return {}

    wait_until(lambda: "search index updated" in server.output, "the first search index")
    quotes = folder / "content" / "quotes"
    later = quotes / "lee-later.yml"
    changes = [lambda: edit(quotes / "lee.yml", lambda text: text.replace("prevent floods", "hold back floods")),
               lambda: later.write_text("id: lee-later\nspeaker: ann-lee\nwordings:\n  - text: \"Talks go on.\"\n"
                                        "    cite: [gazette-dam]\n", encoding="utf-8"),
               later.unlink]
    for number, change in enumerate(changes):
        generation = server.status()["generation"]
        change()
        assert server.wait_for_build(generation)["ok"] is True
        fresh = full_build(folder, f"fresh-{number}")
        found = [record["content"] for record in records(fresh)]
        assert any("hold back floods" in words for words in found)
        assert any("Talks go on" in words for words in found) == (number == 1)
        expected = bundle(fresh)
        wait_until(lambda: bundle(folder / "site") == expected, f"the search index to follow change {number}")
    assert not list((folder / "site").glob(".pagefind*"))


def test_adding_and_deleting_records_while_serving_matches_a_fresh_build(server, folder):
    added = folder / "content" / "quotes" / "lee-later.yml"
    generation = server.status()["generation"]
    added.write_text("id: lee-later\nspeaker: ann-lee\nwordings:\n  - text: \"We will talk again.\"\n"
                     "    cite: [gazette-dam]\n", encoding="utf-8")
    assert server.wait_for_build(generation)["ok"] is True
    assert "We will talk again." in server.page("quotes/lee-later/")
    assert_serves(server, full_build(folder, "after-add"))

    generation = server.status()["generation"]
    added.unlink()
    assert server.wait_for_build(generation)["ok"] is True
    assert server.get(server.base + "quotes/lee-later/")[0] == 404
    assert_serves(server, full_build(folder, "after-delete"))


def test_a_broken_edit_shows_its_problems_over_the_last_good_site_until_fixed(server, folder):
    site = folder / "content" / "site.yml"
    good = site.read_text(encoding="utf-8")
    old_title = server.page().split("<title>")[1].split("</title>")[0]
    generation = server.status()["generation"]
    broken = good.rstrip("\n") + "\nbogus: 1\n" + "title: twice\n"
    site.write_text(broken, encoding="utf-8")
    status = server.wait_for_build(generation)
    line = broken.count("\n") - 1
    expected = f"content/site.yml:{line}:1: error: unknown field 'bogus'"
    assert status["ok"] is False
    assert any(problem.startswith(expected) for problem in status["problems"]), status["problems"]
    assert server.process.poll() is None
    wait_until(lambda: expected in server.output, "the problem in the terminal")
    for path in ("", "topics/the-dam/", "no-such-page/"):
        status_code, _, body = server.get(server.base + path)
        text = html.unescape(body.decode("utf-8"))
        assert status_code == (404 if path.startswith("no-such") else 200)
        assert 'id="stances-problems"' in text and expected in text, path
        assert "duplicate field 'title'" in text and "You are looking at the last good site." in text
        assert SCRIPT.search(text)
    assert f"<title>{old_title}</title>" in server.page()  # the last good site, still served
    status_code, headers, _ = server.get("/__stances__/overlay.css")  # styled from our origin, not inline
    assert status_code == 200 and headers["Content-Type"].startswith("text/css")

    generation = server.wait_for_build(generation - 1)["generation"]
    site.write_text(good, encoding="utf-8")
    assert server.wait_for_build(generation)["ok"] is True
    assert "stances-problems" not in server.page()
    assert_serves(server, full_build(folder))


def test_references_into_a_file_that_cannot_be_read_show_as_one_line_as_build_prints_it(server, folder):
    source = folder / "content" / "sources" / "courier-talks.yml"
    good = source.read_text(encoding="utf-8")
    generation = server.status()["generation"]
    edit(source, lambda text: text.replace("headline: Talks on the dam", "headline: Talks: on the dam", 1))
    checked = subprocess.run([sys.executable, str(ROOT / "build.py"), "check"], cwd=folder, capture_output=True,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS=""))
    error, note, failed = checked.stderr.splitlines()
    assert note.startswith("not checked: ") and failed.startswith("failed: 1 error(s)")
    status = server.wait_for_build(generation)
    assert status["problems"] == [error] and status["notes"] == [note]
    wait_until(lambda: re.search(rf"{re.escape(error)}\n{re.escape(note)}\nbuild \d+ failed", server.output),
               f"the problem, then the line, in the terminal\n{server.output}")
    text = html.unescape(server.page())
    assert "The last build failed: 1 problem(s)" in text
    assert f"<li class=\"error\">{error}</li></ol><p>{note}</p></details>" in text

    generation = status["generation"]
    source.write_text(good, encoding="utf-8")
    status = server.wait_for_build(generation)
    assert status["ok"] is True and status["notes"] == []
    assert "not checked" not in server.page()


def test_a_first_build_that_fails_serves_the_problems_then_the_site(start, folder):
    site = folder / "content" / "site.yml"
    good = site.read_text(encoding="utf-8")
    site.write_text(good + "bogus: 1\n", encoding="utf-8")
    server = start("--base-url", BASE)
    assert server.status()["ok"] is False
    status, _, body = server.get("/sub/")
    assert status == 503
    assert "unknown field &#x27;bogus&#x27;" in body.decode("utf-8")
    assert "There is no good build to show yet." in body.decode("utf-8")
    assert "last good site" not in body.decode("utf-8")  # there is none
    site.write_text(good, encoding="utf-8")
    assert server.wait_for_build(1)["ok"] is True
    assert_serves(server, full_build(folder))


def test_requests_during_a_rebuild_get_a_whole_site(server, folder):
    site = folder / "content" / "site.yml"
    generation = server.status()["generation"]
    edit(site, retitle("Second edition"))
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while server.status()["generation"] == generation:
        assert time.monotonic() < deadline, "no rebuild"
        for path in ("", "topics/the-dam/", "assets/style.css"):
            status, _, body = server.get(server.base + path)
            assert status == 200, path
            seen.append(body)
    for body in seen:
        if body.startswith(b"<!doctype html>"):
            assert body.rstrip().endswith(b"</html>")


def test_browsers_reload_after_every_build_and_css_alone_is_swapped_in_place(server, folder):
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    socket_url = server.origin.replace("http://", "ws://") + "/livereload"

    async def connect(generation, origin=None):
        request = HTTPRequest(socket_url, headers={"Origin": origin} if origin else {})
        socket = await websocket_connect(request)
        await socket.write_message(json.dumps({
            "command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
            "snipver": generation}))
        assert json.loads(await socket.read_message())["command"] == "hello"
        await socket.write_message(json.dumps({"command": "info", "plugins": {}, "url": server.origin + "/sub/"}))
        return socket

    async def message(socket):
        return json.loads(await asyncio.wait_for(socket.read_message(), TIMEOUT))

    async def rebuilt(change_file, change, expected_path):
        generation = server.status()["generation"]
        edit(change_file, change)
        reply = await message(socket)
        assert reply["command"] == "reload" and reply["path"] == expected_path, reply
        await asyncio.to_thread(server.wait_for_build, generation)
        return reply

    async def scenario():
        nonlocal socket
        generation = server.status()["generation"]
        socket = await connect(generation)
        await asyncio.to_thread(wait_until, lambda: server.status()["browsers"] == 1, "the browser to connect")
        css = folder / "assets" / "style.css"
        reply = await rebuilt(css, lambda text: text + "\n.tested { color: red; }\n", "/sub/assets/style.css")
        assert reply["liveCSS"] is True
        site = folder / "content" / "site.yml"
        # Two builds in quick succession reload twice (the package alone drops reloads within 3 s).
        await rebuilt(site, retitle("One"), "/sub/")
        await rebuilt(site, retitle("Two"), "/sub/")
        # A page served before the latest build reloads as soon as it connects.
        stale = await connect(generation)
        assert (await message(stale))["command"] == "reload"
        stale.close()
        # Other sites may not listen in.
        with pytest.raises(HTTPClientError) as refused:
            await connect(server.status()["generation"], origin="http://elsewhere.example")
        assert refused.value.code == 403
        socket.close()

    socket = None
    asyncio.run(scenario())


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_stops_cleanly_on_ctrl_c_and_sigterm(server, folder, how):
    edit(folder / "content" / "site.yml", retitle("Stopping"))
    assert server.stop(how) == 0
    assert "stopped" in server.output
    assert "Traceback" not in server.output
    assert not [path.name for path in folder.iterdir() if path.name.startswith(".site.")]
    assert (folder / "site" / "index.html").is_file()


def test_binds_loopback_by_default(server):
    assert server.origin.startswith("http://127.0.0.1:")
    assert server.status()["base_path"] == "/sub/"


@pytest.mark.parametrize("option", ["--no-search", "--workers=2", "--timings"])
def test_serve_refuses_the_build_options_it_would_ignore(option, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", option], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"unrecognized arguments: {option}" in result.stderr


def request(server: Server, path: str, headers: dict) -> int:
    try:
        with OPENER.open(urllib.request.Request(server.origin + path, headers=headers), timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("path", ["/sub/", "/sub/index.html", "/__stances__/status", "/livereload.js",
                                  "/__stances__/overlay.css"])
def test_answers_only_requests_addressed_to_it_from_its_own_pages(server, path):
    port = server.origin.rsplit(":", 1)[1]
    assert request(server, path, {}) == 200
    assert request(server, path, {"Host": f"localhost:{port}"}) == 200
    assert request(server, path, {"Origin": server.origin}) == 200
    # A page of another site, whose name was pointed at this machine (DNS rebinding), names its own host.
    assert request(server, path, {"Host": f"rebound.example:{port}"}) == 403
    assert request(server, path, {"Host": "127.0.0.1:1"}) == 403
    assert request(server, path, {"Origin": "http://elsewhere.example"}) == 403
    assert request(server, path, {"Origin": f"http://rebound.example:{port}"}) == 403


def test_the_reload_socket_refuses_another_host(server):
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    port = server.origin.rsplit(":", 1)[1]
    socket_url = server.origin.replace("http://", "ws://") + "/livereload"

    async def connect(headers):
        socket = await websocket_connect(HTTPRequest(socket_url, headers=headers))
        socket.close()

    asyncio.run(connect({"Host": f"localhost:{port}"}))
    with pytest.raises(HTTPClientError) as refused:
        asyncio.run(connect({"Host": f"rebound.example:{port}", "Origin": f"http://rebound.example:{port}"}))
    assert refused.value.code == 403


def test_follows_a_content_folder_deleted_and_made_again(server, folder):
    shutil.rmtree(folder / "content")
    # A build may start while the folder is half deleted (and say what the files left lack); the builds go
    # on until the deletion is whole.
    wait_until(lambda: not (now := server.status())["ok"] and not now["building"] and
               "content folder not found" in now["problems"][0], "a build that says the folder is gone")
    shutil.copytree(GOLDEN, folder / "content")
    # A build may start while the copy is half made (and fail); the builds go on until the copy is whole.
    wait_until(lambda: (now := server.status())["ok"] and not now["building"], "a good build of the new folder")
    edit(folder / "content" / "site.yml", retitle("Seen after the folder came back"))
    wait_until(lambda: "Seen after the folder came back" in server.page(), "the edit in the new folder to be served")


def small_files():
    """For the server: no file may grow past 24 KB, as on a disk that is full (EFBIG, not a signal)."""
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (24576, 24576))


def html_files(site: Path) -> dict:
    """Every page of a site and its bytes; the search indexer's folders, which come and go, passed over."""
    found = {}
    for where, folders, names in os.walk(site):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.update((Path(where, name), Path(where, name).read_bytes()) for name in names if name.endswith(".html"))
    return found


def test_a_write_that_fails_leaves_the_last_good_site_served_whole(folder):
    server = Server(folder, "--assets", "assets", "--base-url", BASE, preexec=small_files)
    try:
        status = server.wait_for_build(0) if server.status()["generation"] == 0 else server.status()
        assert status["ok"], server.output
        before = html_files(folder / "site")
        # In one save, a small change to every page (404.html is written first, in name order), and a
        # page too big for the disk (the about page).
        edit(folder / "content" / "site.yml", lambda text: re.sub(
            r"(?m)^description: .*$", "description: Changed a little.", text, count=1).replace(
            "about: |\n", "about: |\n  " + "Much about the method. " * 820 + "\n\n", 1))
        status = server.wait_for_build(status["generation"])
        assert not status["ok"]
        assert "File too large" in status["problems"][0], status
        after = html_files(folder / "site")
        assert [path for path in after if after[path] != before.get(path)] == [], (server.output, status)
        assert not [path for path in (folder / "site").rglob(".*.part-*")]
        wait_until(lambda: "still serving the last good site" in server.output, "the failed build's report")
        assert "Changed a little" not in server.page() and "stances-problems" in server.page()
    finally:
        server.stop()


def test_search_follows_a_build_overtaken_by_a_save_that_changed_nothing(start, folder):
    # A template edited (the whole site is built again, into a fresh folder), then at once a content file
    # saved as it was (a formatter, an editor's "save all"): the build of the edit is overtaken, the
    # build after it finds nothing new. Search must still follow the edit.
    shutil.copytree(ROOT / "templates", folder / "templates")
    server = start("--base-url", BASE)
    template = folder / "templates" / "quote.html"
    other = folder / "content" / "site.yml"
    generation = server.status()["generation"]
    edit(template, lambda text: text.replace("<h1>{{ page.title }}</h1>", "<h1>{{ page.title }} (edited)</h1>"))
    wait_until(lambda: server.status()["building"], "the build of the edit to start")
    other.write_bytes(other.read_bytes())
    wait_until(lambda: "(edited)" in server.page("quotes/lee-consider/"), "the edit to be served")
    server.wait_for_build(generation)
    wait_until(lambda: not server.status()["building"] and not server.pending_saves(), "the builds to end")
    assert "overtaken" in server.output  # the case this test is for
    assert_serves(server, full_build(folder))
