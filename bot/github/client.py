"""The retrying GitHub REST client every handler talks through.

``GitHubClient`` is gidgethub's aiohttp ``GitHubAPI`` with the edges GitHub asks for:
an API version header, per-request timeouts, retries with full-jitter backoff on 5xx,
timeouts and connection errors, waiting out primary and secondary rate limits, and a
deadline per event past which it fails fast. Retries are decided in ``_request`` from the
raw status and headers, before gidgethub turns a response into an exception.

A request is retried for as long as its time allows, not a fixed number of times: until the
event's deadline less ``RESERVE_SECONDS`` (kept for the handler's last writes, such as the
reply that says a command failed; a request begun inside the reserve may use it), and never
longer than ``RETRY_WINDOW_SECONDS``. A POST that creates is not re-sent: its answer may be
lost after GitHub applied it (``bot.github.once`` looks for it first).
"""

from __future__ import annotations

import asyncio
import http
import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import gidgethub
from gidgethub.aiohttp import GitHubAPI

from bot import __version__
from bot.clock import Clock, EpochClock, epoch_seconds
from bot.github.auth import AppAuth
from bot.github.budget import RateBudget

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = f"rfc-bot/{__version__}"
# How long one request is retried at most (a transient fault of GitHub lasts seconds).
RETRY_WINDOW_SECONDS = 60.0
# A person at a terminal (the CLI): a quick one-line failure serves better than a minute of
# retries against an address that does not answer.
INTERACTIVE_ATTEMPTS = 3
# The end of an event's time budget that a request begun earlier leaves to later ones.
RESERVE_SECONDS = 10.0
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
# GitHub: without Retry-After, wait at least a minute after a secondary rate limit.
SECONDARY_LIMIT_DEFAULT_SECONDS = 60.0
# A request that timed out or answered 5xx may have been applied. Idempotent methods are
# re-sent; so are POSTs whose repetition changes nothing (a label that exists, a reaction
# given twice, content-addressed git objects). What creates anew is never re-sent here: a
# comment, a check run, a commit by the contents API (sent again it would answer 409, the
# file having changed: by us). Its caller looks for what it may have made first
# (``bot.github.once``).
_NOT_RESENT = frozenset(
    {
        ("POST", "/repos/{owner}/{repo}/issues/{id}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues"),  # a tracking issue: found before made again
        ("POST", "/repos/{owner}/{repo}/check-runs"),
        ("PUT", "/repos/{owner}/{repo}/contents/{path}"),
    }
)

TokenSource = Callable[[], Awaitable[str]]
# Told which token GitHub refused with a 401, so the next ``TokenSource`` call fetches anew.
TokenRefused = Callable[[str], None]
# Told of every answer: (method, route template, status); the reconciler counts its cost.
ResponseObserver = Callable[[str, str, int], None]


class ClientMetrics(Protocol):
    """What the client counts: calls, retries and the rate limit left (per installation when
    it knows one). The runtime's ``Metrics`` is one; the client does not import the runtime."""

    def count_api_call(self, method: str, route: str, status: str) -> None: ...

    def count_api_retry(self, route: str, reason: str) -> None: ...

    def observe_rate_limit(self, installation_id: int | None, remaining: float) -> None: ...


@dataclass(frozen=True)
class Waiting:
    """How the App waits: the monotonic clock its deadlines are read on, and its sleep. Tests
    pass one that takes no real time (``sandbox.harness``); a deadline is a ``monotonic()``
    value of the same ``Waiting``."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def deadline(self, seconds: float) -> float:
        return self.monotonic() + seconds


class DeadlineExceeded(gidgethub.GitHubException, TimeoutError):
    """The event's time budget ran out before (or while) talking to GitHub."""


class RateLimited(gidgethub.BadRequest):
    """GitHub's rate limit would only lift after this event's budget is spent."""


class GitHubClient(GitHubAPI):
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str = "https://api.github.com",
        oauth_token: str | None = None,
        token_source: TokenSource | None = None,
        token_refused: TokenRefused | None = None,
        metrics: ClientMetrics | None = None,
        request_timeout: float = 10.0,
        deadline: float | None = None,
        max_attempts: int | None = None,
        retry_window: float = RETRY_WINDOW_SECONDS,
        reserve: float = RESERVE_SECONDS,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rand: Callable[[], float] = random.random,
        wall_clock: EpochClock,
        clock: Callable[[], float] = time.monotonic,
        cache: MutableMapping[str, Any] | None = None,
        observer: ResponseObserver | None = None,
        installation_id: int | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        """``wall_clock`` is the App's clock in epoch seconds (rate-limit resets are dates);
        ``deadline`` is a monotonic ``clock()`` value; ``token_source`` yields the token lazily and
        ``token_refused`` drops a token GitHub answered 401 to (revoked or expired early).
        ``max_attempts`` caps the attempts of one request (None: its time alone bounds them).
        With a ``cache`` (URL -> ETag and body), GETs are conditional: gidgethub sends
        ``If-None-Match`` and reuses the cached body on a 304."""
        super().__init__(
            session, USER_AGENT, oauth_token=oauth_token, base_url=base_url, cache=cache
        )
        self.observer = observer
        self.installation_id = installation_id
        self._token_source = token_source
        self._token_refused = token_refused
        self.metrics = metrics
        self.request_timeout = request_timeout
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.retry_window = retry_window
        self.reserve = reserve
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._wall_clock = wall_clock
        self.budget = budget

    def budget_low(self) -> bool:
        """Few requests left for this client's installation (see ``bot.github.budget``)."""
        return self.budget is not None and self.budget.low(self.installation_id)

    async def sleep(self, seconds: float) -> None:
        if self._sleep is not None:
            await self._sleep(seconds)
        else:
            await super().sleep(seconds)

    async def _make_request(  # type: ignore[override]  # forwards gidgethub's keywords as-is
        self,
        method: str,
        url: str,
        url_vars: Any,
        data: Any,
        accept: str,
        jwt: str | None = None,
        oauth_token: str | None = None,
        **kwargs: Any,
    ) -> tuple[bytes, str | None, int]:
        if jwt is not None or oauth_token is not None or self._token_source is None:
            return await super()._make_request(
                method, url, url_vars, data, accept, jwt=jwt, oauth_token=oauth_token, **kwargs
            )
        # The installation token is fetched only when a request is actually made.
        token = await self._token_source()
        try:
            return await super()._make_request(
                method, url, url_vars, data, accept, oauth_token=token, **kwargs
            )
        except gidgethub.BadRequest as error:
            if error.status_code != 401 or self._token_refused is None:
                raise
        # GitHub no longer takes the cached token (revoked, or expired before its stated
        # time): nothing was applied, so once with a fresh token is safe for any method.
        log.info("installation token refused on %s %s; retrying with a new one", method, url)
        self._token_refused(token)
        return await super()._make_request(
            method, url, url_vars, data, accept, oauth_token=await self._token_source(), **kwargs
        )

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        headers = {**headers, "x-github-api-version": API_VERSION}
        route = route_template(url, self.base_url)
        until = self.retry_deadline()  # for faults
        limit_until = self.retry_deadline(window=False)  # for rate limits, which say when
        attempt = 0
        while True:
            attempt += 1
            timeout = self._attempt_timeout(method, route)
            try:
                response = await self._send(method, url, headers, body, timeout)
            except (TimeoutError, aiohttp.ClientError) as error:
                self._count(method, route, "error")
                backoff = self._backoff(attempt)
                if (
                    self._attempts_spent(attempt)
                    or not _retryable_error(method, route, error)
                    or not self._fits(backoff, until)
                ):
                    raise
                await self._retry(route, _error_reason(error), backoff)
                continue
            status, response_headers, data = response
            self._count(method, route, str(status))
            if self.observer is not None:
                self.observer(method, route, status)
            self._observe_rate_limit(response_headers)
            wait = self._wait_for(status, response_headers, data, attempt)
            if wait is None or self._attempts_spent(attempt):
                return response
            if wait[0] == "server_error" and not _resendable(method, route):
                return response
            reason, seconds = wait
            if not self._fits(seconds, until if reason == "server_error" else limit_until):
                if reason == "server_error":
                    return response
                raise RateLimited(
                    http.HTTPStatus(status),
                    f"GitHub rate limit on {method} {route}: it lifts in {seconds:.0f} s, "
                    "after this event's time budget",
                    headers=response_headers,
                )
            await self._retry(route, reason, seconds)

    def retry_deadline(self, *, window: bool = True) -> float:
        """Until when a request (or a create-once loop) starting now may be retried: the
        event's deadline less the reserve (all of it for one begun inside the reserve), and,
        with ``window``, at most ``retry_window`` from now."""
        now = self._clock()
        until = now + self.retry_window if window else math.inf
        if self.deadline is None:
            return until
        reserve_starts = self.deadline - self.reserve
        return min(until, reserve_starts if now < reserve_starts else self.deadline)

    async def pause(self, route: str, attempt: int, until: float) -> bool:
        """Back off before attempt ``attempt + 1`` of a caller's own retry loop (see
        ``create_once``); False, without waiting, when that would pass ``until``."""
        backoff = self._backoff(attempt)
        if self._attempts_spent(attempt) or not self._fits(backoff, until):
            return False
        await self._retry(route, "answer_lost", backoff)
        return True

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, timeout: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        async with self._session.request(
            method,
            url,
            headers=headers,
            data=body,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            return response.status, response.headers, await response.read()

    def _attempt_timeout(self, method: str, route: str) -> float:
        if self.deadline is None:
            return self.request_timeout
        left = self.deadline - self._clock()
        if left <= 0:
            raise DeadlineExceeded(f"event time budget spent before {method} {route}")
        return min(self.request_timeout, left)

    def _fits(self, seconds: float, until: float) -> bool:
        return self._clock() + seconds < until

    def _attempts_spent(self, attempt: int) -> bool:
        return self.max_attempts is not None and attempt >= self.max_attempts

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1)))."""
        ceiling = BACKOFF_BASE_SECONDS * 2 ** min(attempt - 1, 16)
        return self._rand() * min(BACKOFF_CAP_SECONDS, ceiling)

    def _wait_for(
        self, status: int, headers: Mapping[str, str], body: bytes, attempt: int
    ) -> tuple[str, float] | None:
        """(reason, seconds to wait) when the response should be retried, else None."""
        if status >= 500:
            return "server_error", self._backoff(attempt)
        if status not in (403, 429):
            return None
        retry_after = _float(headers.get("retry-after"))
        if retry_after is not None:
            return "secondary_rate_limit", max(retry_after, 0.0)
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _float(headers.get("x-ratelimit-reset"))
            if reset is not None:
                return "primary_rate_limit", max(reset - self._wall_clock(), 0.0) + 1.0
        if status == 429 or b"secondary rate limit" in body.lower():
            return "secondary_rate_limit", SECONDARY_LIMIT_DEFAULT_SECONDS * 2 ** (attempt - 1)
        return None  # a plain 403: permission denied

    async def _retry(self, route: str, reason: str, seconds: float) -> None:
        if self.metrics is not None:
            self.metrics.count_api_retry(route, reason)
        await self.sleep(seconds)

    def _count(self, method: str, route: str, status: str) -> None:
        if self.metrics is not None:
            self.metrics.count_api_call(method, route, status)

    def _observe_rate_limit(self, headers: Mapping[str, str]) -> None:
        remaining = _float(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        if self.metrics is not None:
            self.metrics.observe_rate_limit(self.installation_id, remaining)
        if self.budget is not None and self.installation_id is not None:
            self.budget.observe(
                self.installation_id, remaining, _float(headers.get("x-ratelimit-reset"))
            )


def installation_of(gh: object) -> int | None:
    """The installation a client acts as (None: the App itself, or another kind of client)."""
    return gh.installation_id if isinstance(gh, GitHubClient) else None


def _resendable(method: str, route: str) -> bool:
    return (method, route) not in _NOT_RESENT


def _retryable_error(method: str, route: str, error: BaseException) -> bool:
    # Nothing was sent when the connection could not be made; retrying is always safe.
    return _resendable(method, route) or isinstance(error, aiohttp.ClientConnectorError)


def _error_reason(error: BaseException) -> str:
    return "timeout" if isinstance(error, TimeoutError) else "connection_error"


def _float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


# After these segments come names chosen by users: replaced so the label set stays small.
_NAMES: dict[str, tuple[str, ...]] = {
    "repos": ("{owner}", "{repo}"),
    "users": ("{user}",),
    "orgs": ("{org}",),
    "collaborators": ("{user}",),
    "labels": ("{name}",),
    "teams": ("{team}",),
    "members": ("{user}",),
    "memberships": ("{user}",),
}
# After these segments the whole rest is a file path, ref or branch name.
_REST = {
    "contents": "{path}",
    "ref": "{ref}",
    "refs": "{ref}",
    "matching-refs": "{ref}",
    "branches": "{branch}",
}
_ID = re.compile(r"[0-9]+|[0-9a-f]{40}")


def route_template(url: str, base_url: str = "") -> str:
    """A low-cardinality label for a request: ``/repos/{owner}/{repo}/pulls/{id}/files``."""
    path = url[len(base_url) :] if base_url and url.startswith(base_url) else url
    path = path.split("?", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    parts = [p for p in path.split("/") if p]
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        out.append("{id}" if _ID.fullmatch(part) else part)
        if part in _REST:
            if i + 1 < len(parts):
                out.append(_REST[part])
            break
        names = _NAMES.get(part, ())
        taken = parts[i + 1 : i + 1 + len(names)]
        out.extend(names[: len(taken)])
        i += 1 + len(taken)
    return "/" + "/".join(out)


class ClientFactory:
    """Builds GitHub clients for the App and its installations from one session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AppAuth,
        *,
        base_url: str,
        clock: Clock,
        metrics: ClientMetrics | None = None,
        request_timeout: float = 10.0,
        budget: RateBudget | None = None,
        waiting: Waiting | None = None,
    ) -> None:
        """``waiting``: the monotonic clock deadlines are read on and the sleep between
        attempts (the real ones unless a test passes others)."""
        self.session = session
        self.waiting = waiting or Waiting()
        self.wall_clock = epoch_seconds(clock)
        self.budget = budget or RateBudget(wall_clock=self.wall_clock)
        self.auth = auth
        self.base_url = base_url
        self.metrics = metrics
        self.request_timeout = request_timeout

    def _client(
        self,
        deadline: float | None,
        token_source: TokenSource | None,
        token_refused: TokenRefused | None = None,
        **extra: Any,
    ) -> GitHubClient:
        return GitHubClient(
            self.session,
            base_url=self.base_url,
            token_source=token_source,
            token_refused=token_refused,
            metrics=self.metrics,
            request_timeout=self.request_timeout,
            deadline=deadline,
            budget=self.budget,
            wall_clock=self.wall_clock,
            clock=self.waiting.monotonic,
            sleep=self.waiting.sleep,
            **extra,
        )

    def app_client(self, deadline: float | None = None, **extra: Any) -> GitHubClient:
        """A client for App-level calls (pass ``jwt=factory.auth.jwt()`` per request);
        ``extra``: ``cache``, ``observer`` (see ``GitHubClient``)."""
        return self._client(deadline, None, **extra)

    def installation_client(
        self, installation_id: int, deadline: float | None = None, **extra: Any
    ) -> GitHubClient:
        """A client acting as the installation; the token is fetched on first use.

        One client per delivery, not cached: it carries the delivery's deadline. It fetches
        its own token too (that request is signed with the App's JWT, which bypasses the
        token source), so no second, App-level client is built.
        """
        auth = self.auth
        client: GitHubClient

        async def token() -> str:
            return await auth.installation_token(client, installation_id)

        def refused(token: str) -> None:
            auth.forget(installation_id, token)

        client = self._client(deadline, token, refused, installation_id=installation_id, **extra)
        return client
