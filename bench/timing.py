"""Timing what the App asks of the simulated GitHub: when each request arrived, and how many
sequential round trips those arrivals add up to."""

from __future__ import annotations

import math
import time
from typing import Any


class TimedRequests(list):  # type: ignore[type-arg]
    """A drop-in for ``sim.requests`` that also notes when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def append(self, item: Any) -> None:
        self.arrivals.append(time.perf_counter())
        super().append(item)


def round_trips(arrivals: list[float], latency: float, until: float = math.inf) -> int:
    """Waves of requests up to ``until``: a request arriving more than half a latency after
    the first of the current wave starts a new (sequential) round trip."""
    waves, wave_start = 0, None
    for moment in sorted(t for t in arrivals if t <= until):
        if wave_start is None or moment - wave_start > latency / 2:
            waves, wave_start = waves + 1, moment
    return waves
