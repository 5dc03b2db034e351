"""The letter's four households (DOMAIN.md §6), for ``riskeval demo`` when ``examples/households/`` is absent.

Facts only, no names: the demo must run from an installed wheel, away from the checkout.
"""

from __future__ import annotations

from typing import Any

_ADULT = {"lives_with_children": True, "status": "present", "civil_capacity": "full", "disability": False}

HOUSEHOLDS: dict[str, dict[str, Any]] = {
    "letter-1-left-behind-brothers": {
        "id": "letter-1",
        "housing": "poor",
        "parents_relationship": "married",
        "members": [
            {
                "id": "f1",
                "relation": "father",
                "status": "away_for_work",
                "status_since": "2019-03-01",
                "lives_with_children": False,
                "contact": "rarely",
                "last_seen_in_person": "2025-02-10",
                "civil_capacity": "full",
                "disability": False,
                "serious_illness": False,
            },
            {
                "id": "m1",
                "relation": "mother",
                "status": "present",
                "lives_with_children": True,
                "disability": {"type": "intellectual", "grade": 3},
                "civil_capacity": "limited",
                "employment": "unable",
            },
            {
                "id": "g1",
                "relation": "grandfather",
                "status": "present",
                "lives_with_children": True,
                "disability": {"type": "intellectual", "grade": 3},
                "civil_capacity": "limited",
            },
        ],
        "children": [
            {
                "id": "c1",
                "birth_date": "2011-04-10",
                "sex": "male",
                "father": "f1",
                "mother": "m1",
                "caregiver": "m1",
                "hukou": {"province": "陕西", "type": "rural"},
                "school": "enrolled",
                "disability": False,
                "psych": "normal",
                "entrusted_care_agreement": False,
            },
            {
                "id": "c2",
                "birth_date": "2015-09-20",
                "sex": "male",
                "father": "f1",
                "mother": "m1",
                "caregiver": "m1",
                "hukou": {"province": "陕西", "type": "rural"},
                "school": "enrolled",
                "disability": {"type": "intellectual", "grade": 3},
                "psych": "normal",
                "entrusted_care_agreement": False,
            },
        ],
    },
    "letter-2-dropout": {
        "id": "letter-2",
        "parents_relationship": "divorced",
        "economy": {"child_support_unpaid_months": 12},
        "members": [
            {"id": "f2", "relation": "father", "status": "present", "lives_with_children": False},
            {"id": "m2", "relation": "mother", "employment": "unemployed", **_ADULT},
        ],
        "children": [
            {
                "id": "c3",
                "birth_date": "2010-06-15",
                "sex": "female",
                "father": "f2",
                "mother": "m2",
                "caregiver": "m2",
                "school": "dropped_out",
                "psych": "serious",
                "working": False,
            },
        ],
    },
    "letter-3-aged-out": {
        "id": "letter-3",
        "economy": {"dibao": "dibao"},
        "members": [
            {
                "id": "f3",
                "relation": "father",
                "status": "present",
                "lives_with_children": True,
                "disability": {"type": "visual", "grade": 2},
            },
            {
                "id": "m3",
                "relation": "mother",
                "status": "present",
                "lives_with_children": True,
                "disability": {"type": "mental", "grade": 3},
            },
        ],
        "children": [
            {
                "id": "c4",
                "birth_date": "2007-03-05",
                "sex": "male",
                "father": "f3",
                "mother": "m3",
                "caregiver": "m3",
                "school": "graduated",
                "working": False,
                "adopted": False,
            },
        ],
    },
    "letter-4-migrant": {
        "id": "letter-4",
        "parents_relationship": "separated",
        "members": [
            {"id": "f4", "relation": "father", "employment": "irregular", **_ADULT},
            {"id": "m4", "relation": "mother", "status": "present", "lives_with_children": False},
        ],
        "children": [
            {
                "id": "c5",
                "birth_date": "2017-05-02",
                "sex": "female",
                "father": "f4",
                "mother": "m4",
                "caregiver": "f4",
                "hukou": {"province": "河南", "county": "410102", "type": "rural"},
                "residence": {"county": "610103", "since": "2022-08-20"},
                "school": "enrolled",
                "medical_insurance": True,
            },
        ],
    },
}
