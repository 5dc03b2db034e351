"""Statements for one typed expression: the closures' meaning (``_compile``, ``_leaves``), inlined.

Each node kind is emitted as straight-line code that leaves its value in a local and records the paths of the
unknown facts it read in the context's list, in the order the closures record them (the data gaps name them
in that order). Values are the closures' own: ``True``/``False``/``None`` (unknown) and ``ABSENT``.
"""

from __future__ import annotations

import ast

from riskeval.evaluate.scalar._ast import (
    FALSE,
    NONE,
    TRUE,
    Consts,
    Expr,
    Stmt,
    and_,
    assign,
    attr,
    call,
    if_,
    index,
    is_,
    is_not,
    lit,
    load,
    method,
    or_,
    tuple_,
)
from riskeval.pack.expr import nodes as A

_CMP: dict[str, type[ast.cmpop]] = {"==": ast.Eq, "!=": ast.NotEq, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt,
                                    ">=": ast.GtE}  # fmt: skip
_ARITH: dict[str, type[ast.operator]] = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
_BETWEEN = {"days_between": "DAYS", "months_between": "MONTHS", "years_between": "YEARS", "add_months": "ADDM"}
ROLES = ("child", "household", "father", "mother", "caregiver", "on")
_ALWAYS = frozenset(("child", "household", "on"))  # roles a context always binds (never None)

# A bound member variable: the local holding the member, and the local holding how its gaps name it (None:
# by the member's id).
Binding = tuple[str, str]
Scope = dict[str, Binding]


class Emitter:
    """Emits one function's body; ``predicates`` maps a predicate's name to its generated function's name."""

    def __init__(self, consts: Consts, predicates: dict[str, str], fields: frozenset[str], *,
                 cached: bool = False) -> None:  # fmt: skip
        """``cached``: the function's predicate calls on roles keep the memo's entry in a local of their own
        (``c<n>``, None until first read), for a function that calls them many times (the pass)."""
        self.k = consts
        self.predicates = predicates
        self.fields = fields
        self.cached: dict[tuple[str, ...], str] | None = {} if cached else None
        self.body: list[Stmt] = []
        self.n = 0
        self.roles: dict[str, str] = {}  # role -> its local, loaded once at the function's start
        self.uses: set[str] = set()  # which of the context's parts the function reads

    def tmp(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def block(self) -> list[Stmt]:
        """Start a nested block; the caller restores ``self.body``."""
        self.body = []
        return self.body

    def emit(self, n: A.Node, scope: Scope) -> Expr:
        """Append the statements computing ``n``; return the expression holding its value."""
        match n:
            case A.Const(value=v):
                return self.k.name(v)
            case A.Param(name=name):
                return self._param(name)
            case A.Fact():
                return self._fact(n, scope)
            case A.Not(operand=o):
                a = self.emit(o, scope)
                out = self.tmp()
                self.body.append(assign(out, ast.IfExp(test=is_(a, NONE), body=NONE,
                                                       orelse=ast.UnaryOp(op=ast.Not(), operand=a))))  # fmt: skip
                return load(out)
            case A.BoolOp(op=op, operands=ops):
                return self._connective(list(ops), op == "or", scope)
            case A.Compare(op=op, left=left, right=right):
                return self._compare(op, left, right, scope)
            case A.In():
                return self._in(n, scope)
            case A.Arith(op=op, left=left, right=right):
                return self._arith(op, left, right, scope)
            case A.Agg():
                return self._agg(n, scope, bounds=False)
            case A.Call():
                return self._call(n, scope)
            case A.Ref(kind="predicate", name=name, args=args):
                return self._predicate(name, args, scope)
            case A.Ref(kind=kind, name=name):
                self.uses.add("RES")
                out, pair = self.tmp(), self.tmp()
                extend = method(load("U"), "extend", index(load(pair), lit(1)))
                self.body += [assign(pair, index(load("RES"), self.k.name((kind, name)))),
                              assign(out, index(load(pair), lit(0))), if_(is_(load(out), NONE), [extend])]  # fmt: skip
                return load(out)
            case A.TierInput(name="score"):
                self.uses.add("T")
                return self._let(index(load("T"), self.k.name("score")))
            case A.TierInput(key=key):
                self.uses.add("T")
                severity = index(load("T"), self.k.name("severity"))
                return self._let(call(attr(severity, "get"), self.k.name(key), lit(0)))
        raise TypeError(f"cannot generate {type(n).__name__}")

    def _let(self, value: Expr) -> Expr:
        out = self.tmp()
        self.body.append(assign(out, value))
        return load(out)

    def _param(self, name: str) -> Expr:
        self.uses.add("P")
        return self._let(index(load("P"), self.k.name(name)))

    # --- facts --------------------------------------------------------------------------------------------

    def role(self, root: str) -> str:
        local = self.roles.get(root)
        if local is None:
            local = self.roles[root] = f"r{ROLES.index(root)}"
        return local

    def _gap(self, root: str, path: tuple[str, ...], scope: Scope) -> Expr:
        """A fact's path for a data gap: a role's is a constant; a variable's names the member as bound."""
        if root not in scope:
            return self.k.name(".".join((root, *path)))
        member, head = scope[root]
        suffix = "".join("." + p for p in path)
        return call(load("HEAD"), load(head), load(member), self.k.name(suffix))

    def _fact(self, n: A.Fact, scope: Scope) -> Expr:
        root, path = n.root, n.path
        obj = scope[root][0] if root in scope else self.role(root)
        if not path and (root in scope or root in _ALWAYS):
            return load(obj)  # a member, the child, the household or the date itself: no read to record
        out = self.tmp()
        outer = self.body
        if root not in scope and root not in _ALWAYS:  # a parent or the caregiver may not be in the household
            inner: list[Stmt] = []
            self.body.append(if_(is_(load(obj), NONE), [method(load("U"), "append", self._gap(root, (), scope)),
                                                        assign(out, NONE)], inner))  # fmt: skip
            self.body = inner
        cur = obj
        last = len(path) - 1
        for i, part in enumerate(path):
            step = out if i == last else self.tmp()
            if part == "age":  # completed years on the assessment date, by the pack's leap-day rule
                self.uses.add("ON")
                born = self.tmp()
                years = call(load("YEARS"), load(born), load("ON"))
                inner = [assign(step, years)]
                if self.cached is not None and root not in scope:  # a role's age: once in the pass
                    local = self.cached.setdefault(("age", root, *path[:i]), f"c{len(self.cached)}")
                    inner = [if_(is_(load(local), NONE), [assign(local, years)]), assign(step, load(local))]
                self.body += [assign(born, attr(load(cur), "birth_date")),
                              if_(is_(load(born), NONE),
                                  [method(load("U"), "append", self._gap(root, (*path[:i], "birth_date"), scope)),
                                   assign(out, NONE)], inner)]  # fmt: skip
                self.body = inner
            else:
                self.field(part)
                missing: list[Stmt] = [method(load("U"), "append", self._gap(root, path[: i + 1], scope))]
                if i == last:  # the value is the field's, unknown included
                    self.body += [assign(step, attr(load(cur), part)), if_(is_(load(step), NONE), missing)]
                    break
                inner = []
                self.body += [assign(step, attr(load(cur), part)),
                              if_(is_(load(step), NONE), [*missing, assign(out, NONE)], inner)]  # fmt: skip
                self.body = inner
                # a certificate not held: its fields do not exist
                inner = []
                self.body.append(if_(is_(load(step), FALSE), [assign(out, load("ABSENT"))], inner))
                self.body = inner
            cur = step
        if not path:
            self.body.append(assign(out, load(obj)))
        self.body = outer
        return load(out)

    def field(self, name: str) -> None:
        if name not in self.fields:  # the type checker let it through: it must be a field of the fact models
            raise TypeError(f"not a field of the fact schema: {name!r}")

    # --- connectives, comparisons ---------------------------------------------------------------------------

    def _connective(self, ops: list[A.Node], decisive: bool, scope: Scope) -> Expr:
        """Kleene's ``and``/``or``, left to right: the first decisive operand ends it (the rest is not read)."""
        out = self.tmp()
        dec, other = lit(decisive), lit(not decisive)
        outer = self.body
        seen: list[Expr] = []
        for i, o in enumerate(ops):
            v = self.emit(o, scope)
            seen.append(v)
            if i < len(ops) - 1:
                rest: list[Stmt] = []
                self.body.append(if_(is_(v, dec), [assign(out, dec)], rest))
                self.body = rest
                continue
            # none decided: unknown if any operand was (each operand's value is still in its own local)
            unknown = _any_none(seen)
            self.body.append(if_(is_(v, dec), [assign(out, dec)],
                                 [if_(unknown, [assign(out, NONE)], [assign(out, other)])]))  # fmt: skip
        self.body = outer
        return load(out)

    def _compare(self, op: str, left: A.Node, right: A.Node, scope: Scope) -> Expr:
        is_ne = lit(op == "!=")
        out = self.tmp()
        if _is_count(left) or _is_count(right):
            a, b = self._operand(left, scope), self._operand(right, scope)
            bounded = call(load("BOUNDED"), self.k.name(op), a, b)
            self.body.append(self._general(out, op, a, b, is_ne, bounded))
            return load(out)
        a = self.emit(left, scope)
        if isinstance(right, A.Const) and right.value is not None:
            c = self.k.name(right.value)
            value: Expr = _cmp(op, a, c)
            if _absent(left):
                value = ast.IfExp(test=is_(a, load("ABSENT")), body=is_ne, orelse=value)
            self.body.append(if_(is_(a, NONE), [assign(out, NONE)], [assign(out, value)]))
            return load(out)
        if isinstance(right, A.Param):
            self.uses.add("P")
            p = self.tmp()
            decide: list[Stmt] = [assign(p, index(load("P"), self.k.name(right.name))),
                                  if_(or_(is_(a, NONE), is_(load(p), NONE)), [assign(out, NONE)],
                                      [assign(out, _cmp(op, a, load(p)))])]  # fmt: skip
            if _absent(left):
                decide = [if_(is_(a, load("ABSENT")), [assign(out, is_ne)], decide)]
            self.body += decide
            return load(out)
        b_ = self.emit(right, scope)
        self.body.append(self._general(out, op, a, b_, is_ne, None, _absent(left) or _absent(right)))
        return load(out)

    def _general(self, out: str, op: str, a: Expr, b: Expr, is_ne: Expr, bounded: Expr | None,
                 absent: bool = True) -> Stmt:  # fmt: skip
        known: list[Stmt] = [assign(out, _cmp(op, a, b))]
        if bounded is not None:
            some = or_(is_(call(load("type"), a), load("BOUNDS")), is_(call(load("type"), b), load("BOUNDS")))
            known = [if_(some, [assign(out, bounded)], known)]
        decide = if_(or_(is_(a, NONE), is_(b, NONE)), [assign(out, NONE)], known)
        if not absent:
            return decide
        return if_(or_(is_(a, load("ABSENT")), is_(b, load("ABSENT"))), [assign(out, is_ne)], [decide])

    def _operand(self, n: A.Node, scope: Scope) -> Expr:
        return self._agg(n, scope, bounds=True) if isinstance(n, A.Agg) and _is_count(n) else self.emit(n, scope)

    def _in(self, n: A.In, scope: Scope) -> Expr:
        out = self.tmp()
        item_first = n.container is None
        negate = lit(n.negate)
        if not item_first:
            assert n.container is not None
            c = self.emit(n.container, scope)
            outer = self.body
            inner: list[Stmt] = []
            self.body.append(if_(is_(c, NONE), [assign(out, NONE)],
                                 [if_(is_(c, load("ABSENT")), [assign(out, _ne(FALSE, negate))], inner)]))  # fmt: skip
            self.body = inner
            v = self.emit(n.item, scope)
            self.body.append(assign(out, _ne(_in(v, c), negate)))
            self.body = outer
            return load(out)
        v = self.emit(n.item, scope)
        if len(n.items) == 1 and isinstance(n.items[0], A.Param):
            self.uses.add("P")
            values: Expr = index(load("P"), self.k.name(n.items[0].name))
        else:
            values = self.k.name(frozenset(c.value for c in n.items if isinstance(c, A.Const)))
        member: Expr = and_(is_not(v, load("ABSENT")), _in(v, values)) if _absent(n.item) else _in(v, values)
        self.body.append(if_(is_(v, NONE), [assign(out, NONE)],
                             [assign(out, _ne(member, negate) if n.negate else member)]))  # fmt: skip
        return load(out)

    # --- arithmetic and the helpers -------------------------------------------------------------------------

    def _binary(self, a: Expr, b: Expr, value: Expr, absent: bool, cache: str | None = None) -> Expr:
        """Unknown in, unknown out; a fact that does not exist stays so. ``cache``: a local keeping the value
        once computed (None until then), for operands that are the same in every rule of the function."""
        out = self.tmp()
        known: list[Stmt] = [assign(out, value)]
        if cache is not None:
            known = [if_(is_(load(cache), NONE), [assign(cache, value)]), assign(out, load(cache))]
        if absent:
            known = [if_(or_(is_(a, load("ABSENT")), is_(b, load("ABSENT"))), [assign(out, load("ABSENT"))], known)]
        self.body.append(if_(or_(is_(a, NONE), is_(b, NONE)), [assign(out, NONE)], known))
        return load(out)

    def _arith(self, op: str, left: A.Node, right: A.Node, scope: Scope) -> Expr:
        a, b = self.emit(left, scope), self.emit(right, scope)
        absent = _absent(left) or _absent(right)
        if op == "/":
            return self._binary(a, b, call(load("DIV"), a, b), absent)
        return self._binary(a, b, ast.BinOp(left=a, op=_ARITH[op](), right=b), absent)

    def _call(self, n: A.Call, scope: Scope) -> Expr:
        fn, out = n.fn, self.tmp()
        if fn == "known":
            v = self.emit(n.args[0], scope)
            self.body.append(assign(out, is_not(v, NONE)))
            return load(out)
        if fn == "len":
            c = self.emit(n.args[0], scope)
            self.body.append(assign(out, ast.IfExp(test=is_(c, NONE), body=c, orelse=ast.IfExp(
                test=is_(c, load("ABSENT")), body=lit(0), orelse=call(load("len"), c)))))  # fmt: skip
            return load(out)
        if fn == "has_any":
            c = self.emit(n.args[0], scope)
            outer = self.body
            inner: list[Stmt] = [assign(out, FALSE)]
            self.body.append(if_(is_(c, NONE), [assign(out, NONE)],
                                 [if_(is_not(c, load("ABSENT")), inner, [assign(out, FALSE)])]))  # fmt: skip
            self.body = inner
            for item in n.args[1:]:  # any(): the first item found ends it
                nested: list[Stmt] = []
                self.body.append(if_(ast.UnaryOp(op=ast.Not(), operand=load(out)), nested))
                self.body = nested
                v = self.emit(item, scope)
                self.body.append(assign(out, _in(v, c)))
            self.body = outer
            return load(out)
        a, b = self.emit(n.args[0], scope), self.emit(n.args[1], scope)
        cache = None
        if self.cached is not None and all(isinstance(x, A.Fact) and x.root not in scope for x in n.args):
            # An age or a duration of the roles' facts: the same in every rule, computed once in the pass.
            key = ("call", fn, *(".".join((x.root, *x.path)) for x in n.args if isinstance(x, A.Fact)))
            cache = self.cached.setdefault(key, f"c{len(self.cached)}")
        return self._binary(a, b, call(load(_BETWEEN[fn]), a, b), _absent(n.args[0]) or _absent(n.args[1]), cache)

    # --- aggregations and predicates ------------------------------------------------------------------------

    def _agg(self, n: A.Agg, scope: Scope, *, bounds: bool) -> Expr:
        self.uses.add("HH")
        fn, out, members = n.fn, self.tmp(), self.tmp()
        member, head = self.tmp(), self.tmp()
        inner_scope = {**scope, n.var: (member, head)}
        self.body.append(assign(members, attr(load("HH"), "members")))
        outer = self.body
        known: list[Stmt] = []
        self.body.append(if_(is_(load(members), NONE),
                             [method(load("U"), "append", self.k.name("household.members")), assign(out, NONE)],
                             known))  # fmt: skip
        # accumulators: any/all -> (decided, unknown); count -> (true, unknown); sum -> the values
        hit, unk = self.tmp(), self.tmp()
        start = lit(0) if fn == "count" else FALSE
        known += [assign(head, NONE), assign(hit, start), assign(unk, start)] if fn != "sum" else \
            [assign(head, NONE), assign(hit, ast.List(elts=[], ctx=ast.Load()))]  # fmt: skip
        loop: list[Stmt] = []
        self.body = loop
        c: Expr = TRUE
        if n.cond is not None:
            c = self.emit(n.cond, inner_scope)
            self.body.append(if_(is_(c, FALSE), [ast.Continue()]))
        v = self.emit(n.body, inner_scope)
        if fn == "sum":
            value = v if n.cond is None else ast.IfExp(test=is_(c, NONE), body=NONE, orelse=v)
            self.body.append(method(load(hit), "append", value))
        else:
            if n.cond is None:
                # kleene_and(True, v) / kleene_or(False, v): v as a plain truth value
                plain = ast.IfExp(test=is_(v, NONE), body=NONE, orelse=lit(fn != "all"))
                w_expr: Expr = ast.IfExp(test=is_(v, lit(fn == "all")), body=lit(fn == "all"), orelse=plain)
            elif fn == "all":
                w_expr = call(load("KOR"), ast.IfExp(test=is_(c, NONE), body=NONE,
                                                     orelse=ast.UnaryOp(op=ast.Not(), operand=c)), v)  # fmt: skip
            else:
                w_expr = call(load("KAND"), c, v)
            w = load(self.tmp())
            self.body.append(assign(w.id, w_expr))
            if fn == "count":
                self.body.append(if_(is_(w, NONE), [ast.AugAssign(target=ast.Name(id=unk, ctx=ast.Store()),
                                                                  op=ast.Add(), value=lit(1))],
                                     [if_(w, [ast.AugAssign(target=ast.Name(id=hit, ctx=ast.Store()), op=ast.Add(),
                                                            value=lit(1))])]))  # fmt: skip
            else:
                self.body.append(if_(is_(w, lit(fn == "any")), [assign(hit, TRUE)],
                                     [if_(is_(w, NONE), [assign(unk, TRUE)])]))  # fmt: skip
        known.append(ast.For(target=ast.Name(id=member, ctx=ast.Store()), iter=load(members), body=loop, orelse=[]))
        self.body = known
        if fn == "sum":
            self.body.append(assign(out, call(load("SUM"), load(hit))))
        elif fn == "count":
            unknown = call(load("BOUNDS"), load(hit), ast.BinOp(left=load(hit), op=ast.Add(), right=load(unk))) \
                if bounds else NONE  # fmt: skip
            self.body.append(assign(out, ast.IfExp(test=load(unk), body=unknown, orelse=load(hit))))
        else:
            decided = lit(fn == "any")
            self.body.append(assign(out, ast.IfExp(test=load(hit), body=decided, orelse=ast.IfExp(
                test=load(unk), body=NONE, orelse=lit(fn != "any")))))  # fmt: skip
        self.body = outer
        return load(out)

    def _predicate(self, name: str, args: tuple[A.Node, ...], scope: Scope) -> Expr:
        out = self.tmp()
        values: list[Expr] = []
        maybe: list[Expr] = []  # the arguments that may be no one (a parent not in the household)
        heads: list[Expr] = []
        outer = self.body
        for a in args:  # how the callee's facts are named: by the role passed in, or as the caller's variable is
            if len(args) == 1 and isinstance(a, A.Fact) and not a.path and a.root not in _ALWAYS | scope.keys():
                # father, mother, caregiver: the read of the role itself, fused with the test below (with more
                # arguments, each is read before any is tested)
                role = load(self.role(a.root))
                inner: list[Stmt] = []
                self.body.append(if_(is_(role, NONE), [method(load("U"), "append", self.k.name(a.root)),
                                                       assign(out, NONE)], inner))  # fmt: skip
                self.body = inner
                values.append(role)
            else:
                v = self.emit(a, scope)
                values.append(v)
                if not (isinstance(a, A.Fact) and not a.path):
                    maybe.append(v)
            if isinstance(a, A.Fact) and a.root in scope:
                heads.append(load(scope[a.root][1]))
            else:
                heads.append(self.k.name(a.root if isinstance(a, A.Fact) else "?"))
        pairs = [x for v, h in zip(values, heads, strict=True) for x in (v, h)]
        # The memo's answer read here: a call only when the predicate has not run on these members yet (in the
        # rules' own module, to its body past the memo's check: ``_codegen``).
        self.uses.add("M")
        key, hit = self.tmp(), self.tmp()
        found: list[Stmt] = [assign(out, index(load(hit), lit(0))),
                 if_(is_(load(out), NONE), [method(load("U"), "extend", index(load(hit), lit(1)))])]  # fmt: skip
        run: list[Stmt] = [assign(out, call(load(self.predicates[name]), load("X"), *pairs))]
        value: list[Stmt] = [assign(key, tuple_(self.k.name(name), *[attr(v, "id") for v in values])),
                             assign(hit, call(attr(load("M"), "get"), load(key))),
                             if_(is_(load(hit), NONE), run, found)]  # fmt: skip
        roots = [a.root for a in args if isinstance(a, A.Fact) and not a.path and a.root not in scope]
        if self.cached is not None and len(roots) == len(args):
            # On roles only, the members are the function's for its whole run, and a memo entry, once made,
            # never changes: from the second call on, the entry is this local's.
            # (keyed by kind first: a predicate's name is the pack's, and may be "age" or "call")
            local = self.cached.setdefault(("predicate", name, *roots), f"c{len(self.cached)}")
            run.append(assign(local, index(load("M"), load(key))))
            found.insert(0, assign(local, load(hit)))
            again = [assign(out, index(load(local), lit(0))),
                     if_(is_(load(out), NONE), [method(load("U"), "extend", index(load(local), lit(1)))])]  # fmt: skip
            value = [if_(is_(load(local), NONE), value, again)]
        if not maybe:
            self.body += value
        else:
            self.body.append(if_(_any_none(maybe), [assign(out, NONE)], value))
        self.body = outer
        return load(out)


def _any_none(values: list[Expr]) -> Expr:
    tests = [is_(v, NONE) for v in values]
    return or_(*tests) if len(tests) > 1 else tests[0]


def _cmp(op: str, a: Expr, b: Expr) -> Expr:
    return ast.Compare(left=a, ops=[_CMP[op]()], comparators=[b])


def _in(a: Expr, b: Expr) -> Expr:
    return ast.Compare(left=a, ops=[ast.In()], comparators=[b])


def _ne(a: Expr, b: Expr) -> Expr:
    return ast.Compare(left=a, ops=[ast.NotEq()], comparators=[b])


def _absent(n: A.Node) -> bool:
    """Whether a node's value may be ``ABSENT`` (a field of a certificate not held, or arithmetic on one):
    where it cannot, the generated code skips the test (the closures make it, and find it false)."""
    match n:
        case A.Fact(path=path):
            return len(path) > 1
        case A.Arith(left=a, right=b):
            return _absent(a) or _absent(b)
        case A.Call(fn=fn, args=args) if fn in _BETWEEN:
            return any(_absent(a) for a in args)
        case A.Const() | A.Param() | A.Not() | A.BoolOp() | A.Compare() | A.In() | A.Agg() | A.Call() | A.TierInput():
            return False
    return True  # a rule's or a predicate's value: whatever its condition gives


def _is_count(n: A.Node) -> bool:
    return isinstance(n, A.Agg) and n.fn == "count"
