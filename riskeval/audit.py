"""The audit stamp of an assessment, and the published JSON Schema of results.

Every :class:`~riskeval.results.HouseholdAssessment` says which rules decided (pack id, version, sha256),
which riskeval ran them, on which date, and on which facts (``input_sha256``: the sha256 of the canonical
JSON of the validated facts, :func:`canonical_json`). The same facts, pack and date give the same result,
byte for byte, in any process, so an auditor can re-run an assessment and compare.

The schema file ``docs/schema/result.schema.json`` is what integrators read; a test keeps it equal to the
models, so regenerate it after a change to the result models::

    riskeval rules schema result > docs/schema/result.schema.json
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError

from riskeval._schemafiles import write_schema_files
from riskeval._version import __version__
from riskeval.facts import Household, text_problem
from riskeval.results import HouseholdAssessment

__all__ = ["canonical_json", "input_sha256", "result_schema", "riskeval_version", "write_result_schema"]

_ID = "urn:riskeval:results:household-assessment"


@cache
def riskeval_version() -> str:
    """The version of riskeval that is running (stamped on every result)."""
    return __version__


def canonical_json(household: Household) -> bytes:
    """The canonical JSON of validated facts: unknown fields left out, no spaces, UTF-8 (Chinese unescaped).

    Keys come in the order the fact models declare their fields (``riskeval/facts/_models.py``: a household's
    ``id``, ``members``, ``children``, ...), whatever order the input gave them in; list items keep their
    order. A field given as ``null`` and a field left out both mean unknown, so they give the same bytes, and
    a dict, its JSON text and the Household validated from it give the same bytes too.

    Why declaration order and not sorted keys: pydantic's serializer writes these bytes in one pass, while
    sorted keys needed ``model_dump`` and then ``json.dumps(sort_keys=True)``, about 2.5 times as long (the
    costliest stage of an assessment after evaluation and explanation). The field order is therefore part of
    the digest: tests/test_audit.py pins one household's digest, so that reordering, renaming or retyping a
    fact field is a deliberate change of every digest, not an accident.
    """
    try:
        return household.__pydantic_serializer__.to_json(household, exclude_none=True)
    except PydanticSerializationError:  # a lone surrogate in free text: the household is refused, located
        raise text_problem(household) from None


def input_sha256(household: Household) -> str:
    """The sha256 (hex) of the canonical JSON of a household's validated facts."""
    return hashlib.sha256(canonical_json(household)).hexdigest()


def result_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a HouseholdAssessment's ``model_dump(mode="json")``.

    Example:
        >>> result_schema()["$id"]
        'urn:riskeval:results:household-assessment'
    """
    schema = HouseholdAssessment.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = _ID
    schema["title"] = "riskeval HouseholdAssessment"
    return schema


def write_result_schema(directory: str | Path) -> Path:
    """Write ``result.schema.json`` into a directory (created if missing) and return its path."""
    (path,) = write_schema_files({"result": result_schema()}, directory)
    return path
