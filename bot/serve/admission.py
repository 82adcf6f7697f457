"""Admission by time: refuse a delivery only when it would wait longer than a bound.

A process's service rate is measured, never configured. ``ServiceRate`` counts completions
per second of *saturated* time (every slot busy: completions then show what the process can
do, not what it was given), as exponentially weighted averages over the last
``SHORT_HORIZON_SECONDS`` and ``LONG_HORIZON_SECONDS`` of saturated time:

- idle time does not age them: after a quiet hour the rate is the last busy stretch's;
- a stall does: saturated seconds with no completion pull the rate down, so a process whose
  every slot waits on a slow GitHub starts refusing before its backlog is minutes long;
- the slower of the two is used: a slowdown shows within the short horizon, a speed-up (or a
  burst of quick completions, cheap deliveries finishing while slow ones fill the slots) only
  once it lasts through the long one. Deliveries are admitted when the rate looks high, so a
  noisy optimistic figure would fill the backlog past the bound.

The rate is checked against what admitted items actually saw: an item admitted with ``ahead``
items queued before it that started ``waited`` seconds later drained at
``(ahead + 1) / waited`` items a second, and the slower figure wins again.

Until ``MIN_COMPLETIONS`` completions have been seen while saturated the rate is unknown
(cold start): nothing is refused for the backlog, only by the memory caps
(``bot.serve.scheduler``).

It also keeps the mean service time (start to finish of an item, every completion), for the
other way to wait: behind earlier items of one's own key (one pull request's deliveries run one
after another), whatever the rest of the backlog.

Pure: every time is an argument; nothing here reads a clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# How much saturated time each average remembers (older time's weight falls by 1/e per
# horizon). The short one holds many completions at tens a second and follows a slowdown well
# within GitHub's 10 s; the long one spans a whole wait at the default bound.
SHORT_HORIZON_SECONDS = 2.0
LONG_HORIZON_SECONDS = 10.0
# Completions seen (while saturated, for the rate) before a figure is trusted at all.
MIN_COMPLETIONS = 8
# The weight of each new completion in the mean service time, and of each start in the drain
# rate (many a second under load: a few seconds of them).
SERVICE_WEIGHT = 0.05
DRAIN_WEIGHT = 0.05


@dataclass
class Decayed:
    """Completions and saturated seconds, each weighted by e^(-age / horizon)."""

    horizon: float
    completions: float = 0.0
    seconds: float = 0.0

    def age(self, elapsed: float) -> None:
        """``elapsed`` more saturated seconds."""
        decay = math.exp(-elapsed / self.horizon)
        self.completions *= decay
        # The stretch's own weight: the integral of e^(-(now - s) / horizon) over it.
        self.seconds = self.seconds * decay + self.horizon * (1.0 - decay)

    def per_second(self) -> float:
        return self.completions / self.seconds if self.seconds > 0.0 else 0.0


@dataclass
class ServiceRate:
    """The process's measured rate with every slot busy, the drain admitted items saw, and the
    mean service time (see the module)."""

    short: Decayed = field(default_factory=lambda: Decayed(SHORT_HORIZON_SECONDS))
    long: Decayed = field(default_factory=lambda: Decayed(LONG_HORIZON_SECONDS))
    seen: int = 0  # completions while saturated, ever (for the cold start)
    saturated: bool = False
    since: float = 0.0  # when the state was last brought up to date
    finished: int = 0  # completions, ever
    mean_service: float = 0.0  # seconds from start to finish, exponentially weighted
    drain: float | None = None  # items started a second, as admitted items saw it (weighted)

    def observe(self, now: float, saturated: bool) -> None:
        """Bring the averages up to ``now``, then record whether every slot is busy from now."""
        self._advance(now)
        self.saturated = saturated

    def completed(self, now: float, took: float) -> None:
        """One item finished at ``now`` after ``took`` seconds running; it counts towards the
        rate if the process was saturated until then."""
        self._advance(now)
        self.finished += 1
        weight = max(SERVICE_WEIGHT, 1.0 / self.finished)  # the first few: a plain mean
        self.mean_service += weight * (took - self.mean_service)
        if self.saturated:
            self.short.completions += 1.0
            self.long.completions += 1.0
            self.seen += 1

    def started(self, waited: float, ahead: int | None) -> None:
        """An item started after ``waited`` seconds, admitted with ``ahead`` items queued before
        it and every slot busy (None: it had a slot at once or waited behind its own key, so
        its wait says nothing of the backlog's drain)."""
        if ahead is None or waited <= 0.0:
            return
        seen = (ahead + 1) / waited
        self.drain = seen if self.drain is None else self.drain + DRAIN_WEIGHT * (seen - self.drain)

    def per_second(self, now: float) -> float | None:
        """The measured rate as of ``now`` (the slower average), or None before there is
        enough to go on."""
        self._advance(now)
        if self.seen < MIN_COMPLETIONS:
            return None
        return min(self.short.per_second(), self.long.per_second())

    def slot_rate(self, now: float) -> float | None:
        """The rate a new item's wait for a slot is reckoned at: the slower of the measured
        rate and the drain admitted items saw (None while the rate is unknown)."""
        rate = self.per_second(now)
        if rate is None or self.drain is None:
            return rate
        return min(rate, self.drain)

    def service_seconds(self) -> float | None:
        """The mean service time, or None before there is enough to go on."""
        return self.mean_service if self.finished >= MIN_COMPLETIONS else None

    def _advance(self, now: float) -> None:
        elapsed = now - self.since
        if elapsed <= 0.0:
            return  # the same instant, or a clock that did not move forward
        self.since = now
        if self.saturated:  # idle time neither counts nor ages the averages
            self.short.age(elapsed)
            self.long.age(elapsed)


def expected_wait(
    queued: int,
    saturated: bool,
    per_second: float | None,
    ahead_of_key: int = 0,
    service_seconds: float | None = None,
) -> float | None:
    """Seconds a new item would wait before it starts, or None when nothing is known yet.

    The longer of two waits: for a slot (none while one is free; with every slot busy,
    ``queued + 1`` completions: those ahead of it, then the one that frees its slot) and for
    the ``ahead_of_key`` items of its own key, which run one after another.
    """
    waits = []
    if not saturated:
        waits.append(0.0)
    elif per_second is not None:
        waits.append((queued + 1) / per_second if per_second > 0.0 else math.inf)
    if service_seconds is not None:
        waits.append(ahead_of_key * service_seconds)
    return max(waits) if waits else None


def too_long(wait: float | None, max_wait_seconds: float) -> bool:
    """Refuse by time: only a known wait beyond the bound (unknown: the caps decide)."""
    return wait is not None and wait > max_wait_seconds
