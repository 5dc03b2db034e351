"""The law of the numpy form: assess_batch equals assess, child by child, on every core field."""

from __future__ import annotations

import collections
import copy
import inspect
import json
import math
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval._limits import MAX_CHILDREN, MAX_MEMBERS
from riskeval.batch import BatchResult
from riskeval.errors import FactsError
from riskeval.evaluate import vector_program
from riskeval.facts import Household
from riskeval.population import Population, columns, intake_households, intake_records, to_tables
from riskeval.testing import ASSESSMENT_DATE, households

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _variants import all_variants
from synthetic import without_unknowns

ON = ASSESSMENT_DATE
# The as-of date too: month ends and a common-year Feb 28 are where counting months and ages is delicate
# (民法典 Art. 202); facts are drawn on or before ASSESSMENT_DATE, so every one of these is valid.
DAYS = st.sampled_from([ON, date(2026, 6, 30), date(2026, 8, 31), date(2027, 2, 28), date(2028, 2, 29)])
PACK = riskeval.load_pack()
CORE = ("child_id", "status", "categories", "factors", "score", "tier", "visit_frequency", "data_gaps", "duties")
CI = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _forget_members(hh: Household, forget: bool) -> Household:
    """Sometimes the adults were not reported (members unknown), when no child names one of them."""
    named = any(getattr(c, r) for c in hh.children for r in ("father", "mother", "caregiver"))
    return hh.model_copy(update={"members": None}) if forget and not named else hh


populations = st.lists(
    st.builds(_forget_members, households(), st.integers(0, 3).map(lambda k: k == 0)),
    min_size=1,
    max_size=6,
    unique_by=lambda h: h.id,
)
_OPTIONS = {k: False for k in ("explain", "schedule") if k in inspect.signature(riskeval.assess).parameters}


def scalar(hhs: list[Household], on: date = ON) -> list[dict[str, Any]]:
    """Every child's core fields by assess(), household by household."""
    out = []
    for hh in hhs:
        result = riskeval.assess(hh, on=on, pack=PACK, **_OPTIONS).model_dump(mode="json")
        out += [{"household_id": hh.id, **{k: c[k] for k in CORE}} for c in result["children"]]
    return out


def batch(population: Any, on: date = ON) -> list[dict[str, Any]]:
    """Every child's core fields by assess_batch; nothing rejected, the counts add up."""
    result = riskeval.assess_batch(population, on=on, pack=PACK)
    assert result.rows_in == result.assessed + result.rejected
    assert result.errors == []
    return [{"household_id": r["household_id"], **{k: r[k] for k in CORE}} for r in result.to_records()]


def tabular(hh: Household) -> Household:
    """The household as the tables can say it: a record whose fields are all unknown is unknown."""
    data = hh.model_dump(mode="json")
    for holder, key in [*((c, k) for c in data["children"] for k in ("hukou", "residence")), (data, "economy")]:
        if holder[key] is not None and all(v is None for v in holder[key].values()):
            holder[key] = None
    return riskeval.parse_household(data)


@CI
@given(populations, DAYS)
def test_batch_of_households_equals_assess_child_by_child(hhs: list[Household], on: date) -> None:
    """Households in: every child's status, categories, factors (with values), score, tier, frequency and data
    gaps (with their facts, in order) are those of assess(), on the same as-of date."""
    assert batch(hhs, on) == scalar(hhs, on)


DATES = {c.name for table in columns().values() for c in table if c.kind == "date"}


def _as_read(table: pa.Table, chunks: int) -> Any:
    """A table as a Parquet reader and the streaming chunks hand it over: dates as dates, text of facts as
    dictionaries, each column an array whose buffers start at an offset (a slice), or two chunks."""
    ids = {"household_id", "child_id", "member_id", "father", "mother", "caregiver"}
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) and field.name in DATES:
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        elif pa.types.is_string(field.type) and field.name not in ids:
            table = table.set_column(i, field.name, table.column(i).dictionary_encode())
    shifted = pa.concat_tables([table.slice(0, 3), table]).combine_chunks().slice(min(3, table.num_rows))
    if chunks == 1:  # arrays, not chunked: a chunked column is combined (and its offset gone) before it is read
        return {name: column.chunk(0) if column.num_chunks else column for name, column in zip(
            shifted.column_names, shifted.columns, strict=True)}  # fmt: skip
    cut = table.num_rows // 2
    return pa.concat_tables([shifted.slice(0, cut), shifted.slice(cut)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(populations, st.sampled_from(["lists", "pandas", "pyarrow", "pyarrow at an offset", "pyarrow in two chunks"]))
def test_batch_of_tables_equals_assess_child_by_child(hhs: list[Household], form: str) -> None:
    """Two tables in (dicts of lists, pandas DataFrames, pyarrow Tables, also as a Parquet reader's chunks
    hand them over): the same results as assess()."""
    hhs = [tabular(h) for h in hhs]
    tables = to_tables(hhs)
    if form == "pandas":
        tables = Population(pd.DataFrame(tables.children), pd.DataFrame(tables.members))
    elif form == "pyarrow":
        tables = Population(pa.table(tables.children), pa.table(tables.members))
    elif form.startswith("pyarrow "):
        chunks = 1 if form.endswith("offset") else 2
        tables = Population(_as_read(pa.table(tables.children), chunks), _as_read(pa.table(tables.members), chunks))
    assert batch(tables) == scalar(hhs)


@CI
@given(populations, st.sampled_from(["dicts", "sparse dicts", "json"]), DAYS)
def test_batch_of_household_dicts_equals_assess_child_by_child(hhs: list[Household], form: str, on: date) -> None:
    """Household dicts in (as a JSON export gives them: every field, unknown ones left out, or JSON text),
    flattened column by column: the same results as assess(), child by child."""
    dumps = [h.model_dump(mode="json") for h in hhs]
    if form == "sparse dicts":
        dumps = [without_unknowns(d) for d in dumps]
    elif form == "json":
        dumps = [json.dumps(d) for d in dumps]
    assert batch(dumps, on) == scalar(hhs, on)


def test_every_single_fact_change_of_the_examples_batch_equals_assess() -> None:
    """Systematically, not by drawing: each example household (and the away father's) with one fact changed or
    made unknown, 1,700 households, as models and as sparse dicts: the batch gives what assess() gives."""
    hhs = []
    for raw in all_variants():
        try:
            hhs.append(riskeval.parse_household(raw))
        except FactsError:
            continue  # a combination the facts refuse (a date after the assessment, say)
    assert len(hhs) > 1500
    want = scalar(hhs)
    assert batch(hhs) == want
    assert batch([without_unknowns(h.model_dump(mode="json")) for h in hhs]) == want


JUNK = st.sampled_from(
    [None, "", " ", "junk", 0, 1, 2, 1.5, 2.0, -1, 10**20, True, False, math.nan, math.inf, [], ["x"], ["abuse", 1],
     ("abuse",), {}, {"grade": 2}, "2015-02-30", "0000-01-01", "2015-3-2", "2015-03-02", "2015-03-02T00:00:00",
     "610103", "110000", " present", "present", "dibao", "P1", "11010519491231002X", b"x", date(2015, 3, 2)]
)  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> list[Any]:
    """Households as dicts with junk put in a few places: a field, a nested field, an unknown key, an id."""
    items: list[Any] = [h.model_dump(mode="json") for h in draw(populations)]
    holders = []  # every dict of every household, taken before any is damaged
    for hh in items:
        for d in [hh, *hh["children"], *(hh["members"] or [])]:
            holders += [d, *(v for v in d.values() if isinstance(v, dict))]
    for _ in range(draw(st.integers(1, 4))):
        holder = draw(st.sampled_from(holders))
        key = draw(st.sampled_from([*holder.keys(), "unknown_key"]))
        holder[key] = draw(JUNK)
    if len(items) > 1 and draw(st.booleans()):  # two households with one id
        items[-1]["id"] = items[0]["id"]
    return items


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged())
def test_household_dicts_with_junk_get_the_models_records_and_results(items: list[Any]) -> None:
    """Whatever a dict holds, the fast intake rejects exactly the households the fact models reject, with
    the same located, redacted records (households[k]...), the same row numbers, and the same results."""
    fast_intake_is_the_models(items)


def fast_intake_is_the_models(items: list[Any], on: date = ON) -> None:
    """The fast intake and the fact models give the same records, rows and results for these items."""
    fast, models = intake_records(copy.deepcopy(items), on), intake_households(copy.deepcopy(items), on)
    assert fast.errors == models.errors
    assert (fast.rows.tolist(), fast.rows_in) == (models.rows.tolist(), models.rows_in)
    prog = vector_program(PACK)
    got = [dict(r) for r in BatchResult(PACK, on, fast, prog.run(fast.cols, on)).to_records()]
    want = [dict(r) for r in BatchResult(PACK, on, models, prog.run(models.cols, on)).to_records()]
    assert got == want


class _Text(str):
    """A ``str`` subclass, as an ORM or a JSON library may hand out."""


class _Whole(int):
    """An ``int`` subclass (``IntEnum``-like)."""


class _Real(float):
    """A ``float`` subclass (numpy's ``float64`` is one)."""


class _Items(list):  # type: ignore[type-arg]
    """A ``list`` subclass."""


_LIKE = {str: _Text, int: _Whole, float: _Real}


@st.composite
def subclassed(draw: st.DrawFn) -> list[Any]:
    """Households as dicts with some cells given as subclasses of their JSON types (the same values), or a list
    as a tuple, or a nested record as a dict subclass; sometimes a number given for text or the reverse."""
    items: list[Any] = [h.model_dump(mode="json") for h in draw(populations)]
    holders = []
    for hh in items:
        for d in [hh, *hh["children"], *(hh["members"] or [])]:
            holders += [d, *(v for v in d.values() if isinstance(v, dict))]
    for _ in range(draw(st.integers(1, 6))):
        holder = draw(st.sampled_from(holders))
        key = draw(st.sampled_from(sorted(holder)))
        value = holder[key]
        if type(value) in _LIKE:
            holder[key] = _LIKE[type(value)](value)
        elif type(value) is list:
            holder[key] = draw(st.sampled_from([tuple, _Items]))(_LIKE.get(type(v), type(v))(v) for v in value)
        elif type(value) is dict:
            holder[key] = collections.OrderedDict(value)
    return items


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(subclassed())
def test_household_dicts_with_subclassed_cells_get_the_models_records_and_results(items: list[Any]) -> None:
    """Text, numbers and lists given as subclasses of their types, tuples or dict subclasses: the fast intake
    accepts and rejects what the fact models do, with the same records and results."""
    fast_intake_is_the_models(items)


def test_a_lone_surrogate_in_a_key_gets_the_models_records() -> None:
    """A key msgspec cannot read as UTF-8 (a lone surrogate) sends its household to the models, as intake_households
    would; the other households are read as before."""
    items = [
        {"id": "h1", "children": [{"id": "c1", "\ud800": 1}]},
        {"id": "h2", "children": [{"id": "c2", "sex": "\ud800"}]},
        {"id": "h3", "children": [{"id": "c3"}]},
    ]
    fast, models = intake_records(copy.deepcopy(items), ON), intake_households(copy.deepcopy(items), ON)
    assert fast.errors == models.errors != []
    assert (fast.rows.tolist(), fast.rows_in) == (models.rows.tolist(), models.rows_in) == ([2], 3)


_EXAMPLES = [
    riskeval.parse_household(
        json.loads((Path(__file__).resolve().parents[1] / "examples/households" / name).read_text("utf-8"))
    )
    for name in ("letter-1-brothers.json", "left-behind.json", "migrant.json")
]


class _Record(Mapping[str, Any]):
    """A read-only mapping that is not a dict (an ORM row, say): indexed by key only."""

    def __init__(self, cells: dict[str, Any]) -> None:
        self._cells = cells

    def __getitem__(self, key: str) -> Any:
        return self._cells[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)


@pytest.mark.parametrize("who", ["children", "members"])
def test_a_person_given_as_a_mapping_not_a_dict_gets_the_models_records_and_results(who: str) -> None:
    """A child or member handed over as a mapping that is not a dict (msgspec's check takes it, Arrow's reader
    would index it as a sequence) is validated by the models, with their records and results; the others
    are read as before."""
    items: list[Any] = [h.model_dump(mode="json") for h in _EXAMPLES]
    people = items[0][who]
    people[0] = _Record(people[0])
    fast_intake_is_the_models(items)
    assert len(intake_records(items, ON).rows) == sum(len(h.children) for h in _EXAMPLES)


@pytest.mark.parametrize("who", ["children", "members"])
def test_more_people_than_a_household_may_hold_get_the_models_records(who: str) -> None:
    """A household with more children or members than the limit is refused by the models, and the fast intake
    (whose check of the shape is msgspec's) gives the same records and rows."""
    items: list[Any] = [h.model_dump(mode="json") for h in _EXAMPLES]
    holder = items[0]
    limit = MAX_CHILDREN if who == "children" else MAX_MEMBERS
    holder[who] = [{**holder[who][0], "id": f"{who[0]}{i}"} for i in range(limit + 1)]
    if who == "children":  # the extra children name no one the household does not hold
        holder[who] = [{**c, "father": None, "mother": None, "caregiver": None} for c in holder[who]]
    fast, models = intake_records(copy.deepcopy(items), ON), intake_households(copy.deepcopy(items), ON)
    assert fast.errors == models.errors != []
    assert (fast.rows.tolist(), fast.rows_in) == (models.rows.tolist(), models.rows_in)
