"""``rfc-bot register`` against the simulator: the browser is an HTTP client that submits the
page's form to the simulated GitHub and follows its redirect back with the code."""

from __future__ import annotations

import asyncio
import json
import socket
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest

from bot.cli import main, register
from bot.cli.register import NewApp, Options, RegisterError
from bot.serve.settings import Settings
from sandbox.simulator import Simulator

ROOT = Path(__file__).resolve().parents[2]


class Form(HTMLParser):
    """The page's one form: its action and its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values["action"]
        elif tag == "input":
            self.fields[values["name"]] = values["value"]


async def browse(page_url: str, *, state: str | None = None) -> tuple[int, str, dict[str, Any]]:
    """Open the page, submit its form, follow GitHub's redirect to the callback."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(page_url) as page:
            form = Form()
            form.feed(await page.text())
        action = form.action
        if state is not None:  # a forged redirect's state
            action = action.split("?")[0] + f"?state={state}"
        async with browser.post(action, data=form.fields) as landed:
            return landed.status, await landed.text(), json.loads(form.fields["manifest"])


def options(sim: Simulator, tmp_path: Path, **changes: Any) -> Options:
    defaults: dict[str, Any] = {
        "manifest_path": ROOT / "app.yml",
        "env_path": tmp_path / ".env",
        "github_url": sim.base_url,
        "api_url": sim.base_url,
        "local": True,  # a trial on this machine: app.yml's placeholder webhook URL is fine
    }
    return Options(**(defaults | changes))


async def registered(opts: Options, **browse_args: Any) -> tuple[NewApp, tuple[int, str, Any]]:
    seen: list[tuple[int, str, Any]] = []

    async def on_ready(url: str) -> None:
        async def visit() -> None:
            seen.append(await browse(url, **browse_args))

        asyncio.get_running_loop().create_task(visit())

    new = await asyncio.wait_for(register.register(opts, on_ready), 30)
    for _ in range(100):  # the browser's last response arrives just after
        if seen:
            break
        await asyncio.sleep(0.02)
    return new, seen[0]


async def test_register_writes_an_env_that_serve_accepts(sim: Simulator, tmp_path: Path) -> None:
    opts = options(sim, tmp_path, webhook_url="https://rfcs.acme.dev/webhook", local=False)
    new, (status, text, manifest) = await registered(opts)
    assert status == 200 and new.slug in text
    env = tmp_path / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    values = parse_env(env.read_text())
    assert values["GITHUB_APP_ID"] == str(new.id)
    settings = Settings.from_env(values)  # the key and the secret pass serve's checks
    assert settings.private_key.strip() == new.pem.strip()
    assert settings.webhook_secret == new.webhook_secret
    # The dashboard's sign-in is on: the OAuth client, and the callback under the public URL.
    assert settings.dashboard_enabled
    assert (settings.client_id, settings.client_secret) == (new.client_id, new.client_secret)
    assert settings.public_url == "https://rfcs.acme.dev"
    callback = "https://rfcs.acme.dev/dashboard/callback"
    assert manifest["callback_urls"] == [callback] == sim.oauth_client(new.id).callback_urls
    assert sim.authorize("mona", client_id=settings.client_id, redirect_uri=callback)
    # What GitHub was sent: app.yml as JSON, returning to the loopback callback.
    assert manifest["redirect_url"].startswith("http://127.0.0.1:")
    assert manifest["hook_attributes"]["url"] == "https://rfcs.acme.dev/webhook"
    assert manifest["default_permissions"]["checks"] == "write"
    (conversion,) = [r for r in sim.requests if r.operation_id == "apps/create-from-manifest"]
    assert conversion.status == 201


async def test_an_organisations_app_is_created_through_its_form(
    sim: Simulator, tmp_path: Path
) -> None:
    await registered(options(sim, tmp_path, org="octo-org"))
    assert any(r.path.endswith("/conversions") for r in sim.requests)
    assert not sim.manifest_codes  # the code was spent


async def test_the_key_may_go_to_its_own_file(sim: Simulator, tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    new, _ = await registered(options(sim, tmp_path, key_file=key))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text() == new.pem
    values = parse_env((tmp_path / ".env").read_text())
    assert values["GITHUB_PRIVATE_KEY_PATH"] == str(key)
    assert "GITHUB_PRIVATE_KEY" not in values
    Settings.from_env(values)


async def test_an_existing_env_is_kept_without_force(sim: Simulator, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KEEP=1\n")
    with pytest.raises(RegisterError, match="--force"):
        await register.register(options(sim, tmp_path))
    assert (tmp_path / ".env").read_text() == "KEEP=1\n"


async def test_force_replaces_it_and_makes_it_private(sim: Simulator, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("OLD=1\n")
    env.chmod(0o644)
    await registered(options(sim, tmp_path, force=True))
    assert "OLD=1" not in env.read_text()
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


async def test_a_forged_state_is_refused_and_the_code_is_not_spent(
    sim: Simulator, tmp_path: Path
) -> None:
    opts = options(sim, tmp_path)
    seen: list[tuple[int, str, Any]] = []

    async def on_ready(url: str) -> None:
        seen.append(await browse(url, state="forged"))
        raise RegisterError("stop")  # end the wait: the forged callback must not have won

    with pytest.raises(RegisterError, match="stop"):
        await register.register(opts, on_ready)
    assert seen[0][0] == 400
    assert not (tmp_path / ".env").exists()
    assert len(sim.manifest_codes) == 1  # never converted


async def test_a_spent_code_is_refused_by_github(sim: Simulator) -> None:
    with pytest.raises(RegisterError, match="good once"):
        await register.convert(sim.base_url, "no-such-code")


def test_the_command_refuses_an_existing_env_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("KEEP=1\n")
    code = main(["register", "--env", str(tmp_path / ".env"), "--no-browser"])
    assert code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_a_manifest_without_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="url"):
        register.manifest_for({"name": "x"}, "http://127.0.0.1:1/callback", None)
    bad = tmp_path / "app.yml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(RegisterError, match="not valid YAML"):
        register.load_manifest(bad)
    with pytest.raises(RegisterError, match=r"cannot read .* or pass --manifest FILE"):
        register.load_manifest(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("github_url", "org", "form", "api"),
    [
        ("https://github.com", None, "https://github.com/settings/apps/new?state=s", None),
        (
            "https://github.com/",
            "octo-org",
            "https://github.com/organizations/octo-org/settings/apps/new?state=s",
            "https://api.github.com",
        ),
        (
            "https://ghe.example.com",
            "a b",
            "https://ghe.example.com/organizations/a%20b/settings/apps/new?state=s",
            "https://ghe.example.com/api/v3",
        ),
    ],
)
def test_urls_for_github_and_enterprise_server(
    github_url: str, org: str | None, form: str, api: str | None
) -> None:
    assert register.new_app_url(github_url, org, "s") == form
    assert register.api_url_for(github_url) == (api or "https://api.github.com")


def test_the_page_escapes_the_manifest() -> None:
    page = register.form_page("https://github.com/x?state=a&b", {"name": "<'x'>"})
    form = Form()
    form.feed(page)
    assert json.loads(form.fields["manifest"]) == {"name": "<'x'>"}
    assert form.action == "https://github.com/x?state=a&b"


async def test_without_a_public_url_the_sign_in_waits_commented_out(
    sim: Simulator, tmp_path: Path
) -> None:
    opts = options(sim, tmp_path, webhook_url="https://hooks.example.org/in")
    new, (_, _, manifest) = await registered(opts)
    assert "callback_urls" not in manifest
    text = (tmp_path / ".env").read_text()
    assert f"# GITHUB_CLIENT_ID={new.client_id}\n" in text
    assert f"# GITHUB_CLIENT_SECRET={new.client_secret}\n" in text
    settings = Settings.from_env(parse_env(text))  # serve starts, the dashboard off
    assert not settings.dashboard_enabled and settings.client_id == ""


async def test_an_explicit_public_url_wins(sim: Simulator, tmp_path: Path) -> None:
    opts = options(sim, tmp_path, public_url="http://127.0.0.1:8000/")
    _, (_, _, manifest) = await registered(opts)
    assert manifest["callback_urls"] == ["http://127.0.0.1:8000/dashboard/callback"]
    settings = Settings.from_env(parse_env((tmp_path / ".env").read_text()))
    assert settings.public_url == "http://127.0.0.1:8000" and settings.dashboard_enabled
    assert settings.web_url == sim.base_url  # GitHub's web pages: the sign-in goes there


async def test_app_yml_hook_url_gives_the_public_url(sim: Simulator, tmp_path: Path) -> None:
    _, (_, _, manifest) = await registered(options(sim, tmp_path))  # app.yml's placeholder
    assert manifest["callback_urls"] == ["https://rfc-bot.example.com/dashboard/callback"]


@pytest.mark.parametrize(
    ("public", "webhook", "expected"),
    [
        (None, None, None),
        (None, "https://x.example/webhook", "https://x.example"),
        (None, "https://x.example/bot/webhook/", "https://x.example/bot"),
        (None, "https://x.example/hooks", None),
        ("https://y.example/", "https://x.example/webhook", "https://y.example"),
    ],
)
def test_the_public_url(public: str | None, webhook: str | None, expected: str | None) -> None:
    assert register.public_url_for(public, webhook) == expected


def test_hook_url_of_odd_manifests() -> None:
    assert register.hook_url_of({"hook_attributes": {"url": "https://x/webhook"}}) == (
        "https://x/webhook"
    )
    for odd in (None, [], {"hook_attributes": []}, {"hook_attributes": {"url": 5}}):
        assert register.hook_url_of(odd) is None


def test_github_com_needs_no_web_url() -> None:
    app = NewApp(1, "x", "pem", "secret", "", "Iv1.a", "cs")
    assert "GITHUB_WEB_URL" not in register.env_text(app, "https://api.github.com", None)
    text = register.env_text(app, "https://g/api/v3", None, None, "https://g/")
    assert "GITHUB_WEB_URL=https://g\n" in text
    without_client = NewApp(1, "x", "pem", "secret", "")  # no OAuth half in the answer
    assert "CLIENT" not in register.env_text(without_client, "https://api.github.com", None)


def test_an_answer_without_credentials_is_an_error() -> None:
    with pytest.raises(RegisterError, match="lacks"):
        register.conversion_from({"id": 1, "slug": "x"})


def parse_env(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def test_the_command_opens_the_browser_and_writes_the_env(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rfc-bot register``: the browser (an HTTP client in a thread) gets the page's URL."""
    import threading
    import webbrowser

    visits: list[tuple[int, str, Any]] = []

    def open_in_browser(url: str) -> bool:
        thread = threading.Thread(target=lambda: visits.append(asyncio.run(browse(url))))
        thread.start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_in_browser)
    env = tmp_path / ".env"
    argv = ["register", "--env-file", str(env), "--github-url", sim.base_url, "--api-url"]
    argv += [sim.base_url, "--manifest", str(ROOT / "app.yml")]
    argv += ["--webhook-url", "https://rfcs.acme.dev/webhook"]
    # The simulator runs on this test's loop: the command runs in a thread with its own.
    result: list[int] = []
    command = threading.Thread(target=lambda: result.append(main(argv)))
    command.start()
    while command.is_alive():
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(0.05))
    assert result == [0]
    assert "GITHUB_APP_ID=" in env.read_text()


async def test_a_callback_without_code_or_with_a_refused_code(
    sim: Simulator, tmp_path: Path
) -> None:
    async def on_ready(url: str) -> None:
        async with aiohttp.ClientSession() as browser:
            async with browser.get(url) as page:
                form = Form()
                form.feed(await page.text())
            state = form.action.split("state=")[1]
            callback = urljoin(url, "/callback")
            async with browser.get(callback, params={"state": state}) as empty:
                assert empty.status == 400
            async with browser.get(callback, params={"state": state, "code": "bogus"}) as bad:
                assert bad.status == 502

    with pytest.raises(RegisterError, match="good once"):
        await register.register(options(sim, tmp_path), on_ready)
    assert not (tmp_path / ".env").exists()


async def test_the_page_answers_only_its_own_host_and_opens_once(
    sim: Simulator, tmp_path: Path
) -> None:
    """Another site cannot read the page (and its state) through a name resolving to
    127.0.0.1, nor can another local caller without the printed token; the page opens once."""
    answers: list[int] = []

    async def on_ready(url: str) -> None:
        parts = urlsplit(url)
        async with aiohttp.ClientSession() as browser:
            rebound = {"Host": f"attacker.example:{parts.port}"}
            async with browser.get(url, headers=rebound) as page:
                answers.append(page.status)
            async with browser.get(urljoin(url, "/")) as page:  # no token
                answers.append(page.status)
            async with browser.get(url) as page:
                answers.append(page.status)
            async with browser.get(url) as page:  # spent
                answers.append(page.status)
        raise RegisterError("stop")

    with pytest.raises(RegisterError, match="stop"):
        await register.register(options(sim, tmp_path), on_ready)
    assert answers == [421, 403, 200, 403]


async def test_a_taken_port_fails_in_one_line(sim: Simulator, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RegisterError, match=f"cannot listen on 127.0.0.1:{port}.*--port"):
            await register.register(options(sim, tmp_path, port=port))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (None, "is a placeholder (rfc-bot.example.com is reserved for examples)"),  # app.yml's
        ("https://rfcs.example.net/webhook", "is a placeholder"),
        ("https://bot.staging.example/webhook", "is a placeholder"),
        ("http://rfcs.acme.dev/webhook", "is not https"),
        ("http://127.0.0.1:8000/webhook", "127.0.0.1, this machine's own address"),
        ("https://localhost:8000/webhook", "names localhost"),
        ("https://[::1]/webhook", "names ::1, this machine's own address"),
        ("https://10.1.2.3/webhook", "names 10.1.2.3, a private address"),
        ("https://192.168.0.7/webhook", "a private address"),
        ("https://rfc-bot/webhook", "names rfc-bot, not a public host name"),
        ("https://printer.local/webhook", "names printer.local"),
        ("rfcs.acme.dev/webhook", "is not an http(s) URL"),
        ("https://[::1/webhook", "is not an http(s) URL"),
    ],
)
def test_a_webhook_url_github_cannot_reach_is_refused_before_anything_runs(
    tmp_path: Path, url: str | None, reason: str
) -> None:
    opts = Options(manifest_path=ROOT / "app.yml", env_path=tmp_path / ".env", webhook_url=url)
    with pytest.raises(RegisterError) as refused:
        asyncio.run(register.register(opts))
    message = str(refused.value)
    assert reason in message and "\n" not in message
    assert message.endswith(
        ": pass --webhook-url https://YOUR-HOST/webhook, or --local for a trial App on this machine"
    )
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize(
    ("url", "enterprise", "reason"),
    [
        ("https://rfcs.acme.dev/webhook", False, None),
        ("https://203.0.113.9.nip.io/webhook", False, None),  # a public name
        ("https://8.8.4.4/webhook", False, None),
        ("https://10.1.2.3/webhook", True, None),  # an Enterprise Server inside the network
        ("https://rfc-bot/webhook", True, None),
        ("https://rfc-bot.example.com/webhook", True, "is a placeholder"),
        ("https://127.0.0.1/webhook", True, "this machine's own address"),
        ("http://10.1.2.3/webhook", True, "is not https"),
    ],
)
def test_what_github_and_an_enterprise_server_can_reach(
    url: str, enterprise: bool, reason: str | None
) -> None:
    found = register.undeliverable(url, enterprise=enterprise)
    assert (found is None) if reason is None else (reason in (found or ""))


def test_an_enterprise_server_is_told_apart_by_its_address(tmp_path: Path) -> None:
    register.check_webhook_url("https://10.1.2.3/webhook", "https://ghe.acme.dev")
    with pytest.raises(RegisterError, match="private address"):
        register.check_webhook_url("https://10.1.2.3/webhook", "https://github.com/")


def test_the_command_refuses_the_placeholder_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    argv = ["register", "--manifest", str(ROOT / "app.yml"), "--env-file", str(env)]
    assert main([*argv, "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--webhook-url https://YOUR-HOST/webhook" in err
    assert "--local" in err and not env.exists()


async def test_local_registers_a_trial_app_with_an_http_loopback_webhook(
    sim: Simulator, tmp_path: Path
) -> None:
    opts = options(sim, tmp_path, webhook_url="http://127.0.0.1:8000/webhook", local=True)
    _, (_, _, manifest) = await registered(opts)
    assert manifest["hook_attributes"]["url"] == "http://127.0.0.1:8000/webhook"
    assert "GITHUB_APP_ID=" in (tmp_path / ".env").read_text()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1./webhook", "names 127.0.0.1, this machine's own address"),
        ("https://10.1.2.3./webhook", "names 10.1.2.3, a private address"),
        ("https://rfcs.acme.dev:99999/webhook", "has no valid port (99999)"),
        ("https://rfcs.acme.dev:https/webhook", "has no valid port (https)"),
        ("https://rfc-bot.internal/webhook", "names rfc-bot.internal, which GitHub cannot"),
        ("https://nas.home.arpa/webhook", "names nas.home.arpa, which GitHub cannot"),
    ],
)
def test_trailing_dots_bad_ports_and_private_use_names_are_undeliverable(
    url: str, reason: str
) -> None:
    assert reason in (register.undeliverable(url) or "")
