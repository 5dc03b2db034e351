"""Households as dicts turned into the two tables column by column, without a fact model per household.

A welfare system's JSON records are flattened into the children and members tables and validated by the
table intake, every cell at once. The answer must be the one ``assess()`` gives, household by household,
so only values in their canonical JSON form take this path (text for codes and ids, ``true``/``false``,
finite numbers, ISO dates, lists of codes, known keys only). A household holding anything else, or one
the table intake finds a problem in, is validated by the fact models as before: its records are then
``assess()``'s own, located ``households[k]...`` and redacted. Should the models accept a household the
tables refused, the tables and the models disagree: the whole batch then takes the models' path, whose
answer is the reference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import chain, repeat
from operator import is_not, itemgetter
from typing import Any

import numpy as np

from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import Household, parse_household, recorded_by, validation_today
from riskeval.population._intake import Intake, Progress, count_children, intake_households, where
from riskeval.population._raw import Raw, factorize, objects
from riskeval.population._record_arrow import read_entity, read_households
from riskeval.population._record_cells import HOUSEHOLD_PREFIX, Spec, entity, filled, good_ids, pool, specs
from riskeval.population._record_gate import canonical_json
from riskeval.population._table_intake import intake as intake_tables
from riskeval.population.layout import ROLES


class _Flat:
    """Households (dicts) as the two tables' columns, each child and member row knowing its household."""

    def __init__(self, index: list[int], households: list[dict[str, Any]], certs: Certs | None) -> None:
        """``certs``: each entity's certificate cells as msgspec read them (``canonical_json``), or None."""
        h = len(households)
        self.index = np.array(index, np.int64)  # each household's place in the input
        bad_h = np.zeros(h, bool)
        home: dict[str, Raw] = {}
        read = read_households(households, specs()) if certs is not None else None
        told = None if read is None else self._read(households, read, certs or {}, home, bad_h)
        if told is None:
            told = self._walk(households, certs or {}, home, bad_h)
        per_members = self.per_members
        self.kids["child_id"] = self.kids.pop("id")
        self.members["member_id"] = self.members.pop("id")
        codes, uniques = _numbered([home.pop("id")])
        hid = Raw("cat", codes, uniques if isinstance(uniques, list) else uniques.to_pylist())
        self.distinct_homes = len(uniques) == h  # no id shared (nor missing)
        self.heads_code = codes
        self.kids["household_id"] = _take(hid, self.child_hh)
        self.members["household_id"] = _take(hid, self.member_hh)
        said = told & (per_members == 0)  # members: [] (none), not unknown
        self.kids[HOUSEHOLD_PREFIX + "members"] = Raw("cat", np.where(said[self.child_hh], 0, -1), ["[]"])
        for column, raw in home.items():
            self.kids[column] = _take(raw, self.child_hh)
        self.id_text = self._whole_number_ids(bad_h)
        self.bad_households = bad_h | (np.bincount(self.child_hh, self.bad_c, h) > 0)
        self.bad_households |= np.bincount(self.member_hh, self.bad_m, h) > 0

    def _read(
        self, households: list[Any], read: Any, certs: Certs, home: dict[str, Raw], bad_h: np.ndarray
    ) -> np.ndarray | None:
        """The columns from the households as Arrow read them (``read_households``), and which households said
        their members; None, with nothing kept, when an entity's certificates cannot be read so (the caller
        then walks the dicts)."""
        import pyarrow as pa  # there: Arrow read the households
        import pyarrow.compute as pc

        spec = specs()
        *own, children, adults = read.flatten(pool(pa))
        self._rows(np.diff(children.offsets.to_numpy()), np.diff(adults.offsets.to_numpy()))
        kids = _Nested(households, "children", children.offsets.to_numpy(), self.child_hh)
        members = _Nested(households, "members", adults.offsets.to_numpy(), self.member_hh)
        kid_cells, member_cells = children.flatten().flatten(pool(pa)), adults.flatten().flatten(pool(pa))
        done = (
            read_entity(kids, spec["child"], self.kids, self.bad_c, certs.get("child"), kid_cells)
            and read_entity(members, spec["member"], self.members, self.bad_m, certs.get("member"), member_cells)
            and read_entity(households, spec["household"], home, bad_h, certs.get("household"), own)
        )
        if not done:
            home.clear()
            bad_h[:] = False
            return None
        told: np.ndarray = pc.is_valid(adults, memory_pool=pool(pa)).to_numpy(zero_copy_only=False)
        return told

    def _walk(self, households: list[Any], certs: Certs, home: dict[str, Raw], bad_h: np.ndarray) -> np.ndarray:
        """The columns from the dicts, entity by entity; which households said their members."""
        spec = specs()
        h = len(households)
        families = list(map(itemgetter("children"), households))
        kids = list(chain.from_iterable(families))
        given: list[Any] = list(map(dict.get, households, repeat("members")))
        told = np.fromiter(map(is_not, given, repeat(None)), bool, h)
        adults: list[Any] = [() if a is None else a for a in given]
        members = list(chain.from_iterable(adults))
        self._rows(np.fromiter(map(len, families), np.int64, h), np.fromiter(map(len, adults), np.int64, h))
        _entity(kids, spec["child"], self.kids, self.bad_c, certs.get("child"))
        _entity(members, spec["member"], self.members, self.bad_m, certs.get("member"))
        _entity(households, spec["household"], home, bad_h, certs.get("household"))
        return told

    def _rows(self, per_kids: np.ndarray, per_members: np.ndarray) -> None:
        """Each child and member row's household, and empty columns and marks for them."""
        h = len(per_kids)
        self.per_kids, self.per_members = per_kids.astype(np.int64), per_members.astype(np.int64)
        self.child_hh = np.repeat(np.arange(h), self.per_kids)
        self.member_hh = np.repeat(np.arange(h), self.per_members)
        self.bad_c, self.bad_m = np.zeros(len(self.child_hh), bool), np.zeros(len(self.member_hh), bool)
        self.kids: dict[str, Raw] = {}
        self.members: dict[str, Raw] = {}

    def _whole_number_ids(self, bad_h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids as whole numbers, checked here once per distinct id: the table intake joins whole numbers
        through a table instead of hashing and comparing text. Child, member and role ids share one
        numbering (a child id may not be a member id of its household); household ids have their own.
        Returns the text of each number, for the columns that come out."""
        person = [(self.kids, c, self.bad_c) for c in ("child_id", *ROLES)] + [(self.members, "member_id", self.bad_m)]
        numbers, text = _numbered([table[c] for table, c, _ in person])
        good = good_ids(text)
        offset = 0
        for table, column, bad in person:
            size = len(table[column])
            ids = numbers[offset : offset + size]
            offset += size
            null = ids < 0
            bad |= ~null & ~good[np.maximum(ids, 0)] if len(good) else np.zeros(size, bool)
            table[column] = Raw("num", values=np.where(null, 0, ids), null=null)
        homes = self.kids["household_id"]
        assert homes.codes is not None
        home_good = good_ids(homes.uniques)
        bad_h |= ~home_good[self.heads_code]
        for table in (self.kids, self.members):
            raw = table["household_id"]
            assert raw.codes is not None
            table["household_id"] = Raw("num", values=raw.codes, null=raw.codes < 0)
        text = text.to_numpy(zero_copy_only=False) if not isinstance(text, list) else objects(text)
        return text, objects(homes.uniques)

    def tables(self, drop: np.ndarray) -> tuple[dict[str, Raw], dict[str, Raw], np.ndarray, np.ndarray]:
        """The columns of the households not in ``drop``, and each kept row's household (input index)."""
        keep_c, keep_m = ~drop[self.child_hh], ~drop[self.member_hh]
        kids = {c: _rows(r, keep_c) for c, r in self.kids.items()}
        members = {c: _rows(r, keep_m) for c, r in self.members.items()}
        return kids, members, self.index[self.child_hh[keep_c]], self.index[self.member_hh[keep_m]]


class _Nested(Sequence[Any]):
    """The children's (or members') dicts in row order, found through the households when asked for: only
    a certificate's dict is (``read_entity``), so no list of them is made."""

    def __init__(self, households: list[Any], key: str, offsets: np.ndarray, owner: np.ndarray) -> None:
        self.households, self.key, self.offsets, self.owner = households, key, offsets, owner

    def __len__(self) -> int:
        return len(self.owner)

    def __getitem__(self, i: Any) -> Any:
        hh = int(self.owner[i])
        return self.households[hh][self.key][i - int(self.offsets[hh])]


def _numbered(columns: list[Any]) -> tuple[np.ndarray, Any]:
    """Ids of several columns numbered together (-1 for none) and the distinct ids: a list when the columns
    are the cell-by-cell reader's, an Arrow array when Arrow read any of them."""
    if all(isinstance(c, np.ndarray) for c in columns):
        return factorize(np.concatenate(columns))
    import pyarrow as pa  # there: Arrow made one of the columns
    import pyarrow.compute as pc

    text = [c if isinstance(c, pa.Array) else pa.array(c, pa.string(), from_pandas=False) for c in columns]
    encoded = pc.dictionary_encode(pa.concat_arrays(text, memory_pool=pool(pa)), memory_pool=pool(pa))
    return filled(encoded.indices, pa, pc), encoded.dictionary


def _entity(dicts: list[Any], spec: Spec, out: dict[str, Raw], bad: np.ndarray, certs: Any) -> None:
    """An entity's columns: by Arrow's converter when it reads them as the models would, else cell by cell
    (every dict here has passed ``canonical_json`` or is a model's dump)."""
    if not read_entity(dicts, spec, out, bad, certs):
        entity(dicts, spec, out, bad, np.arange(len(dicts)), len(dicts))


def _take(raw: Raw, rows: np.ndarray) -> Raw:
    """A per-household column as a per-row one."""
    if raw.codes is not None:
        return Raw("cat", raw.codes[rows], raw.uniques, all_text=raw.all_text)
    assert raw.values is not None
    return Raw(raw.kind, values=raw.values[rows])


def _rows(raw: Raw, keep: np.ndarray) -> Raw:
    if keep.all():
        return raw
    return _take(raw, np.flatnonzero(keep))


Certs = dict[str, dict[str, list[Any]]]


def intake_records(items: Iterable[Any], on: date, progress: Progress | None = None) -> Intake:
    """Households (dicts, models, JSON lines entries) into columns: canonical dicts column by column, the
    rest through the fact models; the same columns, rows and records as ``intake_households``."""
    items = items if isinstance(items, list) else list(items)
    today = validation_today(on)
    fits, certs = canonical_json(items)
    # All canonical: read at once, the ids found distinct by Arrow's numbering rather than a pass over the dicts
    flat: _Flat | None = _Flat(list(range(len(items))), items, certs) if certs is not None else None
    if flat is not None and not flat.distinct_homes:
        flat = None  # a shared id, sorted out below
    if flat is None:
        fast = np.flatnonzero(fits).tolist()
        ids = list(map(itemgetter("id"), map(items.__getitem__, fast)))
        if len(set(ids)) < len(ids):  # a shared id: both households to the models, which say so
            shared = {i for i, c in Counter(ids).items() if c > 1}
            fast = [k for k, i in zip(fast, ids, strict=True) if i not in shared]
            fits[:] = False
            fits[fast] = True
        sources = dict(zip(fast, map(items.__getitem__, fast), strict=True))
    else:
        sources = dict(enumerate(items))
    slow = np.flatnonzero(~fits).tolist()
    # Each household's input rows: a dict's children, or one the models accept its model's children (the
    # models take a tuple of children, which count_children does not read).
    counts = np.ones(len(items), np.int64)
    counts[slow] = [count_children(items[k]) for k in slow]
    errors: list[ErrorRecord] = []
    valid = _models(items, slow, today, on, errors)
    for k, hh in valid.items():  # duplicates too, as intake_households counts them
        counts[k] = len(hh.children)
    seen = Counter(hh.id for hh in valid.values())
    if seen and any(sources[k]["id"] in seen for k in sources):  # a dict and a model share an id: the models' path
        return intake_households(items, on, progress)
    for k, hh in list(valid.items()):
        if seen[hh.id] > 1:  # both rejected, whatever else is right with them, as intake_households does
            message = f"household id {hh.id!r} is used by {seen[hh.id]} households"
            errors.append(ErrorRecord(f"households[{k}].id", "duplicate_id", message, hh.id, row=k))
            del valid[k]
    dumped: set[int] = set()
    while True:
        if flat is None:
            for k, hh in valid.items():
                if hh.children:
                    sources[k] = hh.model_dump(mode="json")  # valid facts, in the canonical form
                dumped.add(k)
            order = list(sources) if not dumped else sorted(sources)
            whole = not dumped and len(order) == len(items)  # the certificates msgspec read are those of order
            flat = _Flat(order, list(map(sources.__getitem__, order)), certs if whole else None)
        slow = [int(k) for k in flat.index[flat.bad_households]]
        if not slow:
            break
        if any(k in dumped for k in slow):
            return intake_households(items, on, progress)  # the models' facts, not canonical: never expected
        for k in slow:
            del sources[k]
            counts[k] = count_children(items[k])
        valid = _models(items, slow, today, on, errors)
        for k, hh in valid.items():
            counts[k] = len(hh.children)
        flat = None
    counts[flat.index] = flat.per_kids
    if progress is not None:
        progress("validating", len(items), len(items))
    kids, members, child_k, member_k = flat.tables(np.zeros(len(flat.index), bool))
    intake = intake_tables(kids, members, on)
    if intake.errors:  # the tables found a problem: the fact models say which, as assess() would
        bad = sorted({int(child_k[e.row] if e.loc.startswith("children") else member_k[e.row])
                      for e in intake.errors if e.row is not None})  # fmt: skip
        if _models(items, bad, today, on, errors) != {}:
            return intake_households(items, on, progress)
        counts[bad] = [count_children(items[k]) for k in bad]
        keep = np.flatnonzero(~np.isin(child_k[intake.rows], bad))
        intake = Intake(intake.cols.subset(keep), intake.rows[keep], intake.rows_in, [])
    errors.sort(key=lambda e: e.row or 0)  # stable: a household's records in the models' order
    cols = intake.cols
    person, homes = flat.id_text
    cols.child_ids, cols.member_ids = person[cols.child_ids], person[cols.member_ids]
    cols.household_ids = homes[cols.household_ids]
    starts = np.concatenate(([0], np.cumsum(counts)))
    rows = starts[child_k] + _place_in_household(child_k)
    return Intake(cols, rows[intake.rows], int(starts[-1]), errors)


def _models(
    items: list[Any], which: list[int], today: date, on: date, errors: list[ErrorRecord]
) -> dict[int, Household]:
    """Validate some households with the fact models: records for those that fail (appended to ``errors``,
    located in the list of households as ``intake_households`` locates them), the others returned."""
    valid: dict[int, Household] = {}
    for k in which:
        try:
            hh = parse_household(items[k], today=today)
            recorded_by(hh, on)
        except FactsError as exc:
            errors += [ErrorRecord(where(k, r.loc), r.code, r.message, r.value, row=k) for r in exc.records]
            continue
        valid[k] = hh
    return valid


def _place_in_household(child_k: np.ndarray) -> np.ndarray:
    """Each child row's place among its household's rows (0, 1, ...), rows of a household being adjacent."""
    if not len(child_k):
        return np.zeros(0, np.int64)
    first = np.ones(len(child_k), bool)
    first[1:] = child_k[1:] != child_k[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(child_k)), 0))
    out: np.ndarray = np.arange(len(child_k)) - group_start
    return out
