"""The pytest plugin of golden cases: one test item per case of a pack's ``tests/*.yaml`` (``riskeval._cases``).

Registered through the ``pytest11`` entry point, so every pytest run of anyone who installed riskeval imports
this module: it stays cheap to import (the cases and the assessment are imported when a pack folder is
collected) and collects nothing outside a pack folder (a folder holding ``pack.yaml``). A file whose cases
cannot be read (a case without ``as_of``) is one failing item naming the file; the other files still run.
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
    """One YAML file of golden cases: ``as_of`` (a default date) and ``cases``."""

    def collect(self) -> Iterator[pytest.Item]:
        # Imported here, not at the top: pytest loads this plugin in every session, most of which assess nothing.
        from riskeval._cases import read_cases

        found = read_cases(self.path)
        if found.problems:
            yield GoldenFileProblem.from_parent(self, name=f"{self.path.name}: file", problems=found.problems)
        for case in found.cases:
            yield GoldenCase.from_parent(self, name=case["id"], case=case)


class GoldenFileProblem(pytest.Item):
    """A case file's own problems (a case without a date), reported as one failure for that file."""

    def __init__(self, *, problems: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise GoldenCaseError(self.problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return "\n".join(self.problems)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden case file: {self.path.name}"


class GoldenCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from riskeval._cases import check_case
        from riskeval.pack import load_pack

        problems = check_case(self.case, load_pack(self.path.parent.parent))
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
