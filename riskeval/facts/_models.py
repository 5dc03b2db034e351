"""The fact schema: pydantic models of a household, its members and children.

``None`` (or an absent field) always means *unknown*. A known "no" has its own
spelling: ``False`` for a flag, ``[]`` for a list, ``false`` for a disability
certificate that the person does not hold.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from riskeval._privacy import is_resident_id
from riskeval.facts._enums import (
    Behaviour,
    CivilCapacity,
    Contact,
    Dibao,
    DisabilityType,
    Employment,
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
from riskeval.facts._places import CountyCode, ProvinceCode, province_of


def _not_a_resident_id(value: str) -> str:
    # An id is echoed in every result, trigger and error: a person's identity number must never be one.
    if is_resident_id(value):
        raise PydanticCustomError(
            "id_number_as_id",
            "this id has the shape of a resident identity number: use a pseudonymous id (the value is not shown)",
        )
    return value


Id = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"), AfterValidator(_not_a_resident_id)
]
Yuan = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# A count of months no person's record can exceed (a hundred years): a plausibility bound, not a policy,
# so that a typo (1e30) is refused instead of rounded differently by the batch's float columns.
MAX_MONTHS = 1200
# A disability: unknown (None), known absent (False), or the certificate.
LOCATED = "riskeval_located"


def located(problems: list[tuple[tuple[str | int, ...], str, str, Any]]) -> PydanticCustomError:
    """Package cross-field problems so the facts wrapper can place each one on its own path."""
    summary = "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, _code, msg, _v in problems)
    return PydanticCustomError(LOCATED, "{summary}", {"summary": summary, "located": problems})


Problem = tuple[tuple[str | int, ...], str, str, Any]
ROLE_FIELDS = ("father", "mother", "caregiver")


def id_problems(
    members: list[tuple[int, str]], children: list[tuple[int, str, dict[str, Any]]], *, references: bool = True
) -> list[Problem]:
    """Ids used twice, and children's roles naming no member: (index, id) of each member, (index, id,
    roles) of each child. Also run on raw input whose fields failed, so that these are reported with
    the field errors rather than after they are fixed (``references=False`` when some member's id is
    itself bad, and a reference to it cannot be judged)."""
    problems: list[Problem] = []
    seen: dict[str, tuple[str | int, ...]] = {}
    people = [("members", i, pid) for i, pid in members] + [("children", i, pid) for i, pid, _ in children]
    for group, i, pid in people:
        if pid in seen:
            first = "{}[{}]".format(*seen[pid])
            problems.append(((group, i, "id"), "duplicate_id", f"id {pid!r} is already used by {first}", pid))
        else:
            seen[pid] = (group, i)
    member_ids = {pid for _, pid in members}
    for i, _, roles in children if references else ():
        for role in ROLE_FIELDS:
            ref = roles.get(role)
            if ref is not None and ref not in member_ids:
                message = f"{role} {ref!r} names no member of the household (members: {_some(member_ids)})"
                problems.append((("children", i, role), "unknown_member", message, ref))
    return problems


def _some(ids: set[str], shown: int = 5) -> str:
    # a few, not all: with n members and n children, listing all of them made n² of text
    first = sorted(ids)[:shown]
    return ", ".join(map(repr, first)) + (f" and {len(ids) - shown} more" if len(ids) > shown else "") or "none"


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=False)


def _check_birth_date(value: date | None, info: ValidationInfo) -> date | None:
    if value is None:
        return value
    today = (info.context or {}).get("today") or date.today()
    if value > today:
        raise PydanticCustomError(
            "future_date",
            "birth date {value} is after today ({today})",
            {"value": str(value), "today": str(today)},
        )
    if value.year < 1900:
        raise PydanticCustomError("impossible_date", "birth date {value} is before 1900", {"value": str(value)})
    return value


class Disability(_Facts):
    """A disability certificate (GB/T 26341-2010): one type, grade 1 (most severe) to 4."""

    type: DisabilityType | None = None
    grade: Annotated[int, Field(ge=1, le=4, strict=True)] | None = None
    # For a 多重 (multiple) certificate: the component types, which all count.
    components: list[DisabilityType] | None = None


class Economy(_Facts):
    dibao: Dibao | None = None
    income_per_capita: Yuan | None = None
    medical_spending_12m: Yuan | None = None
    education_spending_12m: Yuan | None = None
    child_support_unpaid_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] | None = None
    income_drop_pct_3m: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    assets_over_limit: bool | None = None


class Hukou(_Facts):
    """Where the child's household registration is: GB/T 2260 codes (a name the table resolves is taken too)."""

    province: ProvinceCode | None = None
    county: CountyCode | None = None
    type: HukouType | None = None

    @model_validator(mode="after")
    def _province_of_county(self) -> Hukou:
        # A county code says its province (its first two digits): known, or contradicted.
        if self.county is not None:
            province = province_of(self.county)
            if self.province is None:
                self.province = province
            elif self.province != province:
                message = f"province {self.province} is not the province of county {self.county} ({province})"
                raise located([(("province",), "contradiction", message, self.province)])
        return self


class Residence(_Facts):
    """Where the child lives, since when: a GB/T 2260 county code (a name the table resolves is taken too)."""

    county: CountyCode | None = None
    since: date | None = None


class Member(_Facts):
    """An adult linked to the children: a parent, grandparent, caregiver."""

    id: Id
    name: str | None = Field(default=None, description="Sensitive; never echoed in results or errors.")
    relation: Relation | None = None
    birth_date: date | None = None
    status: MemberStatus | None = None
    status_since: date | None = None
    status_until: date | None = None
    disability: Disability | Literal[False] | None = None
    serious_illness: bool | None = None
    medical_spending_12m: Yuan | None = None
    civil_capacity: CivilCapacity | None = None
    employment: Employment | None = None
    lives_with_children: bool | None = None
    substance_abuse: bool | None = None
    domestic_violence: bool | None = None
    contact: Contact | None = None
    last_seen_in_person: date | None = None

    _birth = field_validator("birth_date")(_check_birth_date)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Member:
        if self.status_since and self.status_until and self.status_until < self.status_since:
            raise located(
                [
                    (
                        ("status_until",),
                        "date_order",
                        f"status_until {self.status_until} is before status_since {self.status_since}",
                        str(self.status_until),
                    )
                ]
            )
        return self


class Child(_Facts):
    """A child of the household, the unit that is assessed."""

    id: Id
    name: str | None = Field(default=None, description="Sensitive; never echoed in results or errors.")
    birth_date: date | None = None
    sex: Sex | None = None
    father: Id | None = None
    mother: Id | None = None
    caregiver: Id | None = None
    hukou: Hukou | None = None
    residence: Residence | None = None
    school: School | None = None
    working: bool | None = None
    disability: Disability | Literal[False] | None = None
    serious_illness: bool | None = None
    medical_insurance: bool | None = None
    psych: Psych | None = None
    behaviour: list[Behaviour] | None = None
    safety: list[Safety] | None = None
    adopted: bool | None = None
    birth_parents_untraceable: bool | None = None
    # Each parent on their own (查找不到: never identified, or cannot be found): a child whose mother died and
    # whose father was never identified is an orphan (国办发〔2010〕54号, read per parent).
    father_untraceable: bool | None = None
    mother_untraceable: bool | None = None
    acts_as_carer: bool | None = None
    entrusted_care_agreement: bool | None = None
    has_residence_permit: bool | None = None
    identified_on: date | None = Field(default=None, description="When the child was first identified.")
    last_visit: date | None = None
    last_full_assessment: date | None = None

    _birth = field_validator("birth_date")(_check_birth_date)

    @model_validator(mode="after")
    def _untraceable_has_no_parent(self) -> Child:
        problems = untraceable_problems(
            self.birth_parents_untraceable,
            self.father_untraceable,
            self.mother_untraceable,
            self.father is not None,
            self.mother is not None,
        )
        if problems:
            raise located(problems)
        return self


def untraceable_problems(
    both: bool | None, father: bool | None, mother: bool | None, names_father: bool, names_mother: bool
) -> list[Problem]:
    """An untraceable parent the child names as a member, or the pair flag disagreeing with the per-parent
    ones (``birth_parents_untraceable`` says both are untraceable). The batch intake runs the same checks."""
    out: list[Problem] = []
    if both and (names_father or names_mother):
        message = "birth_parents_untraceable is true, yet the child names a father or mother"
        out.append((("birth_parents_untraceable",), "contradiction", message, True))
    for role, flag, named in (("father", father, names_father), ("mother", mother, names_mother)):
        field = f"{role}_untraceable"
        if flag and named:
            out.append(((field,), "contradiction", f"{field} is true, yet the child names a {role}", True))
        elif both and flag is False:
            message = f"{field} is false, yet birth_parents_untraceable says both parents are untraceable"
            out.append(((field,), "contradiction", message, False))
    if both is False and father and mother:
        message = "birth_parents_untraceable is false, yet father_untraceable and mother_untraceable are true"
        out.append((("birth_parents_untraceable",), "contradiction", message, False))
    return out


class Household(_Facts):
    """A household: the adults, the children, and its economy and housing."""

    id: Id
    # None (absent) is unknown: who the adults are was not reported. [] says there are none.
    members: list[Member] | None = None
    children: list[Child] = Field(default_factory=list)
    economy: Economy | None = None
    housing: Housing | None = None
    parents_relationship: ParentsRelationship | None = None

    @model_validator(mode="after")
    def _ids_resolve(self) -> Household:
        # Nearly every household passes: settle that with sets first, and locate problems only when one exists.
        members = self.members or ()
        member_ids = {m.id for m in members}
        child_ids = {c.id for c in self.children}
        if (
            len(member_ids) == len(members)
            and len(child_ids) == len(self.children)
            and member_ids.isdisjoint(child_ids)
            and all(
                (c.father is None or c.father in member_ids)
                and (c.mother is None or c.mother in member_ids)
                and (c.caregiver is None or c.caregiver in member_ids)
                for c in self.children
            )
        ):
            return self
        return self._located_id_problems()

    def _located_id_problems(self) -> Household:
        problems = id_problems(
            [(i, m.id) for i, m in enumerate(self.members or [])],
            [(i, c.id, {r: getattr(c, r) for r in ROLE_FIELDS}) for i, c in enumerate(self.children)],
        )
        if problems:
            raise located(problems)
        return self

    def member(self, member_id: str | None) -> Member | None:
        """Return the member with this id, or None."""
        if member_id is None:
            return None
        return next((m for m in self.members or [] if m.id == member_id), None)
