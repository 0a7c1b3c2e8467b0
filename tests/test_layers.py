"""The layers of app/ (issue 10): no import cycle anywhere in the package, and no import inside a
function unless a comment there says why (the contract of the layers themselves is
``[tool.importlinter]`` in pyproject.toml, run by the test command as ``lint-imports``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp

APP = Path(__file__).resolve().parents[1] / "app"
REASON = "Imports here, not at the top"  # the comment that explains a function's imports


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def test_no_import_cycle_in_app():
    graph = grimp.build_graph("app", include_external_packages=False)
    assert len(graph.modules) > 50
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("x", "x.a", "x.b", "x.c"):
        graph.add_module(name)
    graph.add_import(importer="x.a", imported="x.b")
    graph.add_import(importer="x.b", imported="x.a")
    graph.add_import(importer="x.c", imported="x.a")
    assert _cycles(graph) == [["x.a", "x.b"]]


def _unexplained_imports(source: str) -> list[int]:
    """Lines of imports inside functions that no comment explains: the function says why
    (``REASON``), or the line before the import or the import itself carries a comment."""
    lines = source.split("\n")
    out = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = "\n".join(lines[fn.lineno - 1:fn.end_lineno])
        if REASON in body:
            continue
        for node in ast.walk(fn):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                before, line = lines[node.lineno - 2].strip(), lines[node.lineno - 1]
                if not before.startswith("#") and "#" not in line:
                    out.append(node.lineno)
    return out


def test_no_import_inside_a_function_without_a_reason():
    found = {str(p.relative_to(APP.parent)): lines for p in sorted(APP.rglob("*.py"))
             if (lines := _unexplained_imports(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_import_check_sees_an_unexplained_import():
    source = "def f():\n    import os\n    return os\n\ndef g():\n    # why: a cycle\n    import os\n"
    assert _unexplained_imports(source) == [2]


def test_the_layers_contract_is_kept():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
                            cwd=APP.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout  # the layers of app/, the layers inside app/seed/

# SQL runs in app.queries (and app.appraisal, below the workflow): views format, services compute
# on plain values (issue 10).
SQL_CALL = re.compile(r"\bselect\(|\.query\(|session\.execute\b|session\.scalars?\b")


def _sql_calls(rel: str, source: str) -> list[str]:
    return [f"{rel}:{n}" for n, line in enumerate(source.split("\n"), 1) if SQL_CALL.search(line)]


def test_no_sql_in_views_or_services():
    found = [hit for folder in ("views", "services") for p in sorted((APP / folder).rglob("*.py"))
             for hit in _sql_calls(str(p.relative_to(APP.parent)), p.read_text(encoding="utf-8"))]
    assert found == []


def test_the_sql_check_sees_a_query():
    source = "x = db.session.scalar(q)\ny = 1\nrows = db.session.execute(select(A.id))\n"
    assert _sql_calls("app/views/x.py", source) == ["app/views/x.py:1", "app/views/x.py:3"]
