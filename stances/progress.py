"""A long build's progress on a terminal: its stage, and the pages written of the total, on one line
that updates in place and is cleared when the build ends. Nothing without a terminal or with --quiet."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time


class Silent:
    """No progress shown."""

    def stage(self, name: str, total: int = 0) -> None:
        """A stage begins (`total`: the pages it writes, if it writes pages)."""

    def counting(self, emit):
        """`emit(name, text)`, counting each page it writes."""
        return emit

    def done(self) -> None:
        """The build ended: clear the line."""


class Line(Silent):
    """The progress line, drawn by a thread a few times a second once a build has taken a while."""

    AFTER = 1.0  # seconds: a build quicker than this shows nothing
    EVERY = 0.25

    def __init__(self, stream):
        self.stream = stream
        self.name, self.total = "", 0
        self.shown = ""  # the line as last drawn
        # Pages are written by the render workers too, forked from this process: they count into shared
        # memory. The drawing thread only reads it, so it never holds the lock a fork could copy held.
        self.written = multiprocessing.RawValue("q", 0)
        self.lock = multiprocessing.Lock()
        self.started = time.monotonic()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.draw, name="progress", daemon=True)
        self.thread.start()

    def stage(self, name: str, total: int = 0) -> None:
        self.name, self.total = name, total

    def counting(self, emit):
        written, lock = self.written, self.lock

        def emit_counted(name: str, text) -> None:
            emit(name, text)
            with lock:
                written.value += 1

        return emit_counted

    def draw(self) -> None:
        while not self.stopped.wait(self.EVERY):
            if time.monotonic() - self.started < self.AFTER or not self.name:
                continue
            line = self.name + (f": {self.written.value:,} of {self.total:,} pages written" if self.total else " …")
            if line != self.shown:
                self.stream.write("\r\033[K" + line)
                self.stream.flush()
                self.shown = line

    def done(self) -> None:
        self.stopped.set()
        self.thread.join()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def progress(quiet: bool, stream=None) -> Silent:
    """The progress line on a terminal (stderr), unless `quiet`; else nothing."""
    stream = stream or sys.stderr
    return Line(stream) if not quiet and stream.isatty() else Silent()
