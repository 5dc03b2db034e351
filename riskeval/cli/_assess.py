"""``riskeval assess FILE``: every household of a file assessed, as JSON or as a readable report.

The report is in Chinese or English, per child the explanation and the visit plan.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from riskeval import audit
from riskeval._assess import assess
from riskeval.cli._io import _date, _errors, _records_of, dumps, read_households
from riskeval.errors import RiskevalError
from riskeval.pack import Pack, load_pack
from riskeval.results import HouseholdAssessment
from riskeval.schedule import VisitPlan

# The plan lines of the text report; the explanation itself comes from the result.
_PLAN: dict[str, dict[str, str]] = {
    "en": {
        "child": "Child {id}: {status}; {categories}; tier {tier}; {frequency}",
        "child_off": "Child {id}: {status}; {categories}",
        "categories": "categories: {items}",
        "categories_none": "no category",
        "categories_open": "no confirmed category ({n} to be verified)",
        "duties": "; required now: {ids}",
        "first": "First visit by {date} ({rule}, identified {identified}){late}",
        "next": "Next visits: {dates}",
        "holidays": "Holiday visits: {items}",
        "full": "Next full assessment: {date}{late}",
        "milestones": "Age milestones: {items}",
        "follow": "Follow-up visits: {items}",
        "verify": "Verification visit by {date}",
        "late": " — overdue by {days} days",
        "note": "Note: {text}",
        "household": "Household {id}",
        "footer": "Rule pack {id} {version} (sha256 {sha}); riskeval {rv}; as of {on}.",
        "none": "none",
        "list": ", ",
        "on_roster": "on the roster",
        "not_on_roster": "not on the roster",
        "exited": "exited: no category or tier applies",
        "undetermined": "to be verified: the facts cannot tell whether the child is on the roster",
    },
    "zh": {
        "child": "儿童 {id}：{status}；{categories}；风险等级{tier}；{frequency}",
        "child_off": "儿童 {id}：{status}；{categories}",
        "categories": "{items}",
        "categories_none": "不属于任何类别",
        "categories_open": "暂无已确认的类别（{n}类待核实）",
        "duties": "；须立即办理：{ids}",
        "first": "首次走访期限：{date}（{rule}，识别日期 {identified}）{late}",
        "next": "下次走访：{dates}",
        "holidays": "节日走访：{items}",
        "full": "下次全面评估：{date}{late}",
        "milestones": "年龄节点：{items}",
        "follow": "跟进走访：{items}",
        "verify": "核实走访期限：{date}",
        "late": "，已逾期{days}天",
        "note": "说明：{text}",
        "household": "家庭 {id}",
        "footer": "规则包 {id} {version}（sha256 {sha}）；riskeval {rv}；评估日期 {on}。",
        "none": "无",
        "list": "、",
        "on_roster": "在册",
        "not_on_roster": "不在册",
        "exited": "已退出花名册，不再评定类别和风险等级",
        "undetermined": "待核实：已知信息无法确定是否在册",
    },
}


def register(subparsers: Any) -> None:
    """Add ``assess`` to the riskeval command line."""
    p = subparsers.add_parser("assess", help="assess households from a JSON file (- for stdin)")
    p.add_argument("file", metavar="FILE", help="one household object, a JSON list, or JSON lines; - for stdin")
    p.add_argument(
        "--on", type=_date, default=date.today(), metavar="DATE", help="assessment date, YYYY-MM-DD (default: today)"
    )
    p.add_argument("--pack", metavar="DIR", default=None, help="rule pack folder (default: the embedded pack)")
    p.add_argument("--format", choices=("json", "text"), default="json", help="json records, or a text report")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text report")
    p.set_defaults(handler=cmd_assess)


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
    if plan.verification is not None:
        lines.append(t["verify"].format(date=plan.verification.date))
    lines += [t["note"].format(text=n.zh if lang == "zh" else n.en) for n in plan.notes]
    return lines


def _tier_words(pack: Pack, tier: str | None, lang: str) -> str:
    found = next((t for t in pack.tiers if t.id == tier), None)
    return _label(found.label, lang) if found else _PLAN[lang]["none"]


def _status_words(pack: Pack, status: str, lang: str) -> str:
    key = {pack.on_roster.id: "on_roster", pack.exited.id: "exited", "undetermined": "undetermined"}.get(
        status, "not_on_roster"
    )
    return _PLAN[lang][key]


def _frequency_words(pack: Pack, frequency: str | None, lang: str) -> str:
    label = pack.frequencies.get(frequency or "")
    return _label(label, lang) if label else _PLAN[lang]["none"]


def text_report(result: HouseholdAssessment, pack: Pack, lang: str) -> str:
    """A readable report of one household: per child the explanation and the visit plan."""
    t = _PLAN[lang]
    lines = [t["household"].format(id=result.household_id)]
    for c in result.children:
        names = [_label(pack.categories[x].label, lang) for x in c.categories if x in pack.categories]
        # "No category" only when none is open: an unknown category is never reported as absent.
        open_ = sum(1 for g in c.data_gaps if g.kind == "category")
        none = t["categories_open"].format(n=open_) if open_ else t["categories_none"]
        categories = t["categories"].format(items=t["list"].join(names)) if names else none
        status = _status_words(pack, c.status, lang)
        if c.tier is None:  # the decision first, and nothing said of a tier that was not assessed
            head = t["child_off"].format(id=c.child_id, status=status, categories=categories)
            if c.status == pack.exited.id:
                head = t["child_off"].format(id=c.child_id, status=status, categories="").rstrip("；; ")
        else:
            head = t["child"].format(
                id=c.child_id,
                status=status,
                categories=categories,
                tier=_tier_words(pack, c.tier, lang),
                frequency=_frequency_words(pack, c.visit_frequency, lang),
            )
        if c.duties:  # first thing a reader sees: a mandatory report is not a detail of the explanation
            duties = [_label(d.label, lang).partition("：")[0] if lang == "zh" else d.id for d in c.duties]
            head += t["duties"].format(ids=t["list"].join(duties))
        lines += ["", head]
        if c.explanation is not None:
            text = c.explanation.zh if lang == "zh" else c.explanation.en
            lines += ["  " + x for x in text.splitlines()[1:]]  # the date and pack are in the footer
        if c.schedule is not None:
            lines += ["  " + x for x in _plan_lines(c.schedule, lang)]
    return "\n".join(lines)


def _footer(pack: Pack, on: date, lang: str) -> str:
    return _PLAN[lang]["footer"].format(
        id=pack.id, version=pack.version, sha=pack.sha256, rv=audit.riskeval_version(), on=on
    )


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
        print(dumps(out, indent=2))
    else:
        for r in results:
            print(text_report(r, pack, args.lang), end="\n\n")
        print(_footer(pack, args.on, args.lang))
    return 1 if failed else 0
