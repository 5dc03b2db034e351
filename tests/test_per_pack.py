"""per_pack (riskeval._memo) keeps what is derived from a pack once per pack content, the packs used last:
read again and again (the entry used last is returned without reordering), the least recently used goes first."""

from __future__ import annotations

from dataclasses import dataclass

from riskeval._memo import per_pack


@dataclass(frozen=True)
class FakePack:
    sha256: str


def counted(maxsize: int):  # type: ignore[no-untyped-def]
    built: list[str] = []

    @per_pack(maxsize=maxsize)
    def derive(pack: FakePack) -> str:
        built.append(pack.sha256)
        return f"derived from {pack.sha256}"

    return derive, built


def test_a_pack_read_again_is_built_once_and_its_own_value() -> None:
    """The same content gives the value built from it, once, whether asked for last or not."""
    derive, built = counted(4)
    a, b = FakePack("a"), FakePack("b")
    assert [derive(a), derive(a), derive(FakePack("a")), derive(b), derive(a), derive(b)] == [
        "derived from a", "derived from a", "derived from a", "derived from b", "derived from a", "derived from b",
    ]  # fmt: skip
    assert built == ["a", "b"]


def test_the_least_recently_used_goes_first_whatever_was_read_last() -> None:
    """A pack read last (the fast path) counts as used: the other one is evicted by a third."""
    derive, built = counted(2)
    a, b, c = FakePack("a"), FakePack("b"), FakePack("c")
    derive(a), derive(b), derive(a), derive(a)  # a is the most recent
    derive(c)  # evicts b
    derive(a)
    assert built == ["a", "b", "c"]
    derive(b)  # evicted: built again, and evicts c (a was read after c)
    derive(a)
    assert built == ["a", "b", "c", "b"]
    derive(c)
    assert built == ["a", "b", "c", "b", "c"]


def test_clear_forgets_the_entry_used_last() -> None:
    """After clear(), even the pack read last is built again."""
    derive, built = counted(2)
    a = FakePack("a")
    derive(a), derive(a)
    derive.clear()
    derive(a)
    assert built == ["a", "a"]
