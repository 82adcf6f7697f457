"""The assembled app: draining on shutdown, ``/healthz``, ``/metrics`` and its registry."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gidgethub import routing, sansio

from bot.features.context import Context
from bot.policy.provenance import signing_key
from bot.serve.app import CONTEXT, LINT_POOL, METRICS, create_app
from bot.serve.settings import Settings
from tests.serve.helpers import Bot, pr_payload, recorder, signed_headers


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


async def test_the_app_builds_its_context_once_from_its_settings(settings: Settings) -> None:
    def clock() -> datetime:
        return datetime(2024, 5, 1, tzinfo=UTC)

    app = create_app(settings, router=routing.Router(), clock=clock, announce_after_seconds=7.0)
    context = app[CONTEXT]
    assert context.signing_key == signing_key(settings.webhook_secret)  # same on every replica
    assert context.app_id == int(settings.app_id)
    assert (context.clock, context.announce_after_seconds) == (clock, 7.0)
    assert context.lint == app[LINT_POOL].lint  # the pool starts with the app, not before
    context.deferred("check")
    assert app[METRICS].registry.get_sample_value("rfcbot_deferred_total", {"kind": "check"}) == 1
