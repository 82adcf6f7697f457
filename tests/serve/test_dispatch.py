"""Handling accepted deliveries: every handler runs, each on its own, with one client per
delivery, within the delivery's budget; one log line per delivery with its outcome."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gidgethub import routing, sansio

from bot.errors import UserError
from bot.features.context import Context
from bot.github.client import GitHubClient
from bot.policy.repairs import Kind, Repair
from bot.serve.app import DISPATCHER, REPAIRER, create_app, wait_idle
from bot.serve.logs import configure_logging
from bot.serve.settings import Settings
from tests.serve.helpers import Bot, pr_payload, recorder, signed_headers


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
    clients = bot.app[DISPATCHER].clients
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
    # What the deliveries left undone is on the repair list, once.
    repairs = bot.app[REPAIRER].pending
    assert len(repairs) == 1 and Repair(Kind.CHECK, "octo-org/rfcs", 1, 99) in repairs
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
    assert len(bot.app[REPAIRER].pending) == 0  # told on the pull request: nothing to repair


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
