"""Timed work the reconciler's sweeps run for every repository (the dashboard's refresh).

A feature registers ``timer(gh, repository, ctx)`` at import; every sweep calls it. A timer must
be idempotent, as a handler is: it re-derives from GitHub what is due and does only that.
Kept apart from the reconciler so that a feature registering a timer need not import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.values import Repository

Timer = Callable[[GitHubAPI, Repository, Context], Awaitable[None]]
TIMERS: dict[str, Timer] = {}


def register_timer(name: str, timer: Timer) -> None:
    """Have every sweep call ``timer`` for each repository; registering a name again
    replaces it."""
    TIMERS[name] = timer
