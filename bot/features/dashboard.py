"""The live dashboard's data: every open pull request that touches RFCs, in the repositories a
viewer may read, across the App's installations. Fetch (here) → decide
(``bot.policy.dashboard``) → show (``bot.dashboard.page``).

One source of truth: a card's RFCs are ``decisions.panel_for``, the panel entries and
decisions that ``settle`` acts on and the status panel shows.

GitHub is the database, and cheap to ask again:

- every listing (installations, their repositories, each repository's open pull requests) is a
  conditional request: unchanged, it is a 304, free of the rate limit;
- a card is read again only when its pull request's ``updated_at`` moved (every push, comment,
  review and label change moves it, so each webhook GitHub sends is seen at the next view) or
  it is older than ``CARD_MAX_AGE_SECONDS`` (rosters and clocks move too); the reconciler's
  sweeps refresh the cards of this process between views (``refresh_known``);
- who may read a private repository is asked with the installation's token, per viewer and
  repository, and remembered ``ACCESS_SECONDS``; a public repository needs no question.

A view never waits on GitHub longer than its budget: pull requests not read in time are
counted and shown at the next view, and with the installation's rate budget low only cards
already read are shown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from cachetools import LRUCache, TTLCache
from gidgethub import GitHubException, routing
from gidgethub.abc import GitHubAPI

import bot.features.decisions as decisions
from bot.deliveries import PullDelivery
from bot.features.config import config_for
from bot.features.context import Context
from bot.features.sweep_reads import SweepReads
from bot.features.timers import register_timer
from bot.github.budget import budget_low
from bot.github.client import ClientFactory
from bot.github.listings import (
    ListingCache,
    app_check_runs,
    installation_repositories,
    installations,
    listing_cache,
    pulls_updated_since,
)
from bot.github.repos import permission
from bot.policy.check import CHECK_NAME
from bot.policy.dashboard import CachedCard, PullCard, check_state
from bot.values import Pull, Repository

log = logging.getLogger(__name__)
router = routing.Router()

CARD_MAX_AGE_SECONDS = 600.0
VIEW_BUDGET_SECONDS = 8.0  # a view answers within this, whatever GitHub does
PARALLEL_READS = 4  # cards read at once per view
READ_PERMISSIONS = frozenset({"read", "triage", "write", "maintain", "admin"})
DASHBOARD_CARDS = 5000  # cards remembered, one per open pull request read
ACCESS_SECONDS = 300  # how long a viewer's read access to a repository is remembered


@dataclass
class DashboardCache:
    """What the dashboard remembers between views (``ctx.caches.of(DashboardCache)``)."""

    # (repo, number) -> the card last read.
    cards: LRUCache[tuple[str, int], CachedCard] = field(
        default_factory=lambda: LRUCache(maxsize=DASHBOARD_CARDS)
    )
    # (login, repo), both lower-cased -> may read.
    read_access: TTLCache[tuple[str, str], bool] = field(
        default_factory=lambda: TTLCache(maxsize=50_000, ttl=ACCESS_SECONDS)
    )
    # An installation's id, or "app" -> its conditional-request cache.
    listings: LRUCache[str, ListingCache] = field(default_factory=lambda: LRUCache(maxsize=256))


@router.register("pull_request", action="closed")
async def on_pull_request_closed(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    """A closed pull request leaves the dashboard (its listing drops it too; this frees the
    card at once)."""
    ctx.caches.of(DashboardCache).cards.pop((delivery.pull.repo, delivery.pull.number), None)


@dataclass
class Cards:
    """What a view found: the cards of the readable repositories, and what it could not read."""

    cards: list[PullCard] = field(default_factory=list)
    readable: set[str] = field(default_factory=set)
    loading: int = 0  # open pull requests not read within the view's budget
    unavailable: int = 0  # installations or repositories GitHub did not answer for
    rate_limited: bool = False  # the rate budget is low: only cards already read are shown


async def open_cards(
    clients: ClientFactory, ctx: Context, login: str, *, budget: float = VIEW_BUDGET_SECONDS
) -> Cards:
    """Every open RFC pull request ``login`` may read, across the App's installations."""
    deadline = time.monotonic() + budget
    found = Cards()
    listings = ctx.caches.of(DashboardCache).listings
    app_gh = clients.app_client(deadline, cache=listing_cache(listings, "app", clients.base_url))
    pending: list[Callable[[], Awaitable[None]]] = []
    try:
        found_installations = await installations(app_gh, clients.auth.jwt())
    except (GitHubException, OSError, TimeoutError) as error:
        log.warning("dashboard: the App's installations unavailable: %s", error)
        found.unavailable += 1
        return found
    for installation_id in found_installations:
        gh = clients.installation_client(
            installation_id,
            deadline,
            cache=listing_cache(listings, str(installation_id), clients.base_url),
        )
        try:
            await _installation(gh, ctx, login, found, pending)
        except (GitHubException, OSError, TimeoutError) as error:
            log.warning("dashboard: installation %s unavailable: %s", installation_id, error)
            found.unavailable += 1
    await _read_within(pending, deadline, found)
    return found


async def _installation(
    gh: GitHubAPI,
    ctx: Context,
    login: str,
    found: Cards,
    pending: list[Callable[[], Awaitable[None]]],
) -> None:
    repositories = await installation_repositories(gh)
    low = budget_low(gh)  # known from the answer just read
    found.rate_limited |= low
    for raw in repositories:
        if not await may_read(gh, ctx, raw, login):
            continue
        repository = Repository.from_json(raw)
        found.readable.add(repository.full_name)
        for item in await pulls_updated_since(gh, repository.full_name, "open", None):
            cached = _cached(ctx, repository.full_name, item)
            if cached is not None and (low or _fresh(cached, item, ctx)):
                if cached.card is not None:
                    found.cards.append(cached.card)
            elif not low:
                pending.append(partial(_read_into, gh, item, ctx, found))


async def _read_within(
    pending: list[Callable[[], Awaitable[None]]], deadline: float, found: Cards
) -> None:
    """Read the cards that changed, a few at a time, until the view's deadline."""
    if not pending:
        return
    gate = asyncio.Semaphore(PARALLEL_READS)

    async def gated(read: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await read()

    tasks = [asyncio.ensure_future(gated(read)) for read in pending]
    done, late = await asyncio.wait(tasks, timeout=max(deadline - time.monotonic(), 0))
    for task in late:
        task.cancel()
    found.loading += len(late) + sum(1 for task in done if task.exception() is not None)
    for task in done:
        if task.exception() is not None:
            log.warning("dashboard: a card could not be read: %s", task.exception())


async def _read_into(gh: GitHubAPI, item: dict[str, Any], ctx: Context, found: Cards) -> None:
    card = await read_card(gh, item, ctx)
    if card is not None:
        found.cards.append(card)


async def may_read(gh: GitHubAPI, ctx: Context, raw: dict[str, Any], login: str) -> bool:
    """Whether ``login`` may read the repository: anyone may read a public one; for a private
    one GitHub is asked (fail closed: no answer is no access, and is not remembered)."""
    if raw.get("private") is False:
        return True
    repo = Repository.from_json(raw).full_name
    key = (login.lower(), repo.lower())
    read_access = ctx.caches.of(DashboardCache).read_access
    known = read_access.get(key)
    if known is not None:
        return known
    try:
        allowed = await permission(gh, repo, login) in READ_PERMISSIONS
    except (GitHubException, OSError, TimeoutError) as error:
        log.warning("dashboard: permission of %s on %s unknown: %s", login, repo, error)
        return False
    read_access[key] = allowed
    return allowed


async def read_card(gh: GitHubAPI, item: dict[str, Any], ctx: Context) -> PullCard | None:
    """Read one open pull request's card from GitHub and remember it; None when it touches
    no RFC."""
    pull = Pull.from_json(item)
    config, _ = await config_for(gh, pull, ctx)
    rfcs = await decisions.panel_for(gh, pull, ctx, config)
    card: PullCard | None = None
    if rfcs:
        runs = await app_check_runs(gh, pull.repo, pull.head.sha, CHECK_NAME, ctx.app_id)
        check, check_url = check_state(runs, ctx.app_id)
        card = PullCard(
            repo=pull.repo,
            number=pull.number,
            title=str(item.get("title") or ""),
            url=pull.html_url,
            author=pull.author or "",
            check=check,
            check_url=check_url,
            rfcs=tuple(rfcs),
            private=bool((item.get("base") or {}).get("repo", {}).get("private")),
        )
    key = (pull.repo, pull.number)
    ctx.caches.of(DashboardCache).cards[key] = CachedCard(_mark(item), ctx.monotonic(), card)
    return card


async def refresh_known(reads: SweepReads) -> None:
    """The reconciler's timer: cards this process has shown are read again when their pull
    request changed, so the next view is ready at once. Pull requests nobody viewed here cost
    nothing; closed ones are dropped."""
    gh, ctx = reads.gh, reads.ctx
    repo, cards = reads.repo, ctx.caches.of(DashboardCache).cards
    known = [key for key in list(cards.keys()) if key[0] == repo]
    if not known or budget_low(gh):
        return
    listed = await reads.open_pulls()
    open_numbers = {int(item["number"]) for item in listed}
    for key in known:
        if key[1] not in open_numbers:
            cards.pop(key, None)
    for item in listed:
        cached = _cached(ctx, repo, item)
        if cached is not None and not _fresh(cached, item, ctx):
            await read_card(gh, item, ctx)


register_timer("dashboard", refresh_known)


def _cached(ctx: Context, repo: str, item: dict[str, Any]) -> CachedCard | None:
    return ctx.caches.of(DashboardCache).cards.get((repo, int(item["number"])))


def _fresh(cached: CachedCard, item: dict[str, Any], ctx: Context) -> bool:
    return cached.current(_mark(item), ctx.monotonic(), CARD_MAX_AGE_SECONDS)


def _mark(item: dict[str, Any]) -> str:
    head = (item.get("head") or {}).get("sha") or ""
    return f"{item.get('updated_at') or ''} {head}"
