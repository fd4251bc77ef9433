"""Problems found in content, reported together in compiler format."""

from __future__ import annotations

import bisect
import difflib
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
    """Return ' (did you mean 'x'?)' for the closest choice, or ''.

    The closest is difflib's (ratio at least 0.6), looked for among the choices whose length could reach
    that ratio. The cost is bounded for any input (see `Suggestions`): past SUGGEST_ALL such choices only
    their neighbours in sorted order are compared, and once a set of choices has spent SUGGEST_BUDGET
    no more suggestions are made from it."""
    close = suggestions(choices).closest(word)
    return f" (did you mean '{close}'?)" if close else ""


SUGGEST_ALL = 1_000  # choices of a fitting length compared in full, as difflib alone would
SUGGEST_NEAR = 25  # past that, the neighbours compared on each side of the word, for each length and order
SUGGEST_BUDGET = 20_000_000  # for one set of choices: comparisons, each counted as (length + 8) of the one
#                               times (length + 8) of the other, about 0.05 to 0.1 µs a unit
SUGGEST_SETS = 16  # sets of choices remembered


class Suggestions:
    """The choices of one set sorted once, by length, forwards and by their reversed text (so that a
    mistake in an id's first letters still finds it among neighbours), with what each word gave.

    A comparison costs about the product of the two lengths (plus a constant), so that is what the budget
    counts: an unknown reference past it gets its error without a suggestion."""

    def __init__(self, choices) -> None:
        self.choices, self.size = choices, len(choices)
        self.by_length: dict[int, tuple[list[str], list[str]]] = {}
        for name in sorted(choices):
            self.by_length.setdefault(len(name), ([], []))[0].append(name)
        for names, backwards in self.by_length.values():
            backwards.extend(sorted(name[::-1] for name in names))
        self.lengths = sorted(self.by_length)
        self.said: dict[str, str | None] = {}
        self.budget = SUGGEST_BUDGET

    def closest(self, word: str) -> str | None:
        if word not in self.said:
            self.said[word] = self.compare(word, self.candidates(word)) if self.budget > 0 else None
        return self.said[word]

    def candidates(self, word: str) -> list[str]:
        # difflib drops a choice first by the two lengths alone (real_quick_ratio): so does this, exactly.
        size = len(word)
        around = self.lengths[bisect.bisect_left(self.lengths, size * 3 // 7 - 1):
                              bisect.bisect_right(self.lengths, size * 7 // 3 + 1)]
        fits = [length for length in around
                if (2.0 * min(length, size) / (length + size) if length + size else 1.0) >= 0.6]
        if sum(len(self.by_length[length][0]) for length in fits) <= SUGGEST_ALL:
            return [name for length in fits for name in self.by_length[length][0]]
        near: set[str] = set()
        for length in fits:
            names, backwards = self.by_length[length]
            at = bisect.bisect_left(names, word)
            near.update(names[max(0, at - SUGGEST_NEAR):at + SUGGEST_NEAR])
            at = bisect.bisect_left(backwards, word[::-1])
            near.update(name[::-1] for name in backwards[max(0, at - SUGGEST_NEAR):at + SUGGEST_NEAR])
        return sorted(near)

    def compare(self, word: str, candidates: list[str]) -> str | None:
        cost = sum((len(word) + 8) * (len(name) + 8) for name in candidates)
        if cost > self.budget:
            self.budget = 0
            return None
        self.budget -= cost
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        return close[0] if close else None


_suggestions: dict[int, Suggestions] = {}


def suggestions(choices) -> Suggestions:
    """The Suggestions for a set of choices, made once for as long as the same object holds as many
    choices. Callers pass choices whose members do not change between calls (a set, a dict's keys);
    each entry keeps its object, so no other object takes its id while it is remembered."""
    found = _suggestions.get(id(choices))
    if found is None or found.choices is not choices or found.size != len(choices):
        found = _suggestions[id(choices)] = Suggestions(choices)
        while len(_suggestions) > SUGGEST_SETS:
            del _suggestions[next(iter(_suggestions))]
    return found


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
