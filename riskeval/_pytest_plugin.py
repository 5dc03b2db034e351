"""pytest plugin: collects the golden cases of rule packs (``<pack>/tests/*.yaml``).

Registered through the ``pytest11`` entry point, so it stays cheap to import and collects
nothing outside a pack folder (a folder holding ``pack.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in {".yaml", ".yml"} and file_path.parent.name == "tests":
        if (file_path.parent.parent / "pack.yaml").is_file():
            return GoldenFile.from_parent(parent, path=file_path)
    return None


class GoldenFile(pytest.File):
    """One YAML file of golden cases: ``on`` (a default date) and ``cases``."""

    def collect(self) -> Iterator[pytest.Item]:
        from riskeval.pack._golden import read_cases

        for case in read_cases(self.path):
            yield GoldenCase.from_parent(self, name=case["id"], case=case)


class GoldenCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from riskeval.pack._golden import run_case

        problems = run_case(self.case, self.path.parent.parent)
        if problems:
            raise GoldenCaseError(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, GoldenCaseError):
            head = f"golden case {self.case['id']} ({self.path.name}), source: {self.case.get('source', '-')}"
            return "\n".join([head, *excinfo.value.problems])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden case: {self.name}"


class GoldenCaseError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
