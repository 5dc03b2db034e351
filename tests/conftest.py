"""Loaded first by pytest: applies ``RISKEVAL_HIDE_DURABLE`` (see ``_executors``) before any test imports,
and marks the long suites ``slow`` (``pytest -m "not slow"`` is the fast subset the README names)."""

from __future__ import annotations

from pathlib import Path

import _executors  # noqa: F401
import pytest

HERE = Path(__file__).resolve().parent
# The long suites, marked here in one place rather than in each file: the fuzz campaign, the durable
# stress and differential tests, the property laws, and the conformance and differential laws over drawn
# packs and populations (each of these took 9 s or more of a full run on 2 shared cores).
SLOW_FILES = {
    HERE / "test_durable_stress.py",
    HERE / "test_batch_differential.py",
    HERE / "test_triggers_durable.py",
    HERE / "test_laws.py",
}
SLOW_DIRS = {HERE / "fuzz"}
SLOW_TESTS = {
    "test_the_vector_form_conforms_to_the_reference",
    "test_the_differential_law_rejects_a_form_that_differs",
    "test_a_decided_status_never_misreports",
    "test_corrupted_cells_reject_only_their_rows_and_leave_the_rest_as_they_were",
    "test_the_numpy_form_gives_the_same_level_gaps",
    "test_results_are_identical_across_processes",
    "test_replay_runs_in_bounded_memory",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the long suites ``slow``."""
    for item in items:
        path = Path(str(item.path)).resolve()
        if (
            path in SLOW_FILES
            or any(d in path.parents for d in SLOW_DIRS)
            or getattr(item, "originalname", None) in SLOW_TESTS
        ):
            item.add_marker(pytest.mark.slow)
