"""Explanations a caseworker would write (issue 13): public sources, Chinese without English, natural
phrasing, the deciding facts only, and gaps ranked by consequence."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import cli

ON = date(2025, 12, 1)
PACK = riskeval.load_pack()
LETTERS = Path(__file__).parent.parent / "examples" / "households"
FILES = ["letter-1-brothers.json", "letter-2-dropout.json", "letter-3-aged-out.json", "letter-4-migrant.json"]
# What a reader cannot check: design files and the tags of the design notes.
PRIVATE = re.compile(r"DOMAIN|DESIGN|PROPOSAL|LOCAL|LETTER|FOREIGN|\.md\b|§")


def letter(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LETTERS / name).read_text(encoding="utf-8"))
    return data


def zh_report(name: str, capsys: pytest.CaptureFixture[str], on: str = "2025-12-01") -> str:
    assert cli.main(["assess", str(LETTERS / name), "--on", on, "--format", "text", "--lang", "zh"]) == 0
    return capsys.readouterr().out


def _sources() -> list[tuple[str, str]]:
    rules = [*PACK.predicates.values(), *PACK.categories.values(), *PACK.tier_rows, PACK.exited, PACK.on_roster]
    rules += [lv for f in PACK.factors.values() for lv in f.levels] + list(PACK.duties)
    out = [(r.id, r.source) for r in rules]
    return out


def test_every_source_of_the_default_pack_cites_what_a_reader_can_check() -> None:
    """No rule, parameter, trigger or schedule entry of the default pack cites a design file or its tags."""
    found = [(rid, s) for rid, s in _sources() if PRIVATE.search(s)]
    folder = Path(__file__).parent.parent / "rules" / "beilin-2025"
    for name in ("parameters.yaml", "triggers.yaml", "schedule.yaml", "tiers.yaml", "factors.yaml"):
        text = (folder / name).read_text(encoding="utf-8")
        for block in re.findall(r"source: (?:>-\n(?:\s{4,}.*\n)+|.*)", text):
            if PRIVATE.search(block):
                found.append((name, block))
    assert not found


@pytest.mark.parametrize("name", FILES)
def test_explanations_cite_no_design_file(name: str) -> None:
    """The rendered explanations, in both languages, name no design file or design tag."""
    for child in riskeval.assess(letter(name), on=ON).children:
        assert child.explanation is not None
        assert not PRIVATE.search(child.explanation.zh) and not PRIVATE.search(child.explanation.en)


def _latin_words(text: str, ids: set[str]) -> set[str]:
    """The Latin words of a Chinese text but factor codes, standards' numbers and ids."""
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_./-]*", text))
    allowed = re.compile(r"^([GCEH]\d+a?|U[0-3]|GB/T|DB\d+/T|sha256|riskeval|[0-9a-f]{16,})$")  # a hash: an id
    return {w for w in words if not allowed.match(w) and not any(w in i for i in ids)}


@pytest.mark.parametrize("name", FILES)
def test_the_chinese_text_has_no_english(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The zh explanation and the zh text report hold no Latin word but factor codes, standards and ids."""
    data = letter(name)
    ids = {data["id"], PACK.id, *(c["id"] for c in data["children"])}
    for child in riskeval.assess(data, on=ON).children:
        assert child.explanation is not None
        assert not _latin_words(child.explanation.zh, ids)
    assert not _latin_words(zh_report(name, capsys), ids)


def test_phrasing_a_caseworker_would_write(capsys: pytest.CaptureFixture[str]) -> None:
    """No "facts read", no doubled 的 in a fact, ages in 周岁; a parent living elsewhere is not 在家."""
    text = "".join(zh_report(name, capsys) for name in FILES)
    assert "所读取的事实" not in text and "的最近一次" not in text
    assert not re.search(r"(父亲|母亲|儿童|照料人)的[^，；。]*的", text)
    assert "儿童15周岁" in text and "儿童8周岁" in text
    assert not re.search(r"(父亲|母亲)在家", text) and "母亲健在；未与儿童同住" not in text


def test_a_grade_is_an_ordinal_with_its_type(capsys: pytest.CaptureFixture[str]) -> None:
    """A year before he turned 18, the letter's third child is de facto unsupported: 二级视力残疾, 三级精神残疾."""
    text = zh_report("letter-3-aged-out.json", capsys, on="2025-03-02")
    assert "父亲二级视力残疾" in text and "母亲三级精神残疾" in text


def test_an_exited_youth_has_no_empty_tier_words(capsys: pytest.CaptureFixture[str]) -> None:
    """An exited youth's report says so, not "风险层级：无；无"."""
    text = zh_report("letter-3-aged-out.json", capsys)
    assert "无；无" not in text and "已退出" in text


@pytest.mark.parametrize("name", FILES)
def test_no_gap_line_is_said_twice(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each missing fact's sentence is said once: the child's safety record is one line for G1, G2 and G4."""
    for block in zh_report(name, capsys).split("\n\n"):  # one child's block
        lines = [x.strip() for x in block.splitlines() if x.strip().startswith("- ")]
        assert len(lines) == len(set(lines))
        assert len(re.findall("儿童的?安全状况未知", block)) <= 1


@pytest.mark.parametrize("name", ["letter-2-dropout.json", "letter-4-migrant.json"])
def test_no_one_asks_whether_a_child_living_with_a_parent_was_adopted(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adoption can only rule a category out: it is not asked while the parents' situations are unknown."""
    assert "收养" not in zh_report(name, capsys)
    child = riskeval.assess(letter(name), on=ON).children[0]
    assert any("child.adopted" in g.facts for g in child.data_gaps)  # the record keeps it


def test_the_explanation_names_the_branch_that_decided() -> None:
    """G10 holds for the father who is away: his contact is named, the mother at home is not."""
    child = riskeval.assess(letter("letter-1-brothers.json"), on=ON).children[0]
    assert child.explanation is not None
    (g10,) = [x for x in child.explanation.zh.splitlines() if x.startswith("- G10")]
    assert "父亲" in g10 and "很少与儿童联系" in g10 and "母亲" not in g10
    (lb,) = [x for x in child.explanation.zh.splitlines() if x.startswith("- 困境儿童")]
    assert "登记" not in lb and "照料人" not in lb
    assert any("mother.status" in k for f in child.factors if f.code == "G10" for k in f.values)  # JSON keeps all


def test_the_report_puts_the_decision_first_and_ranks_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    """Household 4: the head line is the decision; the first gap could make the child urgent; few gap lines;
    the JSON keeps every gap."""
    text = zh_report("letter-4-migrant.json", capsys)
    head = next(x for x in text.splitlines() if x.startswith("儿童 "))
    assert "在册" in head and "流动儿童" in head and "一般（蓝色）" in head
    body = text.split("缺失信息", 1)[1].splitlines()[1:]
    gaps = [x.strip() for x in body if x.strip().startswith("- ")]
    assert "紧急（红色）" in gaps[0] and len(gaps) <= 6
    child = riskeval.assess(letter("letter-4-migrant.json"), on=ON).children[0]
    assert len(child.data_gaps) >= 15
