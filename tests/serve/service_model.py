"""A model process for the admission tests: ``slots`` slots served first come, first served,
with the service rate measured as the scheduler measures it (``bot.serve.admission``).

Every arrival is decided by the admission rule from the estimate, and its *true* wait is
computed exactly (with service times known in advance, a first-come-first-served process
with several slots starts each item on the first slot that frees after those ahead of it).
The tests compare the two.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.serve.admission import ServiceRate, expected_wait, too_long


@dataclass(frozen=True)
class Arrival:
    at: float
    estimate: float | None  # the admission's expected wait (None: rate unknown)
    true_wait: float  # what the item would wait if admitted
    admitted: bool
    known: bool  # the rate was measured when it arrived


@dataclass
class ModelProcess:
    slots: int
    max_wait: float
    service_time: Callable[[float], float]  # mean service time of an item started at t
    seed: int = 0
    rate: ServiceRate = field(default_factory=ServiceRate)

    def run(self, arrivals: list[float]) -> list[Arrival]:
        """Feed the arrivals (sorted times); return each one's decision and true wait."""
        jitter = random.Random(self.seed)
        free_at = [0.0] * self.slots  # heap: when each slot is next free (assignment order)
        # (time, order, "start" | "end", seconds waited | run, items ahead when admitted)
        events: list[tuple[float, int, str, float, int | None]] = []
        order = 0
        running = queued = 0
        decided: list[Arrival] = []

        def settle(until: float) -> None:
            nonlocal running, queued
            while events and events[0][0] <= until:
                now, _, kind, seconds, ahead = heapq.heappop(events)
                if kind == "end":
                    self.rate.completed(now, seconds)
                    running -= 1
                else:
                    self.rate.started(seconds, ahead)
                    queued -= 1
                    running += 1
                self.rate.observe(now, running >= self.slots)

        for at in arrivals:
            settle(at)
            start = max(at, free_at[0])
            saturated = running >= self.slots
            estimate = expected_wait(queued, saturated, self.rate.slot_rate(at))
            admitted = not too_long(estimate, self.max_wait)
            decided.append(Arrival(at, estimate, start - at, admitted, estimate is not None))
            if not admitted:
                continue
            end = start + self.service_time(start) * jitter.uniform(0.5, 1.5)
            heapq.heapreplace(free_at, end)
            ahead = queued if saturated else None  # queued before it, as the scheduler counts
            queued += 1
            # At one instant an end comes before the start it makes room for.
            heapq.heappush(events, (start, order * 2 + 1, "start", start - at, ahead))
            heapq.heappush(events, (end, order * 2, "end", end - start, None))
            order += 1
        return decided


def steady(rate: float, seconds: float, start: float = 0.0) -> list[float]:
    """Arrival times at a fixed rate."""
    return [start + n / rate for n in range(int(rate * seconds))]
