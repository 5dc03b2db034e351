"""A rule's deciding-branch walk generated when an explanation first needs it: one small module per rule.

The walk (``_emit_why``) of a rule, and the walks of the predicates it reaches that no earlier rule reached, are
one module, checked and compiled as the rules' own (``_codegen.load_module``): text from a rule file never
reaches ``compile``. A child's explanation needs the walks of the few rules that hold for it, so those are the
ones made, not the whole pack's at once.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date
from typing import Any

from riskeval.evaluate.scalar._ast import NONE, Consts, Stmt, assign, function, load
from riskeval.evaluate.scalar._codegen import Fn, collector_paused, fact_fields, helpers, load_module, prologue
from riskeval.evaluate.scalar._emit import Emitter, Scope
from riskeval.evaluate.scalar._emit_why import NotGeneratedError, Walks, WhyEmitter
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A


class WalkGenerator:
    """Makes the walk of one rule at a time; the predicates' walks are shared by the modules made after
    theirs. ``predicates``: the pack's generated predicates by name (the walk reads their values through the
    same memo as the rules)."""

    def __init__(self, pack: Pack, years: Callable[[date, date], int], predicates: dict[str, Fn]) -> None:
        self.pack = pack
        self.fields = fact_fields()
        self.names = {name: f"p{i}" for i, name in enumerate(pack.predicates)}
        self.walks = Walks(pack)
        self.bound: dict[str, Any] = {**helpers(years), **{self.names[n]: fn for n, fn in predicates.items()}}

    def walk(self, root: A.Node) -> Fn | None:
        """``w<n>(X)``: the keys of the facts that made ``root`` hold (a list); None where the walk is not
        unrolled (``NotGeneratedError``: the reference walks it)."""
        with collector_paused():
            return self._walk(root)

    def _walk(self, root: A.Node) -> Fn | None:
        consts, walks = Consts(), self.walks
        e = Emitter(consts, self.names, self.fields)
        try:
            WhyEmitter(e, self.pack, walks).walk(root, True, {}, 0)
            body = self._predicate_walks(consts)
        except NotGeneratedError:
            for name, depth, _f in walks.todo:  # asked for by this rule only: not made, asked for again later
                walks.names.pop((name, depth), None)
            walks.todo.clear()
            return None
        fname = walks.fname()
        body.append(function(fname, ["X"], [*prologue(e), assign("O", ast.List(elts=[], ctx=ast.Load())), *e.body,
                                            ast.Return(value=load("O"))]))  # fmt: skip
        namespace = load_module(body, self.fields, {**consts.values, **self.bound})
        # The predicates' walks made here are called by name from the modules made later.
        self.bound |= {name: namespace[name] for name in namespace if name.startswith("w") and name != fname}
        found: Fn = namespace[fname]
        return found

    def _predicate_walks(self, consts: Consts) -> list[Stmt]:
        """The predicate walks asked for and not made yet, and those they ask for; NotGeneratedError if one
        cannot be (it is then refused to every later caller, and none of this round's is kept)."""
        pack, walks = self.pack, self.walks
        out: list[Stmt] = []
        made: list[tuple[str, int | None]] = []
        while walks.todo:
            name, depth, fname = walks.todo.pop()
            pred = pack.predicates[name]
            e = Emitter(consts, self.names, self.fields)
            scope: Scope = {p: (f"a{i}", f"h{i}") for i, p in enumerate(pred.args)}
            try:
                WhyEmitter(e, pack, walks).walk(pred.node, load("W"), scope, 1 if depth is None else depth)
            except NotGeneratedError:
                walks.failed.add((name, depth))
                for key in made:
                    walks.names.pop(key, None)
                raise
            made.append((name, depth))
            params = ["X", "O", "W", *[x for i in range(len(pred.args)) for x in (f"a{i}", f"h{i}")]]
            out.append(function(fname, params, [*prologue(e), *e.body, ast.Return(value=NONE)]))
        return out


__all__ = ["WalkGenerator"]
