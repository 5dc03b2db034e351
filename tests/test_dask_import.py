"""riskeval.dask without its extra: an ImportError that names the extra, and riskeval itself unaffected."""

from __future__ import annotations

import importlib
import sys

import pytest


def test_riskeval_dask_without_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """With dask absent, importing riskeval.dask says `pip install 'riskeval[dask]'`; riskeval still imports."""
    monkeypatch.setitem(sys.modules, "dask", None)  # None in sys.modules: `import dask` raises ImportError
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    monkeypatch.delitem(sys.modules, "riskeval.dask", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'riskeval\[dask\]'"):
        importlib.import_module("riskeval.dask")
    assert importlib.import_module("riskeval").assess_batch is not None
