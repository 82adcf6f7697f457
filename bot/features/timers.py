"""Timed work the reconciler's sweeps run for every repository (staleness, the digest, the
dashboard's refresh).

A feature registers ``timer(reads)`` at import; every sweep calls it with the repository's
``SweepReads``, so a timer reads the listings and the config the sweep's passes read, each at
most once per repository per sweep. A timer must be idempotent, as a handler is: it
re-derives from GitHub what is due and does only that. Kept apart from the reconciler so that
a feature registering a timer need not import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.features.sweep_reads import SweepReads

Timer = Callable[[SweepReads], Awaitable[None]]
TIMERS: dict[str, Timer] = {}


def register_timer(name: str, timer: Timer) -> None:
    """Have every sweep call ``timer`` for each repository; registering a name again
    replaces it."""
    TIMERS[name] = timer
