"""Places as GB/T 2260 administrative division codes: a county or a province is a six-digit code, never free text.

A code is taken as it is when the table knows it at the right level (a county field takes a county-level code,
a province field a province's ``XX0000``). A name is taken only where the table resolves it to one code:
``碑林区``, ``西安市碑林区`` and ``陕西省西安市碑林区`` are all 610103; ``陕西`` and ``陕西省`` are 610000.
``朝阳区`` is both 110105 (Beijing) and 220104 (Changchun): ambiguous until it is qualified (``北京市朝阳区``).
Whatever cannot be resolved is an error naming the value, never a comparison of text.

The table (``gbt2260.tsv`` beside this module) is the Ministry of Civil Affairs' list of the codes in force on
2024-12-31; its header says where it was taken from. A county's province is its first two digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

TABLE = "gbt2260.tsv"
TABLE_DATE = "2024-12-31"
_CODE = re.compile(r"^[1-9]\d{5}$")
_SPACE = re.compile(r"\s+")
# Suffixes a province name may go without: 陕西 for 陕西省, 广西 for 广西壮族自治区, 北京 for 北京市.
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")


@dataclass(frozen=True, slots=True)
class PlaceKind:
    """Marks a fact field as a place (``county`` or ``province``): the table intake resolves its cells too."""

    level: str


@dataclass(frozen=True)
class _Table:
    names: dict[str, str]  # code -> name
    counties: dict[str, set[str]]  # every accepted spelling of a county -> its codes
    provinces: dict[str, str]  # a province's name, full or short -> its code

    def full_name(self, code: str) -> str:
        """``陕西省西安市碑林区``: the county with its prefecture and province."""
        parts = [self.names.get(code[:2] + "0000", ""), self.names.get(code[:4] + "00", "")]
        return "".join(p for p in parts if p and p != self.names[code]) + self.names[code]


def _is_county(code: str, parents: set[str]) -> bool:
    """County level: a code below a prefecture, or a prefecture-level city without counties (东莞市)."""
    if code.endswith("0000"):
        return False
    return not code.endswith("00") or code[:4] not in parents


@cache
def _table() -> _Table:
    text = files("riskeval.facts").joinpath(TABLE).read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            names[code] = name
    parents = {c[:4] for c in names if not c.endswith("00")}  # prefectures with counties below them
    provinces: dict[str, str] = {}
    for code, name in names.items():
        if code.endswith("0000"):
            provinces[name] = provinces[_PROVINCE_SUFFIX.sub("", name)] = code
    prefixes: dict[str, list[str]] = {}  # a prefecture's spellings (西安市, 西安), by the first four digits
    for code, name in names.items():
        if code.endswith("00") and not code.endswith("0000"):
            prefixes[code[:4]] = [name, *([name[:-1]] if name.endswith("市") and len(name) > 2 else [])]
    by_province: dict[str, list[str]] = {}
    for name, code in provinces.items():
        by_province.setdefault(code[:2], []).append(name)
    counties: dict[str, set[str]] = {}
    for code, name in names.items():
        if not _is_county(code, parents):
            continue
        own = [""] if code.endswith("00") else ["", *prefixes.get(code[:4], [])]
        for province in ["", *by_province.get(code[:2], [])]:
            for prefecture in own:
                counties.setdefault(province + prefecture + name, set()).add(code)
    return _Table(names, counties, provinces)


def _text(value: Any, field: str) -> tuple[str, str]:
    """The value as given (messages show it so, for the privacy check to find it) and without white space."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PydanticCustomError(
            "place_type",
            "{field}: expected a GB/T 2260 code (six digits) or a place name, found {kind}",
            {"field": field, "kind": type(value).__name__},
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate: no table holds it, and a message quoting it could not be written out.
        raise PydanticCustomError(
            "unwritable_text", "{field}: the text holds a character UTF-8 cannot write", {"field": field}
        ) from None
    return value, _SPACE.sub("", value)


_RESOLVED: dict[tuple[str, str], str] = {}  # (level, text) -> code: a population names few places, many times
_RESOLVED_MAX = 4096  # a fuzzer names many: the memo is emptied when it holds this many


def _memo(level: str, resolve: Callable[[Any], str], value: Any) -> str:
    """``resolve(value)``, remembered for text that resolves (an error is raised again each time)."""
    if type(value) is not str:
        return resolve(value)
    code = _RESOLVED.get((level, value))
    if code is None:
        code = resolve(value)
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[level, value] = code
    return code


def county_code(value: Any) -> str:
    """The county-level code a value names (a code, or a name the table resolves to one county).

    Raises:
        PydanticCustomError: ``unknown_place`` (no such code or name), ``ambiguous_place`` (a name of more than
            one county: the message lists them), ``place_level`` (a province's or a prefecture's code).
    """
    return _memo("county", _county_code, value)


def _county_code(value: Any) -> str:
    given, text = _text(value, "county")
    table = _table()
    if _CODE.match(text):
        name = table.names.get(text)
        if name is None:
            raise PydanticCustomError(
                "unknown_place",
                "{value} is not a county code of GB/T 2260 (the Ministry of Civil Affairs' list of {date})",
                {"value": given, "date": TABLE_DATE},
            )
        if text not in table.counties.get(name, ()):
            level = "a province" if text.endswith("0000") else "a prefecture"
            raise PydanticCustomError(
                "place_level",
                "{value} is the code of {name}, {level}: a county field takes a county-level code",
                {"value": given, "name": name, "level": level},
            )
        return text
    found = table.counties.get(text, set())
    if len(found) == 1:
        return next(iter(found))
    if found:
        options = ", ".join(f"{c} {table.full_name(c)}" for c in sorted(found))
        raise PydanticCustomError(
            "ambiguous_place",
            "{value} names more than one county ({options}): give the code, or the name with its city or province",
            {"value": given, "options": options},
        )
    raise PydanticCustomError(
        "unknown_place",
        "{value} is no county the GB/T 2260 table of {date} knows: give the six-digit code, or the name as the "
        "table spells it (e.g. 碑林区, 西安市碑林区)",
        {"value": given, "date": TABLE_DATE},
    )


def province_code(value: Any) -> str:
    """The province's code (``XX0000``) a value names: the code, or the name, full (陕西省) or short (陕西)."""
    return _memo("province", _province_code, value)


def _province_code(value: Any) -> str:
    given, text = _text(value, "province")
    table = _table()
    if _CODE.match(text):
        if text.endswith("0000") and text in table.names:
            return text
        name = table.names.get(text)
        found = f"the code of {name}, not of a province" if name else "not a code of GB/T 2260"
        raise PydanticCustomError(
            "place_level" if name else "unknown_place",
            "{value} is {found}: a province field takes a province's code (e.g. 610000) or name",
            {"value": given, "found": found},
        )
    code = table.provinces.get(text)
    if code is None:
        raise PydanticCustomError(
            "unknown_place",
            "{value} is no province the GB/T 2260 table knows: give its code (e.g. 610000) or its name (陕西省, 陕西)",
            {"value": given},
        )
    return code


def province_of(county: str) -> str:
    """The code of the province a county code lies in: its first two digits, then ``0000``."""
    return county[:2] + "0000"


def place_name(code: str) -> str | None:
    """The name of a code, with its prefecture and province for a county (``陕西省西安市碑林区``)."""
    table = _table()
    if code not in table.names:
        return None
    return table.names[code] if code.endswith("0000") else table.full_name(code)


def table_size() -> int:
    """How many codes the table holds."""
    return len(_table().names)


_SCHEMA = {
    "type": "string",
    "description": "A GB/T 2260 administrative division code (six digits), or a name the table resolves to one "
    "code; riskeval keeps the code.",
}
CountyCode = Annotated[
    str,
    BeforeValidator(county_code),
    PlaceKind("county"),
    WithJsonSchema({**_SCHEMA, "examples": ["610103", "碑林区", "西安市碑林区"]}),
]
ProvinceCode = Annotated[
    str,
    BeforeValidator(province_code),
    PlaceKind("province"),
    WithJsonSchema({**_SCHEMA, "examples": ["610000", "陕西省", "陕西"]}),
]
