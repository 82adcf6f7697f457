from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from gidgethub import routing, sansio

from bot.errors import UserError
from bot.features.context import Context
from bot.github.client import GitHubClient
from bot.serve.app import (
    GC_YOUNG_THRESHOLD,
    INTAKE,
    MAX_BODY_BYTES,
    METRICS,
    create_app,
    tune_gc,
    wait_idle,
)
from bot.serve.logs import configure_logging
from bot.serve.settings import Settings

Handler = Callable[[sansio.Event, Any, Context], Awaitable[None]]


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": delivery_id,
        "X-Hub-Signature-256": sign(body, secret),
    }


def pr_payload(number: int, repo: str = "octo-org/rfcs", **extra: Any) -> dict[str, Any]:
    return {
        "action": "opened",
        "number": number,
        "pull_request": {"number": number, "head": {"sha": "a" * 40}},
        "repository": {"full_name": repo},
        "installation": {"id": 99},
        **extra,
    }


class Bot:
    """The real app on a loopback test server, with a router the test fills in."""

    def __init__(self, client: TestClient, app: web.Application, settings: Settings) -> None:
        self.client = client
        self.app = app
        self.secret = settings.webhook_secret
        self.seen: list[tuple[str, sansio.Event, Any, Context]] = []

    async def post(
        self,
        event: str,
        payload: Any,
        *,
        delivery_id: str = "d-1",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, Any]:
        raw = body if body is not None else json.dumps(payload).encode()
        sent = signed_headers(raw, self.secret, delivery_id) | {"X-GitHub-Event": event}
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v}
        response = await self.client.post("/webhook", data=raw, headers=sent)
        return response.status, await response.json()

    async def idle(self) -> None:
        await wait_idle(self.app)


@pytest.fixture
def router() -> routing.Router:
    return routing.Router()


@pytest.fixture
def context() -> Context:
    return Context()


@pytest.fixture
async def bot(settings: Settings, router: routing.Router, context: Context) -> AsyncIterator[Bot]:
    app = create_app(settings, router=router, context=context)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Bot(client, app, settings)
    await client.close()


def recorder(bot_ref: list[Bot], name: str = "h") -> Handler:
    async def handler(event: sansio.Event, gh: Any, ctx: Context) -> None:
        bot_ref[0].seen.append((name, event, gh, ctx))

    return handler


# --- rejected deliveries -------------------------------------------------------------------


async def test_missing_signature_is_401(bot: Bot, router: routing.Router) -> None:
    router.add(recorder([bot]), "pull_request")
    status, body = await bot.post(
        "pull_request", pr_payload(1), headers={"X-Hub-Signature-256": ""}
    )
    await bot.idle()
    assert status == 401
    assert "X-Hub-Signature-256" in body["error"]
    assert bot.seen == []


async def test_wrong_signature_is_401(bot: Bot, router: routing.Router) -> None:
    router.add(recorder([bot]), "pull_request")
    status, _ = await bot.post(
        "pull_request", pr_payload(1), headers={"X-Hub-Signature-256": sign(b"other", bot.secret)}
    )
    await bot.idle()
    assert status == 401
    assert bot.seen == []


async def test_form_encoded_is_415_with_advice(bot: Bot) -> None:
    body = b"payload=%7B%7D"
    status, answer = await bot.post(
        "pull_request",
        None,
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    assert "application/json" in answer["error"]


async def test_form_encoded_unsigned_is_401_first(bot: Bot) -> None:
    status, _ = await bot.post(
        "pull_request",
        None,
        body=b"payload=%7B%7D",
        headers={"Content-Type": "text/plain", "X-Hub-Signature-256": "sha256=00"},
    )
    assert status == 401


async def test_malformed_json_is_400(bot: Bot) -> None:
    status, answer = await bot.post("pull_request", None, body=b'{"action": ')
    assert status == 400
    assert "JSON" in answer["error"]


async def test_json_that_is_not_an_object_is_400(bot: Bot) -> None:
    status, _ = await bot.post("pull_request", [1, 2])
    assert status == 400


@pytest.mark.parametrize("header", ["X-GitHub-Event", "X-GitHub-Delivery"])
async def test_missing_github_header_is_400(bot: Bot, header: str) -> None:
    status, answer = await bot.post("pull_request", pr_payload(1), headers={header: ""})
    assert status == 400
    assert header in answer["error"]


async def test_body_over_25_mb_is_413(bot: Bot, router: routing.Router) -> None:
    router.add(recorder([bot]), "pull_request")
    body = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await bot.client.post(
        "/webhook", data=body, headers=signed_headers(body, bot.secret, "big")
    )
    assert response.status == 413
    assert bot.seen == []


# --- accepted deliveries -------------------------------------------------------------------


async def test_ping_answered(bot: Bot) -> None:
    status, answer = await bot.post("ping", {"zen": "Keep it simple.", "hook_id": 7})
    assert (status, answer) == (200, {"pong": True, "hook_id": 7})


async def test_accepted_and_dispatched_in_background(
    bot: Bot, router: routing.Router, context: Context
) -> None:
    router.add(recorder([bot]), "pull_request", action="opened")
    status, answer = await bot.post("pull_request", pr_payload(5), delivery_id="abc")
    assert status == 202
    assert answer == {"accepted": True}
    await bot.idle()
    [(_, event, gh, ctx)] = bot.seen
    assert (event.event, event.delivery_id, event.data["number"]) == ("pull_request", "abc", 5)
    assert isinstance(gh, GitHubClient)
    assert ctx is context


async def test_event_no_handler_takes_is_ignored_without_a_client(
    bot: Bot,
    router: routing.Router,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    router.add(recorder([bot]), "pull_request", action="closed")
    clients = bot.app[INTAKE].clients
    assert clients is not None
    built: list[str] = []
    monkeypatch.setattr(clients, "installation_client", lambda *a: built.append("installation"))
    monkeypatch.setattr(clients, "app_client", lambda *a: built.append("app"))
    with caplog.at_level(logging.INFO):
        await bot.post("pull_request", pr_payload(3), delivery_id="opened")  # action: opened
        await bot.post("issue_comment", {"issue": {"number": 3}}, delivery_id="comment")
        await bot.idle()
    lines = [(r.delivery_id, r.outcome) for r in caplog.records if r.name == "bot.delivery"]
    assert lines == [("opened", "ignored"), ("comment", "ignored")]
    assert (bot.seen, built) == ([], [])
    page = await (await bot.client.get("/metrics")).text()
    assert "rfcbot_github_api_calls_total{" not in page


async def test_one_client_per_delivery_shared_by_its_handlers(
    bot: Bot, router: routing.Router
) -> None:
    router.add(recorder([bot], "first"), "pull_request")
    router.add(recorder([bot], "second"), "pull_request", action="opened")
    await bot.post("pull_request", pr_payload(4), delivery_id="one")
    await bot.post("pull_request", pr_payload(4), delivery_id="two")
    await bot.idle()
    clients = [gh for _, _, gh, _ in bot.seen]
    assert len(clients) == 4
    assert clients[0] is clients[1]
    assert clients[2] is clients[3]
    assert clients[0] is not clients[2]  # it carries its delivery's deadline


async def test_duplicate_delivery_processed_once(bot: Bot, router: routing.Router) -> None:
    router.add(recorder([bot]), "pull_request")
    first = await bot.post("pull_request", pr_payload(5), delivery_id="same")
    second = await bot.post("pull_request", pr_payload(5), delivery_id="same")
    await bot.idle()
    assert first == (202, {"accepted": True})
    assert second == (202, {"accepted": True, "duplicate": True})
    assert len(bot.seen) == 1


async def test_events_of_one_pull_request_handled_in_order(
    bot: Bot, router: routing.Router
) -> None:
    order: list[str] = []

    async def handler(event: sansio.Event, gh: Any, ctx: Context) -> None:
        tag = event.data["tag"]
        order.append(f"start {tag}")
        # The first delivery yields the loop many times: a later one must still wait.
        for _ in range(20 if tag == "first" else 0):
            await asyncio.sleep(0)
        order.append(f"end {tag}")

    router.add(handler, "pull_request")
    router.add(handler, "issue_comment")
    router.add(handler, "check_run")
    await bot.post("pull_request", pr_payload(5, tag="first"), delivery_id="1")
    await bot.post(
        "issue_comment",
        {"issue": {"number": 5}, "tag": "second", "repository": {"full_name": "octo-org/rfcs"}},
        delivery_id="2",
    )
    await bot.post(
        "check_run",
        {
            "check_run": {"head_sha": "b" * 40, "pull_requests": [{"number": 5}]},
            "repository": {"full_name": "octo-org/rfcs"},
            "tag": "third",
        },
        delivery_id="3",
    )
    await bot.idle()
    assert order == [
        "start first",
        "end first",
        "start second",
        "end second",
        "start third",
        "end third",
    ]


async def test_different_pull_requests_run_in_parallel(bot: Bot, router: routing.Router) -> None:
    other_started = asyncio.Event()
    finished: list[int] = []

    async def handler(event: sansio.Event, gh: Any, ctx: Context) -> None:
        number = event.data["number"]
        if number == 1:
            # Completes only if PR 2's handler runs while this one is still in progress.
            async with asyncio.timeout(3):
                await other_started.wait()
        else:
            other_started.set()
        finished.append(number)

    router.add(handler, "pull_request")
    await bot.post("pull_request", pr_payload(1), delivery_id="a")
    await bot.post("pull_request", pr_payload(2), delivery_id="b")
    await bot.idle()
    assert finished == [2, 1]


async def test_handler_errors_do_not_stop_others(
    bot: Bot, router: routing.Router, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(event: sansio.Event, gh: Any, ctx: Context) -> None:
        raise RuntimeError("bug")

    router.add(broken, "pull_request")
    router.add(recorder([bot]), "pull_request")
    with caplog.at_level(logging.INFO):
        await bot.post("pull_request", pr_payload(1), delivery_id="x1")
        await bot.post("pull_request", pr_payload(1), delivery_id="x2")
        await bot.idle()
    assert len(bot.seen) == 2  # the sibling handler ran both times
    outcomes = [r.outcome for r in caplog.records if r.name == "bot.delivery"]
    assert outcomes == ["error", "error"]
    assert any("internal error" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_user_error_logged_at_info(
    bot: Bot, router: routing.Router, caplog: pytest.LogCaptureFixture
) -> None:
    async def refuse(event: sansio.Event, gh: Any, ctx: Context) -> None:
        raise UserError("only maintainers may do that")

    router.add(refuse, "pull_request")
    with caplog.at_level(logging.INFO):
        await bot.post("pull_request", pr_payload(1))
        await bot.idle()
    [record] = [r for r in caplog.records if "only maintainers" in r.getMessage()]
    assert record.levelno == logging.INFO
    [line] = [r for r in caplog.records if r.name == "bot.delivery"]
    assert line.outcome == "user_error"


async def test_event_budget_enforced(
    settings: Settings, router: routing.Router, caplog: pytest.LogCaptureFixture
) -> None:
    async def stuck(event: sansio.Event, gh: Any, ctx: Context) -> None:
        await asyncio.Event().wait()

    router.add(stuck, "pull_request")
    app = create_app(
        Settings(
            settings.app_id,
            settings.private_key,
            settings.webhook_secret,
            event_budget_seconds=0.05,
            lint_workers=0,
        ),
        router=router,
    )
    async with TestClient(TestServer(app)) as client:
        body = json.dumps(pr_payload(1)).encode()
        await client.post(
            "/webhook", data=body, headers=signed_headers(body, settings.webhook_secret, "slow")
        )
        with caplog.at_level(logging.INFO):
            await wait_idle(app)
    [line] = [r for r in caplog.records if r.name == "bot.delivery"]
    assert line.outcome == "timeout"


async def test_drain_on_shutdown(settings: Settings, router: routing.Router) -> None:
    release = asyncio.Event()
    done: list[str] = []

    async def slow(event: sansio.Event, gh: Any, ctx: Context) -> None:
        started.set()
        await release.wait()
        done.append(event.delivery_id)

    started = asyncio.Event()
    router.add(slow, "pull_request")
    app = create_app(settings, router=router)
    client = TestClient(TestServer(app))
    await client.start_server()
    body = json.dumps(pr_payload(1)).encode()
    response = await client.post(
        "/webhook", data=body, headers=signed_headers(body, settings.webhook_secret, "in-flight")
    )
    assert response.status == 202
    await started.wait()
    closing = asyncio.create_task(client.close())  # runs on_shutdown: drains
    await asyncio.sleep(0)
    assert not closing.done()
    release.set()
    await closing
    assert done == ["in-flight"]


async def test_shutdown_past_the_drain_bound_logs_every_unhandled_delivery(
    settings: Settings,
    router: routing.Router,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def stuck(event: sansio.Event, gh: Any, ctx: Context) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr("bot.serve.app.DRAIN_SECONDS", 0.05)
    router.add(stuck, "pull_request")
    app = create_app(settings, router=router)
    client = TestClient(TestServer(app))
    await client.start_server()
    body = json.dumps(pr_payload(1)).encode()
    for delivery_id in ("running", "queued"):  # one PR: the second waits behind the first
        headers = signed_headers(body, settings.webhook_secret, delivery_id)
        assert (await client.post("/webhook", data=body, headers=headers)).status == 202
    with caplog.at_level(logging.INFO):
        await client.close()
    lines = [r for r in caplog.records if r.name == "bot.delivery"]
    assert [(r.delivery_id, r.outcome) for r in lines] == [
        ("running", "cancelled"),
        ("queued", "cancelled"),
    ]
    assert any("2 deliveries unhandled" in r.getMessage() for r in caplog.records)


async def test_in_flight_counts_queued_and_running_deliveries(
    bot: Bot, router: routing.Router
) -> None:
    release = asyncio.Event()

    async def blocked(event: sansio.Event, gh: Any, ctx: Context) -> None:
        await release.wait()

    router.add(blocked, "pull_request")
    await bot.post("pull_request", pr_payload(1), delivery_id="f1")
    await bot.post("pull_request", pr_payload(1), delivery_id="f2")
    await bot.post("pull_request", pr_payload(2), delivery_id="f3")
    page = await (await bot.client.get("/metrics")).text()
    assert "rfcbot_deliveries_in_flight 3.0" in page
    release.set()
    await bot.idle()
    page = await (await bot.client.get("/metrics")).text()
    assert "rfcbot_deliveries_in_flight 0.0" in page


# --- health, metrics, logs -----------------------------------------------------------------


async def test_healthz(bot: Bot) -> None:
    response = await bot.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_metrics(bot: Bot, router: routing.Router) -> None:
    router.add(recorder([bot]), "pull_request")
    await bot.post("pull_request", pr_payload(1), delivery_id="m1")
    await bot.post("issue_comment", {"issue": {"number": 1}}, delivery_id="m2")
    await bot.post("pull_request", pr_payload(1), headers={"X-Hub-Signature-256": "sha256=0"})
    await bot.idle()
    response = await bot.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert 'rfcbot_deliveries_total{event="pull_request",outcome="handled"} 1.0' in text
    assert 'rfcbot_deliveries_total{event="issue_comment",outcome="ignored"} 1.0' in text
    assert 'rfcbot_deliveries_total{event="unauthenticated",outcome="rejected_401"} 1.0' in text
    assert 'rfcbot_delivery_seconds_count{event="pull_request"} 1.0' in text
    assert "rfcbot_deliveries_in_flight 0.0" in text
    for name in (
        "rfcbot_github_api_calls",
        "rfcbot_github_api_retries",
        "rfcbot_github_rate_limit_remaining",
    ):
        assert f"# TYPE {name}" in text


async def test_unauthenticated_event_names_make_no_metric_series(bot: Bot) -> None:
    """Anyone can send any X-GitHub-Event: it becomes a label only once the signature holds."""
    for n in range(3):
        status, _ = await bot.post(
            f"made-up-{n}", pr_payload(1), headers={"X-Hub-Signature-256": "sha256=0"}
        )
        assert status == 401
    status, _ = await bot.post("made-up-signed", None, body=b"{")  # signed, then refused
    assert status == 400
    text = await (await bot.client.get("/metrics")).text()
    assert 'rfcbot_deliveries_total{event="unauthenticated",outcome="rejected_401"} 3.0' in text
    assert 'rfcbot_deliveries_total{event="made-up-signed",outcome="rejected_400"} 1.0' in text
    assert "made-up-0" not in text


async def test_each_app_has_its_own_registry(settings: Settings) -> None:
    first = create_app(settings, router=routing.Router())
    second = create_app(settings, router=routing.Router())
    first[METRICS].deliveries.labels("x", "handled").inc()
    assert (
        second[METRICS].registry.get_sample_value(
            "rfcbot_deliveries_total", {"event": "x", "outcome": "handled"}
        )
        is None
    )


async def test_one_log_line_per_delivery_with_fields(
    bot: Bot, router: routing.Router, caplog: pytest.LogCaptureFixture
) -> None:
    router.add(recorder([bot]), "pull_request")
    with caplog.at_level(logging.INFO):
        await bot.post("pull_request", pr_payload(8), delivery_id="log-1")
        await bot.idle()
    [line] = [r for r in caplog.records if r.name == "bot.delivery"]
    assert line.delivery_id == "log-1"
    assert (line.event, line.action, line.repository, line.pr) == (
        "pull_request",
        "opened",
        "octo-org/rfcs",
        8,
    )
    assert line.outcome == "handled"
    assert line.duration_ms >= 0


async def test_secrets_never_logged(bot: Bot, router: routing.Router, settings: Settings) -> None:
    async def leaky(event: sansio.Event, gh: Any, ctx: Context) -> None:
        raise RuntimeError("request failed: Authorization: token ghs_leakyleakyleaky123")

    router.add(leaky, "pull_request")
    stream = io.StringIO()
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    configure_logging(
        "INFO", "json", stream=stream, secrets=[settings.webhook_secret, settings.private_key]
    )
    try:
        await bot.post("pull_request", pr_payload(1), delivery_id="leak")
        await bot.post("pull_request", pr_payload(1), headers={"X-Hub-Signature-256": "x"})
        await bot.idle()
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
    output = stream.getvalue()
    assert "ghs_leakyleakyleaky123" not in output
    assert settings.webhook_secret not in output
    assert "PRIVATE KEY" not in output
    lines = [json.loads(line) for line in output.splitlines()]
    outcomes = {line["delivery_id"]: line["outcome"] for line in lines if "outcome" in line}
    assert outcomes == {"leak": "error", "d-1": "rejected_401"}


# --- start-up ------------------------------------------------------------------------------


def test_tune_gc_raises_the_young_threshold_and_freezes_start_up_objects() -> None:
    threshold = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *threshold[1:])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_main_names_missing_setting_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.serve.app import main

    for name in (
        "GITHUB_APP_ID",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_PRIVATE_KEY_PATH",
        "GITHUB_WEBHOOK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    assert main() == 2
    assert capsys.readouterr().err == "rfc-bot: error: GITHUB_APP_ID is not set\n"


def test_main_bad_key_not_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.serve.app import main

    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", "sekrit-not-a-key")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "a-long-enough-secret")
    assert main() == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot: error: GITHUB_PRIVATE_KEY is not a PEM-encoded private key")
    assert "sekrit" not in err


def test_main_refuses_a_short_webhook_secret_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], private_key_pem: str
) -> None:
    from bot.serve.app import main

    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", private_key_pem)
    monkeypatch.delenv("GITHUB_PRIVATE_KEY_PATH", raising=False)
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "e")
    assert main() == 2
    assert capsys.readouterr().err == (
        "rfc-bot: error: GITHUB_WEBHOOK_SECRET must be at least 16 characters"
        " (use a random value, e.g. the output of `openssl rand -hex 32`)\n"
    )
