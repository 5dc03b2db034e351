"""What an absent optional dependency says: which extra brings it, in a command every shell can run."""

from __future__ import annotations

import re
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

import riskeval
from riskeval._extras import _EXTRA, missing, need

ROOT = Path(__file__).resolve().parent.parent


def test_the_message_names_what_needs_the_module_and_quotes_the_extra() -> None:
    """Quoted: zsh (macOS's shell) reads an unquoted ``riskeval[pandas]`` as a file pattern and fails."""
    assert (
        missing("pyarrow.parquet", "reading Parquet") == "reading Parquet needs pyarrow: pip install 'riskeval[pandas]'"
    )
    assert missing("matplotlib.pyplot", "a plot").endswith("pip install 'riskeval[plot]'")


def test_every_extra_a_message_names_is_one_pyproject_declares() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert set(_EXTRA.values()) <= set(extras)


def test_an_absent_module_raises_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pandas absent (a None in sys.modules is how Python marks a module that cannot be imported), a
    summary's table says what to install instead of a bare ModuleNotFoundError."""
    summary = riskeval.assess_batch([], on=date(2025, 12, 1)).summary()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(
        ImportError, match=re.escape("BatchSummary.to_pandas needs pandas: pip install 'riskeval[pandas]'")
    ):
        summary.to_pandas()
    with pytest.raises(ImportError, match="needs pandas"):
        need("pandas", "this")


def test_no_install_command_anywhere_leaves_the_requirement_unquoted() -> None:
    """The docs, the README and the code's messages all give ``pip install 'riskeval[...]'``."""
    unquoted = re.compile(r"pip install (?:-[\w-]+ )*riskeval\[")
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "riskeval").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if unquoted.search(line)
    ]
    assert found == []
