"""The campaign's own parts: a planted deep value never breaks the test around riskeval, nor the report of a
failing input (both did: json.dumps of an event holding DEEP_DICT raised RecursionError in the test body, and
printing the drawn DEEP_DICT for the report raised it again inside the draw, so hypothesis reported
FlakyStrategyDefinition instead of the failure)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from _fuzz import DEEP_DICT, DEEP_LIST, NASTY, copy, nasty, text
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

_SCALARS = [v for v in NASTY if not isinstance(v, dict | list)]
_TREES = st.recursive(
    st.sampled_from(_SCALARS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "", "张三丰", "\ud800"]), inner),
    max_leaves=12,
)


@settings(max_examples=200, derandomize=True, database=None)
@given(_TREES)
def test_text_is_what_json_dumps_writes(tree: Any) -> None:
    assert text(tree) == json.dumps(tree, ensure_ascii=False, default=str)


@pytest.mark.parametrize("deep", [DEEP_DICT, DEEP_LIST], ids=["dict", "list"])
def test_text_and_copy_of_a_tree_holding_a_deep_value_need_no_recursion(deep: Any) -> None:
    tree = {"household": [deep, {"id": deep}]}
    written = text(tree)
    assert written.startswith('{"household": [' + ('{"a": ' if deep is DEEP_DICT else "["))
    assert written.count("{" if deep is DEEP_DICT else "[") >= 2 * 2000
    copied = copy(tree)
    assert copied is not tree and copied["household"] is not tree["household"]
    assert copied["household"][0] is deep and copied["household"][1]["id"] is deep


def test_copy_makes_fresh_containers() -> None:
    tree = {"a": [{"b": 1.5, "c": math.inf}, []], "d": {}}
    copied = copy(tree)
    assert copied == tree
    assert copied["a"] is not tree["a"] and copied["a"][0] is not tree["a"][0] and copied["d"] is not tree["d"]


def test_a_failing_input_with_a_deep_planted_value_is_reported_as_that_failure() -> None:
    @settings(max_examples=500, derandomize=True, database=None, phases=[Phase.generate])
    @given(st.data())
    def fails_on_deep_values(data: st.DataObject) -> None:
        value = nasty(data)
        assert value is not DEEP_DICT and value is not DEEP_LIST, "a deep value"

    with pytest.raises(AssertionError, match="a deep value"):
        fails_on_deep_values()
