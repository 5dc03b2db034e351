"""A pack pickles as its documents (not its compiled nodes), loads again as the same pack, and decides alike."""

from __future__ import annotations

import copy
import datetime
import pickle
import pickletools
from pathlib import Path

import pytest

import riskeval
from riskeval.evaluate import scalar_program, vector_program
from riskeval.population import read_population

ON = datetime.date(2025, 12, 1)
POPULATION = Path(__file__).resolve().parents[1] / "examples" / "population"


def _globals(blob: bytes) -> set[str]:
    """The classes and functions a pickle names (what unpickling imports)."""
    names: set[str] = set()
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(blob):
        if isinstance(arg, str):
            strings.append(arg)
        if op.name == "GLOBAL":
            names.add(str(arg).replace(" ", "."))
        elif op.name == "STACK_GLOBAL":
            names.add(".".join(strings[-2:]))
    return names


def _table(pack: riskeval.Pack) -> list[tuple[object, ...]]:
    frame = riskeval.assess_batch(read_population(POPULATION), on=ON, pack=pack).to_pandas()
    return list(frame.astype(object).itertuples(index=False))


def _forget_compiled() -> None:
    """Drop the compiled forms, so a pack loaded from a pickle is compiled again, not served from the cache."""
    vector_program.clear()
    scalar_program.clear()


def test_a_pack_pickles_as_its_documents_not_its_compiled_nodes() -> None:
    """The pickle names no compiled node or rule class: only the loader's entry and the marks of the files."""
    pack = riskeval.load_pack()
    vector_program(pack)  # compiled or not, a pack pickles the same
    riskeval_names = {n for n in _globals(pickle.dumps(pack)) if n.startswith("riskeval")}
    assert riskeval_names == {"riskeval.pack._variant.restore", "riskeval.pack._yaml.Mark"}


def test_a_pickled_pack_is_equal_and_decides_alike() -> None:
    """Round trip: an equal pack with the same sha256 and the same results, compiled again from its content."""
    pack = riskeval.load_pack()
    expected = _table(pack)
    back = pickle.loads(pickle.dumps(pack))
    assert back is not pack and back == pack and back.sha256 == pack.sha256
    assert back.documents.keys() == pack.documents.keys()
    _forget_compiled()
    assert vector_program.cached(back) is None
    assert _table(back) == expected


def test_a_pickled_variant_keeps_its_edits_and_stamp() -> None:
    """A variant made in memory pickles as its own content: its edits decide, its stamp names its base."""
    pack = riskeval.load_pack()
    variant = pack.variant(parameters={"dibao_standard": 990}, rules={"E4": False}, version="pickled")
    household = {
        "id": "hh-pickle",
        "members": [{"id": "m1", "relation": "mother", "status": "present", "lives_with_children": True}],
        "children": [{"id": "c1", "birth_date": "2015-03-02", "mother": "m1", "caregiver": "m1"}],
        "economy": {"dibao": "none", "income_per_capita": 950, "assets_over_limit": False},
    }
    back = pickle.loads(pickle.dumps(variant))
    assert back == variant and back.sha256 == variant.sha256 != pack.sha256
    assert back.variant_of == variant.variant_of and back.version == f"{pack.version}+pickled"
    _forget_compiled()
    tiers = [riskeval.assess(household, on=ON, pack=p).children[0].tier for p in (pack, back)]
    assert tiers[1] == "special" != tiers[0]  # income 950: under the variant's 990 line, over the base's 900
    assert [lv.text for lv in back.factors["E4"].levels] == ["false", "false"]


def test_one_content_is_loaded_once_per_process() -> None:
    """Every task unpickling one pack gets one object, so its compiled forms are built once per worker."""
    blob = pickle.dumps(riskeval.load_pack())
    assert pickle.loads(blob) is pickle.loads(blob)


def test_a_pickle_whose_documents_do_not_give_its_sha256_is_refused() -> None:
    """Documents edited in transit are not taken for the pack they claim to be: a sha256_mismatch record."""
    restore, (path, sha256, documents) = riskeval.load_pack().__reduce__()
    edited = copy.deepcopy(documents)
    data, marks, file = edited["parameters"]
    data["dibao_standard"]["values"][0]["value"] = 1
    edited["parameters"] = (data, marks, file)
    with pytest.raises(riskeval.PackError) as exc:
        restore(path, sha256, edited)
    assert [r.code for r in exc.value.records] == ["sha256_mismatch"]
