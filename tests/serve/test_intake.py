"""``POST /webhook``: what is refused (and how it is told), what is accepted, duplicates, and
the order deliveries run in (one pull request after another, pull requests in parallel)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gidgethub import routing, sansio

from bot.features.context import Context
from bot.serve.intake import MAX_BODY_BYTES
from tests.serve.helpers import (
    Bot,
    check_run_payload,
    comment_payload,
    pr_payload,
    recorder,
    sign,
    signed_headers,
)


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


async def test_ping_answered(bot: Bot) -> None:
    status, answer = await bot.post("ping", {"zen": "Keep it simple.", "hook_id": 7})
    assert (status, answer) == (200, {"pong": True, "hook_id": 7})


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
    await bot.post("issue_comment", comment_payload(5, tag="second"), delivery_id="2")
    await bot.post("check_run", check_run_payload("b" * 40, 5, tag="third"), delivery_id="3")
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
