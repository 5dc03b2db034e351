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
    from_: date | None = Field(
        default=None,
        alias="from",
        description="The first day the rule applies (YYYY-MM-DD); absent: from the pack's start.",
        examples=["2025-01-01"],
    )
    to: date | None = Field(
        default=None, description="The last day the rule applies (YYYY-MM-DD); absent: no end.", examples=["2025-12-31"]
    )

    def covers(self, on: date) -> bool:
        return (self.from_ is None or self.from_ <= on) and (self.to is None or on <= self.to)


class SourceDoc(_File):
    id: str = Field(description="A short id the rules' source fields cite.", examples=["MINOR-PROTECTION"])
    title: str = Field(
        description="The document's number and title.",
        examples=["中华人民共和国未成年人保护法 (2020 修订)"],
    )
    url: str | None = Field(default=None, description="Where the public text is; absent when none is known.")
    kind: str = Field(description="LAW, NAT, LETTER, LOCAL, FOREIGN or PROPOSAL")


class VariantOf(_File):
    """The pack a variant was made from, as its stamp said: a variant's results name their base."""

    id: str = Field(description="The base pack's id.", examples=["beilin-2025"])
    version: str = Field(description="The base pack's version.", examples=["0.3.0"])
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="The sha256 of the base pack's normalised content.")
    switched_off: list[str] = Field(
        default_factory=list, description="rules the variant makes never hold (`when: false`, kept for their readers)"
    )


class PackFile(_File):
    id: RuleId | str = Field(
        description="The pack's id, stamped on every result (letters, digits, - and _).", examples=["beilin-2025"]
    )
    version: str = Field(
        description="The pack's version, stamped on every result; raise it with every change of a result.",
        examples=["0.3.0"],
    )
    label: Label = Field(description="The pack's name in zh and en.")
    jurisdiction: str = Field(
        description="Where the pack's policy applies (a place and its administrative division code).",
        examples=["陕西省西安市碑林区 610103"],
    )
    effective: Effective = Field(
        description="The period the pack covers: an assessment dated outside it is refused (out_of_period).",
        examples=[{"from": "2025-01-01"}],
    )
    sources: list[SourceDoc] = Field(
        default_factory=list, description="The documents the rules cite, each with an id, title, url and kind."
    )
    description: str | None = Field(default=None, description="What the pack is, in a few sentences; absent: none.")
    variant_of: VariantOf | None = Field(
        default=None, description="the base pack of a variant made in memory (Pack.variant); absent in a folder"
    )


class DatedValue(_File):
    from_: date = Field(
        alias="from", description="The first day this value applies (YYYY-MM-DD).", examples=["2025-01-01"]
    )
    to: date | None = Field(
        default=None,
        description="The last day it applies (YYYY-MM-DD); absent: until a later value's from.",
        examples=["2025-12-31"],
    )
    value: float | int | bool | str | list[str] | list[float] = Field(
        description="The value: a number (in the parameter's unit), a flag, a text or a list.", examples=[1500]
    )
    note: str | None = Field(
        default=None, description="Why this value, or how sure it is (a placeholder says so); absent: none."
    )


class Parameter(_File):
    label: Label = Field(description="What the number is, in zh and en.")
    source: Source
    unit: str | None = Field(
        default=None,
        description="The value's unit, e.g. yuan/month, months, years, percent; absent: a flag or a text.",
        examples=["yuan"],
    )
    values: list[DatedValue] = Field(
        min_length=1,
        description="The dated values, at least one; on a date, the one with the latest from that covers it applies.",
    )


class RuleRow(_File):
    """A row of predicates, categories or factors: id, label, when, source, optional effective dates."""

    id: RuleId = Field(
        description="The rule's id, unique in the pack: a letter, then letters, digits and _.", examples=["orphan"]
    )
    label: Label = Field(description="The rule's name in zh and en, used in explanations.")
    when: str = Field(
        description=(
            "When the rule holds. An expression of the rule language (docs/rules.md), three-valued: an unknown fact "
            "makes it unknown."
        ),
        examples=["child.age < 18 and both_parents_gone"],
    )
    source: Source
    effective: Effective | None = Field(
        default=None, description="The dates the rule applies between; absent: the whole pack period."
    )
    note: str | None = Field(
        default=None, description="A remark for the reader of the pack (how a text was read); absent: none."
    )


class Predicate(RuleRow):
    args: list[RuleId] = Field(default_factory=list, description="Member parameters, e.g. [m].")


class Category(RuleRow):
    pass


class FactorLevel(_File):
    severity: str = Field(description="The severity this level holds at: a severity id of tiers.yaml.", examples=["H"])
    when: str = Field(
        description=(
            "When this level holds. An expression of the rule language (docs/rules.md), three-valued: an unknown fact "
            "makes it unknown."
        ),
        examples=["count(b for b in child.behaviour) >= 2"],
    )
    label: Label | None = Field(default=None, description="This level's name in zh and en; absent: the factor's.")


class FactorRow(_File):
    """A risk factor; several levels when its severity depends on the facts (the highest that holds wins)."""

    id: RuleId = Field(description="The factor's code, unique in the pack.", examples=["C6"])
    label: Label = Field(description="The factor's name in zh and en.")
    domain: str = Field(
        description="The domain whose points it adds to: a domain id of tiers.yaml.", examples=["child"]
    )
    source: Source
    severity: str | None = Field(
        default=None, description="The severity, with when; or give levels instead.", examples=["H"]
    )
    when: str | None = Field(
        default=None,
        description=(
            "When it holds, with severity; or give levels instead. An expression of the rule language (docs/rules.md), "
            "three-valued: an unknown fact makes it unknown."
        ),
    )
    levels: list[FactorLevel] | None = Field(
        default=None, description="Several severities, each with its when; the most severe that holds wins."
    )
    effective: Effective | None = Field(
        default=None, description="The dates the factor applies between; absent: the whole pack period."
    )
    note: str | None = Field(default=None, description="A remark for the reader of the pack; absent: none.")

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
    label: Label = Field(description="The severity's name in zh and en.")
    points: str | None = Field(default=None, description="A parameter name giving the points; none if mandatory.")
    mandatory: bool = Field(
        default=False,
        description="A factor of this severity sets the top tier whatever the score (an M factor).",
        examples=[False],
    )


class Tier(_File):
    id: RuleId = Field(description="The tier's id, as results name it.", examples=["special"])
    label: Label = Field(description="The tier's name in zh and en.")
    visit_frequency: RuleId = Field(
        description="The visit frequency of the tier: a frequency id of this file.", examples=["monthly"]
    )
    source: Source


class TierRow(RuleRow):
    tier: RuleId = Field(description="The tier this row gives when its when holds.", examples=["special"])
    floor: bool = Field(
        default=False, description="While this row holds, no override may set a tier below its tier (a floor)."
    )


class Frequency(_File):
    id: RuleId = Field(
        description="The frequency's id, as results name it; schedule.yaml gives its cadence.", examples=["quarterly"]
    )
    label: Label = Field(description="The frequency's name in zh and en.")


class Roster(_File):
    exited: RuleRow = Field(description="When a child has left the roster (aged out after being on it).")
    on_roster: RuleRow = Field(description="When a child is on the roster.")


class Display(_File):
    """How tables and plots show the tiers and statuses: a colour each (the order is the tier list's)."""

    colours: dict[str, Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]] = Field(
        description="tier or status id -> '#rrggbb'"
    )
    source: Source


class TiersFile(_File):
    severities: dict[str, Severity] = Field(
        description="Severity id -> its label, points (a parameter name) and whether it is mandatory."
    )
    domains: dict[str, Label] = Field(
        description="Domain id -> its label; each domain's points are capped by domain_cap."
    )
    domain_cap: str = Field(description="A parameter name: the cap of each domain's points.")
    tiers: list[Tier] = Field(min_length=1, description="Highest first; hit policy: the highest tier wins.")
    frequencies: list[Frequency] = Field(description="The visit frequencies the tiers name.")
    rows: list[TierRow] = Field(
        description="The tier table: each row a when and the tier it gives; the highest tier that holds wins."
    )
    roster: Roster = Field(description="The two rules of the roster status: on_roster and exited.")
    duties: list[RuleRow] = Field(
        default_factory=list,
        description="What the result must also require when a rule holds (a mandatory report, say); `when` may "
        "read categories, factors, the score and severity counts, as the rows do.",
    )
    display: Display | None = Field(default=None, description="the colour of each tier and status in tables and plots")
