"""assess_batch(): a whole population at once, with the same results as ``assess()`` child by child.

Example:
    >>> import datetime, riskeval
    >>> result = riskeval.assess_batch(
    ...     [{"id": "h1", "children": [{"id": "c1", "birth_date": "2015-03-02"}]}], on=datetime.date(2025, 12, 1)
    ... )
    >>> result.assessed, result.rejected, next(result.to_records())["status"]
    (1, 0, 'undetermined')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from riskeval import _display
from riskeval._assess import assess
from riskeval._extras import need
from riskeval._result_table import Col, arrow_table, json_values, pandas_frame, stamp_metadata
from riskeval.audit import riskeval_version
from riskeval.errors import ErrorRecord, EvaluationError, safe_record
from riskeval.evaluate import Evaluations, default_pack, vector_program
from riskeval.evaluate.vector import STATUS_UNDETERMINED, Renderer
from riskeval.facts import assessment_date
from riskeval.pack import Pack
from riskeval.population import Intake, Progress
from riskeval.population import intake as intake_population
from riskeval.population.layout import household_dict
from riskeval.results import ChildAssessment

__all__ = ["BatchResult", "BatchSummary", "assess_batch"]


def _bits(rows: Iterable[np.ndarray], n: int) -> np.ndarray:
    """Rows of booleans (one per label, n children each) as one uint64 bitmask per child (bit k: row k),
    built eight rows at a time in bytes (contiguous, cheap), then the bytes side by side."""
    octets: list[np.ndarray] = []
    for k, row in enumerate(rows):
        if k >= 64:
            raise EvaluationError("a bitmask holds at most 64 labels")
        if k % 8 == 0:
            octets.append(np.zeros(n, np.uint8))
        octets[-1] |= row.view(np.uint8) << np.uint8(k % 8)
    bits = np.zeros(n, np.uint64)
    for j, octet in enumerate(octets):
        bits |= octet.astype(np.uint64) << np.uint64(8 * j)
    return bits


@dataclass(frozen=True)
class BatchSummary:
    """Counts of a batch: rows, tiers, statuses, categories, visit frequencies, and the visits they imply."""

    rows_in: int
    assessed: int
    rejected: int
    errors: int
    by_status: dict[str, int]
    by_tier: dict[str, int]
    by_category: dict[str, int]
    by_frequency: dict[str, int]
    visits_per_month: float
    with_data_gaps: int
    by_duty: dict[str, int]
    # Children whose roster status is undetermined: each is planned one verification visit (schedule.yaml
    # verification_visit), on top of the visits per month.
    verification_visits: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def to_pandas(self) -> Any:
        """One row per count: ``what`` (status, tier, category, visit_frequency, duty), ``value``, ``children``,
        in the pack's order (tiers highest first)."""
        pd = need("pandas", "BatchSummary.to_pandas")
        rows = [(what, value, n) for what, counts in self._groups() for value, n in counts.items()]
        return pd.DataFrame(rows, columns=["what", "value", "children"])

    def _groups(self) -> list[tuple[str, dict[str, int]]]:
        return [("status", self.by_status), ("tier", self.by_tier), ("category", self.by_category),
                ("visit_frequency", self.by_frequency), ("duty", self.by_duty)]  # fmt: skip

    def _repr_html_(self) -> str:
        tiers = " ".join(f"{_display.badge(t)}&nbsp;{n}" for t, n in self.by_tier.items())
        statuses = " ".join(f"{_display.badge(s)}&nbsp;{n}" for s, n in self.by_status.items())
        head = (
            f"<p><b>{self.assessed} assessed</b>, {self.rejected} rejected of {self.rows_in} rows "
            f"({self.errors} error records)</p><p>{tiers}</p><p>{statuses}</p>"
            f"<p>{self.visits_per_month:.1f} home visits per month; {self.with_data_gaps} children with data gaps</p>"
        )
        rows = [[what, value, n] for what, counts in self._groups()[2:] for value, n in counts.items()]
        return _display.block(
            head, _display.folded("categories, frequencies, duties", _display.table(["", "", "children"], rows))
        )

    def __str__(self) -> str:
        lines = [
            f"rows in {self.rows_in}: assessed {self.assessed}, rejected {self.rejected} ({self.errors} error records)"
        ]
        for title, counts in (("status", self.by_status), ("tier", self.by_tier),
                              ("category", self.by_category), ("visit frequency", self.by_frequency),
                              ("duty", self.by_duty)):  # fmt: skip
            lines.append(f"{title}:")
            lines += [f"  {k:<24}{v:>10}" for k, v in counts.items()]
        lines.append(f"home visits per month: {self.visits_per_month:.1f}")
        lines.append(f"verification visits (status undetermined): {self.verification_visits}")
        lines.append(f"children with data gaps: {self.with_data_gaps}")
        return "\n".join(lines)


class BatchResult:
    """The assessment of every valid child of a population, as arrays (one entry per assessed child).

    Codes index the ``*_labels`` tuples (-1: none); bitmasks have bit k for the k-th label.
    """

    def __init__(self, pack: Pack, on: date, intake: Intake, out: Evaluations) -> None:
        self.pack, self.on = pack, on
        self._intake, self._out = intake, out
        self._household_id: np.ndarray | None = None
        self._child_id: np.ndarray | None = None
        prog = vector_program(pack)
        self._atoms = prog.atoms
        self._prog = prog
        cols = intake.cols
        self.rows_in = intake.rows_in
        self.assessed = cols.n
        self.rejected = intake.rows_in - cols.n
        self.errors: list[ErrorRecord] = [safe_record(e) for e in intake.errors]  # a cell may hold a name
        self.row = intake.rows
        self.status_labels = ("not_on_roster", pack.on_roster.id, pack.exited.id, "undetermined")  # by STATUS_* code
        self.tier_labels = tuple(t.id for t in pack.tiers)
        self.frequency_labels = tuple(pack.frequencies)
        self.category_labels = tuple(r.id for r, _ in prog.categories)
        self.factor_labels = tuple(f.id for f, _ in prog.factors)
        self.duty_labels = tuple(r.id for r, _ in prog.duties)
        self.status = out.status
        self.tier = out.tier
        self.tier_row_labels = tuple(r.id for r in pack.tier_rows)
        self.tier_row = out.tier_row  # the row of the tier table that decided (index into tier_row_labels; -1 none)
        freq_of = np.array([self.frequency_labels.index(t.visit_frequency) for t in pack.tiers] + [-1], np.int8)
        self.frequency = freq_of[out.tier]
        self.score = out.score

    # Bitmasks made when first read (the summary, analysis, one child's flags): the tables read the evaluation's
    # rows of booleans as they are, so a stream of chunks written to a file never packs them into bits and back.
    @cached_property
    def categories(self) -> np.ndarray:
        """Per child, bit k: in the k-th category (``category_labels``)."""
        return _bits(self._out.categories, self.assessed)

    @cached_property
    def factors(self) -> np.ndarray:
        """Per child, bit k: the k-th factor holds (at some level)."""
        return _bits((level >= 0 for level in self._out.factors), self.assessed)

    @cached_property
    def duties(self) -> np.ndarray:
        """Per child, bit k: the k-th duty holds."""
        return _bits(self._out.duties, self.assessed)

    # Neither known to hold nor known not to: these read as null in every table, never as false.
    @cached_property
    def categories_unknown(self) -> np.ndarray:
        return _bits(self._out.category_unknown, self.assessed)

    @cached_property
    def factors_unknown(self) -> np.ndarray:
        return _bits(self._out.factor_unknown, self.assessed)

    @cached_property
    def duties_unknown(self) -> np.ndarray:
        return _bits(self._out.duty_unknown, self.assessed)

    @cached_property
    def _gap_rows(self) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
        """The exit rule's data gaps, and each other rule's (a factor's levels are one flag)."""
        roster = np.zeros(self.assessed, bool)
        by_rule: dict[tuple[str, str], np.ndarray] = {}
        for g in self._out.gaps:
            if g.kind == "roster":
                roster |= g.mask
            else:
                seen = by_rule.get((g.kind, g.rule))
                by_rule[(g.kind, g.rule)] = g.mask if seen is None else seen | g.mask
        return roster, by_rule

    def _gaps_of(self, kind: str, labels: tuple[str, ...]) -> list[np.ndarray]:
        by_rule, none = self._gap_rows[1], np.zeros(self.assessed, bool)
        return [by_rule.get((kind, name), none) for name in labels]

    @cached_property
    def roster_gap(self) -> np.ndarray:
        """Per child: the exit rule is unknown for it."""
        return self._gap_rows[0]

    @cached_property
    def category_gaps(self) -> np.ndarray:
        """Per child, bit k: the k-th category is a data gap."""
        return _bits(self._gaps_of("category", self.category_labels), self.assessed)

    @cached_property
    def factor_gaps(self) -> np.ndarray:
        """Per child, bit k: the k-th factor is a data gap."""
        return _bits(self._gaps_of("factor", self.factor_labels), self.assessed)

    def __len__(self) -> int:
        return self.assessed

    @property
    def households(self) -> int:
        """The number of households whose children were assessed."""
        return int(self._intake.cols.h)

    @property
    def household_id(self) -> np.ndarray:
        """Each assessed child's household id (text)."""
        if self._household_id is None:
            cols = self._intake.cols
            self._household_id = _text(cols.household_ids)[cols.child_hh] if cols.n else _text(cols.household_ids[:0])
        return self._household_id

    @property
    def child_id(self) -> np.ndarray:
        """Each assessed child's id (text)."""
        if self._child_id is None:
            self._child_id = _text(self._intake.cols.child_ids)
        return self._child_id

    def __repr__(self) -> str:
        return f"<BatchResult {self.assessed} assessed, {self.rejected} rejected of {self.rows_in} rows on {self.on}>"

    def _repr_html_(self) -> str:
        stamp = f"{self.pack.id} {self.pack.version} ({self.pack.sha256[:12]})"
        head = f"<p><b>BatchResult</b> on {self.on} by {_display.esc(stamp)}</p>"
        return head + self.summary()._repr_html_()

    def category(self, name: str) -> np.ma.MaskedArray[Any, Any]:
        """Whether each child is in a category: a masked array, masked where that is unknown."""
        k = self.category_labels.index(name)
        return np.ma.MaskedArray(_bit(self.categories, k), _bit(self.categories_unknown, k))

    def factor(self, code: str) -> np.ma.MaskedArray[Any, Any]:
        """Whether a risk factor holds for each child: a masked array, masked where that is unknown."""
        k = self.factor_labels.index(code)
        return np.ma.MaskedArray(_bit(self.factors, k), _bit(self.factors_unknown, k))

    def duty(self, name: str) -> np.ma.MaskedArray[Any, Any]:
        """Whether one of the pack's duties (``mandatory_report``) holds for each child: masked where unknown."""
        k = self.duty_labels.index(name)
        return np.ma.MaskedArray(_bit(self.duties, k), _bit(self.duties_unknown, k))

    @property
    def stamp(self) -> dict[str, Any]:
        """The audit stamp of every row: the pack (id, version, sha256), the riskeval version, the as-of date."""
        return {"pack": self.pack.identity(), "riskeval": riskeval_version(), "as_of": self.on.isoformat()}

    def columns(self) -> list[Col]:
        """The table's columns, in order: ids, the input row, the children table's extra columns carried as
        they came (``district``...), status, tier, visit frequency, score, then per
        category, factor (and its severity) and duty a nullable boolean, the number of data gaps, and a
        ``gap.<rule>`` flag per rule that can have one."""
        n = self.assessed
        cols = [
            Col("household_id", "text", self._household_text()),
            Col("child_id", "text", self._intake.cols.child_ids),
            Col("row", "int", self.row),
            *(Col(name, "pass", values) for name, values in self._intake.passed.items()),
            Col("status", "cat", self.status, labels=self.status_labels),
            Col("tier", "cat", self.tier, labels=self.tier_labels),
            Col("visit_frequency", "cat", self.frequency, labels=self.frequency_labels),
            Col("score", "int", self.score),
        ]
        out = self._out
        for k, name in enumerate(self.category_labels):
            cols.append(Col(f"category.{name}", "bool", out.categories[k], out.category_unknown[k]))
        severities = tuple(self.pack.severities)
        for k, (fdef, lvs) in enumerate(self._prog.factors):
            cols.append(Col(f"factor.{fdef.id}", "bool", out.factors[k] >= 0, out.factor_unknown[k]))
            # a level's severity by its index read as a byte (-1: 255, no level), ``take`` on a table of 256:
            # a third of the time of indexing with the int8 levels
            sev = np.full(256, -1, np.int8)
            sev[: len(lvs)] = [severities.index(lv.severity or "") for lv, _ in lvs]
            level = out.factors[k].astype(np.int8, copy=False).view(np.uint8)
            cols.append(Col(f"factor.{fdef.id}.severity", "cat", sev.take(level), labels=severities))
        for k, name in enumerate(self.duty_labels):
            cols.append(Col(f"duty.{name}", "bool", out.duties[k], out.duty_unknown[k]))
        category_gaps = self._gaps_of("category", self.category_labels)
        factor_gaps = self._gaps_of("factor", self.factor_labels)
        gaps = self.roster_gap.astype(np.int32)  # a rule a gap counts once (the bits of the masks, counted)
        for mask in category_gaps + factor_gaps:
            gaps += mask
        cols.append(Col("data_gaps", "int", gaps))
        cols.append(Col(f"gap.{self.pack.exited.id}", "bool", self.roster_gap))
        for name, mask in zip(self.category_labels, category_gaps, strict=True):
            cols.append(Col(f"gap.{name}", "bool", mask))
        for name, mask in zip(self.factor_labels, factor_gaps, strict=True):
            cols.append(Col(f"gap.{name}", "bool", mask))
        assert all(len(c.values) == n for c in cols)
        return cols

    def _household_text(self) -> Any:
        """Each child's household id, gathered by Arrow when it is there (one C loop, no Python objects)."""
        cols = self._intake.cols
        if self._household_id is None and (cols.household_ids.dtype == object or cols.household_ids.dtype.kind in "iu"):
            try:
                import pyarrow as pa
            except ImportError:
                return self.household_id
            ids = pa.array(cols.household_ids, None if cols.household_ids.dtype.kind in "iu" else pa.string())
            # whole numbers as their digits by Arrow, a household's once (not a Python str per child)
            return ids.cast(pa.string()).take(pa.array(cols.child_hh))
        return self.household_id

    def to_arrow(self) -> Any:
        """A pyarrow Table, one row per assessed child (``columns()``): unknown cells are nulls, tiers and
        statuses ordered dictionaries, the audit stamp in the schema's metadata (key ``riskeval``, JSON)."""
        return arrow_table(self.columns(), stamp_metadata(self.stamp))

    def to_records(self) -> Iterator[dict[str, Any]]:
        """One dict per assessed child: ``household_id``, ``child_id`` and the fields of ``assess()``'s child
        (status, categories, factors with values, score, tier, visit_frequency, data_gaps with their facts,
        duties). When the children table had extra columns carried into the results (``district``), they
        follow ``child_id`` as ``extra``, ``{"district": ...}``, JSON values (null where the cell was empty,
        dates as ISO text); without them there is no ``extra`` key."""
        renderer = Renderer(self._prog, self._atoms, self._intake.cols, self._out, self.on)
        extra = {name: json_values(values) for name, values in self._intake.passed.items()}
        for i, rec in enumerate(renderer.records()):
            if extra:  # a dict of its own: an extra column's name cannot clash with a field of the record
                yield {"household_id": self.household_id[i], "child_id": rec["child_id"],
                       "extra": {name: cells[i] for name, cells in extra.items()}, **rec}  # fmt: skip
            else:
                yield {"household_id": self.household_id[i], **rec}

    def errors_to_arrow(self) -> Any:
        """The error records as a pyarrow Table: ``loc``, ``code``, ``message``, ``value`` (as JSON text: a
        record's value may be text, a number or none) and ``row`` (null for a whole column)."""
        return arrow_table(_error_columns(self.errors), stamp_metadata(self.stamp))

    def errors_to_pandas(self) -> Any:
        """The error records as a DataFrame (the columns of ``errors_to_arrow``)."""
        return pandas_frame(_error_columns(self.errors), stamp_metadata(self.stamp))

    def to_pandas(self) -> Any:
        """A DataFrame, one row per assessed child (``columns()``; needs the optional extra ``pandas``):
        categories, factors and duties as ``boolean`` with NA where unknown, tiers and statuses as ordered
        categoricals, the audit stamp in ``frame.attrs["riskeval"]``."""
        return pandas_frame(self.columns(), stamp_metadata(self.stamp))

    def summary(self) -> BatchSummary:
        """Counts by status, tier, category and visit frequency, and the home visits per month they imply."""
        months = _cadence_months(self.pack)
        by_frequency = {f: int((self.frequency == k).sum()) for k, f in enumerate(self.frequency_labels)}
        visits = sum(count / months[f] for f, count in by_frequency.items() if f in months)
        return BatchSummary(
            rows_in=self.rows_in,
            assessed=self.assessed,
            rejected=self.rejected,
            errors=len(self.errors),
            by_status={s: int((self.status == k).sum()) for k, s in enumerate(self.status_labels)},
            by_tier={t: int((self.tier == k).sum()) for k, t in enumerate(self.tier_labels)},
            by_category={c: int(_bit(self.categories, k).sum()) for k, c in enumerate(self.category_labels)},
            by_frequency=by_frequency,
            visits_per_month=float(visits),
            with_data_gaps=int((self.roster_gap | (self.category_gaps > 0) | (self.factor_gaps > 0)).sum()),
            by_duty={d: int(_bit(self.duties, k).sum()) for k, d in enumerate(self.duty_labels)},
            verification_visits=int((self.status == STATUS_UNDETERMINED).sum()),
        )

    def explain(self, i: int) -> ChildAssessment:
        """Child ``i``'s assessment by the scalar path, explanation included: what ``assess`` gives."""
        cols = self._intake.cols
        h = int(cols.child_hh[i])
        models = self._intake.households
        facts: Any = models[h] if models is not None else household_dict(cols, h)
        result = assess(facts, on=self.on, pack=self.pack)
        return next(c for c in result.children if c.child_id == str(cols.child_ids[i]))


def _error_columns(errors: list[ErrorRecord]) -> list[Col]:
    rows = [e.as_dict() for e in errors]
    text = np.array([json.dumps(r.get("value"), ensure_ascii=False) for r in rows], object)
    where = np.array([-1 if e.row is None else e.row for e in errors], np.int64)
    return [
        Col("loc", "text", np.array([r["loc"] for r in rows], object)),
        Col("code", "text", np.array([r["code"] for r in rows], object)),
        Col("message", "text", np.array([r["message"] for r in rows], object)),
        Col("value", "text", text),
        Col("row", "nint", where, where < 0),
    ]


def _text(ids: np.ndarray) -> np.ndarray:
    """Ids as text objects (whole-number ids as their digits)."""
    return ids if ids.dtype == object else ids.astype(str).astype(object)


def _bit(bits: np.ndarray, k: int) -> np.ndarray:
    """Bit k of each child's bitmask, as booleans: read from the one byte that holds it (an eighth of the
    memory traffic of shifting the whole 64-bit masks; a table reads a hundred such columns)."""
    octets = bits.astype("<u8", copy=False).view(np.uint8).reshape(len(bits), 8)
    held: np.ndarray = (octets[:, k // 8] & np.uint8(1 << (k % 8))) != 0
    return held


def _cadence_months(pack: Pack) -> dict[str, float]:
    """Months between visits for each visit frequency, from the pack's schedule (monthly 1, quarterly 3)."""
    cadences = getattr(pack.schedule, "cadences", None)
    if cadences is None and isinstance(pack.schedule, Mapping):
        cadences = pack.schedule.get("cadences")
    out: dict[str, float] = {}
    for name, c in (cadences or {}).items():
        months = getattr(c, "months", None) if not isinstance(c, Mapping) else c.get("months")
        if months:
            out[name] = float(months)
    return out


def assess_batch(
    population: Any, *, on: date, pack: Pack | None = None, progress: Progress | None = None
) -> BatchResult:
    """Assess every child of a population at once (the numpy form of the pack).

    Args:
        population: an iterable of households (``Household`` models, dicts or JSON text), a
            :class:`riskeval.population.Population` of two tables (children and members, keyed by
            ``household_id``: pandas DataFrames, pyarrow Tables, tables speaking the Arrow PyCapsule
            protocol, or dicts of numpy arrays), or a mapping ``{"children": ..., "members": ...}`` of such
            tables, or a ``pathlib.Path`` to what :func:`riskeval.read_population` reads (a JSON lines file
            of households, a folder or a children table). Household dicts in canonical JSON form are
            flattened column by column, without a fact model per household.
        on: the assessment date.
        pack: a loaded rule pack (default: the embedded default pack).
        progress: called as ``progress(stage, done, total)`` while households are validated and at the
            end of each stage ("validating", "assessing"), for a progress bar.

    Returns:
        A :class:`BatchResult`. Bad rows are rejected with error records (never guessed, never an
        exception): ``rows_in == assessed + rejected``.
    """
    pack = pack if pack is not None else default_pack()
    prog = vector_program(pack)
    on = assessment_date(on)
    intake = intake_population(population, on, progress)
    if progress is not None:
        progress("assessing", 0, intake.cols.n)
    result = BatchResult(pack, on, intake, prog.run(intake.cols, on))
    if progress is not None:
        progress("assessing", intake.cols.n, intake.cols.n)
    return result
