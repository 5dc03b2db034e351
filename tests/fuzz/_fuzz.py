"""The fuzz campaign's shared parts: budgets, the planted secrets, mutators of JSON-like trees, and the one
oracle: a result or a located record (an error with ``.records``), nothing else, and no planted name or
identity number anywhere in what comes back.

Budgets: CI runs each target a fixed, derandomized number of times (the whole campaign in about a minute).
``RISKEVAL_FUZZ=long`` multiplies every budget by ``RISKEVAL_FUZZ_SCALE`` (default 36, about half an hour
on a 2-core machine), with random seeds and hypothesis' example database, so failures are kept and replayed.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import riskeval
from riskeval.errors import RiskevalError

LONG = os.environ.get("RISKEVAL_FUZZ") == "long"
SCALE = int(os.environ.get("RISKEVAL_FUZZ_SCALE", "36")) if LONG else 1
TRIED: Counter[str] = Counter()  # inputs tried per target, reported at the end of the session

# Planted in inputs; none may come back in any record or output. The name is made up; the number has the
# shape of a resident identity number (Xi'an, 2011) and is fictional.
NAME = "张三丰"
NUMBER = "610103201104101234"
SECRETS = (NAME, NUMBER, "6.101032011041012e+17", "610103201104101234.0")


def budget(ci: int) -> settings:
    """Hypothesis settings for a target that tries ``ci`` inputs in CI."""
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
             HealthCheck.function_scoped_fixture, HealthCheck.large_base_example]  # fmt: skip
    if LONG:
        return settings(max_examples=ci * SCALE, deadline=None, suppress_health_check=quiet, print_blob=True)
    # no shrinking in CI: the first failing input is reported as found, within the suite's time
    phases = [Phase.explicit, Phase.generate]
    return settings(
        max_examples=ci, deadline=None, derandomize=True, database=None, suppress_health_check=quiet, phases=phases
    )


def _deep(n: int, make: Callable[[Any], Any]) -> Any:
    value: Any = 1
    for _ in range(n):
        value = make(value)
    return value


DEEP_DICT = _deep(2000, lambda v: {"a": v})
DEEP_LIST = _deep(2000, lambda v: [v])
NASTY: list[Any] = [
    NAME, NUMBER, f"{NAME} {NUMBER}", float(NUMBER), int(NUMBER), "\ud800", "x\udfff", "\x00", 10**30, -(10**30),
    -1, 0, 1, 2.5, 1e308, -1e308, math.nan, math.inf, -math.inf, -0.0, "", " ", "9999-12-31", "0001-01-01",
    "2025-02-30", "2025-12-01", "2099-01-01", True, False, None, [], {}, [None], {"a": 1}, {NAME: NUMBER}, "[]",
    "null", "NaN", "Infinity", "𠀀", "陕西省", "male", "orphan", "present", "deceased", "x" * 300, DEEP_DICT,
    DEEP_LIST, [NAME], {"id": NUMBER}, "1" * 5000, "1e400", "-0", "0x10", "١٢",
]  # fmt: skip
KEYS = ["Name", "ID", NAME, NUMBER, "", "0", "\ud800", "id ", "children ", "__class__", "name", "id_number"]


def paths(tree: Any) -> list[tuple[Any, ...]]:
    """Every path into a JSON-like tree (not into the deep planted values), without recursion."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), tree)]
    while stack:
        path, value = stack.pop()
        out.append(path)
        if len(path) > 12 or value is DEEP_DICT or value is DEEP_LIST:
            continue
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return out


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        tree = tree[p]
    return tree


class _Planted:
    """A planted value as hypothesis draws and prints it: the report of a failing input prints every drawn
    value, and the printer recurses, so a deep value is printed by its name (printing DEEP_DICT itself raised
    RecursionError inside the draw, and hypothesis then reported FlakyStrategyDefinition, not the failure)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        if self.value is DEEP_DICT:
            return "DEEP_DICT"
        if self.value is DEEP_LIST:
            return "DEEP_LIST"
        return repr(self.value)


_PLANTED = [_Planted(v) for v in NASTY]


def _deep_planted(value: Any) -> bool:
    return value is DEEP_DICT or value is DEEP_LIST


def copy(tree: Any) -> Any:
    """A copy of a JSON-like tree, without recursion: containers are new, except the deep planted values,
    which are shared as they are (they are never edited: paths() does not enter them)."""
    if _deep_planted(tree) or not isinstance(tree, dict | list):
        return tree
    root: Any = {} if isinstance(tree, dict) else []
    stack: list[tuple[Any, Any]] = [(tree, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for k, v in items:
            if isinstance(v, dict | list) and not _deep_planted(v):
                v_copy: Any = {} if isinstance(v, dict) else []
                stack.append((v, v_copy))
                v = v_copy
            if isinstance(target, dict):
                target[k] = v
            else:
                target.append(v)
    return root


class _Raw:
    """Literal JSON text between the values text() writes."""

    def __init__(self, text: str) -> None:
        self.text = text


def text(tree: Any) -> str:
    """``json.dumps(tree, ensure_ascii=False, default=str)``, without recursion: a tree holding a deep planted
    value is written as the deep JSON text it is (the recursive encoder raises RecursionError on it, or not,
    depending on how deep in the stack it is called)."""
    out: list[str] = []
    stack: list[Any] = [tree]  # values to write, and the literal text between them (as _Raw)
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            out.append(item.text)
        elif isinstance(item, dict) and item:
            parts: list[Any] = []
            for i, (k, v) in enumerate(item.items()):
                key = k if isinstance(k, str) else json.dumps(k)  # as json.dumps writes a key that is not text
                parts += [_Raw(("{" if i == 0 else ", ") + json.dumps(key, ensure_ascii=False) + ": "), v]
            stack += reversed([*parts, _Raw("}")])
        elif isinstance(item, list) and item:
            parts = []
            for i, v in enumerate(item):
                parts += [_Raw("[" if i == 0 else ", "), v]
            stack += reversed([*parts, _Raw("]")])
        else:
            out.append(json.dumps(item, ensure_ascii=False, default=str))
    return "".join(out)


def nasty(data: st.DataObject) -> Any:
    """A planted value; a container is a fresh copy, so that mutating a tree never edits NASTY itself (a
    shared ``{}`` that a test grew made the next test draw differently: hypothesis reported flaky data)."""
    return copy(data.draw(st.sampled_from(_PLANTED), label="value").value)


def mutate(data: st.DataObject, tree: Any, most: int = 4) -> Any:
    """A copy of ``tree`` with one to ``most`` random mutations (values, keys, deletions, insertions)."""
    tree = copy(tree)
    for _ in range(data.draw(st.integers(1, most), label="mutations")):
        where = data.draw(st.sampled_from(paths(tree)), label="path")
        op = data.draw(st.sampled_from(["value", "value", "value", "delete", "key", "insert", "copy", "wrap"]))
        if not where:
            if op in ("value", "wrap"):
                tree = nasty(data) if op == "value" else [tree]
            continue
        parent, last = _get(tree, where[:-1]), where[-1]
        if op == "value":
            parent[last] = nasty(data)
        elif op == "delete":
            del parent[last]
        elif op == "key" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(KEYS), label="key")] = parent.pop(last)
        elif op == "insert" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(KEYS), label="key")] = nasty(data)
        elif op == "copy":
            donor = _get(tree, data.draw(st.sampled_from(paths(tree)), label="donor"))
            parent[last] = copy(donor)  # json.dumps of a donor that holds a deep planted value raised RecursionError
        elif op == "wrap":
            parent[last] = [parent[last]]
    return tree


def leaks(text: str, secrets: tuple[str, ...] | None = None) -> list[str]:
    return [s for s in (SECRETS if secrets is None else secrets) if s in text]


def encodable(text: str) -> str:
    text.encode("utf-8")  # a lone surrogate would make every writer fail
    return text


def check_records(records: list[Any], secrets: tuple[str, ...] | None = None) -> str:
    """A non-empty list of well-formed records that can be written as strict JSON and leak nothing."""
    assert records, "an error without records"
    dicts = [r.as_dict() for r in records]
    for d in dicts:
        assert isinstance(d["loc"], str) and d["loc"], d
        assert isinstance(d["code"], str) and d["code"] and d["code"] != "internal_error", d
        assert isinstance(d["message"], str), d
    text = encodable(json.dumps(dicts, ensure_ascii=False, allow_nan=False))
    assert leaks(text, secrets) == [], text
    return text


def outcome(run: Callable[[], Any], secrets: tuple[str, ...] | None = None) -> tuple[str, Any]:
    """("ok", result) or ("error", records' JSON); any exception that is not a located riskeval error fails."""
    try:
        return "ok", run()
    except RiskevalError as exc:
        error = exc
    message = encodable(str(error))
    assert leaks(message, secrets) == [], message
    records = getattr(error, "records", None)
    if records is None:  # EvaluationError, TriggerError: a message, which must leak nothing either
        return "error", message
    return "error", check_records(records, secrets)


def as_json(value: Any) -> str:
    """Output as the bytes an integrator would store (results of riskeval are pydantic or plain values)."""
    if hasattr(value, "model_dump_json"):
        return encodable(value.model_dump_json())
    return encodable(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def household_json(hh: riskeval.Household) -> dict[str, Any]:
    return hh.model_dump(mode="json", exclude_none=True)


def tried(name: str) -> None:
    TRIED[name] += 1
