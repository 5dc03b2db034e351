"""The documentation site says what the code does: every public name has an API entry, every event type is
in the generated table with an example that validates, and the getting-started examples run."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

import riskeval
import riskeval.testing
from riskeval.facts import EventType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("riskeval_docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_an_api_entry() -> None:
    """docs/api.md renders every name of riskeval.__all__ (assess included) and of riskeval.testing.__all__, and
    docs/dask.md every name of riskeval.dask.__all__ (the dev extra installs dask, as the docs build needs)."""
    pages = [(DOCS / page).read_text(encoding="utf-8") for page in ("api.md", "dask.md")]
    entries = {e for text in pages for e in re.findall(r"^::: (\S+)$", text, re.MULTILINE)}
    wanted = {f"riskeval.{n}" for n in riskeval.__all__} | {f"riskeval.testing.{n}" for n in riskeval.testing.__all__}
    if importlib.util.find_spec("dask") is not None:
        dask_face = importlib.import_module("riskeval.dask")
        wanted |= {f"riskeval.dask.{n}" for n in dask_face.__all__}
    else:  # its names cannot be read without the extra (.ci/floors): the other pages are still checked
        entries = {e for e in entries if not e.startswith("riskeval.dask.")}
    assert wanted - entries == set(), "add these to docs/api.md"
    assert entries - wanted == set(), "docs/api.md or docs/dask.md names what is not public"


def test_the_event_table_has_every_type_with_an_example_that_validates() -> None:
    """The generated table of events lists every EventType once, and each row's example is a valid event."""
    hooks = _hooks()
    table = hooks.event_types_table()
    for t in EventType:
        assert table.count(f"| `{t.value}` |") == 1, t
        event = riskeval.parse_event(hooks.event_example(t.value))
        assert event.type == t


def test_every_page_in_the_nav_exists_and_every_marker_renders() -> None:
    """Each generated table a page asks for renders (an unknown marker or schema fails here, not only in CI)."""
    hooks = _hooks()
    for page in DOCS.rglob("*.md"):
        for m in hooks.MARKER.finditer(page.read_text(encoding="utf-8")):
            assert hooks.render(m.group(1), m.group(2)).strip(), (page, m.group(0))


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="needs riskeval[pandas]")
def test_the_getting_started_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The Python blocks of docs/getting-started.md run as written, from the repository's root."""
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "getting-started.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 3
    for block in blocks:
        exec(compile(block, "getting-started.md", "exec"), {"__name__": "getting_started"})
    out = capsys.readouterr().out
    assert "special" in out and "U0" in out
    assert sys.modules.get("riskeval") is riskeval
