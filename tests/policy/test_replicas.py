"""Rendezvous hashing of repositories over the live replicas: one owner each, minimal moves,
the same answer in every process."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.replicas import ALONE, Share, owner, weight

names = st.text(min_size=1, max_size=80)
live_sets = st.frozensets(st.integers(min_value=0, max_value=63), min_size=1, max_size=12)

# Pinned: replicas of two releases must agree during a rolling upgrade, so the weights may
# never change. A change here splits the sweep between old and new replicas.
PINNED = {
    ("octo-org/rfcs", 3): 0,
    ("octo-org/platform", 3): 1,
    ("someone/notes", 3): 2,
    ("octo-org/rfcs", 5): 3,
    ("a/b", 5): 4,
}


@pytest.mark.parametrize(("case", "expected"), PINNED.items())
def test_owners_are_pinned(case: tuple[str, int], expected: int) -> None:
    repository, replicas = case
    assert owner(repository, range(replicas)) == expected


def test_weights_are_the_same_in_another_process() -> None:
    # Python salts str hashes per process; blake2b is not salted.
    code = (
        "from bot.policy.replicas import weight;"
        "print(weight('octo-org/rfcs', 0), weight('Ünïcode/名前', 7))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(weight("octo-org/rfcs", 0)), str(weight("Ünïcode/名前", 7))]
    assert weight("octo-org/rfcs", 0) == 9251910850388740801


@given(names, live_sets)
@example("octo-org/rfcs", frozenset({0, 1, 2}))
@example("", frozenset({5}))
def test_every_repository_has_exactly_one_owner(repository: str, live: frozenset[int]) -> None:
    owners = [index for index in live if Share(index, live, 64).owns(repository)]
    assert owners == [owner(repository, live)]


@given(names, live_sets, st.integers(min_value=0, max_value=63))
@example("octo-org/rfcs", frozenset({0, 1, 2}), 0)
def test_removing_a_replica_moves_only_its_repositories(
    repository: str, live: frozenset[int], gone: int
) -> None:
    remaining = live - {gone}
    if not remaining:
        return
    before, after = owner(repository, live), owner(repository, remaining)
    if before != gone:
        assert after == before
    else:
        assert after in remaining


def swap_ascii_case(text: str) -> str:
    return "".join(c.swapcase() if c.isascii() else c for c in text)


@given(names, live_sets)
@example("Octo-Org/RFCs.v2_x", frozenset({0, 1, 2}))
@example("ß", frozenset({0, 1}))  # "ß".upper() is "SS": only ASCII letters are folded
def test_names_are_case_insensitive(repository: str, live: frozenset[int]) -> None:
    assert owner(swap_ascii_case(repository), live) == owner(repository, live)


def test_the_share_is_even() -> None:
    counts = Counter(owner(f"org-{i % 7}/repo-{i}", range(3)) for i in range(3000))
    assert set(counts) == {0, 1, 2}
    assert all(900 <= count <= 1100 for count in counts.values()), counts


def test_alone_owns_everything_without_hashing() -> None:
    assert ALONE.owns("any/thing") and ALONE.others == [] and ALONE.missing == []
    assert Share(1, frozenset({1}), 3).owns("any/thing")


def test_a_share_names_who_is_missing() -> None:
    share = Share(1, frozenset({1, 2}), 4)
    assert share.others == [2] and share.missing == [0, 3]


def test_a_share_must_include_itself() -> None:
    with pytest.raises(ValueError, match="not among the live"):
        Share(1, frozenset({0, 2}), 3)
    with pytest.raises(ValueError, match="no live replica"):
        owner("a/b", [])
