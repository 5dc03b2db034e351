"""What changes from one pack's content to another's: parameters, rules and the other files, key by key.

Both sides are normalised content (``Pack.content``: file stem -> the file's values), so a pack folder, a
variant made in memory and a pack read from a pickle compare alike, and spacing or comments never count.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from riskeval._extras import need

# Rule files: each a list of rows with an id; tiers.yaml holds three kinds of rule, listed separately.
_ROW_FILES = {"predicates": "predicate", "categories": "category", "factors": "factor"}
_TIER_LISTS = {"rows": "tier_row", "duties": "duty"}


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` (parameter, category, factor, tier_row...), the ``id``, which ``field`` of it,
    and the values ``before`` and ``after`` (None when added or removed)."""

    kind: str
    id: str
    field: str
    before: Any
    after: Any

    @property
    def what(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    def __str__(self) -> str:
        if self.what == "added":
            return f"+ {self.kind} {self.id}{_field(self.field)}: {_show(self.after)}"
        if self.what == "removed":
            return f"- {self.kind} {self.id}{_field(self.field)}"
        return f"~ {self.kind} {self.id}{_field(self.field)}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class PackDiff:
    """The changes from pack ``a`` to pack ``b`` (each an identity: id, version, sha256), parameters first."""

    a: dict[str, str]
    b: dict[str, str]
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __str__(self) -> str:
        head = f"{_stamp(self.a)} -> {_stamp(self.b)}: {len(self.changes)} change(s)"
        return "\n".join([head, *(f"  {c}" for c in self.changes)])

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per change: kind, id, field, what, before, after."""
        return [
            {"kind": c.kind, "id": c.id, "field": c.field, "what": c.what, "before": c.before, "after": c.after}
            for c in self.changes
        ]

    def to_pandas(self) -> Any:
        """The changes as a DataFrame (needs pandas); values are shown as compact JSON text."""
        pd = need("pandas", "PackDiff.to_pandas")
        rows = [{**r, "before": _show(r["before"]), "after": _show(r["after"])} for r in self.to_records()]
        return pd.DataFrame(rows, columns=["kind", "id", "field", "what", "before", "after"])

    def _repr_html_(self) -> str:
        stamps = f"{html.escape(_stamp(self.a))} → {html.escape(_stamp(self.b))}"
        head = f"<p><b>{stamps}</b>: {len(self.changes)} change(s)</p>"
        if not self.changes:
            return f"<div>{head}</div>"
        cells = "".join(
            f"<tr><td>{html.escape(c.what)}</td><td>{html.escape(c.kind)}</td><td>{html.escape(c.id)}</td>"
            f"<td>{html.escape(c.field)}</td><td><code>{html.escape(_show(c.before))}</code></td>"
            f"<td><code>{html.escape(_show(c.after))}</code></td></tr>"
            for c in self.changes
        )
        table = (
            "<table><thead><tr><th>what</th><th>kind</th><th>id</th><th>field</th><th>before</th><th>after</th>"
            f"</tr></thead><tbody>{cells}</tbody></table>"
        )
        return f"<div>{head}{table}</div>"


def diff_content(a_id: dict[str, str], a: dict[str, Any], b_id: dict[str, str], b: dict[str, Any]) -> PackDiff:
    """The changes from content ``a`` to content ``b`` (both ``Pack.content``)."""
    changes: list[Change] = []
    changes += _keyed("parameter", _mapping(a.get("parameters")), _mapping(b.get("parameters")))
    for stem, kind in _ROW_FILES.items():
        changes += _keyed(kind, _by_id(a.get(stem)), _by_id(b.get(stem)))
    ta, tb = _mapping(a.get("tiers")), _mapping(b.get("tiers"))
    for key, kind in _TIER_LISTS.items():
        changes += _keyed(kind, _by_id(ta.get(key)), _by_id(tb.get(key)))
    changes += _keyed("roster", _mapping(ta.get("roster")), _mapping(tb.get("roster")))
    rest = {k for k in (*ta, *tb) if k not in (*_TIER_LISTS, "roster")}
    changes += _keyed("tiers", {k: ta.get(k) for k in rest if k in ta}, {k: tb.get(k) for k in rest if k in tb})
    tra, trb = _mapping(a.get("triggers")), _mapping(b.get("triggers"))
    changes += _keyed("trigger", _by_id(tra.get("rules")), _by_id(trb.get("rules")))
    other = {k for k in (*tra, *trb) if k != "rules"}
    changes += _keyed("triggers", {k: tra[k] for k in other if k in tra}, {k: trb[k] for k in other if k in trb})
    changes += _keyed("schedule", _mapping(a.get("schedule")), _mapping(b.get("schedule")))
    changes += _keyed("pack", _mapping(a.get("pack")), _mapping(b.get("pack")))
    return PackDiff(dict(a_id), dict(b_id), tuple(changes))


def _keyed(kind: str, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Entries added or removed (one change each), or changed (one change per key of the entry that differs)."""
    out: list[Change] = []
    for key in [*a, *(k for k in b if k not in a)]:
        before, after = a.get(key), b.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            for f in [*before, *(k for k in after if k not in before)]:
                if before.get(f) != after.get(f):
                    out.append(Change(kind, str(key), str(f), before.get(f), after.get(f)))
        else:
            out.append(Change(kind, str(key), "", before, after))
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _by_id(rows: Any) -> dict[str, Any]:
    if not isinstance(rows, list):
        return {}
    return {str(r["id"]): r for r in rows if isinstance(r, dict) and "id" in r}


def _field(name: str) -> str:
    return f".{name}" if name else ""


def _stamp(identity: dict[str, str]) -> str:
    return f"{identity.get('id')} {identity.get('version')} ({identity.get('sha256', '')[:12]})"


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
