"""The webhook's intake: verify a delivery, refuse what must be refused, queue the rest, 202.

Nothing heavy happens before the 202: a delivery is verified (gidgethub's constant-time HMAC
check), parsed once and appended to its ordering key's queue (``bot.serve.scheduler``): one
pull request's deliveries run one after another, repositories take turns. A delivery id seen
before is answered and dropped. A delivery is refused with 503 and ``Retry-After`` when its
expected wait would pass ``MAX_WAIT_SECONDS`` (the backlog over the measured service rate) or
a memory cap would be passed, so the failure is on record rather than lost, and an accepted
delivery is handled soon.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gidgethub
import orjson
from aiohttp import web
from cachetools import TTLCache
from gidgethub import sansio

from bot.serve.dispatch import Queued, payload_part, pull_number
from bot.serve.metrics import Metrics
from bot.serve.scheduler import Limits, Refusal, Scheduler
from bot.serve.settings import Settings

delivery_log = logging.getLogger("bot.delivery")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB.
SEEN_DELIVERIES = 20_000
SEEN_TTL_SECONDS = 6 * 3600
RETRY_AFTER_SECONDS = 60  # a hint to whoever redelivers; GitHub itself does not retry

_ACCEPTED = b'{"accepted": true}'
_DUPLICATE = b'{"accepted": true, "duplicate": true}'
_REFUSALS = {
    Refusal.PENDING: "too many deliveries pending",
    Refusal.PER_KEY: "too many deliveries pending for this pull request",
    Refusal.BYTES: "too many bytes of deliveries pending",
    Refusal.WAIT: "the App is behind: this delivery would wait past MAX_WAIT_SECONDS",
}


def intake_limits(settings: Settings) -> Limits:
    """The backlog's limits, per serving process."""
    return Limits(
        concurrency=settings.max_concurrency,
        max_pending=settings.max_pending,
        max_pending_per_key=settings.max_pending_per_pr,
        max_pending_bytes=settings.max_pending_mb * 1024 * 1024,
        max_wait_seconds=settings.max_wait_seconds,
    )


@dataclass
class Intake:
    """``POST /webhook`` and what it keeps: the backlog (``scheduler``: one queue per ordering
    key, a round-robin across repositories, the limits past which it answers 503) and the
    delivery ids seen lately."""

    settings: Settings
    metrics: Metrics
    scheduler: Scheduler[Queued]
    seen: TTLCache[str, bool] = field(
        default_factory=lambda: TTLCache(maxsize=SEEN_DELIVERIES, ttl=SEEN_TTL_SECONDS)
    )
    # Told (event, payload, cause) of each delivery refused with 503: the repair list does
    # its work once load falls.
    refused: Callable[[str, Mapping[str, Any], str], None] | None = None

    @property
    def pending(self) -> int:
        """Accepted deliveries not yet fully handled (queued or running)."""
        return self.scheduler.pending

    async def webhook(self, request: web.Request) -> web.Response:
        headers = request.headers
        body = await request.read()  # > client_max_size raises 413 here
        secret = self.settings.webhook_secret
        rejection = _reject(headers, body, secret)
        if rejection is not None:
            status, message = rejection
            return self._rejected(headers, status, message)
        # What Event.from_http does (gidgethub's constant-time HMAC check, then one JSON
        # parse), minus its second content-type parse: _reject has checked the content type.
        try:
            sansio.validate_event(body, signature=headers["x-hub-signature-256"], secret=secret)
        except gidgethub.ValidationFailure:
            return self._rejected(headers, 401, "the signature does not match the secret")
        data = _parse_json(body)
        if data is _INVALID:
            return self._rejected(headers, 400, "the body is not valid JSON")
        if not isinstance(data, dict):
            return self._rejected(headers, 400, "the body is not a JSON object")
        event = sansio.Event(
            data, event=headers["x-github-event"], delivery_id=headers["x-github-delivery"]
        )
        return self._accept(event, headers, len(body))

    def _accept(self, event: sansio.Event, headers: Mapping[str, str], size: int) -> web.Response:
        """A verified delivery: pong, dropped as a duplicate, refused past a limit, or queued."""
        if event.event == "ping":
            self.metrics.count_delivery("ping", "pong")
            return web.json_response({"pong": True, "hook_id": event.data.get("hook_id")})
        if event.delivery_id in self.seen:
            self.metrics.count_delivery(event.event, "duplicate")
            return web.Response(status=202, body=_DUPLICATE, content_type="application/json")
        key = ordering_key(event)
        refusal = self.scheduler.refusal(key, size)
        if refusal is not None:
            if self.refused is not None:
                cause = f"delivery {event.delivery_id}: refused, backlog full"
                self.refused(event.event, event.data, cause)
            return self._refused(headers, refusal)
        self.seen[event.delivery_id] = True
        self.scheduler.submit(Queued(event, time.monotonic()), key, fairness_group(event), size)
        return web.Response(status=202, body=_ACCEPTED, content_type="application/json")

    def _rejected(self, headers: Mapping[str, str], status: int, message: str) -> web.Response:
        event = headers.get("x-github-event") or "unknown"
        # A 401 is the one refusal of a delivery whose signature did not check out: its headers
        # are anyone's, and as a metric label they would let anyone create series without end.
        # The log line keeps what was sent (it goes through redaction like any other).
        label = "unauthenticated" if status == 401 else event
        self.metrics.count_delivery(label, f"rejected_{status}")
        delivery_log.warning(
            "delivery rejected: %s",
            message,
            extra={
                "delivery_id": headers.get("x-github-delivery"),
                "event": event,
                "outcome": f"rejected_{status}",
            },
        )
        return web.json_response({"error": message}, status=status)

    def _refused(self, headers: Mapping[str, str], refusal: Refusal) -> web.Response:
        """503 when the wait or a cap would be passed: refused rather than dropped, so the
        failure is on record (GitHub lists it under the App's recent deliveries; the repair
        list does its work once load falls, and the reconciler's sweep would find it too)."""
        self.metrics.count_refusal(refusal.value)
        response = self._rejected(headers, 503, f"{_REFUSALS[refusal]}; redeliver later")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _reject(headers: Mapping[str, str], body: bytes, secret: str) -> tuple[int, str] | None:
    """(status, message) for a delivery refused before parsing, else None."""
    signature = headers.get("x-hub-signature-256")
    if not signature:
        return 401, "X-Hub-Signature-256 is missing: set a webhook secret on the App"
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    missing = [h for h in ("X-GitHub-Event", "X-GitHub-Delivery") if not headers.get(h)]
    if content_type != "application/json" or missing:
        # Rare paths: authenticate first so strangers learn nothing about what we accept.
        try:
            sansio.validate_event(body, signature=signature, secret=secret)
        except gidgethub.ValidationFailure:
            return 401, "the signature does not match the secret"
        if content_type != "application/json":
            return 415, (
                "the content type must be application/json: choose 'application/json'"
                " as the webhook's content type in the App settings"
            )
        return 400, f"missing header(s): {', '.join(missing)}"
    return None


_INVALID = object()
# Bodies with more brackets than this are parsed by ``json`` (see _parse_json); GitHub's own
# payloads hold far fewer.
_ORJSON_MAX_BRACKETS = 10_000


def _parse_json(body: bytes) -> Any:
    """The parsed body, or ``_INVALID``.

    orjson parses a 22 KB payload in half the time ``json`` takes. It refuses a few things
    ``json`` takes (NaN, escaped lone surrogates): ``json`` decides those, so what is accepted
    does not change; the fallback only runs on signed bodies. (orjson reads an integer beyond
    64 bits as a float; GitHub's ids and numbers are far below that.) Bodies with many brackets
    go to ``json`` directly, which refuses nesting past the recursion limit instead of crashing.
    """
    # Nesting is at most the number of brackets. orjson (3.8) overflows the C stack and
    # kills the process on objects nested ~100,000 deep; ``json`` raises RecursionError.
    if body.count(b"{") + body.count(b"[") <= _ORJSON_MAX_BRACKETS:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past any use
        return _INVALID


def ordering_key(event: sansio.Event) -> str:
    """Deliveries with one key are handled in order: per pull request where there is one."""
    data = event.data
    repo = str(payload_part(data, "repository").get("full_name") or "")
    number = pull_number(event)
    if number is not None:
        return f"{repo}#{number}"
    for name in ("check_run", "check_suite"):
        head_sha = payload_part(data, name).get("head_sha")
        if head_sha:
            return f"{repo}@{head_sha}"
    if repo:
        return repo
    return f"installation:{payload_part(data, 'installation').get('id')}"


def fairness_group(event: sansio.Event) -> str:
    """Deliveries of one group take turns with other groups: one group per repository."""
    repo = payload_part(event.data, "repository").get("full_name")
    if isinstance(repo, str) and repo:
        return repo
    return f"installation:{payload_part(event.data, 'installation').get('id')}"
