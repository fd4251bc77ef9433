"""Property: whatever the content, the build succeeds or reports problems; it never raises."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from stances.pipeline import BuildOptions, run

BASE = FIXTURES / "errors" / "base"
FIELDS = ["id", "title", "summary", "cite", "speaker", "wordings", "text", "said", "date", "url", "topics",
          "roles", "source", "locator", "approximate", "published", "sides", "unknown"]

scalars = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["no", "yes", "on", "~", "null", "2024", "2024-02-30", "2024-01-01", "12:30", "0x1F",
                     "[@paper]", "[@nope]", "[@", "@paper", "*a", "&a x", "!!binary aGk=", "|", ">", "- x",
                     "{a: 1}", "[1, [2]]", "'", '"', "\t", "javascript:x", "https://x.example/"]),
    st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)), max_leaves=12)


def to_yaml(value, indent: int = 0) -> str:
    """Write a value as block YAML without quoting plain strings, so YAML's own typing applies."""
    pad = " " * indent
    if isinstance(value, dict):
        return "".join(f"{pad}{key}:\n{to_yaml(item, indent + 2)}" if isinstance(item, (dict, list)) and item
                       else f"{pad}{key}: {to_yaml(item).strip()}\n" for key, item in value.items()) or f"{pad}{{}}\n"
    if isinstance(value, list):
        return "".join(f"{pad}-\n{to_yaml(item, indent + 2)}" for item in value) or f"{pad}[]\n"
    return f"{pad}{value}\n"


@contextlib.contextmanager
def base_tree(files: dict[str, str]):
    """A temporary copy of the base tree with these content files written over it."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        shutil.copytree(BASE, tree, dirs_exist_ok=True)
        for name, text in files.items():
            (tree / "content" / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / "content" / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        yield tree


def build_with(files: dict[str, str]) -> None:
    with base_tree(files) as tree:
        result = run(BuildOptions(tree / "content", ROOT / "templates", ROOT / "assets"), tree / "site")
        assert all(str(problem).count(":") >= 3 for problem in result.problems)


KINDS = ["topics/border.yml", "quotes/pat-no.yml", "sources/paper.yml", "people/pat.yml", "site.yml",
         "events/e.yml", "proposals/p.yml", "positions/p.yml"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), values)
def test_generated_records_never_raise(name, value):
    build_with({name: to_yaml(value)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), st.data())
def test_mangled_yaml_never_raises(name, data):
    original = (BASE / "content" / name).read_text() if (BASE / "content" / name).exists() else \
        (BASE / "content" / "topics/border.yml").read_text()
    position = data.draw(st.integers(0, len(original)))
    cut = data.draw(st.integers(0, 5))
    insert = data.draw(st.text(alphabet=st.sampled_from(list("\t\n :-[]{}\"'&*!|>#%@`,?\\")) | st.characters(),
                               max_size=6))
    build_with({name: original[:position] + insert + original[position + cut:]})
