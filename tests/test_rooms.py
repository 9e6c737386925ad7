"""Rooms and doors (docs/internals.md): which package may import which, read from the sources themselves.

Every import is counted, also the ones inside functions: a door used late is
still a door. No package imports one it must not, and there is no cycle
between packages.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aml_cli"

# package -> the aml_cli packages it may import (`ml` only inside functions for the services)
MAY_IMPORT: dict[str, set[str]] = {
    "api": set(),
    "ml": set(),
    "store": {"api"},
    "jobs": {"store", "api"},
    "service": {"api", "store", "jobs", "ml"},
    "client": {"api", "service", "store"},  # never the CLI
    "server": {"api", "service", "store"},  # a front end like the client: never the CLI
    "cli": {"api", "service", "store", "jobs", "ml", "client", "server"},
}
HEAVY = ("numpy", "pandas", "scipy")


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "<root>"


@cache
def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, whether the import is at module level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top_level))
    return found


@cache
def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        source = _package_of(path)
        for module, _ in _imports(path):
            parts = module.split(".")
            if parts[0] == "aml_cli" and len(parts) > 1 and parts[1] in MAY_IMPORT and parts[1] != source:
                edges.setdefault(source, set()).add(parts[1])
    return edges


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_what_its_room_allows(package):
    assert _edges().get(package, set()) - MAY_IMPORT[package] == set()


def test_there_is_no_cycle_between_packages():
    edges = _edges()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
                   for nxt in edges.get(start, ()))

    assert [package for package in edges if reaches(package, package, {package})] == []


@pytest.mark.parametrize("package", ["api", "store", "jobs", "service", "client", "server", "cli"])
def test_no_package_but_ml_imports_numpy_pandas_or_scipy_at_module_level(package):
    offenders = [
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in (PACKAGE / package).rglob("*.py")
        for module, top in _imports(path)
        if top and module.split(".")[0] in HEAVY
    ]
    assert offenders == []


def test_ml_imports_nothing_of_aml_cli():
    offenders = [f"{path.name}: {module}" for path in (PACKAGE / "ml").rglob("*.py")
                 for module, _ in _imports(path) if module.split(".")[:2] not in (["aml_cli", "ml"],)
                 and module.startswith("aml_cli")]
    assert offenders == []
