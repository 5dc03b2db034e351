"""A rule pack's two compiled forms, and the one cache that keeps them.

- :mod:`riskeval.evaluate.scalar` is the **reference form**: one child at a time, Python code generated from
  the typed nodes (one checked ``ast.Module`` per pack), pinned to the closures over the same nodes. Every
  other form must give what it gives (``riskeval.testing.conformance``).
- :mod:`riskeval.evaluate.vector` is the population form: numpy columns, every child at once.

Both rest on :mod:`~riskeval.evaluate.semantics` (the value domain: Kleene's tables, ``ABSENT``, bounded
arithmetic, dates) and :mod:`~riskeval.evaluate.plan` (static analyses of a pack: what each rule reads,
the dates on which rules change, the tier table's constant parts). Neither form imports the other.

A form is compiled once per pack content (its sha256) and kept here, never on the :class:`Pack`: the cache
belongs to its consumer.
"""

from __future__ import annotations

from riskeval._memo import per_pack
from riskeval.errors import EvaluationError
from riskeval.evaluate.scalar import Evaluation, FactorHit, Gap, ScalarProgram
from riskeval.evaluate.vector import Evaluations, VectorProgram
from riskeval.pack import Pack, load_pack

__all__ = [
    "Evaluation",
    "Evaluations",
    "FactorHit",
    "Gap",
    "ScalarProgram",
    "VectorProgram",
    "default_pack",
    "scalar_program",
    "vector_program",
]

# The bounds of the vector form's bit sets (one uint64 per child for categories, one for factors).
_MAX_RULES = 64


@per_pack(maxsize=16)
def scalar_program(pack: Pack) -> ScalarProgram:
    """The scalar form of a pack, compiled on first use."""
    return ScalarProgram(pack)


@per_pack(maxsize=8)
def vector_program(pack: Pack) -> VectorProgram:
    """The numpy form of a pack, compiled on first use."""
    prog = VectorProgram(pack)
    if len(prog.categories) > _MAX_RULES or len(prog.factors) > _MAX_RULES:
        raise EvaluationError(f"pack {pack.id}: assess_batch supports at most 64 categories and 64 factors")
    return prog


_DEFAULT: list[Pack] = []


def default_pack() -> Pack:
    """The embedded default pack, loaded once per process.

    ``load_pack()`` finds the embedded folder again on every call (package resources, ``resolve()``): about
    100 µs, as much as a whole assessment should take. The embedded pack does not change while running.
    """
    if not _DEFAULT:
        _DEFAULT.append(load_pack())
    return _DEFAULT[0]
