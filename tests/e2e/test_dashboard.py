"""The live dashboard end to end: the real server, the simulator's OAuth sign-in, the demo's
scene (every RFC state, a public and a private repository), and the attacks on its sign-in."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import socket
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp
import pytest

from bot.dashboard.sessions import COOKIE_NAME, STATE_COOKIE_NAME
from bot.dashboard.web import DASHBOARD
from sandbox.dashboard_demo import PRIVATE_REPO, PUBLIC_REPO, Scene, serve
from sandbox.dashboard_demo import main as demo_main
from sandbox.demo import WEBHOOK_SECRET
from sandbox.harness import start_app


class Form(HTMLParser):
    """The simulator's sign-in form: its action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action") or ""
        if tag == "input" and values.get("type") == "hidden":
            self.fields[values["name"] or ""] = values.get("value") or ""


def browser() -> aiohttp.ClientSession:
    # unsafe: keep cookies of an IP address (127.0.0.1), as a browser does.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(client: aiohttp.ClientSession, scene: Scene, login: str, start: str = "") -> str:
    """Follow the sign-in as a browser does; the final page's HTML."""
    url = start or scene.dashboard_url
    answer = await client.get(url, allow_redirects=False)
    assert answer.status == 303, await answer.text()
    to_login = urljoin(url, answer.headers["Location"])
    answer = await client.get(to_login, allow_redirects=False)
    assert answer.status == 302
    authorize = answer.headers["Location"]
    page = await client.get(authorize)
    form = Form()
    form.feed(await page.text())
    posted = await client.post(
        urljoin(authorize, form.action),
        data={**form.fields, "login": login, "authorize": "1"},
        allow_redirects=False,
    )
    assert posted.status == 302
    back = await client.get(posted.headers["Location"], allow_redirects=False)
    assert back.status == 303, await back.text()
    final = await client.get(urljoin(scene.dashboard_url, back.headers["Location"]))
    assert final.status == 200
    return await final.text()


async def approved_callback(
    client: aiohttp.ClientSession, scene: Scene, start: str = "/dashboard/login"
) -> tuple[str, aiohttp.ClientResponse]:
    """Start a sign-in in ``client`` and approve it on the simulator as mona: the callback URL
    GitHub sends the browser to (code and state), and the answer that started it."""
    answer = await client.get(scene.app.base_url + start, allow_redirects=False)
    state = parse_qs(urlsplit(answer.headers["Location"]).query)["state"][0]
    callback = scene.app.base_url + "/dashboard/callback"
    code = scene.sim.authorize("mona", scene.sim.client_id, callback, state)
    return f"{callback}?code={code}&state={state}", answer


async def test_signed_out_is_sent_to_sign_in(scene: Scene) -> None:
    async with browser() as client:
        answer = await client.get(scene.dashboard_url + "?view=mine", allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/dashboard/login?next=%2Fdashboard%3Fview%3Dmine"


async def test_a_maintainer_sees_both_repositories_and_what_waits_on_her(scene: Scene) -> None:
    async with browser() as client:
        html = await sign_in(client, scene, "mona")
        mine = await (await client.get(scene.dashboard_url + "?view=mine")).text()
    for title in (
        "Job retries",
        "Audit log",
        "Rate limits",
        "Plugin API",
        "Dark mode",
        "Billing export",
    ):
        assert f"RFC: {title}" in html
    assert PRIVATE_REPO in html and "All open RFCs (6)" in html
    assert html.count('<span class="pill">private</span>') == 1  # the private one is marked
    assert "Waiting on me (1)" in html
    assert "RFC: Billing export" in mine and "RFC: Job retries" not in mine
    assert "storage-cost" in html  # the concern, with who raised it
    assert "final comment period" in html and "2026-12-07 09:" in html


async def test_a_rows_links_open_the_simulators_own_pages(scene: Scene) -> None:
    """The demo's rows link to the simulated GitHub (pull request, check and concern pages),
    never to github.com; a private repository's page is GitHub's 404 to a visitor."""
    repo = scene.sim.find_repo(PUBLIC_REPO)
    number = next(n for n, p in repo.pulls.items() if p.title == "RFC: Audit log")
    async with browser() as client:
        html = await sign_in(client, scene, "mona")
        links = [h for h in re.findall(r'href="([^"]+)"', html) if "://" in h]
        assert links and all(h.startswith(scene.sim.base_url + "/") for h in links)
        pull_url = f"{scene.sim.base_url}/{PUBLIC_REPO}/pull/{number}"
        assert pull_url in links
        concern = next(h for h in links if h.startswith(pull_url + "#issuecomment-"))
        check = next(h for h in links if h.startswith(f"{scene.sim.base_url}/{PUBLIC_REPO}/runs/"))
        pull_page = await client.get(pull_url)
        text = await pull_page.text()
        assert pull_page.status == 200 and "RFC: Audit log" in text
        assert f'id="{concern.partition("#")[2]}"' in text and "/rfc concern storage-cost" in text
        check_page = await client.get(check)
        assert check_page.status == 200 and "RFC validation" in await check_page.text()
        private = next(h for h in links if f"/{PRIVATE_REPO}/pull/" in h)
        assert (await client.get(private)).status == 404


async def test_an_author_never_sees_a_repository_she_cannot_read(scene: Scene) -> None:
    async with browser() as client:
        html = await sign_in(client, scene, "alice")
        mine = await (await client.get(scene.dashboard_url + "?view=mine")).text()
    assert PRIVATE_REPO not in html and "Billing export" not in html
    assert "All open RFCs (5)" in html and "1 repository you can read" in html
    # Her failing check waits on her; nothing about the hidden repository is counted.
    assert "RFC: Plugin API" in mine and "Waiting on me (1)" in mine
    assert "fix what the RFC validation check found" in mine


async def test_the_approver_asked_for_sees_it_waiting_on_her(scene: Scene) -> None:
    async with browser() as client:
        await sign_in(client, scene, "nina")
        mine = await (await client.get(scene.dashboard_url + "?view=mine")).text()
    assert "RFC: Job retries" in mine and "RFC: Audit log" not in mine
    assert '<span class="you">you</span>' in mine


async def test_a_change_on_github_shows_at_the_next_view(scene: Scene) -> None:
    async with browser() as client:
        before = await sign_in(client, scene, "mona")
        repo = scene.sim.find_repo(PUBLIC_REPO)
        number = next(n for n, p in repo.pulls.items() if p.title == "RFC: Audit log")
        comment = scene.sim.add_comment(repo, number, "omar", "/rfc resolve storage-cost")
        await scene.deliver("issue_comment", scene.sim.event_issue_comment(repo, number, comment))
        scene.app.app[DASHBOARD].views.clear()  # past the viewer's 15-second reuse
        after = await (await client.get(scene.dashboard_url)).text()
    assert "storage-cost" in before and "storage-cost" not in after


async def test_a_second_view_costs_no_rate_limited_request(scene: Scene) -> None:
    async with browser() as client:
        await sign_in(client, scene, "mona")
        installation = scene.sim.find_repo(PUBLIC_REPO).installation_id
        scene.app.app[DASHBOARD].views.clear()
        used = scene.sim.api_usage(installation).requests
        again = await client.get(scene.dashboard_url)
        assert again.status == 200
        assert scene.sim.api_usage(installation).requests == used  # every listing a 304


async def test_a_forged_or_altered_session_cookie_is_refused(scene: Scene) -> None:
    async with browser() as client:
        await sign_in(client, scene, "alice")
        real = next(c for c in client.cookie_jar if c.key == COOKIE_NAME).value
    forged = [
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        real.replace(real.split(".")[0], "eyJsIjoibW9uYSJ9"),  # claims mona, alice's signature
        "x" * 5000,
        "",
    ]
    for value in forged:
        async with aiohttp.ClientSession(cookies={COOKIE_NAME: value}) as client:
            answer = await client.get(scene.dashboard_url, allow_redirects=False)
            assert answer.status == 303, value[:40]


async def test_a_sign_in_not_started_here_is_refused(scene: Scene) -> None:
    """Login CSRF: a callback with a state that is not this browser's sets no session."""
    callback = scene.app.base_url + "/dashboard/callback"
    code = scene.sim.authorize("mona", scene.sim.client_id, callback, "attacker-state")
    async with browser() as client:
        answer = await client.get(
            f"{callback}?code={code}&state=attacker-state", allow_redirects=False
        )
        assert answer.status == 400
        assert COOKIE_NAME not in {c.key for c in client.cookie_jar}


async def test_a_replayed_code_is_refused(scene: Scene) -> None:
    async with browser() as client:
        back_url, answer = await approved_callback(client, scene)
        first = await client.get(back_url, allow_redirects=False)
        assert first.status == 303
        client.cookie_jar.clear(lambda cookie: cookie.key == COOKIE_NAME)
        # The state cookie was spent too; a second try with it restored still fails at GitHub.
        client.cookie_jar.update_cookies(
            {STATE_COOKIE_NAME: _state_cookie(answer)}, response_url=answer.url
        )
        second = await client.get(back_url, allow_redirects=False)
    assert second.status == 403
    assert "GitHub refused the sign-in" in await second.text()


def _state_cookie(answer: aiohttp.ClientResponse) -> str:
    return answer.cookies[STATE_COOKIE_NAME].value


async def test_sign_out_needs_the_sessions_csrf_token(scene: Scene) -> None:
    async with browser() as client:
        html = await sign_in(client, scene, "mona")
        logout = scene.app.base_url + "/dashboard/logout"
        refused = await client.post(logout, data={"csrf": "0" * 64})
        assert refused.status == 403
        still = await client.get(scene.dashboard_url, allow_redirects=False)
        assert still.status == 200
        token = re.search(r'name="csrf" value="([^"]+)"', html)
        assert token is not None
        done = await client.post(logout, data={"csrf": token.group(1)})
        assert done.status == 200 and "signed out" in (await done.text()).lower()
        gone = await client.get(scene.dashboard_url, allow_redirects=False)
        assert gone.status == 303


async def test_no_token_or_code_reaches_the_browser_or_the_logs(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with browser() as client:
        html = await sign_in(client, scene, "mona")
        cookies = " ".join(c.value for c in client.cookie_jar)
    tokens = list(scene.sim.user_tokens)
    assert tokens, "the sign-in issued a user token"
    for token in tokens:
        assert token not in html and token not in cookies and token not in caplog.text


async def test_after_sign_in_it_goes_only_to_a_dashboard_page(scene: Scene) -> None:
    async with browser() as client:
        back_url, _ = await approved_callback(
            client, scene, "/dashboard/login?next=//evil.example/x"
        )
        back = await client.get(back_url, allow_redirects=False)
    assert back.headers["Location"] == "/dashboard"


async def test_every_answer_forbids_scripts_and_caching(scene: Scene) -> None:
    async with browser() as client:
        await sign_in(client, scene, "mona")
        answer = await client.get(scene.dashboard_url)
        style = await client.get(scene.app.base_url + "/dashboard/dashboard.css")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert answer.headers["Cache-Control"] == "no-store"
    assert style.status == 200 and style.content_type == "text/css"


async def test_with_no_oauth_client_the_dashboard_is_off_and_says_how_to_turn_it_on(
    scene: Scene,
) -> None:
    plain = await start_app(scene.sim, WEBHOOK_SECRET)
    try:
        async with aiohttp.ClientSession() as client:
            for path in ("/dashboard", "/dashboard/login", "/dashboard/callback?code=x&state=y"):
                answer = await client.get(plain.base_url + path, allow_redirects=False)
                assert answer.status == 503
                assert "GITHUB_CLIENT_ID" in await answer.text()
    finally:
        await plain.stop()


async def test_the_demo_command_says_where_to_go_and_serves_there() -> None:
    out = io.StringIO()
    task = asyncio.create_task(serve(out, 0))
    try:
        for _ in range(600):
            if "Press Ctrl-C" in out.getvalue():
                break
            await asyncio.sleep(0.05)
        url = re.search(r"Open (http://127\.0\.0\.1:\d+/dashboard)", out.getvalue())
        assert url is not None, out.getvalue()
        # The page's dates are the simulated clock's, and the output says so.
        assert "The simulated GitHub's clock stands still at 2026-11-30 09:" in out.getvalue()
        assert "open the simulator's own pull request and check pages" in out.getvalue()
        async with aiohttp.ClientSession() as client:
            answer = await client.get(url.group(1), allow_redirects=False)
        assert answer.status == 303
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_the_demo_command_names_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert demo_main(taken.getsockname()[1]) == 2
    assert "pass --port N" in capsys.readouterr().err


async def test_a_cancelled_sign_in_says_so(scene: Scene) -> None:
    async with browser() as client:
        answer = await client.get(
            scene.app.base_url + "/dashboard/callback?error=access_denied&state=x"
        )
    assert answer.status == 403 and "Sign-in cancelled" in await answer.text()


async def test_github_not_answering_who_signed_in_is_a_try_again_page(scene: Scene) -> None:
    scene.sim.fail("GET", r"/user$", 502, times=5)
    async with browser() as client:
        back_url, _ = await approved_callback(client, scene)
        back = await client.get(back_url, allow_redirects=False)
        assert back.status == 502 and "Try again" in await back.text()
        assert COOKIE_NAME not in {c.key for c in client.cookie_jar}


async def test_an_oversized_sign_out_form_is_refused_unread(scene: Scene) -> None:
    async with browser() as client:
        await sign_in(client, scene, "mona")
        answer = await client.post(
            scene.app.base_url + "/dashboard/logout", data={"csrf": "x" * 10_000}
        )
        assert answer.status == 413
        still = await client.get(scene.dashboard_url, allow_redirects=False)
        assert still.status == 200
