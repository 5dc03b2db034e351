"""Reading a pack's files: located YAML, the file schemas, and a located record for each problem of both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from riskeval.errors import ErrorRecord
from riskeval.facts import format_loc
from riskeval.pack._yaml import Located, Mark, NumberRange, load_located
from riskeval.pack.expr import suggest

M = TypeVar("M", bound=BaseModel)
KINDS = {
    "parameters": "param",
    "predicates": "predicate",
    "categories": "category",
    "factors": "factor",
    "tiers": "tier row",
}


class PackReader:
    """The files of one pack folder as read so far, and every problem found in them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[ErrorRecord] = []
        self.docs: dict[str, Located] = {}
        self.failed: set[str] = set()  # stems of files that could not be read or are not the right shape

    def problem(self, mark: Mark, code: str, message: str, value: Any = None) -> None:
        self.problems.append(ErrorRecord(loc=str(mark), code=code, message=message, value=value))

    def read(self, stem: str) -> Located | None:
        path = self.folder / f"{stem}.yaml"
        display = f"{self.folder.name}/{stem}.yaml"
        if not path.is_file():
            self.failed.add(stem)
            self.problem(Mark(display, 1, 1), "missing_file", f"the pack has no {stem}.yaml")
            return None
        if not inside(path, self.folder):
            self.failed.add(stem)
            message = f"{stem}.yaml is a link to a file outside the pack folder: it is not read"
            self.problem(Mark(display, 1, 1), "outside_pack", message)
            return None
        try:
            doc = load_located(path, display)
        except NumberRange as exc:
            self.failed.add(stem)
            m = exc.problem_mark
            self.problem(Mark(display, m.line + 1, m.column + 1) if m else Mark(display, 1, 1), "number_range",
                         f"{display}: {exc.problem}")  # fmt: skip
            return None
        except yaml.MarkedYAMLError as exc:
            self.failed.add(stem)
            m = exc.problem_mark or exc.context_mark
            mark = Mark(display, m.line + 1, m.column + 1) if m else Mark(display, 1, 1)
            near = _rule_near(path, mark.line)
            where = f" (in or after rule {near!r})" if near else ""
            found = f"; {exc.context}" if exc.context and exc.problem else ""
            self.problem(mark, "yaml", f"malformed YAML{where}: {exc.problem or exc.context}{found}")
            return None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.failed.add(stem)
            self.problem(Mark(display, 1, 1), "yaml", f"malformed YAML: {exc}")
            return None
        self.docs[stem] = doc
        return doc

    def model(self, doc: Located | None, cls: type[M], path: tuple[str | int, ...] = (), what: str = "") -> M | None:
        """Validate the value at ``path`` against a file schema; ``what`` names it in messages."""
        if doc is None:
            return None
        data: Any = doc.data
        for part in path:
            data = data[part]
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                inner = tuple(err["loc"])
                loc = path + inner
                found = err.get("input")
                key = format_loc(list(inner)) if inner else ""
                if err["type"] == "missing":
                    msg = f"missing required key {str(inner[-1])!r}"
                elif err["type"] == "extra_forbidden":
                    fields = _fields_at(cls, inner[:-1])
                    msg = f"unknown key {str(inner[-1])!r}{suggest(str(inner[-1]), fields)}"
                    if fields:
                        msg += f"; expected one of: {', '.join(fields)}"
                else:
                    shown = type(found).__name__ if isinstance(found, dict | list) else repr(found)
                    msg = f"{key + ': ' if key else ''}{err['msg'].lower()}; found {shown}"
                head = what or (format_loc(list(path)) if path else Path(doc.file).name)
                self.problem(doc.mark(loc), "schema", f"{head}: {msg}", None)
            return None

    def rows(self, doc: Located | None, cls: type[M]) -> list[tuple[M, tuple[int]]]:
        if doc is None:
            return []
        if not isinstance(doc.data, list):
            self.failed.add(Path(doc.file).stem)
            self.problem(doc.mark(()), "schema", f"expected a list of rules, found {type(doc.data).__name__}")
            return []
        out: list[tuple[M, tuple[int]]] = []
        kind = KINDS.get(Path(doc.file).stem, "row")
        for i, raw in enumerate(doc.data):
            rid = raw.get("id") if isinstance(raw, dict) else None
            row = self.model(doc, cls, (i,), f"{kind} {rid}" if isinstance(rid, str) else f"{kind} #{i + 1}")
            if row is not None:
                out.append((row, (i,)))
        return out


def inside(path: Path, folder: Path) -> bool:
    """Whether a file of a pack, links followed, is inside the pack's folder: a pack is reviewed as a folder,
    and a link out of it (to /etc/passwd, to another pack) would be read, and echoed in messages, unreviewed."""
    try:
        return path.resolve(strict=True).is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):  # a dangling link, a loop of links
        return False


def raw_ids(doc: Located | None) -> dict[str, int]:
    """The ids of the rows of a rule file as written, with their number of arguments (schema or not)."""
    out: dict[str, int] = {}
    if doc is not None and isinstance(doc.data, list):
        for row in doc.data:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                args = row.get("args")
                out[row["id"]] = len(args) if isinstance(args, list) else 0
    return out


def _rule_near(path: Path, line: int) -> str | None:
    """The id of the rule that a line of a file belongs to (or follows), for messages about broken YAML."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[:line]
    except (OSError, UnicodeDecodeError):
        return None
    for text in reversed(lines):
        m = re.match(r"^\s*(?:-\s+)?id:\s*['\"]?([A-Za-z0-9_.-]+)", text)
        if m:
            return m.group(1)
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):\s*$", text)  # a top-level key (parameters.yaml)
        if m:
            return m.group(1)
    return None


def _fields_at(cls: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a file schema allows at a path inside ``cls`` (for "did you mean" on unknown keys)."""
    model: Any = cls
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is not None:  # else a key of a mapping (severities: {H: ...}): the model stays
            model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation like ``list[Tier] | None`` or ``dict[str, Severity]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
