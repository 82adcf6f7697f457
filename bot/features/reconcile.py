"""The reconciler: events are hints, reconciliation is the truth.

A sweep visits every installation of the App and every repository it may see, re-derives
from GitHub what should be true and repairs what is not, through what the webhook handlers
call (each is idempotent: a write is found before it is made again):

- every ``/rfc`` comment within the window with neither the App's reply nor its reaction is
  answered (``bot.features.commands.answer_comment``);
- every pull request merged into the default branch within the window whose new RFC is still
  ``0000-`` there gets its number, and one whose RFCs are numbered gets its announcement and
  label when the App's announcement is missing (``bot.features.numbering.number_merged``);
- every open pull request has a completed `RFC validation` run of this App on its head
  (``bot.features.check.validate``, which also syncs the labels), and labels in step with the
  ones that run records (else synced, without a second run);
- every open pull request in a decision (its label, or a decision command in the window) has
  its reviews recorded (``bot.features.lost_reviews``) and is settled
  (``bot.features.decisions.settle``: the comment period's end, reminders, the panel);
- every registered timer (``register_timer``) runs for the repository.

Cheap when nothing changed: every listing is a conditional request (``ListingCache``, one
per repository, so a thousand repositories do not evict each other's ETags), read once per
repository and sweep (``SweepReads``), and an unchanged listing is a 304, free of the rate
limit. What was proven (a head's check run and the labels it records, a merged pull request's
number and announcement, a pull request's reviews) is remembered in bounded caches; after a
restart it is proven again from GitHub. Work younger than the grace period is left to its
delivery.

Replicas share the work: each sweep starts by asking the runtime for this replica's
``Share`` (``bot.policy.replicas``: the live replicas, found by the runtime) and sweeps only the
repositories it owns; the installation-wide listings are read by every replica (304s).

A failure is logged in one line naming its cause (``bot.github.failures``); its traceback
only at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Protocol

import prometheus_client
from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.features.sweep_passes import SweepPasses
from bot.features.sweep_reads import SweepReads
from bot.features.timers import TIMERS
from bot.github.budget import budget_low
from bot.github.client import ClientFactory
from bot.github.failures import RequestTrail, failure_line
from bot.github.listings import (
    ListingCache,
    app_slug,
    installation_repositories,
    installations,
    listing_cache,
)
from bot.policy.reconcile import jittered, window_start
from bot.policy.replicas import ALONE, Share
from bot.values import Repository

log = logging.getLogger(__name__)

# Work younger than this is most likely being handled by its delivery right now.
GRACE_SECONDS = 120.0
# One repository's share of a sweep (its client's deadline), so one slow repository cannot
# hold up the others for long.
REPOSITORY_BUDGET_SECONDS = 300.0
# Start-up sweeps of replicas started together drift apart by up to this much.
STARTUP_JITTER_SECONDS = 30.0
# Conditional-request caches: one per repository (its listings, the check runs of its heads,
# small files such as the RFCs in a decision), one per installation, one for the App. A sweep
# visits every repository in turn, so fewer caches than repositories would evict each one
# before its next visit (every listing read again in full).
LISTING_CACHES = 20_000
REPOSITORY_CACHE_ENTRIES = 256
# Repositories of an installation swept at once: GitHub's latency, not the App's CPU, is
# what a sweep waits on; a few at a time stays far below GitHub's 100 concurrent requests.
SWEEP_CONCURRENCY = 4


@dataclass
class SweepReport:
    """What one sweep cost and did."""

    repositories: int = 0
    left: int = 0  # repositories left to the other live replicas
    share: Share = ALONE
    requests: int = 0  # answered requests that counted against a rate limit
    not_modified: int = 0  # 304s to conditional requests (free)
    repairs: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    # Rate-limited requests per repository (installation-wide listings under "installation:N").
    by_repository: Counter[str] = field(default_factory=Counter)

    def observer(self, where: str) -> Callable[[str, str, int], None]:
        def observe(method: str, route: str, status: int) -> None:
            if status == 304:
                self.not_modified += 1
            else:
                self.requests += 1
                self.by_repository[where] += 1

        return observe


class SweepMetrics(Protocol):
    """What sweeps count; the runtime's ``Metrics`` has them (features do not import it)."""

    repairs: prometheus_client.Counter
    sweeps: prometheus_client.Counter
    sweep_seconds: prometheus_client.Histogram
    sweep_requests: prometheus_client.Counter


class Reconciler:
    """Sweeps every installation's repositories and repairs what the webhooks missed."""

    def __init__(
        self,
        clients: Callable[[], ClientFactory | None],
        ctx: Context,
        *,
        metrics: SweepMetrics | None = None,
        window_days: int = 7,
        grace_seconds: float = GRACE_SECONDS,
        rng: random.Random | None = None,
        share: Callable[[], Awaitable[Share]] | None = None,
        concurrency: int = SWEEP_CONCURRENCY,
    ) -> None:
        """``clients`` gives the server's client factory (None until the server started);
        ``share``, this replica's share of each sweep (None: one replica sweeps it all)."""
        self._clients = clients
        self._share = share or _alone
        self.concurrency = concurrency
        self.ctx = ctx
        self.metrics = metrics
        self.window_days = window_days
        self.rng = rng or random.Random()
        self.passes = SweepPasses(ctx, grace_seconds=grace_seconds, rng=self.rng)
        self._listings: LRUCache[str, ListingCache] = LRUCache(maxsize=LISTING_CACHES)
        self._sweeping = asyncio.Lock()

    @property
    def grace_seconds(self) -> float:
        """Work younger than this is left to its delivery (tests set 0: repair at once)."""
        return self.passes.grace_seconds

    @grace_seconds.setter
    def grace_seconds(self, seconds: float) -> None:
        self.passes.grace_seconds = seconds

    # --- one sweep -----------------------------------------------------------------------

    async def sweep(self) -> SweepReport:
        """One pass over everything this replica owns; one at a time per process."""
        async with self._sweeping:
            report = SweepReport()
            started = time.monotonic()
            trail = RequestTrail(report.observer("app"))
            try:
                report.share = await self._share()
                await self._sweep(report, trail)
            except Exception as error:  # listing the installations failed: next sweep
                report.errors += 1
                _failed(error, trail, "reconcile: sweep failed: %s")
            self._record(report, time.monotonic() - started)
            return report

    async def _sweep(self, report: SweepReport, trail: RequestTrail) -> None:
        clients = self._factory()
        jwt = clients.auth.jwt()
        gh = clients.app_client(cache=self._cache(clients, "app"), observer=trail)
        if not self.passes.bot_login:
            self.passes.bot_login = f"{await app_slug(gh, jwt)}[bot]"
        found = await installations(gh, jwt)
        self.rng.shuffle(found)
        for installation_id in found:
            listing = RequestTrail(report.observer(f"installation:{installation_id}"))
            try:
                await self._sweep_installation(clients, installation_id, report, listing)
            except Exception as error:
                report.errors += 1
                _failed(error, listing, "reconcile: installation %s failed: %s", installation_id)

    async def _sweep_installation(
        self,
        clients: ClientFactory,
        installation_id: int,
        report: SweepReport,
        trail: RequestTrail,
    ) -> None:
        cache = self._cache(clients, f"installation:{installation_id}")
        gh = clients.installation_client(installation_id, cache=cache, observer=trail)
        repositories = await installation_repositories(gh)
        if budget_low(gh):
            # Repairs can wait for the next window; pushes and merges keep what is left.
            log.warning(
                "reconcile: installation %s is short of requests; swept later", installation_id
            )
            self.ctx.deferred("sweep")
            return
        # Read-only (archived) repositories cannot be repaired; the others' owners sweep theirs.
        writable = [raw for raw in repositories if not raw.get("archived")]
        mine = [raw for raw in writable if report.share.owns(str(raw.get("full_name") or ""))]
        report.left += len(writable) - len(mine)
        self.rng.shuffle(mine)
        pending = iter(mine)
        left_over: list[dict[str, Any]] = []

        async def sweeper() -> None:
            for raw in pending:  # shared: each repository is taken by one sweeper
                if budget_low(gh):  # the sweep's own requests used it up (a restart's proofs)
                    left_over.append(raw)
                    continue
                await self._sweep_listed(clients, installation_id, raw, report)

        await asyncio.gather(*(sweeper() for _ in range(min(self.concurrency, len(mine)))))
        if left_over:
            log.warning(
                "reconcile: installation %s ran short of requests mid-sweep; %d repositories"
                " swept later",
                installation_id,
                len(left_over),
            )
            self.ctx.deferred("sweep")

    async def _sweep_listed(
        self, clients: ClientFactory, installation_id: int, raw: dict[str, Any], report: SweepReport
    ) -> None:
        """One repository of the installation's listing, with a client of its own: its own
        deadline, conditional-request cache and trail of failed requests."""
        name = str(raw.get("full_name") or "?")
        trail = RequestTrail(report.observer(name))
        try:
            repository = Repository.from_json(raw)
        except Exception as error:
            report.errors += 1
            _failed(error, trail, "reconcile: repository %s skipped: %s", name)
            return
        repo_gh = clients.installation_client(
            installation_id,
            # The clients' own clock: the one their retries read (simulated in tests).
            clients.waiting.monotonic() + REPOSITORY_BUDGET_SECONDS,
            cache=self._cache(clients, f"repository:{repository.full_name}"),
            observer=trail,
        )
        report.repositories += 1
        await self.sweep_repository(repo_gh, repository, report, trail)

    async def sweep_repository(
        self,
        gh: GitHubAPI,
        repository: Repository,
        report: SweepReport,
        trail: RequestTrail | None = None,
    ) -> None:
        """Every kind of repair for one repository; one kind failing does not stop the rest.
        ``trail``: the observer of ``gh``'s answers, to name a failed request."""
        since = window_start(self.ctx.clock(), self.window_days)
        reads = SweepReads(gh, repository, self.ctx, since)

        def repaired(kind: str, count: int = 1) -> None:
            self._repaired(report, kind, count)

        parts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *self.passes.passes(reads, repaired),
            *(
                (f"timer {name}", lambda timer=timer: timer(reads))
                for name, timer in TIMERS.items()
            ),
        ]
        for name, part in parts:
            if trail is not None:
                trail.clear()
            try:
                await part()
            except Exception as error:
                report.errors += 1
                _failed(error, trail, "reconcile: %s of %s failed: %s", name, repository.full_name)

    # --- bookkeeping ---------------------------------------------------------------------

    def _factory(self) -> ClientFactory:
        clients = self._clients()
        if clients is None:
            raise RuntimeError("the GitHub session is not open (app not started)")
        return clients

    def _cache(self, clients: ClientFactory, key: str) -> ListingCache:
        if not key.startswith("repository:"):
            return listing_cache(self._listings, key, clients.base_url)
        # A repository's own: its timers read the same small files sweep after sweep.
        entries = REPOSITORY_CACHE_ENTRIES
        return listing_cache(self._listings, key, clients.base_url, entries, files=True)

    def _repaired(self, report: SweepReport, kind: str, count: int = 1) -> None:
        report.repairs[kind] += count
        if self.metrics is not None:
            self.metrics.repairs.labels(kind).inc(count)

    def _record(self, report: SweepReport, seconds: float) -> None:
        log.info(
            "reconcile: swept %d repositories%s in %.1f s: %d requests, %d not modified, "
            "repairs %s, %d errors",
            report.repositories,
            _shared(report),
            seconds,
            report.requests,
            report.not_modified,
            dict(report.repairs) or "none",
            report.errors,
        )
        if self.metrics is None:
            return
        self.metrics.sweeps.labels("error" if report.errors else "ok").inc()
        self.metrics.sweep_seconds.observe(seconds)
        self.metrics.sweep_requests.labels("rate_limited").inc(report.requests)
        self.metrics.sweep_requests.labels("not_modified").inc(report.not_modified)


async def _alone() -> Share:
    return ALONE


def _failed(error: BaseException, trail: RequestTrail | None, message: str, *values: Any) -> None:
    """A failure in one line, its cause last (named from the error and the trail of the client
    that saw it); the traceback only at DEBUG."""
    log.warning(message, *values, failure_line(error, trail))
    log.debug(message, *values, repr(error), exc_info=error)


def _shared(report: SweepReport) -> str:
    """The sweep's share, for its log line ("" for a replica alone)."""
    share = report.share
    if share.total == 1:
        return ""
    text = f" as replica {share.index} of {share.total}"
    if share.others:
        text += f" ({report.left} left to replicas {', '.join(map(str, share.others))})"
    if share.missing:
        text += f"; replicas {', '.join(map(str, share.missing))} did not answer"
    return text


# --- running -------------------------------------------------------------------------------


async def run_periodically(
    reconciler: Reconciler,
    interval: float,
    *,
    draw: Callable[[], float] = random.random,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    startup_jitter: float = STARTUP_JITTER_SECONDS,
) -> None:
    """A sweep soon after start-up, then one every ``interval`` seconds ± 10% (never, when
    ``interval`` is 0). Runs until cancelled; a failed sweep does not stop it."""
    await sleep(draw() * min(startup_jitter, interval * 0.1 if interval > 0 else startup_jitter))
    await reconciler.sweep()
    while interval > 0:
        await sleep(jittered(interval, draw()))
        await reconciler.sweep()


@asynccontextmanager
async def running(reconciler: Reconciler, interval: float) -> AsyncIterator[None]:
    """The periodic sweeps as a background task for the life of the block."""
    task = asyncio.create_task(run_periodically(reconciler, interval), name="reconciler")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
