"""The loaded, checked and compiled rule pack: what evaluation reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from riskeval._label import Label
from riskeval.errors import ErrorRecord, FactsError
from riskeval.pack._diff import PackDiff, diff_content
from riskeval.pack._files import Effective, PackFile, Parameter, Severity, Tier, VariantOf
from riskeval.pack._params import value_on
from riskeval.pack._yaml import Located, Mark, Path_
from riskeval.pack.expr import nodes as A

# The loader imports this module, so it cannot be imported here: riskeval.pack's loader installs the functions that
# make a variant from a pack's documents and load a pickled pack's documents when the package loads
# (riskeval.pack._variant).
Rebuild = Callable[["Pack", dict[str, Any], dict[str, Any], str], "Pack"]
# A pack's documents as they travel: stem -> (data, marks, file name).
Documents = dict[str, tuple[Any, dict[Path_, Mark], str]]
Restore = Callable[[Path, str, Documents], "Pack"]
_REBUILD: Rebuild | None = None
_RESTORE: Restore | None = None


def install_rebuild(rebuild: Rebuild, restore: Restore) -> None:
    """Set the functions :meth:`Pack.variant` and unpickling call (done once, by ``riskeval.pack._variant``)."""
    global _REBUILD, _RESTORE
    _REBUILD, _RESTORE = rebuild, restore


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule row: a predicate, category, factor level, tier row or roster rule."""

    kind: str
    id: str
    label: Label
    source: str
    node: A.Node
    mark: Mark
    effective: Effective | None = None
    args: tuple[str, ...] = ()
    severity: str | None = None
    tier: str | None = None
    text: str = ""
    floor: bool = False  # a tier row whose tier no override may go below while it holds

    def applies_on(self, on: date) -> bool:
        return self.effective is None or self.effective.covers(on)


@dataclass(frozen=True, slots=True)
class Factor:
    """A factor and its levels, highest severity first."""

    id: str
    label: Label
    domain: str
    source: str
    levels: tuple[Rule, ...]


@dataclass
class Pack:
    """A loaded rule pack. Build it with :func:`riskeval.load_pack`."""

    meta: PackFile
    path: Path
    sha256: str
    parameters: dict[str, Parameter]
    predicates: dict[str, Rule]
    categories: dict[str, Rule]
    factors: dict[str, Factor]
    order: tuple[tuple[str, str], ...]  # ("category"|"factor", id), each after what it reads
    severities: dict[str, Severity]
    severity_rank: dict[str, int]  # higher = more severe; mandatory severities rank highest
    domains: dict[str, Label]
    domain_cap: str
    tiers: tuple[Tier, ...]  # highest first
    frequencies: dict[str, Label]
    tier_rows: tuple[Rule, ...]
    duties: tuple[Rule, ...]  # what a result must also require when one holds (a mandatory report)
    exited: Rule
    on_roster: Rule
    schedule: Any
    triggers: Any  # riskeval.pack._triggers.TriggersSpec (typed loosely: that module imports this one)
    trigger_rules: dict[str, Rule] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)  # tier or status id -> '#rrggbb' (tiers.yaml display)
    # The files as read (values and where each came from): a variant is made by editing them, a diff reads them.
    documents: dict[str, Located] = field(default_factory=dict, repr=False, compare=False)
    _params_cache: dict[date, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def params_on(self, on: date) -> dict[str, Any]:
        """Every parameter's value on a date (cached). Raises EvaluationError for a date without a value."""
        cached = self._params_cache.get(on)
        if cached is None:
            self.check_in_force(on)
            cached = {name: value_on(name, p, on) for name, p in self.parameters.items() if p.values}
            if len(self._params_cache) > 512:
                self._params_cache.clear()
            self._params_cache[on] = cached
        return cached

    def check_in_force(self, on: date) -> None:
        """Raise a FactsError record naming ``on`` when the pack is not in force on that date.

        Without it, a date before the pack's period surfaced as the first parameter without a value on that
        date: true, but it named a parameter where the caller had passed a wrong date.
        """
        period = self.meta.effective
        if period.covers(on):
            return
        since = f" from {period.from_}" if period.from_ is not None else ""
        until = f" until {period.to}" if period.to is not None else ""
        message = f"pack {self.id} {self.version} is in force{since}{until}: it cannot assess on {on}"
        raise FactsError([ErrorRecord("on", "out_of_period", message, on.isoformat())], message)

    def points(self, severity: str, params: dict[str, Any]) -> int:
        """Points of a severity on the date of ``params`` (0 for mandatory severities)."""
        spec = self.severities[severity]
        return int(params[spec.points]) if spec.points else 0

    def tier_rank(self, tier_id: str) -> int:
        """0 for the highest tier, growing downward."""
        return next(i for i, t in enumerate(self.tiers) if t.id == tier_id)

    def identity(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    @property
    def variant_of(self) -> VariantOf | None:
        """The stamp of the pack this one was made from with :meth:`variant`, or None for a pack folder."""
        return self.meta.variant_of

    @property
    def content(self) -> dict[str, Any]:
        """The pack's normalised content, file by file (what ``sha256`` is the digest of)."""
        return {stem: doc.data for stem, doc in sorted(self.documents.items())}

    def variant(
        self,
        *,
        parameters: Mapping[str, Any] | None = None,
        rules: Mapping[str, Mapping[str, Any] | bool | None] | None = None,
        version: str = "variant",
    ) -> Pack:
        """A new pack: this one with some parameters and rules changed, checked as a loaded pack is.

        Args:
            parameters: name -> new value. A plain value (``990``, ``True``, a list) replaces the value of every
                dated period; a callable maps each period's value (``lambda v: v * 1.1``); a list of
                ``{"from", "to", "value"}`` replaces the dated values as written.
            rules: rule id -> the keys of its row to replace (``{"when": "..."}``, ``{"severity": "H"}``,
                ``{"levels": [...]}``); ``None`` removes a category, factor, predicate or tier row; ``False``
                switches a rule off (it never holds; the rules that read it still load). The id is looked up
                in predicates, categories, factors and the tier table (rows, duties, roster).
            version: the variant's name. Its stamp is ``id`` of this pack, version ``<this version>+<name>``,
                ``variant_of`` this pack's stamp, and the sha256 of the variant's own normalised content.

        Raises:
            PackError: an unknown parameter or rule (with a suggestion), a value of the wrong type, or any
                problem the loader finds in the result, each located (an edited expression as
                ``with_rules E1.when:1:col``).

        Example:
            >>> import riskeval
            >>> pack = riskeval.load_pack()
            >>> richer = pack.variant(parameters={"dibao_standard": lambda v: v * 1.1}, version="dibao+10pct")
            >>> richer.version == f"{pack.version}+dibao+10pct", richer.variant_of.version == pack.version
            (True, True)
        """
        if _REBUILD is None:  # pragma: no cover - riskeval.pack's face installs it
            raise RuntimeError("import riskeval.pack to make variants")
        return _REBUILD(self, dict(parameters or {}), dict(rules or {}), version)

    def with_parameters(self, parameters: Mapping[str, Any], *, version: str = "variant") -> Pack:
        """This pack with some parameters changed (see :meth:`variant`)."""
        return self.variant(parameters=parameters, version=version)

    def with_rules(self, rules: Mapping[str, Mapping[str, Any] | bool | None], *, version: str = "variant") -> Pack:
        """This pack with some rules changed or removed (see :meth:`variant`)."""
        return self.variant(rules=rules, version=version)

    def diff(self, other: Pack) -> PackDiff:
        """What changes from this pack to ``other``: parameters and rules, added, removed or edited."""
        return diff_content(self.identity(), self.content, other.identity(), other.content)

    def __reduce__(self) -> tuple[Any, ...]:
        """A pack pickles as its documents (what its files say, and where each value came from), never its
        compiled nodes: it is loaded and checked again where it lands, once per process and content."""
        if _RESTORE is None:  # pragma: no cover - riskeval.pack's face installs it
            raise RuntimeError("import riskeval.pack to pickle packs")
        documents = {stem: (doc.data, doc.marks, doc.file) for stem, doc in self.documents.items()}
        return (_RESTORE, (self.path, self.sha256, documents))

    def __dask_tokenize__(self) -> tuple[str, str]:
        """Dask's name for the pack in a task graph: its content (Dask calls this by name; no import)."""
        return ("riskeval.Pack", self.sha256)

    def __repr__(self) -> str:
        return f"<Pack {self.id} {self.version} sha256={self.sha256[:12]}>"
