"""The architecture holds: no import cycles, and one reader and one writer of the published cells.

Both are read from the source (the AST and the text of every module), so a function-level import
or a query written around the reader is caught as well as a module-level one.
"""
from __future__ import annotations

import ast
import graphlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "queries")


def _modules() -> dict[str, Path]:
    """Return every module of the app's packages by dotted name (a package by its own name)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Return the modules (among `modules`) one module imports, at any depth of its code."""
    def known(dotted: str) -> str | None:
        # An import runs the module itself, or else the innermost package holding the name.
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                # `from pkg import module` runs the module; `from pkg import name` only the package.
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base))
    found.discard(None)
    found.discard(name)
    return found


def import_graph(modules: dict[str, Path] = MODULES) -> dict[str, set[str]]:
    """Return, per module, the modules it imports."""
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return import cycles until none is left (each found one is broken at its last edge to look for more)."""
    graph = {name: set(targets) for name, targets in graph.items()}
    found = []
    while True:
        try:
            graphlib.TopologicalSorter(graph).prepare()
        except graphlib.CycleError as error:
            cycle = error.args[1]  # [a, b, ..., a]: each one imported by the one after it
            found.append(cycle)
            graph[cycle[1]].remove(cycle[0])
            continue
        return found


def test_the_graph_sees_every_import_at_any_depth_and_resolves_modules_from_names(tmp_path):
    sources = {
        "pkg/__init__.py": "from pkg.low import NAME\n",
        "pkg/low.py": "NAME = 1\n",
        "pkg/mid.py": "from pkg import low\nfrom pkg import NAME\n",
        "pkg/high.py": "def late():\n    import pkg.mid.deeper\n    from . import mid\n    from .low import NAME\n",
        "other.py": "import os\nimport pkg\n",
    }
    for relative, text in sources.items():
        (tmp_path / relative).parent.mkdir(exist_ok=True)
        (tmp_path / relative).write_text(text)
    modules = {"pkg": tmp_path / "pkg/__init__.py", "pkg.low": tmp_path / "pkg/low.py",
               "pkg.mid": tmp_path / "pkg/mid.py", "pkg.high": tmp_path / "pkg/high.py", "other": tmp_path / "other.py"}
    assert import_graph(modules) == {
        "pkg": {"pkg.low"}, "pkg.low": set(), "pkg.mid": {"pkg.low", "pkg"}, "pkg.high": {"pkg.mid", "pkg.low"},
        "other": {"pkg"},
    }


def test_cycles_are_found_whatever_their_length():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d2"}, "d2": {"d"}, "e": set()}
    found = cycles(graph)
    assert sorted(sorted(set(c)) for c in found) == [["a", "b", "c"], ["d", "d2"]]


def test_no_module_imports_another_that_imports_it_back():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(reversed(cycle)) for cycle in found)


# The published cells: written by the refresh, read by the reader; defined by the store's schema
# and its migrations. Nothing else may name them (a query beside the reader could hand out
# figures the reader would not).
PUBLISHED = re.compile(r"\bPublishedCell\b|\bpublished_cells\b")
PUBLISHED_ALLOWED = {"queries.catalogue.reader", "queries.catalogue.release", "queries.store.schema"}
# The ledger and the true counts it keeps: only the ledger itself names them (the refresh and the
# audit go through it).
LEDGER = re.compile(r"\bReleaseCell\b|\bCellTruth\b|\brelease_cells\b|\bcell_truths\b")
LEDGER_ALLOWED = {"queries.privacy.releases", "queries.store.schema"}


def _naming(pattern: re.Pattern) -> set[str]:
    return {name for name, path in MODULES.items()
            if ".migrations" not in name and pattern.search(path.read_text())}


@pytest.mark.parametrize(("pattern", "allowed"), [(PUBLISHED, PUBLISHED_ALLOWED), (LEDGER, LEDGER_ALLOWED)],
                         ids=["published cells", "ledger"])
def test_only_their_own_modules_name_the_published_cells_and_the_ledger(pattern, allowed):
    assert _naming(pattern) <= allowed


def test_the_ledger_is_used_only_by_the_refresh_and_the_audit():
    users = {name for name, targets in import_graph().items() if "queries.privacy.releases" in targets}
    assert users <= {"queries.catalogue.release", "queries.privacy.protect"}
