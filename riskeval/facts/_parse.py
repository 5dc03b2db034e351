"""Turn raw input into fact models, and pydantic's errors into riskeval's records."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from riskeval._privacy import REDACTED, is_resident_id, scrub_text, scrubbed
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts._event import Event
from riskeval.facts._guard import capped, deeper_than_limit, format_loc, too_deep, too_many
from riskeval.facts._input import Unparsed, loads
from riskeval.facts._models import LOCATED, ROLE_FIELDS, Household, id_problems

M = TypeVar("M", bound=BaseModel)
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # the fact models' Id, to judge raw ids before they are validated
# Fields whose values identify a person: never echoed back, whatever went wrong.
SENSITIVE = frozenset({"name", "id_number", "phone", "address"})

# pydantic's error types, renamed to the stable codes riskeval documents.
_CODES = {
    "extra_forbidden": "unknown_field",
    "enum": "enum",
    "literal_error": "enum",
    "date_from_datetime_parsing": "invalid_date",
    "date_parsing": "invalid_date",
    "date_type": "invalid_date",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "finite_number": "out_of_range",
    "missing": "missing",
}


_CHILDREN_UNKNOWN = (
    "children is null, which means unknown: a household whose children are unknown cannot be assessed "
    "(leave the field out, or give [], for a household with no children)"
)


def _field_parts(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # Unions put the branch name ("Disability", "literal[False]") into loc; it is not a field.
    return tuple(p for p in loc if isinstance(p, int) or (p and p[0].islower() and "[" not in p))


def records_from(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[ErrorRecord]:
    """Translate a pydantic ValidationError into located, redacted records."""
    out: list[ErrorRecord] = []
    seen: set[tuple[str, str]] = set()
    for err in error.errors(include_url=False):
        loc = err["loc"]
        if err["type"] == "extra_forbidden" and loc:
            # the last part is the unknown key itself, whatever it looks like (``Name``, a Han word, 0)
            base = prefix + _field_parts(loc[:-1]) + (str(loc[-1]),)
        else:
            base = prefix + _field_parts(loc)
        if err["type"] == LOCATED:
            for sub, code, msg, value in err["ctx"]["located"]:
                out.append(_record(base + tuple(sub), code, msg, value))
            continue
        if err["type"] == "literal_error" and isinstance(err.get("input"), Mapping):
            continue  # the `false` branch of a certificate union: the dict branch's error says more
        code = _CODES.get(err["type"], err["type"])
        value = err.get("input")
        message = err["msg"]
        if base == ("children",) and value is None and code == "list_type":
            # null is unknown everywhere; an unknown list of children cannot be assessed (absent is none)
            code, message = "children_unknown", _CHILDREN_UNKNOWN
        if code == "unknown_field":
            message = f"unknown field {scrub_text(str(base[-1]))!r}{_did_you_mean(error.title, loc)}"
            value = REDACTED
        elif code == "invalid_date":
            message = f"{message}: expected a date as YYYY-MM-DD"
        record = _record(base, code, message, value)
        key = (record.loc, record.code)
        if key not in seen:  # a union reports one error per branch: keep the first of each
            seen.add(key)
            out.append(record)
    return out


def _did_you_mean(title: str, loc: tuple[Any, ...]) -> str:
    """The closest field name of the model the unknown key sits in, as rule files suggest one for a misspelt
    fact name; else a pointer to the schema."""
    fields = _fields_at(_ROOTS.get(title), loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), sorted(fields), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else " (a typo? see the fact schema in docs/schema/)"


_ROOTS: dict[str, type[BaseModel]] = {"Household": Household, "Event": Event}


def _fields_at(model: type[BaseModel] | None, path: tuple[Any, ...]) -> set[str]:
    """The field names of the model found by following ``path`` (field names; indexes and union branch
    names are passed over) from ``model``."""
    for part in path:
        if model is None:
            return set()
        if isinstance(part, str) and part in model.model_fields:
            model = _model_in(model.model_fields[part].annotation)
    return set(model.model_fields) if model is not None else set()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The fact model inside an annotation (``list[Member] | None`` -> Member), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _record(loc: tuple[str | int, ...], code: str, message: str, value: Any) -> ErrorRecord:
    if loc and loc[-1] in SENSITIVE:
        value = REDACTED
    elif isinstance(value, Mapping | list):
        value = f"<{type(value).__name__}>"
    else:  # an identity number or a name where it was never meant to be (riskeval._privacy)
        message, value = scrubbed(message, value, loc[-1] if loc else None)
    return ErrorRecord(loc=format_loc(loc), code=code, message=message, value=value)


def _parse(model: type[M], data: Any, today: date | None, what: str) -> M:
    if type(data) is not dict:  # a dict is the usual input: skip the class checks (an ABC check is slow)
        if isinstance(data, model):
            return data
        if isinstance(data, Unparsed):
            raise FactsError(list(data.records), f"{what}: not a JSON object")
        if isinstance(data, str | bytes):
            data = loads(data)
    big = too_many(data)
    if big:
        raise FactsError(big, f"{what}: too large")
    try:
        # model_validate() minus its argument handling: the validator is what it calls.
        found: M = model.__pydantic_validator__.validate_python(data, context={"today": today} if today else None)
    except ValidationError as exc:
        deep = deeper_than_limit(data)
        if deep is not None:
            raise FactsError([deep], f"{what}: nested too deeply") from None
        try:
            records = records_from(exc)
            if model is Household and isinstance(data, Mapping):
                have = {(r.loc, r.code) for r in records}
                records += [r for r in _raw_id_records(data) if (r.loc, r.code) not in have]
        except RecursionError:  # an error message that shows a value nested thousands deep
            records = [too_deep(data)]
        raise FactsError(capped(records), f"{what}: {len(records)} problem(s)") from None
    except RecursionError:
        raise FactsError([too_deep(data)], f"{what}: nested too deeply") from None
    return found


def _raw_id_records(data: Mapping[str, Any]) -> list[ErrorRecord]:
    """The household's id problems read off the raw input (its own check runs only once every field is
    valid): entries that are not objects, or ids that are not text, are left to the field errors."""
    members, children = data.get("members"), data.get("children")
    members = members if isinstance(members, list) else []
    children = children if isinstance(children, list) else []
    member_ids = [(i, m.get("id")) for i, m in enumerate(members) if isinstance(m, Mapping)]
    # only well-formed ids: an invalid one is its own field's error, and may be a name the messages would list
    good = [(i, p) for i, p in member_ids if isinstance(p, str) and _ID.fullmatch(p) and not is_resident_id(p)]
    kids = [
        (i, c["id"], {r: c.get(r) for r in ROLE_FIELDS if isinstance(c.get(r), str)})
        for i, c in enumerate(children)
        if isinstance(c, Mapping) and isinstance(c.get("id"), str)
    ]
    problems = id_problems(good, kids, references=len(good) == len(members))
    return [_record(loc, code, message, value) for loc, code, message, value in problems]


def parse_household(data: Any, *, today: date | None = None) -> Household:
    """Validate a household (a dict, a JSON string, or a Household) or raise FactsError with every problem.

    Args:
        data: the household facts.
        today: the date birth dates must not be after (default: the system date).
    """
    return _parse(Household, data, today, "household")


def parse_event(data: Any, *, today: date | None = None) -> Event:
    """Validate an event (a dict, a JSON string, or an Event) or raise FactsError with every problem."""
    return _parse(Event, data, today, "event")
