"""Which replica of the App sweeps which repository. Pure: no I/O.

With ``REPLICAS`` > 1, each repository is swept by one live replica: the one whose index
weighs most for it (rendezvous, or highest-random-weight, hashing). Every replica computes
the same owner from the same live set, with no coordination; when a replica leaves the live
set only its repositories move (each to the live replica that weighs most for it next), and
when it comes back it takes exactly those back.

The weight is blake2b of the index and the repository's name, so it is the same in every
process and every Python (``hash()`` of a string is salted per process).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import blake2b

_WEIGHT_BYTES = 8


def weight(repository: str, index: int) -> int:
    """How much replica ``index`` weighs for ``repository``. GitHub's names are ASCII and
    case-insensitive, so ``Octo/RFCs`` and ``octo/rfcs`` weigh the same (only ASCII letters
    are folded: ``str.lower`` would fold other scripts as Unicode versions change)."""
    key = f"{index}\0".encode() + repository.encode().lower()
    return int.from_bytes(blake2b(key, digest_size=_WEIGHT_BYTES).digest(), "big")


def owner(repository: str, live: Iterable[int]) -> int:
    """The live replica that sweeps ``repository`` (ties, astronomically rare, go to the
    lowest index). ``live`` must not be empty."""
    indexes = sorted(set(live))
    if not indexes:
        raise ValueError("no live replica to own a repository")
    return max(indexes, key=lambda index: (weight(repository, index), -index))


@dataclass(frozen=True)
class Share:
    """This replica's share of a sweep: its index and the replicas it found alive (itself
    always among them)."""

    index: int = 0
    live: frozenset[int] = frozenset({0})
    total: int = 1

    def __post_init__(self) -> None:
        if self.index not in self.live:
            raise ValueError(f"replica {self.index} is not among the live {sorted(self.live)}")

    def owns(self, repository: str) -> bool:
        """This replica sweeps ``repository`` in this sweep."""
        return len(self.live) == 1 or owner(repository, self.live) == self.index

    @property
    def others(self) -> list[int]:
        """The other live replicas, for the sweep's log line."""
        return sorted(self.live - {self.index})

    @property
    def missing(self) -> list[int]:
        """Replicas of the ``total`` that did not answer: their repositories are ours or
        another live replica's in this sweep."""
        return sorted(set(range(self.total)) - self.live)


ALONE = Share()
