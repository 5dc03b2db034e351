"""How strong a pack's golden cases are: each parameter nudged (a mutant), and the mutants no case notices.

An integer moves by one either way, an amount (a unit in yuan) or a ratio (a fractional value) by 10% either
way, a switch is flipped; texts and lists are left alone. A mutant is killed when a golden case fails on it
(or the loader refuses it); one that survives is a parameter the cases do not pin at its boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskeval._cases import CaseFile, check_case, pack_case_files
from riskeval.errors import PackError
from riskeval.pack import Pack


@dataclass(frozen=True)
class Mutant:
    """One parameter nudged: its name, how (``+1``, ``-10%``, ``flipped``), and the verdict."""

    parameter: str
    change: str
    killed_by: str | None  # the first case that failed on it, "the loader", or None: it survived

    @property
    def survived(self) -> bool:
        return self.killed_by is None


def mutations(pack: Pack) -> list[tuple[str, str, Callable[[Any], Any]]]:
    """Each parameter's mutations: (name, label, the function applied to every dated value)."""
    out: list[tuple[str, str, Callable[[Any], Any]]] = []
    for name, param in pack.parameters.items():
        values = [v.value for v in param.values]
        if all(isinstance(v, bool) for v in values):
            out.append((name, "flipped", lambda v: not v))
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            amount = (param.unit or "").startswith("yuan") or any(
                isinstance(v, float) and not v.is_integer() for v in values
            )
            if amount:
                out.append((name, "+10%", lambda v: round(v * 1.1, 6)))
                out.append((name, "-10%", lambda v: round(v * 0.9, 6)))
            else:
                out.append((name, "+1", lambda v: v + 1))
                out.append((name, "-1", lambda v: v - 1))
    return out


def run_mutants(
    pack: Pack,
    files: list[CaseFile] | None = None,
    progress: Callable[[int, int], None] | None = None,
    parameters: Iterable[str] | None = None,
) -> list[Mutant]:
    """Every mutant of ``pack`` (or of some ``parameters``) against its golden cases (``files``: default, the
    pack folder's ``tests/``)."""
    cases = [c for f in (files if files is not None else pack_case_files(Path(pack.path))) for c in f.cases]
    only = set(parameters) if parameters is not None else None
    todo = [m for m in mutations(pack) if only is None or m[0] in only]
    out: list[Mutant] = []
    for k, (name, label, fn) in enumerate(todo):
        if progress is not None:
            progress(k, len(todo))
        try:
            mutant = pack.with_parameters({name: fn}, version=f"mutant-{name}{label}")
        except PackError:
            out.append(Mutant(name, label, "the loader"))
            continue
        out.append(Mutant(name, label, _first_failure(cases, mutant)))
    return out


def _first_failure(cases: Iterable[dict[str, Any]], pack: Pack) -> str | None:
    for case in cases:
        try:
            failed = bool(check_case(case, pack))
        except Exception:  # a mutant the engine cannot assess with is noticed, so killed
            failed = True
        if failed:
            return str(case["id"])
    return None
