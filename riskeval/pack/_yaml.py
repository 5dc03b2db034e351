"""YAML loading that remembers where every value came from (file:line:col)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskeval._limits import MAX_PACK_DIGITS as MAX_DIGITS
from riskeval._limits import MAX_PACK_NUMBER

Path_ = tuple[str | int, ...]
INT, FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


@dataclass(frozen=True, slots=True)
class Mark:
    """A position in a rule file; line and column count from 1."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def shifted(self, line_offset: int, col: int) -> Mark:
        """A position inside a value that starts at this mark (an expression's own offsets)."""
        if line_offset == 0:
            return Mark(self.file, self.line, self.col + col)
        return Mark(self.file, self.line + line_offset, col + 1)


@dataclass(slots=True)
class Located:
    """A parsed YAML document and the position of every value in it, by path."""

    data: Any
    marks: dict[Path_, Mark]
    file: str
    lines: list[str] = field(default_factory=list)  # the file's text, to place characters inside a value

    def mark(self, path: Path_) -> Mark:
        """The position of the value at ``path``, or of its nearest located ancestor."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, Mark(self.file, 1, 1))


class _Loader(yaml.SafeLoader):
    pass


# Dates stay strings until a schema says a field is a date: one rule for every file, and
# golden-case facts reach pydantic exactly as an integrator's JSON would.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# libyaml, when PyYAML has it, composes the same nodes and marks ten times faster; the pure-Python
# parser is kept for files that fail, so that error messages do not depend on how PyYAML was built.
_Fast: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):
        pass

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _Fast = _CLoader


def _compose(text: str, loader_class: type[Any]) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def load_located(path: Path, display: str) -> Located:
    """Parse one YAML file, keeping a mark for every value. Raises yaml.YAMLError."""
    text = path.read_text(encoding="utf-8")
    if _Fast is None:
        node = _compose(text, _Loader)
    else:
        try:
            node = _compose(text, _Fast)
        except yaml.YAMLError:
            node = _compose(text, _Loader)  # raises, with the pure-Python parser's words and marks
    marks: dict[Path_, Mark] = {}
    lines = text.splitlines()
    if node is None:
        return Located(None, marks, display, lines)
    try:
        data = _convert(node, (), marks, display, _Loader(""))
    except RecursionError:  # deeper than the interpreter's stack, below MAX_DEPTH: reported the same way
        raise yaml.MarkedYAMLError(None, None, f"values nested more than {MAX_DEPTH} deep", node.start_mark) from None
    return Located(data, marks, display, lines)


def scalar_chars(lines: list[str], start: Mark, value: str) -> list[Mark]:
    """The file position of every character of a string value whose node starts at ``start``.

    YAML folds line breaks into spaces (plain and ``>`` scalars), drops quotes and block indicators, and
    strips indentation, so a value's offsets are not the file's. The non-blank characters of the value are
    matched in order to those of the file; a blank takes the position just after the character before it.
    """
    row, col = start.line - 1, start.col - 1
    head = lines[row][col : col + 1] if row < len(lines) else ""
    if head in ("|", ">"):
        row, col = row + 1, 0
    elif head in ("'", '"'):
        col += 1
    out: list[Mark] = []
    after = Mark(start.file, row + 1, col + 1)
    for ch in value:
        if ch.isspace():
            out.append(after)
            continue
        r, c, steps = row, col, 0
        while r < len(lines) and steps < 400:
            if c >= len(lines[r]):
                r, c = r + 1, 0
                continue
            if lines[r][c] == ch:
                row, col = r, c + 1
                after = Mark(start.file, r + 1, c + 2)
                out.append(Mark(start.file, r + 1, c + 1))
                break
            if not (lines[r][c].isspace() or lines[r][c] in "\\'\""):
                out.append(after)  # an escape the value does not show: keep the last sure position
                break
            c, steps = c + 1, steps + 1
        else:
            out.append(after)
    return out


# YAML aliases let a few lines stand for billions of values (a "billion laughs"): a pack file is data a
# person wrote, a few hundred values (the default pack's largest has ~330), so more than this is refused.
MAX_VALUES = 100_000


# A rule file is a few levels deep (a list of rules, a rule's label, a parameter's dated values). Deeper is a
# mistake or an attack (500 nested flow sequences, an alias that contains itself), refused before the
# conversion below runs out of stack.
MAX_DEPTH = 32


def _convert(node: yaml.Node, path: Path_, marks: dict[Path_, Mark], file: str, ctor: _Loader) -> Any:
    marks[path] = Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)
    if len(marks) > MAX_VALUES:
        message = f"the file expands to more than {MAX_VALUES:,} values (through YAML aliases?)"
        raise yaml.MarkedYAMLError(None, None, message, node.start_mark)
    if len(path) > MAX_DEPTH:
        message = f"values nested more than {MAX_DEPTH} deep (or a YAML alias that contains itself)"
        raise yaml.MarkedYAMLError(None, None, message, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        ctor.flatten_mapping(node)  # resolves YAML merge keys (<<: *base)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                message = "a key must be text or a number, not a list or a mapping"
                raise yaml.MarkedYAMLError(None, None, message, key_node.start_mark)
            key = _scalar(key_node, ctor)
            if key in out:
                first = marks.get((*path, key))
                at = f": it is already at line {first.line}" if first else ""
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}{at}", key_node.start_mark)
            out[key] = _convert(value_node, (*path, key), marks, file, ctor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, i), marks, file, ctor) for i, v in enumerate(node.value)]
    return _scalar(node, ctor)


class NumberRange(yaml.MarkedYAMLError):
    """A number the pack language does not accept (NaN, an infinity, larger than MAX_PACK_NUMBER)."""


def literal_problem(value: Any) -> str | None:
    """Why a number written in a pack is out of the language's range, or None."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a number the pack language accepts (NaN and infinities are refused)"
    if abs(value) > MAX_PACK_NUMBER:
        return f"{value:.3g} is larger than {MAX_PACK_NUMBER:.0e}, the largest number a pack may hold"
    return None


def _scalar(node: yaml.Node, ctor: _Loader) -> Any:
    """A scalar's value; a number the interpreter refuses to convert (thousands of digits) is a YAML error
    at its mark, and so is a number too long to be a value of a rule (MAX_DIGITS)."""
    if node.tag in (INT, FLOAT) and sum(c.isdigit() for c in node.value[: MAX_DIGITS + 64]) > MAX_DIGITS:
        message = f"a number of more than {MAX_DIGITS} digits"
        raise yaml.MarkedYAMLError(None, None, message, node.start_mark)
    try:
        value = ctor.construct_object(node, deep=True)
    except ValueError as exc:  # int() past sys.get_int_max_str_digits(), a malformed timestamp, ...
        raise yaml.MarkedYAMLError(None, None, f"cannot read this value: {exc}", node.start_mark) from None
    why = literal_problem(value)
    if why:
        raise NumberRange(None, None, why, node.start_mark)
    return value
