"""Collection across the checkout: riskeval.dask's doctest is collected only where its extra is installed."""

from __future__ import annotations

from importlib.util import find_spec

collect_ignore = [] if find_spec("dask") and find_spec("distributed") else ["riskeval/dask.py"]
