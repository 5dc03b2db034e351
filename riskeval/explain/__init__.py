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
    >>> r.children[0].explanation.en.splitlines()[0].startswith("Assessed on 2025-12-01 under rule pack beilin-2025")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal, NamedTuple

from riskeval._build import trusted
from riskeval._memo import per_pack
from riskeval.evaluate.plan import duties_by_factor, open_duties
from riskeval.evaluate.scalar import NOT_ON_ROSTER, UNDETERMINED, Evaluation, Gap
from riskeval.explain._pack_text import PackText, Pair, around, lower, pack_text, source_en
from riskeval.explain._words import (
    ATTRIBUTES,
    GRADES_ZH,
    ITEMS_ZH,
    SUBJECTS,
    TEMPLATES,
    UNITS_ZH,
    VALUES_EN,
    VALUES_ZH,
    WHOLE_SUBJECT,
)
from riskeval.facts import SENSITIVE, place_name
from riskeval.overrides import Override
from riskeval.pack import Pack, Rule
from riskeval.pack.expr import nodes as A
from riskeval.results import Explanation

__all__ = ["Lang", "explain", "fact_phrase", "render"]

Lang = Literal["zh", "en"]
_MEMBER_ID = re.compile(r"\[[^\]]*\]")
_MEMBERS = "household.members["  # a fact an aggregation read of one member: household.members[<id>].x
# fact path → (subject key or None, phrase); subject None: no subject to group under.
_PHRASES: dict[tuple[str, str], tuple[str | None, str, str]] = {}
# A fact and its value in words, in zh and en (None: a sensitive field), by (path, value): populations
# repeat the same values over and over. A path always holds one type, so True and 1 cannot mix up.
_ITEMS: dict[tuple[str, Any], Pair | None] = {}
_CACHE_MAX = 65536
_duties_by_factor = per_pack(maxsize=16)(duties_by_factor)
# All the facts one rule read, in words, by their (path, value) items: a factor reads the same few values in
# child after child. Smaller: an entry holds whole sentences, and a rule reading amounts or dates rarely hits.
_FACTS: dict[Any, Pair] = {}  # by the items, and the household's members when the words name them
_FACTS_MAX = 4096
_EMPTY: dict[str, Any] = {}  # never written to
_ZH, _EN = TEMPLATES["zh"], TEMPLATES["en"]
_NO_FACTS = (_ZH["no_facts"], _EN["no_facts"])
_CATEGORIES = ((_ZH["categories_none"], _EN["categories_none"]), (_ZH["categories"], _EN["categories"]))
_FACTORS = ((_ZH["factors_none"], _EN["factors_none"]), (_ZH["factors"], _EN["factors"]))
_GAPS = ((_ZH["gaps_none"], _EN["gaps_none"]), (_ZH["gaps"], _EN["gaps"]))
_TIER_NONE = (*around(_ZH["tier_none"], "score"), *around(_EN["tier_none"], "score"))
_TIER_OPEN = (*around(_ZH["tier_undetermined"], "score"), *around(_EN["tier_undetermined"], "score"))


def explain(record: Evaluation, pack: Pack, *, on: date, override: Override | None = None) -> Explanation:
    """Render one child's evaluation record as an explanation in Chinese and English.

    Args:
        record: the evaluation record of the child (``riskeval._assess.evaluate``).
        pack: the pack that produced it (labels, sources, tiers).
        on: the assessment date.
        override: the override applied to the child's tier, if any.
    """
    zh, en = _render(record, pack, on, override)
    return trusted(Explanation, {"zh": zh, "en": en})  # two strings made here: no second validation


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
    """``the father's`` + attributes; in Chinese one compound, 父亲 + attributes (父亲是否患重病、残疾情况)."""
    if lang == "en":
        return f"{SUBJECTS[root][1]} {_join(words, lang)}"
    return SUBJECTS[root][0] + _join(words, lang)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _zh_date(text: str) -> str:
    """2025-02-01 → 2025年2月1日, as a Chinese note writes a date."""
    m = _ISO_DATE.match(text)
    return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else text


def _value(path: str, value: Any, lang: Lang) -> str:
    t = TEMPLATES[lang]
    field = path.rsplit(".", 1)[-1]
    if value is True:
        return t["yes"]
    if value is False:
        return t["none"] if field == "disability" else t["no"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and lang == "zh":
        if field == "grade" and value in GRADES_ZH:
            return GRADES_ZH[int(value)]
        return f"{value}{UNITS_ZH.get(_attribute(path), '')}"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if field in ("county", "province") and (name := place_name(value)) is not None:
            return name if lang == "zh" else f"{name} ({value})"
        if lang == "zh":
            return VALUES_ZH.get(field, {}).get(value) or _zh_date(value)
        return VALUES_EN.get(field, {}).get(value, value.replace("_", " "))
    if isinstance(value, list):
        return (t["list_sep"]).join(_value(path, v, lang) for v in value) if value else t["none"]
    if isinstance(value, dict) and {"type", "grade"} <= value.keys():  # a certificate: 三级智力残疾
        kind, grade = _value(f"{path}.type", value["type"], lang), _value(f"{path}.grade", value["grade"], lang)
        return f"{grade}{kind}" if lang == "zh" else f"grade {grade} {kind}"
    if isinstance(value, dict):
        i = 0 if lang == "zh" else 1
        parts = [
            f"{ATTRIBUTES.get(f'{field}.{k}', (k, k))[i]} {_value(k, v, lang)}"
            for k, v in value.items()
            if v is not None and k not in SENSITIVE
        ]
        return (t["list_sep"]).join(parts) or t["none"]
    return str(value)


def _facts(values: dict[str, Any], shown: frozenset[str] | None, members: tuple[tuple[str, str | None], ...]) -> Pair:
    """The facts a rule read that its deciding branch shows (:func:`_deciding`), in words, in zh and en
    ("the father's status: away for work; ..."); ``members``: the household's member ids, in order, with
    their relation to the child (they name the member behind a fact an aggregation read, and only then
    belong to the cache key). Kept by all the values and the branch's keys, so a hit skips the filtering."""
    # Flat: the keys, then the values, in order (the length says where one ends), rather than a pair per item.
    key: Any = (shown, *values, *values.values())
    try:
        hit = _FACTS.get(key) or _FACTS.get((key, members))
    except TypeError:  # a list or a certificate among the values
        return _facts_text(_deciding(values, shown), members)[0]
    if hit is not None:
        return hit
    if len(_FACTS) >= _FACTS_MAX:
        _FACTS.clear()
    pair, named = _facts_text(_deciding(values, shown), members)
    _FACTS[(key, members) if named else key] = pair
    return pair


def _facts_text(values: dict[str, Any], members: tuple[tuple[str, str | None], ...]) -> tuple[Pair, bool]:
    """The words, and whether they name members (then they depend on the household's members)."""
    if not values:
        return _NO_FACTS, False
    zh: list[str] = []
    en: list[str] = []
    labels: dict[str, Pair] | None = None
    for item in _certificates(values):
        label = None
        if item[0].startswith(_MEMBERS):  # a member by place and relation (ids are never shown)
            labels = labels if labels is not None else _member_labels(members)
            label = labels.get(item[0][len(_MEMBERS) : item[0].index("]")])
            item = (_MEMBER_ID.sub("[]", item[0], count=1), item[1])
        try:
            pair = _ITEMS[item]
        except KeyError:
            if len(_ITEMS) >= _CACHE_MAX:
                _ITEMS.clear()
            pair = _ITEMS[item] = _item_pair(*item)
        except TypeError:  # a list or a certificate: not hashable, rendered each time
            pair = _item_pair(*item)
        if pair is not None:
            if label is not None and pair[0].startswith(_MEMBERS_ZH) and pair[1].startswith(_MEMBERS_EN):
                pair = (label[0] + pair[0][len(_MEMBERS_ZH) :], label[1] + pair[1][len(_MEMBERS_EN) :])
            zh.append(pair[0])
            en.append(pair[1])
    named = labels is not None
    if not zh:
        return _NO_FACTS, named
    # Two paths can read the same in one language (two members' civil capacity): said once.
    return (_zh_sentences(zh), _EN["sep"].join(dict.fromkeys(en))), named


_SUBJECT_MARK = "\x1f"  # between a Chinese item's subject and the rest, until items are grouped by subject


def _zh_sentences(items: list[str]) -> str:
    """Chinese items grouped by whose they are, the subject said once: 父亲健在，与儿童同住；母亲未与儿童同住."""
    groups: dict[str, list[str]] = {}
    for item in items:
        subject, mark, rest = item.partition(_SUBJECT_MARK)
        if not mark:
            subject, rest = item, ""
        bucket = groups.setdefault(subject, [])
        if rest not in bucket:
            bucket.append(rest)
    return _ZH["sep"].join(subject + "，".join(r for r in rests if r) for subject, rests in groups.items())


def _certificates(values: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """The values, a certificate's type and grade as one fact (三级智力残疾), where both were read."""
    for path, value in values.items():
        if path.endswith(".disability.grade") and path[: -len("grade")] + "type" in values:
            continue
        if path.endswith(".disability.type") and (grade := values.get(path[: -len("type")] + "grade")) is not None:
            yield path[: -len(".type")], {"type": value, "grade": grade}
            continue
        yield path, value


_MEMBERS_ZH = SUBJECTS["members"][0].removesuffix("的")  # 家庭成员: what a member's fact starts with
_MEMBERS_EN = SUBJECTS["members"][1]  # household members'


def _member_labels(members: tuple[tuple[str, str | None], ...]) -> dict[str, Pair]:
    """Each member as "household member 2 (grandmother)" / 家庭成员2（祖母或外祖母）: by place in the
    household and relation to the child, never by id or name; in Chinese by the relation alone (父亲) where
    no other member has it."""
    out: dict[str, Pair] = {}
    relations = [r for _, r in members]
    for number, (mid, relation) in enumerate(members, 1):
        zh, en = f"{_MEMBERS_ZH}{number}", f"household member {number}"
        if relation:
            words = _value("x.relation", relation, "zh")
            zh = words if relations.count(relation) == 1 and relation != "other" else f"{zh}（{words}）"
            en += f" ({_value('x.relation', relation, 'en')})"
        out[mid] = (zh, en + "'s")
    return out


def _item_pair(path: str, value: Any) -> Pair | None:
    if path.rsplit(".", 1)[-1] in SENSITIVE:
        return None
    return _item(path, value, "zh"), _item(path, value, "en")


def _item(path: str, value: Any, lang: Lang) -> str:
    """One fact and its value in words ("the father's status: away for work", 父亲外出务工); not for a
    sensitive field."""
    head, _, _ = path.rpartition(".")
    if value is False and head.endswith(".disability"):
        path = head  # no certificate: its type and grade are absent, not "no"
    if lang == "zh":
        root, words, _ = _phrase(path, lang)
        if root is None:
            return TEMPLATES[lang]["value"].format(fact=words, value=_value(path, value, lang))
        s = SUBJECTS[root][0] + _SUBJECT_MARK
        form = ITEMS_ZH.get(_attribute(path))
        if isinstance(form, tuple):
            return form[0 if value else 1].format(s=s) if isinstance(value, bool) else f"{s}{_value(path, value, lang)}"
        if isinstance(form, str):
            return form.format(s=s, v=_value(path, value, lang))
        return f"{s}{words}：{_value(path, value, lang)}"
    return TEMPLATES[lang]["value"].format(fact=_phrase(path, lang)[2], value=_value(path, value, lang))


def _attribute(path: str) -> str:
    """The attribute part of a fact path: ``household.economy.dibao`` → ``economy.dibao``."""
    masked = _MEMBER_ID.sub("[]", path)
    root, _, rest = masked.partition(".")
    if root == "household" and rest.startswith("members[]"):
        return rest[len("members[]") :].lstrip(".")
    return rest


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


def _gap(
    g: Gap, e: Evaluation, pack: Pack, hidden: list[Rule], gaps: dict[tuple[object, ...], Any], key: tuple[object, ...]
) -> GapParts:
    """A data gap's parts in zh and en, rendered on its first appearance (populations repeat gaps)."""
    if len(gaps) >= _CACHE_MAX:
        gaps.clear()
    zh, en = _gap_parts(g, e, pack, hidden, "zh"), _gap_parts(g, e, pack, hidden, "en")
    parts = gaps[key] = GapParts(_rank(g, e, pack, hidden), zh, en, g.kind == "factor")
    return parts


class GapParts(NamedTuple):
    """A data gap in words: its rank (0: it could make the child urgent, 1: raise the tier or put the child on
    the roster, 2: change the status, 3: a category or factor only), and per language (facts, number of
    facts, condition, effect, short label)."""

    rank: int
    zh: tuple[str, int, str, str, str]
    en: tuple[str, int, str, str, str]
    factor: bool


def _rank(g: Gap, e: Evaluation, pack: Pack, hidden: list[Rule]) -> int:
    if hidden or (g.tier_if_true is not None and g.tier_if_true == pack.tiers[0].id != e.tier):
        return 0
    if g.tier_if_true is not None and g.tier_if_true != e.tier:
        return 1
    return 2 if g.status_if_true is not None and g.status_if_true != e.status else 3


def _gap_parts(g: Gap, e: Evaluation, pack: Pack, hidden: list[Rule], lang: Lang) -> tuple[str, int, str, str, str]:
    t = TEMPLATES[lang]
    tiers = pack_text(pack)
    i = 0 if lang == "zh" else 1
    if g.status_if_true == pack.exited.id:
        effect = t["becomes_exited"].format(status=g.status_if_true)
    elif g.status_if_true == UNDETERMINED:
        effect = t["status_still_open"]
    elif g.tier_if_true is None:
        effect = t["tier_still_off"]
    else:
        tier = tiers.tier(g.tier_if_true)[i]
        key = "tier_enters" if e.tier is None else ("tier_stays" if g.tier_if_true == e.tier else "tier_becomes")
        effect = t[key].format(tier=tier)
    if g.kind == "category" and g.rule in pack.categories:
        label = pack.categories[g.rule].label
        text = short = label.zh if lang == "zh" else lower(label.en)
        condition = t["cond_category"].format(label=text, rule=text)
        article = "an" if text[:1].lower() in "aeiou" else "a"
        if e.tier is None and g.tier_if_true is not None:
            tier = tiers.tier(g.tier_if_true)[i]
            effect = t["becomes_category_enters"].format(label=text, article=article, tier=tier)
        else:
            effect = t["becomes_category"].format(label=text, article=article, tier=effect)
    elif g.kind == "factor" and g.rule in pack.factors:
        f = pack.factors[g.rule]
        level = next((lv for lv in f.levels if lv.severity == g.severity), None)
        label = level.label if level is not None else f.label
        short = f"{g.rule} {label.zh if lang == 'zh' else label.en}"
        condition = t["cond_factor"].format(code=g.rule, label=label.zh if lang == "zh" else label.en)
        for duty in hidden:  # the gap may hide a duty (a mandatory report)
            text = duty.label.zh if lang == "zh" else duty.label.en
            effect += t["duty_may"].format(id=duty.id, label=text.partition("：")[0] if lang == "zh" else text)
    else:
        rule = pack.exited if g.rule == pack.exited.id else None
        text = short = (rule.label.zh if lang == "zh" else rule.label.en) if rule is not None else g.rule
        condition = t["cond_roster"].format(label=text)
    blocking = _blocking(pack, g.kind, g.rule)
    # A fact that can only rule the result out (whether the child was adopted) is no question to ask while
    # a fact that could bring it about is missing too: it is named only when it is all that is missing.
    asked = [f for f in g.facts if f not in blocking] or g.facts
    facts, count = _unknowns(asked, lang)
    if count == 0:
        facts, count = t["some_facts"], 2
    return facts, count, condition, effect, short


def _gap_lines(parts: list[GapParts], lang: Lang) -> list[str]:
    """Gap sentences by consequence, the most serious first; gaps with the same missing facts and the same
    effect are one sentence; those that change no tier and no status are one closing line."""
    t = TEMPLATES[lang]
    merged: dict[tuple[str, str], tuple[int, tuple[str, int, str, str, str], list[str]]] = {}
    minor: list[str] = []
    raising: dict[str, list[str]] = {}  # a factor that would raise the tier, not to urgent: one line per effect
    for p in sorted(parts, key=lambda p: p.rank):
        words = p.zh if lang == "zh" else p.en
        facts, count, condition, effect, short = words
        if p.rank == 1 and p.factor:
            item = t["gap_raise_item"].format(facts=facts.replace(t["sep"], t["list_sep"]), label=short)
            bucket = raising.setdefault(effect, [])
            if item not in bucket:
                bucket.append(item)
            continue
        if p.rank == 3:
            if not p.factor:
                continue  # an open category is named on the categories line, with what it lacks
            item = t["gap_minor_item"].format(facts=facts.replace(t["sep"], t["list_sep"]), label=short)
            if item not in minor:
                minor.append(item)
            continue
        hit = merged.setdefault((facts, effect), (p.rank, words, []))
        if condition not in hit[2]:
            hit[2].append(condition)
    lines = []
    for _, (facts, count, _c, effect, _s), conditions in merged.values():
        if len(conditions) > 1:
            # 存在G1、G2或G4: the verb said once
            verb = t["cond_factor"].partition("{")[0]
            if verb and all(c.startswith(verb) for c in conditions):
                conditions = [conditions[0]] + [c[len(verb) :] for c in conditions[1:]]
            condition = _join(conditions[:-1], lang) + t["cond_join"] + conditions[-1]
        else:
            condition = conditions[0]
        if count <= 2:
            if lang == "en":
                facts = facts[:1].upper() + facts[1:]
            plural = count > 1
            lines.append(
                t["gap_short"].format(facts=facts, verb="are" if plural else "is",
                                      pronoun="they" if plural else "it", condition=condition, effect=effect)
            )  # fmt: skip
        else:
            lines.append(t["gap_long"].format(facts=facts, condition=condition, effect=effect))
    for effect, items in raising.items():
        lines.append(t["gaps_raise"].format(effect=effect, items=t["sep"].join(items)))
    if minor:
        lines.append(t["gaps_minor"].format(items=t["sep"].join(minor)))
    return lines


@per_pack(maxsize=16)
def _blocking_table(pack: Pack) -> dict[tuple[str, str], frozenset[str]]:
    return {}


def _blocking(pack: Pack, kind: str, rule: str) -> frozenset[str]:
    """The facts a category or factor reads only as a bare yes/no under a ``not`` (through predicates and the
    categories it reads): their value can only stop the rule from holding."""
    table = _blocking_table(pack)
    hit = table.get((kind, rule))
    if hit is None:
        node = (
            pack.categories[rule].node if kind == "category" and rule in pack.categories
            else pack.factors[rule].levels[0].node if kind == "factor" and rule in pack.factors
            else None
        )  # fmt: skip
        pos: set[str] = set()
        neg: set[str] = set()
        if node is not None:
            _polarity(pack, node, True, {}, pos, neg, 0)
        hit = table[(kind, rule)] = frozenset(neg - pos)
    return hit


def _polarity(
    pack: Pack, n: A.Node, positive: bool, names: dict[str, str], pos: set[str], neg: set[str], depth: int
) -> None:
    if depth > 12:
        return
    if isinstance(n, A.Not):
        _polarity(pack, n.operand, not positive, names, pos, neg, depth + 1)
    elif isinstance(n, A.BoolOp):
        for o in n.operands:
            _polarity(pack, o, positive, names, pos, neg, depth + 1)
    elif isinstance(n, A.Fact) and n.path:
        head = names.get(n.root, n.root)
        (pos if positive else neg).add(".".join((head, *n.path)))
    elif isinstance(n, A.Ref) and n.kind == "predicate":
        pred = pack.predicates[n.name]
        inner = {p: names.get(a.root, a.root) for p, a in zip(pred.args, n.args, strict=True)
                 if isinstance(a, A.Fact) and not a.path}  # fmt: skip
        _polarity(pack, pred.node, positive, inner, pos, neg, depth + 1)
    elif isinstance(n, A.Ref) and n.kind == "category" and n.name in pack.categories:
        # Only a category that helps the rule hold is followed: what excludes it (not category.orphan) is
        # settled by that category's own gap.
        if positive:
            _polarity(pack, pack.categories[n.name].node, positive, {}, pos, neg, depth + 1)
    else:  # a comparison, a call, an aggregation: any fact in it may go either way
        for m in A.walk(n):
            if isinstance(m, A.Fact) and m.path:
                head = names.get(m.root, m.root)
                pos.add(".".join((head, *m.path)))
                neg.add(".".join((head, *m.path)))
            elif isinstance(m, A.Ref) and m is not n and m.kind == "predicate":
                _polarity(pack, m, True, names, pos, neg, depth + 1)
                _polarity(pack, m, False, names, pos, neg, depth + 1)


def render(e: Evaluation, pack: Pack, on: date, lang: Lang, override: Override | None = None) -> str:
    """The explanation of one child's evaluation record in one language (lines joined by newlines)."""
    return _render(e, pack, on, override)[0 if lang == "zh" else 1]


def _render(e: Evaluation, pack: Pack, on: date, override: Override | None) -> Pair:
    """The explanation in zh and en, built side by side from the pack's pre-rendered lines."""
    text = pack_text(pack)
    head_zh, head_en = text.header(on)
    if e.status == text.exited_id:
        return f"{head_zh}\n{text.exited[0]}", f"{head_en}\n{text.exited[1]}"
    if e.status == UNDETERMINED:
        roster = _open_status(e, pack)
    else:
        roster = text.on_roster if e.status == text.on_roster_id else text.not_on_roster
    # A category that is unknown is never "none": it is to be verified, with the facts it lacks.
    open_ = [g for g in e.gaps if g.kind == "category" and g.rule in pack.categories]
    heading = _CATEGORIES[bool(e.categories)]
    open_items = _open_categories(open_, pack, text) if open_ else ("", "")
    if open_ and not e.categories:
        heading = (_ZH["categories_open_none"].format(items=open_items[0]),
                   _EN["categories_open_none"].format(items=open_items[1]))  # fmt: skip
    members = tuple(e.members.items())
    zh = [head_zh, roster[0], heading[0]]
    en = [head_en, roster[1], heading[1]]
    # Read once: each is a property of the record, the first read of which works the values out.
    shown: dict[tuple[str, str], frozenset[str]] = e.shown if e.categories or e.factors else {}
    if e.categories:
        values = e.category_values
        for cid in e.categories:
            a, b, c, d = text.category(cid)
            fzh, fen = _facts(values.get(cid, _EMPTY), shown.get(("category", cid)), members)
            zh.append(a + fzh + b)
            en.append(c + fen + d)
    if open_ and e.categories:
        zh.append(_ZH["categories_open"].format(items=open_items[0]))
        en.append(_EN["categories_open"].format(items=open_items[1]))

    heading = _FACTORS[bool(e.factors)]
    zh.append(heading[0])
    en.append(heading[1])
    for h in e.factors:
        a, b, c, d = text.factor(h.code, h.severity, h.points, h.level)
        fzh, fen = _facts(h.values, shown.get(("factor", h.code)), members)
        zh.append(a + fzh + b)
        en.append(c + fen + d)

    row = e.tier_row
    a, b, c, d = (
        text.tier_row(e.tier, row)
        if e.tier is not None and row is not None
        else _TIER_OPEN
        if e.status == UNDETERMINED
        else _TIER_NONE
    )
    score = str(e.score)
    zh.append(a + score + b)
    en.append(c + score + d)
    if e.visit_frequency is not None:
        zh_line, en_line = text.frequency(e.visit_frequency)
        zh.append(zh_line)
        en.append(en_line)
    if override is not None and e.tier is not None:
        zh.append(_override(pack, e.tier, override, "zh"))
        en.append(_override(pack, e.tier, override, "en"))
    for duty in e.duties:
        zh.append(TEMPLATES["zh"]["duty"].format(label=duty.label.zh, id=duty.id, source=duty.source))
        en.append(TEMPLATES["en"]["duty"].format(label=duty.label.en, id=duty.id, source=source_en(duty.source)))

    heading = _GAPS[bool(e.gaps)]
    zh.append(heading[0])
    en.append(heading[1])
    gaps, tier = text.gaps, e.tier
    keyed: list[tuple[tuple[object, ...], Gap, list[Rule]]] = []
    by_factor = _duties_by_factor(pack) if pack.duties else None
    for g in e.gaps:
        hidden = (
            open_duties(by_factor, g.rule, e.duties, on)
            if by_factor and g.rule in by_factor and g.kind == "factor"
            else []
        )
        key = (g.kind, g.rule, tuple(g.facts), g.severity, g.tier_if_true, g.status_if_true, tier, e.status,
               tuple([d.id for d in hidden]) if hidden else ())  # fmt: skip
        keyed.append((key, g, hidden))
    # The gap lines depend only on the gaps' keys (a sentence merges gaps with the same facts and effect):
    # children with the same gaps share them.
    section = tuple(key for key, _, _ in keyed)
    lines = text.gap_sections.get(section)
    if lines is None:
        parts = [gaps.get(key) or _gap(g, e, pack, hidden, gaps, key) for key, g, hidden in keyed]
        if len(text.gap_sections) >= _CACHE_MAX:
            text.gap_sections.clear()
        lines = text.gap_sections[section] = (_gap_lines(parts, "zh"), _gap_lines(parts, "en"))
    zh.extend(lines[0])
    en.extend(lines[1])
    return "\n".join(zh), "\n".join(en)


def _open_status(e: Evaluation, pack: Pack) -> Pair:
    """The status line of a child whose status is undetermined, naming the facts that decide it: those of
    the exit rule's gap and of every gap that could change the status."""
    facts = [f for g in e.gaps if g.kind == "roster" or g.status_if_true != NOT_ON_ROSTER for f in g.facts]
    pair = []
    langs: tuple[Lang, Lang] = ("zh", "en")
    for lang in langs:
        words, count = _unknowns(dict.fromkeys(facts), lang, short=3)
        if count == 0:
            words = "部分信息" if lang == "zh" else "some facts"
        pair.append(TEMPLATES[lang]["undetermined"].format(facts=words))
    return pair[0], pair[1]


def _open_categories(gaps: list[Gap], pack: Pack, text: PackText) -> Pair:
    """The categories still to be verified, each with the facts it lacks (in zh and en)."""
    items: list[Pair] = []
    for g in gaps:
        key = (g.rule, tuple(g.facts))
        item = text.open_items.get(key)
        if item is None:
            if len(text.open_items) >= _CACHE_MAX:
                text.open_items.clear()
            item = text.open_items[key] = (_open_category(g, pack, "zh"), _open_category(g, pack, "en"))
        items.append(item)
    return _ZH["sep"].join(i[0] for i in items), _EN["sep"].join(i[1] for i in items)


def _open_category(g: Gap, pack: Pack, lang: Lang) -> str:
    label = pack.categories[g.rule].label
    blocking = _blocking(pack, "category", g.rule)  # no adoption question while more is missing
    words, count = _unknowns([f for f in g.facts if f not in blocking] or g.facts, lang, short=3)
    if count == 0:
        words = "部分信息" if lang == "zh" else "some facts"
    text = label.zh if lang == "zh" else lower(label.en)
    return TEMPLATES[lang]["open_category"].format(label=text, facts=words)


def _deciding(values: dict[str, Any], shown: frozenset[str] | None) -> dict[str, Any]:
    """The values of the branch that decided (all of them for a record that does not say which)."""
    if not shown:
        return values
    # A certificate is shown whole: its type decided, its grade belongs with it (三级智力残疾).
    whole = {k.partition(".disability")[0] for k in shown if ".disability" in k}
    if whole:
        kept = {k: v for k, v in values.items() if k in shown or k.partition(".disability")[0] in whole}
    else:
        kept = {k: v for k, v in values.items() if k in shown}
    return kept or values


def _override(pack: Pack, tier: str, override: Override, lang: Lang) -> str:
    i = 0 if lang == "zh" else 1
    tiers = pack_text(pack)
    final = next((x.visit_frequency for x in pack.tiers if x.id == override.tier), None)
    return TEMPLATES[lang]["override"].format(
        computed=tiers.tier(tier)[i],
        final=tiers.tier(override.tier)[i],
        date=override.date.isoformat(),
        reason=override.reason_code,
        frequency=_frequency(pack, final, lang) if final else "-",
    )


def _frequency(pack: Pack, frequency: str, lang: Lang) -> str:
    label = pack.frequencies.get(frequency)
    if label is None:
        return frequency
    return label.zh if lang == "zh" else lower(label.en)
