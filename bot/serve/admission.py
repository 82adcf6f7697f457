"""Admission by time: refuse a delivery only when it would wait longer than a bound.

A process's service rate is measured, never configured. ``ServiceRate`` counts completions
per second of *saturated* time (every slot busy: completions then show what the process can
do, not what it was given), as an exponentially weighted average over the last
``HORIZON_SECONDS`` of saturated time:

- idle time does not age it: after a quiet hour the rate is the last busy stretch's;
- a stall does: saturated seconds with no completion pull the rate down, so a process whose
  every slot waits on a slow GitHub starts refusing before its backlog is minutes long;
- a speed-up shows within a horizon (the new completions outnumber the old ones).

A burst of quick completions (cheap deliveries finishing while slow ones fill the slots) can
make that short-term rate promise more than the process will keep, so it is checked against
what admitted items actually saw: an item admitted with ``ahead`` items queued before it that
started ``waited`` seconds later drained at ``(ahead + 1) / waited`` items a second. The
admission uses the slower of the two rates: it trusts a slowdown at once and a speed-up once
items admitted after it have started.

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
from dataclasses import dataclass

# How much saturated time the average remembers (the weight of older time falls by 1/e per
# horizon): long enough to hold many completions at tens per second, short enough to follow a
# slowdown well within GitHub's 10 s.
HORIZON_SECONDS = 2.0
# Completions seen (while saturated, for the rate) before a figure is trusted at all.
MIN_COMPLETIONS = 8
# The weight of each new completion in the mean service time, and of each start in the drain
# rate (many a second under load: a few seconds of them).
SERVICE_WEIGHT = 0.05
DRAIN_WEIGHT = 0.05


@dataclass
class ServiceRate:
    """Completions per second of saturated time, exponentially weighted, and the mean service
    time (see the module)."""

    horizon: float = HORIZON_SECONDS
    completions: float = 0.0  # decayed count of completions while saturated
    busy_seconds: float = 0.0  # decayed saturated seconds
    seen: int = 0  # completions while saturated, ever (for the cold start)
    saturated: bool = False
    since: float = 0.0  # when the state was last brought up to date
    finished: int = 0  # completions, ever
    mean_service: float = 0.0  # seconds from start to finish, exponentially weighted
    drain: float | None = None  # items started a second, as admitted items saw it (weighted)

    def observe(self, now: float, saturated: bool) -> None:
        """Bring the average up to ``now``, then record whether every slot is busy from now."""
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
            self.completions += 1.0
            self.seen += 1

    def started(self, waited: float, ahead: int | None) -> None:
        """An item started after ``waited`` seconds, admitted with ``ahead`` items queued before
        it and every slot busy (None: it had a slot at once or waited behind its own key, so
        its wait says nothing of the backlog's drain)."""
        if ahead is None or waited <= 0.0:
            return
        seen = (ahead + 1) / waited
        self.drain = seen if self.drain is None else self.drain + DRAIN_WEIGHT * (seen - self.drain)

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

    def per_second(self, now: float) -> float | None:
        """The measured rate as of ``now``, or None before there is enough to go on."""
        self._advance(now)
        if self.seen < MIN_COMPLETIONS or self.busy_seconds <= 0.0:
            return None
        return self.completions / self.busy_seconds

    def _advance(self, now: float) -> None:
        elapsed = now - self.since
        if elapsed <= 0.0:
            return  # the same instant, or a clock that did not move forward
        self.since = now
        if not self.saturated:
            return  # idle time neither counts nor ages the average
        decay = math.exp(-elapsed / self.horizon)
        self.completions *= decay
        # The saturated stretch's own weight: the integral of e^(-(now - s) / horizon) over it.
        self.busy_seconds = self.busy_seconds * decay + self.horizon * (1.0 - decay)


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
