"""Text cells of a boolean, number, date or code column read by Arrow's casts, where the text path reads them alike.

A CSV holds every cell as text; hashing each column's text to check its distinct values costs about as much
as reading the file. Arrow's casts are stricter than the text path: a boolean is ``true``/``false`` in any
case, ``1`` or ``0``; a number a decimal without blanks around it; a date ``YYYY-MM-DD``, a day that exists;
a code one of its enum's values, as written. Every cell those casts accept, the text path accepts with the
same value, so where a whole column casts, it is read as the typed column Parquet gives. A cast that
refuses a cell (``yes``, `` 1``, ``2025-1-5``, a blank cell, a code misspelt), or gives what the text path
would refuse (``nan``, ``inf``), leaves the column to the text path, cell by cell. Error records show a
cell as it was written: the text is kept beside the values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskeval.population._raw import Raw, _codes, arrow_bool, arrow_plain
from riskeval.population.layout import Leaf

__all__ = ["typed_text"]


def typed_text(column: Any, leaf: Leaf) -> Raw | None:
    """A pyarrow text column of a ``bool``/``cert``, ``num``/``int``, ``date`` or ``enum`` fact as the typed
    column it holds (None: not Arrow text, another kind, or a cell the cast refuses or would read otherwise)."""
    kind = leaf.kind
    target = _TARGETS.get(kind)
    if target is None and kind != "enum":
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not isinstance(column, pa.Array | pa.ChunkedArray) or not pa.types.is_string(column.type):
        return None
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], pa.string())
    if target is None:
        return _enum_codes(column, leaf, pa)
    try:  # block by block, as the reader handed them over: only the typed values are copied into one array
        cast = column.cast(target(pa), safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    typed = cast.combine_chunks() if cast.num_chunks else pa.array([], cast.type)
    if kind == "date":
        raw = arrow_plain(pa.chunked_array([typed]))
        assert raw is not None and raw.days is not None and raw.null is not None
        if raw.days[~raw.null].min(initial=np.datetime64("9999-12-31")) < np.datetime64("0001-01-01"):
            return None
    elif kind in ("num", "int"):
        raw = arrow_plain(typed)
        assert raw is not None and raw.values is not None
        if np.count_nonzero(np.isfinite(raw.values)) != len(typed) - typed.null_count:  # "nan", "inf" written
            return None
    else:
        raw = arrow_bool(typed)
    if raw is None:  # pragma: no cover - each cast gives the type its reader takes
        return None
    raw.text = column
    return raw


def _enum_codes(column: Any, leaf: Leaf, pa: Any) -> Raw | None:
    """An enum's column as codes into its values, when every written cell is one of them as it stands (the
    text path compares cells with the values unchanged too)."""
    import pyarrow.compute as pc

    assert leaf.enum is not None
    allowed = [e.value for e in leaf.enum]
    index = pc.index_in(column, value_set=pa.array(allowed, pa.string()))
    if index.null_count != column.null_count:  # a cell none of the values: the text path names it
        return None
    raw = Raw("cat", _codes(index.combine_chunks() if index.num_chunks else pa.array([], pa.int32())), allowed)
    raw.all_text, raw.text = True, column
    return raw


_TARGETS = {
    "bool": lambda pa: pa.bool_(),
    "cert": lambda pa: pa.bool_(),
    "num": lambda pa: pa.float64(),
    "int": lambda pa: pa.float64(),  # the text path reads whole numbers as numbers too, then checks them whole
    "date": lambda pa: pa.date32(),
}
