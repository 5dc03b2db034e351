"""Ids judged over the bytes of an Arrow text column are the ids the fact models take, text by text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from riskeval.facts._models import Id
from riskeval.population._record_cells import good_ids

pa = pytest.importorskip("pyarrow")
MODEL_ID = TypeAdapter(Id)


def taken(text: str) -> bool:
    try:
        MODEL_ID.validate_python(text)
    except ValidationError:
        return False
    return True


IDS = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.:-]{1,70}", fullmatch=True),
    st.text(alphabet="Ab9_.:-/ \n\x00é中", max_size=70),
    st.text(max_size=8),
    st.builds(
        "11010520{:02d}{:02d}{:02d}{:03d}{}".format,
        st.integers(0, 99),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 999),
        st.sampled_from("0X9x-"),
    ),
    st.just(""),
    st.builds(lambda k, c: "a" * k + c, st.integers(0, 66), st.sampled_from(["", "b", " ", "é", "\n"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), IDS), max_size=30), st.integers(0, 3))
def test_ids_judged_from_the_bytes_are_the_models_ids(texts: list[str | None], skip: int) -> None:
    column = pa.array(["P1"] * skip + texts, pa.string()).slice(skip)  # a column not at offset 0
    good = good_ids(column)
    assert len(good) == len(texts)
    for text, ok in zip(texts, good, strict=True):
        assert bool(ok) == (text is not None and taken(text)), text
    assert np.array_equal(good_ids([t for t in texts if t is not None]), [taken(t) for t in texts if t is not None])
