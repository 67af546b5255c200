"""The package layout: no import cycles (function-level imports count too) and no module over 500 lines."""

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "api", "evals", "benchmarks")
MAX_LINES = 500


def _modules(root: Path = ROOT, packages=PACKAGES) -> dict[str, Path]:
    out = {}
    for pkg in packages:
        for path in (root / pkg).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(parent + ([base] if base else []))
        return [base] + [f"{base}.{a.name}" for a in node.names]
    return []


def import_graph(root: Path = ROOT, packages=PACKAGES) -> nx.DiGraph:
    """Every import anywhere in a module (inside functions and TYPE_CHECKING blocks too), to the module it names."""
    modules = _modules(root, packages)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(node, package):
                while target and target not in modules:  # `from rag.types import Answer` -> rag.types
                    target = target.rpartition(".")[0]
                # A package's __init__ importing its own submodules is not a cycle through the package.
                if target and target != name and not (path.name == "__init__.py" and target.startswith(name + ".")):
                    graph.add_edge(name, target)
    return graph


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    return [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


def test_a_cycle_closed_inside_a_function_or_type_checking_block_is_found(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import thing\n")
    (pkg / "b.py").write_text("def thing():\n    from .c import other\n    return other\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nother = 1\n")
    assert _cycles(import_graph(tmp_path, ("pkg",))) == [["pkg.a", "pkg.b", "pkg.c"]]
    (pkg / "c.py").write_text("other = 1\n")
    assert _cycles(import_graph(tmp_path, ("pkg",))) == []


def test_no_import_cycles():
    assert _cycles(import_graph()) == []


@pytest.mark.parametrize("pkg", PACKAGES)
def test_no_module_over_500_lines(pkg):
    long = {name: n for name, path in _modules().items() if name.split(".")[0] == pkg
            and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
