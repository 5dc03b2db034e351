"""Explanations in Chinese and English, rendered from the evaluation record (never from logs).

What a child director reads next to a result: the roster status and the rule behind it; each category with
its source and the facts it read; each risk factor with its severity, points, the facts and values it read
and its source; the tier-table row that decided; the visit frequency; an override if one moved the tier; and
each data gap in plain words ("The mother's status is unknown; if it were known and the orphan rule held, the
child would be an orphan and the tier would become special (orange).").

Facts are named through a phrase table (``father.status`` → 父亲的状况 / the father's status). No name or
id appears in the text: the record carries no names, member ids in paths are dropped, and a fact field
that identifies a person (``riskeval.facts.SENSITIVE``) is never rendered.

Example:
    >>> import datetime, riskeval
    >>> on = datetime.date(2025, 12, 1)
    >>> r = riskeval.assess({"id": "h", "children": [{"id": "c", "birth_date": "2015-01-01"}]}, on=on)
    >>> r.children[0].explanation.en.splitlines()[0]
    'Assessed on 2025-12-01 under rule pack beilin-2025 0.1.0.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from riskeval._explain_text import (
    ATTRIBUTES,
    CLAUSE_STARTS_ZH,
    SUBJECTS,
    TEMPLATES,
    VALUES_EN,
    VALUES_ZH,
    WHOLE_SUBJECT,
)
from riskeval.evaluate._program import ChildEval, Gap
from riskeval.facts import SENSITIVE
from riskeval.overrides import Override
from riskeval.pack import Pack
from riskeval.results import Explanation

__all__ = ["Lang", "explain", "fact_phrase", "render"]

Lang = Literal["zh", "en"]
_MEMBER_ID = re.compile(r"\[[^\]]*\]")
# fact path → (subject key or None, phrase); subject None: no subject to group under.
_PHRASES: dict[tuple[str, str], tuple[str | None, str, str]] = {}
# Rendered pieces, reused: populations repeat the same fact values and the same gaps over and over.
_ITEMS: dict[str, dict[tuple[str, Any], str]] = {"zh": {}, "en": {}}
_CACHE_MAX = 65536


def explain(record: ChildEval, pack: Pack, *, on: date, override: Override | None = None) -> Explanation:
    """Render one child's evaluation record as an explanation in Chinese and English.

    Args:
        record: the evaluation record of the child (``riskeval.assess.evaluate``).
        pack: the pack that produced it (labels, sources, tiers).
        on: the assessment date.
        override: the override applied to the child's tier, if any.
    """
    return Explanation(zh=render(record, pack, on, "zh", override), en=render(record, pack, on, "en", override))


def fact_phrase(path: str, lang: Lang) -> str:
    """A fact path in words: ``father.status`` → 父亲的状况 / the father's status (else the path itself)."""
    return _phrase(path, lang)[2]


def _phrase(path: str, lang: Lang) -> tuple[str | None, str, str]:
    """(subject key, attribute words, whole phrase) of a fact path; member ids are never kept."""
    key = (path, lang)
    hit = _PHRASES.get(key)
    if hit is not None:
        return hit
    i = 0 if lang == "zh" else 1
    masked = _MEMBER_ID.sub("[]", path)
    root, _, rest = masked.partition(".")
    if root == "household" and rest.startswith("members[]"):
        root, rest = "members", rest[len("members[]") :].lstrip(".")
    subject = SUBJECTS.get(root)
    if subject is None:
        out: tuple[str | None, str, str] = (None, masked, masked)
    elif not rest:
        whole = WHOLE_SUBJECT[root][i]
        out = (None, whole, whole)
    else:
        attr = ATTRIBUTES.get(rest)
        words = attr[i] if attr is not None else rest
        out = (root, words, _possessive(root, [words], lang))
    if len(_PHRASES) < 4096:
        _PHRASES[key] = out
    return out


def _possessive(root: str, words: list[str], lang: Lang) -> str:
    """``the father's`` + attributes; in Chinese 父亲的 + attributes, or 父亲 + a clause (父亲是否患重病)."""
    if lang == "en":
        return f"{SUBJECTS[root][1]} {_join(words, lang)}"
    subject = SUBJECTS[root][0]
    if words[0].startswith(CLAUSE_STARTS_ZH):
        subject = subject.removesuffix("的")
    return subject + _join(words, lang)


def _value(path: str, value: Any, lang: Lang) -> str:
    t = TEMPLATES[lang]
    field = path.rsplit(".", 1)[-1]
    if value is True:
        return t["yes"]
    if value is False:
        return t["none"] if field == "disability" else t["no"]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        if lang == "zh":
            return VALUES_ZH.get(field, {}).get(value, value)
        return VALUES_EN.get(field, {}).get(value, value.replace("_", " "))
    if isinstance(value, list):
        return (t["list_sep"]).join(_value(path, v, lang) for v in value) if value else t["none"]
    if isinstance(value, dict):
        i = 0 if lang == "zh" else 1
        parts = [
            f"{ATTRIBUTES.get(f'{field}.{k}', (k, k))[i]} {_value(k, v, lang)}"
            for k, v in value.items()
            if v is not None and k not in SENSITIVE
        ]
        return (t["list_sep"]).join(parts) or t["none"]
    return str(value)


def _facts(values: dict[str, Any], lang: Lang) -> str:
    t = TEMPLATES[lang]
    cache = _ITEMS[lang]
    parts: list[str] = []
    for path, value in values.items():
        try:  # a path always holds one type, so (path, value) cannot mix up True and 1
            item = cache[path, value]
        except KeyError:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            item = cache[path, value] = _item(path, value, lang)
        except TypeError:  # a list or a certificate: not hashable, rendered each time
            item = _item(path, value, lang)
        parts.append(item)
    return t["sep"].join(dict.fromkeys(p for p in parts if p)) or t["no_facts"]


def _item(path: str, value: Any, lang: Lang) -> str:
    """One fact and its value in words ("the father's status: away for work"); "" for a sensitive field."""
    if path.rsplit(".", 1)[-1] in SENSITIVE:
        return ""
    head, _, _ = path.rpartition(".")
    if value is False and head.endswith(".disability"):
        path = head  # no certificate: its type and grade are absent, not "no"
    return TEMPLATES[lang]["value"].format(fact=_phrase(path, lang)[2], value=_value(path, value, lang))


def _join(items: list[str], lang: Lang) -> str:
    t = TEMPLATES[lang]
    if len(items) < 2:
        return "".join(items)
    if lang == "zh":
        return t["list_sep"].join(items)
    return t["list_sep"].join(items[:-1]) + t["last_sep"] + items[-1]


def _unknowns(paths: Iterable[str], lang: Lang, short: int = 2) -> tuple[str, int]:
    """The unknown facts grouped by whose they are ("the father's disability and serious illness")."""
    groups: dict[str, list[str]] = {}
    loose: list[str] = []
    for path in paths:
        if path.rsplit(".", 1)[-1] in SENSITIVE:
            continue
        root, words, whole = _phrase(path, lang)
        bucket = groups.setdefault(root, []) if root is not None else loose
        item = words if root is not None else whole
        if item not in bucket:
            bucket.append(item)
    parts = [_possessive(root, words, lang) for root, words in groups.items()] + loose
    count = sum(len(w) for w in groups.values()) + len(loose)
    return (_join(parts, lang) if count <= short else TEMPLATES[lang]["sep"].join(parts)), count


def _lower(label: str) -> str:
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def _tier_label(pack: Pack, tier: str, lang: Lang) -> str:
    labels: dict[tuple[str, str], str] = pack.compiled.setdefault("explain_tiers", {})
    found = labels.get((tier, lang))
    if found is None:
        label = next((t.label for t in pack.tiers if t.id == tier), None)
        found = tier if label is None else (label.zh if lang == "zh" else _lower(label.en))
        labels[tier, lang] = found
    return found


def _gap(g: Gap, e: ChildEval, pack: Pack, lang: Lang) -> str:
    cache: dict[Any, str] = pack.compiled.setdefault("explain_gaps", {})
    key = (g.kind, g.rule, tuple(g.facts), g.severity, g.tier_if_true, g.status_if_true, e.tier, lang)
    text = cache.get(key)
    if text is None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        text = cache[key] = _gap_text(g, e, pack, lang)
    return text


def _gap_text(g: Gap, e: ChildEval, pack: Pack, lang: Lang) -> str:
    t = TEMPLATES[lang]
    if g.status_if_true == pack.exited.id:
        effect = t["becomes_exited"].format(status=g.status_if_true)
    elif g.tier_if_true is None:
        effect = t["tier_still_off"]
    else:
        tier = _tier_label(pack, g.tier_if_true, lang)
        key = "tier_enters" if e.tier is None else ("tier_stays" if g.tier_if_true == e.tier else "tier_becomes")
        effect = t[key].format(tier=tier)
    if g.kind == "category" and g.rule in pack.categories:
        label = pack.categories[g.rule].label
        text = label.zh if lang == "zh" else _lower(label.en)
        condition = t["cond_category"].format(label=text, rule=text)
        article = "an" if text[:1].lower() in "aeiou" else "a"
        if e.tier is None and g.tier_if_true is not None:
            tier = _tier_label(pack, g.tier_if_true, lang)
            effect = t["becomes_category_enters"].format(label=text, article=article, tier=tier)
        else:
            effect = t["becomes_category"].format(label=text, article=article, tier=effect)
    elif g.kind == "factor" and g.rule in pack.factors:
        f = pack.factors[g.rule]
        level = next((lv for lv in f.levels if lv.severity == g.severity), None)
        label = level.label if level is not None else f.label
        condition = t["cond_factor"].format(code=g.rule, label=label.zh if lang == "zh" else label.en)
    else:
        rule = pack.exited if g.rule == pack.exited.id else None
        text = (rule.label.zh if lang == "zh" else rule.label.en) if rule is not None else g.rule
        condition = t["cond_roster"].format(label=text)
    facts, count = _unknowns(g.facts, lang)
    if count == 0:
        facts, count = ("部分信息", 2) if lang == "zh" else ("some facts", 2)
    if count <= 2:
        facts = facts[:1].upper() + facts[1:]
        plural = count > 1
        return t["gap_short"].format(
            facts=facts,
            verb="are" if plural else "is",
            pronoun="they" if plural else "it",
            condition=condition,
            effect=effect,
        )
    return t["gap_long"].format(facts=facts, condition=condition, effect=effect)


def render(e: ChildEval, pack: Pack, on: date, lang: Lang, override: Override | None = None) -> str:
    """The explanation of one child's evaluation record in one language (lines joined by newlines)."""
    t = TEMPLATES[lang]
    zh = lang == "zh"
    lines = [t["header"].format(on=on.isoformat(), pack=pack.id, version=pack.version)]
    if e.status == pack.exited.id:
        rule = pack.exited
        lines.append(t["exited"].format(label=rule.label.zh if zh else rule.label.en, source=rule.source))
        return "\n".join(lines)
    rule = pack.on_roster
    key = "on_roster" if e.status == rule.id else "not_on_roster"
    lines.append(t[key].format(label=rule.label.zh if zh else rule.label.en, source=rule.source))

    lines.append(t["categories"] if e.categories else t["categories_none"])
    for cid in e.categories:
        c = pack.categories[cid]
        facts = _facts(e.category_values.get(cid, {}), lang)
        lines.append(t["category"].format(label=c.label.zh if zh else c.label.en, facts=facts, source=c.source))

    lines.append(t["factors"] if e.factors else t["factors_none"])
    for h in e.factors:
        sev = pack.severities[h.severity]
        sev_label = sev.label.zh if zh else sev.label.en
        severity = sev_label if sev.mandatory else t["points"].format(label=sev_label, points=h.points)
        label = h.level.label.zh if zh else h.level.label.en
        lines.append(
            t["factor"].format(
                code=h.code, label=label, severity=severity, facts=_facts(h.values, lang), source=h.level.source
            )
        )

    row = e.tier_row
    if e.tier is not None and row is not None:
        lines.append(
            t["tier"].format(
                tier=_tier_label(pack, e.tier, lang),
                row=row.label.zh if zh else row.label.en,
                row_id=row.id,
                source=row.source,
                score=e.score,
            )
        )
    else:
        lines.append(t["tier_none"].format(score=e.score))
    if e.visit_frequency is not None:
        lines.append(t["frequency"].format(frequency=_frequency(pack, e.visit_frequency, lang)))
    if override is not None and e.tier is not None:
        final = next((x.visit_frequency for x in pack.tiers if x.id == override.tier), None)
        lines.append(
            t["override"].format(
                computed=_tier_label(pack, e.tier, lang),
                final=_tier_label(pack, override.tier, lang),
                date=override.date.isoformat(),
                reason=override.reason_code,
                frequency=_frequency(pack, final, lang) if final else "-",
            )
        )

    lines.append(t["gaps"] if e.gaps else t["gaps_none"])
    lines.extend(_gap(g, e, pack, lang) for g in e.gaps)
    return "\n".join(lines)


def _frequency(pack: Pack, frequency: str, lang: Lang) -> str:
    label = pack.frequencies.get(frequency)
    if label is None:
        return frequency
    return label.zh if lang == "zh" else _lower(label.en)
