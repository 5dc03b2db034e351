"""The pack's own words in an explanation, in both languages, rendered once per pack and kept on it.

A line that names a rule (its label, its source, the severity's label) reads the same for every child the
rule applies to; only the facts or the score in it differ. Each such line is kept as the text before and
after that one child-dependent slot, so a child's line is two concatenations, not a ``str.format`` over
pydantic labels.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval._memo import per_pack
from riskeval.explain._words import SOURCE_TERMS_EN, TEMPLATES
from riskeval.pack import Pack, Rule

# Text before and after a line's slot, in Chinese then English.
Parts = tuple[str, str, str, str]
Pair = tuple[str, str]

_LANGS = ("zh", "en")
_DATES_MAX = 512


def source_en(source: str) -> str:
    """A source in an English sentence: the pack's own words (本规则包建议) in English, documents as cited."""
    for zh, en in SOURCE_TERMS_EN:
        source = source.replace(zh, f" {en} ").replace("  ", " ")
    return source.replace("； ", "; ").replace(" ；", ";").replace("；", "; ").strip()


def lower(label: str) -> str:
    """An English label mid-sentence: first letter lowered unless it starts an acronym ("SDM", "CT")."""
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


@per_pack(maxsize=16)
def pack_text(pack: Pack) -> PackText:
    """The explanation text of a pack, built on first use."""
    return PackText(pack)


def around(template: str, slot: str, **fields: str) -> tuple[str, str]:
    """A template formatted on either side of its ``{slot}`` field (labels may hold any character)."""
    before, _, after = template.partition("{" + slot + "}")
    return before.format(**fields), after.format(**fields)


class PackText:
    """The lines of one pack's explanations that do not depend on the child, in Chinese and English.

    Filled lazily: a rule's line is rendered the first time a child needs it. A factor level or tier row
    comes with the record, not from the pack, so those entries remember the rule they were rendered from: a
    record carrying another rule of the same id (a hand-built one) is rendered afresh, never mislabelled.
    """

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.exited_id = pack.exited.id
        self.on_roster_id = pack.on_roster.id
        self.exited = self._roster("exited", pack.exited)
        self.on_roster = self._roster("on_roster", pack.on_roster)
        self.not_on_roster = self._roster("not_on_roster", pack.on_roster)
        # Reversed: where two tiers shared an id, the first one's label was shown, and still is.
        self.tiers: dict[str, Pair] = {t.id: (t.label.zh, lower(t.label.en)) for t in reversed(pack.tiers)}
        self.frequencies: dict[str, Pair] = {
            f: (TEMPLATES["zh"]["frequency"].format(frequency=label.zh),
                TEMPLATES["en"]["frequency"].format(frequency=lower(label.en)))
            for f, label in pack.frequencies.items()
        }  # fmt: skip
        # A data gap's sentence, by what it depends on (the child's tier included); filled by riskeval.explain.
        self.gaps: dict[tuple[object, ...], Any] = {}
        self.gap_sections: dict[tuple[object, ...], tuple[list[str], list[str]]] = {}  # by the gaps' keys
        self.open_items: dict[tuple[str, tuple[str, ...]], Pair] = {}  # an open category with what it lacks
        self._headers: dict[date, Pair] = {}
        self._categories: dict[str, Parts] = {}
        self._factors: dict[tuple[str, str, int], tuple[Rule, Parts]] = {}
        self._tier_rows: dict[tuple[str, str], tuple[Rule, Parts]] = {}

    def _roster(self, key: str, rule: Rule) -> Pair:
        zh, en = (TEMPLATES[lang][key].format(label=rule.label.zh if lang == "zh" else rule.label.en,
                                              source=rule.source if lang == "zh" else source_en(rule.source))
                  for lang in _LANGS)  # fmt: skip
        return zh, en

    def tier(self, tier: str) -> Pair:
        """A tier's label in Chinese and English (mid-sentence); an unknown tier reads as its id."""
        return self.tiers.get(tier) or (tier, tier)

    def frequency(self, frequency: str) -> Pair:
        """The minimum-visits line of a visit frequency (an unknown frequency reads as its id)."""
        hit = self.frequencies.get(frequency)
        if hit is None:
            hit = (TEMPLATES["zh"]["frequency"].format(frequency=frequency),
                   TEMPLATES["en"]["frequency"].format(frequency=frequency))  # fmt: skip
        return hit

    def header(self, on: date) -> Pair:
        """The first line: the assessment date and the pack's id and version."""
        hit = self._headers.get(on)
        if hit is None:
            if len(self._headers) >= _DATES_MAX:
                self._headers.clear()
            iso, pid, version = on.isoformat(), self.pack.id, self.pack.version
            hit = self._headers[on] = (
                TEMPLATES["zh"]["header"].format(on=iso, pack=pid, version=version),
                TEMPLATES["en"]["header"].format(on=iso, pack=pid, version=version),
            )
        return hit

    def category(self, cid: str) -> Parts:
        """A category's line around its facts: label and source."""
        hit = self._categories.get(cid)
        if hit is None:
            rule = self.pack.categories[cid]
            zh = around(TEMPLATES["zh"]["category"], "facts", label=rule.label.zh, source=rule.source)
            en = around(TEMPLATES["en"]["category"], "facts", label=rule.label.en, source=source_en(rule.source))
            hit = self._categories[cid] = (*zh, *en)
        return hit

    def factor(self, code: str, severity: str, points: int, level: Rule) -> Parts:
        """A factor's line around its facts: code, level label, severity (and points) and source."""
        key = (code, severity, points)
        hit = self._factors.get(key)
        if hit is None or hit[0] is not level:
            sev = self.pack.severities[severity]
            out: list[str] = []
            for lang in _LANGS:
                t = TEMPLATES[lang]
                sev_label = sev.label.zh if lang == "zh" else sev.label.en
                shown = sev_label if sev.mandatory else t["points"].format(label=sev_label, points=points)
                label = level.label.zh if lang == "zh" else level.label.en
                source = level.source if lang == "zh" else source_en(level.source)
                out.extend(around(t["factor"], "facts", code=code, label=label, severity=shown, source=source))
            hit = self._factors[key] = (level, (out[0], out[1], out[2], out[3]))
        return hit[1]

    def tier_row(self, tier: str, row: Rule) -> Parts:
        """The tier line around the score: the tier, the row of the tier table that decided and its source."""
        key = (tier, row.id)
        hit = self._tier_rows.get(key)
        if hit is None or hit[0] is not row:
            labels = self.tier(tier)
            out: list[str] = []
            for i, lang in enumerate(_LANGS):
                row_label = row.label.zh if lang == "zh" else row.label.en
                out.extend(
                    around(TEMPLATES[lang]["tier"], "score", tier=labels[i], row=row_label, row_id=row.id,
                            source=row.source if lang == "zh" else source_en(row.source))
                )  # fmt: skip
            hit = self._tier_rows[key] = (row, (out[0], out[1], out[2], out[3]))
        return hit[1]
