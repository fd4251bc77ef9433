"""Problems found in content, reported together in compiler format."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

# What a terminal, a log or a CI annotation could take for a line end or a control sequence, or that
# would show text in another order than it is stored (bidirectional overrides): shown as escapes.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str) -> str:
    """Text as a message may quote it: on one line, every control character written as an escape."""
    return UNSAFE.sub(lambda found: ESCAPES.get(found.group()) or f"\\u{ord(found.group()):04x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) at a place in a content file."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        """`path:line:col: error: message`, or `error: message` for a problem at no place in a file (path "").

        Content cannot forge a line of its own: what the path and message quote is escaped."""
        if not self.path:
            return f"{self.severity}: {escaped(self.message)}"
        return f"{escaped(self.path)}:{self.line}:{self.column}: {self.severity}: {escaped(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(path: str, line: int, column: int, message: str) -> Problem:
    """Make an error at a place."""
    return Problem(path, line, column, message, "error")


def failure(message: str) -> Problem:
    """Make an error at no place in a file: the file system, an option, the output."""
    return Problem("", 0, 0, message, "error")


def warning(path: str, line: int, column: int, message: str) -> Problem:
    """Make a warning at a place."""
    return Problem(path, line, column, message, "warning")


def a(word: str) -> str:
    """The word with its indefinite article: 'a quote', 'an actor'."""
    return ("an " if word[0] in "aeiou" else "a ") + word


def command() -> str:
    """How the user runs stances, for messages: through a checkout's build.py, or the installed command."""
    return "python build.py" if sys.argv[0].endswith("build.py") else "stances"


def did_you_mean(word: str, choices) -> str:
    """Return ' (did you mean 'x'?)' for the closest choice, or ''."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def report(problems: list[Problem], strict: bool, annotations: bool = False) -> int:
    """Print every problem, sorted; return how many count as errors."""
    for problem in sorted(set(problems)):
        print(problem, file=sys.stderr)
        if annotations:
            level = "error" if problem.is_error or strict else "warning"
            print(annotation(problem, level))
    return sum(1 for problem in set(problems) if problem.is_error or strict)


def not_checked(count: int) -> str:
    """The line that stands for the references into files that could not be read, instead of one error each."""
    return (f"not checked: {count} reference(s) to records in files that could not be read; "
            "fix those files and check again")


def annotation(problem: Problem, level: str) -> str:
    """A GitHub Actions workflow command for a problem, escaped as the runner reads them, so that
    neither a file name nor a message can end the command early or start another."""
    def data(text: str) -> str:
        return escaped(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    where = f" file={prop(problem.path)},line={problem.line},col={problem.column}" if problem.path else ""
    return f"::{level}{where}::{data(problem.message)}"
