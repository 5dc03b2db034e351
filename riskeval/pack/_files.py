"""The schema of each file of a rule pack (pydantic), checked before any expression is parsed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from riskeval._label import Label

RuleId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
Source = Annotated[str, Field(min_length=3, description="Document number and article, or 'PROPOSAL: why'.")]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Effective(_File):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None

    def covers(self, on: date) -> bool:
        return (self.from_ is None or self.from_ <= on) and (self.to is None or on <= self.to)


class SourceDoc(_File):
    id: str
    title: str
    url: str | None = None
    kind: str = Field(description="LAW, NAT, LETTER, LOCAL, FOREIGN or PROPOSAL")


class VariantOf(_File):
    """The pack a variant was made from, as its stamp said: a variant's results name their base."""

    id: str
    version: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    switched_off: list[str] = Field(
        default_factory=list, description="rules the variant makes never hold (`when: false`, kept for their readers)"
    )


class PackFile(_File):
    id: RuleId | str
    version: str
    label: Label
    jurisdiction: str
    effective: Effective
    sources: list[SourceDoc] = Field(default_factory=list)
    description: str | None = None
    variant_of: VariantOf | None = Field(
        default=None, description="the base pack of a variant made in memory (Pack.variant); absent in a folder"
    )


class DatedValue(_File):
    from_: date = Field(alias="from")
    to: date | None = None
    value: float | int | bool | str | list[str] | list[float]
    note: str | None = None


class Parameter(_File):
    label: Label
    source: Source
    unit: str | None = None
    values: list[DatedValue] = Field(min_length=1)


class RuleRow(_File):
    """A row of predicates, categories or factors: id, label, when, source, optional effective dates."""

    id: RuleId
    label: Label
    when: str
    source: Source
    effective: Effective | None = None
    note: str | None = None


class Predicate(RuleRow):
    args: list[RuleId] = Field(default_factory=list, description="Member parameters, e.g. [m].")


class Category(RuleRow):
    pass


class FactorLevel(_File):
    severity: str
    when: str
    label: Label | None = None


class FactorRow(_File):
    """A risk factor; several levels when its severity depends on the facts (the highest that holds wins)."""

    id: RuleId
    label: Label
    domain: str
    source: Source
    severity: str | None = None
    when: str | None = None
    levels: list[FactorLevel] | None = None
    effective: Effective | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> FactorRow:
        simple = self.severity is not None and self.when is not None
        if simple == (self.levels is not None):
            raise ValueError("give either `severity` and `when`, or `levels` (a list of {severity, when})")
        return self

    def level_list(self) -> list[FactorLevel]:
        if self.levels is not None:
            return self.levels
        assert self.severity is not None and self.when is not None
        return [FactorLevel(severity=self.severity, when=self.when)]


class Severity(_File):
    label: Label
    points: str | None = Field(default=None, description="A parameter name giving the points; none if mandatory.")
    mandatory: bool = False


class Tier(_File):
    id: RuleId
    label: Label
    visit_frequency: RuleId
    source: Source


class TierRow(RuleRow):
    tier: RuleId
    floor: bool = Field(
        default=False, description="While this row holds, no override may set a tier below its tier (a floor)."
    )


class Frequency(_File):
    id: RuleId
    label: Label


class Roster(_File):
    exited: RuleRow
    on_roster: RuleRow


class Display(_File):
    """How tables and plots show the tiers and statuses: a colour each (the order is the tier list's)."""

    colours: dict[str, Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]] = Field(
        description="tier or status id -> '#rrggbb'"
    )
    source: Source


class TiersFile(_File):
    severities: dict[str, Severity]
    domains: dict[str, Label]
    domain_cap: str = Field(description="A parameter name: the cap of each domain's points.")
    tiers: list[Tier] = Field(min_length=1, description="Highest first; hit policy: the highest tier wins.")
    frequencies: list[Frequency]
    rows: list[TierRow]
    roster: Roster
    duties: list[RuleRow] = Field(
        default_factory=list,
        description="What the result must also require when a rule holds (a mandatory report, say); `when` may "
        "read categories, factors, the score and severity counts, as the rows do.",
    )
    display: Display | None = Field(default=None, description="the colour of each tier and status in tables and plots")
