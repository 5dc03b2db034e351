"""The values a rule read, generated: ``read_values`` (``_shown_values``) for one rule's static reads.

``v<n>(X)`` gives the dict ``read_values(X, reads, years)`` gives, in the same order: each known fact read
through a role (``father.status``), and of each member an aggregation visits (``household.members[<id>]...``).
"""

from __future__ import annotations

import ast
from typing import Any

from riskeval.evaluate.plan import MEMBERS
from riskeval.evaluate.scalar._ast import FALSE, NONE, Stmt, and_, assign, attr, call, if_, is_, is_not, load
from riskeval.evaluate.scalar._emit import Emitter


def emit_reader(e: Emitter, reads: list[tuple[str, str, tuple[str, ...]]]) -> tuple[list[Stmt], str]:
    """The statements filling a new dict with the known facts of ``reads``; the dict's local."""
    out = e.tmp()
    body: list[Stmt] = [assign(out, ast.Dict(keys=[], values=[]))]
    for key, root, path in reads:
        if root != MEMBERS:
            body += _show(e, out, e.k.name(key), e.role(root), path)
            continue
        e.uses.add("HH")
        members, m = e.tmp(), e.tmp()
        name = ast.BinOp(left=ast.BinOp(left=e.k.name("household.members["), op=ast.Add(), right=attr(load(m), "id")),
                         op=ast.Add(), right=e.k.name("]" + key))  # fmt: skip
        loop = _show(e, out, name, m, path)
        body += [assign(members, attr(load("HH"), "members")),
                 if_(load(members), [ast.For(target=ast.Name(id=m, ctx=ast.Store()), iter=load(members), body=loop,
                                             orelse=[])])]  # fmt: skip
    return body, out


def _show(e: Emitter, out: str, key: ast.expr, obj: str, path: tuple[str, ...]) -> list[Stmt]:
    """One fact into the dict when it is known (nothing for an unknown one, nor a field of a certificate the
    person does not hold): ``_shown_values._show``."""
    body: list[Stmt] = []
    outer = body
    cur = obj
    for i, part in enumerate(path):
        held: ast.expr = is_not(load(cur), NONE)
        if i > 0:
            held = and_(held, is_not(load(cur), FALSE))
        inner: list[Stmt] = []
        body.append(if_(held, inner))
        body = inner
        step = e.tmp()
        if part == "age":
            e.uses.add("ON")
            born = e.tmp()
            body += [assign(born, attr(load(cur), "birth_date")),
                     assign(step, ast.IfExp(test=is_(load(born), NONE), body=NONE,
                                            orelse=call(load("YEARS"), load(born), load("ON"))))]  # fmt: skip
        else:
            e.field(part)
            body.append(assign(step, attr(load(cur), part)))
        cur = step
    value: Any = ast.IfExp(test=ast.Compare(left=call(load("type"), load(cur)), ops=[ast.In()],
                                            comparators=[load("SCALARS")]),
                           body=load(cur), orelse=call(load("PLAIN"), load(cur)))  # fmt: skip
    store = ast.Assign(targets=[ast.Subscript(value=load(out), slice=key, ctx=ast.Store())], value=value)
    body.append(if_(and_(is_not(load(cur), NONE), is_not(load(cur), load("ABSENT"))), [store]))
    return outer
