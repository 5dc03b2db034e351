"""Optional dependencies: importing one, or saying which extra brings it before any work is done."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["missing", "need"]

# The extra of pyproject.toml that brings each optional module.
_EXTRA = {
    "pyarrow": "pandas",
    "pandas": "pandas",
    "matplotlib": "plot",
    "tqdm": "progress",
    "dask": "dask",
    "distributed": "dask",
    "hypothesis": "testing",
}


def missing(module: str, what: str) -> str:
    """The message for an absent optional module: what needs it, and the command that brings it. The
    requirement is quoted: unquoted, zsh (macOS's shell) reads ``riskeval[pandas]`` as a file pattern."""
    top = module.split(".")[0]
    return f"{what} needs {top}: pip install 'riskeval[{_EXTRA.get(top, 'pandas')}]'"


def need(module: str, what: str) -> Any:
    """Import an optional module, or raise an ImportError saying what needs it and which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(missing(module, what)) from exc
