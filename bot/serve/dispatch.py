"""Handling an accepted delivery: run its handlers, name its outcome, log it once.

The delivery is read into its typed value once (``bot.features.handling.route``; a payload of
the wrong shape is refused there, ``ignored_payload``, before any client is built). Every
handler registered for the event runs, each guarded on its own, within the delivery's time
budget and with one GitHub client per delivery (it carries the deadline). The outcome
(``handled``, ``ignored``, ``user_error``, ``error``, ``timeout``, ...) goes to the metrics
and to the one ``bot.delivery`` log line every delivery gets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from gidgethub import routing, sansio

from bot.deliveries import Delivery
from bot.errors import PayloadError
from bot.features.context import Context
from bot.features.handling import refused, route, run_handler
from bot.github.client import ClientFactory
from bot.serve.logs import log_fields
from bot.serve.metrics import Metrics

log = logging.getLogger(__name__)
delivery_log = logging.getLogger("bot.delivery")

# Outcomes of one handler, worst first: the delivery's outcome is the worst of its handlers'.
_WORST_FIRST = ("error", "timeout", "user_error", "ignored_payload")
# A delivery that ended so left work undone: it goes on the repair list (``failed``).
UNFINISHED = frozenset({"error", "timeout"})


class Queued(NamedTuple):
    """An accepted delivery waiting for (or in) its handling."""

    event: sansio.Event
    accepted: float  # time.monotonic() at acceptance


@dataclass
class Dispatcher:
    """Runs accepted deliveries through the router's handlers (``bot.serve.scheduler`` calls
    ``handle`` for each, and ``never_ran`` for each dropped at shutdown)."""

    router: routing.Router
    context: Context
    metrics: Metrics
    budget_seconds: float  # per delivery: every handler, every GitHub call
    clients: ClientFactory | None = None  # while the app's GitHub session is open
    # Told (event, payload, cause) of each delivery that ended UNFINISHED (the repair list).
    failed: Callable[[str, Mapping[str, Any], str], None] | None = None

    async def handle(self, item: Queued) -> None:
        outcome = "handled"
        try:
            outcome = await self._dispatch(item.event)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:  # outside the handlers (they are guarded one by one): keep the worker
            outcome = "error"
            log.exception("delivery %s failed before reaching its handlers", item.event.delivery_id)
        finally:
            self._log(item, outcome)
            if outcome in UNFINISHED and self.failed is not None:
                event = item.event
                self.failed(event.event, event.data, f"delivery {event.delivery_id}: {outcome}")

    def never_ran(self, item: Queued) -> None:
        """A queued delivery dropped at shutdown: logged so it can be redelivered."""
        self._log(item, "cancelled")

    async def _dispatch(self, event: sansio.Event) -> str:
        """Run every handler registered for the event; returns the delivery's outcome.

        Like ``router.dispatch``, but one handler failing does not keep the others from running.
        """
        try:
            routed = route(self.router, event)
        except PayloadError as error:
            refused(event, error)
            return "ignored_payload"
        if routed is None:
            return "ignored"
        budget = self.budget_seconds
        gh = self._client_for(routed.delivery, budget)
        outcomes: set[str] = set()
        try:
            async with asyncio.timeout(budget):
                for handler in routed.handlers:
                    outcomes.add(await run_handler(handler, routed.delivery, gh, self.context))
        except TimeoutError:
            log.error("delivery %s ran out of its %.0f s budget", event.delivery_id, budget)
            return "timeout"
        return next((outcome for outcome in _WORST_FIRST if outcome in outcomes), "handled")

    def _client_for(self, delivery: Delivery, budget: float) -> Any:
        if self.clients is None:
            raise RuntimeError("the GitHub session is not open (app not started)")
        deadline = self.clients.waiting.deadline(budget)
        if delivery.installation_id is not None:
            return self.clients.installation_client(delivery.installation_id, deadline)
        return self.clients.app_client(deadline)

    def _log(self, item: Queued, outcome: str) -> None:
        log_delivery(self.metrics, item.event, outcome, time.monotonic() - item.accepted)


def log_delivery(metrics: Metrics, event: sansio.Event, outcome: str, seconds: float) -> None:
    """Metrics and the one log line every delivery gets (id, event, repository, PR, outcome)."""
    metrics.count_delivery(event.event, outcome)
    metrics.observe_delivery(event.event, seconds)
    level = logging.ERROR if outcome in ("error", "timeout", "cancelled") else logging.INFO
    if not delivery_log.isEnabledFor(level):
        return  # filtered out: build nothing
    data = event.data
    # None of these can hold a secret (ids, names, numbers, the outcome: the payload is
    # GitHub's, signed, and our tokens and keys never enter it), so log_fields may write
    # them unredacted; messages and tracebacks of other lines are still scrubbed.
    fields = {
        "delivery_id": event.delivery_id,
        "event": event.event,
        "action": data.get("action"),
        "repository": payload_part(data, "repository").get("full_name"),
        "pr": pull_number(event),
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 1),
    }
    log_fields(delivery_log, level, f"delivery {outcome}", fields)


def payload_part(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``data[name]`` when it is an object, else empty: the intake runs before any handler
    checks the payload's shape, so a signed payload of the wrong shape must not break it."""
    value = data.get(name)
    return value if isinstance(value, Mapping) else {}


def pull_number(event: sansio.Event) -> int | None:
    """The pull request (or issue) number the event is about, if any."""
    data = event.data
    for name in ("pull_request", "issue"):
        item = data.get(name)
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            return item["number"]
    for name in ("check_run", "check_suite"):
        pulls = payload_part(data, name).get("pull_requests")
        first = pulls[0] if isinstance(pulls, list) and pulls else None
        if isinstance(first, dict) and isinstance(first.get("number"), int):
            return first["number"]
    return None
