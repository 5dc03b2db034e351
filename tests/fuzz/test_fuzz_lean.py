"""The lean household path (riskeval.facts._lean) only ever accepts what pydantic accepts, with the same model:
the same classes, field values of the same types, the same fields set; and it takes every canonical dump."""

from __future__ import annotations

import collections
import copy
from datetime import date
from typing import Any

import pytest
from _fuzz import budget, household_json, mutate, tried
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import riskeval
from riskeval.facts import Household
from riskeval.facts._lean import KNOWN_VALIDATORS, lean_household
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
TODAYS = st.sampled_from([ON, date(2020, 1, 1), date(2011, 6, 1)])  # earlier days make some birth dates future


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same type, all the way down (a model's fields in order, and its fields set)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (
            list(a.__dict__) == list(b.__dict__)
            and a.model_fields_set == b.model_fields_set
            and all(same(x, y) for x, y in zip(a.__dict__.values(), b.__dict__.values(), strict=True))
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check(raw: Any, today: date) -> bool:
    """The law on one input; whether the lean path took it."""
    lean = lean_household(raw, today) if isinstance(raw, dict) else None
    if lean is None:
        return False
    try:
        model = Household.__pydantic_validator__.validate_python(raw, context={"today": today})
    except ValidationError as exc:
        raise AssertionError(f"the lean path accepted what pydantic refuses: {exc}") from None
    assert same(lean, model)
    return True


@budget(ci=150)
@given(households(), TODAYS, st.sampled_from(["json", "json, nulls left out", "python"]))
def test_the_lean_path_takes_canonical_households_as_pydantic_does(hh: Household, today: date, form: str) -> None:
    """Every dump of a valid household (JSON or Python values, unknown facts null or left out) gives the
    model pydantic gives; on the day the facts were drawn for, the lean path takes it."""
    tried("lean: canonical")
    raw = hh.model_dump(mode="python" if form == "python" else "json", exclude_none=form != "json")
    took = check(raw, today)
    assert took or today != ON


@budget(ci=300)
@given(households(), st.data(), TODAYS)
def test_the_lean_path_never_accepts_what_pydantic_refuses(hh: Household, data: st.DataObject, today: date) -> None:
    """A mutated household (the fuzz campaign's values, keys, deletions): accepted by the lean path only when
    pydantic accepts it too, with the same model."""
    tried("lean: mutated")
    check(mutate(data, household_json(hh)), today)


class _Text(str):
    """A ``str`` subclass: pydantic gives a ``str``."""


class _Whole(int):
    """An ``int`` subclass."""


_LIKE: dict[type, Any] = {str: _Text, int: _Whole, float: float, bool: bool}
JUNK = st.sampled_from(
    [None, "", " ", "x", 0, 1, 2, 1.5, 2.0, -1, 10**20, True, False, float("nan"), float("inf"), [], ["abuse"],
     ("abuse",), {}, {"grade": 2}, "2015-02-30", "2015-03-02T00:00:00", "2015-3-2", " 610103", "610103", "110000",
     "碑林区", "朝阳区", "陕西", 610103, "P1", "p1\n", "11010519491231002X", b"x", date(2015, 3, 2),
     date(1899, 12, 31), _Text("present"), _Whole(2)]
)  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    """A household dict with junk put in a few places, or a value given as a subclass or a tuple."""
    raw: dict[str, Any] = draw(households()).model_dump(mode="json")
    holders = [raw, *raw["children"], *(raw["members"] or [])]
    holders += [v for d in list(holders) for v in d.values() if isinstance(v, dict)]
    for _ in range(draw(st.integers(1, 3))):
        holder = draw(st.sampled_from(holders))
        key = draw(st.sampled_from(sorted(holder)))
        value = holder[key]
        if draw(st.booleans()):
            holder[key] = draw(JUNK)
        elif isinstance(value, list):
            holder[key] = tuple(value)
        elif isinstance(value, dict):
            holder[key] = collections.OrderedDict(value)
        elif type(value) in _LIKE:
            holder[key] = _LIKE[type(value)](value)
    return raw


@budget(ci=300)
@given(damaged(), TODAYS)
def test_the_lean_path_takes_junk_only_as_pydantic_does(raw: dict[str, Any], today: date) -> None:
    """Junk in a field, a nested record or a list; subclasses, tuples: the lean path accepts only what pydantic
    accepts, giving the same model."""
    tried("lean: junk")
    check(raw, today)


def test_the_lean_path_knows_every_validator_of_the_fact_models() -> None:
    """A validator added to a fact model must be added to the lean path too (else it would skip it)."""
    for model in (riskeval.Household, riskeval.facts.Child, riskeval.facts.Member, riskeval.facts.Hukou):
        found = model.__pydantic_decorators__
        names = sorted([*found.field_validators, *found.model_validators])
        assert names == sorted(KNOWN_VALIDATORS[model.__name__]), model.__name__


BASE: dict[str, Any] = {
    "id": "h1",
    "members": [{"id": "m1", "relation": "father", "status": "imprisoned", "status_since": "2024-01-01"}],
    "children": [{"id": "c1", "father": "m1", "hukou": {"county": "610103"}, "disability": {"grade": 2}}],
    "economy": {"income_per_capita": 800},
}
# (holder path, key, value): each at or past an edge one of the models' checks draws
EDGES = [
    (("children", 0), "birth_date", "1899-12-31"),
    (("children", 0), "birth_date", "1900-01-01"),
    (("children", 0), "birth_date", "2026-06-02"),
    (("children", 0), "birth_date", "2026-06-01"),
    (("members", 0), "birth_date", "1899-12-31"),
    (("members", 0), "status_until", "2023-12-31"),
    (("members", 0), "status_until", "2024-01-01"),
    (("members", 0), "id", "m1\n"),
    ((), "id", "11010519491231002X"),
    ((), "id", "x" * 65),
    ((), "id", "x" * 64),
    (("children", 0), "caregiver", "m2"),
    (("children", 0), "id", "m1"),
    (("children", 0), "father_untraceable", True),
    (("children", 0), "birth_parents_untraceable", False),
    (("children", 0, "hukou"), "county", "610000"),
    (("children", 0, "hukou"), "county", "朝阳区"),
    (("children", 0, "hukou"), "county", "碑林区"),
    (("children", 0, "hukou"), "county", " 610103 "),
    (("children", 0, "hukou"), "province", "110000"),
    (("children", 0, "hukou"), "province", "陕西"),
    (("children", 0), "disability", True),
    (("children", 0), "disability", False),
    (("children", 0, "disability"), "grade", 5),
    (("children", 0, "disability"), "grade", 2.0),
    (("economy",), "income_per_capita", -0.01),
    (("economy",), "income_per_capita", float("inf")),
    (("economy",), "income_per_capita", float("nan")),
    (("economy",), "income_drop_pct_3m", 100.5),
    (("economy",), "child_support_unpaid_months", 1201),
    (("economy",), "child_support_unpaid_months", 1200),
    ((), "children", None),
    ((), "members", None),
]


@pytest.mark.parametrize(("path", "key", "value"), EDGES)
def test_the_lean_path_refuses_at_each_edge_of_the_models_checks(path: tuple[Any, ...], key: str, value: Any) -> None:
    """At each edge of an id, place, date, bound or cross-field check, the lean path takes the household
    exactly when pydantic does, and gives the same model."""
    raw = copy.deepcopy(BASE)
    holder: Any = raw
    for part in path:
        holder = holder[part]
    holder[key] = value
    try:
        Household.__pydantic_validator__.validate_python(copy.deepcopy(raw), context={"today": ON})
    except ValidationError:
        assert lean_household(raw, ON) is None
    else:
        assert check(raw, ON)
