"""The App's one clock: every date and epoch second the App reads comes from here.

A ``Clock`` returns an aware UTC datetime. The runtime builds one (``system_clock``) and hands
it to everything that reads the time: the context, the GitHub clients (rate-limit resets), the
App's JWTs and token lifetimes, the dashboard's cookies. The simulator drives the same clock
in tests, so no test depends on the day it runs. Durations and deadlines within one process
use ``time.monotonic`` instead: they measure intervals, not dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
EpochClock = Callable[[], float]


def system_clock() -> datetime:
    """The machine's time, in UTC: the production clock."""
    return datetime.now(UTC)


def epoch_seconds(clock: Clock) -> EpochClock:
    """``clock`` read as epoch seconds (what GitHub's rate-limit and token headers use)."""
    return lambda: clock().timestamp()
