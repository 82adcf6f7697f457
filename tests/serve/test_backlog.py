"""The webhook's admission (by expected wait), backlog caps and fairness, through the real app
(``bot.serve.scheduler`` inside)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gidgethub import routing, sansio

from bot.features.context import Context
from bot.policy.repairs import Kind, Repair
from bot.serve.admission import MIN_COMPLETIONS, ServiceRate
from bot.serve.app import INTAKE, REPAIRER, create_app
from bot.serve.intake import RETRY_AFTER_SECONDS, fairness_group, intake_limits
from bot.serve.settings import Settings, SettingsError
from tests.serve.helpers import Bot, pr_payload, signed_headers


@pytest.fixture
def tight(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        max_concurrency=1,
        max_pending=4,
        max_pending_per_pr=2,
        max_pending_mb=1,
        max_wait_seconds=1.0,
    )


@pytest.fixture
async def blocked(tight: Settings) -> AsyncIterator[tuple[Bot, asyncio.Event, list[str]]]:
    """An app whose pull_request handler waits for a release, recording what started."""
    release = asyncio.Event()
    started: list[str] = []

    async def handler(event: sansio.Event, gh: Any, ctx: Context) -> None:
        started.append(event.delivery_id or "")
        await release.wait()

    router = routing.Router()
    router.add(handler, "pull_request")
    app = create_app(tight, router=router)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Bot(client, app, tight), release, started
    release.set()
    await client.close()


async def test_past_the_per_pr_limit_503_with_retry_after(
    blocked: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    bot, release, _ = blocked
    assert (await bot.post("pull_request", pr_payload(1), delivery_id="a"))[0] == 202
    assert (await bot.post("pull_request", pr_payload(1), delivery_id="b"))[0] == 202
    status, body = await bot.post("pull_request", pr_payload(1), delivery_id="c")
    assert status == 503
    assert "for this pull request" in body["error"]
    # Another pull request still has room.
    assert (await bot.post("pull_request", pr_payload(2), delivery_id="d"))[0] == 202
    release.set()
    await bot.idle()
    # A refused delivery was not remembered as seen: its redelivery is accepted.
    assert (await bot.post("pull_request", pr_payload(1), delivery_id="c"))[0] == 202
    await bot.idle()


async def test_past_the_pending_limit_503_counted_by_limit(
    blocked: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    bot, release, started = blocked
    for number in range(4):
        assert (await bot.post("pull_request", pr_payload(number), delivery_id=f"p{number}"))[
            0
        ] == 202
    response = await bot.client.post(
        "/webhook", **_signed(bot, pr_payload(9), "over")
    )  # the fifth pending delivery
    assert response.status == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = await (await bot.client.get("/metrics")).text()
    assert 'rfcbot_deliveries_refused_total{limit="pending"} 1.0' in page
    assert 'rfcbot_backlog{state="running"} 1.0' in page
    assert 'rfcbot_backlog{state="queued"} 3.0' in page
    assert 'rfcbot_deliveries_total{event="pull_request",outcome="rejected_503"} 1.0' in page
    assert started == ["p0"]  # concurrency 1
    # Refused, and on the repair list: its work is done once load falls.
    assert Repair(Kind.CHECK, "octo-org/rfcs", 9, 99) in bot.app[REPAIRER].pending
    release.set()
    await bot.idle()
    page = await (await bot.client.get("/metrics")).text()
    assert 'rfcbot_backlog{state="queued"} 0.0' in page
    assert "rfcbot_backlog_bytes 0.0" in page


async def test_past_the_byte_limit_503(blocked: tuple[Bot, asyncio.Event, list[str]]) -> None:
    bot, release, _ = blocked
    padding = "x" * (700 * 1024)
    assert (await bot.post("pull_request", pr_payload(1, pad=padding), delivery_id="b1"))[0] == 202
    status, body = await bot.post("pull_request", pr_payload(2, pad=padding), delivery_id="b2")
    assert status == 503 and "bytes" in body["error"]
    release.set()
    await bot.idle()


async def test_only_a_signed_refused_delivery_of_a_known_shape_goes_on_the_repair_list(
    blocked: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    bot, release, _ = blocked
    for number in range(4):  # the backlog is full from here on
        assert (await bot.post("pull_request", pr_payload(number), delivery_id=f"q{number}"))[
            0
        ] == 202
    repairs = bot.app[REPAIRER].pending
    # Forged: refused before the backlog is looked at.
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    status, _ = await bot.post("pull_request", pr_payload(7), delivery_id="x", headers=forged)
    assert status == 401
    # Signed, but naming no installation: nothing the App could repair with.
    bare = {k: v for k, v in pr_payload(8).items() if k != "installation"}
    assert (await bot.post("pull_request", bare, delivery_id="y"))[0] == 503
    # The same work refused twice is one entry.
    for delivery_id in ("z1", "z2"):
        assert (await bot.post("pull_request", pr_payload(9), delivery_id=delivery_id))[0] == 503
    assert len(repairs) == 1 and Repair(Kind.CHECK, "octo-org/rfcs", 9, 99) in repairs
    release.set()
    await bot.idle()


async def test_a_flood_for_one_repository_does_not_starve_another(
    blocked: tuple[Bot, asyncio.Event, list[str]], tight: Settings
) -> None:
    """Through HTTP: 3 deliveries for a flooded repository queue first, then one for a quiet
    repository; it runs second, not last."""
    bot, release, started = blocked
    for number in range(3):
        payload = pr_payload(number, repo="octo/flood")
        assert (await bot.post("pull_request", payload, delivery_id=f"f{number}"))[0] == 202
    quiet = pr_payload(1, repo="octo/quiet")
    assert (await bot.post("pull_request", quiet, delivery_id="quiet"))[0] == 202
    release.set()
    await bot.idle()
    # f0 held the one slot when the quiet delivery arrived; f1 had been waiting longer than
    # any quiet delivery, so one slot of delay at most.
    assert started.index("quiet") <= 2


def test_fairness_group_is_the_repository_else_the_installation() -> None:
    assert fairness_group(sansio.Event(pr_payload(1), event="x", delivery_id="1")) == (
        "octo-org/rfcs"
    )
    bare = sansio.Event({"installation": {"id": 7}}, event="installation", delivery_id="2")
    assert fairness_group(bare) == "installation:7"


def measured_rate(per_second: float) -> ServiceRate:
    """A service rate measured from completions at ``per_second`` for 10 s, with every slot
    busy until now (by the real clock)."""
    rate = ServiceRate()
    now = time.monotonic()
    rate.observe(now - 10.0, True)
    count = round(per_second * 10.0)
    assert count >= MIN_COMPLETIONS
    for n in range(count):
        rate.completed(now - 10.0 + (n + 1) / per_second, 0.01)
    rate.observe(now, True)
    return rate


def metric(page: str, name: str) -> float:
    """The value of an unlabelled sample in a metrics page."""
    return float(next(line for line in page.splitlines() if line.startswith(name + " ")).split()[1])


async def test_past_the_expected_wait_503_counted_as_wait(
    blocked: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    """One slot, measured at about 2.5 deliveries a second, bound 1 s: with one running and
    one queued a new delivery waits 2 completions (0.8 s), with two queued 3 (1.2 s), so the
    fourth is refused and says why."""
    bot, release, started = blocked
    scheduler = bot.app[INTAKE].scheduler
    scheduler.rate = measured_rate(2.5)
    assert 2.0 < (scheduler.per_second() or 0) < 3.0
    for number in range(3):
        assert (await bot.post("pull_request", pr_payload(number), delivery_id=f"w{number}"))[
            0
        ] == 202
    assert scheduler.pending == 3 and scheduler.limits.max_pending == 4  # under every cap
    response = await bot.client.post("/webhook", **_signed(bot, pr_payload(7), "late"))
    assert response.status == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "MAX_WAIT_SECONDS" in (await response.json())["error"]
    page = await (await bot.client.get("/metrics")).text()
    assert 'rfcbot_deliveries_refused_total{limit="wait"} 1.0' in page
    rate = metric(page, "rfcbot_service_rate")
    assert 2.0 < rate < 3.0
    assert metric(page, "rfcbot_expected_wait_seconds") == pytest.approx(3 / rate, rel=0.01)
    release.set()
    await bot.idle()
    assert (await bot.post("pull_request", pr_payload(7), delivery_id="late"))[0] == 202
    await bot.idle()
    assert started[-1] == "late"


async def test_behind_a_stranger_learns_nothing_and_a_redelivery_is_no_refusal(
    blocked: tuple[Bot, asyncio.Event, list[str]],
) -> None:
    """While the App refuses for time: an unsigned delivery is 401 (its signature is checked
    before the backlog is consulted, and it is not counted as a refusal), and a redelivery of
    a delivery already accepted is answered as a duplicate, not refused."""
    bot, release, _ = blocked
    bot.app[INTAKE].scheduler.rate = measured_rate(2.5)
    for number in range(3):
        assert (await bot.post("pull_request", pr_payload(number), delivery_id=f"d{number}"))[
            0
        ] == 202
    assert (await bot.post("pull_request", pr_payload(8), delivery_id="new"))[0] == 503
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    status, _ = await bot.post("pull_request", pr_payload(9), delivery_id="x", headers=forged)
    assert status == 401
    assert await bot.post("pull_request", pr_payload(0), delivery_id="d0") == (
        202,
        {"accepted": True, "duplicate": True},
    )
    page = await (await bot.client.get("/metrics")).text()
    assert 'rfcbot_deliveries_refused_total{limit="wait"} 1.0' in page
    assert bot.app[INTAKE].scheduler.pending == 3
    release.set()
    await bot.idle()


async def test_the_rate_is_absent_from_metrics_until_measured(bot: Bot) -> None:
    page = await (await bot.client.get("/metrics")).text()
    assert "# TYPE rfcbot_service_rate gauge" in page
    assert not any(line.startswith("rfcbot_service_rate") for line in page.splitlines())
    assert metric(page, "rfcbot_expected_wait_seconds") == 0.0  # a slot is free


def test_limits_come_from_the_settings(tight: Settings) -> None:
    limits = intake_limits(tight)
    assert (limits.concurrency, limits.max_pending, limits.max_pending_per_key) == (1, 4, 2)
    assert limits.max_pending_bytes == 1024 * 1024
    assert limits.max_wait_seconds == 1.0


def test_max_wait_seconds_from_the_environment(private_key_pem: str) -> None:
    env = {
        "GITHUB_APP_ID": "1",
        "GITHUB_PRIVATE_KEY": private_key_pem,
        "GITHUB_WEBHOOK_SECRET": "hook-secret-of-16+",
    }
    assert Settings.from_env(env).max_wait_seconds == 10.0
    assert Settings.from_env(env | {"MAX_WAIT_SECONDS": "2.5"}).max_wait_seconds == 2.5
    for bad in ("0", "soon", "-1"):
        with pytest.raises(SettingsError, match=r"^MAX_WAIT_SECONDS must be a number between"):
            Settings.from_env(env | {"MAX_WAIT_SECONDS": bad})


def _signed(bot: Bot, payload: dict[str, Any], delivery_id: str) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    return {"data": body, "headers": signed_headers(body, bot.secret, delivery_id)}
