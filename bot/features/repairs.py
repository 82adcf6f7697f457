"""The repair list at work: what a delivery left undone, done again within seconds.

A delivery whose handler still failed after the client's retries, or one the intake refused
with 503, is recorded here (``record_delivery``), as is work a handler knows it left undone
(``ctx.needs_repair``: the announcement of numbers this App assigned). The list is
``bot.policy.repairs`` (one entry per repair, backoff from 2 s, given up after its attempts);
``Repairer.run`` tries each entry when it is due, by the idempotent repair the reconciler also
runs for that kind, each write found before it is made again:

- check: ``check.validate`` when the head has no completed run of the App, else the labels
  alone (one check run per head);
- number: ``numbering.number_merged``, and the entry stays until the numbers are announced
  (by the writer, or after its time by anyone);
- announcement: ``numbering.number_merged(writer=True)``: this App made the numbering commit;
- command: ``commands.answer_comment`` unless the App's reply to the comment is there;
- decision: the votes of reviews whose delivery failed (``lost_reviews``), then
  ``decisions.settle``.

An entry runs only when ``admit`` lets it: not while the App's backlog refuses deliveries,
nor while a delivery of the same pull request is pending (that delivery does the work, and the
two would race). Each attempt has a fresh time budget; one that fails is logged in one line
with its cause (the traceback at debug level) and tried again later.

The list lives in memory and is bounded. A process that dies loses it, and nothing is lost:
the reconciler's sweep finds the same work again from GitHub.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any, Protocol

from gidgethub.abc import GitHubAPI

import bot.features.check as check
import bot.features.commands as commands
import bot.features.decisions as decisions
import bot.features.lost_reviews as lost_reviews
import bot.features.numbering as numbering
from bot.features.config import config_for
from bot.features.context import Context
from bot.github.client import ClientFactory, Waiting
from bot.github.issues import comments, find_own_comment, written_by
from bot.github.listings import app_check_runs
from bot.github.pulls import get_pull
from bot.policy.check import CHECK_NAME
from bot.policy.markers import NUMBERED, reply_ids
from bot.policy.reconcile import check_missing
from bot.policy.repairs import Added, Kind, Repair, RepairList, Schedule, repairs_for_delivery
from bot.values import Pull

log = logging.getLogger(__name__)

REPAIRS_AT_ONCE = 4


class NotDone(Exception):
    """The repair ran, and what it waits for is not there yet: tried again later."""


class RepairMetrics(Protocol):
    """What the repair list counts (the runtime's ``Metrics``; features do not import it)."""

    def count_repair(self, kind: str, outcome: str) -> None: ...


RepairRun = Callable[[GitHubAPI, Context, Repair], Awaitable[None]]


class Repairer:
    """The repair list of one serving process and the loop that works it off."""

    def __init__(
        self,
        clients: Callable[[], ClientFactory | None],
        *,
        budget_seconds: float,
        waiting: Waiting,
        metrics: RepairMetrics | None = None,
        schedule: Schedule | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """``clients`` gives the server's client factory (None until the server started);
        ``waiting`` is its clock and sleep; ``budget_seconds``: each attempt's time. The
        Context (whose ``needs_repair`` is this list's) comes with ``run``; ``admit`` says
        whether a due repair may start now (the runtime sets it: the backlog's view)."""
        self._clients = clients
        self.ctx: Context | None = None
        self.admit: Callable[[Repair], bool] = lambda repair: True
        self.budget_seconds = budget_seconds
        self.waiting = waiting
        self.metrics = metrics
        self.pending = RepairList(schedule or Schedule())
        self.rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()

    # --- recording ---------------------------------------------------------------------------

    def record(self, repair: Repair, cause: str) -> None:
        """Put ``repair`` on the list (once: the same work already there is not added)."""
        added = self.pending.add(repair, self.waiting.monotonic(), self.rng.random())
        if added is Added.FULL:
            log.warning("repair: list full, %s left to the sweep (%s)", repair, cause)
            self._count(repair, "dropped")
            return
        if added is Added.QUEUED:
            log.info("repair: %s queued (%s)", repair, cause)
            self._count(repair, "queued")
        self._wake.set()

    def record_delivery(self, event: str, payload: Mapping[str, Any], cause: str) -> None:
        """A delivery whose handlers failed, or one refused with 503 (the runtime passes its
        parsed payload): the repairs that do what its handlers do."""
        for repair in repairs_for_delivery(event, payload):
            self.record(repair, cause)

    def needs_repair(self, repair: Repair) -> None:
        """``ctx.needs_repair``: a handler names work it left undone."""
        self.record(repair, "left undone by its handler")

    # --- running -----------------------------------------------------------------------------

    async def run(self, ctx: Context) -> None:
        """Work the list off with ``ctx`` until cancelled: each entry when due, a few at
        once."""
        self.ctx = ctx
        try:
            while True:
                self._wake.clear()
                self._start_due()
                full = len(self._running) >= REPAIRS_AT_ONCE
                due = None if full else self.pending.next_due()
                await self._wait(None if due is None else due - self.waiting.monotonic())
        finally:
            running = list(self._running)
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _start_due(self) -> None:
        now = self.waiting.monotonic()
        for repair in self.pending.take_due(now, REPAIRS_AT_ONCE - len(self._running)):
            if not self.admit(repair):  # busy, or a delivery of it pending: a little later
                self.pending.postpone(repair, now + self.pending.schedule.base_seconds)
                continue
            task = asyncio.create_task(self._attempt(repair), name=f"repair {repair}")
            self._running.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()

    async def _wait(self, seconds: float | None) -> None:
        """Until ``seconds`` pass (None: no timer) or something is recorded or finishes."""
        if seconds is not None and seconds <= 0:
            await asyncio.sleep(0)
            return
        waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wake.wait())]
        if seconds is not None:
            waiters.append(asyncio.ensure_future(self.waiting.sleep(seconds)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _attempt(self, repair: Repair) -> None:
        try:
            await self.attempt(repair)
        except NotDone as waiting_for:
            self._failed(repair, str(waiting_for), quiet=True)
        except Exception as error:
            log.debug("repair: %s failed", repair, exc_info=True)
            self._failed(repair, _cause(error))
        else:
            again = self.pending.succeeded(repair, self.waiting.monotonic(), self.rng.random())
            log.info("repair: %s done%s", repair, " (its work changed: once more)" if again else "")
            self._count(repair, "repaired")

    async def attempt(self, repair: Repair) -> None:
        """One try at ``repair``, with a fresh time budget; raises when it did not finish."""
        clients = self._clients()
        if clients is None or self.ctx is None:
            raise RuntimeError("the GitHub session is not open (the repair loop not started)")
        deadline = clients.waiting.deadline(self.budget_seconds)
        gh = clients.installation_client(repair.installation_id, deadline)
        ctx = self.ctx
        async with asyncio.timeout(self.budget_seconds):
            await REPAIRS[repair.kind](gh, ctx, repair)

    def _failed(self, repair: Repair, cause: str, *, quiet: bool = False) -> None:
        attempts = self.pending.attempts(repair) + 1
        due = self.pending.failed(repair, self.waiting.monotonic(), self.rng.random())
        if due is None:
            log.error("repair: %s given up after %d attempts (%s)", repair, attempts, cause)
            self._count(repair, "given_up")
            return
        wait = due - self.waiting.monotonic()
        level = logging.INFO if quiet else logging.WARNING
        log.log(level, "repair: %s attempt %d: %s; next in %.0f s", repair, attempts, cause, wait)
        self._count(repair, "waiting" if quiet else "failed")

    def _count(self, repair: Repair, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.count_repair(repair.kind.value, outcome)


def _cause(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


@asynccontextmanager
async def repairing(repairer: Repairer, ctx: Context) -> AsyncIterator[None]:
    """The repair loop as a background task for the life of the block."""
    task = asyncio.create_task(repairer.run(ctx), name="repairs")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


# --- the repairs, one per kind ---------------------------------------------------------------


async def _open_pull(gh: GitHubAPI, repair: Repair) -> Pull:
    return await get_pull(gh, repair.repo, repair.number)


async def repair_check(gh: GitHubAPI, ctx: Context, repair: Repair) -> None:
    """The head's check run if it has none of the App's, and the labels either way."""
    pull = await _open_pull(gh, repair)
    if not pull.is_open:
        return  # a closed pull request is not validated
    runs = await app_check_runs(gh, pull.repo, pull.head.sha, CHECK_NAME, ctx.app_id)
    await check.validate(gh, pull, ctx, publish=check_missing(runs, ctx.app_id))


async def repair_number(gh: GitHubAPI, ctx: Context, repair: Repair) -> None:
    """The numbers, the label, and (once it is this App's turn) the announcement."""
    pull = await _open_pull(gh, repair)
    if await numbering.number_merged(gh, pull, ctx):
        return
    if await find_own_comment(gh, pull.repo, pull.number, NUMBERED, ctx.app_id) is None:
        raise NotDone("numbered; the announcement is the writer's for now")


async def repair_announcement(gh: GitHubAPI, ctx: Context, repair: Repair) -> None:
    """This App numbered the RFCs and its announcement failed: announce (once)."""
    await numbering.number_merged(gh, await _open_pull(gh, repair), ctx, writer=True)


async def repair_command(gh: GitHubAPI, ctx: Context, repair: Repair) -> None:
    """Answer the comment's commands, unless the App's reply to it is there (or the comment
    is gone)."""
    pull = await _open_pull(gh, repair)
    found = None
    async for comment in comments(gh, pull.repo, pull.number):
        if written_by(comment, ctx.app_id) and repair.comment_id in reply_ids(comment.body):
            return  # answered
        if comment.id == repair.comment_id:
            found = comment
    if found is not None:
        await commands.answer_comment(gh, ctx, pull.repository, pull.number, found)


async def repair_decision(gh: GitHubAPI, ctx: Context, repair: Repair) -> None:
    """A decision's record (with the votes of reviews whose delivery failed), panel and
    labels, as the sweep settles them."""
    pull = await _open_pull(gh, repair)
    if not pull.is_open:
        return
    config, _ = await config_for(gh, pull, ctx)
    reviews = await lost_reviews.listed_reviews(gh, pull)
    recorded = await lost_reviews.record_lost_reviews(
        gh, pull, ctx, config, reviews, settled_before=ctx.clock()
    )
    await decisions.settle(gh, pull, ctx, config, recorded=recorded > 0)


REPAIRS: Mapping[Kind, RepairRun] = {
    Kind.CHECK: repair_check,
    Kind.NUMBER: repair_number,
    Kind.ANNOUNCEMENT: repair_announcement,
    Kind.COMMAND: repair_command,
    Kind.DECISION: repair_decision,
}
