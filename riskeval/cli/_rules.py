"""``riskeval rules check|diff|test|coverage|schema``: a pack's problems and changes, its cases, the JSON Schemas."""

from __future__ import annotations

import argparse
import json
from typing import Any

from riskeval import audit
from riskeval.cli import _casework
from riskeval.cli._io import _errors, _records_of
from riskeval.errors import ErrorRecord, RiskevalError
from riskeval.facts import json_schemas
from riskeval.pack import load_pack


def register(subparsers: Any) -> None:
    """Add ``rules check`` and ``rules schema`` to the riskeval command line."""
    rules = subparsers.add_parser("rules", help="check a rule pack, or print the JSON Schemas")
    rsub = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")
    p = rsub.add_parser("check", help="load a pack and print every problem as file:line:col")
    p.add_argument("dir", metavar="DIR", nargs="?", default=None, help="pack folder (default: the embedded pack)")
    p.set_defaults(handler=cmd_rules_check)
    p = rsub.add_parser("diff", help="list the parameters and rules that change from pack A to pack B")
    p.add_argument("a", metavar="A", help="the first pack folder")
    p.add_argument("b", metavar="B", help="the second pack folder")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_rules_diff)
    _casework.register(rsub)
    p = rsub.add_parser("schema", help="print the JSON Schemas of facts, events and results")
    p.add_argument("name", nargs="?", default=None, help="only this schema (household, event, result)")
    p.set_defaults(handler=cmd_rules_schema)


def cmd_rules_check(args: argparse.Namespace) -> int:
    """``riskeval rules check [DIR]``: every problem of a pack, located; one OK line when there is none."""
    try:
        pack = load_pack(args.dir)
    except RiskevalError as exc:
        records = _records_of(exc)
        for r in records:
            print(f"{r.loc}: {r.message} [{r.code}]")
        print(f"{len(records)} problem(s)")
        _errors(records)  # and as every exit 1 gives them: JSON records on stderr
        return 1
    print(f"OK {pack.id} {pack.version} sha256={pack.sha256}")
    return 0


def cmd_rules_diff(args: argparse.Namespace) -> int:
    """``riskeval rules diff A B``: every parameter and rule that differs, one line each (exit 0 either way)."""
    diff = load_pack(args.a).diff(load_pack(args.b))
    if args.format == "json":
        doc = {"a": diff.a, "b": diff.b, "changes": diff.to_records()}
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    else:
        print(diff)
    return 0


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas of the facts, the events and the results."""
    return {**json_schemas(), "result": audit.result_schema()}


def cmd_rules_schema(args: argparse.Namespace) -> int:
    """``riskeval rules schema [NAME]``: the JSON Schemas of facts, events and results."""
    found = schemas()
    if args.name is not None:
        if args.name not in found:
            _errors([ErrorRecord("name", "unknown_schema", f"no schema {args.name!r} (have: {', '.join(found)})")])
            return 1
        found = found[args.name]
    print(json.dumps(found, ensure_ascii=False, indent=2, sort_keys=True))
    return 0
