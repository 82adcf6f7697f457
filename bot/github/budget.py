"""The installation's primary rate limit, as GitHub last reported it: what may wait, waits.

All repositories of an installation share 5,000 requests an hour. When few are left, work that
can wait (``/rfc check`` re-runs, periodic sweeps) is put off and counted in ``/metrics``
(``rfcbot_deferred``), so that validation of new pushes and numbering on merge keep the rest.
Bounded: one entry per installation seen recently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from bot.clock import EpochClock

DEFAULT_RESERVE = 500


@dataclass(frozen=True, slots=True)
class Reading:
    remaining: float
    reset: float  # epoch seconds when the window resets


class RateBudget:
    def __init__(
        self,
        reserve: int = DEFAULT_RESERVE,
        *,
        wall_clock: EpochClock,
        installations: int = 4096,
    ) -> None:
        self.reserve = reserve
        self._wall_clock = wall_clock
        self._readings: LRUCache[Any, Reading] = LRUCache(maxsize=installations)

    def observe(self, key: Any, remaining: float, reset: float | None) -> None:
        self._readings[key] = Reading(remaining, reset if reset is not None else 0.0)

    def reading(self, key: Any) -> Reading | None:
        """The last reading for ``key``, or None once its window has reset (or never seen)."""
        reading = self._readings.get(key)
        if reading is None or reading.reset <= self._wall_clock():
            return None
        return reading

    def low(self, key: Any) -> bool:
        """Fewer than ``reserve`` requests left in the current window."""
        reading = self.reading(key)
        return reading is not None and reading.remaining < self.reserve


def budget_low(gh: object) -> bool:
    """Whether the installation behind ``gh`` (our client) is short of requests right now."""
    check = getattr(gh, "budget_low", None)
    return bool(check()) if callable(check) else False
