"""Matching a delivery and reading it once (``bot.features.handling.route``), the shared
step of the server and the Action; each handler guarded on its own (``run_handler``)."""

from __future__ import annotations

from typing import Any

import pytest
from gidgethub import routing, sansio

from bot.deliveries import Delivery, PullDelivery
from bot.errors import PayloadError, UserError
from bot.features.context import Context
from bot.features.handling import route, run_handler
from tests.serve.helpers import pr_payload


async def on_opened(delivery: PullDelivery, gh: Any, ctx: Context) -> None:
    return None


def router() -> routing.Router:
    found = routing.Router()
    found.add(on_opened, "pull_request", action="opened")
    return found


def event(name: str, payload: Any) -> sansio.Event:
    return sansio.Event(payload, event=name, delivery_id="d-1")


def test_a_delivery_some_handler_takes_is_read_once() -> None:
    routed = route(router(), event("pull_request", pr_payload(4)))
    assert routed is not None
    assert routed.handlers == {on_opened}
    assert isinstance(routed.delivery, PullDelivery)
    assert routed.delivery.pull.number == 4


def test_a_delivery_no_handler_takes_is_not_read() -> None:
    assert route(router(), event("pull_request", pr_payload(4, action="closed"))) is None
    # Of no shape the App relies on, yet nobody would read it: ignored, not refused.
    assert route(router(), event("issue_comment", {"issue": {"number": 3}})) is None


@pytest.mark.parametrize(
    "payload",
    [
        pr_payload(4, repository=None),
        pr_payload(4, installation="x"),
        {**pr_payload(4), "pull_request": "4"},
    ],
)
def test_a_wrong_shape_some_handler_would_read_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(PayloadError):
        route(router(), event("pull_request", payload))


def test_an_action_that_is_no_string_is_refused_before_matching() -> None:
    """gidgethub's router would look a list up in a dict (a TypeError, not a refusal)."""
    with pytest.raises(PayloadError, match="action: expected a string"):
        route(router(), event("pull_request", pr_payload(4, action=["opened"])))


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "handled"),
        (UserError("no"), "user_error"),
        (PayloadError("an answer of the wrong shape"), "ignored_payload"),
        (TimeoutError(), "timeout"),
        (RuntimeError("bug"), "error"),
    ],
)
async def test_each_handler_names_its_outcome(error: Exception | None, outcome: str) -> None:
    async def handler(delivery: Delivery, gh: Any, ctx: Context) -> None:
        if error is not None:
            raise error

    routed = route(router(), event("pull_request", pr_payload(4)))
    assert routed is not None
    assert await run_handler(handler, routed.delivery, None, Context()) == outcome
