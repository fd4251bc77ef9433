"""The preview's HTTP side: the site under its sub-path, the LiveReload socket, a status, the overlay.

They read the preview's state through `Previewing`, which `serve.Preview` provides (the output folder,
the base path, the last build's generation and problems, and `ready`, set while no build runs).
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import mimetypes
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web



class Previewing(Protocol):
    """What the handlers read of the preview (serve.Preview)."""

    options: object  # the command's options: host, among others
    out: Path  # the output folder served
    port: int | None  # the port listened on
    base_path: str  # the sub-path pages are served under
    generation: int  # finished builds
    ok: bool | None  # how the last build went
    problems: list[str]  # the last failed build's problems
    notes: list[str]  # and what it could not check (the "not checked: N" line)
    ready: asyncio.Event  # set while no build runs

    def status(self) -> dict: ...

RESERVED = "/__stances__/"  # status and overlay style; never a page (ids are slugs)
# livereload.js finds its server from its own address, which must end in /livereload.js,
# and connects to /livereload; snipver carries the build the page came from.
SCRIPT = '<script src="/livereload.js?snipver={generation}" defer></script>'
OVERLAY_STYLE = f'<link rel="stylesheet" href="{RESERVED}overlay.css">'

OVERLAY_CSS = """\
#stances-problems { position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 70vh; overflow: auto;
  margin: 0; padding: .75rem 1rem; background: #2b0b0b; color: #ffe9e9; border-bottom: 4px solid #e5484d;
  font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 4px 24px #0008; }
#stances-problems summary { cursor: pointer; font-weight: 700; font-family: system-ui, sans-serif; }
#stances-problems p { margin: .5rem 0; font-family: system-ui, sans-serif; }
#stances-problems ol { margin: .5rem 0; padding-left: 1.5rem; }
#stances-problems li { white-space: pre-wrap; overflow-wrap: anywhere; }
#stances-problems .warning { color: #ffd88a; }
"""

PLACEHOLDER = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>No site yet</title>
</head>
<body>
<main>
<h1>No site to show yet</h1>
<p>The first build failed. Fix the problems and save: this page reloads by itself.</p>
</main>
</body>
</html>
"""


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json", "image/svg+xml"):
        guessed += "; charset=utf-8"
    return guessed


def decorate(page: bytes, generation: int, problems: list[str], last_good: bool = True,
             notes: list[str] = ()) -> bytes:
    """Add the livereload script to an HTML page, and the problems of a failed build in an overlay
    (`last_good`: the page is of the last good site, not the placeholder shown while there is none;
    `notes`, below the problems: what the build could not check)."""
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return page
    head = SCRIPT.format(generation=generation)
    if problems:
        head = OVERLAY_STYLE + head
        text = insert_after_body(text, overlay(problems, last_good, notes))
    at = text.lower().find("</head>")
    text = text[:at] + head + text[at:] if at >= 0 else head + text
    return text.encode("utf-8")


LOOPBACK = ("localhost", "127.0.0.1", "::1")
ANY = ("", "0.0.0.0", "::")


def addressed_here(preview: Previewing, address: str) -> bool:
    """True if `host[:port]` names this server: its port, and a loopback name, the address it listens on,
    or (listening on every address) any IP address. A page of another site whose name was pointed at
    this machine (DNS rebinding) names its own host, and is refused."""
    try:
        parts = urlsplit("//" + address)
        name, port = (parts.hostname or "").rstrip("."), parts.port or 80
    except ValueError:
        return False
    if port != preview.port:
        return False
    if name in LOOPBACK or name == preview.options.host.strip("[]"):
        return True
    if preview.options.host in ANY:
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False
    return False


def trusted(preview: Previewing, request) -> bool:
    """True if a request is addressed to this server (Host) and, if it says where it comes from (Origin),
    comes from this server's own pages."""
    if not addressed_here(preview, request.headers.get("Host", "")):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.startswith("http://") and addressed_here(preview, origin[len("http://"):])


class SameServer:
    """Refuses (403) a request that names another host, or comes from another site's page: for HTTP and
    the WebSocket alike (Tornado calls `prepare` before either)."""

    preview: Previewing

    def prepare(self):
        if not trusted(self.preview, self.request):
            raise web.HTTPError(403, "the preview answers only requests addressed to it, from its own pages")


def application(preview: Previewing) -> web.Application:
    """The preview's routes: LiveReload's socket and script, the status, the overlay's style, the site."""
    LiveReloadHandler.watcher = preview  # reload_waiters() logs its `filepath`
    LiveReloadHandler.live_css = True
    return web.Application([
        (r"/livereload", ReloadSocket, {"preview": preview}),
        (r"/livereload\.js", ReloadScript, {"preview": preview}),
        (re.escape(RESERVED) + r"status", StatusHandler, {"preview": preview}),
        (re.escape(RESERVED) + r"overlay\.css", OverlayStyleHandler, {"preview": preview}),
        (r"/.*", SiteHandler, {"preview": preview}),
    ], websocket_ping_interval=20)


def browsers() -> int:
    """How many pages are connected for live reload."""
    return len(LiveReloadHandler.waiters)


def close_browsers() -> None:
    for socket in list(LiveReloadHandler.waiters):
        socket.close()


def reload_browsers(path: str) -> None:
    """Tell every connected page to reload; a stylesheet's path reloads just that stylesheet."""
    LiveReloadHandler.reload_waiters(path)


def overlay(problems: list[str], last_good: bool = True, notes: list[str] = ()) -> str:
    items = "".join(
        f'<li class="{"warning" if ": warning: " in problem else "error"}">{html.escape(problem)}</li>'
        for problem in problems)
    return ('<details id="stances-problems" role="alert" open>'
            f"<summary>The last build failed: {len(problems)} problem(s)</summary>"
            + ("<p>You are looking at the last good site. " if last_good else
               "<p>There is no good build to show yet. ")
            + "Fix these and save: the page reloads by itself, and this notice goes once a build succeeds.</p>"
            f"<ol>{items}</ol>" + "".join(f"<p>{html.escape(note)}</p>" for note in notes) + "</details>")


def insert_after_body(text: str, fragment: str) -> str:
    match = re.search(r"<body\b[^>]*>", text, re.IGNORECASE)
    return text[:match.end()] + fragment + text[match.end():] if match else fragment + text


class ReloadSocket(SameServer, LiveReloadHandler):
    """The package's LiveReload socket, same-origin only, and catching up pages that missed a reload."""

    def check_origin(self, origin: str) -> bool:  # the package lets any site connect
        return trusted(self.preview, self.request)

    def initialize(self, preview: Previewing):
        self.preview = preview
        self.page_generation = None

    def on_message(self, message):
        super().on_message(message)
        try:
            parsed = json.loads(message)
        except ValueError:
            return
        if parsed.get("command") == "hello":
            self.page_generation = parsed.get("snipver")
        elif parsed.get("command") == "info" and self.page_generation not in (None, self.preview.generation):
            # The page was served before the latest build finished, and its reload went by
            # while it was loading: reload it now.
            self.send_message({"command": "reload", "path": self.preview.base_path,
                               "liveCSS": True, "liveImg": True})


class ReloadScript(SameServer, LiveReloadJSHandler):
    def initialize(self, preview: Previewing):
        self.preview = preview


class StatusHandler(SameServer, web.RequestHandler):
    """A small JSON status, for scripts and tests: generation, ok, problems, base_path."""

    def initialize(self, preview: Previewing):
        self.preview = preview

    async def get(self):
        if self.get_argument("wait", None) is not None:
            await self.preview.ready.wait()
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.write(json.dumps(self.preview.status(), sort_keys=True))


class OverlayStyleHandler(SameServer, web.RequestHandler):
    def initialize(self, preview: Previewing):
        self.preview = preview

    def get(self):
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.write(OVERLAY_CSS)


class SiteHandler(SameServer, web.RequestHandler):
    """The built site under its sub-path; waits while a build runs."""

    def initialize(self, preview: Previewing):
        self.preview = preview

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def get(self):
        await self.preview.ready.wait()
        self.respond()

    head = get

    def respond(self) -> None:
        try:
            path = unquote(self.request.path, errors="strict")
        except UnicodeDecodeError:
            return self.refuse()
        parts = path.split("/")
        if not path.startswith("/") or any(part in (".", "..") or "\\" in part or "\0" in part
                                           or ":" in part for part in parts):  # ':' for drive letters
            return self.refuse()
        base = self.preview.base_path
        if path == "/" and base != "/" or path == base.rstrip("/"):
            return self.redirect(base)
        if not (self.preview.out / "index.html").is_file() and not self.preview.ok:
            return self.send(None, 503)
        if not path.startswith(base):
            return self.not_found()
        relative = path[len(base):]
        if any(part.startswith(".") for part in relative.split("/")):
            return self.not_found()
        target = self.preview.out / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        elif target.is_dir():
            query = f"?{self.request.query}" if self.request.query else ""
            return self.redirect(self.request.path + "/" + query)
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return self.not_found()
        if not resolved.is_file() or not resolved.is_relative_to(self.preview.out.resolve()):
            return self.not_found()
        self.send(resolved, 200)

    def refuse(self) -> None:
        self.set_status(400)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("refused: the path leaves the site\n")

    def not_found(self) -> None:
        page = self.preview.out / "404.html"
        if page.is_file():
            return self.send(page, 404)
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("404: not found, and the site has no 404.html\n")

    def send(self, path: Path | None, status: int) -> None:
        if path is None:
            data, kind = PLACEHOLDER.encode("utf-8"), "text/html; charset=utf-8"
        else:
            data, kind = path.read_bytes(), content_type(path)
        if kind.startswith("text/html"):
            failed = not self.preview.ok
            data = decorate(data, self.preview.generation, self.preview.problems if failed else [],
                            last_good=path is not None, notes=self.preview.notes if failed else [])
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(data)
