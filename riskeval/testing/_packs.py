"""A strategy for small random packs: the default pack plus drawn rules whose conditions are well-typed expressions.

The expressions are drawn from the fact schema the type checker reads (:mod:`riskeval.pack.expr.types`), so
they cover what the default pack never says: arithmetic, chains, every helper, aggregations with filters,
counts compared by their bounds, list parameters, predicates with member arguments, rules reading rules.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import reject
from hypothesis import strategies as st

from riskeval.errors import PackError
from riskeval.facts import Child, Household, Member, School
from riskeval.pack import Pack, load_pack
from riskeval.pack.expr.types import Type, fields_of
from riskeval.testing._draw import PLACES
from riskeval.testing._semantics import append, copy_default_pack, rule_row

# Numbers where the facts drawn by households() sit (ages, grades, months, percentages, yuan), and a fraction.
_NUMBERS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 18, 60, 100, 500, 1000, 1500.5, 20000, -1)
_CMP = ("==", "!=", "<", "<=", ">", ">=")
_WHERE = {"province": tuple(p for p, _ in PLACES), "county": tuple(c for _, c in PLACES)}
_ROLES = ("father", "mother", "caregiver")
# Dates the drawn rules and parameter values change on: between and on the days the law assesses.
_CHANGES = ("2026-07-01", "2027-01-01", "2027-03-01", "2028-02-29")


def _leaves(model: Any, prefix: str) -> list[tuple[str, Type]]:
    out: list[tuple[str, Type]] = []
    for name, t in fields_of(model).items():
        if t.kind == "record" and t.model is not None and t.model is not Member:
            out += _leaves(t.model, f"{prefix}.{name}")
        elif t.kind == "str" and name not in _WHERE:
            continue  # member ids: what they compare with is the household's, not the schema's
        elif t.kind != "members" and t.kind != "record":
            out.append((f"{prefix}.{name}", t))
    return out


@cache
def _facts(root: str) -> tuple[tuple[str, Type], ...]:
    model = {"child": Child, "household": Household}.get(root, Member)
    return tuple(_leaves(model, root))


@dataclass
class _Scope:
    """What a drawn condition may name."""

    var: str | None = None  # a member variable in scope (a predicate's argument or an aggregation's)
    refs: Sequence[str] = ()  # category.X and factor.X it may read without making a cycle
    tier: Sequence[str] = ()  # in the tier table: the severities (score and severity.X)
    aggregate: bool = True
    predicates: Sequence[str] = ("g_member", "g_household")  # those it may call without a cycle

    def roots(self) -> list[str]:
        # Inside an aggregation or a member predicate, mostly the member: that is what they are written for.
        return ["child", "household", *_ROLES, *([self.var] * 5 if self.var else [])]


@dataclass
class _Draw:
    draw: st.DrawFn
    count: int = 0
    depth: int = 3

    def pick(self, values: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(values)))

    def fact(self, sc: _Scope, kinds: Sequence[str]) -> tuple[str, Type] | None:
        root = self.pick(sc.roots())
        found = [(f"{root}{path[len(_base(root)) :]}", t) for path, t in _facts(_base(root)) if t.kind in kinds]
        return self.pick(found) if found else None

    def number_literal(self) -> str:
        return repr(self.pick(_NUMBERS))

    # --- by type ------------------------------------------------------------------------------------
    def cond(self, sc: _Scope, depth: int) -> str:
        kinds = ["bool", "cmp", "enum", "list", "known", "date", "chain", "param"]
        if sc.predicates:
            kinds.append("predicate")
        if sc.aggregate and sc.var is None:
            kinds += ["agg", "count"]
        if sc.refs:
            kinds.append("ref")
        if sc.tier:
            kinds += ["tier", "tier"]
        if depth > 0:
            kinds += ["not", "and", "or", "and", "or"]
        kind = self.pick(kinds)
        if kind == "not":
            return f"not ({self.cond(sc, depth - 1)})"
        if kind in ("and", "or"):
            parts = [self.cond(sc, depth - 1) for _ in range(self.draw(st.integers(2, 3)))]
            return f" {kind} ".join(f"({p})" for p in parts)
        return self.atom(kind, sc, depth)

    def atom(self, kind: str, sc: _Scope, depth: int) -> str:
        if kind == "bool":
            found = self.fact(sc, ["bool"])
            return found[0] if found else "child.adopted"
        if kind == "cmp":
            return f"{self.number(sc, depth)} {self.pick(_CMP)} {self.number(sc, max(depth - 1, 0))}"
        if kind == "chain":
            a, b = sorted(self.pick(_NUMBERS) for _ in range(2))
            return f"{a!r} {self.pick(('<', '<='))} {self.number(sc, 0)} {self.pick(('<', '<='))} {b!r}"
        if kind == "date":
            return f"{self.date(sc, depth)} {self.pick(_CMP)} {self.date(sc, max(depth - 1, 0))}"
        if kind == "enum":
            return self.enum(sc)
        if kind == "list":
            return self.listed(sc)
        if kind == "known":
            found = self.fact(sc, ["bool", "number", "date", "enum", "enumlist", "str"])
            return f"known({found[0] if found else 'child.age'})"
        if kind == "param":
            return str(
                self.pick(["params.g_flag", "child.school in params.g_schools", "child.school not in params.g_schools"])
            )
        if kind == "predicate":
            if self.pick(sc.predicates) == "g_household":
                return "g_household"
            return f"g_member({self.pick([*_ROLES, *([sc.var] if sc.var else [])])})"
        if kind == "agg":
            return self.aggregate(sc, self.pick(("any", "all")), depth)
        if kind == "count":
            return f"{self.aggregate(sc, 'count', depth)} {self.pick(_CMP)} {self.pick((0, 1, 2, 3))}"
        if kind == "ref":
            return str(self.pick(sc.refs))
        severity = self.pick(["score", *(f"severity.{s}" for s in sc.tier)])
        return f"{severity} {self.pick(_CMP)} {self.pick((0, 1, 2, 3, 5, 8))}"

    def enum(self, sc: _Scope) -> str:
        found = self.fact(sc, ["enum", "str"])
        if found is None:
            return "child.sex == 'female'"
        path, t = found
        values = t.values() if t.kind == "enum" else _WHERE[path.rsplit(".", 1)[1]]
        chosen = self.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
        if len(chosen) == 1 and self.draw(st.booleans()):
            return f"{path} {self.pick(('==', '!='))} {chosen[0]!r}"
        return f"{path} {self.pick(('in', 'not in'))} [{', '.join(repr(v) for v in chosen)}]"

    def listed(self, sc: _Scope) -> str:
        found = self.fact(sc, ["enumlist"])
        path, t = found if found else ("child.safety", Type("enumlist"))
        values = t.values() or ("abuse",)
        chosen = self.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
        form = self.pick(("in", "not in", "has_any", "len"))
        if form == "has_any":
            return f"has_any({path}, [{', '.join(repr(v) for v in chosen)}])"
        if form == "len":
            return f"len({path}) {self.pick(_CMP)} {self.pick((0, 1, 2))}"
        return f"{chosen[0]!r} {form} {path}"

    def number(self, sc: _Scope, depth: int) -> str:
        kinds = ["fact", "fact", "literal", "param", "between"]
        if depth > 0:
            kinds += ["arith", "arith"]
        if sc.aggregate and sc.var is None:
            kinds += ["count", "sum"]
        kind = self.pick(kinds)
        if kind == "fact":
            found = self.fact(sc, ["number"])
            return found[0] if found else "child.age"
        if kind == "literal":
            return self.number_literal()
        if kind == "param":
            return "params.g_num"
        if kind == "between":
            fn = self.pick(("days_between", "months_between", "years_between"))
            return f"{fn}({self.date(sc, 0)}, {self.date(sc, 0)})"
        if kind == "arith":
            return f"({self.number(sc, depth - 1)} {self.pick('+-*/')} {self.number(sc, depth - 1)})"
        return self.aggregate(sc, kind, depth)

    def date(self, sc: _Scope, depth: int) -> str:
        kind = self.pick(["fact", "fact", "on"] + (["add"] if depth > 0 else []))
        if kind == "fact":
            found = self.fact(sc, ["date"])
            return found[0] if found else "child.birth_date"
        if kind == "on":
            return "on"
        months = self.pick(["params.g_months", str(self.draw(st.integers(-24, 24)))])
        return f"add_months({self.date(sc, depth - 1)}, {months})"

    def aggregate(self, sc: _Scope, fn: str, depth: int) -> str:
        inner = _Scope("m", sc.refs, (), aggregate=False, predicates=sc.predicates)
        body = self.number(inner, max(depth - 1, 0)) if fn == "sum" else self.cond(inner, max(depth - 1, 0))
        where = f" if {self.cond(inner, 0)}" if self.draw(st.booleans()) else ""
        return f"{fn}({body} for m in household.members{where})"

    def condition(self, sc: _Scope) -> str:
        self.count += 1
        return self.cond(sc, self.depth)


def _base(root: str) -> str:
    return root if root in ("child", "household") else "father"


@dataclass
class DrawnPack:
    """A drawn pack, the rows drawn for it (shown when a law fails), and how many conditions were drawn."""

    pack: Pack
    text: str
    expressions: int = 0
    rows: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"DrawnPack({self.text})"


@cache
def _default() -> Pack:
    return load_pack()


def _effective(d: _Draw) -> str:
    """Most rows are always in force; some start or end on a date the law may assess on."""
    choice = d.pick(("", "", "", "from", "to"))
    if not choice:
        return ""
    return (
        f"  effective: {{{choice}: {d.pick(_CHANGES)}}}\n"
        if choice == "from"
        else (f"  effective: {{from: 2000-01-01, to: {d.pick(_CHANGES)}}}\n")
    )


def _values(d: _Draw, values: Sequence[Any]) -> str:
    """Two dated values: the parameter changes on a day the law may assess on."""
    a, b = d.pick(values), d.pick(values)
    change = d.pick(_CHANGES)
    return f"[{{from: 2000-01-01, value: {a}}}, {{from: {change}, value: {b}}}]"


def _parameters(d: _Draw) -> str:
    schools = d.draw(st.lists(st.sampled_from([s.value for s in School]), min_size=1, max_size=3, unique=True))
    rows = {
        "g_num": _values(d, [repr(v) for v in _NUMBERS]),
        "g_months": _values(d, ["1", "6", "12", "-3"]),
        "g_flag": _values(d, ["true", "false"]),
        "g_schools": f"[{{from: 2000-01-01, value: [{', '.join(schools)}]}}]",
    }
    return "".join(
        f"\n{k}:\n  label: {{zh: 测试, en: Test}}\n  source: TEST conformance\n  values: {v}\n" for k, v in rows.items()
    )


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def packs(draw: st.DrawFn, folder: Path) -> DrawnPack:
    """A small pack built in ``folder``: the default pack's files plus drawn parameters, two predicates, one
    to four categories and factors (one or two levels), and up to three tier rows."""
    d = _Draw(draw)
    base = _default()
    default_refs = [*(f"category.{c}" for c in base.categories), *(f"factor.{f}" for f in base.factors)]
    severities = list(base.severities)
    rows: dict[str, str] = {}
    rows["g_member"] = d.condition(_Scope("m", aggregate=False, predicates=()))
    rows["g_household"] = d.condition(_Scope(predicates=("g_member",)))
    predicates = rule_row("g_member", rows["g_member"]).replace("\n  label:", "\n  args: [m]\n  label:", 1) + rule_row(
        "g_household", rows["g_household"]
    )
    categories, factors, refs = "", "", list(default_refs)
    for i in range(draw(st.integers(1, 4))):
        rows[f"g_c{i}"] = d.condition(_Scope(refs=refs))
        categories += rule_row(f"g_c{i}", rows[f"g_c{i}"]) + _effective(d)
        refs.append(f"category.g_c{i}")
    for i in range(draw(st.integers(1, 4))):
        chosen = draw(st.lists(st.sampled_from(severities), min_size=1, max_size=2, unique=True))
        domain = d.pick(list(base.domains))
        factors += f"\n- id: g_f{i}\n  domain: {domain}\n  label: {{zh: 测试, en: Test}}\n  source: TEST conformance\n"
        factors += _effective(d) + "  levels:\n"
        for sev in chosen:
            when = rows[f"g_f{i}.{sev}"] = d.condition(_Scope(refs=refs))
            factors += f"    - severity: {sev}\n      when: {_quoted(when)}\n"
        refs.append(f"factor.g_f{i}")
    tier_rows = []
    for i in range(draw(st.integers(0, 3))):
        when = rows[f"g_t{i}"] = d.condition(_Scope(refs=refs, tier=severities))
        tier = d.pick([t.id for t in base.tiers])
        label = {"zh": "测试", "en": "Test"}
        tier_rows.append({"id": f"g_t{i}", "tier": tier, "label": label, "when": when, "source": "TEST conformance"})
    pk = copy_default_pack(Path(tempfile.mkdtemp(dir=folder)) / "pk")
    try:
        append(pk, "parameters.yaml", _parameters(d))
        append(pk, "predicates.yaml", predicates)
        append(pk, "categories.yaml", categories)
        append(pk, "factors.yaml", factors)
        if tier_rows:
            tiers = yaml.safe_load((pk / "tiers.yaml").read_text(encoding="utf-8"))
            tiers["rows"] = [*tier_rows, *tiers["rows"]]
            text = yaml.safe_dump(tiers, allow_unicode=True, sort_keys=False, width=1000)
            (pk / "tiers.yaml").write_text(text, encoding="utf-8")
        try:
            pack = load_pack(pk)
        except PackError as exc:
            # A drawn row that can never hold, or arithmetic that may pass 2**53 (where whole numbers stop being
            # exact), is refused by the loader, as it should be: draw another pack. Any other load error is a
            # fault of this strategy or of the type checker, and fails the run.
            if all(r.code in {"never_fires", "number_range"} for r in exc.records):
                reject()
            raise
    finally:
        shutil.rmtree(pk.parent, ignore_errors=True)
    shown = "\n".join(f"  {k}: {v}" for k, v in rows.items())
    return DrawnPack(pack, "\n" + shown, d.count, rows)
