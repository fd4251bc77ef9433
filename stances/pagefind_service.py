"""A client of Pagefind's service (`pagefind --service`), the protocol of the version pinned in pyproject.toml.

The protocol, as Pagefind 1.5.2 speaks it (its source: pagefind/src/service/; tests/test_pagefind_service.py
holds the binary to it): each request is a JSON object `{"message_id": n, "payload": {"type": ..., ...}}`,
base64-encoded and followed by a comma, on the service's stdin; each answer comes back the same way on
its stdout, `{"message_id": n, "payload": {...}}`, or an error, `{"type": "Error", "message": ...}`
(with `message_id` null and the request in `original_message` when the request could not be read).
The service reads requests as they come and answers them in order, each as soon as it is done.

The `pagefind` package has a client of its own, but it waits 0.1 s before it reads each answer
(`PagefindService._wait_for_responses`), so every request costs 0.1 s: 13,000 records, 22 minutes.
This one sends requests without waiting for their answers, reads the answers as they arrive, and
runs no thread (a build forks its render workers, which is safe only while one thread runs).
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import subprocess
import tempfile
import time
from pathlib import Path

VERSION = "1.5.2"  # the Pagefind whose protocol this speaks; pyproject.toml pins the same
FLUSH_AT = 1 << 16  # bytes of requests held before they are written
SILENCE = 600  # seconds without a word from Pagefind before it counts as hung
RETURN_MEMORY = "dirty_decay_ms:0,muzzy_decay_ms:0"  # jemalloc: freed pages go back to the system at once


class ServiceError(Exception):
    """Pagefind could not be started, refused a request, answered unexpectedly, or stopped."""


def executable() -> Path:
    """The Pagefind binary: $PAGEFIND_BINARY_PATH if set (as the `pagefind` package reads it), else the
    one that the `pagefind[bin]` dependency installs."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise ServiceError("the pagefind binary is not installed (pip install -e .)") from exc
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise ServiceError(f"the pagefind binary is missing: {exc}") from exc


def open_files(descriptors: Path) -> list[str]:
    """What a process's open file descriptors point at (its /proc/<pid>/fd folder)."""
    found = []
    for descriptor in os.listdir(descriptors):
        try:
            found.append(os.readlink(descriptors / descriptor))
        except OSError:  # closed meanwhile
            pass
    return found


def walk(folder: str):
    for entry in os.scandir(folder):
        if entry.is_dir():
            yield from walk(entry.path)
        else:
            yield entry


class Service:
    """One `pagefind --service` process: requests go out at once, answers are read as they come."""

    def __init__(self, binary: Path | None = None, nice: int = 0, kept: bool = False):
        """Start the service; `nice`: how much it gives way to other processes (where the system lets it).

        `kept`: the service will wait between requests for long (the preview keeps one), so it hands the
        memory it frees back to the system at once: Pagefind's allocator (jemalloc, linked in, which
        reads _RJEM_MALLOC_CONF) otherwise keeps it for later. At 10,000 quotes it holds some 260 MB
        between saves instead of 630, for 10-20% more of its time in the kernel."""
        self.errors_file = tempfile.TemporaryFile()
        env = dict(os.environ, _RJEM_MALLOC_CONF=RETURN_MEMORY) if kept and "_RJEM_MALLOC_CONF" not in os.environ \
            else None
        try:
            self.process = subprocess.Popen([str(binary or executable()), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self.errors_file, bufsize=0, env=env)
        except OSError as exc:
            self.errors_file.close()
            raise ServiceError(f"pagefind could not start: {exc}") from exc
        if nice and hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, self.process.pid, nice)
            except OSError:
                pass
        self.last_id = 0
        self.outgoing = bytearray()  # requests not written yet
        self.incoming = bytearray()  # answers not read whole yet
        self.waiting: dict[int, str] = {}  # message id -> the type of its request, until answered
        self.kept: dict[int, dict] = {}  # answers asked for by `answer`
        self.wanted: set[int] = set()
        self.refused: list[str] = []  # what Pagefind said of requests it refused
        os.set_blocking(self.process.stdin.fileno(), False)
        os.set_blocking(self.process.stdout.fileno(), False)

    # -- requests

    def send(self, payload: dict, keep: bool = False) -> int:
        """Queue a request; return its message id. `keep`: its answer will be asked for (`answer`)."""
        self.last_id += 1
        message = {"message_id": self.last_id, "payload": payload}
        self.outgoing += base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b","
        self.waiting[self.last_id] = payload["type"]
        if keep:
            self.wanted.add(self.last_id)
        if len(self.outgoing) >= FLUSH_AT:
            self.flush()
        return self.last_id

    def new_index(self, config: dict | None = None) -> int:
        """Make an index in the service; return its id."""
        answer = self.answer(self.send({"type": "NewIndex", "config": config}, keep=True), "NewIndex")
        return self.field(answer, "index_id", int)

    def add_record(self, index_id: int, url: str, content: str, language: str, meta: dict | None = None,
                   filters: dict | None = None, sort: dict | None = None) -> int:
        """Add a custom record (not read from HTML): what it matches, where it leads, how it is filtered."""
        return self.send({"type": "AddRecord", "index_id": index_id, "url": url, "content": content,
                          "language": language, "meta": meta, "filters": filters, "sort": sort})

    def write_files(self, index_id: int, output_path: Path) -> int:
        """Ask for the index, with Pagefind's scripts, wasm and UI, to be written to a folder; `answer`,
        then `finished_writing`, wait for it."""
        return self.send({"type": "WriteFiles", "index_id": index_id, "output_path": str(output_path)}, keep=True)

    def finished_writing(self, folder: Path, timeout: float = 60) -> None:
        """Wait until the files Pagefind said it wrote are written whole.

        Pagefind answers WriteFiles once it has handed the last bytes to its writer threads (tokio's
        File, never flushed), and it stops the moment its input ends: closing it right after the
        answer could leave a file short or empty. So wait until it holds no file under `folder` open,
        where the system shows a process's open files (Linux); elsewhere, until the folder's files have
        kept their sizes for a moment."""
        folder = str(Path(folder).absolute())
        deadline = time.monotonic() + timeout
        descriptors = Path(f"/proc/{self.process.pid}/fd")
        if descriptors.is_dir():
            while any(target.startswith(folder + os.sep) for target in open_files(descriptors)):
                if time.monotonic() > deadline:
                    raise ServiceError(f"pagefind did not finish writing {folder} in {timeout:.0f} s")
                time.sleep(0.002)
            return
        sizes = None
        while sizes != (sizes := sorted((entry.path, entry.stat().st_size) for entry in walk(folder))):
            if time.monotonic() > deadline:
                raise ServiceError(f"pagefind did not finish writing {folder} in {timeout:.0f} s")
            time.sleep(0.1)

    # -- answers

    def answer(self, message_id: int, expected: str) -> dict:
        """Wait for a request's answer (every earlier one is read on the way); raise if any was refused."""
        self.flush()
        while message_id not in self.kept:
            self.check()
            self.exchange(write=False)
        self.check()
        answer = self.kept.pop(message_id)
        if answer.get("type") != expected:
            raise ServiceError(f"pagefind answered a {expected} request with {answer.get('type')!r}; "
                               f"this client speaks the protocol of Pagefind {VERSION}")
        return answer

    def check(self) -> None:
        if self.refused:
            raise ServiceError(self.refused[0])

    @staticmethod
    def field(answer: dict, name: str, kind: type):
        value = answer.get(name)
        if not isinstance(value, kind):
            raise ServiceError(f"pagefind's {answer.get('type')} answer has no {name}; "
                               f"this client speaks the protocol of Pagefind {VERSION}")
        return value

    def flush(self) -> None:
        """Write every queued request, taking in answers while the service's input is full."""
        while self.outgoing:
            self.exchange(write=True)

    def exchange(self, write: bool) -> None:
        """Wait until the service can take more requests (`write`) or has answered, and do what can be done.

        Both pipes are watched at once: writing alone while the service's answers filled its
        output could leave each side waiting on the other."""
        stdin, stdout = self.process.stdin, self.process.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if write:
                selector.register(stdin, selectors.EVENT_WRITE)
            ready = selector.select(timeout=SILENCE)
            if not ready:
                raise ServiceError(f"pagefind has neither answered nor taken a request in {SILENCE} s")
            for key, _ in ready:
                if key.fileobj is stdout:
                    if not self.read():
                        raise ServiceError(self.stopped())
                    continue
                try:
                    written = os.write(stdin.fileno(), self.outgoing[:FLUSH_AT * 4])
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    raise ServiceError(self.stopped()) from None
                del self.outgoing[:written]

    def read(self) -> bool:
        """Take in the answers that have come; False once the service has closed its stdout."""
        try:
            data = os.read(self.process.stdout.fileno(), 1 << 20)
        except BlockingIOError:
            return True
        if not data:
            return False
        self.incoming += data
        *whole, rest = self.incoming.split(b",")
        self.incoming = bytearray(rest)
        for part in whole:
            self.take(bytes(part))
        return True

    def take(self, encoded: bytes) -> None:
        try:
            message = json.loads(base64.b64decode(encoded))
            payload = message["payload"]
            message_id = message.get("message_id")
            if message_id is None and payload.get("original_message"):
                message_id = json.loads(payload["original_message"]).get("message_id")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ServiceError(f"pagefind answered something this client cannot read ({exc}); "
                               f"it speaks the protocol of Pagefind {VERSION}") from None
        kind = self.waiting.pop(message_id, None)
        if payload.get("type") == "Error":
            self.refused.append(f"pagefind refused {f'an {kind}' if kind else 'a'} request: {payload.get('message')}")
        elif message_id in self.wanted:
            self.wanted.discard(message_id)
            self.kept[message_id] = payload

    # -- the process

    def stopped(self) -> str:
        """What to say when the service stops on its own: its last words, if any."""
        try:
            code = self.process.wait(timeout=5)  # its output has closed: it is ending
        except subprocess.TimeoutExpired:
            code = None
        try:
            self.errors_file.seek(0)
            said = self.errors_file.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            said = []
        return f"pagefind stopped (exit status {code})" + (f": {said[-1]}" if said else "")

    def peak_memory(self) -> int | None:
        """The service's peak resident memory in bytes, where the system says (Linux); None elsewhere."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return None

    def close(self) -> None:
        """End the service (it stops at the end of its input) and wait for it."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.errors_file.close()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *_) -> None:
        self.close()
