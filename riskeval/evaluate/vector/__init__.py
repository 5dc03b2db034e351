"""The population form of a pack: every rule over numpy columns, every child at once.

The steps are the reference form's (:mod:`riskeval.evaluate.scalar`), each over whole columns; the two
agree by test (the conformance suite), not by construction. Modules: ``_compile`` (typed nodes to
closures over columns), ``_ops`` and ``_segments`` (three-valued masks, per-member segments), ``_decide``
(the tier table, grouped by its inputs, and every what-if), ``_gap_facts`` (the facts a data gap names),
``_program`` (the whole evaluation), ``_records`` (rows of results as the scalar form renders them).
"""

from riskeval.evaluate.vector._program import (
    STATUS_EXITED,
    STATUS_NOT_ON_ROSTER,
    STATUS_ON_ROSTER,
    STATUS_UNDETERMINED,
    Evaluations,
    GapColumn,
    VectorProgram,
)
from riskeval.evaluate.vector._records import Renderer

__all__ = [
    "STATUS_EXITED",
    "STATUS_NOT_ON_ROSTER",
    "STATUS_ON_ROSTER",
    "STATUS_UNDETERMINED",
    "Evaluations",
    "GapColumn",
    "Renderer",
    "VectorProgram",
]
