"""``riskeval triggers``: replay an event log, or list the scheduled triggers due on a date.

    riskeval triggers replay --households examples/households --events examples/events/beilin-2026-q1.jsonl
    riskeval triggers due --households examples/households --events examples/events/beilin-2026-q1.jsonl \
        --on 2026-06-08 --format text

``--households`` is a JSON file (one household, a list, or JSON lines), ``-`` for stdin, or a folder of
``*.json`` files. Events are JSON lines. Triggers go to stdout; every event or household that could not
apply is an error record on stderr (``row`` is the event's line in the file; ``households[i]`` is the household's
position in the input, a folder's files in name order), the others are processed, and the exit code is 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from riskeval.cli._io import _date, _errors, dumps, read_households
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import Unparsed, event_lines
from riskeval.pack import Pack, load_pack
from riskeval.triggers import Monitor, Trigger

_TEXT = {
    "en": {"by": "by", "to": "→", "counts": "{events} events: {applied} applied, {rejected} rejected; {n} triggers.",
           "due": "{n} scheduled triggers open on {on}.", "none": "none"},
    "zh": {"by": "期限", "to": "→", "counts": "事件 {events} 条：已处理 {applied}，拒绝 {rejected}；触发 {n} 条。",
           "due": "{on} 待办定期触发 {n} 条。", "none": "无"},
}  # fmt: skip


def register(subparsers: Any) -> None:
    """Add ``triggers replay`` and ``triggers due`` to the riskeval command line."""
    p = subparsers.add_parser("triggers", help="re-assessment triggers from household events and dates")
    sub = p.add_subparsers(dest="triggers_command", required=True, metavar="COMMAND")

    r = sub.add_parser("replay", help="replay an event log (JSON lines) over households; print the triggers")
    _common(r)
    r.add_argument("--events", required=True, metavar="FILE", help="the event log, one JSON event per line")
    r.add_argument(
        "--executor", choices=("riskeval", "durable"), default="riskeval", help="which engine runs the trigger rules"
    )
    r.set_defaults(handler=cmd_replay)

    d = sub.add_parser("due", help="the scheduled triggers open on a date (milestones, timers, overdue visits)")
    _common(d)
    d.add_argument("--on", required=True, type=_date, metavar="DATE", help="the date (YYYY-MM-DD)")
    d.add_argument("--events", default=None, metavar="FILE", help="replay this event log first (JSON lines)")
    d.set_defaults(handler=cmd_due)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--households", required=True, metavar="FILE", help="a JSON file, - for stdin, or a folder")
    p.add_argument("--pack", metavar="DIR", default=None, help="rule pack folder (default: the embedded pack)")
    p.add_argument("--format", choices=("json", "text"), default="json", help="json records, or a text report")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text report")


def households_from(source: str) -> list[Any]:
    """The households of a file (see :func:`riskeval.cli.read_households`) or of a folder's *.json files."""
    folder = Path(source)
    if source != "-" and folder.is_dir():
        files = sorted(folder.glob("*.json"))
        if not files:
            raise FactsError([ErrorRecord(source, "empty_input", "the folder holds no *.json file")])
        out: list[Any] = []
        for f in files:
            try:
                out += read_households(str(f))
            except FactsError as exc:  # one malformed file is one bad item; the other files are read
                out.append(Unparsed(tuple(exc.records)))
        return out
    return read_households(source)


def events_from(source: str) -> list[tuple[int, Any]]:
    """(line number, text) of every non-blank line of an event log (a line past the size limit: an
    Unparsed record, and the log is not read past it)."""
    return event_lines(source)


def cmd_replay(args: argparse.Namespace) -> int:
    """``riskeval triggers replay``: the triggers of the whole log, in date order."""
    pack = load_pack(args.pack)
    lines = events_from(args.events)
    # text is printed as each trigger is raised: a log of any length in bounded memory
    printed: list[int] = [0]

    def show(t: Trigger) -> None:
        print(trigger_line(t, pack, args.lang))
        printed[0] += 1

    stream = None if args.format == "json" else show
    monitor = Monitor(pack, executor=args.executor)
    result = monitor.replay(households_from(args.households), [t for _, t in lines], on_trigger=stream)
    errors = _with_lines(result.errors, lines)
    _errors(errors)
    if args.format == "json":
        out = result.as_dict()
        out["errors"] = [e.as_dict() for e in errors]
        print(dumps(out, indent=2))
    else:
        words = _TEXT[args.lang]
        counts = words["counts"].format(
            events=result.events, applied=result.applied, rejected=result.rejected, n=printed[0]
        )
        print(counts)
    return 1 if errors else 0


def cmd_due(args: argparse.Namespace) -> int:
    """``riskeval triggers due``: the scheduled triggers open on ``--on``."""
    pack = load_pack(args.pack)
    monitor = Monitor(pack, reassess=False)
    households = households_from(args.households)
    # The monitor tracks the valid households (as the log left them): a bad one is a record, the others go on.
    if args.events is not None:
        lines = events_from(args.events)
        replayed = monitor.replay(households, [t for _, t in lines])
        rejected = _with_lines(replayed.errors, lines)
        monitor.track(replayed.households.values())
    else:
        rejected = monitor.track(households)
    _errors(rejected)
    triggers = monitor.due(on=args.on)
    if args.format == "json":
        out = {
            "pack": pack.identity(),
            "on": args.on.isoformat(),
            "triggers": [t.model_dump(mode="json") for t in triggers],
            "errors": [e.as_dict() for e in rejected],
        }
        print(dumps(out, indent=2))
    else:
        for t in triggers:
            print(trigger_line(t, pack, args.lang))
        print(_TEXT[args.lang]["due"].format(n=len(triggers), on=args.on.isoformat()))
    return 1 if rejected else 0


def _with_lines(records: list[ErrorRecord], lines: list[tuple[int, str]]) -> list[ErrorRecord]:
    """Records whose ``row`` is the event's line in the file (not its index among the non-blank lines)."""
    return [
        ErrorRecord(r.loc, r.code, r.message, r.value, row=lines[r.row][0] if r.row is not None else None)
        for r in records
    ]


def trigger_line(t: Trigger, pack: Pack, lang: str) -> str:
    """One trigger as a line of text: when, how urgent, by when, who, which rule, why, and what changed."""
    words = _TEXT[lang]
    reason = t.reason.zh if lang == "zh" else t.reason.en
    head = f"{t.raised_on}  {t.urgency} {words['by']} {t.due_date}  {t.household_id} [{', '.join(t.child_ids)}]"
    parts = [f"{head}  {t.rule_id}: {reason}"]
    for e in t.escalations:
        parts.append(f"{e.urgency_from}{words['to']}{e.urgency_to} ({e.rule_id})")
    for c in t.changes:
        if c.changed:
            before = ", ".join(c.categories_before) or words["none"]
            after = ", ".join(c.categories_after) or words["none"]
            to = words["to"]
            parts.append(f"{c.child_id}: {c.tier_before or '-'}{to}{c.tier_after or '-'} [{before}]{to}[{after}]")
    return "; ".join(parts)
