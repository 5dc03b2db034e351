"""CSV tables whose rows do not all have the header's number of cells.

pandas reads a first data row with one cell too many as if the first column were an index (every column of
every row shifts, and every row is then rejected), and refuses the whole file over one longer row later.
A row with more cells than the header is one bad row: it becomes a row whose cells are all empty but its
ids (so its household is known), marked in the column RAGGED with its line, and the intake rejects it with a
``ragged_row`` record; every other row is read as usual. A row with fewer cells has its missing cells empty
(unknown), as pandas reads it: tools that trim trailing empty cells write such rows.

Only a file that pandas warns about is read again by this module (the standard library's reader, slower).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

from riskeval.facts import RAGGED

_IDS = ("household_id", "child_id", "member_id")


def read_pandas(path: Path) -> Any:
    """The table as pandas reads it, or this module's dict of lists when a row has too many cells."""
    import pandas as pd

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", index_col=False,
            on_bad_lines="warn",
        )  # fmt: skip
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        return read_rows(path)
    return frame


def read_rows(path: Path) -> dict[str, list[Any]]:
    """Every row of a CSV file as a dict of lists (empty cells None), a row with too many cells marked."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, strict=True)
        header = next(reader, None)
        if header is None:
            raise csv.Error("no header row")
        cols: dict[str, list[Any]] = {h: [] for h in header}
        ragged: list[str | None] = []
        for cells in reader:
            if not cells:
                continue  # a blank line, as pandas skips it
            if len(cells) > len(header):
                ragged.append(f"line {reader.line_num}: {len(cells)} cells, the header has {len(header)}")
                for i, h in enumerate(header):
                    cols[h].append((cells[i] or None) if h in _IDS else None)
                continue
            ragged.append(None)
            for i, h in enumerate(header):
                cols[h].append((cells[i] or None) if i < len(cells) else None)
    if any(ragged):
        cols[RAGGED] = ragged
    return cols
