"""Hypothesis strategies for valid households.

Half of the households are drawn free-form, with every optional field often unknown. The other
half are *shaped*: built on purpose like the parent situations of DOMAIN.md §2 (orphan, de facto
unsupported, left-behind, migrant, poor), with dates placed on both sides of the boundaries the rules
test, so that a property test meets the hard cases in a hundred examples and not by luck.

The ages, months and amounts below are where generated values cluster, not policy: they decide
nothing, and a rule pack with other limits still gets valid (only less pointed) data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import strategies as st

from riskeval.facts import (
    Behaviour,
    CivilCapacity,
    Contact,
    Dibao,
    DisabilityType,
    Employment,
    Household,
    Housing,
    HukouType,
    MemberStatus,
    ParentsRelationship,
    Psych,
    Relation,
    Safety,
    School,
    Sex,
)
from riskeval.testing._draw import (
    ASSESSMENT_DATE,
    BOOL,
    HOME_COUNTIES,
    PLACES,
    Data,
    dates,
    income,
    ints,
    latest,
    maybe,
    money,
    opt,
    pct,
    pick,
    shift,
    unknown,
)

# The ages at which the default pack's rules change (school age, 8, 16, aging out at 18).
_CHILD_AGES = (0, 6, 8, 15, 16, 17, 18)
_BIRTHDAYS = pick(tuple((age, offset) for age in _CHILD_AGES for offset in (-1, 0, 1)))
# Around the 62号 six-month terms and the migrant six months of residence.
_MONTHS_NEAR_SIX = (5, 6, 7)
_GONE = (MemberStatus.DECEASED, MemberStatus.DECLARED_DEAD, MemberStatus.DECLARED_MISSING)
_DETAINED = (MemberStatus.IMPRISONED, MemberStatus.COMPULSORY_REHAB, MemberStatus.LIBERTY_RESTRICTED)
_BODILY = (DisabilityType.VISUAL, DisabilityType.HEARING, DisabilityType.SPEECH, DisabilityType.PHYSICAL)
_GRANDPARENTS = (Relation.GRANDMOTHER, Relation.GRANDFATHER)
_MIGRANT_OTHER = (MemberStatus.PRESENT, MemberStatus.AWAY_FOR_WORK, None)
# Around the 重病 spending line (a pack parameter, 20,000 yuan by default), and a 低保 standard.
_SPENT = st.one_of(st.just(20_000.0), st.integers(15_000, 25_000).map(float), money)
_LOW_INCOME = st.one_of(st.integers(0, 3000).map(float), st.floats(0, 3000, allow_nan=False))
_NAMES = ("小明", "小红", "小刚", "小丽", "小军", "小芳", "王小明", "李小红", "张大山", "刘阿姨")


def _past(draw: st.DrawFn, on: date, *, years: int) -> date:
    return draw(dates(shift(on, years=-years), latest(on)))


def _near_six_months(draw: st.DrawFn, day: date, sign: int) -> date:
    months, days = draw(pick(_MONTHS_NEAR_SIX)), draw(pick((-1, 0, 1)))
    return shift(day, months=sign * months, days=days)


def _child_birth(draw: st.DrawFn, on: date) -> date:
    if draw(st.booleans()):
        age, offset = draw(_BIRTHDAYS)  # one draw: hypothesis then spreads all 21 pairs evenly
        born = shift(on, years=-age, days=offset)  # the birthday is today, tomorrow or yesterday
    else:
        born = draw(dates(shift(on, years=-19), on))
    return min(born, latest(on))


def _disability(draw: st.DrawFn, severe: bool | None = None) -> Data | bool | None:
    """A certificate; ``severe`` asks for 重残 (grade 1-2, or 3-4 intellectual/mental) or a near miss."""
    if severe is None:
        choice = draw(pick(("unknown", "none", "any")))
        if choice != "any":
            return None if choice == "unknown" else False
        kind, grade = draw(maybe(DisabilityType)), opt(draw, ints(1, 4))
    elif severe:
        kind = draw(pick(DisabilityType))
        mind = kind in (DisabilityType.INTELLECTUAL, DisabilityType.MENTAL)
        grade = draw(ints(1, 4) if mind else ints(1, 2))
    else:
        kind = draw(pick(_BODILY))
        grade = draw(ints(3, 4))
    parts = None
    if kind == DisabilityType.MULTIPLE:
        parts = opt(draw, st.lists(pick(DisabilityType), min_size=2, max_size=3, unique=True))
    return {"type": kind, "grade": grade, "components": parts}


def _member(draw: st.DrawFn, on: date, relation: Relation | None, **fixed: Any) -> Data:
    """An adult, free-form; ``fixed`` sets what the shape decides."""
    old = relation in _GRANDPARENTS
    since = opt(draw, dates(shift(on, years=-10), latest(on)))
    until = None if since is None else opt(draw, dates(since, shift(since, years=5)))
    data: Data = {
        "name": draw(maybe(_NAMES)),
        "relation": relation,
        "birth_date": opt(draw, dates(shift(on, years=-90 if old else -55), shift(on, years=-18))),
        "status": draw(maybe(MemberStatus)),
        "status_since": since,
        "status_until": until,
        "disability": _disability(draw),
        "serious_illness": draw(maybe(BOOL)),
        "medical_spending_12m": opt(draw, money),
        "civil_capacity": draw(maybe(CivilCapacity)),
        "employment": draw(maybe(Employment)),
        "lives_with_children": draw(maybe(BOOL)),
        "substance_abuse": draw(maybe(BOOL)),
        "domestic_violence": draw(maybe(BOOL)),
        "contact": draw(maybe(Contact)),
        "last_seen_in_person": opt(draw, dates(shift(on, years=-3), latest(on))),
    }
    data.update(fixed)
    return data


def _gone(draw: st.DrawFn, on: date, relation: Relation) -> Data:
    status, since = draw(pick(_GONE)), _past(draw, on, years=15)
    return _member(draw, on, relation, status=status, status_since=since, status_until=None, lives_with_children=False)


def _in_situation(draw: st.DrawFn, on: date, relation: Relation) -> Data:
    """A parent in one of the 62号/125号 situations, or just short of it (a 5-month term, grade 3 visual)."""
    situation = draw(pick(("detained", "lost_contact", "disabled", "ill", "revoked", "deported")))
    away: Data = {"lives_with_children": False}
    if situation == "detained":
        since = draw(dates(shift(on, years=-3), latest(on)))
        until = None if draw(unknown) else _near_six_months(draw, since, +1)  # unknown end: unknown term
        status = draw(pick(_DETAINED))
        return _member(draw, on, relation, **away, status=status, status_since=since, status_until=until)
    if situation == "lost_contact":
        reported = min(_near_six_months(draw, on, -1), latest(on))  # the police report is the clock's start
        return _member(
            draw,
            on,
            relation,
            **away,
            status=MemberStatus.LOST_CONTACT,
            status_since=reported,
            status_until=None,
        )
    if situation == "disabled":
        certificate = _disability(draw, severe=draw(ints(0, 3)) > 0)
        return _member(draw, on, relation, status=MemberStatus.PRESENT, disability=certificate)
    if situation == "ill":
        spent = draw(_SPENT)
        ill = draw(maybe(BOOL))
        return _member(draw, on, relation, status=MemberStatus.PRESENT, serious_illness=ill, medical_spending_12m=spent)
    status = MemberStatus.GUARDIANSHIP_REVOKED if situation == "revoked" else MemberStatus.DEPORTED
    since = _past(draw, on, years=5)
    return _member(draw, on, relation, **away, status=status, status_since=since, status_until=None)


def _parents(draw: st.DrawFn, first: Data, second: Data) -> dict[str, Data]:
    """Give two parent records to father and mother, either way round."""
    if draw(st.booleans()):
        first, second = second, first
    first["relation"], second["relation"] = Relation.FATHER, Relation.MOTHER
    return {"father": first, "mother": second}


@dataclass
class _Family:
    """What a shape decides: the adults by role (the role becomes part of the member id), and overrides."""

    adults: dict[str, Data]
    caregiver: str | None = None
    child: Data = field(default_factory=dict)
    economy: Data = field(default_factory=dict)
    relationship: ParentsRelationship | None = None
    free: bool = False  # free-form children may leave parents and birth dates unknown


def _kin(draw: st.DrawFn, on: date) -> dict[str, Data]:
    relation = draw(pick((*_GRANDPARENTS, Relation.OTHER_RELATIVE, Relation.ENTRUSTED_CAREGIVER)))
    return {relation.value: _member(draw, on, relation, status=MemberStatus.PRESENT, lives_with_children=True)}


def _orphan(draw: st.DrawFn, on: date) -> _Family:
    kin = _kin(draw, on)
    child: Data = {"adopted": draw(pick((False, None)))}
    shape = draw(ints(0, 2))
    if shape == 0:
        adults = _parents(draw, _gone(draw, on, Relation.FATHER), _gone(draw, on, Relation.MOTHER)) | kin
        relationship = draw(pick((ParentsRelationship.WIDOWED, ParentsRelationship.MARRIED, None)))
        return _Family(adults, caregiver=next(iter(kin)), child=child, relationship=relationship)
    if shape == 1:  # one parent dead or declared missing, the other never identified (查找不到)
        gone, lost = draw(pick((("father", "mother"), ("mother", "father"))))
        adults = {gone: _gone(draw, on, Relation(gone))} | kin
        child[f"{lost}_untraceable"] = True
        relationship = draw(pick((ParentsRelationship.NEVER_MARRIED, ParentsRelationship.WIDOWED, None)))
        return _Family(adults, caregiver=next(iter(kin)), child=child, relationship=relationship)
    child["birth_parents_untraceable"] = True  # a foundling: no parent on record at all
    return _Family(kin, caregiver=draw(pick((*kin, None))), child=child)


def _unsupported(draw: st.DrawFn, on: date) -> _Family:
    gone_first = draw(st.booleans())
    first = (_gone if gone_first else _in_situation)(draw, on, Relation.FATHER)
    adults = _parents(draw, first, _in_situation(draw, on, Relation.MOTHER)) | _kin(draw, on)
    return _Family(adults, caregiver=draw(pick(tuple(sorted(adults)))))


def _away(draw: st.DrawFn, on: date, relation: Relation) -> Data:
    since = draw(dates(shift(on, years=-5), latest(on)))
    seen = opt(draw, dates(shift(on, months=-18), latest(on)))
    contact = draw(maybe(Contact))
    fixed = {"status_since": since, "status_until": None, "last_seen_in_person": seen, "contact": contact}
    return _member(draw, on, relation, status=MemberStatus.AWAY_FOR_WORK, lives_with_children=False, **fixed)


def _left_behind(draw: st.DrawFn, on: date) -> _Family:
    grand = draw(pick(_GRANDPARENTS))
    adults = {grand.value: _member(draw, on, grand, status=MemberStatus.PRESENT, lives_with_children=True)}
    caregiver = grand.value
    if draw(st.booleans()):
        adults |= _parents(draw, _away(draw, on, Relation.FATHER), _away(draw, on, Relation.MOTHER))
    else:  # one away; the other at home, often unable to care (重病, 重残, limited capacity)
        unable = {
            "civil_capacity": draw(maybe(CivilCapacity)),
            "disability": _disability(draw, severe=draw(maybe(BOOL))),
        }
        home = _member(draw, on, Relation.MOTHER, status=MemberStatus.PRESENT, lives_with_children=True, **unable)
        parents = _parents(draw, _away(draw, on, Relation.FATHER), home)
        adults |= parents
        caregiver = draw(pick((caregiver, *(role for role, m in parents.items() if m is home))))
    province, county = draw(pick(PLACES))
    child = {
        "entrusted_care_agreement": draw(maybe(BOOL)),
        "hukou": {"province": province, "county": county, "type": draw(maybe(HukouType))},
        "residence": {"county": county, "since": None},
    }
    return _Family(adults, caregiver=caregiver, child=child, relationship=ParentsRelationship.MARRIED)


def _migrant(draw: st.DrawFn, on: date) -> _Family:
    home = draw(pick(HOME_COUNTIES))
    province, county = draw(pick(tuple(p for p in PLACES if p[1] != home)))
    moved = min(_near_six_months(draw, on, -1), latest(on))
    carer = draw(pick(("father", "mother")))
    adults = {}
    for role, relation in (("father", Relation.FATHER), ("mother", Relation.MOTHER)):
        status = MemberStatus.PRESENT if role == carer else draw(pick(_MIGRANT_OTHER))
        adults[role] = _member(draw, on, relation, status=status, lives_with_children=status == MemberStatus.PRESENT)
    if draw(st.booleans()):  # a separated parent's new partner, living with them
        adults["step"] = _member(draw, on, Relation.STEP_PARENT, lives_with_children=True)
    child = {
        "hukou": {"province": province, "county": county, "type": draw(maybe(HukouType))},
        "residence": {"county": home, "since": moved},
        "has_residence_permit": draw(maybe(BOOL)),
    }
    return _Family(adults, caregiver=carer, child=child)


def _poor(draw: st.DrawFn, on: date) -> _Family:
    family = _free(draw, on)
    income = draw(_LOW_INCOME)
    family.economy = {
        "dibao": draw(pick(Dibao)),
        "income_per_capita": None if draw(unknown) else income,
    }
    return family


def _free(draw: st.DrawFn, on: date) -> _Family:
    parents = [role for role in ("father", "mother") if draw(ints(0, 4)) > 0]
    others = [f"adult{i}" for i in range(draw(ints(0, 2)))]
    adults = {
        role: _member(draw, on, Relation(role) if role in parents else draw(maybe(Relation)))
        for role in parents + others
    }
    caregiver = opt(draw, pick(tuple(sorted(adults)))) if adults else None
    return _Family(adults, caregiver=caregiver, free=True)


_SHAPES = {
    "orphan": _orphan,
    "unsupported": _unsupported,
    "left_behind": _left_behind,
    "migrant": _migrant,
    "poor": _poor,
    "free": _free,
}
SHAPES = tuple(_SHAPES)


_CHILD_FLAGS = (
    "working", "serious_illness", "medical_insurance", "adopted", "birth_parents_untraceable",
    "acts_as_carer", "entrusted_care_agreement", "has_residence_permit",
)  # fmt: skip


def _child(draw: st.DrawFn, on: date, child_id: str, family: _Family, ids: dict[str, str]) -> Data:
    vague = unknown if family.free else st.just(False)
    (province, hukou_county), (_, county) = draw(pick(PLACES)), draw(pick(PLACES))
    hukou = {"province": province, "county": hukou_county, "type": draw(maybe(HukouType))}
    since = draw(dates(shift(on, years=-18), latest(on)))
    data: Data = {
        "id": child_id,
        "name": draw(maybe(_NAMES)),
        "birth_date": None if draw(vague) else _child_birth(draw, on),
        "sex": draw(maybe(Sex)),
        "father": None if draw(vague) else ids.get("father"),
        "mother": None if draw(vague) else ids.get("mother"),
        "caregiver": ids[family.caregiver] if family.caregiver else None,
        "hukou": None if draw(unknown) else hukou,
        "residence": None if draw(unknown) else {"county": county, "since": since},
        "school": draw(maybe(School)),
        "disability": _disability(draw),
        "psych": draw(maybe(Psych)),
        "behaviour": opt(draw, st.lists(pick(Behaviour), max_size=3, unique=True)),
        "safety": opt(draw, st.lists(pick(Safety), max_size=3, unique=True)),
    }
    for flag in _CHILD_FLAGS:
        data[flag] = draw(maybe(BOOL))
    for day in ("identified_on", "last_visit", "last_full_assessment"):
        data[day] = opt(draw, dates(shift(on, years=-3), latest(on)))
    data = data | family.child
    if data.get("father") or data.get("mother"):
        # A recorded parent contradicts "birth parents untraceable": the model rejects the pair.
        data["birth_parents_untraceable"] = draw(st.sampled_from([None, False]))
    for role in ("father", "mother"):
        flag = f"{role}_untraceable"
        if flag not in family.child:  # the same for one parent, and the pair flag says both are untraceable
            named = data.get(role) is not None
            data[flag] = draw(st.sampled_from([None, False] if named else [None, False, True]))
            if data["birth_parents_untraceable"] and data[flag] is False:
                data[flag] = None
    if data["birth_parents_untraceable"] is False and data["father_untraceable"] and data["mother_untraceable"]:
        data["mother_untraceable"] = None
    return data


def _economy(draw: st.DrawFn, fixed: Data) -> Data | None:
    if not fixed and draw(unknown):
        return None
    return {
        "dibao": draw(maybe(Dibao)),
        "income_per_capita": opt(draw, income),
        "medical_spending_12m": opt(draw, money),
        "education_spending_12m": opt(draw, money),
        "child_support_unpaid_months": opt(draw, ints(0, 36)),
        "income_drop_pct_3m": opt(draw, pct),
        "assets_over_limit": draw(maybe(BOOL)),
    } | fixed


@st.composite
def _household(draw: st.DrawFn, on: date, shape: str) -> Household:
    family = _SHAPES[shape](draw, on)
    household_id = f"hh{draw(ints(1, 999_999)):06d}"
    ids = {role: f"{household_id}-{role}" for role in family.adults}
    members = [{"id": ids[role], **data} for role, data in family.adults.items()]
    count = draw(ints(1, 4))
    children = [_child(draw, on, f"{household_id}-c{n}", family, ids) for n in range(1, count + 1)]
    data = {
        "id": household_id,
        "members": draw(st.permutations(members)),
        "children": children,
        "economy": _economy(draw, family.economy),
        "housing": draw(maybe(Housing)),
        "parents_relationship": family.relationship or draw(maybe(ParentsRelationship)),
    }
    return Household.model_validate(data)


def households(on: date | None = None, *, shape: str | None = None) -> st.SearchStrategy[Household]:
    """Generate valid households, half of them shaped like the cases the rules care about.

    Args:
        on: the assessment date that ages and durations are placed around (default
            :data:`ASSESSMENT_DATE`); it should not be after today, as birth dates cannot be.
        shape: only this shape: one of ``"orphan"``, ``"unsupported"`` (de facto unsupported),
            ``"left_behind"``, ``"migrant"``, ``"poor"``, ``"free"``. Default: any.

    Returns:
        A strategy of :class:`~riskeval.facts.Household`, each with one to four children. Observed
        dates (births, ``status_since``, visits) are never after ``on``; end dates (``status_until``)
        may be, as a sentence ends in the future.

    Example:
        >>> from hypothesis import given
        >>> @given(households())
        ... def test_every_child_gets_a_tier(household): ...
    """
    day = on or ASSESSMENT_DATE
    if shape is not None:
        if shape not in _SHAPES:
            raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
        return _household(day, shape)
    shaped = pick(SHAPES[:-1]).flatmap(lambda name: _household(day, name))
    return st.one_of(_household(day, "free"), shaped)
