"""Citations as a markdown-it-py plugin: Pandoc's [@source-id] and [@a, locator; @b].

Modelled on mdit-py-plugins' footnote plugin: named rules, state kept in `env`,
unknown or missing citations recorded (with the token's line) instead of raised.

A citation renders as a placeholder (\x02N\x03, N a key into `env["notes"]`);
`number_notes` turns placeholders into numbered marks once a whole page is
rendered, so numbering follows reading order however the page was assembled.
Validation refuses control characters in content (YAML escapes could write them), so content
never forges one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

CITATION_AT = re.compile(r"@([a-z0-9]+(?:-[a-z0-9]+)*)")
PLACEHOLDER = re.compile("\x02(\\d+)\x03")
BRACKET = re.compile(r"[\[\]]")
SAFE_SCHEMES = ("http:", "https:", "mailto:")
SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Cited:
    """One citation found in prose: the source id, locator, and line in the fragment."""

    source: str
    locator: str | None
    line: int


@dataclass
class Notes:
    """The registry of (source, locator) keys that placeholders point into."""

    keys: list = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def mark(self, source: str, locator: str | None) -> str:
        """Return the placeholder for a citation of a source (at a locator)."""
        return f"<sup class=\"note\">\x02{self.number(source, locator)}\x03</sup>"

    def number(self, source: str, locator: str | None) -> int:
        """Return the key that placeholders for a source (at a locator) hold, made on first use."""
        key = (source, locator or None)
        number = self.index.get(key)
        if number is None:
            number = self.index[key] = len(self.keys)
            self.keys.append(key)
        return number


def parse_citations(inside: str) -> list[tuple[str, str | None]] | None:
    """Parse the inside of [...] as '@id[, locator]; @id ...', or None if it is not one."""
    found = []
    for part in inside.split(";"):
        part = part.strip()
        match = CITATION_AT.match(part)
        if not match:
            return None
        rest = part[match.end():].strip()
        if rest and not rest.startswith(","):
            return None
        locator = rest[1:].strip().strip('"\u201c\u201d') or None
        found.append((match.group(1), locator))
    return found


def citation_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: [@id], [@id, locator], [@a; @b]."""
    start = state.pos
    if state.src[start] != "[" or state.src[start + 1: start + 2] != "@":
        return False
    # The next bracket after this one, of either kind: a scan that stops there, so that text full of
    # "[@" with no "]" costs one look at each character, not one look at the rest of the text for each.
    bracket = BRACKET.search(state.src, start + 1)
    if bracket is None or bracket.group() != "]":
        return False
    end = bracket.start()
    citations = parse_citations(state.src[start + 1: end])
    if citations is None:
        return False
    if not silent:
        state.pending = state.pending.rstrip(" ")  # "claim [@a]" marks the claim, as Pandoc does
        if not state.pending and state.tokens and state.tokens[-1].type == "softbreak":
            state.tokens.pop()  # so does "claim\n[@a]": a line break before the mark would show as a space
        token = state.push("citation", "", 0)
        token.meta = {"citations": citations}
    state.pos = end + 1
    return True


def check_rule(state: StateCore) -> None:
    """Core rule: record every citation; give uncited statements the fallback or report them."""
    env = state.env
    for unit in statements(state.tokens):
        line = (unit[0].map[0] if unit[0].map else 0) + 1
        cited = [c for token in unit for child in token.children or [] if child.type == "citation"
                 for c in child.meta["citations"]]
        if not cited and env.get("fallback"):
            appended = Token("citation", "", 0)
            appended.meta = {"citations": [(c.source, c.locator) for c in env["fallback"]], "fallback": True}
            unit[-1].children.append(appended)
            cited = appended.meta["citations"]
        elif not cited and env.get("required", True):
            env.setdefault("uncited", []).append(line)
        for source, locator in cited:
            env.setdefault("citations", []).append(Cited(source, locator, line))


def statements(tokens) -> list[list]:
    """Group inline tokens into statements: a paragraph, or a table body row (its label cell included)."""
    units: list[list] = []
    row: list | None = None
    in_body = False
    previous = None
    for token in tokens:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif token.type == "tr_open" and in_body:
            row = []
        elif token.type == "tr_close" and row is not None:
            if row:
                units.append(row)
            row = None
        elif token.type == "inline":
            if row is not None:
                row.append(token)
            elif previous == "paragraph_open":
                units.append([token])
        previous = token.type
    return units


def render_citation(self, tokens, idx, options, env) -> str:
    notes: Notes = env["notes"]
    return "".join(notes.mark(source, locator) for source, locator in tokens[idx].meta["citations"])


def render_link_open(self, tokens, idx, options, env) -> str:
    """External links open nothing of ours to the page they lead to."""
    token = tokens[idx]
    if (token.attrGet("href") or "").startswith(("http:", "https:")):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def validate_link(url: str) -> bool:
    """Allow http, https, mailto and relative links; refuse every other scheme, and a link without one
    that a browser would take to another host (//host/, and /\\host/, which browsers read the same)."""
    scheme = SCHEME.match(url)
    if scheme is None:
        return not re.match(r"^\s*[/\\]{2}|^\s*(?:%5c|%2f){2}|^\s*[/\\](?:%5c|%2f)", url, re.IGNORECASE)
    return url.strip().lower().startswith(SAFE_SCHEMES)


def refusal(url: str) -> str:
    """Why a link is refused, for a contributor: what it is and what is allowed instead."""
    scheme = SCHEME.match(url)
    if scheme:
        return (f"link '{url}' is refused: '{scheme.group(1)}:' links are not allowed; link to an http://, "
                "https:// or mailto: address, or to a page of this site by its path")
    return (f"link '{url}' is refused: a link that starts with two slashes (// or /\\, even percent-encoded) "
            "leads to another host; write the address with https://, or link to a page of this site by its path")


def link_check_rule(state: StateCore) -> None:
    """Core rule: record each link that validate_link refuses, in env["refused"] as (line, url), and show
    its text without the link. The parser lets every destination through (see make_markdown), so that a
    refused one is seen here, with its line, instead of turning silently into plain text."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        kept, refused = [], False
        for child in token.children:
            if child.type == "link_open" and not validate_link(child.attrGet("href") or ""):
                line = (token.map[0] if token.map else 0) + 1
                state.env.setdefault("refused", []).append((line, child.attrGet("href") or ""))
                refused = True  # links do not nest: the next close is its own
            elif child.type == "link_close" and refused:
                refused = False
            else:
                kept.append(child)
        token.children = kept


def citations_plugin(md: MarkdownIt) -> None:
    """Add Pandoc-style citations to a MarkdownIt parser."""
    md.inline.ruler.before("link", "citation", citation_rule)
    md.core.ruler.after("inline", "citation_check", check_rule)
    md.add_render_rule("citation", render_citation)
    md.add_render_rule("link_open", render_link_open)


def make_markdown() -> MarkdownIt:
    """The one Markdown parser: CommonMark and tables, no raw HTML, no images, safe links."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").disable("image")
    md.validateLink = lambda url: True  # link_check_rule refuses, with a message, what validate_link refuses
    md.core.ruler.after("inline", "link_check", link_check_rule)
    md.use(citations_plugin)
    return md


def render_prose(md: MarkdownIt, text: str, notes: Notes, fallback=(), required=True) -> tuple[str, dict]:
    """Render one Markdown fragment; return its HTML (with placeholders) and its env."""
    env = {"notes": notes, "fallback": list(fallback), "required": required}
    return md.render(text, env), env
