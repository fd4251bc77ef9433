"""The shape of the code a maintainer reads: modules that import one another in one direction only, and
short parameter lists."""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "stances"


def imports() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports (type-only imports too)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stances."):
                names.add(node.module.split(".")[1])
        found[path.stem] = names - {path.stem}
    return found


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()
    cycles = []
    for start in sorted(graph):
        stack, seen = [(start, iter(sorted(graph[start])))], {start}
        while stack:
            module, rest = stack[-1]
            following = next(rest, None)
            if following is None:
                stack.pop()
                continue
            if following == start:
                cycles.append(" -> ".join([name for name, _ in stack] + [start]))
            elif following not in seen and following in graph:
                seen.add(following)
                stack.append((following, iter(sorted(graph[following]))))
    assert cycles == []


def test_no_function_takes_more_than_eight_parameters():
    """Past eight, a call's meaning hangs on argument order: such a group is a dataclass (pipeline.BuildOptions)."""
    crowded = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                given = node.args
                names = [*given.posonlyargs, *given.args, *given.kwonlyargs, given.vararg, given.kwarg]
                names = [name.arg for name in names if name is not None and name.arg not in ("self", "cls")]
                if len(names) > 8:
                    crowded.append(f"{path.name}:{node.lineno}: {node.name}({', '.join(names)})")
    assert crowded == []


def test_the_stages_know_nothing_of_rebuilds():
    """What a rebuild reuses is decided in rebuild.py, at the stage's boundary."""
    graph = imports()
    for stage in ("read", "load", "validate", "link", "render"):
        assert not graph[stage] & {"cache", "rebuild", "serve"}, stage
        assert "cache" not in (PACKAGE / f"{stage}.py").read_text(encoding="utf-8").lower(), stage


def test_only_the_rebuild_layer_writes_into_the_cache():
    """The pipeline hands the cache to rebuild.py's functions and keeps nothing in it itself."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in ("rebuild", "cache"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Attribute | ast.Name) and \
                            getattr(part.value, "attr", getattr(part.value, "id", None)) == "cache":
                        found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_the_content_is_read_one_way():
    """Only read.py and the rebuild layer that wraps it list the content folder: `build`, `check`, `new` and
    the tests read it through read.read, so there is no second reader path to drift."""
    listing = {path.stem for path in PACKAGE.glob("*.py") if "scan(content" in path.read_text(encoding="utf-8")}
    assert listing == {"load", "read", "rebuild"}
    assert "read" in imports()["new"]


def test_the_pipeline_reads_top_to_bottom_in_one_screen():
    """pipeline.run calls the stages in order; everything else lives in the functions it calls."""
    tree = ast.parse((PACKAGE / "pipeline.py").read_text(encoding="utf-8"))
    run = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "run")
    assert run.end_lineno - run.lineno + 1 <= 30


def test_a_record_is_plain_data_that_knows_nothing_of_tracking():
    """What a rebuild's plan and render read is told by tracking.View, which the rebuild layer hands them:
    validate.Record, and its module, never refer to tracking (a one-off build pays nothing for it)."""
    graph = imports()
    assert "tracking" not in graph["validate"]
    source = (PACKAGE / "validate.py").read_text(encoding="utf-8")
    record = next(node for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name == "Record")
    names = {node.id for node in ast.walk(record) if isinstance(node, ast.Name)} | \
        {node.attr for node in ast.walk(record) if isinstance(node, ast.Attribute)}
    assert not names & {"noticed", "tracking", "reading", "planning", "View", "Reads"}
    assert "tracking" not in source.lower() and "noticed" not in source
