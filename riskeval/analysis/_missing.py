"""Where the missing facts matter: which unknown facts, once collected, could move the most children, and where to.

Read from the data gaps the engine reports (``to_records``): each names a rule whose value is unknown, the
unknown facts behind it, and the tier and status the child would have if the rule held. A fact counts for a
child when a gap naming it could put the child in another state than the one it is in now; a member's fact
is counted by its field (``household.members[*].civil_capacity``), never by the member's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from riskeval import _display
from riskeval._extras import need
from riskeval.analysis._plot import missing_plot
from riskeval.analysis._states import state_codes, state_labels
from riskeval.batch import BatchResult

_MEMBER = re.compile(r"household\.members\[[^\]]*\]")


@dataclass(frozen=True)
class FactImpact:
    """One unknown fact: for how many children it is unknown where it matters, and where they could go."""

    fact: str
    unknown: int  # children with a data gap naming this fact
    could_change: int  # of them, children whose tier or status the fact could change
    could_become: dict[str, int] = field(default_factory=dict)  # state -> children (each at its highest)

    def __str__(self) -> str:
        where = ", ".join(f"{n} could become {s}" for s, n in self.could_become.items())
        children = f"{self.unknown} child{'ren' if self.unknown != 1 else ''}"
        return f"{self.fact} unknown for {children}: {where or 'none could change tier or status'}"


class MissingFacts:
    """The unknown facts of a population ranked by how many children they could move (build: missing_facts)."""

    def __init__(self, result: BatchResult, rows: list[FactImpact]) -> None:
        self.result = result
        self.rows = rows

    def __iter__(self) -> Iterator[FactImpact]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.rows) or "no unknown fact could change a tier or status"

    def to_pandas(self) -> Any:
        """One row per fact: ``unknown``, ``could_change`` and a ``could_become.<state>`` column per state."""
        pd = need("pandas", "MissingFacts.to_pandas")
        states = [s for s in state_labels(self.result) if any(s in r.could_become for r in self.rows)]
        data = [
            {"fact": r.fact, "unknown": r.unknown, "could_change": r.could_change}
            | {f"could_become.{s}": r.could_become.get(s, 0) for s in states}
            for r in self.rows
        ]
        return pd.DataFrame(data, columns=["fact", "unknown", "could_change", *(f"could_become.{s}" for s in states)])

    def _repr_html_(self) -> str:
        sha = self.result.pack.sha256
        rows = [
            [_display.esc(r.fact), r.unknown, r.could_change,
             " ".join(f"{_display.badge(s, sha)}&nbsp;{n}" for s, n in r.could_become.items())]
            for r in self.rows[:30]
        ]  # fmt: skip
        head = f"<p><b>{len(self.rows)} unknown facts</b> could change a tier or status (most children first)</p>"
        return _display.block(head, _display.table(["fact", "unknown for", "could change", "could become"], rows, True))

    def plot(self, ax: Any = None, lang: str = "en", top: int = 12) -> Any:
        """Bars per fact, split by the state the children could move to, in the pack's colours."""
        return missing_plot(self.rows, self.result.pack, ax=ax, lang=lang, top=top)


def missing_facts(result: BatchResult) -> MissingFacts:
    """Rank the unknown facts of a batch result by how many children's tier or status they could change."""
    labels = state_labels(result)
    now = state_codes(result)
    on_roster = result.pack.on_roster.id
    unknown: dict[str, set[int]] = {}
    best: dict[str, dict[int, int]] = {}  # fact -> child -> the highest state it could reach (lowest index)
    for i, record in enumerate(result.to_records()):
        for gap in record["data_gaps"]:
            status = gap.get("status_if_true") or record["status"]
            tier = gap.get("tier_if_true")
            outcome = tier if status == on_roster and tier is not None else status
            target = labels.index(outcome) if outcome in labels else None
            for fact in dict.fromkeys(_MEMBER.sub("household.members[*]", f) for f in gap["facts"]):
                unknown.setdefault(fact, set()).add(i)
                if target is not None and target != int(now[i]):
                    reach = best.setdefault(fact, {})
                    reach[i] = min(reach.get(i, target), target)
    rows = []
    for fact, children in unknown.items():
        reach = best.get(fact, {})
        counts: dict[str, int] = {}
        for target in sorted(reach.values()):
            counts[labels[target]] = counts.get(labels[target], 0) + 1
        rows.append(FactImpact(fact, len(children), len(reach), counts))
    rows.sort(key=lambda r: (-r.could_change, -r.unknown, r.fact))
    return MissingFacts(result, rows)
