"""Does GitHub answer with the App's credentials? The start-up check and ``GET /readyz``.

``/healthz`` is liveness: the process answers. ``/readyz`` is readiness: GitHub answers
``GET /app`` with the App's JWT (``bot.github.probe``), so a process with a wrong key, or cut
off from GitHub, is taken out of a load balancer instead of accepting deliveries it cannot
handle. The answer is cached: a ready verdict for 30 s, a transient failure (5xx,
unreachable) for 5 s so that recovery shows within seconds; a probe request never waits more
than 2 s (it gets the last verdict while the check goes on). So at most one ``GET /app`` per
process every 5 to 30 s, and none while nobody asks; JWT requests spend the App's own rate
limit, never an installation's.

With ``--workers N`` each worker answers from its own cache: a probe reaches one worker, and
that worker's answer is about that worker's own connection to GitHub.

``check_github`` is the start-up check: ``GET /app``, one page of installations and one
installation token, retried while the failure may pass, for about 10 s; a failure is a
``StartupError`` (one line on stderr, exit 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from bot.clock import Clock, epoch_seconds, system_clock
from bot.github.auth import AppAuth
from bot.github.client import USER_AGENT, ClientFactory
from bot.github.probe import STARTUP_BUDGET_SECONDS, check_app
from bot.policy.credentials import Verdict
from bot.serve.processes import StartupError
from bot.serve.settings import Settings

log = logging.getLogger(__name__)

READY_FRESH_SECONDS = 30.0  # a ready verdict is reused this long
RETRY_FRESH_SECONDS = 5.0  # a transient failure is checked again after this long
ANSWER_WITHIN_SECONDS = 2.0  # a probe request waits at most this long for a check
NOT_YET = Verdict(False, "the first check of GitHub is under way", transient=True)
STARTING = Verdict(False, "starting: no connection to GitHub yet", transient=True)

Probe = Callable[[], Awaitable[Verdict]]


class Readiness:
    """The last verdict on GitHub and the check that refreshes it, one at a time."""

    def __init__(
        self,
        probe: Probe,
        *,
        clock: Callable[[], float] = time.monotonic,
        fresh_seconds: float = READY_FRESH_SECONDS,
        retry_seconds: float = RETRY_FRESH_SECONDS,
        answer_within: float = ANSWER_WITHIN_SECONDS,
    ) -> None:
        self._probe = probe
        self._clock = clock
        self.fresh_seconds = fresh_seconds
        self.retry_seconds = retry_seconds
        self.answer_within = answer_within
        self.verdict: Verdict | None = None
        self.checked_at = -math.inf
        self._check: asyncio.Task[None] | None = None

    def stale(self) -> bool:
        if self.verdict is None:
            return True
        retry = not self.verdict.ready and self.verdict.transient
        keep = self.retry_seconds if retry else self.fresh_seconds
        return self._clock() - self.checked_at >= keep

    async def current(self) -> Verdict:
        """The verdict, checked again first when stale (waiting ``answer_within`` at most)."""
        if self._check is None and self.stale():
            self._check = asyncio.create_task(self._refresh())
        if self._check is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._check), self.answer_within)
        return self.verdict or NOT_YET

    def age(self) -> float:
        return max(0.0, self._clock() - self.checked_at)

    async def close(self) -> None:
        if self._check is not None:
            self._check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._check

    async def _refresh(self) -> None:
        try:
            found = await self._probe()
        except Exception:
            log.exception("checking GitHub for /readyz failed")
            found = Verdict(False, "checking GitHub failed (see the log)", transient=True)
        finally:
            self._check = None
        if found != self.verdict:
            log.info("readiness: %s (%s)", "ready" if found.ready else "not ready", found.reason)
        self.verdict, self.checked_at = found, self._clock()


READINESS = web.AppKey("readiness", Readiness)


def add_readiness(app: web.Application, clients: Callable[[], ClientFactory | None]) -> None:
    """``GET /readyz`` on ``app``, checking GitHub through the app's clients once they exist."""

    async def probe() -> Verdict:
        factory = clients()
        if factory is None:
            return STARTING
        return await check_app(factory, with_token=False)

    app[READINESS] = Readiness(probe)
    app.router.add_get("/readyz", readyz)

    async def close(app: web.Application) -> None:
        await app[READINESS].close()

    app.on_cleanup.append(close)


async def readyz(request: web.Request) -> web.Response:
    readiness = request.app[READINESS]
    found = await readiness.current()
    body = {
        "status": "ready" if found.ready else "not ready",
        "reason": found.reason,
        "checked_seconds_ago": None if readiness.verdict is None else round(readiness.age(), 1),
    }
    return web.json_response(body, status=200 if found.ready else 503)


def check_github(settings: Settings, clock: Clock = system_clock) -> str:
    """The start-up check: what GitHub accepted, or a ``StartupError`` saying what to fix."""
    found = asyncio.run(ask_github(settings, clock))
    if not found.ready:
        raise StartupError(found.reason)
    return found.reason


async def ask_github(settings: Settings, clock: Clock = system_clock) -> Verdict:
    """The start-up check's verdict, on a session of its own (the app's opens later)."""
    async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as session:
        auth = AppAuth(settings.app_id, settings.private_key, clock=epoch_seconds(clock))
        clients = ClientFactory(session, auth, base_url=settings.api_url, clock=clock)
        return await check_app(clients, with_token=True, budget=STARTUP_BUDGET_SECONDS)
