"""What every handler gets besides the event and the GitHub client.

Handlers have the signature ``async def handler(event: sansio.Event, gh: GitHubAPI,
ctx: Context) -> None`` and are dispatched with ``router.dispatch(event, gh, ctx)``.
The App keeps no state beyond these bounded caches: GitHub is the database.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cachetools import LRUCache, TTLCache

from bot.rfc.config import Config, ConfigError

BLOB_CACHE_BYTES = 32 * 1024 * 1024
BLOB_CACHE_ENTRIES = 20_000
# A label deleted by hand is re-created (with its colour) at most this long after.
KNOWN_LABEL_SECONDS = 3600
# How long a replica that finds RFCs numbered by another writer waits for that writer's
# announcement before posting its own (it covers a writer that died in between).
ANNOUNCE_GRACE_SECONDS = 5.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class BoundedLRUCache(LRUCache[Any, Any]):
    """An LRU cache capped both by total size (``getsizeof``) and by number of entries."""

    def __init__(self, *, max_entries: int, max_size: int, getsizeof: Callable[[Any], int]) -> None:
        super().__init__(maxsize=max_size, getsizeof=getsizeof)
        self.max_entries = max_entries

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.max_entries:
            self.popitem()


def _blob_cache() -> BoundedLRUCache:
    return BoundedLRUCache(
        max_entries=BLOB_CACHE_ENTRIES, max_size=BLOB_CACHE_BYTES, getsizeof=sys.getsizeof
    )


@dataclass
class Context:
    clock: Callable[[], datetime] = utc_now
    # (repository full name, commit sha of the default branch) -> parsed config.
    config_cache: LRUCache[tuple[str, str], tuple[Config, ConfigError | None]] = field(
        default_factory=lambda: LRUCache(maxsize=256)
    )
    # Git blob sha -> decoded text of an RFC file on the default branch. Blobs are
    # content-addressed, so an entry never goes stale.
    blob_texts: BoundedLRUCache = field(default_factory=_blob_cache)
    # (repository full name, lower-cased label name) of labels known to exist, so a warm run
    # does not ask GitHub to create them again.
    known_labels: TTLCache[tuple[str, str], bool] = field(
        default_factory=lambda: TTLCache(maxsize=8192, ttl=KNOWN_LABEL_SECONDS)
    )
    announce_grace_seconds: float = ANNOUNCE_GRACE_SECONDS
    # Per-repository locks, so that one process never races itself (e.g. numbering).
    _locks: LRUCache[str, asyncio.Lock] = field(default_factory=lambda: LRUCache(maxsize=1024))

    def lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class UserError(Exception):
    """A problem to tell the user on the pull request (not logged as a failure)."""
