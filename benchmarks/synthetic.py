"""Synthetic populations that look like a district's extract, for benchmarks (never for policy).

The rates below are where a real Chinese urban district sits, roughly: most children live with both
parents and are on no roster; about one in ten is a migrant; left-behind children are a few percent in
the city's core and 15-25% in its outer areas; orphans and de facto unsupported children are a few per
thousand; disability and serious illness are a few percent; and many facts are simply unknown, as in
any registry (birth dates rarely, contact and spending often). Households have one to three children, two
parents most of the time, often a grandparent.

Run ``python benchmarks/synthetic.py 1000`` to print a sample; ``population(n)`` gives the two tables as
pandas DataFrames in the documented layout, with typed columns (categories, dates, nullable booleans,
whole-number ids), or ``string_ids=True`` for ids as text.
"""

from __future__ import annotations

import sys
from datetime import date

import numpy as np
import pandas as pd

from riskeval.facts import (
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
    School,
    Sex,
)
from riskeval.population import Population

ON = date(2026, 6, 1)
HOME = ("陕西省", "西安市碑林区")
ELSEWHERE = (
    ("陕西省", "西安市雁塔区"),
    ("陕西省", "商洛市商州区"),
    ("河南省", "周口市郸城县"),
    ("甘肃省", "天水市秦州区"),
    ("四川省", "南充市营山县"),
)
# Share of households whose parents both work away, by area (the city core, then the outer areas).
LEFT_BEHIND_BY_AREA = (0.01, 0.02, 0.03, 0.05, 0.08, 0.15, 0.20, 0.25)


class _Gen:
    def __init__(self, seed: int, on: date) -> None:
        self.rng = np.random.default_rng(seed)
        self.on = np.datetime64(on, "D")

    def pick(self, n: int, p: dict[object, float]) -> np.ndarray:
        """Codes into ``list(p)`` drawn with the given shares; the share left over is unknown (-1)."""
        keys = list(p)
        probs = np.array([p[k] for k in keys] + [max(0.0, 1 - sum(p.values()))])
        return self.rng.choice(np.arange(-1, len(keys))[np.r_[1 : len(keys) + 1, 0]], size=n, p=probs / probs.sum())

    def cat(self, codes: np.ndarray, values: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=values)

    def enum(self, n: int, enum: type, p: dict[object, float]) -> pd.Categorical:
        members = [e.value for e in enum]
        codes = self.pick(n, p)
        values = [getattr(k, "value", k) for k in p]
        return self.cat(np.where(codes >= 0, np.array([members.index(v) for v in values] + [0])[codes], -1), members)

    def flag(self, n: int, true: float, unknown: float) -> pd.arrays.BooleanArray:
        u = self.rng.random(n)
        return pd.arrays.BooleanArray(u < true, (u >= true) & (u < true + unknown))

    def days_ago(self, n: int, low: float, high: float, unknown: float = 0.0) -> np.ndarray:
        """Dates ``low``..``high`` days before the assessment date (NaT where unknown)."""
        d = self.on - self.rng.integers(int(low), int(high) + 1, n).astype("m8[D]")
        return np.where(self.rng.random(n) < unknown, np.datetime64("NaT"), d).astype("M8[D]")

    def money(self, n: int, median: float, unknown: float, spread: float = 0.8) -> np.ndarray:
        v = np.round(self.rng.lognormal(np.log(median), spread, n), 2)
        return np.where(self.rng.random(n) < unknown, np.nan, v)


def population(n_children: int, *, seed: int = 2025, on: date = ON, string_ids: bool = False) -> Population:
    """About ``n_children`` children (exactly that many) and their households' members, as DataFrames."""
    g = _Gen(seed, on)
    rng = g.rng
    per_hh = rng.choice([1, 2, 3], size=n_children, p=[0.62, 0.30, 0.08])
    h = int(np.searchsorted(np.cumsum(per_hh), n_children)) + 1
    per_hh = per_hh[:h]
    per_hh[-1] -= int(per_hh.sum()) - n_children
    area = rng.integers(0, len(LEFT_BEHIND_BY_AREA), h)
    u = rng.random(h)
    orphan = u < 0.003
    fus = (u >= 0.003) & (u < 0.008)
    left = ~orphan & ~fus & (rng.random(h) < np.array(LEFT_BEHIND_BY_AREA)[area])
    single = ~orphan & ~fus & ~left & (rng.random(h) < 0.08)
    grand = orphan | left | (rng.random(h) < 0.3)
    # --- members: father, mother, maybe a grandparent ------------------------------------------
    has_father = ~single | (rng.random(h) < 0.2)
    has_mother = ~single | ~has_father
    roles = np.stack([has_father, has_mother, grand], axis=1)
    count = roles.sum(axis=1)
    m_hh = np.repeat(np.arange(h), count)
    m_role = np.nonzero(roles)[1]  # 0 father, 1 mother, 2 grandparent, in household order
    m = len(m_hh)
    is_parent = m_role < 2
    status = g.pick(
        m,
        {
            "present": 0.9,
            "away_for_work": 0.03,
            "deceased": 0.003,
            "imprisoned": 0.002,
            "lost_contact": 0.001,
            "compulsory_rehab": 0.0005,
            "deported": 0.0002,
        },
    )
    statuses = [s.value for s in MemberStatus]
    names = ["present", "away_for_work", "deceased", "imprisoned", "lost_contact", "compulsory_rehab", "deported"]
    status = np.where(status >= 0, np.array([statuses.index(s) for s in names])[status], -1)
    away = statuses.index("away_for_work")
    present = statuses.index("present")
    status[(left[m_hh]) & is_parent] = away
    status[m_role == 2] = np.where(rng.random(int((m_role == 2).sum())) < 0.97, present, -1)
    dead = statuses.index(rng.choice(["deceased", "declared_dead"]))
    status[orphan[m_hh] & is_parent] = dead
    situation = [statuses.index(s) for s in ("imprisoned", "lost_contact", "deceased")]
    fus_parent = fus[m_hh] & is_parent
    status[fus_parent] = rng.choice(situation, size=int(fus_parent.sum()))
    held = np.isin(status, [statuses.index("imprisoned"), statuses.index("compulsory_rehab")])
    moved = (status == away) | (status == statuses.index("lost_contact")) | held
    since = np.where(moved, g.days_ago(m, 30, 2000, unknown=0.1), np.datetime64("NaT")).astype("M8[D]")
    until = np.where(held, since + rng.integers(90, 1500, m).astype("m8[D]"), np.datetime64("NaT")).astype("M8[D]")
    until[held & (rng.random(m) < 0.3)] = np.datetime64("NaT")
    old = m_role == 2
    born = np.where(old, g.days_ago(m, 55 * 365, 80 * 365), g.days_ago(m, 24 * 365, 52 * 365))
    born[rng.random(m) < 0.04] = np.datetime64("NaT")
    lives = np.isin(status, [present, -1]) & (rng.random(m) < 0.97)
    cert = rng.random(m)
    disability = pd.arrays.BooleanArray(cert < 0.03, (cert >= 0.9) & (cert < 0.95))
    d_type = np.where(cert < 0.03, rng.integers(0, len(DisabilityType) - 1, m), -1)
    d_grade = np.where(cert < 0.03, rng.integers(1, 5, m), np.nan)
    contact = np.where(status == away, g.pick(m, {Contact.WEEKLY: 0.5, Contact.MONTHLY: 0.3, Contact.RARELY: 0.1}), -1)
    seen = np.where(status == away, g.days_ago(m, 10, 700, unknown=0.3), np.datetime64("NaT")).astype("M8[D]")
    relation = np.array([list(Relation).index(r) for r in (Relation.FATHER, Relation.MOTHER, Relation.GRANDMOTHER)])[
        m_role
    ]
    members = pd.DataFrame(
        {
            "household_id": m_hh,
            "member_id": np.arange(m),
            "relation": g.cat(relation, [r.value for r in Relation]),
            "birth_date": born,
            "status": g.cat(status, statuses),
            "status_since": since,
            "status_until": until,
            "disability": disability,
            "disability.type": g.cat(d_type, [d.value for d in DisabilityType]),
            "disability.grade": d_grade,
            "serious_illness": g.flag(m, 0.02, 0.1),
            "medical_spending_12m": g.money(m, 3000, 0.5),
            "civil_capacity": g.enum(m, CivilCapacity, {CivilCapacity.FULL: 0.9, CivilCapacity.LIMITED: 0.01}),
            "employment": g.enum(
                m,
                Employment,
                {
                    Employment.EMPLOYED: 0.6,
                    Employment.IRREGULAR: 0.15,
                    Employment.UNEMPLOYED: 0.05,
                    Employment.RETIRED: 0.1,
                },
            ),
            "lives_with_children": pd.arrays.BooleanArray(lives, rng.random(m) < 0.03),
            "substance_abuse": g.flag(m, 0.003, 0.2),
            "domestic_violence": g.flag(m, 0.004, 0.15),
            "contact": g.cat(contact, [c.value for c in Contact]),
            "last_seen_in_person": seen,
        }
    )
    # --- children ---------------------------------------------------------------------------------
    n = n_children
    c_hh = np.repeat(np.arange(h), per_hh)
    start = np.zeros(h + 1, np.int64)
    np.cumsum(count, out=start[1:])
    offset = np.cumsum(roles, axis=1) - 1  # position of each role among the household's members
    father = np.where(has_father, start[:-1] + offset[:, 0], -1)[c_hh]
    mother = np.where(has_mother, start[:-1] + offset[:, 1], -1)[c_hh]
    granny = np.where(grand, start[:-1] + offset[:, 2], -1)[c_hh]
    carer = np.where(left[c_hh] | orphan[c_hh] | (mother < 0), granny, mother)
    carer = np.where(carer < 0, np.where(father >= 0, father, granny), carer)
    carer[rng.random(n) < 0.05] = -1
    age_days = rng.integers(0, 18 * 365, n)
    c_born = (g.on - age_days.astype("m8[D]")).astype("M8[D]")
    c_born[rng.random(n) < 0.03] = (g.on - rng.integers(18 * 365 + 5, 19 * 365, 1).astype("m8[D]"))[0]
    c_born[rng.random(n) < 0.02] = np.datetime64("NaT")
    migrant = rng.random(n) < 0.1
    where = rng.integers(0, len(ELSEWHERE), n)
    provinces = [HOME[0], *sorted({p for p, _ in ELSEWHERE} - {HOME[0]})]
    counties = [HOME[1], *[c for _, c in ELSEWHERE]]
    prov = np.where(migrant, np.array([provinces.index(p) for p, _ in ELSEWHERE])[where], 0)
    county = np.where(migrant, where + 1, 0)
    hukou_unknown = rng.random(n) < 0.05
    prov[hukou_unknown], county[hukou_unknown] = -1, -1
    age = age_days // 365
    school_by_age = np.where(age < 6, list(School).index(School.NOT_SCHOOL_AGE), list(School).index(School.ENROLLED))
    school = np.where(rng.random(n) < 0.1, -1, school_by_age)
    school[(age >= 6) & (rng.random(n) < 0.005)] = list(School).index(School.DROPPED_OUT)
    c_cert = rng.random(n)
    safety_cells = ["[]", "abuse", "domestic_violence", "living_alone", "unattended", "runaway", "abandonment"]
    behaviour_cells = ["[]", "truancy", "truancy;nights_away", "delinquency"]
    children = pd.DataFrame(
        {
            "household_id": c_hh,
            "child_id": m + np.arange(n),
            "birth_date": c_born,
            "sex": g.enum(n, Sex, {Sex.MALE: 0.51, Sex.FEMALE: 0.48}),
            "father": pd.arrays.IntegerArray(np.maximum(father, 0), father < 0),
            "mother": pd.arrays.IntegerArray(np.maximum(mother, 0), mother < 0),
            "caregiver": pd.arrays.IntegerArray(np.maximum(carer, 0), carer < 0),
            "hukou.province": g.cat(prov, provinces),
            "hukou.county": g.cat(county, counties),
            "hukou.type": g.enum(n, HukouType, {HukouType.URBAN: 0.6, HukouType.RURAL: 0.3}),
            "residence.county": g.cat(np.where(rng.random(n) < 0.05, -1, 0), counties),
            "residence.since": g.days_ago(n, 30, 3000, unknown=0.2),
            "school": g.cat(school, [s.value for s in School]),
            "working": g.flag(n, 0.005, 0.3),
            "disability": pd.arrays.BooleanArray(c_cert < 0.02, (c_cert >= 0.95)),
            "disability.type": g.cat(
                np.where(c_cert < 0.02, rng.integers(0, 6, n), -1), [d.value for d in DisabilityType]
            ),
            "disability.grade": np.where(c_cert < 0.02, rng.integers(1, 5, n), np.nan),
            "serious_illness": g.flag(n, 0.01, 0.1),
            "medical_insurance": g.flag(n, 0.85, 0.1),
            "psych": g.enum(
                n, Psych, {Psych.NORMAL: 0.75, Psych.CONCERN: 0.04, Psych.SERIOUS: 0.01, Psych.CRISIS: 0.002}
            ),
            "behaviour": g.cat(g.pick(n, {0: 0.7, 1: 0.02, 2: 0.005, 3: 0.002}), behaviour_cells),
            "safety": g.cat(
                g.pick(n, {0: 0.7, 1: 0.003, 2: 0.002, 3: 0.001, 4: 0.002, 5: 0.001, 6: 0.0005}), safety_cells
            ),
            "adopted": g.flag(n, 0.005, 0.1),
            # a foundling names no parent (the fact models refuse untraceable parents who are named)
            "birth_parents_untraceable": pd.arrays.BooleanArray(
                (father < 0) & (mother < 0) & (rng.random(n) < 0.3), (rng.random(n) < 0.3) & (father >= 0)
            ),
            "acts_as_carer": g.flag(n, 0.01, 0.3),
            "entrusted_care_agreement": g.flag(n, 0.3, 0.5),
            "has_residence_permit": g.flag(n, 0.5, 0.4),
            "identified_on": g.days_ago(n, 0, 1500, unknown=0.3),
        }
    )
    dibao = g.enum(h, Dibao, {Dibao.NONE: 0.85, Dibao.LOW_INCOME: 0.03, Dibao.DIBAO: 0.03, Dibao.TEKUN: 0.003})
    home = {
        "household.economy.dibao": dibao,
        "household.economy.income_per_capita": g.money(h, 3200, 0.3, spread=0.5),
        "household.economy.medical_spending_12m": g.money(h, 3000, 0.5, spread=0.7),
        "household.economy.education_spending_12m": g.money(h, 3000, 0.6),
        "household.economy.child_support_unpaid_months": np.where(
            single & (rng.random(h) < 0.3), rng.integers(0, 12, h), np.nan
        ),
        "household.economy.income_drop_pct_3m": np.where(rng.random(h) < 0.2, np.round(rng.random(h) * 60, 1), np.nan),
        "household.housing": g.enum(
            h,
            Housing,
            {
                Housing.ADEQUATE: 0.85,
                Housing.POOR: 0.05,
                Housing.OVERCROWDED: 0.03,
                Housing.DILAPIDATED: 0.005,
                Housing.EVICTION_NOTICE: 0.001,
            },
        ),
        "household.parents_relationship": g.cat(
            np.where(
                single,
                list(ParentsRelationship).index(ParentsRelationship.DIVORCED),
                np.where(
                    orphan,
                    list(ParentsRelationship).index(ParentsRelationship.WIDOWED),
                    np.where(rng.random(h) < 0.1, -1, 0),
                ),
            ),
            [r.value for r in ParentsRelationship],
        ),
    }
    for k, v in home.items():
        children[k] = v[c_hh] if isinstance(v, np.ndarray) else pd.Categorical.from_codes(v.codes[c_hh], v.categories)
    if string_ids:
        for df, cols in (
            (children, ("household_id", "child_id", "father", "mother", "caregiver")),
            (members, ("household_id", "member_id")),
        ):
            for c in cols:
                prefix = "H" if c == "household_id" else "P"
                v = df[c]
                df[c] = [None if pd.isna(x) else f"{prefix}{int(x):08d}" for x in v]
    return Population(children, members)


if __name__ == "__main__":
    pop = population(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(pop.children.head(10))
        print(pop.members.head(10))


def without_unknowns(value: object) -> object:
    """A household as a JSON export gives it: every unknown (None) field left out, at every depth."""
    if isinstance(value, dict):
        return {k: without_unknowns(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_unknowns(v) for v in value]
    return value
