"""Asking GitHub (the simulator) whether it takes the credentials: each way it can say no, and
each way it can fail to answer, seen as the observation the policy words."""

from __future__ import annotations

import http
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import gidgethub
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import epoch_seconds
from bot.github import probe
from bot.github.auth import AppAuth
from bot.github.client import ClientFactory
from bot.github.probe import check_app, check_token, observed, until_settled
from bot.policy.credentials import NotTheApi, Verdict
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import installation_token

REPO = "octo-org/rfcs"


class Naps:
    """A stand-in for ``asyncio.sleep`` that only notes how long it was asked to wait."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


def clients_for(
    sim: Simulator,
    session: aiohttp.ClientSession,
    *,
    app_id: str | None = None,
    key: str | None = None,
    base_url: str | None = None,
) -> ClientFactory:
    auth = AppAuth(
        app_id or sim.app_id, key or sim.private_key_pem, clock=epoch_seconds(sim.clock.now)
    )
    return ClientFactory(session, auth, base_url=base_url or sim.base_url, clock=sim.clock.now)


def closed_port() -> int:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        return int(holder.getsockname()[1])


async def test_the_app_is_accepted_and_gets_a_token(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    found = await check_app(clients_for(sim, session), with_token=True)
    assert found == Verdict(
        True, "App rfc-bot (id 4242), a token for its installation on octo-org issued"
    )
    assert [(r.method, r.path) for r in sim.requests] == [
        ("GET", "/app"),
        ("GET", "/app/installations"),
        ("POST", f"/app/installations/{repo.installation_id}/access_tokens"),
    ]


async def test_readiness_asks_get_app_alone(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    found = await check_app(clients_for(sim, session), with_token=False)
    assert found == Verdict(True, "App rfc-bot (id 4242)")
    assert [r.path for r in sim.requests] == ["/app"]


async def test_an_app_installed_nowhere_is_accepted(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    found = await check_app(clients_for(sim, session), with_token=True)
    assert found.ready and found.reason.endswith("not installed anywhere yet")


async def test_a_wrong_key_is_refused(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession, private_key_pem: str
) -> None:
    found = await check_app(clients_for(sim, session, key=private_key_pem), with_token=True)
    assert not found.ready and not found.transient
    assert found.reason.startswith(
        "GITHUB_APP_ID 4242 and the private key do not belong together: GitHub answered 401 "
        "A JSON web token could not be decoded to GET /app;"
    )


async def test_a_wrong_app_id_is_refused(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    found = await check_app(clients_for(sim, session, app_id="999"), with_token=True)
    assert found.reason.startswith("GITHUB_APP_ID 999 and the private key do not belong together")


async def test_a_suspended_installation_is_skipped_for_another(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    other = sim.create_repo("other-org/rfcs", files={"README.md": "# RFCs\n"})
    sim.suspend_installation(repo)
    found = await check_app(clients_for(sim, session), with_token=True)
    assert found.ready and found.reason.endswith("installation on other-org issued")
    sim.suspend_installation(other)
    found = await check_app(clients_for(sim, session), with_token=True)
    assert not found.ready and not found.transient
    assert found.reason.startswith(
        f"the App's installation on octo-org (id {repo.installation_id}) (and its 1 other "
        "installations) is suspended"
    )


async def test_a_suspension_between_the_listing_and_the_token_is_named(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    sim.before("POST", r"/access_tokens$", lambda *_: sim.suspend_installation(repo))
    found = await check_app(clients_for(sim, session), with_token=True)
    assert found.reason.startswith(
        "the App's installation is suspended (403 This installation has been suspended)"
    )


async def test_5xx_is_asked_again_within_the_budget(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    sim.fail("GET", r"^/app$", 502, times=2)
    naps = Naps()
    found = await check_app(clients_for(sim, session), with_token=True, budget=10, sleep=naps)
    assert found.ready
    assert naps.taken == [0.5, 1.0]
    assert [r.status for r in sim.requests if r.path == "/app"] == [502, 502, 200]


async def test_5xx_past_the_budget_is_the_verdict(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    sim.fail("GET", r"^/app$", 503, times=100)
    found = await check_app(clients_for(sim, session), with_token=True, budget=0)
    assert not found.ready and found.transient
    assert "answers 503 Service Unavailable to GET /app; it may be down" in found.reason
    assert len([r for r in sim.requests if r.path == "/app"]) == 1  # no retry in the client


async def test_a_closed_port_is_a_refused_connection(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    found = await check_app(clients_for(sim, session, base_url=url), with_token=True)
    assert found.transient
    assert found.reason.startswith(f"GITHUB_API_URL {url} cannot be reached: 127.0.0.1:")


async def test_a_name_that_does_not_resolve(sim: Simulator, session: aiohttp.ClientSession) -> None:
    url = "http://no-such-host.invalid/api/v3"
    found = await check_app(clients_for(sim, session, base_url=url), with_token=True)
    assert not found.transient
    assert "the name no-such-host.invalid does not resolve" in found.reason


async def test_https_to_a_plain_http_server_is_a_tls_failure(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    url = sim.base_url.replace("http://", "https://")
    found = await check_app(clients_for(sim, session, base_url=url), with_token=True)
    assert "the TLS handshake failed" in found.reason and not found.transient


async def test_no_answer_in_time_is_a_timeout(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe, "ATTEMPT_SECONDS", 0.3)
    sim.time_out("GET", r"^/app$", times=2)
    found = await check_app(clients_for(sim, session), with_token=False)
    assert found.transient and "did not answer in time" in found.reason


@pytest.fixture
async def web_page() -> AsyncIterator[str]:
    """A web server that is not GitHub's API: every path answers an HTML page."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>Sign in</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    server = TestServer(app)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def test_a_web_page_is_not_the_api(
    sim: Simulator, session: aiohttp.ClientSession, web_page: str
) -> None:
    found = await check_app(clients_for(sim, session, base_url=web_page), with_token=True)
    assert found.reason.startswith(
        f"GITHUB_API_URL {web_page} is not GitHub's REST API: GET /app answered a page that is "
        "not JSON;"
    )
    token = await check_token(
        session,
        api_url=web_page,
        token="t",
        repository=REPO,
        wall_clock=epoch_seconds(sim.clock.now),
    )
    assert f"GET /repos/{REPO} answered a page that is not JSON" in token.reason


async def test_the_workflow_token(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    assert repo.installation_id is not None
    live = await installation_token(sim, repo.installation_id)

    async def check(token: str, repository: str = REPO) -> Verdict:
        return await check_token(
            session,
            api_url=sim.base_url,
            token=token,
            repository=repository,
            wall_clock=epoch_seconds(sim.clock.now),
        )

    assert await check(live) == Verdict(True, f"the token reads {REPO}")
    refused = await check("ghs_forged")
    assert refused.reason.startswith("GITHUB_TOKEN is not accepted by GitHub at http://")
    blind = await check(live, "octo-org/missing")
    assert blind.reason.startswith("GITHUB_TOKEN cannot read GITHUB_REPOSITORY octo-org/missing")


async def test_until_settled_stops_at_the_first_verdict_that_will_not_pass() -> None:
    verdicts = iter(
        [Verdict(False, "5xx", transient=True), Verdict(False, "bad key"), Verdict(True, "ok")]
    )
    naps = Naps()

    async def attempt() -> Verdict:
        return next(verdicts)

    assert await until_settled(attempt, 60, sleep=naps) == Verdict(False, "bad key")
    assert naps.taken == [0.5]


async def test_until_settled_backs_off_and_keeps_its_budget() -> None:
    now = [0.0]
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    async def attempt() -> Verdict:
        return Verdict(False, "down", transient=True)

    found = await until_settled(attempt, 10, sleep=sleep, clock=lambda: now[0])
    assert found == Verdict(False, "down", transient=True)
    assert naps == [0.5, 1.0, 2.0, 4.0]  # the next 4 s would pass the 10 s budget


def test_an_error_that_is_no_answer_is_a_bug_and_raised() -> None:
    with pytest.raises(KeyError):
        observed(KeyError("x"), "app")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (aiohttp.ServerDisconnectedError(), "connection"),
        (TimeoutError(), "timeout"),
    ],
)
def test_other_transport_failures(error: Exception, kind: str) -> None:
    seen: Any = observed(error, "app")
    assert seen.kind == kind


class Fake:
    """A server that answers each path with the JSON (or text) a test gives it."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], web.Response] = {}

    def answer(self, method: str, path: str, body: Any, status: int = 200) -> None:
        if isinstance(body, str):
            self.answers[method, path] = web.Response(text=body, status=status)
        else:
            self.answers[method, path] = web.json_response(body, status=status)

    async def handle(self, request: web.Request) -> web.Response:
        found = self.answers.get((request.method, request.path))
        return found if found is not None else web.json_response({}, status=404)


@pytest.fixture
async def fake() -> AsyncIterator[tuple[Fake, str]]:
    answers = Fake()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answers.handle)
    server = TestServer(app)
    await server.start_server()
    yield answers, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.mark.parametrize(
    ("listing", "token", "said"),
    [
        ({"installations": []}, None, "GET /app/installations answered JSON of another shape"),
        (
            [{"id": 7, "account": {"login": "octo-org"}}],
            {"unexpected": True},
            "answered unexpected access token response for installation 7",
        ),
    ],
)
async def test_answers_of_the_wrong_shape_are_not_the_api(
    sim: Simulator,
    session: aiohttp.ClientSession,
    fake: tuple[Fake, str],
    listing: Any,
    token: Any,
    said: str,
) -> None:
    answers, url = fake
    answers.answer("GET", "/app", {"id": 1, "slug": "x"})
    answers.answer("GET", "/app/installations", listing)
    answers.answer("POST", "/app/installations/7/access_tokens", token, status=201)
    found = await check_app(clients_for(sim, session, base_url=url), with_token=True)
    assert said in found.reason and "is not GitHub's REST API" in found.reason


@pytest.mark.parametrize(
    ("body", "shape"), [("", "an empty body"), ([], "JSON of another shape (list)")]
)
async def test_a_repository_of_the_wrong_shape(
    sim: Simulator, session: aiohttp.ClientSession, fake: tuple[Fake, str], body: Any, shape: str
) -> None:
    answers, url = fake
    answers.answer("GET", f"/repos/{REPO}", body)
    found = await check_token(
        session, api_url=url, token="t", repository=REPO, wall_clock=epoch_seconds(sim.clock.now)
    )
    assert f"GET /repos/{REPO} answered {shape}" in found.reason


def test_a_redirect_and_a_broken_json_body_are_not_the_api() -> None:
    moved = observed(gidgethub.RedirectionException(http.HTTPStatus(304)), "app")
    assert moved == NotTheApi("app", "a redirect (304)")
    assert observed(ValueError("Expecting value"), "token") == NotTheApi(
        "token", "a body that is not JSON"
    )


def test_a_connection_that_fails_another_way() -> None:
    key: Any = SimpleNamespace(host="ghe.example.com", port=443, ssl=True)
    error = aiohttp.ClientConnectorError(key, OSError(113, "No route to host"))
    seen: Any = observed(error, "app")
    assert (seen.kind, seen.detail) == ("connection", "[Errno 113] No route to host")
