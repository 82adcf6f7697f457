"""What every handler gets besides the event and the GitHub client.

Handlers have the signature ``async def handler(event: sansio.Event, gh: GitHubAPI,
ctx: Context) -> None`` and are dispatched with ``router.dispatch(event, gh, ctx)``.
The App keeps no state beyond these bounded caches: GitHub is the database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache, TTLCache

from bot.clock import Clock, system_clock
from bot.policy.decisions import Roster
from bot.policy.flood import PER_PULL, PER_USER, Window
from bot.policy.provenance import signing_key
from bot.rfc.config.public import Config, ConfigError
from bot.rfc.lint import lint
from bot.rfc.lint_summary import LintSummary

BLOB_CACHE_BYTES = 32 * 1024 * 1024
BLOB_CACHE_ENTRIES = 20_000
# A label deleted by hand is re-created (with its colour) at most this long after.
KNOWN_LABEL_SECONDS = 3600
# A replica that finds RFCs numbered by another writer announces them only once the numbering
# commit is this old (the writer died before announcing); until then the writer announces.
ANNOUNCE_AFTER_SECONDS = 120.0
# A decision's roster (who may approve) is asked of GitHub again after this long.
ROSTER_SECONDS = 300
COMMAND_WINDOW_SECONDS = max(PER_USER[1], PER_PULL[1])
# The dashboard's cards (one per open pull request read) and viewers' read access.
DASHBOARD_CARDS = 5000
ACCESS_SECONDS = 300


async def lint_inline(path: str, content: bytes, config: Config, **options: Any) -> LintSummary:
    """Runs the lint engine in this process (tests; the server uses ``bot.lint_pool``)."""
    return LintSummary.of(lint(path, content, config, **options))


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
    # The App's one clock (``bot.clock``): the simulator's in tests.
    clock: Clock = system_clock
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
    announce_after_seconds: float = ANNOUNCE_AFTER_SECONDS
    # Keys the proofs of the App's own commits (``bot.policy.provenance``). The server derives
    # it from the App's secret, so every replica proves the same; the default is random, so a
    # Context made without one can prove only its own writes and nobody can forge them.
    signing_key: bytes = field(default_factory=lambda: signing_key(os.urandom(32).hex()))
    # The App's id: comments it wrote carry it (``performed_via_github_app``), which nobody
    # else can set, so only they count when the App looks for its own earlier comments.
    app_id: int | None = None
    # Why decisions may not start here (the Action without ``RFC_BOT_SECRET``: its record could
    # not be proven); empty when they may.
    decisions_refused: str = ""
    # Command budgets (``bot.policy.flood``): key -> the window it is in. Bounded; a window
    # older than the longest budget window is spent anyway.
    command_windows: TTLCache[str, Window] = field(
        default_factory=lambda: TTLCache(maxsize=50_000, ttl=COMMAND_WINDOW_SECONDS)
    )
    monotonic: Callable[[], float] = time.monotonic
    # (repository, approvers, maintainers config) -> the decision roster resolved then.
    rosters: TTLCache[tuple[Any, ...], Roster] = field(
        default_factory=lambda: TTLCache(maxsize=1024, ttl=ROSTER_SECONDS)
    )
    # Counts work put off for the rate budget (the server points it at /metrics).
    deferred: Callable[[str], None] = lambda kind: None
    # Runs the lint engine: ``lint_inline`` here, the process pool in the server.
    lint: Callable[..., Awaitable[LintSummary]] = lint_inline
    # The dashboard (``bot.features.dashboard``): (repo, number) -> ``CachedCard``; (login,
    # repo) -> may read; installation or "app" -> its conditional-request cache.
    dashboard_cards: LRUCache[tuple[str, int], Any] = field(
        default_factory=lambda: LRUCache(maxsize=DASHBOARD_CARDS)
    )
    read_access: TTLCache[tuple[str, str], bool] = field(
        default_factory=lambda: TTLCache(maxsize=50_000, ttl=ACCESS_SECONDS)
    )
    dashboard_listings: LRUCache[str, Any] = field(default_factory=lambda: LRUCache(maxsize=256))
    # Per-repository locks, so that one process never races itself (e.g. numbering).
    _locks: LRUCache[str, asyncio.Lock] = field(default_factory=lambda: LRUCache(maxsize=1024))

    def lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock
