"""The ``riskeval`` command line: assess households, check and describe rule packs, run the demo.

Exit codes: 0 done; 1 invalid input (bad JSON, a household that fails validation, an unknown or broken
pack), with one JSON error record per line on stderr (``loc``, ``code``, ``message``, ``value``, and
``row`` for the n-th household of the input); 2 usage (argparse). Never a traceback.

Colleagues add subcommands without editing this file: a module ``riskeval._cli_batch`` or
``riskeval._cli_triggers`` that defines ``register(subparsers)`` is imported by :func:`main`; each parser
it adds sets ``handler`` (``Callable[[argparse.Namespace], int]``) with ``set_defaults``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from riskeval import audit
from riskeval.assess import assess
from riskeval.errors import ErrorRecord, EvaluationError, FactsError, RiskevalError
from riskeval.facts import Household, parse_household
from riskeval.pack import Pack, load_pack
from riskeval.results import ChildAssessment, HouseholdAssessment
from riskeval.schedule import VisitPlan, birthday

# The example households are a snapshot of facts on this day (examples/README.md): assessed on another
# day, children age and durations grow while the facts stand still.
EXAMPLES_AS_OF = date(2025, 12, 1)
PLUGINS = ("riskeval._cli_batch", "riskeval._cli_triggers")
Handler = Callable[[argparse.Namespace], int]

# The plan lines of the text report; the explanation itself comes from the result.
_PLAN: dict[str, dict[str, str]] = {
    "en": {
        "child": "Child {id}: {status}; tier {tier}; {frequency}",
        "first": "First visit by {date} ({rule}, identified {identified}){late}",
        "next": "Next visits: {dates}",
        "holidays": "Holiday visits: {items}",
        "full": "Next full assessment: {date}{late}",
        "milestones": "Age milestones: {items}",
        "follow": "Follow-up visits: {items}",
        "late": " — overdue by {days} days",
        "note": "Note: {text}",
        "household": "Household {id}",
        "footer": "Rule pack {id} {version} (sha256 {sha}); riskeval {rv}; as of {on}.",
        "none": "none",
        "list": ", ",
        "on_roster": "on the roster",
        "not_on_roster": "not on the roster",
        "exited": "exited",
    },
    "zh": {
        "child": "儿童 {id}：{status}；风险层级：{tier}；{frequency}",
        "first": "首次走访期限：{date}（{rule}，识别日期 {identified}）{late}",
        "next": "下次走访：{dates}",
        "holidays": "节日走访：{items}",
        "full": "下次全面评估：{date}{late}",
        "milestones": "年龄节点：{items}",
        "follow": "跟进走访：{items}",
        "late": "，已逾期{days}天",
        "note": "说明：{text}",
        "household": "家庭 {id}",
        "footer": "规则包 {id} {version}（sha256 {sha}）；riskeval {rv}；评估日期 {on}。",
        "none": "无",
        "list": "、",
        "on_roster": "在册",
        "not_on_roster": "不在册",
        "exited": "已退出",
    },
}


# --- input ---------------------------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def read_households(source: str, stdin: TextIO | None = None) -> list[Any]:
    """The households of a file (``-``: stdin): one JSON object, a JSON list of them, or JSON lines."""
    try:
        text = (stdin or sys.stdin).read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FactsError([ErrorRecord(source, "file_not_found", f"no such file: {source}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError([ErrorRecord(source, "unreadable", f"cannot read {source}: {exc}")]) from None
    name = "<stdin>" if source == "-" else source
    body = text.strip()
    if not body:
        raise FactsError([ErrorRecord(name, "empty_input", "the input holds no household")])
    try:
        data = json.loads(body)
    except json.JSONDecodeError as whole:
        if body[0] != "{" or not _first_line_parses(body):
            loc = f"{name}:{whole.lineno}:{whole.colno}"
            raise FactsError([ErrorRecord(loc, "invalid_json", whole.msg)]) from None
        return list(_json_lines(text, name))
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise FactsError(
        [ErrorRecord(name, "not_a_household", f"expected an object or a list, found {type(data).__name__}")]
    )


def _first_line_parses(body: str) -> bool:
    try:
        json.loads(body.splitlines()[0])
    except json.JSONDecodeError:
        return False
    return True


def _json_lines(text: str, name: str) -> Iterator[Any]:
    records = []
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                records.append(ErrorRecord(f"{name}:{n}:{exc.colno}", "invalid_json", exc.msg))
    if records:
        raise FactsError(records)
    yield from items


# --- output --------------------------------------------------------------------------------------


def _errors(records: Sequence[ErrorRecord], row: int | None = None) -> None:
    for r in records:
        out = r.as_dict()
        if row is not None:
            out = {"row": row, **out}
        print(json.dumps(out, ensure_ascii=False), file=sys.stderr)


def _label(labels: Any, lang: str) -> str:
    return str(labels.zh if lang == "zh" else labels.en)


def _plan_lines(plan: VisitPlan, lang: str) -> list[str]:
    t = _PLAN[lang]
    sep = t["list"]

    def late(d: Any) -> str:
        return t["late"].format(days=d.overdue_days) if d.overdue else ""

    lines = []
    if plan.first_visit is not None:
        f = plan.first_visit
        lines.append(t["first"].format(date=f.date, rule=f.rule, identified=f.identified_on, late=late(f)))
    if plan.next_visits:
        lines.append(t["next"].format(dates=sep.join(f"{d.date}{late(d)}" for d in plan.next_visits)))
    if plan.holiday_visits:
        items = sep.join(f"{_label(h.label, lang)} {h.date}" for h in plan.holiday_visits)
        lines.append(t["holidays"].format(items=items))
    if plan.next_full_assessment is not None:
        full = plan.next_full_assessment
        lines.append(t["full"].format(date=full.date, late=late(full)))
    if plan.milestones:
        lines.append(
            t["milestones"].format(items=sep.join(f"{_label(m.label, lang)} {m.date}" for m in plan.milestones))
        )
    if plan.follow_ups:
        lines.append(t["follow"].format(items=sep.join(f"{d.date}{late(d)}" for d in plan.follow_ups)))
    lines += [t["note"].format(text=n.zh if lang == "zh" else n.en) for n in plan.notes]
    return lines


def _tier_words(pack: Pack, tier: str | None, lang: str) -> str:
    found = next((t for t in pack.tiers if t.id == tier), None)
    return _label(found.label, lang) if found else _PLAN[lang]["none"]


def _status_words(pack: Pack, status: str, lang: str) -> str:
    key = {pack.on_roster.id: "on_roster", pack.exited.id: "exited"}.get(status, "not_on_roster")
    return _PLAN[lang][key]


def _frequency_words(pack: Pack, frequency: str | None, lang: str) -> str:
    label = pack.frequencies.get(frequency or "")
    return _label(label, lang) if label else _PLAN[lang]["none"]


def text_report(result: HouseholdAssessment, pack: Pack, lang: str) -> str:
    """A readable report of one household: per child the explanation and the visit plan."""
    t = _PLAN[lang]
    lines = [t["household"].format(id=result.household_id)]
    for c in result.children:
        head = t["child"].format(
            id=c.child_id,
            status=_status_words(pack, c.status, lang),
            tier=_tier_words(pack, c.tier, lang),
            frequency=_frequency_words(pack, c.visit_frequency, lang),
        )
        lines += ["", head]
        if c.explanation is not None:
            lines += ["  " + x for x in (c.explanation.zh if lang == "zh" else c.explanation.en).splitlines()]
        if c.schedule is not None:
            lines += ["  " + x for x in _plan_lines(c.schedule, lang)]
    return "\n".join(lines)


def _footer(pack: Pack, on: date, lang: str) -> str:
    return _PLAN[lang]["footer"].format(
        id=pack.id, version=pack.version, sha=pack.sha256, rv=audit.riskeval_version(), on=on
    )


# --- commands ------------------------------------------------------------------------------------


def cmd_assess(args: argparse.Namespace) -> int:
    """``riskeval assess FILE``: every household of the file; invalid ones are reported, the rest assessed."""
    pack = load_pack(args.pack)
    rows = read_households(args.file)
    results: list[HouseholdAssessment] = []
    failed = False
    for i, data in enumerate(rows):
        try:
            results.append(assess(data, on=args.on, pack=pack))
        except RiskevalError as exc:
            failed = True
            _errors(_records_of(exc), row=i)
    if args.format == "json":
        out = {
            "pack": pack.identity(),
            "riskeval": audit.riskeval_version(),
            "as_of": args.on.isoformat(),
            "results": [r.model_dump(mode="json") for r in results],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(text_report(r, pack, args.lang), end="\n\n")
        print(_footer(pack, args.on, args.lang))
    return 1 if failed else 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    """``riskeval rules check [DIR]``: every problem of a pack, located; one OK line when there is none."""
    try:
        pack = load_pack(args.dir)
    except RiskevalError as exc:
        records = _records_of(exc)
        for r in records:
            print(f"{r.loc}: {r.message} [{r.code}]")
        print(f"{len(records)} problem(s)")
        return 1
    print(f"OK {pack.id} {pack.version} sha256={pack.sha256}")
    return 0


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas of the facts (when the facts module publishes them) and of the results."""
    out: dict[str, dict[str, Any]] = {}
    try:
        from riskeval.facts._schema import json_schemas
    except ImportError:  # pragma: no cover - the facts schema module is part of the package today
        pass
    else:
        out.update(json_schemas())
    out["result"] = audit.result_schema()
    return out


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


def example_dirs() -> list[Path]:
    """Where the demo looks for example households: beside the package (a checkout), then the working folder."""
    here = Path(__file__).resolve().parent.parent / "examples" / "households"
    cwd = Path.cwd() / "examples" / "households"
    return [here] if here == cwd else [here, cwd]


def demo_households() -> tuple[str, list[tuple[str, Any]], str]:
    """Where the households came from, [(name, facts)], and a file to try ``assess`` on.

    The example files are ``examples/households/*.json``; without them, the letter's four households
    embedded in riskeval (an installed wheel run away from the checkout).
    """
    for folder in example_dirs():
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if files:
            sample = min(files, key=lambda f: ("letter-2" not in f.name, f.name))
            try:
                shown = str(sample.relative_to(Path.cwd()))
            except ValueError:
                shown = str(sample)
            items = [
                (f"{f.stem}[{i}]" if i else f.stem, h) for f in files for i, h in enumerate(read_households(str(f)))
            ]
            return f"examples: {folder}", items, shown
    from riskeval._demo_households import HOUSEHOLDS

    looked = " and ".join(str(d) for d in example_dirs())
    where = f"no examples/households/*.json at {looked}: assessing the letter's four households embedded in riskeval"
    return where, list(HOUSEHOLDS.items()), "FILE"


def _age(hh: Household, child_id: str, pack: Pack, on: date) -> str:
    child = next(c for c in hh.children if c.id == child_id)
    if child.birth_date is None:
        return "?"
    years = on.year - child.birth_date.year
    if years > 0 and birthday(child.birth_date, years, pack.schedule) > on:
        years -= 1
    return str(years)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _top_factors(pack: Pack, c: ChildAssessment, n: int = 3) -> str:
    ranked = sorted(c.factors, key=lambda f: (-pack.severity_rank.get(f.severity, 0), -f.points))
    more = f" +{len(ranked) - n}" if len(ranked) > n else ""
    return ", ".join(f"{f.code}:{f.severity}" for f in ranked[:n]) + more or "-"


def cmd_demo(args: argparse.Namespace) -> int:
    """``riskeval demo``: assess the example households on the embedded pack and print a table."""
    pack = load_pack()
    where, items, sample = demo_households()
    zh = args.lang == "zh"
    head = ["家庭", "儿童", "年龄", "状态", "类别", "层级", "走访频次", "主要风险因素", "缺失信息"] if zh else [
        "household", "child", "age", "status", "categories", "tier", "visits", "top factors", "gaps"]  # fmt: skip
    rows = [head]
    failed = False
    for name, data in items:
        try:
            hh = parse_household(data, today=max(args.on, date.today()))
            result = assess(hh, on=args.on, pack=pack)
        except RiskevalError as exc:
            failed = True
            _errors([ErrorRecord(f"{name}: {r.loc}", r.code, r.message, r.value) for r in _records_of(exc)])
            continue
        for c in result.children:
            cats = [_label(pack.categories[x].label, "zh") for x in c.categories] if zh else c.categories
            rows.append([
                result.household_id, c.child_id, _age(hh, c.child_id, pack, args.on),
                _status_words(pack, c.status, "zh") if zh else c.status,
                ("、" if zh else ", ").join(cats) or "-",
                _tier_words(pack, c.tier, "zh") if zh else (c.tier or "-"),
                _frequency_words(pack, c.visit_frequency, "zh") if zh else (c.visit_frequency or "-"),
                _top_factors(pack, c), str(len(c.data_gaps)),
            ])  # fmt: skip
    print(where)
    print()
    print(_table(rows))
    print()
    print(_footer(pack, args.on, args.lang))
    hint = "每名儿童的解释与走访计划：" if zh else "Explanations and visit plans: "
    print(f"{hint}riskeval assess {sample} --on {args.on} --format text --lang {args.lang}")
    return 1 if failed else 0


def _records_of(exc: BaseException) -> list[ErrorRecord]:
    records = getattr(exc, "records", None)
    if isinstance(records, list) and records:
        return records
    code = "evaluation" if isinstance(exc, EvaluationError) else "invalid"
    return [ErrorRecord("<input>", code, str(exc))]


# --- the parser ----------------------------------------------------------------------------------


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The argument parser and its subparsers (for plugins)."""
    parser = argparse.ArgumentParser(
        prog="riskeval", description="Tiered risk assessment of children, from rule packs."
    )
    parser.add_argument("--version", action="version", version=f"riskeval {audit.riskeval_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("assess", help="assess households from a JSON file (- for stdin)")
    p.add_argument("file", metavar="FILE", help="one household object, a JSON list, or JSON lines; - for stdin")
    p.add_argument("--on", type=_date, default=date.today(), help="assessment date (default: today)")
    p.add_argument("--pack", metavar="DIR", default=None, help="rule pack folder (default: the embedded pack)")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text report")
    p.set_defaults(handler=cmd_assess)

    rules = sub.add_parser("rules", help="check a rule pack, or print the JSON Schemas")
    rsub = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")
    p = rsub.add_parser("check", help="load a pack and print every problem as file:line:col")
    p.add_argument("dir", metavar="DIR", nargs="?", default=None, help="pack folder (default: the embedded pack)")
    p.set_defaults(handler=cmd_rules_check)
    p = rsub.add_parser("schema", help="print the JSON Schemas of facts, events and results")
    p.add_argument("name", nargs="?", default=None, help="only this schema (household, event, result)")
    p.set_defaults(handler=cmd_rules_schema)

    p = sub.add_parser("demo", help="assess the example households and print a table")
    p.add_argument(
        "--on",
        type=_date,
        default=EXAMPLES_AS_OF,
        help=f"assessment date (default: {EXAMPLES_AS_OF}, the date the example facts describe)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(handler=cmd_demo)

    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                print(f"riskeval: subcommands of {name} unavailable: {exc}", file=sys.stderr)
            continue
        except ImportError as exc:
            print(f"riskeval: subcommands of {name} unavailable: {exc}", file=sys.stderr)
            continue
        module.register(sub)
    return parser, sub


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 invalid input, 2 usage)."""
    parser, _ = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors, --help, --version
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    try:
        return handler(args)
    except RiskevalError as exc:
        _errors(_records_of(exc))
        return 1
    except BrokenPipeError:
        # The reader went away (`riskeval demo | head`): not an error, and nothing more to say.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    except Exception as exc:
        if os.environ.get("RISKEVAL_TRACEBACK"):
            raise
        _errors([ErrorRecord("<internal>", "internal_error", f"{type(exc).__name__}: {exc} (a bug: please report)")])
        return 1


if __name__ == "__main__":
    sys.exit(main())
