"""The public face of riskeval: one explicit, sorted __all__, and one exception tree."""

from __future__ import annotations

import ast
import importlib.metadata
import tomllib
import types
from pathlib import Path

import riskeval
import riskeval.errors as errors

ROOT = Path(__file__).resolve().parents[1]


def test_all_is_sorted_and_every_name_exists() -> None:
    """__all__ is sorted and names only attributes that exist."""
    assert list(riskeval.__all__) == sorted(riskeval.__all__)
    missing = [name for name in riskeval.__all__ if not hasattr(riskeval, name)]
    assert missing == []


def test_no_private_name_leaks_and_nothing_public_is_unlisted() -> None:
    """No _private name is exported, and every public non-module attribute is in __all__."""
    assert [n for n in riskeval.__all__ if n.startswith("_") and n != "__version__"] == []
    public = {
        name
        for name, value in vars(riskeval).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(riskeval.__all__) == set()


def test_version_is_written_once_and_the_installed_metadata_carries_it() -> None:
    """pyproject reads the version from riskeval/_version.py, and the installed distribution reports the same."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["hatch"]["version"]["path"] == "riskeval/_version.py"
    assert importlib.metadata.version("riskeval") == riskeval.__version__


def test_every_error_is_a_riskeval_error_and_a_builtin() -> None:
    """Each raised error class derives from RiskevalError and from the builtin it refines."""
    classes = [errors.FactsError, errors.PackError, errors.EvaluationError, errors.TriggerError]
    for cls in classes:
        assert issubclass(cls, errors.RiskevalError)
        assert issubclass(cls, ValueError | RuntimeError)
    assert issubclass(riskeval.OverrideError, errors.RiskevalError)


def test_errors_module_imports_nothing_from_riskeval() -> None:
    """riskeval/errors.py stays importable by every other module: it imports nothing from riskeval."""
    tree = ast.parse((ROOT / "riskeval" / "errors.py").read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert [m for m in imported if m.startswith("riskeval")] == []


def test_only_the_durable_adapter_imports_durable_rules() -> None:
    """DESIGN.md: riskeval/triggers/_durable.py is the only module importing durable (an optional extra
    whose C build fails on some Pythons); everything else must import without it."""
    package = Path(riskeval.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n == "durable" or n.startswith("durable.") for n in names):
                importers.add(path.relative_to(package).as_posix())
    assert importers == {"triggers/durable/_host.py"}
