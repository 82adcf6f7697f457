"""Rename suggestions: the unclaimed heading nearest to a missing section's title, as difflib
would choose it, found without comparing every heading with every title in Python."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import compress
from operator import ge
from typing import Generic, TypeVar

T = TypeVar("T")
CUTOFF = 0.75  # how close a heading must be to a missing section's title to be its misspelling
# The screen reads lengths up to this; a longer key is as far as this long from a short one.
_LENGTH_CAP = 1_000


class NearestKeys(Generic[T]):
    """Items by key, each popped at most once by the nearest key to the one asked for.

    ``pop_closest`` answers exactly as ``difflib.get_close_matches(key, keys, n=1,
    cutoff=CUTOFF)`` would (the best ratio, ties to the greater key), then forgets that key.
    difflib's ratio() is costly, so it only sees the keys whose quick_ratio() (a bound on it)
    reaches the cutoff. Most keys are ruled out in C, all at once: each key is spelled once as
    bytes that tell a character's first and second occurrence apart, and one
    ``bytes.translate`` deleting what the asked key holds leaves of each key (nearly) what it
    does not share; the few that pass that screen get the exact quick_ratio. Keys hold no
    newline (it joins them). A thousand unmatched headings cost a few C passes per missing
    section, not Python work per heading.
    """

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._items: dict[str, T] = {}
        for key, item in items:
            self._items[key] = item  # the last item of a key, as difflib sees each key once
        self._keys = list(self._items)
        self._lengths = [len(key) for key in self._keys]
        self._capped = [min(length, _LENGTH_CAP) for length in self._lengths]
        self._counts = [Counter(key) for key in self._keys]
        self._spelled = b"\n".join(map(_spell, self._counts, self._lengths))
        self._taken: set[int] = set()

    def pop_closest(self, key: str) -> T | None:
        if len(self._taken) == len(self._keys):
            return None
        best: tuple[float, str] | None = None
        best_index = -1
        matcher: difflib.SequenceMatcher[str] | None = None
        for bound, candidate, index in sorted(self._reaching(key), reverse=True):
            # ratio() never exceeds quick_ratio(): once the best ratio found beats the next
            # bound, no later candidate can win (an equal bound may still tie and win on its key).
            if best is not None and bound < best[0]:
                break
            if matcher is None:
                matcher = difflib.SequenceMatcher()
                matcher.set_seq2(key)
            matcher.set_seq1(candidate)
            ratio = matcher.ratio()
            if ratio >= CUTOFF and (best is None or (ratio, candidate) > best):
                best, best_index = (ratio, candidate), index
        if best is None:
            return None
        self._taken.add(best_index)
        return self._items[best[1]]

    def _reaching(self, key: str) -> Iterator[tuple[float, str, int]]:
        """(quick_ratio, candidate, index) of each free key whose quick_ratio reaches the cutoff."""
        for index in self._screened(key):
            if index in self._taken:
                continue
            bound = _quick_ratio(self._counts[index], self._lengths[index], key)
            if bound >= CUTOFF:
                yield bound, self._keys[index], index

    def _screened(self, key: str) -> Iterable[int]:
        """Indexes of the keys the byte screen cannot rule out (a superset of those reaching)."""
        if 2 * len(key) + 1 >= _LENGTH_CAP:
            return range(len(self._keys))  # capped lengths would mislead the screen
        unshared = map(len, self._spelled.translate(None, _shared_bytes(key)).split(b"\n"))
        most = _most_unshared(len(key))
        return compress(
            range(len(self._keys)), map(ge, map(most.__getitem__, self._capped), unshared)
        )


# An occurrence the byte screen cannot tell (a third 'a', a non-ASCII character): every key
# deletes it, so it counts as shared, and the screen only ever lets too many keys through.
_ANY = 0
_SECOND = bytes(range(128, 256)) * 2  # translate table: an ASCII byte to its second occurrence


def _screen_byte(character: str, nth: int) -> int:
    """The n-th occurrence of ``character`` in a key, as the screen spells it."""
    code = ord(character)
    if nth > 2 or not 0 < code < 128 or character == "\n":
        return _ANY
    return code + 128 * (nth - 1)


def _spell(counts: Counter[str], length: int) -> bytes:
    """A key of ``length`` characters and these counts, as the screen spells it: each character
    once, those it holds twice or more again as second occurrences, then one _ANY per other
    occurrence. Only counts matter to the screen, so the order is the counts' own."""
    once = "".join(counts)
    twice = "".join([character for character, count in counts.items() if count > 1])
    if once.isascii() and "\x00" not in once and "\n" not in once:
        spelled = once.encode() + twice.encode().translate(_SECOND)
    else:
        codes = [_screen_byte(character, 1) for character in once]
        spelled = bytes(codes + [_screen_byte(character, 2) for character in twice])
    return spelled + bytes(length - len(spelled))


@lru_cache(maxsize=256)
def _shared_bytes(key: str) -> bytes:
    """The bytes that spell an occurrence ``key`` holds (its n-th 'a' for n up to its count)."""
    shared = {_ANY}
    for character, count in Counter(key).items():
        shared.update(_screen_byte(character, nth) for nth in range(1, min(count, 2) + 1))
    return bytes(sorted(shared))


def _quick_ratio(counts: Counter[str], length: int, key: str) -> float:
    """difflib's quick_ratio() of a candidate (its character counts) and ``key``."""
    key_counts = _key_counts(key)
    shared = sum(min(n, key_counts[c]) for c, n in counts.items() if c in key_counts)
    return _ratio(shared, length + len(key))


@lru_cache(maxsize=256)
def _key_counts(key: str) -> Counter[str]:
    return Counter(key)


@lru_cache(maxsize=256)
def _most_unshared(key_length: int) -> list[int]:
    """Per candidate length (capped), the most of its characters that may be unshared with a
    key of ``key_length`` for quick_ratio to reach the cutoff; -1 where real_quick_ratio cannot
    (every length past ``2 * key_length``)."""
    table = [-1] * (_LENGTH_CAP + 1)
    for length in range(min(_LENGTH_CAP, 2 * key_length) + 1):
        least = _least_shared(length, key_length)
        table[length] = -1 if least is None else length - least
    return table


def _least_shared(length: int, key_length: int) -> int | None:
    """The fewest shared characters giving a quick_ratio at the cutoff (None: none can)."""
    total = length + key_length
    # Just under the real answer (CUTOFF * total / 2), then up by difflib's own float formula.
    shared = max(0, int(CUTOFF * total / 2) - 2)
    while shared <= min(length, key_length):
        if _ratio(shared, total) >= CUTOFF:
            return shared
        shared += 1
    return None


def _ratio(matches: int, length: int) -> float:
    """difflib's own formula, so the comparisons with the cutoff round the same way."""
    return 2.0 * matches / length if length else 1.0
