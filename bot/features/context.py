"""What every handler gets besides the event and the GitHub client.

Handlers have the signature ``async def handler(event: sansio.Event, gh: GitHubAPI,
ctx: Context) -> None`` and are dispatched with ``router.dispatch(event, gh, ctx)``.
The App keeps no state beyond these bounded caches: GitHub is the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cachetools import LRUCache

from bot.rfc.config import Config, ConfigError


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    clock: Callable[[], datetime] = utc_now
    # (repository full name, commit sha of the default branch) -> parsed config.
    config_cache: LRUCache[tuple[str, str], tuple[Config, ConfigError | None]] = field(
        default_factory=lambda: LRUCache(maxsize=256)
    )
    # Per-repository locks, so that one process never races itself (e.g. numbering).
    _locks: LRUCache[str, asyncio.Lock] = field(default_factory=lambda: LRUCache(maxsize=1024))

    def lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class UserError(Exception):
    """A problem to tell the user on the pull request (not logged as a failure)."""
