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

_RESIDENT_ID_LENGTH = 18  # GB 11643-1999


def _not_a_resident_id(value: str) -> str:
    # An id is echoed in every result, trigger and error: a person's identity number must never be one. The
    # pattern has passed (no line break), so only 18 characters can have the number's shape: most ids skip the call.
    if len(value) == _RESIDENT_ID_LENGTH and is_resident_id(value):
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

    type: DisabilityType | None = Field(
        default=None,
        description=(
            "The certificate's type: visual 视力, hearing 听力, speech 言语, physical 肢体, intellectual 智力, mental "
            "精神, or multiple 多重. Null or absent: unknown."
        ),
        examples=["intellectual"],
    )
    grade: Annotated[int, Field(ge=1, le=4, strict=True)] | None = Field(
        default=None,
        description="The certificate's grade, 1 (most severe) to 4, an integer. Null or absent: unknown.",
        examples=[2],
    )
    # For a 多重 (multiple) certificate: the component types, which all count.
    components: list[DisabilityType] | None = Field(
        default=None,
        description=(
            "For a multiple (多重) certificate: the types it combines, which all count. Null or absent: not given."
        ),
        examples=[["intellectual", "physical"]],
    )


class Economy(_Facts):
    dibao: Dibao | None = Field(
        default=None,
        description=(
            "The social assistance the household receives: none, low_income (低保边缘, a low-income household), dibao "
            "(低保, the minimum living allowance) or tekun (特困, support for the extremely poor). Null or absent: "
            "unknown. Unknown is not none."
        ),
        examples=["dibao"],
    )
    income_per_capita: Yuan | None = Field(
        default=None,
        description="Household income per person, in yuan per month. Null or absent: unknown. Unknown is never zero.",
        examples=[850.0],
    )
    medical_spending_12m: Yuan | None = Field(
        default=None,
        description=(
            "The household's out-of-pocket medical spending over the last 12 months, in yuan (a 12-month total, not "
            "per month). Null or absent: unknown."
        ),
        examples=[12000.0],
    )
    education_spending_12m: Yuan | None = Field(
        default=None,
        description=(
            "The household's essential education spending over the last 12 months, in yuan (a 12-month total, not per "
            "month). Null or absent: unknown."
        ),
        examples=[3000.0],
    )
    child_support_unpaid_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] | None = Field(
        default=None,
        description=(
            "How many months of child support owed to the children are unpaid, a whole number from 0 (paid up) to "
            "1200. Null or absent: unknown."
        ),
        examples=[3],
    )
    income_drop_pct_3m: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        default=None,
        description=(
            "How far household income fell over the last 3 months, in percent of what it was (0 to 100). Null or "
            "absent: unknown."
        ),
        examples=[40.0],
    )
    assets_over_limit: bool | None = Field(
        default=None,
        description=(
            "The household's assets exceed the limit of the local 低保 means test. Null or absent: unknown. An unknown "
            "is a data gap of the poverty test."
        ),
        examples=[False],
    )


class Hukou(_Facts):
    """Where the child's household registration is: GB/T 2260 codes (a name the table resolves is taken too)."""

    province: ProvinceCode | None = Field(
        default=None,
        description=(
            "The province of the household registration: a GB/T 2260 province code (XX0000) or a name the table "
            "resolves (陕西, 陕西省). Filled in from the county when absent; a contradiction is an error. Null or "
            "absent: unknown."
        ),
        examples=["610000"],
    )
    county: CountyCode | None = Field(
        default=None,
        description=(
            "The county of the household registration: a GB/T 2260 county-level code (six digits), or a name the code "
            "table resolves to one code (碑林区, 西安市碑林区); never compared as free text. Null or absent: unknown."
        ),
        examples=["610103"],
    )
    type: HukouType | None = Field(
        default=None,
        description="The kind of registration: urban or rural. Null or absent: unknown.",
        examples=["urban"],
    )

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

    county: CountyCode | None = Field(
        default=None,
        description=(
            "The county where the child lives now: a GB/T 2260 county-level code (six digits), or a name the code "
            "table resolves to one code (碑林区, 西安市碑林区); never compared as free text. Null or absent: unknown."
        ),
        examples=["410726"],
    )
    since: date | None = Field(
        default=None,
        description=(
            "The date (YYYY-MM-DD) the child began to live in that county; a migrant child's residence period counts "
            "from it (a move inside the same county does not restart it). Null or absent: unknown."
        ),
        examples=["2024-03-01"],
    )


class Member(_Facts):
    """An adult linked to the children: a parent, grandparent, caregiver."""

    id: Id = Field(
        description=(
            "A pseudonymous id, unique in the household: letters, digits and _ . : - (at most 64). It is echoed in "
            "every result, so never a name or an identity number (one shaped like a resident identity number is "
            "refused)."
        ),
        examples=["m1"],
    )
    name: str | None = Field(default=None, description="Sensitive; never echoed in results or errors.")
    relation: Relation | None = Field(
        default=None,
        description=(
            "The member's relation to the children: father, mother, grandfather, grandmother, other_relative, "
            "entrusted_caregiver (委托照护人), step_parent or other. Null or absent: unknown."
        ),
        examples=["mother"],
    )
    birth_date: date | None = Field(
        default=None,
        description="The member's birth date (YYYY-MM-DD), not after today nor before 1900. Null or absent: unknown.",
        examples=["1985-04-12"],
    )
    status: MemberStatus | None = Field(
        default=None,
        description=(
            "Where the member is, and why: present, away_for_work (working outside the county), deceased, "
            "declared_dead or declared_missing (by a court), imprisoned, compulsory_rehab (强制隔离戒毒), "
            "liberty_restricted, lost_contact (失联, reported to the police), guardianship_revoked (by a court) or "
            "deported. Null or absent: unknown."
        ),
        examples=["away_for_work"],
    )
    status_since: date | None = Field(
        default=None,
        description=(
            "When the status began (YYYY-MM-DD): the date of death, of detention, of the court's declaration; for "
            "lost_contact the date the police accepted the report. The 62号 durations count from it. Null or absent: "
            "unknown."
        ),
        examples=["2025-02-10"],
    )
    status_until: date | None = Field(
        default=None,
        description=(
            "When the status ends (YYYY-MM-DD): the end of a sentence, of rehab or of a restriction; the term is "
            "status_until − status_since, not before it. Null or absent: unknown. An unknown end is an unknown term."
        ),
        examples=["2027-02-09"],
    )
    disability: Disability | Literal[False] | None = Field(
        default=None,
        description=(
            "The member's disability certificate (GB/T 26341-2010); false: the member holds none. Null or absent: "
            "unknown."
        ),
        examples=[{"type": "mental", "grade": 3}],
    )
    serious_illness: bool | None = Field(
        default=None,
        description=(
            "The member has a serious illness (重病): a diagnosis on the locality's list. (Spending is "
            "medical_spending_12m.) Null or absent: unknown."
        ),
        examples=[False],
    )
    medical_spending_12m: Yuan | None = Field(
        default=None,
        description=(
            "The member's out-of-pocket medical spending over the last 12 months, in yuan (a 12-month total, not per "
            "month). Null or absent: unknown."
        ),
        examples=[25000.0],
    )
    civil_capacity: CivilCapacity | None = Field(
        default=None,
        description="The member's civil capacity (民事行为能力): full, limited or none. Null or absent: unknown.",
        examples=["full"],
    )
    employment: Employment | None = Field(
        default=None,
        description=(
            "The member's work: employed, irregular (odd jobs, long or irregular hours), unemployed, unable (cannot "
            "work) or retired. Null or absent: unknown."
        ),
        examples=["irregular"],
    )
    lives_with_children: bool | None = Field(
        default=None,
        description="The member lives in the same home as the children. Null or absent: unknown.",
        examples=[True],
    )
    substance_abuse: bool | None = Field(
        default=None, description="The member abuses alcohol or drugs. Null or absent: unknown.", examples=[False]
    )
    domestic_violence: bool | None = Field(
        default=None,
        description="The member commits domestic violence in the household. Null or absent: unknown.",
        examples=[False],
    )
    contact: Contact | None = Field(
        default=None,
        description=(
            "How often the member, when away, is in touch with the children: weekly, monthly, rarely or none. Null or "
            "absent: unknown."
        ),
        examples=["monthly"],
    )
    last_seen_in_person: date | None = Field(
        default=None,
        description="The last day (YYYY-MM-DD) the member met the children in person. Null or absent: unknown.",
        examples=["2025-02-01"],
    )

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

    id: Id = Field(
        description=(
            "A pseudonymous id, unique in the household: letters, digits and _ . : - (at most 64). It is echoed in "
            "every result, so never a name or an identity number (one shaped like a resident identity number is "
            "refused)."
        ),
        examples=["c1"],
    )
    name: str | None = Field(default=None, description="Sensitive; never echoed in results or errors.")
    birth_date: date | None = Field(
        default=None,
        description=(
            "The child's birth date (YYYY-MM-DD), not after today. Ages are completed years (周岁) on the assessment "
            "date. Null or absent: unknown. Every rule that needs the age is then unknown."
        ),
        examples=["2011-05-20"],
    )
    sex: Sex | None = Field(default=None, description="male or female. Null or absent: unknown.", examples=["female"])
    father: Id | None = Field(
        default=None,
        description=(
            "The id of the member who is the child's father. Null or absent: no father among the members (see "
            "father_untraceable)."
        ),
        examples=["m1"],
    )
    mother: Id | None = Field(
        default=None,
        description=(
            "The id of the member who is the child's mother. Null or absent: no mother among the members (see "
            "mother_untraceable)."
        ),
        examples=["m2"],
    )
    caregiver: Id | None = Field(
        default=None,
        description=(
            "The id of the member who cares for the child day to day (the primary caregiver). Null or absent: unknown."
        ),
        examples=["m3"],
    )
    hukou: Hukou | None = Field(
        default=None,
        description="Where the child's household registration (户口) is. Null or absent: unknown.",
        examples=[{"province": "610000", "county": "610103", "type": "urban"}],
    )
    residence: Residence | None = Field(
        default=None,
        description="Where the child lives now, and since when. Null or absent: unknown.",
        examples=[{"county": "610103", "since": "2019-09-01"}],
    )
    school: School | None = Field(
        default=None,
        description=(
            "The child's schooling: enrolled, suspended (休学), dropped_out, not_enrolled, graduated or "
            "not_school_age. Null or absent: unknown."
        ),
        examples=["enrolled"],
    )
    working: bool | None = Field(
        default=None, description="The child works (a job, not school). Null or absent: unknown.", examples=[False]
    )
    disability: Disability | Literal[False] | None = Field(
        default=None,
        description=(
            "The child's disability certificate (GB/T 26341-2010); false: the child holds none. Null or absent: "
            "unknown."
        ),
        examples=[False],
    )
    serious_illness: bool | None = Field(
        default=None,
        description=(
            "The child has a serious illness (重病): a diagnosis on the locality's list. Null or absent: unknown."
        ),
        examples=[False],
    )
    medical_insurance: bool | None = Field(
        default=None,
        description="The child is covered by basic medical insurance where they live. Null or absent: unknown.",
        examples=[True],
    )
    psych: Psych | None = Field(
        default=None,
        description=(
            "The latest psychological screening or diagnosis: normal, concern (厌学, social difficulty), serious (a "
            "serious problem, diagnosed or screened) or crisis (suicidal ideation, self-harm, an acute psychiatric "
            "crisis). Null or absent: unknown."
        ),
        examples=["concern"],
    )
    behaviour: list[Behaviour] | None = Field(
        default=None,
        description=(
            "Behaviour problems seen: any of truancy, nights_away, delinquency; [] says none. Null or absent: unknown."
        ),
        examples=[["truancy"]],
    )
    safety: list[Safety] | None = Field(
        default=None,
        description=(
            "Safety concerns reported or substantiated: any of abuse, domestic_violence, sexual_abuse, abandonment, "
            "trafficking, living_alone, unattended, missing, runaway, vagrant; [] says none. Null or absent: unknown."
        ),
        examples=[[]],
    )
    adopted: bool | None = Field(
        default=None,
        description=(
            "The child has been adopted (adoption ends orphan and de facto unsupported status). Null or absent: "
            "unknown."
        ),
        examples=[False],
    )
    birth_parents_untraceable: bool | None = Field(
        default=None,
        description=(
            "Neither birth parent can be identified or found (查找不到生父母); true contradicts a father or mother id. "
            "Null or absent: unknown."
        ),
        examples=[False],
    )
    # Each parent on their own (查找不到: never identified, or cannot be found): a child whose mother died and
    # whose father was never identified is an orphan (国办发〔2010〕54号, read per parent).
    father_untraceable: bool | None = Field(
        default=None,
        description=(
            "The father cannot be identified or found (查找不到), on his own; true contradicts a father id. Null or "
            "absent: unknown."
        ),
        examples=[False],
    )
    mother_untraceable: bool | None = Field(
        default=None,
        description=(
            "The mother cannot be identified or found (查找不到), on her own; true contradicts a mother id. Null or "
            "absent: unknown."
        ),
        examples=[False],
    )
    acts_as_carer: bool | None = Field(
        default=None,
        description="The child looks after a disabled or sick family member. Null or absent: unknown.",
        examples=[False],
    )
    entrusted_care_agreement: bool | None = Field(
        default=None,
        description=(
            "A parent away for work has entrusted the child's care to someone in writing (未成年人保护法 Art. 22). "
            "Null or absent: unknown."
        ),
        examples=[True],
    )
    has_residence_permit: bool | None = Field(
        default=None,
        description="The child holds a residence permit (居住证) where they live. Null or absent: unknown.",
        examples=[False],
    )
    identified_on: date | None = Field(
        default=None,
        description=(
            "The date (YYYY-MM-DD) the child was first identified and registered; the first visit is due a deadline "
            "after it, and it is evidence that the child was on the roster. A record, not a fact to be verified: "
            "null or absent means no identification on record, so an adult is counted as having left the roster "
            "(exited) only when the other facts show they were on it before turning 18."
        ),
        examples=["2025-11-20"],
    )
    last_visit: date | None = Field(
        default=None,
        description=(
            "The date (YYYY-MM-DD) of the last home visit; the visit cadence counts from it. Null or absent: unknown. "
            "The cadence then counts from the assessment date."
        ),
        examples=["2025-10-15"],
    )
    last_full_assessment: date | None = Field(
        default=None,
        description=(
            "The date (YYYY-MM-DD) of the last full assessment; the next is due one interval after it. Null or absent: "
            "unknown. The next full assessment is then due at once."
        ),
        examples=["2025-01-10"],
    )

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

    id: Id = Field(
        description=(
            "A pseudonymous id, unique in the household: letters, digits and _ . : - (at most 64). It is echoed in "
            "every result, so never a name or an identity number (one shaped like a resident identity number is "
            "refused)."
        ),
        examples=["hh-2025-0001"],
    )
    # None (absent) is unknown: who the adults are was not reported. [] says there are none.
    members: list[Member] | None = Field(
        default=None,
        description=(
            "The adults linked to the children: parents, grandparents, caregivers. Null or absent: who the adults are "
            "was not reported (unknown); [] says there are none."
        ),
    )
    children: list[Child] = Field(
        default_factory=list, description="The children, each assessed on their own. Absent: [] (no child to assess)."
    )
    economy: Economy | None = Field(
        default=None,
        description=(
            "The household's assistance, income, spending and assets. Null or absent: unknown. (every economic fact)."
        ),
    )
    housing: Housing | None = Field(
        default=None,
        description=(
            "The home: adequate, poor, overcrowded, dilapidated (危房), eviction_notice or homeless. Null or absent: "
            "unknown."
        ),
        examples=["poor"],
    )
    parents_relationship: ParentsRelationship | None = Field(
        default=None,
        description=(
            "The relationship of the children's parents: married, separated, divorced, widowed or never_married. Null "
            "or absent: unknown."
        ),
        examples=["divorced"],
    )

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
