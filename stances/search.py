"""Search: index the written site with Pagefind, inside the staging folder, before it is swapped in.

Pagefind reads what the templates mark (`data-pagefind-body`, `data-pagefind-filter`,
`data-pagefind-meta`) and writes its index, its wasm and its UI into `pagefind/`, so every
search asset is served by the site itself. The templates also mark the quote cards a page only
lists (`data-pagefind-ignore`), so that each quote is found on its own page.

Pagefind reads every byte of every page it is given, and most of a page is what it leaves out
(masthead, notes, lists of cards it ignores). So while a build writes the site, each page that
marks a body gets a search document, in .stances-cache/ (see write.Staging): the page's head and
its marked body element only (`document`). Pagefind indexes those, and its index is the same,
byte for byte, as the one it builds from the pages themselves (tests/test_search.py holds that).
A page where the cut might change what Pagefind sees keeps its whole text as its document.

Pagefind lists filter values in hash-map order, which changes from run to run, and names each
file by a hash of its content; `settle` sorts those lists and renames the files, so that the
same site gives the same bytes every time (the rest of its output is stable already).
"""

from __future__ import annotations

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
# Not searched: note marks (their digits would glue onto the word before), the notes, permalinks.
IGNORED = "sup.note, [role=doc-endnotes], .permalink"
SIGNATURE = b"pagefind_dcd"
log = logging.getLogger("stances")


BODY = "data-pagefind-body"
OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\s[^>]*\bdata-pagefind-body\b[^>]*>")


def document(html: str) -> str | None:
    """What Pagefind needs of a page: its head and the element marked as its body, or None if it marks none.

    The whole page comes back when cutting could change what Pagefind sees: a second body, a
    Pagefind attribute, a heading or an image outside the body element, or markup it cannot follow.
    """
    if BODY not in html:
        return None
    found = OPEN_TAG.search(html)
    head_end = html.find("</head>")
    if found is None or html.count(BODY) != 1 or head_end < 0 or head_end > found.start():
        return html
    tag = found.group(1).lower()
    opening, closing = re.compile(rf"<{tag}[\s/>]", re.IGNORECASE), re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth, at = 1, found.end()
    while depth:
        shut = closing.search(html, at)
        if shut is None:
            return html
        depth += len(opening.findall(html, at, shut.start())) - 1
        at = shut.end()
    outside = html[:found.start()] + html[at:]
    if any(mark in outside for mark in ("data-pagefind", "<h1", "<img")):
        return html
    return html[:head_end] + "</head>\n<body>\n" + html[found.start():at] + "\n</body>\n</html>\n"


def index(staging: Path, into: Path | None = None, documents: str = ".") -> list[Problem]:
    """Build the search index of a written site into its pagefind/ (or `into`); report a failure as a problem.

    `documents` is the folder of the pages Pagefind reads: the site itself ("."), or its search documents."""
    # Run in the site's folder, so that no stray pagefind.yml in the caller's folder changes the index.
    output = ["--output-path", str(into if into is not None else staging.absolute() / FOLDER)]
    command = [sys.executable, "-m", "pagefind", "--site", documents, *output, "--silent",
               "--exclude-selectors", IGNORED]
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
