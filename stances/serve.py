"""`python build.py serve`: build, serve under the site's sub-path, rebuild on change, reload the browser.

The `livereload` package gives the browser side: its WebSocket handler speaks the
LiveReload protocol, and it serves livereload.js from our own origin. `watchdog` hears
from the operating system which files changed, and a rebuild looks at just those. This
module and `handlers` (the HTTP side) own the rest:

- debounce: a burst of saves gives one rebuild, after QUIET seconds without a save;
- every finished build reloads the browser at once (the package's poll loop drops
  reloads within 3 s of the last; we never use that loop), and a page that missed a
  reload while it was loading reloads itself when it connects (handlers.ReloadSocket);
- a build that fails, or raises, keeps the last good site; the terminal prints the
  problems and every HTML page carries them in an overlay, injected as HTML and a
  same-origin stylesheet, since the pages' CSP forbids inline script and style;
- the site is served under the base URL's path, with the site's own 404.html;
- requests wait while a build runs, so no one reads a half-written site;
- search is indexed in a background thread after the pages are written, and the open-data
  files are written on the build thread once the browsers are told to reload;
- nothing outside the output folder is served, however the path is encoded.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
import traceback
import webbrowser
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlsplit

import yaml
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .cache import Cache
from .cli import report
from .files import layers
from .handlers import application, browsers, close_browsers, reload_browsers
from .pipeline import run, write_later
from .search import FOLDER
from .write import reindex

log = logging.getLogger("stances")

POLL = 0.1  # seconds between looks at the watched folders
QUIET = 0.3  # seconds without a save before a burst counts as finished
class Changes(FileSystemEventHandler):
    """Passes what the watcher reports to the preview: changed files, or 'look at everything'."""

    def __init__(self, preview: "Preview"):
        self.preview = preview

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading is no change
        paths = [path for path in (event.src_path, getattr(event, "dest_path", "")) if path]
        paths = [os.fsdecode(path) for path in paths if not self.preview.ignored(os.fsdecode(path))]
        if not paths:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed, and says so itself
        self.preview.saw_change(paths, whole=event.is_directory)


class Preview:
    """The state shared by the watcher, the builds and the request handlers."""

    def __init__(self, options):
        self.options = options
        self.out = options.out.absolute()
        self.cache = Cache()  # kept across rebuilds: an edit re-renders only the pages it touches
        self.generation = 0  # finished builds, good or bad
        self.ok: bool | None = None  # how the last build went; None before the first
        self.problems: list[str] = []  # shown in the overlay while the last build failed
        self.index_lock = threading.Lock()
        self.indexing = False  # a search indexer thread runs
        self.index_due = False  # pages changed since it started
        self.base_path = self.find_base_path()
        self.changed_at: float | None = None
        self.building: asyncio.Task | None = None
        self.ready: asyncio.Event | None = None  # set while no build runs
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        self.observer = None
        self.seen: set[str] = set()  # paths the watcher reported since the last build started
        self.seen_whole = False  # a change that only a full look at the folders can follow
        self.seen_lock = threading.Lock()

    # -- watching

    def watch(self) -> None:
        """Watch content, templates, assets (and the archive) for changes the system reports.

        The operating system says which files changed (inotify, FSEvents, ReadDirectoryChangesW,
        through watchdog), so a rebuild looks at just those, and a large site costs nothing while
        no one edits it. Where the system cannot watch, watchdog polls.
        """
        folders = [self.options.content, *layers(self.options.templates), *layers(self.options.assets)]
        if self.options.archive is not None:
            folders.append(self.options.archive)
        handler = Changes(self)
        for observer_type in (Observer, PollingObserver):
            observer = observer_type()
            try:
                for folder in folders:
                    if folder.is_dir():
                        observer.schedule(handler, str(folder.absolute()), recursive=True)
                observer.start()
                break
            except OSError as exc:  # e.g. the system's limit of watched folders is reached
                log.warning("cannot watch with %s (%s); polling instead", observer_type.__name__, exc)
        self.observer = observer

    filepath = None  # what livereload's handler logs on a reload without a path (handlers.application)

    def ignored(self, path: str) -> bool:
        """The output and its staging folders, should they sit inside a watched folder."""
        path = os.path.abspath(path)
        return path.startswith(str(self.out) + os.sep) or \
            os.path.basename(os.path.dirname(path)).startswith(f".{self.out.name}.")

    def saw_change(self, paths: list[str], whole: bool = False) -> None:
        """Called from the watcher's thread: note the paths; `whole` when only a full look will do."""
        with self.seen_lock:
            self.seen.update(paths)
            self.seen_whole = self.seen_whole or whole
            self.changed_at = time.monotonic()

    def poll(self) -> None:
        """Start a build once a burst of saves has gone quiet."""
        if self.changed_at is None or self.building is not None:
            return
        if time.monotonic() - self.changed_at >= QUIET:
            with self.seen_lock:
                paths = None if self.seen_whole else set(self.seen)
                self.seen, self.seen_whole, self.changed_at = set(), False, None
            self.start_build(paths)

    # -- building

    def start_build(self, paths: set | None = None) -> asyncio.Task:
        self.ready.clear()
        self.building = asyncio.ensure_future(self.rebuild(paths))
        return self.building

    async def rebuild(self, paths: set | None = None) -> None:
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(self.executor, self.build, paths)
            self.finish(*outcome)
            # The open data follows the pages, on the build thread, so the next build starts after it.
            self.executor.submit(self.write_data)
        finally:
            self.building = None
            self.ready.set()

    def build(self, paths: set | None = None):
        """Run the pipeline as `python build.py` does, in the build thread; search is indexed afterwards."""
        options = self.options
        started = time.perf_counter()
        result, crash, written = None, None, None
        try:
            result = run(options.content, options.templates, options.assets, options.out,
                         base_url=options.base_url, archive=options.archive, strict=options.strict,
                         cache=self.cache, search=False, changed_paths=paths, data_later=True)
            if not result.failed(options.strict):
                written = result.changed
        except Exception as exc:  # noqa: BLE001 - a crashed build must not take the server down
            crash = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        return result, crash, written, time.perf_counter() - started

    def write_data(self) -> None:
        try:
            problems = write_later(self.cache)
        except Exception:  # noqa: BLE001 - as a crashed build: the server stays up, the next build says more
            traceback.print_exc()
            self.cache.out = self.cache.last = None  # the next build writes the whole site afresh
            problems = []
        for problem in problems:
            log.warning("%s", problem)

    def finish(self, result, crash: str | None, written: list | None, seconds: float) -> None:
        """Report a build, keep or drop the overlay, and tell the browsers what to reload."""
        was_ok = self.ok
        self.generation += 1
        if crash is not None:
            self.ok, errors = False, 1
            self.problems = [f"stances: error: the build crashed: {crash} (the traceback is in the terminal)"]
            print(self.problems[0], file=sys.stderr)
        else:
            errors = report(result.problems, self.options.strict)
            self.ok = not result.failed(self.options.strict)
            self.problems = [] if self.ok else [str(problem) for problem in sorted(set(result.problems))]
        if not self.ok:
            log.warning("build %d failed: %d error(s) in %.2f s; still serving the last good site",
                        self.generation, errors, seconds)
            reload_browsers(self.base_path)  # into the overlay
            return
        self.base_path = self.find_base_path()
        warnings = len(set(result.problems))
        log.info("built %d pages in %.2f s (build %d%s)", result.pages, seconds, self.generation,
                 f", {warnings} warning(s)" if warnings else "")
        changed = set(written or ())
        if any(name.endswith(".html") for name in changed) or not (self.out / FOLDER).is_dir():
            self.index_later()
        if was_ok and changed and all(name.endswith(".css") for name in changed):
            for name in sorted(changed):  # livereload.js swaps the stylesheet in place
                reload_browsers(self.base_path + name)
        else:
            reload_browsers(self.base_path)

    def index_later(self) -> None:
        """Bring the search index up to date in the background: pages show at once, search follows."""
        with self.index_lock:
            self.index_due = True
            if self.indexing:
                return
            self.indexing = True
        threading.Thread(target=self.index_while_due, name="search-index", daemon=True).start()

    def index_while_due(self) -> None:
        while True:
            with self.index_lock:
                if not self.index_due:
                    self.indexing = False
                    return
                self.index_due = False
            started = time.perf_counter()
            try:
                problems = reindex(self.out)
            except OSError as exc:  # the site was swapped out from under it: the next build indexes again
                problems = [f"search index: {exc}"]
            for problem in problems:
                log.warning("%s", problem)
            if not problems:
                log.info("search index updated in %.2f s", time.perf_counter() - started)

    def find_base_path(self) -> str:
        """The path part of the published address: pages are served under it, as they will be."""
        base_url = self.options.base_url
        if not base_url:
            for name in ("site.yml", "site.yaml"):
                try:
                    settings = yaml.safe_load((self.options.content / name).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, yaml.YAMLError):
                    continue
                if isinstance(settings, dict) and isinstance(settings.get("base_url"), str):
                    base_url = settings["base_url"]
                    break
        path = unquote(urlsplit(base_url or "/").path)
        path = "/" + path.strip("/") + "/"
        return "/" if path == "//" else path

    def status(self) -> dict:
        return {"generation": self.generation, "ok": self.ok, "building": self.building is not None,
                "problems": self.problems, "base_path": self.base_path,
                "browsers": browsers()}

    # -- running

    async def main(self) -> int:
        options = self.options
        try:
            sockets = bind_sockets(options.port, address=options.host)
        except OSError as exc:
            print(f"error: cannot listen on {options.host}:{options.port}: {exc.strerror}; "
                  "pass another --port", file=sys.stderr)
            return 1
        port = sockets[0].getsockname()[1]
        self.ready = asyncio.Event()
        server = HTTPServer(application(self))
        server.add_sockets(sockets)
        stopping = asyncio.Event()
        stop_on_signals(stopping)
        if options.host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("listening on %s: anyone who can reach this machine can read the preview", options.host)
        self.watch()
        await self.start_build()
        host = f"[{options.host}]" if ":" in options.host else options.host
        url = f"http://{host}:{port}{self.base_path}"
        log.info("serving %s (Ctrl-C to stop)", url)
        if options.open:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        poller = PeriodicCallback(self.poll, POLL * 1000)
        poller.start()
        await stopping.wait()
        poller.stop()
        self.observer.stop()
        self.observer.join(timeout=5)
        server.stop()
        if self.building is not None:
            log.info("finishing the running build")
            await self.building
        close_browsers()
        await server.close_all_connections()
        self.executor.shutdown(wait=True)
        log.info("stopped")
        return 0


def stop_on_signals(stopping: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM end the loop cleanly, after any running build."""
    loop = asyncio.get_running_loop()
    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, stopping.set)
        except (NotImplementedError, RuntimeError):  # Windows
            signal.signal(number, lambda *_: loop.call_soon_threadsafe(stopping.set))


def serve(options) -> int:
    """Build, then serve with live reload until Ctrl-C or SIGTERM; return the exit status."""
    logging.getLogger("livereload").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)  # 404s still show: broken links
    try:
        return asyncio.run(Preview(options).main())
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 130
