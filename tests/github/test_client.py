from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import gidgethub
import pytest
from aiohttp import web
from hypothesis import example, given
from hypothesis import strategies as st
from multidict import CIMultiDict

from bot.github.client import (
    API_VERSION,
    BACKOFF_CAP_SECONDS,
    RETRY_WINDOW_SECONDS,
    USER_AGENT,
    DeadlineExceeded,
    GitHubClient,
    RateLimited,
    route_template,
)
from bot.serve.metrics import Metrics

WALL_NOW = 1_700_000_000.0


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = field(default_factory=lambda: {"ok": True})
    delay: float = 0.0


class ScriptedGitHub:
    """A loopback server answering each request with the next scripted reply."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[tuple[str, str, CIMultiDict[str]]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path_qs, request.headers.copy()))
        reply = self.script.pop(0) if self.script else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return web.Response(
            status=reply.status,
            headers=reply.headers,
            text=json.dumps(reply.body),
            content_type="application/json",
        )


@pytest.fixture
async def github() -> AsyncIterator[ScriptedGitHub]:
    server = ScriptedGitHub()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


class Sleeps(list[float]):
    """The client's sleep and monotonic clock: each sleep is noted and moves the clock."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 1_000.0

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def make_client(
    session: aiohttp.ClientSession, base_url: str, sleeps: Sleeps, **kwargs: Any
) -> GitHubClient:
    return GitHubClient(
        session,
        base_url=base_url,
        sleep=sleeps,
        clock=sleeps.clock,
        rand=lambda: 0.5,
        wall_clock=lambda: WALL_NOW,
        **kwargs,
    )


async def test_headers_and_lazy_token(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    calls: list[int] = []

    async def token() -> str:
        calls.append(1)
        return "ghs_abc"

    gh = make_client(session, github.url, Sleeps(), token_source=token)
    assert calls == []  # no request yet, so no token
    assert await gh.getitem("/repos/o/r") == {"ok": True}
    _, path, headers = github.requests[0]
    assert path == "/repos/o/r"
    assert headers["X-GitHub-Api-Version"] == API_VERSION
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Authorization"] == "token ghs_abc"
    assert calls == [1]


async def test_retries_502_then_succeeds(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(502, body={"message": "Server Error"}), Reply(200)]
    metrics = Metrics()
    sleeps = Sleeps()
    gh = make_client(session, github.url, sleeps, metrics=metrics)
    assert await gh.getitem("/repos/o/r/pulls/3") == {"ok": True}
    assert len(github.requests) == 2
    assert sleeps == [0.25]  # full jitter: rand 0.5 * base 0.5
    route = "/repos/{owner}/{repo}/pulls/{id}"
    calls = metrics.registry.get_sample_value
    assert (
        calls("rfcbot_github_api_calls_total", {"method": "GET", "route": route, "status": "502"})
        == 1
    )
    assert (
        calls("rfcbot_github_api_calls_total", {"method": "GET", "route": route, "status": "200"})
        == 1
    )
    assert calls("rfcbot_github_api_retries_total", {"route": route, "reason": "server_error"}) == 1


async def test_backoff_grows_exponentially(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(503), Reply(503), Reply(503), Reply(200)]
    sleeps = Sleeps()
    await make_client(session, github.url, sleeps).getitem("/x")
    assert sleeps == [0.25, 0.5, 1.0]


async def test_timeout_then_succeeds(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(delay=2.0), Reply(200)]
    sleeps = Sleeps()
    gh = make_client(session, github.url, sleeps, request_timeout=0.2)
    assert await gh.getitem("/repos/o/r") == {"ok": True}
    assert len(github.requests) == 2
    assert len(sleeps) == 1


async def test_post_not_resent_after_timeout(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(delay=2.0), Reply(201)]
    gh = make_client(session, github.url, Sleeps(), request_timeout=0.2)
    with pytest.raises(TimeoutError):
        await gh.post("/repos/o/r/issues/1/comments", data={"body": "hi"})
    assert len(github.requests) == 1


async def test_secondary_rate_limit_honours_retry_after(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [
        Reply(403, {"Retry-After": "7"}, {"message": "You have exceeded a secondary rate limit"}),
        Reply(200),
    ]
    sleeps = Sleeps()
    assert await make_client(session, github.url, sleeps).getitem("/x") == {"ok": True}
    assert sleeps == [7.0]


async def test_429_with_retry_after(github: ScriptedGitHub, session: aiohttp.ClientSession) -> None:
    github.script = [Reply(429, {"Retry-After": "3"}), Reply(200)]
    sleeps = Sleeps()
    await make_client(session, github.url, sleeps).getitem("/x")
    assert sleeps == [3.0]


async def test_secondary_rate_limit_message_without_header_waits_a_minute(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [
        Reply(403, body={"message": "You have exceeded a secondary rate limit."}),
        Reply(200),
    ]
    sleeps = Sleeps()
    await make_client(session, github.url, sleeps).getitem("/x")
    assert sleeps == [60.0]


async def test_primary_rate_limit_waits_until_reset(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    limited = {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(int(WALL_NOW + 30)),
    }
    github.script = [Reply(403, limited, {"message": "API rate limit exceeded"}), Reply(200)]
    sleeps = Sleeps()
    metrics = Metrics()
    await make_client(session, github.url, sleeps, metrics=metrics).getitem("/x")
    assert sleeps == [31.0]  # until the reset, plus a second of margin
    assert metrics.registry.get_sample_value("rfcbot_github_rate_limit_remaining") == 0


async def test_rate_limit_past_budget_gives_up_clearly(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    limited = {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-reset": str(int(WALL_NOW + 3000)),
    }
    github.script = [Reply(403, limited, {"message": "API rate limit exceeded"})]
    sleeps = Sleeps()
    gh = make_client(session, github.url, sleeps, deadline=sleeps.now + 60)
    with pytest.raises(RateLimited, match="rate limit on GET /x: it lifts in 3001 s"):
        await gh.getitem("/x")
    assert sleeps == []
    assert len(github.requests) == 1


async def test_plain_403_not_retried(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(403, body={"message": "Resource not accessible by integration"})]
    with pytest.raises(gidgethub.BadRequest, match="not accessible"):
        await make_client(session, github.url, Sleeps()).getitem("/x")
    assert len(github.requests) == 1


class Tokens:
    """A token source handing out ``ghs_1``, ``ghs_2``, ...; notes the tokens refused."""

    def __init__(self) -> None:
        self.issued = 0
        self.refused: list[str] = []

    async def __call__(self) -> str:
        self.issued += 1
        return f"ghs_{self.issued}"

    def refuse(self, token: str) -> None:
        self.refused.append(token)


async def test_refused_token_is_dropped_and_the_request_sent_once_more(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(401, body={"message": "Bad credentials"}), Reply(201)]
    tokens = Tokens()
    gh = make_client(
        session, github.url, Sleeps(), token_source=tokens, token_refused=tokens.refuse
    )
    assert await gh.post("/repos/o/r/check-runs", data={"name": "x"}) == {"ok": True}
    assert tokens.refused == ["ghs_1"]
    assert [headers["Authorization"] for _, _, headers in github.requests] == [
        "token ghs_1",
        "token ghs_2",
    ]


async def test_a_second_401_is_raised(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(401, body={"message": "Bad credentials"})] * 2
    tokens = Tokens()
    gh = make_client(
        session, github.url, Sleeps(), token_source=tokens, token_refused=tokens.refuse
    )
    with pytest.raises(gidgethub.BadRequest) as caught:
        await gh.getitem("/x")
    assert caught.value.status_code == 401
    assert len(github.requests) == 2
    assert tokens.refused == ["ghs_1"]


async def test_401_with_a_fixed_token_is_not_retried(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(401, body={"message": "Bad credentials"})]
    gh = make_client(session, github.url, Sleeps(), oauth_token="ghs_fixed")
    with pytest.raises(gidgethub.BadRequest):
        await gh.getitem("/x")
    assert len(github.requests) == 1


async def test_five_502s_in_a_row_are_outlasted(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(502, body={"message": "Server Error"})] * 5 + [Reply(200)]
    sleeps = Sleeps()
    assert await make_client(session, github.url, sleeps).getitem("/x") == {"ok": True}
    assert len(github.requests) == 6
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 4.0]  # full jitter (rand 0.5) under the 8 s cap


async def test_retries_stop_at_the_retry_window_with_the_last_error(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(502, body={"message": f"bad gateway {i}"}) for i in range(1, 100)]
    sleeps = Sleeps()
    with pytest.raises(gidgethub.GitHubBroken) as caught:
        await make_client(session, github.url, sleeps).getitem("/x")
    assert caught.value.status_code == 502
    tried = len(github.requests)
    assert f"bad gateway {tried}" in str(caught.value)
    assert sum(sleeps) < RETRY_WINDOW_SECONDS <= sum(sleeps) + sleeps[-1]
    assert tried == len(sleeps) + 1


async def test_retries_leave_the_reserve_at_the_end_of_the_deadline(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(502)] * 100
    sleeps = Sleeps()
    start = sleeps.now
    gh = make_client(session, github.url, sleeps, deadline=start + 30.0, reserve=10.0)
    with pytest.raises(gidgethub.GitHubBroken):
        await gh.getitem("/x")
    assert sleeps.now < start + 20.0 <= sleeps.now + 4.0  # stopped before the reserve
    before = len(github.requests)
    sleeps.now = start + 21.0
    # A request begun inside the reserve (the handler's last words) may use all of it.
    with pytest.raises(gidgethub.GitHubBroken):
        await gh.getitem("/y")
    assert len(github.requests) - before > 1
    assert sleeps.now < start + 30.0


async def test_max_attempts_still_caps_a_client_that_asks_for_it(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    github.script = [Reply(502)] * 5
    with pytest.raises(gidgethub.GitHubBroken):
        await make_client(session, github.url, Sleeps(), max_attempts=2).getitem("/x")
    assert len(github.requests) == 2


async def test_connection_errors_retried_then_raised(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    gh = make_client(session, f"http://127.0.0.1:{port}", sleeps)
    with pytest.raises(aiohttp.ClientConnectionError):
        await gh.post("/x", data={})  # nothing was sent, so even a POST is retried
    assert sum(sleeps) < RETRY_WINDOW_SECONDS <= sum(sleeps) + sleeps[-1]


async def test_deadline_passed_fails_fast(
    github: ScriptedGitHub, session: aiohttp.ClientSession
) -> None:
    sleeps = Sleeps()
    gh = make_client(session, github.url, sleeps, deadline=sleeps.now - 1)
    with pytest.raises(DeadlineExceeded):
        await gh.getitem("/x")
    assert github.requests == []


@pytest.mark.parametrize(
    ("url", "route"),
    [
        (
            "https://api.github.com/repos/o/r/pulls/5/files?per_page=100",
            "/repos/{owner}/{repo}/pulls/{id}/files",
        ),
        (
            "https://api.github.com/app/installations/12/access_tokens",
            "/app/installations/{id}/access_tokens",
        ),
        (
            "https://api.github.com/repos/o/r/issues/comments/9/reactions",
            "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
        ),
        (
            "https://api.github.com/repos/o/r/contents/rfcs/a.md?ref=main",
            "/repos/{owner}/{repo}/contents/{path}",
        ),
        (
            "https://api.github.com/repos/o/r/git/refs/heads/rfc/x",
            "/repos/{owner}/{repo}/git/refs/{ref}",
        ),
        (
            "https://api.github.com/repos/o/r/issues/5/labels/rfc: draft",
            "/repos/{owner}/{repo}/issues/{id}/labels/{name}",
        ),
        (
            "https://api.github.com/repos/o/r/commits/" + "a1" * 20 + "/check-runs",
            "/repos/{owner}/{repo}/commits/{id}/check-runs",
        ),
        (
            "https://api.github.com/repos/o/r/collaborators/alice/permission",
            "/repos/{owner}/{repo}/collaborators/{user}/permission",
        ),
    ],
)
def test_route_template(url: str, route: str) -> None:
    assert route_template(url, "https://api.github.com") == route


@given(st.integers(min_value=1, max_value=10**6), st.floats(min_value=0.0, max_value=0.999))
@example(attempt=1025, draw=0.5)  # 2**1024 overflowed a float: a minute of retries reaches it
def test_backoff_stays_under_its_cap_for_any_attempt(attempt: int, draw: float) -> None:
    gh = GitHubClient.__new__(GitHubClient)
    gh._rand = lambda: draw
    assert 0.0 <= gh._backoff(attempt) <= BACKOFF_CAP_SECONDS
