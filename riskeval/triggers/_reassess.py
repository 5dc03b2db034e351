"""Re-assessment for the monitor: each child evaluated before and after an event, as few times as it can be.

An evaluation is a function of the child, the rest of the household (never its other children: see
``reads_other_children``) and the date. So, for an event dated ``on``:

- the household *before* it is the one the previous event left; when that event had the same date, its
  "after" evaluations are this event's "before" ones;
- on another date, they are still this event's "before" ones when the household's outlook (``_dates``:
  parameters, rules in force, and every comparison the date enters) is the same on both dates;
- a child whose own facts and whose household's facts (children aside) the event leaves equal keeps
  its "before" evaluation as its "after" one; an event that changes no fact re-evaluates nobody;
- otherwise only the rules that read a changed fact (or a rule re-evaluated before them) run again
  (``evaluate.plan``); a change to who the members are re-evaluates everything.

Only one entry is kept per household (its latest version and date), so memory follows the tracked
households, not the length of the log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval.evaluate.plan import Token, changed
from riskeval.evaluate.scalar import Evaluation, ScalarProgram
from riskeval.facts import Child, Household
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A
from riskeval.triggers._dates import Outlook


def reads_other_children(pack: Pack) -> bool:
    """Whether some rule could read the household's other children (``household.children``, or the
    household itself handed to a predicate); then no child's evaluation is kept across a change."""
    roots = [*pack.categories.values(), *pack.tier_rows, pack.exited, pack.on_roster, *pack.predicates.values()]
    roots += [level for f in pack.factors.values() for level in f.levels]
    for rule in roots:
        for n in A.walk(rule.node):
            if isinstance(n, A.Fact) and n.root == "household" and (not n.path or n.path[0] == "children"):
                return True
    return False


class Assessments:
    """The latest evaluations of every tracked household's children, reused from one event to the next.

    Args:
        program: the compiled pack the children are evaluated with (``gaps=False``: the monitor reads
            tiers and categories only).
        siblings: whether a child's evaluation may read its household's other children
            (:func:`reads_other_children`).
        outlook: how dates are told apart (:meth:`Outlook.of`); None, every date is its own.
    """

    def __init__(self, program: ScalarProgram, siblings: bool, outlook: Outlook | None = None) -> None:
        self.program = program
        self.siblings = siblings
        self.outlook = outlook
        # household id -> its latest version, the date, its children's evaluations, and (once
        # computed) its outlook on that date.
        self._latest: dict[str, tuple[Household, date, list[Evaluation], Any]] = {}

    def fresh(self) -> Assessments:
        """An empty copy (for a replay on fresh households)."""
        return Assessments(self.program, self.siblings, self.outlook)

    def forget(self, household_id: str) -> None:
        """Drop what is kept for a household (it is tracked anew)."""
        self._latest.pop(household_id, None)

    def of(self, household: Household, on: date) -> list[Evaluation]:
        """Every child of a household evaluated on a date, in the household's order."""
        return self._of(household, on)[0]

    def _of(self, household: Household, on: date) -> tuple[list[Evaluation], Any]:
        """The evaluations, and the household's outlook on ``on`` when it was computed (else None)."""
        kept = self._latest.get(household.id)
        now = None
        if kept is not None and kept[0] is household:
            if kept[1] == on:
                return kept[2], kept[3]
            if self.outlook is not None:
                then = kept[3] if kept[3] is not None else self.outlook.on(household, kept[1])
                now = self.outlook.on(household, on)
                if then == now:
                    return kept[2], now
                self._latest[household.id] = (*kept[:3], then)
                reads = self.outlook.reads
                if then[:2] == now[:2] and reads:
                    # The same parameters and rules in force: only a rule reading a fact that a date comparison
                    # reads can differ (the outlook module: every date read is such a comparison).
                    return [
                        self.program.evaluate(household, c, on, gaps=False, values=False, since=(e, reads))
                        for c, e in zip(household.children, kept[2], strict=True)
                    ], now
        return [self.program.evaluate(household, c, on, gaps=False, values=False) for c in household.children], now

    def around(self, before: Household, after: Household, on: date) -> tuple[list[Evaluation], list[Evaluation]]:
        """The children's evaluations before and after an event dated ``on``; ``after`` is kept as the latest."""
        old, now = self._of(before, on)
        if after is before:
            new = old
        elif self._same_children(before, after):
            again = [
                self._again(b, before, after, cb, ca, on)
                for b, cb, ca in zip(old, before.children, after.children, strict=True)
            ]
            new = [e for e, _ in again]
            # The outlook on ``on`` carries over to ``after`` when the event changed no fact it reads.
            if now is not None and self.outlook is not None:
                reads = self.outlook.reads
                if reads is None or any(tokens is None or not tokens.isdisjoint(reads) for _, tokens in again):
                    now = None
        else:
            new = [self.program.evaluate(after, c, on, gaps=False, values=False) for c in after.children]
            now = None
        self._latest[after.id] = (after, on, new, now)
        return old, new

    def _same_children(self, before: Household, after: Household) -> bool:
        """Whether each child's evaluation may be carried over, re-evaluating only what changed: the
        children are the same ones in the same order, and no rule reads a sibling."""
        if self.siblings or len(before.children) != len(after.children):
            return False
        return all(b.id == a.id for b, a in zip(before.children, after.children, strict=True))

    def _again(
        self, was: Evaluation, before: Household, after: Household, cb: Child, ca: Child, on: date
    ) -> tuple[Evaluation, frozenset[Token] | None]:
        """One child after the event: its evaluation kept when none of the facts it reads changed, else
        re-evaluated only in the rules that read a changed fact (``ScalarProgram.evaluate(since=...)``);
        and the tokens of the facts that changed (None: the members themselves)."""
        tokens = changed(before, after, cb, ca)
        if tokens is None:
            return self.program.evaluate(after, ca, on, gaps=False, values=False), None
        if not tokens:
            return was, tokens
        return self.program.evaluate(after, ca, on, gaps=False, values=False, since=(was, tokens)), tokens
