"""Loaded first by pytest: applies ``RISKEVAL_HIDE_DURABLE`` (see ``_executors``) before any test imports."""

import _executors  # noqa: F401
