"""mkdocs hooks: the tables of the site that must not drift from the code are generated from riskeval itself.

A page asks for a table with a marker on a line of its own:

- ``<!-- riskeval:event-types -->``: every event type, who it names, its details, the kinds, the default pack's
  urgency and a JSON example (each example is validated by ``riskeval.parse_event`` while the site builds);
- ``<!-- riskeval:urgencies -->``: the default pack's urgencies and their deadlines;
- ``<!-- riskeval:schema NAME -->``: the fields of a JSON Schema (``household``, ``event``, ``result``, or a pack
  file ``pack/tiers``), one table per object, with the descriptions written on the pydantic models;
- ``<!-- riskeval:analyst-pages -->``: links to the analysts' pages that exist in this tree (populations, the
  analysis page and notebooks are written on other branches, so the site is built from what is there).

``tests/test_docs.py`` imports this module and checks the tables against riskeval.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
MARKER = re.compile(r"^<!-- riskeval:([a-z-]+)(?: ([\w/-]+))? -->$", re.MULTILINE)

# A value for each detail field, for the examples: the examples are validated, so a wrong one fails the build.
DETAIL_EXAMPLES: dict[str, Any] = {
    "until": "2027-01-11",
    "reported_on": "2026-01-05",
    "disability_type": "physical",
    "grade": 2,
    "components": ["physical", "visual"],
    "county": "610113",
    "months": 2,
    "drop_pct": 50,
    "status": "stopped",
    "level": "none",
    "amount": 30000,
    "days": 21,
}
WHO = {"child": "required", "member": "required", "?": "optional", "-": "—"}


def event_example(event_type: str) -> dict[str, Any]:
    """A small valid event of a type: who it must name and its required details."""
    from riskeval.facts import EVENT_SUBJECTS, EventType, event_details, event_kinds

    t = EventType(event_type)
    example: dict[str, Any] = {"id": "ev-1", "household": "hh-1", "date": "2026-01-12", "type": t.value}
    child_rule, member_rule = EVENT_SUBJECTS[t]
    if child_rule == "child":
        example["child"] = "c1"
    if member_rule == "member":
        example["member"] = "m1"
    for name in event_details(t)[0]:
        example[name] = event_kinds(t)[0] if name == "kind" else DETAIL_EXAMPLES[name]
    return example


def event_types_table() -> str:
    """The table of every event type (generated from ``riskeval.facts`` and the default pack)."""
    import riskeval
    from riskeval.facts import EVENT_SUBJECTS, EventType, event_details, event_kinds

    urgencies: dict[str, list[str]] = {}
    for row in riskeval.load_pack().triggers.rules:
        found = urgencies.setdefault(row.event, [])
        if row.urgency not in found:
            found.append(row.urgency)
    lines = [
        "| type | child | member | required details | optional details | `kind` values | urgency (default pack) "
        "| example |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in EventType:
        child_rule, member_rule = EVENT_SUBJECTS[t]
        required, optional = event_details(t)
        example = event_example(t.value)
        riskeval.parse_event(example)  # an example that does not validate fails the build
        cells = [
            f"`{t.value}`",
            WHO[child_rule],
            WHO[member_rule],
            ", ".join(f"`{n}`" for n in required) or "—",
            ", ".join(f"`{n}`" for n in optional) or "—",
            ", ".join(f"`{k}`" for k in event_kinds(t)) or "—",
            ", ".join(urgencies.get(t.value, [])) or "—",
            f"`{json.dumps(example, ensure_ascii=False)}`",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def urgencies_table() -> str:
    """The default pack's urgencies, highest first, with their deadlines."""
    import riskeval

    lines = ["| urgency | meaning | deadline | or the next visit, if sooner |", "|---|---|---|---|"]
    for uid, u in riskeval.load_pack().triggers.urgencies.items():
        d = u.deadline
        limit = next(
            f"{v} {unit}"
            for v, unit in ((d.working_days, "working days"), (d.calendar_days, "calendar days"), (d.hours, "hours"))
            if v is not None
        )
        lines.append(f"| `{uid}` | {u.label.zh} / {u.label.en} | {limit} | {'yes' if u.at_next_visit else 'no'} |")
    return "\n".join(lines)


def _schemas() -> dict[str, dict[str, Any]]:
    from riskeval.cli import schemas
    from riskeval.pack._jsonschema import json_schemas

    return {**schemas(), **{f"pack/{k}": v for k, v in json_schemas().items()}}


def _type_of(prop: Any) -> str:
    if not isinstance(prop, dict):
        return "any"
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in prop:
            kinds = [_type_of(p) for p in prop[key]]
            return " or ".join(k for k in kinds if k != "null") + (" or null" if "null" in kinds else "")
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_type_of(prop['additionalProperties'])}"
    if kind == "string" and prop.get("format") == "date":
        return "date (YYYY-MM-DD)"
    return str(kind)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_tables(name: str) -> str:
    """One table of fields per object of a JSON Schema: the root first, then its ``$defs``."""
    schema = _schemas()[name]
    objects = [(schema.get("title", name), schema), *sorted(schema.get("$defs", {}).items())]
    out: list[str] = []
    for title, obj in objects:
        props = obj.get("properties")
        if not props:
            continue
        required = set(obj.get("required", ()))
        out += [f"**{title}**", ""]
        if obj.get("description"):
            out += [_cell(obj["description"]), ""]
        out += ["| field | type | required | description | example |", "|---|---|---|---|---|"]
        for field, prop in props.items():
            example = prop.get("examples", [None])[0] if prop.get("examples") else None
            shown = "" if example is None else f"`{json.dumps(example, ensure_ascii=False)}`"
            cells = [f"`{field}`", _cell(_type_of(prop)), "yes" if field in required else "",
                     _cell(prop.get("description", "")), _cell(shown)]  # fmt: skip
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def analyst_pages() -> str:
    """Links to the analysts' pages present in this tree."""
    items = [("batch.md", "Whole populations: `assess_batch`, tables in, tables out")]
    if (DOCS / "analysis.md").exists():
        items.append(("analysis.md", "What-if analysis: another pack, tier and workload tables"))
    links = [f"- [{text}]({page})" for page, text in items if (DOCS / page).exists()]
    notebooks = sorted((DOCS / "notebooks").glob("*.ipynb")) if (DOCS / "notebooks").is_dir() else []
    links += [f"- Notebook: [{nb.stem}](notebooks/{nb.name})" for nb in notebooks]
    return "\n".join(links)


def render(kind: str, arg: str | None) -> str:
    """The text a marker stands for."""
    if kind == "event-types":
        return event_types_table()
    if kind == "urgencies":
        return urgencies_table()
    if kind == "schema" and arg:
        return schema_tables(arg)
    if kind == "analyst-pages":
        return analyst_pages()
    raise ValueError(f"unknown marker riskeval:{kind}")


def on_config(config: Any) -> Any:
    """Put the analysis page in the nav when this tree has it (it is written on another branch)."""
    if (DOCS / "analysis.md").exists():
        for section in config["nav"]:
            if isinstance(section, dict) and "Analysts" in section:
                section["Analysts"].insert(1, {"What-if analysis": "analysis.md"})
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each marker with its generated table."""
    return MARKER.sub(lambda m: render(m.group(1), m.group(2)), markdown)
