"""Load: read content/**/*.yml into YAML node trees that remember where they came from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .files import stat_key
from .problems import Problem, did_you_mean, error, warning
from .schema import KINDS

# A file at this limit is checked in a few seconds whatever it holds (benchmarks/LIMITS.md): 2,500 quotes
# with a short context, thirty times the largest shipped file. A site grows by its number of files.
MAX_FILE_BYTES = 512 * 1024
YAML_SUFFIXES = (".yml", ".yaml")


@dataclass
class Document:
    """One content file: its kind, its shown path, its text and its YAML node."""

    kind: str
    path: str
    text: str
    node: yaml.Node | None


def shown_path(path: Path) -> str:
    """Return the path as a contributor would type it: relative to here when inside."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def scan(content: Path) -> tuple[list[tuple[str, str, tuple]], list[Problem]]:
    """List (kind, file, stat key) for every YAML file in the content folder, in a stable order.

    Walks with os.scandir, which learns each name's type from the directory itself, so a
    rebuild of a large tree that changed nothing costs one stat a file.
    """
    problems: list[Problem] = []
    found: list[tuple[str, str, tuple]] = []
    folders: list[str] = []
    ignored: list[str] = []
    if not content.is_dir():
        return [], [error(shown_path(content), 1, 1, "content folder not found; pass --content DIR")]
    try:
        top = os.stat(content)
        entries = sorted(os.scandir(content.absolute()), key=lambda e: e.name)
    except OSError as exc:
        return [], [unreadable(shown_path(content), exc, "folder")]
    seen = {(top.st_dev, top.st_ino)}  # every folder read, so that a link back to one ends there
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_file = entry.is_file()
            if not is_file and not entry.is_dir():
                if entry.is_symlink():
                    problems.append(error(shown_path(Path(entry.path)), 1, 1, BROKEN))
                continue
        except OSError as exc:  # a loop of links (ELOOP), or a folder that may not be looked into
            problems.append(unreadable(shown_path(Path(entry.path)), exc))
            continue
        stem, suffix = os.path.splitext(entry.name) if is_file else (entry.name, "")
        if is_file and suffix not in YAML_SUFFIXES:
            if looks_like_yaml(entry.name):
                ignored.append(entry.path)
            continue
        if stem not in KINDS:
            problems.append(error(
                shown_path(Path(entry.path)), 1, 1,
                f"unknown kind of record '{stem}'{did_you_mean(stem, KINDS)}; "
                f"content holds {', '.join(sorted(KINDS))}"))
            continue
        if not is_file:
            if KINDS[stem].single:
                problems.append(error(shown_path(Path(entry.path)), 1, 1, f"'{stem}' is one file: write {stem}.yml"))
                continue
            files: list = []
            walk_yaml(entry.path, (), files, problems, seen, ignored)
            files.sort(key=lambda item: item[0])
            found += [(stem, path, key) for _, path, key in files]
            folders.append(entry.path)
        else:
            try:
                found.append((stem, entry.path, stat_key(entry.stat())))
            except OSError as exc:
                problems.append(unreadable(shown_path(Path(entry.path)), exc))
    problems += [warning(shown_path(Path(path)), 1, 1, "ignored: only files whose names end in .yml or .yaml "
                                                       "are read") for path in sorted(ignored)]
    if not any(kind == "site" for kind, _, _ in found) and not any(problem.is_error for problem in problems):
        problems.append(error(shown_path(content / "site.yml"), 1, 1,
                              "missing site.yml: it names the site, its sides and its intro"))
    return found, problems


BROKEN = "a link to nothing: remove it, or point it at a file that exists"


def unreadable(shown: str, exc: OSError, what: str = "file") -> Problem:
    """The error for a file or folder the system would not let us read."""
    return error(shown, 1, 1, f"cannot read this {what}: {exc.strerror or exc}")


def looks_like_yaml(name: str) -> bool:
    """A name meant, perhaps, for a content file, that the loader passes over: x.yaml.txt, x.YML, x.yml~."""
    return ".yml" in name.lower() or ".yaml" in name.lower()


def walk_yaml(folder: str, parts: tuple, found: list, problems: list, seen: set, ignored: list | None = None) -> None:
    """Collect (path parts, path, stat key) of the YAML files under a folder, hidden names skipped;
    and in `ignored`, the paths of files whose names look meant to be YAML but do not end so.

    Each folder is read once (`seen` holds their device and inode), so a link back up the tree ends
    there; what cannot be read is a problem."""
    try:
        here = os.stat(folder)
        if (here.st_dev, here.st_ino) in seen:
            return
        seen.add((here.st_dev, here.st_ino))
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        problems.append(unreadable(shown_path(Path(folder)), exc, "folder"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                walk_yaml(entry.path, parts + (entry.name,), found, problems, seen, ignored)
            elif entry.name.endswith(YAML_SUFFIXES):
                if entry.is_file():
                    found.append((parts + (entry.name,), entry.path, stat_key(entry.stat())))
                elif entry.is_symlink():
                    problems.append(error(shown_path(Path(entry.path)), 1, 1, BROKEN))
            elif ignored is not None and looks_like_yaml(entry.name):
                ignored.append(entry.path)
        except OSError as exc:  # a loop of links (ELOOP), or a file gone or locked meanwhile
            problems.append(unreadable(shown_path(Path(entry.path)), exc))


def in_words(size: int) -> str:
    """A size as a message gives it: '513 KiB' (rounded up), '1.3 MiB', '1 MiB'."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KiB"
    return f"{size // 1048576} MiB" if size % 1048576 == 0 else f"{size / 1048576:.1f} MiB"


def read_text(path: Path, shown: str, limit: int = MAX_FILE_BYTES) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 text (a byte-order mark is allowed), or say why not."""
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [error(shown, 1, 1, f"file is {in_words(size)}; the limit is "
                                             f"{in_words(limit)} a file: split it into several files")]
        with open(path, "rb") as file:  # at most the limit, should the file grow meanwhile
            data = file.read(limit + 1)
    except OSError as exc:
        return None, [unreadable(shown, exc)]
    if len(data) > limit:
        return None, [error(shown, 1, 1, f"file is over the limit of {in_words(limit)} a file: "
                                         "split it into several files")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [error(shown, line, column,
                            f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
    return text.removeprefix("\ufeff"), []


MAX_DEPTH = 100
ALIASES = "YAML aliases (*name) are not supported: write the value out"


def hazard(text: str) -> tuple[yaml.Mark, str] | None:
    """Find what libyaml would choke on or expand: nesting deeper than MAX_DEPTH, or an alias."""
    # An alias (*name) needs an anchor (&name) to refer to; one that has none fails to compose, and
    # `compose` says so as it says of any alias. Markdown's *emphasis* alone costs no scan.
    if ("*" not in text or "&" not in text) and (text.count("\n") + text.count("[") + text.count("{") + text.count("- ")
                            + text.count("-\t") + text.count("? ") + text.count(": ") + text.count(":\t")) < MAX_DEPTH:
        return None  # no alias, and a level of nesting opens only at one of these or on a line of its own
    too_deep = f"YAML nests more than {MAX_DEPTH} levels deep: records are never that deep"
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark, ALIASES
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark, too_deep
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml 0.2.5 and later stop at 1,000 levels, and may get there scanning ahead before the
        # first event deeper than ours comes out: the same fault, said the same way.
        if "nesting depth" in (exc.problem or "") and exc.problem_mark is not None:
            return exc.problem_mark, too_deep
        raise
    return None


def compose(text: str, shown: str) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse YAML text into a node tree with libyaml, keeping line and column."""
    try:
        found = hazard(text)
        if found is not None:
            mark, message = found
            return None, [error(shown, mark.line + 1, mark.column + 1, message)]
        return yaml.compose(text, Loader=yaml.CSafeLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if (exc.problem or "").startswith("found undefined alias") and mark is not None:
            return None, [error(shown, mark.line + 1, mark.column + 1, ALIASES)]
        message = exc.problem or "invalid YAML"
        if exc.context:
            started = exc.context_mark
            where = f" (started at line {started.line + 1}, column {started.column + 1})" if started and mark and \
                started.line != mark.line else ""
            message = f"{exc.context}{where}: {message}"
        if mark and text[mark.index: mark.index + 1] == "\t":
            message = "a tab is used for indentation; YAML needs spaces"
        else:
            message += syntax_hint(exc, text)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [error(shown, line, column, f"YAML syntax: {message}")]
    except yaml.reader.ReaderError as exc:  # a character YAML refuses; libyaml gives its UTF-8 byte offset
        before = text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return None, [error(shown, line, column, f"the character U+{exc.character:04X} is not allowed in YAML "
                                                 "(a control character): remove it")]
    except yaml.YAMLError as exc:
        return None, [error(shown, 1, 1, f"YAML: {exc}")]
    except RecursionError:
        return None, [error(shown, 1, 1, "YAML is nested too deeply")]


def syntax_hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """Say what usually causes one of libyaml's syntax errors, and how to fix it; or ''."""
    problem, context, mark = exc.problem or "", exc.context or "", exc.problem_mark
    if mark is None:
        return ""
    lines = text.splitlines()
    here = lines[mark.line] if mark.line < len(lines) else ""
    if problem.startswith("mapping values are not allowed"):
        above = next((line for line in reversed(lines[:mark.line]) if line.strip() and not line.lstrip().startswith("#")),
                     None)
        indent = len(here) - len(here.lstrip(" "))
        if above is not None and indent > len(above) - len(above.lstrip(" ")) and not above.rstrip().endswith(":"):
            return "; this line is indented more than the one above: line its key up with the keys beside it"
        key, _, value = here.partition(": ")
        value = value.strip()
        quote = "'" if '"' in value or "\\" in value else '"'
        shown = value if len(value) <= 60 else f"{value[:30].rstrip()} … {value[-15:].lstrip()}"
        quoted = quote + (shown.replace("'", "''") if quote == "'" else shown) + quote
        return (f"; ': ' inside a plain value starts a new key: put the whole value in quotes, "
                f"as {key.strip()}: {quoted}")
    if "flow sequence" in context or "flow mapping" in context:
        closing = "]" if "sequence" in context else "}"
        return f"; close the {'[' if closing == ']' else '{'} with {closing}, or quote the value if it is text"
    if "quoted scalar" in context and "end of stream" in problem:
        return ("; the quotation mark opened there is never closed: close it (inside \"…\" write \\\" for a "
                "quotation mark, inside '…' write '' for an apostrophe)")
    if "block mapping" in context and "expected key" in problem:
        return "; this line is indented differently from the keys beside it: line it up with them"
    return ""


def load_file(kind: str, path: Path) -> tuple[Document | None, list[Problem]]:
    """Read and parse one content file."""
    shown = shown_path(path)
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    node, problems = compose(text, shown)
    return (None if problems else Document(kind, shown, text, node)), problems
