"""The public hypothesis strategies: valid facts only, and the cases the rules care about on purpose."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from enum import Enum
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from pydantic import BaseModel

import riskeval.testing
from riskeval import Monitor, parse_event, parse_household
from riskeval.facts import (
    Behaviour,
    Child,
    CivilCapacity,
    Contact,
    Dibao,
    DibaoChange,
    DisabilityType,
    Economy,
    Employment,
    Event,
    EventType,
    Household,
    Housing,
    HukouType,
    Member,
    MemberStatus,
    ParentsRelationship,
    Psych,
    Relation,
    Safety,
    School,
    Sex,
    event_kinds,
)
from riskeval.testing import ASSESSMENT_DATE, event_logs, events, households

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


def appears(strategy: st.SearchStrategy[T], holds: Callable[[T], bool], drawn: list[T]) -> bool:
    """Whether the strategy can give a value that `holds`: seen in the sample, or else found by a search.

    The sample is only a shortcut: which values a seeded sample holds changes with hypothesis's version and
    the modules loaded (it mines their constants), so a value missing from it is searched for before failing.
    """
    if any(holds(value) for value in drawn):
        return True
    try:
        find(strategy, holds, settings=SEARCH)
    except NoSuchExample:
        return False
    return True


def enums_in(household: Household) -> set[Enum]:
    """Every enum value anywhere in a household."""
    found: set[Enum] = set()
    for _model, _field, value in values_in(household):
        found.update(item for item in (value if isinstance(value, list) else [value]) if isinstance(item, Enum))
    return found


HOUSEHOLD_ENUMS = [
    Behaviour, CivilCapacity, Contact, Dibao, DisabilityType, Employment, Housing, HukouType, MemberStatus,
    ParentsRelationship, Psych, Relation, Safety, School, Sex,
]  # fmt: skip
ENUM_VALUES = [value for cls in HOUSEHOLD_ENUMS for value in cls]


@pytest.mark.parametrize("value", ENUM_VALUES, ids=[f"{type(v).__name__}.{v.value}" for v in ENUM_VALUES])
def test_every_enum_value_appears_in_households(value: Enum, households_sample: list[Household]) -> None:
    """Each value of each enum of the household facts is generated (every MemberStatus among them)."""
    assert appears(households(), lambda h: value in enums_in(h), households_sample)


OPTIONAL = [(m, f) for m in (Member, Child, Economy) for f in m.model_fields if f != "id"]


@pytest.mark.parametrize(("model", "field"), OPTIONAL, ids=[f"{m.__name__}.{f}" for m, f in OPTIONAL])
@pytest.mark.parametrize("known", [False, True], ids=["unknown", "known"])
def test_every_optional_field_is_sometimes_unknown_and_sometimes_known(
    model: type[BaseModel], field: str, known: bool, households_sample: list[Household]
) -> None:
    """Each optional field of Member, Child and Economy is None in some households and set in others."""

    def holds(household: Household) -> bool:
        return any(m is model and f == field and (v is not None) == known for m, f, v in values_in(household))

    assert appears(households(), holds, households_sample)


@pytest.mark.parametrize("event_type", list(EventType), ids=str)
def test_every_event_type_is_generated(event_type: EventType, events_sample: list[Event]) -> None:
    """Every EventType is generated by events(), without asking for it by type."""
    assert appears(events(), lambda e: e.type == event_type, events_sample)


DETAIL_VALUES = [(t, "kind", v) for t in EventType for v in event_kinds(t)] + [
    *((EventType.DIBAO_CHANGED, "status", v) for v in DibaoChange),
    *((EventType.DIBAO_CHANGED, "level", v) for v in Dibao),
    *((EventType.DISABILITY_CERTIFIED, "disability_type", v) for v in DisabilityType),
]


@pytest.mark.parametrize(
    ("event_type", "detail", "value"), DETAIL_VALUES, ids=[f"{t}.{d}={v}" for t, d, v in DETAIL_VALUES]
)
def test_every_value_of_a_detail_is_generated(event_type: EventType, detail: str, value: Any) -> None:
    """events(types=[t]) gives only type t, and can give every value its detail (kind, status, ...) allows."""
    event = find(events(types=[event_type]), lambda e: getattr(e, detail) == value, settings=SEARCH)
    assert event.type == event_type


def test_asking_for_events_a_household_cannot_have_is_refused() -> None:
    """A household without children cannot have school_dropout events: events() says so at once."""
    household = Household(id="hh1", members=[Member(id="m1")])
    with pytest.raises(ValueError, match="school_dropout"):
        events(household, types=[EventType.SCHOOL_DROPOUT])


BIRTHDAYS = [(age, offset) for age in (0, 6, 8, 15, 16, 17, 18) for offset in (-1, 0, 1) if (age, offset) != (0, 1)]


@pytest.mark.parametrize(("age", "offset"), BIRTHDAYS, ids=[f"{a}y{o:+d}d" for a, o in BIRTHDAYS])
def test_age_boundaries_are_generated_on_the_day_before_and_after(
    age: int, offset: int, households_sample: list[Household]
) -> None:
    """Children turn 0, 6, 8, 15, 16, 17 and 18 on the assessment date, did yesterday, or will tomorrow."""
    born = years_before(ASSESSMENT_DATE, age) + timedelta(days=offset)
    assert appears(households(), lambda h: any(c.birth_date == born for c in h.children), households_sample)


def test_no_child_is_born_after_the_assessment_date(households_sample: list[Household]) -> None:
    """The day-after boundary of age 0 would be a birth after `on`: it is never generated."""
    assert all(c.birth_date is None or c.birth_date <= ASSESSMENT_DATE for h in households_sample for c in h.children)


def statuses(household: Household, child: Child) -> list[MemberStatus | None]:
    """The statuses of the child's recorded parents."""
    return [p.status for p in parents(household, child) if p is not None]


def orphan_shaped(h: Household) -> bool:
    """Both parents dead or declared missing, or birth parents untraceable."""
    return any(c.birth_parents_untraceable or (len(s := statuses(h, c)) == 2 and set(s) <= GONE) for c in h.children)


def orphan_one_gone_one_untraceable(h: Household) -> bool:
    """One parent dead or declared missing, the other untraceable (查找不到), as the model lets it be said."""
    return any(
        (c.father_untraceable and c.father is None and set(statuses(h, c)) <= GONE and c.mother is not None)
        or (c.mother_untraceable and c.mother is None and set(statuses(h, c)) <= GONE and c.father is not None)
        for c in h.children
    )


def fus_one_gone(h: Household) -> bool:
    """One parent dead or declared missing, the other detained, lost, revoked or deported."""
    return any(set(s := statuses(h, c)) & GONE and set(s) & SITUATION for c in h.children)


def fus_both(h: Household) -> bool:
    """Both parents in a 62号/125号 situation."""
    return any(len(s := statuses(h, c)) == 2 and set(s) <= SITUATION for c in h.children)


def left_behind(h: Household) -> bool:
    """A parent away for work and a grandparent as the caregiver."""
    grand = (Relation.GRANDMOTHER, Relation.GRANDFATHER)
    return any(
        MemberStatus.AWAY_FOR_WORK in statuses(h, c)
        and (g := h.member(c.caregiver)) is not None
        and g.relation in grand
        for c in h.children
    )


def migrant(h: Household) -> bool:
    """A hukou county other than the residence county, with a known date of moving."""
    return any(
        c.hukou and c.residence and c.residence.since and c.hukou.county not in (None, c.residence.county)
        for c in h.children
    )


def poor(h: Household) -> bool:
    """A household on 低保 or 特困."""
    return h.economy is not None and h.economy.dibao in (Dibao.DIBAO, Dibao.TEKUN)


def short_term(h: Household) -> bool:
    """A detention term of about five months (below the 62号 six)."""
    return any(m.status in DETAINED and m.status_since and m.status_until and
               m.status_until - m.status_since < timedelta(days=170) for m in h.members)  # fmt: skip


def long_term(h: Household) -> bool:
    """A detention term of about seven months (above the 62号 six)."""
    return any(m.status in DETAINED and m.status_since and m.status_until and
               timedelta(days=200) < m.status_until - m.status_since for m in h.members)  # fmt: skip


SHAPED = [
    orphan_shaped, orphan_one_gone_one_untraceable, fus_one_gone, fus_both, left_behind, migrant, poor, short_term,
    long_term,
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPED, ids=[f.__name__ for f in SHAPED])
def test_each_household_shape_is_generated(
    shape: Callable[[Household], bool], households_sample: list[Household]
) -> None:
    """Orphan, FUS, left-behind, migrant and poor households, and terms each side of 6 months, are generated."""
    assert appears(households(), shape, households_sample)


def test_testing_exports_are_sorted_and_public() -> None:
    """riskeval.testing exports its strategies, ASSESSMENT_DATE and the conformance suite with its two forms."""
    assert riskeval.testing.__all__ == sorted(riskeval.testing.__all__)
    assert set(riskeval.testing.__all__) == {
        "ASSESSMENT_DATE", "conformance", "event_logs", "events", "households", "scalar_form", "vector_form"
    }  # fmt: skip
    assert date.today() >= ASSESSMENT_DATE


def test_importing_without_hypothesis_says_how_to_install_it() -> None:
    """Without hypothesis, importing riskeval.testing raises ImportError naming riskeval[testing]."""
    code = "import sys; sys.modules['hypothesis'] = None; import riskeval.testing"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "pip install 'riskeval[testing]'" in result.stderr


@given(households().flatmap(lambda h: st.tuples(st.just(h), event_logs(h, min_size=1, max_size=10))))
def test_an_event_log_names_its_household_and_each_id_once(drawn: tuple[Household, list[Event]]) -> None:
    household, log = drawn
    assert len({e.id for e in log}) == len(log)
    assert {e.household for e in log} == {household.id}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households().flatmap(lambda h: st.tuples(st.just(h), event_logs(h, min_size=1, max_size=12))))
def test_an_event_log_is_accepted_whole_by_post_in_order_and_by_replay(drawn: tuple[Household, list[Event]]) -> None:
    """Every drawn log is accepted: posted one event at a time in its order (no out_of_order, date_order or
    other refusal) and replayed with no error record, and both give the same triggers."""
    household, log = drawn
    assert [e.date for e in log] == sorted(e.date for e in log)
    monitor = Monitor()
    assert monitor.track([household]) == []
    posted = [t for e in log for t in monitor.post(e)]
    replay = Monitor().replay([household], log)
    assert replay.errors == []
    assert replay.applied == len(log)
    assert replay.triggers == posted
