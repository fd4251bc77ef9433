"""`python build.py serve`: build, serve under the site's sub-path, rebuild on change, reload the browser.

The `livereload` package gives the browser side: its WebSocket handler speaks the
LiveReload protocol, and it serves livereload.js from our own origin. `watchdog` hears
from the operating system which files changed; this module sorts them by kind (`sort_changes`:
content, templates, assets, the archive; or, for a folder made, moved or deleted, or a burst of saves
too large for the system to report, everything), and the rebuild does that kind of work and no other
(rebuild.Change). This module and `handlers` (the HTTP side) own the rest:

- a save starts a rebuild at once: when the file is closed, where the system says so (Linux),
  else WRITING seconds after it was last written to; the saves that come while a build runs give
  one more build after it (so a burst, an editor's save through a temporary file, or a `git
  checkout` ends in one build of the final state); a build overtaken by saves that came while it
  ran reloads no browser and prints no problems, since the next build says what holds;
- every finished build reloads the browser at once (the package's poll loop drops
  reloads within 3 s of the last; we never use that loop), and a page that missed a
  reload while it was loading reloads itself when it connects (handlers.ReloadSocket);
- a build that fails, or raises, keeps the last good site; the terminal prints the
  problems and every HTML page carries them in an overlay, injected as HTML and a
  same-origin stylesheet, since the pages' CSP forbids inline script and style;
- the site is served under the base URL's path, with the site's own 404.html;
- requests wait while a build runs, so no one reads a half-written site;
- search is indexed in a background thread after the pages are written, from the records the
  build holds (taken on the build thread, so the next build cannot change them under it), and
  the open-data files are written on the build thread once the browsers are told to reload;
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
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .cache import Cache
from .files import layers
from .handlers import application, browsers, close_browsers, reload_browsers
from .pipeline import BuildOptions, run
from .problems import not_checked, report
from .rebuild import EVERYTHING, Change, start_afresh, write_later
from . import search

log = logging.getLogger("stances")

FAILED_WAIT = 0.1  # seconds a failed build waits for newer saves before it is reported
FOLLOW = 0.5  # seconds between looks at whether a watched folder was deleted or made again
WRITING = 0.3  # seconds after a file was last written to, with no word that it was closed, before it counts as saved


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
        if event.event_type == "deleted":  # (a watched folder's own deletion may come as a file's: IN_DELETE_SELF)
            self.preview.lost(paths)
        # A file being written says so again when it is closed, where the system tells (Linux):
        # building from it before then would read it half written (an empty file, say).
        writing = not event.is_directory and event.event_type in ("created", "modified") and self.preview.hears_closes
        self.preview.saw_change(paths, whole=event.is_directory, writing=writing)


class Dropped(logging.Handler):
    """Hears watchdog say, in its log (where it says nothing else), that the system dropped file events: the
    kernel's inotify queue overflowed in a burst too large. The files the watcher named are then not all
    that changed, so everything is looked at again."""

    LOGGER = "watchdog.observers"

    def __init__(self, preview: "Preview"):
        super().__init__(logging.WARNING)
        self.preview = preview

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.preview.saw_change([], whole=True)


class Preview:
    """The state shared by the watcher, the builds and the request handlers."""

    def __init__(self, options):
        self.options = options
        self.out = options.out.absolute()
        self.build_options = BuildOptions.of(options, search=False)  # search is indexed in the background
        self.cache = Cache()  # kept across rebuilds: an edit re-renders only the pages it touches
        self.generation = 0  # finished builds, good or bad
        self.ok: bool | None = None  # how the last build went; None before the first
        self.problems: list[str] = []  # shown in the overlay while the last build failed
        self.notes: list[str] = []  # and below them, as `build` prints them: what was not checked
        self.index_lock = threading.Lock()
        self.indexing = False  # a search indexer thread runs
        self.index_due: tuple | None = None  # (search records, language) of the latest build, while not indexed
        self.index_stale = False  # a page changed since the index was last asked for
        self.live = search.Live()  # Pagefind, kept between saves: it is given only the records that changed
        self.base_path = self.find_base_path()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = False
        self.building: asyncio.Task | None = None
        self.ready: asyncio.Event | None = None  # set while no build runs
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        self.observer = None
        self.dropped = Dropped(self)  # on watchdog's logger while the preview watches
        self.folders: dict = {}  # each watched folder -> its identity when watched (see follow_folders)
        self.watches: dict = {}  # each watched folder -> its watch
        self.unwatched: set = set()  # watched folders the system said were deleted: their watch is gone
        self.port: int | None = None  # the port listened on; a request must name it (handlers.trusted)
        self.seen: set[str] = set()  # paths the watcher reported since the last build started
        self.writing: dict[str, float] = {}  # files written to and not yet closed: when they last were
        self.hears_closes = False  # whether the watcher reports files closed after writing (inotify)
        self.seen_whole = False  # a change that only a full look at the folders can follow
        self.seen_lock = threading.Lock()

    # -- watching

    def watch(self) -> None:
        """Watch content, templates, assets (and the archive) for changes the system reports.

        The operating system says which files changed (inotify, FSEvents, ReadDirectoryChangesW,
        through watchdog), so a rebuild looks at just those, and a large site costs nothing while
        no one edits it. Where the system cannot watch, watchdog polls.
        """
        folders = [folder for _, folder in watched(self.options)]
        handler = Changes(self)
        logging.getLogger(Dropped.LOGGER).addHandler(self.dropped)
        self.folders = {folder: identity(folder) for folder in folders}
        for observer_type in (Observer, PollingObserver):
            observer = observer_type()
            try:
                self.watches = {folder: observer.schedule(handler, str(folder.absolute()), recursive=True)
                                for folder in folders if folder.is_dir()}
                observer.start()
                self.hears_closes = type(observer).__name__ == "InotifyObserver"
                break
            except OSError as exc:  # e.g. the system's limit of watched folders is reached
                log.warning("cannot watch with %s (%s); polling instead", observer_type.__name__, exc)
        self.observer = observer

    def follow_folders(self) -> None:
        """A watched folder deleted, or deleted and made again, is not the folder the watch is on: watch the
        new one (from when it appears), and look at everything."""
        with self.seen_lock:
            unwatched, self.unwatched = self.unwatched, set()
        for folder, known in list(self.folders.items()):
            now = identity(folder)
            # Deleted and made again between two looks, a folder can be given the same inode number: then
            # only the system's word that it was deleted tells that the watch is on a folder that is gone.
            if now == known and folder not in unwatched:
                continue
            self.folders[folder] = now
            watch = self.watches.pop(folder, None)
            if watch is not None:
                try:
                    self.observer.unschedule(watch)
                except (KeyError, OSError):
                    pass  # the system dropped it with the folder
            if now is not None:
                try:
                    self.watches[folder] = self.observer.schedule(Changes(self), str(folder.absolute()),
                                                                  recursive=True)
                except OSError as exc:
                    log.warning("cannot watch %s again (%s): restart the preview to see edits there", folder, exc)
            self.saw_change([str(folder.absolute())], whole=True)

    def lost(self, paths: list[str]) -> None:
        """Called from the watcher's thread: of these deleted folders, note those that are watched folders."""
        watched = {str(folder.absolute()): folder for folder in self.folders}
        with self.seen_lock:
            self.unwatched.update(watched[path] for path in paths if path in watched)

    filepath = None  # what livereload's handler logs on a reload without a path (handlers.application)

    def ignored(self, path: str) -> bool:
        """The output and its staging folders, should they sit inside a watched folder."""
        path = os.path.abspath(path)
        return path.startswith(str(self.out) + os.sep) or \
            os.path.basename(os.path.dirname(path)).startswith(f".{self.out.name}.")

    def saw_change(self, paths: list[str], whole: bool = False, writing: bool = False) -> None:
        """Called from the watcher's thread: note the paths (`whole` when only a full look will do;
        `writing`: a file is being written, and says when it is closed), and have the loop start a
        build if none runs."""
        with self.seen_lock:
            self.seen.update(paths)
            self.seen_whole = self.seen_whole or whole
            for path in paths:
                if writing:
                    self.writing[path] = time.monotonic()
                else:
                    self.writing.pop(path, None)
        self.loop.call_soon_threadsafe(self.build_if_idle)

    def pending(self) -> bool:
        with self.seen_lock:
            return bool(self.seen) or self.seen_whole

    def build_if_idle(self) -> None:
        """Start a build of every change seen so far, unless one runs (its end calls this again) or a
        file is still being written (its closing calls this again; if none is heard, WRITING later)."""
        if self.building is not None or self.closing:
            return
        with self.seen_lock:
            if not self.seen and not self.seen_whole:
                return
            if self.writing:
                wait = max(self.writing.values()) + WRITING - time.monotonic()
                if wait > 0:
                    self.loop.call_later(wait, self.build_if_idle)
                    return
                self.writing.clear()  # written to, never closed: taken as saved
            change = EVERYTHING if self.seen_whole else sort_changes(self.seen, self.options)
            self.seen, self.seen_whole = set(), False
        self.start_build(change)

    # -- building

    def start_build(self, change: Change = EVERYTHING) -> asyncio.Task:
        self.ready.clear()
        self.building = asyncio.ensure_future(self.rebuild(change))
        return self.building

    async def rebuild(self, change: Change) -> None:
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(self.executor, self.build, change)
            self.finish(*outcome)
            # The open data and the search records follow the pages, on the build thread, so the next
            # build starts after them.
            self.executor.submit(self.write_data)
            if self.index_wanted(outcome[0], outcome[2]):
                self.executor.submit(self.take_search_records, outcome[0].searchable)
        finally:
            self.building = None
            self.ready.set()
            # Saves that came while it ran: one more build, once the requests it held have been let through.
            asyncio.get_running_loop().call_soon(self.build_if_idle)

    def build(self, change: Change):
        """Run the pipeline as `python build.py` does, in the build thread, redoing what `change` calls for;
        search is indexed afterwards."""
        options = self.options
        started = time.perf_counter()
        result, crash, written = None, None, None
        try:
            result = run(self.build_options, options.out, cache=self.cache, change=change, data_later=True)
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
            start_afresh(self.cache)
            problems = []
        for problem in problems:
            log.warning("%s", problem)

    def finish(self, result, crash: str | None, written: list | None, seconds: float) -> None:
        """Report a build, keep or drop the overlay, and tell the browsers what to reload.

        A build overtaken by saves that came while it ran (an editor saving through a temporary
        file, a checkout) is noted, not reported: the build that follows at once says what holds.
        A failed build is reported FAILED_WAIT seconds later, unless a newer build has started by
        then: a file read in the middle of a burst of saves can fail a build the next save fixes."""
        was_ok = self.ok
        self.generation += 1
        if crash is not None:
            self.ok = False
            self.problems = [f"stances: error: the build crashed: {crash} (the traceback is in the terminal)"]
        else:
            self.ok = not result.failed(self.options.strict)
            self.problems = [] if self.ok else [str(problem) for problem in sorted(set(result.problems))]
        self.notes = [not_checked(result.unchecked)] if crash is None and not self.ok and result.unchecked else []
        if self.pending():
            log.info("build %d overtaken by newer saves in %.2f s; building again", self.generation, seconds)
            return
        if not self.ok:
            self.loop.call_later(FAILED_WAIT, self.tell_failure, self.generation, result, crash, seconds)
            return
        self.base_path = self.find_base_path()
        warnings = len(set(result.problems))
        log.info("built %d pages in %.2f s (build %d%s)", result.pages, seconds, self.generation,
                 f", {warnings} warning(s)" if warnings else "")
        changed = set(written or ())
        if was_ok and not changed:
            return  # nothing the browsers show changed (a file saved again as it was, say)
        if was_ok and all(name.endswith(".css") for name in changed):
            for name in sorted(changed):  # livereload.js swaps the stylesheet in place
                reload_browsers(self.base_path + name)
        else:
            reload_browsers(self.base_path)

    def tell_failure(self, generation: int, result, crash: str | None, seconds: float) -> None:
        """Print a failed build's problems and reload the browsers into the overlay, unless a newer build has begun."""
        if self.generation != generation or self.building is not None or self.pending():
            return
        if crash is not None:
            print(self.problems[0], file=sys.stderr)
        errors = 1 if crash is not None else report(result.problems, self.options.strict)
        for note in self.notes:
            print(note, file=sys.stderr)
        log.warning("build %d failed: %d error(s) in %.2f s; still serving the last good site",
                    generation, errors, seconds)
        reload_browsers(self.base_path)  # into the overlay

    def index_wanted(self, result, written: list | None) -> bool:
        """Whether a good build changed a page (or no index stands yet) since the index was last asked
        for: then search must follow, unless newer saves will be built first."""
        if result is None or result.searchable is None or written is None or not self.ok:
            return False
        self.index_stale = self.index_stale or any(name.endswith(".html") for name in written) \
            or not (self.out / search.FOLDER).is_dir()
        if not self.index_stale or self.pending():
            return False
        self.index_stale = False
        return True

    def take_search_records(self, searchable: tuple) -> None:
        """On the build thread, between builds: take the search records of the site just built, and
        have them indexed in the background (pages show at once, search follows)."""
        site, pages = searchable
        try:
            records = list(search.entries(site, pages))
        except Exception:  # noqa: BLE001 - as a crashed build: the server stays up
            traceback.print_exc()
            return
        with self.index_lock:
            self.index_due = (records, site.settings["language"])
            if self.indexing:
                return  # the running indexer takes these next
            self.indexing = True
        threading.Thread(target=self.index_while_due, name="search-index", daemon=True).start()

    def index_while_due(self) -> None:
        while True:
            with self.index_lock:
                if self.index_due is None:
                    self.indexing = False
                    return
                records, language = self.index_due
                self.index_due = None
            started = time.perf_counter()
            try:
                problems = self.live.update(self.out, records, language, background=True)
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
                "problems": self.problems, "notes": self.notes, "base_path": self.base_path,
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
        port = self.port = sockets[0].getsockname()[1]
        self.ready = asyncio.Event()
        self.loop = asyncio.get_running_loop()
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
        self.build_if_idle()  # what was saved during the first build
        following = PeriodicCallback(self.follow_folders, FOLLOW * 1000)
        following.start()
        await stopping.wait()
        following.stop()
        self.closing = True
        self.observer.stop()
        self.observer.join(timeout=5)
        logging.getLogger(Dropped.LOGGER).removeHandler(self.dropped)  # the logger outlives this preview
        server.stop()
        if self.building is not None:
            log.info("finishing the running build")
            await self.building
        close_browsers()
        await server.close_all_connections()
        self.executor.shutdown(wait=True)
        with self.index_lock:
            if not self.indexing:  # else it ends with this process, when its input closes
                self.live.close()
        log.info("stopped")
        return 0


def watched(options) -> list[tuple[str, Path]]:
    """The folders a preview watches, each with the kind of change a file in it makes (rebuild.Change)."""
    folders = [("content", options.content), *(("templates", folder) for folder in layers(options.templates)),
               *(("assets", folder) for folder in layers(options.assets))]
    return folders + ([("archive", options.archive)] if options.archive is not None else [])


def sort_changes(paths, options) -> Change:
    """What the watcher saw, sorted by kind (Zola's serve sorts its ChangeKind so): a file under the content
    folder is read again, one under a templates layer has every page rendered again, and so on. A path
    under two folders (assets kept inside content, say) counts as both; a path under none (a watched
    folder itself, deleted or made again) means everything is looked at again."""
    tops = [(kind, str(Path(folder).absolute()) + os.sep) for kind, folder in watched(options)]
    content, kinds = set(), set()
    for path in paths:
        found = {kind for kind, top in tops if path.startswith(top)}
        if not found:
            return EVERYTHING
        kinds |= found
        if "content" in found:
            content.add(path)
    return Change(frozenset(content), "templates" in kinds, "assets" in kinds, "archive" in kinds)


def identity(folder) -> tuple | None:
    """What tells one folder from another made in its place: its device and inode; None if there is none."""
    try:
        status = os.stat(folder)
    except OSError:
        return None
    return status.st_dev, status.st_ino


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
