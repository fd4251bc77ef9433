"""Search: index the written site with Pagefind, inside the staging folder, before it is swapped in.

Pagefind reads what the templates mark (`data-pagefind-body`, `data-pagefind-filter`,
`data-pagefind-meta`) and writes its index, its wasm and its UI into `pagefind/`, so every
search asset is served by the site itself. The templates also mark the quote cards a page only
lists (`data-pagefind-ignore`), so that each quote is found on its own page.

Pagefind reads every byte of every page it is given, and most of a page is what it leaves out
(head, masthead, notes, lists of cards it ignores). So while a build writes the site, each page
that marks a body gets a search document, in .stances-cache/ (see write.Staging): the page's
<html> tag and title, and its marked body element, with the elements Pagefind leaves out inside
it emptied (`document`). Pagefind indexes those, and its index is the same, byte for byte, as the
one it builds from the pages themselves (tests/test_search.py holds that). A page where the cut
might change what Pagefind sees keeps its whole text as its document.

Pagefind lists filter values in hash-map order, which changes from run to run, and names each
file by a hash of its content; `settle` sorts those lists and renames the files, so that the
same site gives the same bytes every time (the rest of its output is stable already).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
import subprocess
import sys
from pathlib import Path

from .load import shown_path
from .problems import Problem, error

FOLDER = "pagefind"
DOCUMENTS = "search-documents"
# Not searched, besides what a template marks data-pagefind-ignore: note marks (their digits would glue
# onto the word before), the notes, permalinks. Each is (tag or None for any, attribute, value; for
# class, one of its words), and Pagefind is given them as CSS selectors.
LEFT_OUT = (("sup", "class", "note"), (None, "role", "doc-endnotes"), (None, "class", "permalink"))
IGNORED = ", ".join(f"{tag or ''}.{value}" if name == "class" else f"{tag or ''}[{name}={value}]"
                    for tag, name, value in LEFT_OUT)
SIGNATURE = b"pagefind_dcd"
log = logging.getLogger("stances")


# A page is cut as its UTF-8 bytes, as it is written: tags and attribute names are ASCII, and
# bytes.lower() folds ASCII alone, at the speed of a copy (str.lower() on a page with one curly
# quote in it took longer than all the rest of the cut).
BODY = b"data-pagefind-body"
IGNORE = "data-pagefind-ignore"
OPEN_TAG = re.compile(rb"<([a-z][a-z0-9-]*)\s[^>]*\bdata-pagefind-body\b[^>]*>")
# An opening tag that may be one of an element Pagefind leaves out (`left_out` says whether it is).
MAYBE_LEFT_OUT = re.compile(rb"<([a-z][a-z0-9-]*)(\s[^>]*(?:%s)[^>]*)>" % b"|".join(
    re.escape(word.encode()) for word in (IGNORE, *(value for _, _, value in LEFT_OUT))))
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
TITLE = re.compile(rb"<title[\s>].*?</title\s*>", re.DOTALL)  # searched in the page in lower case
VOID = {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"source", b"track",
        b"wbr"}
# What Pagefind could take from inside an element it leaves out: a filter or metadata (it keeps those
# of an element marked data-pagefind-ignore), or a heading or image it may take as a title or image.
TAKEN = (b"data-pagefind", b"<h1", b"<img")


def document(html: str | bytes) -> str | bytes | None:
    """What Pagefind needs of a page, or None if it marks no body: the page's <html> tag and title, and
    its body element, with nothing inside the elements Pagefind leaves out (`LEFT_OUT`, data-pagefind-ignore).

    The whole page comes back when cutting could change what Pagefind sees: a second body, a
    Pagefind attribute, a heading or an image outside the body element, or markup it cannot follow.
    An element left out keeps its insides if they hold something Pagefind may take (`TAKEN`).
    A page given as text comes back as text; as UTF-8 bytes, as bytes.
    """
    if isinstance(html, str):
        cut = cut_page(html.encode("utf-8"))
        return cut if cut is None else cut.decode("utf-8")
    return cut_page(bytes(html))


def cut_page(html: bytes) -> bytes | None:
    """`document` for a page's UTF-8 bytes."""
    # Tags and attribute names are found in the page in lower case (ASCII only: the same places);
    # what they say is read from the page itself.
    lower = html.lower()
    marked = lower.find(BODY)
    if marked < 0:
        return None
    head_start, head_end = lower.find(b"<head"), lower.find(b"</head>")
    found = OPEN_TAG.match(lower, lower.rfind(b"<", 0, marked))
    if (found is None or lower.find(BODY, marked + 1) >= 0
            or not 0 <= head_start < head_end < found.start()):
        return html
    end = closing(lower, found.group(1), found.end())
    if end is None:
        return html
    at = lower.find(b">", end) + 1
    if takes(lower, 0, found.start()) or takes(lower, at, len(lower)):
        return html
    body = emptied(html, lower, found.end(), end)
    if body is None:
        return html
    title = TITLE.search(lower, head_start, head_end)
    return (html[:head_start] + b'<head>\n<meta charset="utf-8">\n'
            + (html[title.start():title.end()] + b"\n" if title else b"")
            + b"</head>\n<body>\n" + html[found.start():found.end()] + body + html[end:at] + b"\n</body>\n</html>\n")


def emptied(html: bytes, lower: bytes, start: int, end: int) -> bytes | None:
    """html[start:end] with the insides of the elements Pagefind leaves out taken away; None if one never closes."""
    parts, kept, at = [], start, start
    while (found := MAYBE_LEFT_OUT.search(lower, at, end)) is not None:
        at = found.end()
        tag = found.group(1)
        if tag in VOID or found.group(2).endswith(b"/") or not left_out(
                tag.decode(), html[found.start(2):found.end(2)].decode("utf-8", "replace")):
            continue
        shut = closing(lower, tag, at)
        if shut is None or shut > end:
            return None
        if takes(lower, at, shut):
            continue  # look inside it for smaller ones
        parts.append(html[kept:at])
        kept = at = shut
    parts.append(html[kept:end])
    return b"".join(parts)


def takes(lower: bytes, start: int, end: int) -> bool:
    """True if lower[start:end] holds something Pagefind may take (`TAKEN`)."""
    return any(lower.find(mark, start, end) >= 0 for mark in TAKEN)


@functools.lru_cache(maxsize=256)
def left_out(tag: str, attributes: str) -> bool:
    """True if Pagefind leaves out an element with this opening tag's attributes."""
    found = {name.lower(): quoted or single or bare for name, quoted, single, bare in ATTRIBUTE.findall(attributes)}
    if IGNORE in found:
        return True
    return any(rule in (None, tag) and name in found and (value in found[name].split() if name == "class"
                                                          else found[name] == value)
               for rule, name, value in LEFT_OUT)


def closing(lower: bytes, tag: bytes, at: int) -> int | None:
    """Where, in a page in lower case, the element whose opening tag ends at `at` closes (the start of
    its closing tag); None if it never does, or closes in a way this does not follow (`</tag >`)."""
    opening, close = b"<" + tag, b"</" + tag
    depth = 1
    while True:
        shut = lower.find(close, at)
        while shut >= 0:
            after = lower[shut + len(close):shut + len(close) + 1]
            if after == b">":
                break
            if after in b" \t\n\r\f/":  # b"" too: the page ends there
                return None
            shut = lower.find(close, shut + 1)  # another tag, whose name starts with this one's
        if shut < 0:
            return None
        inner = lower.find(opening, at, shut)
        while inner >= 0:
            depth += lower[inner + len(opening):inner + len(opening) + 1] in b" \t\n\r\f/>"
            inner = lower.find(opening, inner + 1, shut)
        depth -= 1
        if not depth:
            return shut
        at = shut + len(close) + 1


def pagefind_command(documents: str, output: Path) -> list[str]:
    """How the build runs Pagefind over a folder of pages (from the site's folder: see `index`)."""
    return [sys.executable, "-m", "pagefind", "--site", documents, "--output-path", str(output), "--silent",
            "--exclude-selectors", IGNORED]


def index(staging: Path, into: Path | None = None, documents: str = ".") -> list[Problem]:
    """Build the search index of a written site into its pagefind/ (or `into`); report a failure as a problem.

    `documents` is the folder of the pages Pagefind reads: the site itself ("."), or its search documents."""
    # Run in the site's folder, so that no stray pagefind.yml in the caller's folder changes the index.
    command = pagefind_command(documents, into if into is not None else staging.absolute() / FOLDER)
    try:
        result = subprocess.run(command, cwd=staging, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [error(shown_path(staging), 1, 1, f"search index: pagefind could not run: {exc}")]
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        hint = " (is it installed? pip install -e .)" if "No module named" in result.stderr else ""
        return [error(shown_path(staging), 1, 1,
                      f"search index: pagefind failed{hint}: {said[-1] if said else result.returncode}")]
    try:
        settle(into if into is not None else staging / FOLDER)
    except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
        log.warning("search index left as Pagefind wrote it, in an order that may change between builds: %s", exc)
    return []


def settle(bundle: Path) -> None:
    """Sort the filter lists Pagefind wrote in hash-map order, and rename what they change."""
    entry = bundle / "pagefind-entry.json"
    text = entry.read_text(encoding="utf-8")
    for meta_file in sorted(bundle.glob("pagefind.*.pf_meta")):
        old_hash = meta_file.name[len("pagefind."):-len(".pf_meta")]
        language = old_hash.rsplit("_", 1)[0]
        meta = unpack(meta_file.read_bytes())
        filters = []
        for name, filter_hash in meta[3]:
            path = bundle / "filter" / f"{filter_hash}.pf_filter"
            values = unpack(path.read_bytes())
            values[1].sort(key=lambda value: value[0])
            new_hash = write(bundle / "filter", language, len(filter_hash) - len(language) - 1, values, ".pf_filter")
            if new_hash != filter_hash:
                path.unlink()
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        new_hash = write(bundle, language, len(old_hash) - len(language) - 1, meta, ".pf_meta", "pagefind.")
        if new_hash != old_hash:
            meta_file.unlink()
            text = text.replace(f'"{old_hash}"', f'"{new_hash}"')
    entry.write_text(text, encoding="utf-8")


def write(folder: Path, language: str, digits: int, value, suffix: str, prefix: str = "") -> str:
    """Write a value as Pagefind does (signed, CBOR, gzip), named by a hash of it; return that name."""
    data = gzip.compress(SIGNATURE + encode(value), mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(data)
    return name


def unpack(data: bytes):
    plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    if not plain.startswith(SIGNATURE):
        raise ValueError("not a Pagefind index file")
    value, end = decode(plain, len(SIGNATURE))
    if end != len(plain):
        raise ValueError("trailing bytes in a Pagefind index file")
    return value


# The little CBOR (RFC 8949) that Pagefind's index files use: unsigned integers, text, arrays.
def decode(data: bytes, at: int):
    major, argument, at = head(data, at)
    if major == 0:
        return argument, at
    if major == 3:
        return data[at:at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unexpected CBOR major type {major}")


def head(data: bytes, at: int) -> tuple[int, int, int]:
    major, info = data[at] >> 5, data[at] & 31
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def encode(value) -> bytes:
    if isinstance(value, int):
        return encode_head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return encode_head(3, len(raw)) + raw
    return encode_head(4, len(value)) + b"".join(encode(item) for item in value)


def encode_head(major: int, argument: int) -> bytes:
    for info, size, limit in ((None, 0, 24), (24, 1, 1 << 8), (25, 2, 1 << 16), (26, 4, 1 << 32), (27, 8, 1 << 64)):
        if argument < limit:
            first = bytes([major << 5 | (argument if info is None else info)])
            return first + (argument.to_bytes(size, "big") if size else b"")
    raise ValueError("integer too large for CBOR")
