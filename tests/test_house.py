"""The house: every folder is one concept, every import runs down, and each package has a face.

Read from the source tree with ``ast`` (nothing is imported), so a circle or a reach into another package's
private modules fails here before it confuses a reader.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskeval"
# Imported inside a function on purpose: pytest loads the plugin in every session, most of which assess
# nothing, so the assessment is imported when a golden case runs (see the module's docstring).
LAZY = {("riskeval._golden", "riskeval._cases"), ("riskeval._golden", "riskeval.pack")}


@cache
def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str) -> str | None:
    mods = modules()
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> list[tuple[str, bool]]:
    """The riskeval modules one module imports, each with whether the import sits at the module's top."""
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules() else base for a in node.names]
        for name in names:
            found = _resolve(name) if name.startswith("riskeval") else None
            if found and found != module:
                out.append((found, id(node) in top))
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_of_riskeval_takes_part_in_an_import_circle() -> None:
    """No set of riskeval's modules imports each other, counting imports inside functions and TYPE_CHECKING."""
    graph = {m: {found for found, _ in imports(m)} for m in modules()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    """The finder the house test relies on reports a two-module circle (so an empty answer means something)."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def _private_owner(module: str) -> str | None:
    """The package whose private module this is: ``riskeval.pack`` for ``riskeval.pack._model``."""
    parts = module.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part.startswith("_"):
            return ".".join(parts[:i])
    return None


def test_no_module_reaches_into_another_packages_private_modules() -> None:
    """A private module (a name starting with _) is imported only from inside the package that holds it."""
    reaches = []
    for module in modules():
        for found, _ in imports(module):
            owner = _private_owner(found)
            if owner is not None and not (module == owner or module.startswith(owner + ".")):
                reaches.append(f"{module} -> {found}")
    assert reaches == []


def test_no_module_imports_the_face_of_a_package_that_holds_it() -> None:
    """Imports run down: a module never imports riskeval's face or the face of a package it sits in."""
    upward = []
    for module in modules():
        if module.endswith(".__main__"):
            continue  # an entry point (python -m) sits above everything: it runs the package's face
        ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        upward += [f"{module} -> {found}" for found, _ in imports(module) if found in ancestors]
    assert upward == []


def test_no_function_level_import_dodges_a_cycle() -> None:
    """riskeval imports its own modules at the top of a module; the one lazy import says why (LAZY)."""
    inner = {(m, found) for m in modules() for found, top in imports(m) if not top}
    assert inner == LAZY


@pytest.mark.parametrize("package", sorted(m for m, p in modules().items() if p.name == "__init__.py"))
def test_every_package_has_a_face_with_an_explicit_all(package: str) -> None:
    """Each package's __init__ says what it is (a docstring) and what it exports (a sorted __all__)."""
    tree = ast.parse(modules()[package].read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{package}: no docstring"
    values = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
    ]
    assert values, f"{package}: no __all__"
    (value,) = values
    assert isinstance(value, ast.List | ast.Tuple)
    exported = [ast.literal_eval(e) for e in value.elts]
    # isort's order, as ruff keeps it: CONSTANTS, then Classes, then functions and the rest
    kinds = [(0 if n.isupper() else 1 if n[0].isupper() else 2, n) for n in exported]
    assert kinds == sorted(kinds), f"{package}: __all__ is not sorted"


@pytest.mark.parametrize(
    "module", sorted(m for m, p in modules().items() if p.name.startswith("_") and p.name != "__init__.py")
)
def test_every_private_module_opens_with_one_line_saying_what_it_owns(module: str) -> None:
    """A private module's docstring starts with one sentence on one line (the design goes to the package face)."""
    doc = ast.get_docstring(ast.parse(modules()[module].read_text(encoding="utf-8")), clean=False)
    assert doc, f"{module}: no docstring"
    first = doc.strip().split("\n")[0].rstrip()
    assert first.endswith("."), f"{module}: the first line is not one sentence: {first!r}"
