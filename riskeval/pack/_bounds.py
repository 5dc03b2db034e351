"""How large the numbers of a rule's expression can grow, judged at load (issue 14, defect 10).

The scalar form computes with Python numbers (integers exact at any size) and the numpy form with int64 and
float64 (integers wrap past 2**63): a rule such as ``child.age * 99999999999999999999 > 0`` held in one and
not in the other. So every number literal is finite and at most MAX_PACK_NUMBER in size, and every sum,
difference and product is bounded at load, from the literals and parameter values it reads and a bound on
any fact, to stay within 2**53, where both forms are exact and agree. A division's result is a float in both
forms (no wrap), so it is not bounded.
"""

from __future__ import annotations

import math
from typing import Any

from riskeval._limits import MAX_CHILDREN, MAX_MEMBERS
from riskeval.pack._yaml import literal_problem
from riskeval.pack.expr import nodes as A

EXACT = 2**53
# Any number a fact or a helper can give: ages, months and day counts of dates up to 9999, list lengths,
# grades, percentages (money is a float: it never wraps, and a bound that is too small only errs safe).
FACT_BOUND = 10**7
_PEOPLE = max(MAX_MEMBERS, MAX_CHILDREN)

Problem = tuple[A.Node, str, str]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _param_bound(values: list[Any]) -> tuple[float, bool]:
    flat = [x for v in values for x in (v if isinstance(v, list) else [v]) if _number(x)]
    return max((abs(x) for x in flat), default=0), any(isinstance(x, float) for x in flat)


def bound_problems(node: A.Node, param_values: dict[str, list[Any]]) -> list[Problem]:
    """Every literal out of range, and every sum, difference or product that may pass 2**53 (children first)."""
    problems: list[Problem] = []
    size: dict[int, tuple[float, bool]] = {}  # id(node) -> (largest magnitude, is a float)
    flagged: set[int] = set()  # nodes reported, or above one: reported once, at the innermost
    for n in reversed(A.walk(node)):  # children before their parents
        if isinstance(n, A.Const):
            why = literal_problem(n.value)
            if why:
                flagged.add(id(n))
                problems.append((n, "number_range", why))
            ok = _number(n.value) and math.isfinite(n.value)
            size[id(n)] = (abs(n.value) if ok else 0, isinstance(n.value, float))
        elif isinstance(n, A.Param):
            size[id(n)] = _param_bound(param_values.get(n.name, []))
        elif isinstance(n, A.Arith):
            (a, fa), (b, fb) = size.get(id(n.left), (FACT_BOUND, False)), size.get(id(n.right), (FACT_BOUND, False))
            is_float = fa or fb or n.op == "/"
            big = a * b if n.op == "*" else a + b if n.op in "+-" else 0
            size[id(n)] = (big, is_float)
            if id(n.left) in flagged or id(n.right) in flagged:
                flagged.add(id(n))
            elif not is_float and big > EXACT:
                flagged.add(id(n))
                problems.append((n, "number_range", f"this arithmetic may reach {big:.3g}, past 2**53 (about 9e15), "
                                 "where whole numbers stop being exact; use smaller numbers"))  # fmt: skip
        elif isinstance(n, A.Agg):
            body = size.get(id(n.body), (FACT_BOUND, False))
            size[id(n)] = (body[0] * _PEOPLE, body[1]) if n.fn == "sum" else (_PEOPLE, False)
    return problems
