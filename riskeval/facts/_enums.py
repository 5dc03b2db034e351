"""The closed vocabularies of the fact schema (DESIGN.md, "Facts").

Values are the JSON strings of the contract with integrators: extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum
from operator import attrgetter


class Dibao(StrEnum):
    NONE = "none"
    LOW_INCOME = "low_income"
    DIBAO = "dibao"
    TEKUN = "tekun"


class Housing(StrEnum):
    ADEQUATE = "adequate"
    POOR = "poor"
    OVERCROWDED = "overcrowded"
    DILAPIDATED = "dilapidated"
    EVICTION_NOTICE = "eviction_notice"
    HOMELESS = "homeless"


class ParentsRelationship(StrEnum):
    MARRIED = "married"
    SEPARATED = "separated"
    DIVORCED = "divorced"
    WIDOWED = "widowed"
    NEVER_MARRIED = "never_married"


class Relation(StrEnum):
    FATHER = "father"
    MOTHER = "mother"
    GRANDFATHER = "grandfather"
    GRANDMOTHER = "grandmother"
    OTHER_RELATIVE = "other_relative"
    ENTRUSTED_CAREGIVER = "entrusted_caregiver"
    STEP_PARENT = "step_parent"
    OTHER = "other"


class MemberStatus(StrEnum):
    PRESENT = "present"
    AWAY_FOR_WORK = "away_for_work"
    DECEASED = "deceased"
    DECLARED_DEAD = "declared_dead"
    DECLARED_MISSING = "declared_missing"
    IMPRISONED = "imprisoned"
    COMPULSORY_REHAB = "compulsory_rehab"
    LIBERTY_RESTRICTED = "liberty_restricted"
    LOST_CONTACT = "lost_contact"
    GUARDIANSHIP_REVOKED = "guardianship_revoked"
    DEPORTED = "deported"


class CivilCapacity(StrEnum):
    FULL = "full"
    LIMITED = "limited"
    NONE = "none"


class Employment(StrEnum):
    EMPLOYED = "employed"
    IRREGULAR = "irregular"
    UNEMPLOYED = "unemployed"
    UNABLE = "unable"
    RETIRED = "retired"


class Contact(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    RARELY = "rarely"
    NONE = "none"


class DisabilityType(StrEnum):
    """The seven certificate types of GB/T 26341-2010."""

    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    PHYSICAL = "physical"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class HukouType(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class School(StrEnum):
    ENROLLED = "enrolled"
    SUSPENDED = "suspended"
    DROPPED_OUT = "dropped_out"
    NOT_ENROLLED = "not_enrolled"
    GRADUATED = "graduated"
    NOT_SCHOOL_AGE = "not_school_age"


class Psych(StrEnum):
    NORMAL = "normal"
    CONCERN = "concern"
    SERIOUS = "serious"
    CRISIS = "crisis"


class Behaviour(StrEnum):
    TRUANCY = "truancy"
    NIGHTS_AWAY = "nights_away"
    DELINQUENCY = "delinquency"


class Safety(StrEnum):
    ABUSE = "abuse"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SEXUAL_ABUSE = "sexual_abuse"
    ABANDONMENT = "abandonment"
    TRAFFICKING = "trafficking"
    LIVING_ALONE = "living_alone"
    UNATTENDED = "unattended"
    MISSING = "missing"
    RUNAWAY = "runaway"
    VAGRANT = "vagrant"


class EventType(StrEnum):
    """The household events of DOMAIN.md §5."""

    ABUSE_REPORTED = "abuse_reported"
    CHILD_ALONE = "child_alone"
    CHILD_MISSING = "child_missing"
    CAREGIVER_LOST = "caregiver_lost"
    CHILD_CRISIS = "child_crisis"
    HOME_DISASTER = "home_disaster"
    PARENT_DIED = "parent_died"
    PARENT_DETAINED = "parent_detained"
    PARENT_LOST_CONTACT = "parent_lost_contact"
    COURT_DECLARATION = "court_declaration"
    SERIOUS_ILLNESS_DIAGNOSED = "serious_illness_diagnosed"
    DISABILITY_CERTIFIED = "disability_certified"
    SCHOOL_DROPOUT = "school_dropout"
    PARENT_LEFT_FOR_WORK = "parent_left_for_work"
    PARENT_RETURNED = "parent_returned"
    HOUSEHOLD_MOVED = "household_moved"
    HOUSING_LOST = "housing_lost"
    PARENTS_SEPARATED = "parents_separated"
    CHILD_SUPPORT_STOPPED = "child_support_stopped"
    JOB_LOST = "job_lost"
    DIBAO_CHANGED = "dibao_changed"
    MEDICAL_EXPENSE = "medical_expense"
    PARENT_RELEASED = "parent_released"
    ADOPTION_FINALISED = "adoption_finalised"
    VISIT_OVERDUE = "visit_overdue"
    ACCESS_REFUSED = "access_refused"


class DetentionKind(StrEnum):
    """What ``parent_detained`` says happened (the member status it sets)."""

    IMPRISONED = "imprisoned"
    COMPULSORY_REHAB = "compulsory_rehab"
    LIBERTY_RESTRICTED = "liberty_restricted"


class CourtDeclarationKind(StrEnum):
    DECLARED_DEAD = "declared_dead"
    DECLARED_MISSING = "declared_missing"
    GUARDIANSHIP_REVOKED = "guardianship_revoked"
    DEPORTED = "deported"


class SeparationKind(StrEnum):
    SEPARATED = "separated"
    DIVORCED = "divorced"
    CUSTODY_CHANGE = "custody_change"
    NEW_COHABITANT = "new_cohabitant"


class ReleaseKind(StrEnum):
    RELEASED = "released"
    CONTACT_REGAINED = "contact_regained"
    CERTIFICATE_DOWNGRADED = "certificate_downgraded"


class DibaoChange(StrEnum):
    GRANTED = "granted"
    REDUCED = "reduced"
    STOPPED = "stopped"


class HousingLossKind(StrEnum):
    EVICTION_NOTICE = "eviction_notice"
    HOMELESS = "homeless"
    DILAPIDATED = "dilapidated"


# Enum's own ``value`` is a descriptor written in Python (two Python calls a read), and pydantic's serializer
# reads it for every enum it writes: a third of the time of a household's canonical JSON (the input digest).
# Each vocabulary reads the member's ``_value_`` through a property in C instead: the same string.
_VALUE = property(attrgetter("_value_"), doc="The member's value: its JSON string in the contract.")


def _values_read_in_c() -> None:
    for vocabulary in list(globals().values()):
        if isinstance(vocabulary, type) and issubclass(vocabulary, StrEnum) and vocabulary is not StrEnum:
            type.__setattr__(vocabulary, "value", _VALUE)


_values_read_in_c()
