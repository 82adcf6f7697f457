"""The App's side of the OAuth web flow, against the simulator and against broken servers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import EpochClock, epoch_seconds
from bot.errors import UserError
from bot.github.client import GitHubClient
from bot.github.oauth import (
    SignInFailed,
    SignInRefused,
    authorize_url,
    exchange_code,
    signed_in_user,
    token_from,
    viewer_from,
)
from bot.values import Viewer
from sandbox.simulator import Simulator

CALLBACK = "http://127.0.0.1:8000/dashboard/callback"


def on_sim(sim: Any) -> EpochClock:
    """The App's clock in these tests: the simulator's (GitHub's)."""
    return epoch_seconds(sim.clock.now)


@pytest.fixture
def oauth_sim(sim: Simulator) -> Simulator:
    sim.set_callback_urls([CALLBACK])
    return sim


async def sign_in_on_github(
    sim: Simulator, session: aiohttp.ClientSession, url: str, login: str = "mona"
) -> dict[str, str]:
    """What a browser does: open the page, fill in the login, press Authorize; returns the
    callback's query."""
    async with session.get(url) as page:
        assert page.status == 200, await page.text()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    async with session.post(
        f"{sim.base_url}/login/oauth/authorize",
        data={**query, "login": login, "authorize": "1"},
        allow_redirects=False,
    ) as answer:
        assert answer.status == 302
        location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorize_url_encodes_everything() -> None:
    url = authorize_url("https://github.com/", "Iv1.abc", CALLBACK, "a b&c=d")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "github.com",
        "/login/oauth/authorize",
    )
    assert parse_qs(parts.query) == {
        "client_id": ["Iv1.abc"],
        "redirect_uri": [CALLBACK],
        "state": ["a b&c=d"],
    }


async def test_the_whole_sign_in(
    oauth_sim: Simulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = authorize_url(oauth_sim.base_url, oauth_sim.client_id, CALLBACK, "the-state")
    back = await sign_in_on_github(oauth_sim, session, url, "Mona")
    assert back["state"] == "the-state"
    token = await exchange_code(
        session,
        oauth_sim.base_url,
        oauth_sim.client_id,
        oauth_sim.client_secret,
        back["code"],
        CALLBACK,
    )
    viewer = await signed_in_user(session, oauth_sim.base_url, token, wall_clock=on_sim(oauth_sim))
    assert viewer == Viewer("Mona", viewer.user_id) and viewer.user_id > 0
    # Neither the token, nor the code, nor the client secret reaches a log record.
    assert caplog.records, "the sign-in logs who signed in"
    for record in caplog.records:
        written = f"{record.getMessage()} {record.__dict__}"
        for secret in (token, back["code"], oauth_sim.client_secret):
            assert secret not in written


async def test_signed_in_user_through_an_existing_client(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("hubot")
    secret = oauth_sim.client_secret
    token = await exchange_code(session, oauth_sim.base_url, oauth_sim.client_id, secret, code, "")
    gh = GitHubClient(session, base_url=oauth_sim.base_url, wall_clock=on_sim(oauth_sim))
    assert (
        await signed_in_user(gh, oauth_sim.base_url, token, wall_clock=on_sim(oauth_sim))
    ).login == "hubot"


async def test_a_replayed_code_is_refused_with_githubs_words(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("mona")
    args = (session, oauth_sim.base_url, oauth_sim.client_id, oauth_sim.client_secret, code)
    await exchange_code(*args, CALLBACK)
    with pytest.raises(SignInRefused) as refused:
        await exchange_code(*args, CALLBACK)
    assert refused.value.error == "bad_verification_code"
    assert str(refused.value) == "The code passed is incorrect or expired."
    assert isinstance(refused.value, UserError)


async def test_wrong_secret_and_wrong_redirect_refused(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("mona")
    with pytest.raises(SignInRefused) as refused:
        await exchange_code(
            session, oauth_sim.base_url, oauth_sim.client_id, "0" * 40, code, CALLBACK
        )
    assert refused.value.error == "incorrect_client_credentials"
    with pytest.raises(SignInRefused) as refused:
        await exchange_code(
            session,
            oauth_sim.base_url,
            oauth_sim.client_id,
            oauth_sim.client_secret,
            code,
            CALLBACK + "/elsewhere",
        )
    assert refused.value.error == "redirect_uri_mismatch"


async def test_an_expired_token_is_an_internal_failure(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("mona")
    token = await exchange_code(
        session, oauth_sim.base_url, oauth_sim.client_id, oauth_sim.client_secret, code, CALLBACK
    )
    oauth_sim.expire_user_tokens()
    with pytest.raises(SignInFailed, match="HTTP 401"):
        await signed_in_user(session, oauth_sim.base_url, token, wall_clock=on_sim(oauth_sim))


# --- broken servers ------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers: list[TestServer] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    yield start
    for server in servers:
        await server.close()


def answering(status: int, body: bytes, content_type: str = "application/json") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, body=body, content_type=content_type)

    return handler


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (500, b"{}", "HTTP 500"),
        (302, b"", "HTTP 302"),
        (200, b"<html>", "not JSON"),
        (200, b"[1]", "not a JSON object"),
        (200, b'{"token_type": "bearer"}', "no access token"),
        (200, b'{"access_token": ""}', "no access token"),
        (200, b'{"access_token": "a\\nb"}', "no access token"),
        (200, b'{"access_token": "' + b"x" * 70_000 + b'"}', "too large"),
    ],
)
async def test_odd_answers_are_internal_failures(
    serve: Callable[[Handler], Awaitable[str]],
    session: aiohttp.ClientSession,
    status: int,
    body: bytes,
    why: str,
) -> None:
    url = await serve(answering(status, body))
    with pytest.raises(SignInFailed, match=why):
        await exchange_code(session, url, "id", "secret", "code", CALLBACK)


async def test_a_silent_server_times_out(
    serve: Callable[[Handler], Awaitable[str]], session: aiohttp.ClientSession
) -> None:
    async def hang(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(30)
        return web.Response()

    url = await serve(hang)
    with pytest.raises(SignInFailed, match="did not answer"):
        await exchange_code(session, url, "id", "secret", "code", CALLBACK, timeout=0.2)
    with pytest.raises(SignInFailed, match="could not ask GitHub"):
        await signed_in_user(session, url, "ghu_x", timeout=0.2, wall_clock=time.time)


async def test_an_unreachable_github(session: aiohttp.ClientSession) -> None:
    with pytest.raises(SignInFailed, match="could not reach GitHub") as failed:
        await exchange_code(session, "http://127.0.0.1:9", "id", "s3cret-value", "c0de", CALLBACK)
    assert "s3cret-value" not in str(failed.value) and "c0de" not in str(failed.value)


def test_githubs_error_words_are_kept_short_and_printable() -> None:
    with pytest.raises(SignInRefused) as refused:
        token_from(200, b'{"error": "x\\u0000y", "error_description": "' + b"d" * 500 + b'"}')
    assert refused.value.error == "x y" and len(str(refused.value)) == 200
    with pytest.raises(SignInRefused, match=r"GitHub refused the sign-in \(unknown_error\)"):
        token_from(200, b'{"error": 5}')


@pytest.mark.parametrize(
    "user",
    [
        None,
        [],
        {"login": "mona"},
        {"login": "mona", "id": "1"},
        {"login": "mona", "id": True},
        {"login": "mona", "id": 0},
        {"login": "", "id": 1},
        {"login": "m" * 40, "id": 1},
        {"login": "mo\nna", "id": 1},
        {"login": "mönä", "id": 1},
    ],
)
def test_user_answers_without_login_and_id_refused(user: object) -> None:
    with pytest.raises(SignInFailed, match="no login and id"):
        viewer_from(user)
