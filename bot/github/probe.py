"""Asking GitHub whether it takes the credentials: the App's (``rfc-bot serve``) or a
workflow's token (``rfc-bot action``). What each request shows becomes an observation, and
``bot.policy.credentials`` turns it into a verdict with its one-line reason.

The App's probe is ``GET /app`` with the App's JWT: it proves the App id and the key belong
together, and is not counted against any installation's rate limit (a JWT request spends
the App's own budget). At start-up it also lists the App's installations (one page) and asks
for one installation token, which proves the App may act where it is installed. A
workflow's token is probed with ``GET /repos/{repository}``, the first thing the Action reads.

Each attempt makes single requests (no retries inside the client); ``until_settled`` retries
the whole probe while the verdict is transient, within a time budget.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import gidgethub

from bot.clock import EpochClock
from bot.github.auth import AppAuth, AuthError
from bot.github.client import ClientFactory, GitHubClient
from bot.policy.credentials import (
    Accepted,
    AllSuspended,
    Installation,
    NotTheApi,
    Observation,
    Refused,
    Step,
    Target,
    Unreachable,
    Verdict,
    installation_to_try,
    verdict,
)

ATTEMPT_SECONDS = 5.0  # one probe's requests, together
STARTUP_BUDGET_SECONDS = 10.0  # how long start-up keeps asking while the verdict is transient
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)

Sleep = Callable[[float], Awaitable[None]]


async def check_app(
    clients: ClientFactory,
    *,
    with_token: bool,
    budget: float = 0.0,
    sleep: Sleep = asyncio.sleep,
) -> Verdict:
    """Whether GitHub takes the App's credentials (``with_token``: and gets a token for one
    of its installations), asking again while the verdict is transient, for ``budget`` s."""
    target = Target(clients.base_url, app_id=clients.auth.app_id)

    async def attempt() -> Verdict:
        gh = clients.app_client(deadline=time.monotonic() + ATTEMPT_SECONDS, max_attempts=1)
        return verdict(await observe_app(gh, clients.auth, with_token=with_token), target)

    return await until_settled(attempt, budget, sleep=sleep)


async def check_token(
    session: aiohttp.ClientSession,
    *,
    api_url: str,
    token: str,
    repository: str,
    wall_clock: EpochClock,
    budget: float = 0.0,
    sleep: Sleep = asyncio.sleep,
) -> Verdict:
    """Whether GitHub at ``api_url`` takes ``token`` and lets it read ``repository``."""
    target = Target(api_url, repository=repository)

    async def attempt() -> Verdict:
        gh = GitHubClient(
            session,
            base_url=api_url,
            oauth_token=token,
            wall_clock=wall_clock,
            deadline=time.monotonic() + ATTEMPT_SECONDS,
            max_attempts=1,
        )
        return verdict(await observe_repository(gh, repository), target)

    return await until_settled(attempt, budget, sleep=sleep)


async def until_settled(
    attempt: Callable[[], Awaitable[Verdict]],
    budget: float,
    *,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Verdict:
    """``attempt()`` until its verdict is not transient or ``budget`` seconds would pass."""
    deadline = clock() + budget
    tries = 0
    while True:
        found = await attempt()
        pause = BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS) - 1)]
        if found.ready or not found.transient or clock() + pause >= deadline:
            return found
        tries += 1
        await sleep(pause)


async def observe_app(gh: GitHubClient, auth: AppAuth, *, with_token: bool) -> Observation:
    """``GET /app``; with ``with_token``, one page of installations and a token for the
    first that is not suspended."""
    step: Step = "app"
    try:
        app = await gh.getitem("/app", jwt=auth.jwt())
        if not isinstance(app, dict) or "id" not in app:
            return NotTheApi(step, _shape(app))
        summary = f"App {app.get('slug') or app['id']} (id {app['id']})"
        if not with_token:
            return Accepted(summary)
        step = "installations"
        listed = await gh.getitem(
            "/app/installations{?per_page}", {"per_page": 100}, jwt=auth.jwt()
        )
        if not isinstance(listed, list):
            return NotTheApi(step, _shape(listed))
        installations = [_installation(item) for item in listed if isinstance(item, dict)]
        chosen = installation_to_try(installations)
        if chosen is None:
            return Accepted(f"{summary}, not installed anywhere yet")
        if isinstance(chosen, AllSuspended):
            return chosen
        step = "token"
        await auth.installation_token(gh, chosen.id)
        return Accepted(f"{summary}, a token for its installation on {chosen.account} issued")
    except AuthError as error:
        return NotTheApi(step, str(error))
    except Exception as error:
        return observed(error, step)


async def observe_repository(gh: GitHubClient, repository: str) -> Observation:
    """``GET /repos/{repository}`` with ``gh``'s token."""
    try:
        repo = await gh.getitem(f"/repos/{repository}")
    except Exception as error:
        return observed(error, "repository")
    if not isinstance(repo, dict) or "full_name" not in repo:
        return NotTheApi("repository", _shape(repo))
    return Accepted(f"the token reads {repo['full_name']}")


def observed(error: Exception, step: Step) -> Observation:
    """What a failed request shows: GitHub's answer, or why there was none. Errors that are
    neither (a bug) are raised again."""
    if isinstance(error, gidgethub.HTTPException) and int(error.status_code) >= 400:
        return Refused(step, int(error.status_code), str(error))
    if isinstance(error, gidgethub.RedirectionException):
        return NotTheApi(step, f"a redirect ({int(error.status_code)})")
    if isinstance(error, TimeoutError):
        return Unreachable("timeout", "no answer in time")
    if isinstance(error, aiohttp.ClientSSLError):
        return Unreachable("tls", str(error))
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
        if isinstance(cause, socket.gaierror):
            return Unreachable("dns", cause.strerror or str(cause))
        if isinstance(cause, ConnectionRefusedError):
            return Unreachable("refused", str(cause))
        return Unreachable("connection", str(cause))
    if isinstance(error, aiohttp.ClientError):
        return Unreachable("connection", str(error) or type(error).__name__)
    if isinstance(error, ValueError):  # a body that claims to be JSON and is not
        return NotTheApi(step, "a body that is not JSON")
    raise error


def _installation(item: dict[str, Any]) -> Installation:
    account = item.get("account")
    login = account.get("login") if isinstance(account, dict) else None
    return Installation(
        id=int(item.get("id") or 0),
        account=str(login or "an account"),
        suspended=item.get("suspended_at") is not None,
    )


def _shape(body: Any) -> str:
    """What came back instead of GitHub's JSON, in a few words (never the body itself)."""
    if isinstance(body, str):
        return "a page that is not JSON" if body.strip() else "an empty body"
    if body is None:
        return "an empty body"
    return f"JSON of another shape ({type(body).__name__})"
