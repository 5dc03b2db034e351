"""``riskeval demo``: assess the example households on the embedded pack and print one table row per child."""

from __future__ import annotations

import argparse
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from riskeval._assess import assess
from riskeval.cli._assess import _footer, _frequency_words, _label, _status_words, _tier_words
from riskeval.cli._demo_households import HOUSEHOLDS
from riskeval.cli._io import _date, _errors, _records_of, read_households
from riskeval.errors import ErrorRecord, RiskevalError
from riskeval.facts import Household, parse_household, validation_today
from riskeval.pack import Pack, load_pack
from riskeval.results import ChildAssessment
from riskeval.schedule import birthday

# The example households are a snapshot of facts on this day (examples/README.md): assessed on another
# day, children age and durations grow while the facts stand still.
EXAMPLES_AS_OF = date(2025, 12, 1)


def register(subparsers: Any) -> None:
    """Add ``demo`` to the riskeval command line."""
    p = subparsers.add_parser("demo", help="assess the example households and print a table")
    p.add_argument(
        "--on",
        type=_date,
        default=EXAMPLES_AS_OF,
        help=f"assessment date (default: {EXAMPLES_AS_OF}, the date the example facts describe)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the table and legend")
    p.set_defaults(handler=cmd_demo)


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


def _legend(pack: Pack, codes: set[str], lang: str) -> str:
    """What the codes of the table mean: the factors shown (in the pack's order) and the severities."""
    zh = lang == "zh"
    lines = ["风险因素代码：" if zh else "Factor codes:"]
    width = max((len(code) for code in codes), default=0)
    lines += [f"  {code.ljust(width)}  {_label(f.label, lang)}" for code, f in pack.factors.items() if code in codes]
    severities = ("、" if zh else ", ").join(f"{sid} {_label(s.label, lang)}" for sid, s in pack.severities.items())
    lines.append(("严重程度：" if zh else "Severities: ") + severities)
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    """``riskeval demo``: assess the example households on the embedded pack and print a table."""
    pack = load_pack()
    where, items, sample = demo_households()
    zh = args.lang == "zh"
    head = ["家庭", "儿童", "年龄", "状态", "类别", "风险等级", "走访频次", "主要风险因素", "缺失信息"] if zh else [
        "household", "child", "age", "status", "categories", "tier", "visits", "top factors", "gaps"]  # fmt: skip
    rows = [head]
    failed = False
    shown: set[str] = set()
    for name, data in items:
        try:
            hh = parse_household(data, today=validation_today(args.on))
            result = assess(hh, on=args.on, pack=pack)
        except RiskevalError as exc:
            failed = True
            _errors([ErrorRecord(f"{name}: {r.loc}", r.code, r.message, r.value) for r in _records_of(exc)])
            continue
        for c in result.children:
            shown.update(f.code for f in c.factors)
            cats = [_label(pack.categories[x].label, "zh") for x in c.categories] if zh else c.categories
            rows.append([
                result.household_id, c.child_id, _age(hh, c.child_id, pack, args.on),
                _status_words(pack, c.status, "zh") if zh else c.status,
                ("、" if zh else ", ").join(cats) or _open_categories(c, zh),
                _tier_words(pack, c.tier, "zh") if zh else (c.tier or "-"),
                _frequency_words(pack, c.visit_frequency, "zh") if zh else (c.visit_frequency or "-"),
                _top_factors(pack, c), str(len(c.data_gaps)),
            ])  # fmt: skip
    print(where)
    print()
    print(_table(rows))
    print()
    print(_legend(pack, shown, args.lang))
    print()
    print(_footer(pack, args.on, args.lang))
    hint = "每名儿童的解释与走访计划：" if zh else "Explanations and visit plans: "
    print(f"{hint}riskeval assess {sample} --on {args.on} --format text --lang {args.lang}")
    return 1 if failed else 0


def _open_categories(child: ChildAssessment, zh: bool) -> str:
    """The cell of a child with no category: "-" only when none is open (unknown is never shown as none)."""
    open_ = sum(1 for g in child.data_gaps if g.kind == "category")
    if not open_:
        return "-"
    return f"待核实{open_}类" if zh else f"? ({open_} to verify)"
