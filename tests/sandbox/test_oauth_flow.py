"""The simulator's OAuth web flow for the App (user-to-server), GET /user and private
repositories: what a sign-in meets on GitHub, refusals and attacks included."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from sandbox.routes.oauth import AuthorizeRefused, redirect_allowed
from sandbox.simulator import Simulator
from tests.github_api import API_VERSION, app_jwt
from tests.sandbox.conftest import Api

CALLBACK = "https://rfc-bot.example.com/dashboard/callback"
HEADERS = {"User-Agent": "rfc-bot-tests", "X-GitHub-Api-Version": API_VERSION}


@pytest.fixture
def oauth_sim(sim: Simulator) -> Simulator:
    sim.set_callback_urls([CALLBACK])
    return sim


async def exchange(
    sim: Simulator, session: aiohttp.ClientSession, *, as_json: bool = False, **fields: str
) -> tuple[int, dict[str, Any]]:
    """POST /login/oauth/access_token with the App's credentials unless overridden."""
    body = {"client_id": sim.client_id, "client_secret": sim.client_secret, **fields}
    sent: dict[str, Any] = {"json": body} if as_json else {"data": body}
    async with session.post(
        f"{sim.base_url}/login/oauth/access_token",
        headers={"Accept": "application/json"},
        **sent,
    ) as response:
        return response.status, await response.json()


async def get_user(sim: Simulator, session: aiohttp.ClientSession, auth: str) -> tuple[int, Any]:
    async with session.get(
        f"{sim.base_url}/user", headers={**HEADERS, "Authorization": auth}
    ) as response:
        return response.status, await response.json()


# --- the authorize page --------------------------------------------------------------------


async def test_sign_in_page_then_redirect_with_code_and_state(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    query = {"client_id": oauth_sim.client_id, "redirect_uri": CALLBACK, "state": "s-1"}
    async with session.get(f"{oauth_sim.base_url}/login/oauth/authorize", params=query) as page:
        assert page.status == 200 and page.content_type == "text/html"
        text = await page.text()
    assert '<label for="login">' in text and '<input id="login" name="login"' in text
    assert '<html lang="en">' in text and ">Authorize</button>" in text
    form = {**query, "login": "mona", "authorize": "1"}
    async with session.post(
        f"{oauth_sim.base_url}/login/oauth/authorize", data=form, allow_redirects=False
    ) as answer:
        assert answer.status == 302
        location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    params = parse_qs(urlsplit(location).query)
    assert params["state"] == ["s-1"] and len(params["code"][0]) == 20
    status, token = await exchange(
        oauth_sim, session, code=params["code"][0], redirect_uri=CALLBACK
    )
    assert status == 200
    assert token["access_token"].startswith("ghu_") and token["refresh_token"].startswith("ghr_")
    assert (token["expires_in"], token["token_type"], token["scope"]) == (28800, "bearer", "")
    assert token["refresh_token_expires_in"] == 15811200
    status, user = await get_user(oauth_sim, session, f"Bearer {token['access_token']}")
    assert status == 200 and user["login"] == "mona" and isinstance(user["id"], int)


@pytest.mark.parametrize(
    "state", ['"><script>alert(1)</script>', "a&b=c d#e", "ünï", "x" * 300, ""]
)
async def test_state_passed_back_verbatim_and_escaped_in_the_page(
    oauth_sim: Simulator, session: aiohttp.ClientSession, state: str
) -> None:
    query = {"client_id": oauth_sim.client_id, "state": state}
    async with session.get(f"{oauth_sim.base_url}/login/oauth/authorize", params=query) as page:
        text = await page.text()
    assert "<script>" not in text
    assert f'name="state" value="{html.escape(state, quote=True)}"' in text
    async with session.post(
        f"{oauth_sim.base_url}/login/oauth/authorize",
        data={**query, "login": "mona"},
        allow_redirects=False,
    ) as answer:
        location = answer.headers["Location"]
    assert parse_qs(urlsplit(location).query, keep_blank_values=True)["state"] == [state]


async def test_no_redirect_uri_goes_to_the_first_callback(oauth_sim: Simulator) -> None:
    oauth_sim.set_callback_urls([CALLBACK, "http://127.0.0.1:8000/dashboard/callback"])
    code = oauth_sim.authorize("mona")
    assert oauth_sim.oauth_codes[code].redirect_uri == CALLBACK


async def test_cancel_redirects_with_access_denied(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    form = {"client_id": oauth_sim.client_id, "state": "s", "login": "", "cancel": "1"}
    async with session.post(
        f"{oauth_sim.base_url}/login/oauth/authorize", data=form, allow_redirects=False
    ) as answer:
        params = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == ["s"]
    assert not oauth_sim.oauth_codes


async def test_unknown_client_is_an_error_page(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    for method in ("GET", "POST"):
        async with session.request(
            method,
            f"{oauth_sim.base_url}/login/oauth/authorize",
            params={"client_id": "Iv1.nobody", "redirect_uri": CALLBACK},
            data={"client_id": "Iv1.nobody", "login": "mona"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 400 and "Location" not in answer.headers
            assert "client_id is not known" in await answer.text()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/dashboard/callback",
        "http://rfc-bot.example.com/dashboard/callback",  # another scheme
        "https://rfc-bot.example.com:444/dashboard/callback",  # another port
        "https://rfc-bot.example.com/dashboard/callbackx",
        "https://rfc-bot.example.com/dashboard/",
        "https://rfc-bot.example.com/dashboard/callback/../../evil",
        "https://rfc-bot.example.com.evil.example/dashboard/callback",
        "//evil.example",
    ],
)
async def test_foreign_redirect_uri_shows_an_error_never_redirects(
    oauth_sim: Simulator, session: aiohttp.ClientSession, redirect_uri: str
) -> None:
    form = {"client_id": oauth_sim.client_id, "redirect_uri": redirect_uri, "login": "mona"}
    for method in ("GET", "POST"):
        async with session.request(
            method,
            f"{oauth_sim.base_url}/login/oauth/authorize",
            params=form if method == "GET" else None,
            data=form if method == "POST" else None,
            allow_redirects=False,
        ) as answer:
            assert answer.status == 400 and "Location" not in answer.headers
            assert "redirect_uri is not associated" in await answer.text()
    with pytest.raises(AuthorizeRefused):
        oauth_sim.authorize("mona", redirect_uri=redirect_uri)
    assert not oauth_sim.oauth_codes


def test_redirect_under_the_callback_is_allowed() -> None:
    assert redirect_allowed(CALLBACK, CALLBACK)
    assert redirect_allowed(CALLBACK + "/more?x=1", CALLBACK)
    assert redirect_allowed(CALLBACK.replace("rfc-bot.example", "RFC-BOT.example"), CALLBACK)


async def test_app_without_callback_url_cannot_sign_in(sim: Simulator) -> None:
    with pytest.raises(AuthorizeRefused, match="no callback URL"):
        sim.authorize("mona")


@pytest.mark.parametrize("login", ["", "-mona", "mo--na", "mona-", "a" * 40, "mo na", "<b>"])
async def test_bad_login_re_shows_the_form(
    oauth_sim: Simulator, session: aiohttp.ClientSession, login: str
) -> None:
    form = {"client_id": oauth_sim.client_id, "login": login}
    async with session.post(
        f"{oauth_sim.base_url}/login/oauth/authorize", data=form, allow_redirects=False
    ) as answer:
        assert answer.status == 422
        text = await answer.text()
    assert 'role="alert"' in text and "<b>" not in text
    assert not oauth_sim.oauth_codes


# --- the code exchange ---------------------------------------------------------------------


async def test_a_code_is_good_once(oauth_sim: Simulator, session: aiohttp.ClientSession) -> None:
    code = oauth_sim.authorize("mona", state="x")
    assert "access_token" in (await exchange(oauth_sim, session, code=code, as_json=True))[1]
    status, replay = await exchange(oauth_sim, session, code=code)
    assert status == 200 and replay["error"] == "bad_verification_code"
    assert replay["error_description"] == "The code passed is incorrect or expired."
    assert replay["error_uri"].startswith("https://docs.github.com/")


async def test_a_code_expires_after_ten_minutes(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    oauth_sim.clock.freeze()
    first, second = oauth_sim.authorize("mona"), oauth_sim.authorize("mona")
    oauth_sim.clock.advance(timedelta(minutes=10))
    assert "access_token" in (await exchange(oauth_sim, session, code=first))[1]
    oauth_sim.clock.advance(1)
    assert (await exchange(oauth_sim, session, code=second))[1]["error"] == "bad_verification_code"


@pytest.mark.parametrize(
    "fields",
    [
        {"client_secret": "0" * 40},
        {"client_secret": ""},
        {"client_id": "Iv1.nobody"},
        {"client_id": ""},
    ],
)
async def test_wrong_client_credentials(
    oauth_sim: Simulator, session: aiohttp.ClientSession, fields: dict[str, str]
) -> None:
    code = oauth_sim.authorize("mona")
    status, answer = await exchange(oauth_sim, session, code=code, **fields)
    assert status == 200 and answer["error"] == "incorrect_client_credentials"
    assert "access_token" not in answer
    # The code was not spent by the refused attempt: the real App can still use it.
    assert "access_token" in (await exchange(oauth_sim, session, code=code))[1]


async def test_another_apps_code_is_refused(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    other_id = oauth_sim.register_app("other-app", callback_urls=[CALLBACK])
    other = oauth_sim.oauth_client(other_id)
    code = oauth_sim.authorize("mona", client_id=other.client_id)
    answer = (await exchange(oauth_sim, session, code=code))[1]  # our App's credentials
    assert answer["error"] == "bad_verification_code"
    fields = {"client_id": other.client_id, "client_secret": other.client_secret}
    assert "access_token" in (await exchange(oauth_sim, session, code=code, **fields))[1]


async def test_redirect_uri_must_match_the_authorize_one(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("mona", redirect_uri=CALLBACK + "/a")
    status, answer = await exchange(oauth_sim, session, code=code, redirect_uri=CALLBACK)
    assert status == 200 and answer["error"] == "redirect_uri_mismatch"
    answer = (await exchange(oauth_sim, session, code=code, redirect_uri=CALLBACK + "/a"))[1]
    assert "access_token" in answer


async def test_junk_bodies_answer_errors(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    for data, kind in ((b"{not json", "application/json"), (b"\xff\xfe", "text/plain")):
        async with session.post(
            f"{oauth_sim.base_url}/login/oauth/access_token",
            data=data,
            headers={"Accept": "application/json", "Content-Type": kind},
        ) as answer:
            assert answer.status == 200
            assert (await answer.json())["error"] == "incorrect_client_credentials"


async def test_form_encoded_answer_without_accept_json(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    code = oauth_sim.authorize("mona")
    body = {"client_id": oauth_sim.client_id, "client_secret": oauth_sim.client_secret}
    async with session.post(
        f"{oauth_sim.base_url}/login/oauth/access_token", params={"code": code}, data=body
    ) as answer:
        assert answer.content_type == "application/x-www-form-urlencoded"
        parsed = parse_qs(await answer.text())
    assert parsed["access_token"][0].startswith("ghu_") and parsed["token_type"] == ["bearer"]


# --- GET /user and the kinds of token ------------------------------------------------------


async def user_token(sim: Simulator, session: aiohttp.ClientSession, login: str = "mona") -> str:
    return str((await exchange(sim, session, code=sim.authorize(login)))[1]["access_token"])


async def test_user_token_expires_after_eight_hours(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    oauth_sim.clock.freeze()
    token = await user_token(oauth_sim, session)
    oauth_sim.clock.advance(timedelta(hours=8) - timedelta(seconds=1))
    assert (await get_user(oauth_sim, session, f"token {token}"))[0] == 200
    oauth_sim.clock.advance(1)
    status, body = await get_user(oauth_sim, session, f"Bearer {token}")
    assert status == 401 and body["message"] == "Bad credentials"
    fresh = await user_token(oauth_sim, session)
    oauth_sim.expire_user_tokens()
    assert (await get_user(oauth_sim, session, f"Bearer {fresh}"))[0] == 401


async def test_installation_token_and_jwt_do_not_work_on_user(
    oauth_sim: Simulator, session: aiohttp.ClientSession, api: Api
) -> None:
    assert (await api.get("/user")).status == 401
    assert (await get_user(oauth_sim, session, f"Bearer {app_jwt(oauth_sim)}"))[0] == 401
    assert (await get_user(oauth_sim, session, "Bearer ghu_made-up"))[0] == 401
    status, body = await get_user(oauth_sim, session, "")
    assert status == 401 and body["message"] == "Requires authentication"


async def test_user_token_does_not_work_on_installation_routes(
    oauth_sim: Simulator, session: aiohttp.ClientSession, api: Api
) -> None:
    token = await user_token(oauth_sim, session)
    for path in ("/repos/octo-org/rfcs", "/installation/repositories", "/app"):
        answer = await api.get(path, auth=f"Bearer {token}")
        assert answer.status == 401, path


async def test_user_token_spends_the_users_budget(
    oauth_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    token = await user_token(oauth_sim, session)
    async with session.get(
        f"{oauth_sim.base_url}/user", headers={**HEADERS, "Authorization": f"Bearer {token}"}
    ) as answer:
        assert answer.headers["X-RateLimit-Limit"] == "5000"
        assert answer.headers["X-RateLimit-Used"] == "1"
    assert oauth_sim.rate_limits.usage(("user", "mona")).requests == 1


# --- the manifest conversion gives the OAuth half ------------------------------------------


async def test_manifest_callback_urls_and_client_credentials(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    manifest = {
        "name": "Mine",
        "url": "https://example.org",
        "redirect_url": "http://127.0.0.1:1/callback",
        "callback_urls": [CALLBACK],
    }
    async with session.post(
        f"{sim.base_url}/settings/apps/new",
        data={"manifest": json.dumps(manifest)},
        allow_redirects=False,
    ) as answer:
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    async with session.post(
        f"{sim.base_url}/app-manifests/{code}/conversions", headers=HEADERS
    ) as answer:
        app = await answer.json()
    client = sim.oauth_client(app["id"])
    assert (app["client_id"], app["client_secret"]) == (client.client_id, client.client_secret)
    assert client.callback_urls == [CALLBACK]
    sign_in = sim.authorize("mona", client_id=app["client_id"], state="s")
    fields = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    assert "access_token" in (await exchange(sim, session, code=sign_in, **fields))[1]


@pytest.mark.parametrize(
    "callbacks", ["https://x", [1], ["ftp://x"], [f"https://x/{n}" for n in range(11)]]
)
async def test_manifest_with_bad_callback_urls_refused(
    sim: Simulator, session: aiohttp.ClientSession, callbacks: object
) -> None:
    manifest = {"url": "https://example.org", "redirect_url": "http://x/cb"}
    async with session.post(
        f"{sim.base_url}/settings/apps/new",
        data={"manifest": json.dumps({**manifest, "callback_urls": callbacks})},
        allow_redirects=False,
    ) as answer:
        assert answer.status == 422 and "callback_urls" in await answer.text()


def test_at_most_ten_callback_urls(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="at most 10"):
        sim.set_callback_urls([f"https://x/{n}" for n in range(11)])


# --- private repositories ------------------------------------------------------------------


async def test_private_repository(sim: Simulator, api: Api) -> None:
    sim.create_repo("octo-org/secret", private=True)
    sim.set_permission("octo-org/secret", "mona", "write")
    shown = (await api.get("/repos/octo-org/secret")).body
    assert (shown["private"], shown["visibility"]) == (True, "private")
    public = (await api.get("/repos/octo-org/rfcs")).body
    assert (public["private"], public["visibility"]) == (False, "public")
    stranger = await api.get("/repos/octo-org/secret/collaborators/hubot/permission")
    assert stranger.status == 200
    assert (stranger.body["permission"], stranger.body["role_name"]) == ("none", "none")
    assert not any(stranger.body["user"]["permissions"].values())
    member = await api.get("/repos/octo-org/secret/collaborators/mona/permission")
    assert member.body["permission"] == "write"
    reader = await api.get("/repos/octo-org/rfcs/collaborators/hubot/permission")
    assert reader.body["permission"] == "read"  # a public repository: everyone reads
    listed = await api.get("/repos/octo-org/secret/collaborators")
    assert [c["login"] for c in listed.body] == ["mona"]
