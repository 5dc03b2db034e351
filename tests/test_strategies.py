"""The public hypothesis strategies: valid facts only, and the cases the rules care about on purpose."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from enum import Enum
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import riskeval.testing
from riskeval import parse_event, parse_household
from riskeval.facts import (
    Child,
    Dibao,
    DibaoChange,
    DisabilityType,
    Economy,
    Event,
    EventType,
    Household,
    Member,
    MemberStatus,
    Relation,
    event_kinds,
)
from riskeval.testing import ASSESSMENT_DATE, events, households

T = TypeVar("T")
CI = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLE = 300
GONE = {MemberStatus.DECEASED, MemberStatus.DECLARED_DEAD, MemberStatus.DECLARED_MISSING}
DETAINED = {MemberStatus.IMPRISONED, MemberStatus.COMPULSORY_REHAB, MemberStatus.LIBERTY_RESTRICTED}
SITUATION = DETAINED | {MemberStatus.LOST_CONTACT, MemberStatus.GUARDIANSHIP_REVOKED, MemberStatus.DEPORTED}


SEARCH = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def sample(strategy: st.SearchStrategy[T], n: int = SAMPLE) -> list[T]:
    """Draw n examples, the same ones on every run (derandomized, no example database)."""
    out: list[T] = []

    @settings(SEARCH, max_examples=n)
    @given(strategy)
    def collect(value: T) -> None:
        out.append(value)

    collect()
    return out


def years_before(day: date, years: int) -> date:
    """The date `years` before `day` (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@pytest.fixture(scope="module")
def households_sample() -> list[Household]:
    """A seeded sample of default households, shared by the coverage tests."""
    return sample(households())


@pytest.fixture(scope="module")
def events_sample() -> list[Event]:
    """A seeded sample of events, for households and without one."""
    per_household = sample(households().flatmap(lambda h: st.lists(events(h), min_size=1, max_size=4)), 150)
    return [event for group in per_household for event in group] + sample(events(), 200)


def parents(household: Household, child: Child) -> tuple[Member | None, Member | None]:
    """The child's father and mother records, or None when not on record."""
    return household.member(child.father), household.member(child.mother)


def values_in(model: BaseModel) -> Iterator[tuple[type[BaseModel], str, Any]]:
    """Every (model class, field, value) in a model tree."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        yield type(model), name, value
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from values_in(item)


@CI
@given(households())
def test_households_validate_and_round_trip_through_json(household: Household) -> None:
    """Every generated household passes parse_household, and its JSON parses back to an equal model."""
    assert parse_household(household.model_dump(mode="json")) == household
    assert parse_household(household.model_dump_json()) == household


@CI
@given(households().flatmap(lambda h: st.tuples(st.just(h), events(h))))
def test_events_for_a_household_validate_and_name_its_people(pair: tuple[Household, Event]) -> None:
    """An event drawn for a household validates, round-trips, and names only that household's people."""
    household, event = pair
    assert parse_event(event.model_dump_json()) == event
    assert event.household == household.id
    assert event.child is None or event.child in {c.id for c in household.children}
    assert event.member is None or event.member in {m.id for m in household.members}


@CI
@given(events())
def test_events_without_a_household_validate_and_round_trip(event: Event) -> None:
    """An event drawn without a household validates and parses back from JSON unchanged."""
    assert parse_event(event.model_dump(mode="json")) == event


@pytest.mark.parametrize("shape", ["orphan", "unsupported", "left_behind", "migrant", "poor", "free"])
def test_each_shape_alone_gives_valid_households(shape: str) -> None:
    """households(shape=...) restricted to one shape still gives only valid households."""
    for household in sample(households(shape=shape), 30):
        assert parse_household(household.model_dump_json()) == household


def test_an_unknown_shape_is_refused() -> None:
    """Asking for a shape that does not exist raises ValueError naming the allowed ones."""
    with pytest.raises(ValueError, match="orphan"):
        households(shape="orphans")


def test_dates_stay_on_or_before_the_assessment_date() -> None:
    """Births, status starts and events are never after `on`, so no fact lies in the future."""
    on = date(2020, 3, 1)
    for household in sample(households(on=on), 80):
        for child in household.children:
            assert child.birth_date is None or child.birth_date <= on
        for member in household.members:
            assert member.status_since is None or member.status_since <= on
    assert all(e.date <= on for e in sample(events(on=on), 80))


def test_every_enum_value_appears_in_households(households_sample: list[Household]) -> None:
    """Each value of each enum used by Household appears in a seeded sample of households."""
    seen: dict[type[Enum], set[Enum]] = {}
    for household in households_sample:
        for _model, _field, value in values_in(household):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Enum):
                    seen.setdefault(type(item), set()).add(item)
    assert MemberStatus in seen
    missing = {cls.__name__: set(cls) - values for cls, values in seen.items() if set(cls) - values}
    assert not missing


def test_every_optional_field_is_sometimes_unknown_and_sometimes_known(
    households_sample: list[Household],
) -> None:
    """Each optional field of Member, Child and Economy is None in some households and set in others."""
    unknown: set[tuple[str, str]] = set()
    known: set[tuple[str, str]] = set()
    for household in households_sample:
        for model, name, value in values_in(household):
            (unknown if value is None else known).add((model.__name__, name))
    fields = {(m.__name__, f) for m in (Member, Child, Economy) for f in m.model_fields if f != "id"}
    assert fields - unknown == set()
    assert fields - known == set()


def test_every_event_type_is_generated(events_sample: list[Event]) -> None:
    """Every EventType appears among events drawn for households and without one."""
    assert {e.type for e in events_sample} == set(EventType)


DETAIL_VALUES = [(t, "kind", set(event_kinds(t))) for t in EventType if event_kinds(t)] + [
    (EventType.DIBAO_CHANGED, "status", set(DibaoChange)),
    (EventType.DIBAO_CHANGED, "level", set(Dibao)),
    (EventType.DISABILITY_CERTIFIED, "disability_type", set(DisabilityType)),
]


@pytest.mark.parametrize(
    ("event_type", "detail", "values"), DETAIL_VALUES, ids=[f"{t}.{d}" for t, d, _ in DETAIL_VALUES]
)
def test_every_value_of_a_detail_is_generated(event_type: EventType, detail: str, values: set[Any]) -> None:
    """events(types=[t]) can give every value that t's detail (kind, status, ...) allows."""
    for value in values:
        event = find(events(types=[event_type]), lambda e, v=value: getattr(e, detail) == v, settings=SEARCH)
        assert event.type == event_type


def test_asking_for_events_a_household_cannot_have_is_refused() -> None:
    """A household without children cannot have school_dropout events: events() says so at once."""
    household = Household(id="hh1", members=[Member(id="m1")])
    with pytest.raises(ValueError, match="school_dropout"):
        events(household, types=[EventType.SCHOOL_DROPOUT])


def test_age_boundaries_are_generated_on_the_day_before_and_after(households_sample: list[Household]) -> None:
    """Children turn 0, 6, 8, 15, 16, 17 or 18 on the assessment date, or did yesterday, or will tomorrow."""
    offsets: dict[int, set[int]] = {}
    births = [c.birth_date for h in households_sample for c in h.children if c.birth_date]
    for age in (0, 6, 8, 15, 16, 17, 18):
        birthday = years_before(ASSESSMENT_DATE, age)
        offsets[age] = {(born - birthday).days for born in births} & {-1, 0, 1}
    assert all(offsets.values()), offsets  # every age on (or next to) its birthday
    assert set().union(*offsets.values()) == {-1, 0, 1}  # the day itself, the day before, the day after
    assert 1 not in offsets[0]  # no child is born after the assessment date


def shapes_seen(households_sample: list[Household]) -> set[str]:
    """Name the DOMAIN.md §2 parent situations present in a sample, judged from the facts alone."""
    seen: set[str] = set()
    for household in households_sample:
        economy = household.economy
        if economy and economy.dibao in (Dibao.DIBAO, Dibao.TEKUN):
            seen.add("poverty")
        for child in household.children:
            father, mother = parents(household, child)
            statuses = {p.status for p in (father, mother) if p is not None}
            if child.birth_parents_untraceable or (len(statuses) == 2 and statuses <= GONE):
                seen.add("orphan")
            if statuses & GONE and statuses & SITUATION:
                seen.add("fus_one_gone")
            if father and mother and {father.status, mother.status} <= SITUATION:
                seen.add("fus_both")
            carer = household.member(child.caregiver)
            if (
                MemberStatus.AWAY_FOR_WORK in statuses
                and carer
                and carer.relation
                in (
                    Relation.GRANDMOTHER,
                    Relation.GRANDFATHER,
                )
            ):
                seen.add("left_behind")
            hukou, residence = child.hukou, child.residence
            if hukou and residence and residence.since and hukou.county not in (None, residence.county):
                seen.add("migrant")
    return seen


def test_each_household_shape_is_generated(households_sample: list[Household]) -> None:
    """Orphan, FUS (a parent gone, or both in situations), left-behind, migrant and poor shapes appear."""
    assert shapes_seen(households_sample) == {
        "poverty",
        "orphan",
        "fus_one_gone",
        "fus_both",
        "left_behind",
        "migrant",
    }


def test_detention_terms_fall_on_both_sides_of_six_months(households_sample: list[Household]) -> None:
    """Detention terms shorter than and at least six months are both generated (the 62号 line)."""
    terms = [
        m.status_until - m.status_since
        for h in households_sample
        for m in h.members
        if m.status in DETAINED and m.status_since and m.status_until
    ]
    assert any(term < timedelta(days=170) for term in terms)  # five months
    assert any(term > timedelta(days=200) for term in terms)  # seven months


def test_testing_exports_are_sorted_and_public() -> None:
    """riskeval.testing exports exactly households, events and ASSESSMENT_DATE, sorted."""
    assert riskeval.testing.__all__ == sorted(riskeval.testing.__all__)
    assert set(riskeval.testing.__all__) == {"ASSESSMENT_DATE", "events", "households"}
    assert date.today() >= ASSESSMENT_DATE


def test_importing_without_hypothesis_says_how_to_install_it() -> None:
    """Without hypothesis, importing riskeval.testing raises ImportError naming riskeval[testing]."""
    code = "import sys; sys.modules['hypothesis'] = None; import riskeval.testing"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "pip install riskeval[testing]" in result.stderr
