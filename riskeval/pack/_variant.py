"""Variants of a loaded pack made in memory: its documents edited, then loaded and checked as a folder is.

A variant is content, like a pack folder: the base's files as read, with some parameter values and rule rows
replaced, and ``pack.yaml`` saying ``version: <base version>+<name>`` and ``variant_of: <base stamp>``. The
same loader then reads it, so an edited condition goes through the same parser and type checker as a file
(never ``eval``), and every problem is located: in the base's files for what was not edited, at
``with_rules <id>.<key>:line:col`` or ``with_parameters <name>`` for what was.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from riskeval._memo import per_pack
from riskeval.errors import ErrorRecord, PackError
from riskeval.pack._load import Loader, content_digest
from riskeval.pack._model import Documents, Pack, install_rebuild
from riskeval.pack._yaml import Located, Mark, Path_
from riskeval.pack.expr import Scope, suggest
from riskeval.pack.expr import nodes as A

_RULE_FILES = ("predicates", "categories", "factors")
_TIER_LISTS = ("rows", "duties")


class _ContentLoader(Loader):
    """The pack loader reading documents held in memory; an edited condition is located at its edit."""

    def __init__(self, folder: Path, docs: dict[str, Located], edited: dict[tuple[str, Path_], Mark]) -> None:
        super().__init__(folder)
        self.given = docs
        self.edited = edited

    def present(self) -> bool:
        return True

    def read(self, stem: str) -> Located | None:
        doc = self.given.get(stem)
        if doc is None:
            self.failed.add(stem)
            self.problem(Mark(f"{stem}.yaml", 1, 1), "missing_file", f"the pack has no {stem}.yaml")
            return None
        self.docs[stem] = doc
        return doc

    def expr(
        self, kind: str, rule_id: str, text: Any, doc: Located, loc: tuple[str | int, ...], scope: Scope
    ) -> A.Node | None:
        mark = self.edited.get((doc.file, loc))
        if mark is not None:
            # Positions count inside the text as given (no file lines): column 1 is its first character.
            doc = Located(doc.data, {loc: mark}, mark.file, [])
        return super().expr(kind, rule_id, text, doc, loc, scope)


def rebuild(base: Pack, parameters: dict[str, Any], rules: dict[str, Any], version: str) -> Pack:
    """The variant of ``base`` with ``parameters`` and ``rules`` edited (see :meth:`Pack.variant`)."""
    problems: list[ErrorRecord] = []
    if not isinstance(version, str) or not version.strip() or any(c.isspace() for c in version):
        found = repr(version) if isinstance(version, str) else type(version).__name__
        problems.append(ErrorRecord("variant.version", "schema", f"expected a name without spaces, found {found}"))
    docs = {stem: Located(copy.deepcopy(d.data), dict(d.marks), d.file, d.lines) for stem, d in base.documents.items()}
    edited: dict[tuple[str, Path_], Mark] = {}
    for name, new in parameters.items():
        problems += _edit_parameter(docs.get("parameters"), name, new, base)
    off = [rule_id for rule_id, edit in rules.items() if edit is False]
    for rule_id, edit in rules.items():
        problems += _edit_rule(docs, rule_id, {"when": "false"} if edit is False else edit, edited)
    if problems:
        raise PackError(problems, f"variant of {base.id} {base.version}: {len(problems)} problem(s)")
    meta = docs["pack"]
    meta.data["version"] = f"{base.version}+{version}"
    meta.data["variant_of"] = {**base.identity(), **({"switched_off": off} if off else {})}
    _relocate(meta, ("version",), Mark("variant.version", 1, 1))
    return _ContentLoader(base.path, docs, edited).load()


class _Pickled:
    """A pickled pack's documents and the digest they must give (the key of the memo that loads them)."""

    def __init__(self, path: Path, sha256: str, documents: Documents) -> None:
        self.path, self.sha256, self.documents = path, sha256, documents


@per_pack(maxsize=16)
def _load_pickled(pickled: _Pickled) -> Pack:
    """The pack a pickle holds, loaded and checked from its documents as a folder is."""
    docs = {stem: Located(data, dict(marks), file) for stem, (data, marks, file) in pickled.documents.items()}
    return _ContentLoader(pickled.path, docs, {}).load()


def restore(path: Path, sha256: str, documents: Documents) -> Pack:
    """A pack from its pickle (see ``Pack.__reduce__``): every task of a worker that unpickles one content gets
    one pack, loaded once, so its compiled forms are built once per worker process.

    The documents must give the sha256 they travel with (the memo's key): a pickle edited in transit is refused,
    never served the pack it claims to be.
    """
    found = content_digest({stem: data for stem, (data, _, _) in documents.items()})
    if found != sha256:
        message = f"a pickled pack of sha256 {sha256[:12]} holds documents of sha256 {found[:12]}"
        raise PackError([ErrorRecord("pickle", "sha256_mismatch", message, sha256)], message)
    return _load_pickled(_Pickled(path, sha256, documents))


def _edit_parameter(doc: Located | None, name: str, new: Any, base: Pack) -> list[ErrorRecord]:
    where = f"with_parameters {name}"
    if doc is None or not isinstance(doc.data, dict) or name not in doc.data:
        known = list(doc.data) if doc is not None and isinstance(doc.data, dict) else []
        message = f"{where}: no parameter {name!r} in {base.id} {base.version}{suggest(str(name), known)}"
        return [ErrorRecord(where, "unknown_parameter", message, str(name))]
    old = doc.data[name]["values"]
    values: list[dict[str, Any]] = []
    try:
        if callable(new):
            values = [{**v, "value": _plain(_call(new, v["value"]))} for v in old]
        elif isinstance(new, list) and new and all(isinstance(v, Mapping) for v in new):
            values = [{k: _plain(x) for k, x in v.items()} for v in new]
        else:
            values = [{**v, "value": _plain(new)} for v in old]
    except _RefusedError as exc:
        return [ErrorRecord(where, "schema", f"{where}: {exc}", None)]
    kinds = {_kind(v["value"]) for v in old}
    for v in values:
        if "value" in v and _kind(v["value"]) not in kinds:
            message = (
                f"{where}: expected {' or '.join(sorted(kinds))} as in {base.id} {base.version}, "
                f"found {_kind(v['value'])} {v['value']!r}"
            )
            return [ErrorRecord(where, "type", message, None)]
    doc.data[name]["values"] = values
    _relocate(doc, (name, "values"), Mark(where, 1, 1))
    return []


def _edit_rule(
    docs: dict[str, Located], rule_id: str, edit: Any, edited: dict[tuple[str, Path_], Mark]
) -> list[ErrorRecord]:
    where = f"with_rules {rule_id}"
    found = _find_rule(docs, rule_id)
    if found is None:
        message = f"{where}: no rule {rule_id!r} in the pack's rule files{suggest(str(rule_id), _rule_ids(docs))}"
        return [ErrorRecord(where, "unknown_rule", message, str(rule_id))]
    doc, path = found
    if edit is None:
        if not isinstance(path[-1], int):
            return [ErrorRecord(where, "schema", f"{where}: a roster rule cannot be removed, only changed")]
        _drop(doc, path)
        return []
    if not isinstance(edit, Mapping):
        return [ErrorRecord(where, "schema", f"{where}: expected the keys to replace, found {type(edit).__name__}")]
    if "id" in edit and edit["id"] != rule_id:
        return [ErrorRecord(where, "schema", f"{where}: the id of a rule cannot change")]
    row = _at(doc.data, path)
    if edit == {"when": "false"} and isinstance(row.get("levels"), list):  # switched off: every level
        edit = {"levels": [{**level, "when": "false"} for level in row["levels"]]}
    for key, value in edit.items():
        row[key] = _plain(copy.deepcopy(value))
        mark = Mark(f"{where}.{key}", 1, 1)
        _relocate(doc, (*path, key), mark)
        if key == "when":
            edited[(doc.file, (*path, key))] = mark
        if key == "levels" and isinstance(value, list):
            for j in range(len(value)):
                level_mark = Mark(f"{where}.levels[{j}].when", 1, 1)
                doc.marks[(*path, key, j)] = Mark(f"{where}.levels[{j}]", 1, 1)
                edited[(doc.file, (*path, key, j, "when"))] = level_mark
    return []


def _find_rule(docs: dict[str, Located], rule_id: str) -> tuple[Located, Path_] | None:
    for stem in _RULE_FILES:
        doc = docs.get(stem)
        if doc is not None and isinstance(doc.data, list):
            for i, row in enumerate(doc.data):
                if isinstance(row, dict) and row.get("id") == rule_id:
                    return doc, (i,)
    tiers = docs.get("tiers")
    if tiers is not None and isinstance(tiers.data, dict):
        for key in _TIER_LISTS:
            for i, row in enumerate(tiers.data.get(key) or []):
                if isinstance(row, dict) and row.get("id") == rule_id:
                    return tiers, (key, i)
        for key, row in (tiers.data.get("roster") or {}).items():
            if isinstance(row, dict) and row.get("id") == rule_id:
                return tiers, ("roster", key)
    return None


def _rule_ids(docs: dict[str, Located]) -> list[str]:
    ids = [str(r.get("id")) for s in _RULE_FILES for r in (docs[s].data if s in docs else []) if isinstance(r, dict)]
    tiers = docs["tiers"].data if "tiers" in docs and isinstance(docs["tiers"].data, dict) else {}
    ids += [str(r.get("id")) for k in _TIER_LISTS for r in tiers.get(k) or [] if isinstance(r, dict)]
    return ids + [str(r.get("id")) for r in (tiers.get("roster") or {}).values() if isinstance(r, dict)]


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _drop(doc: Located, path: Path_) -> None:
    """Remove a row from its list, the marks of the rows after it moved up one place with it."""
    *head, i = path
    assert isinstance(i, int)
    del _at(doc.data, tuple(head))[i]
    n = len(head)
    moved: dict[Path_, Mark] = {}
    for p, m in doc.marks.items():
        k = p[n] if len(p) > n and tuple(p[:n]) == tuple(head) else None
        if not isinstance(k, int) or k < i:
            moved[p] = m
        elif k > i:
            moved[(*p[:n], k - 1, *p[n + 1 :])] = m
    doc.marks = moved


def _relocate(doc: Located, path: Path_, mark: Mark) -> None:
    """An edited value comes from the edit, not the file: its marks, and those inside it, say so."""
    doc.marks = {p: m for p, m in doc.marks.items() if p[: len(path)] != path}
    doc.marks[path] = mark


class _RefusedError(ValueError):
    pass


def _call(fn: Callable[[Any], Any], value: Any) -> Any:
    try:
        return fn(value)
    except Exception as exc:
        raise _RefusedError(f"the function raised {type(exc).__name__} on {value!r}") from None


def _plain(value: Any) -> Any:
    """A value as a YAML file would hold it: Python numbers (not numpy's), dates as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a switch (true or false)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


install_rebuild(rebuild, restore)
