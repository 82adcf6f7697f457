"""The webhook server: verify a delivery, answer 202, handle it in the background.

Work is ordered per pull request (one delivery after another for the same PR), runs in
parallel across pull requests under a concurrency bound, is deduplicated by delivery id,
and is drained on shutdown. Nothing heavy happens before the 202.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import gidgethub
from aiohttp import web
from cachetools import TTLCache
from gidgethub import routing, sansio

from bot.features.context import Context, UserError
from bot.github.auth import AppAuth
from bot.github.client import USER_AGENT, ClientFactory
from bot.logs import configure_logging
from bot.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)
delivery_log = logging.getLogger("bot.delivery")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB.
MAX_PENDING = 10_000  # accepted but unhandled deliveries; beyond this, answer 503
DRAIN_SECONDS = 25.0  # below the usual 30 s SIGTERM grace period of process managers
SEEN_DELIVERIES = 20_000
SEEN_TTL_SECONDS = 6 * 3600

_ACCEPTED = b'{"accepted": true}'
_DUPLICATE = b'{"accepted": true, "duplicate": true}'


@dataclass
class Intake:
    """Per-app state of accepted deliveries."""

    settings: Settings
    router: routing.Router
    context: Context
    metrics: Metrics
    semaphore: asyncio.Semaphore
    seen: TTLCache[str, bool] = field(
        default_factory=lambda: TTLCache(maxsize=SEEN_DELIVERIES, ttl=SEEN_TTL_SECONDS)
    )
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    tails: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    clients: ClientFactory | None = None


INTAKE = web.AppKey("intake", Intake)
METRICS = web.AppKey("metrics", Metrics)


def create_app(
    settings: Settings, *, router: routing.Router | None = None, context: Context | None = None
) -> web.Application:
    """The aiohttp application: ``POST /webhook``, ``GET /healthz``, ``GET /metrics``."""
    if router is None:
        from bot.features import router as features_router

        router = features_router
    metrics = Metrics()
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[METRICS] = metrics
    app[INTAKE] = Intake(
        settings=settings,
        router=router,
        context=context or Context(),
        metrics=metrics,
        semaphore=asyncio.Semaphore(settings.max_concurrency),
    )
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    app.cleanup_ctx.append(_github_session)
    app.on_shutdown.append(_drain)
    return app


async def wait_idle(app: web.Application) -> None:
    """Return once every delivery accepted so far (and any they led to) is fully handled."""
    intake = app[INTAKE]
    while intake.tasks:
        await asyncio.wait(set(intake.tasks))


def run(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM, then drain."""
    secrets = (settings.webhook_secret, settings.private_key)
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)
    log.info(
        "rfc-bot listening",
        extra={"host": settings.host, "port": settings.port, "api_url": settings.api_url},
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=DRAIN_SECONDS,
    )


def main() -> int:
    """``rfc-bot serve``: settings from the environment; exit 2 on a bad setting."""
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"rfc-bot: error: {error}", file=sys.stderr)
        return 2
    run(settings)
    return 0


# --- HTTP handlers -------------------------------------------------------------------------


async def webhook(request: web.Request) -> web.Response:
    intake = request.app[INTAKE]
    headers = request.headers
    body = await request.read()  # > client_max_size raises 413 here
    rejection = _reject(headers, body, intake.settings.webhook_secret)
    if rejection is not None:
        status, message = rejection
        return _rejected(intake, headers, status, message)
    # What Event.from_http does (gidgethub's constant-time HMAC check, then one JSON parse),
    # minus its second content-type parse: _reject has checked the content type already.
    try:
        sansio.validate_event(
            body, signature=headers["x-hub-signature-256"], secret=intake.settings.webhook_secret
        )
    except gidgethub.ValidationFailure:
        return _rejected(intake, headers, 401, "the signature does not match the secret")
    try:
        data = json.loads(body)
    except ValueError:  # includes bodies that are not UTF-8
        return _rejected(intake, headers, 400, "the body is not valid JSON")
    if not isinstance(data, dict):
        return _rejected(intake, headers, 400, "the body is not a JSON object")
    event = sansio.Event(
        data, event=headers["x-github-event"], delivery_id=headers["x-github-delivery"]
    )
    if event.event == "ping":
        intake.metrics.deliveries.labels("ping", "pong").inc()
        return web.json_response({"pong": True, "hook_id": event.data.get("hook_id")})
    if event.delivery_id in intake.seen:
        intake.metrics.deliveries.labels(event.event, "duplicate").inc()
        return web.Response(status=202, body=_DUPLICATE, content_type="application/json")
    if len(intake.tasks) >= MAX_PENDING:
        # Refused rather than dropped: GitHub records the failure and it can be redelivered.
        return _rejected(intake, headers, 503, "too many deliveries pending; redeliver later")
    intake.seen[event.delivery_id] = True
    _schedule(intake, event)
    return web.Response(status=202, body=_ACCEPTED, content_type="application/json")


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


def _rejected(
    intake: Intake, headers: Mapping[str, str], status: int, message: str
) -> web.Response:
    event = headers.get("x-github-event") or "unknown"
    intake.metrics.deliveries.labels(event, f"rejected_{status}").inc()
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


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics_page(request: web.Request) -> web.Response:
    response = web.Response(body=request.app[METRICS].render())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


# --- background work -----------------------------------------------------------------------


def ordering_key(event: sansio.Event) -> str:
    """Deliveries with one key are handled in order: per pull request where there is one."""
    data = event.data
    repo = (data.get("repository") or {}).get("full_name", "")
    number = pull_number(event)
    if number is not None:
        return f"{repo}#{number}"
    for name in ("check_run", "check_suite"):
        head_sha = (data.get(name) or {}).get("head_sha")
        if head_sha:
            return f"{repo}@{head_sha}"
    if repo:
        return repo
    return f"installation:{(data.get('installation') or {}).get('id')}"


def pull_number(event: sansio.Event) -> int | None:
    """The pull request (or issue) number the event is about, if any."""
    data = event.data
    for name in ("pull_request", "issue"):
        item = data.get(name)
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            return item["number"]
    for name in ("check_run", "check_suite"):
        pulls = (data.get(name) or {}).get("pull_requests") or []
        if pulls and isinstance(pulls[0], dict) and isinstance(pulls[0].get("number"), int):
            return pulls[0]["number"]
    return None


def _schedule(intake: Intake, event: sansio.Event) -> None:
    key = ordering_key(event)
    previous = intake.tails.get(key)
    task = asyncio.create_task(_handle(intake, event, previous, time.monotonic()))
    intake.tasks.add(task)
    intake.tails[key] = task
    intake.metrics.in_flight.inc()

    def done(finished: asyncio.Task[None]) -> None:
        intake.tasks.discard(finished)
        intake.metrics.in_flight.dec()
        if intake.tails.get(key) is finished:
            del intake.tails[key]

    task.add_done_callback(done)


async def _handle(
    intake: Intake, event: sansio.Event, previous: asyncio.Task[None] | None, accepted: float
) -> None:
    if previous is not None and not previous.done():
        await asyncio.wait([previous])  # its outcome is its own; only the order matters here
    outcome = "handled"
    try:
        async with intake.semaphore:
            outcome = await _dispatch(intake, event)
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        _log_delivery(intake, event, outcome, time.monotonic() - accepted)


async def _dispatch(intake: Intake, event: sansio.Event) -> str:
    """Run every handler registered for the event; returns the delivery's outcome.

    Like ``router.dispatch``, but one handler failing does not keep the others from running.
    """
    callbacks = intake.router.fetch(event)
    if not callbacks:
        return "ignored"
    budget = intake.settings.event_budget_seconds
    gh = _client_for(intake, event, time.monotonic() + budget)
    outcomes: set[str] = set()
    try:
        async with asyncio.timeout(budget):
            for callback in callbacks:
                outcomes.add(await _run_handler(callback, event, gh, intake.context))
    except TimeoutError:
        log.error("delivery %s ran out of its %.0f s budget", event.delivery_id, budget)
        return "timeout"
    for outcome in ("error", "timeout", "user_error"):
        if outcome in outcomes:
            return outcome
    return "handled"


async def _run_handler(callback: Any, event: sansio.Event, gh: Any, context: Context) -> str:
    name = getattr(callback, "__qualname__", repr(callback))
    try:
        await callback(event, gh, context)
    except UserError as error:
        log.info("%s: user error on delivery %s: %s", name, event.delivery_id, error)
        return "user_error"
    except TimeoutError:
        # The client's own deadline (DeadlineExceeded) or a handler's timeout.
        log.error("%s: delivery %s timed out", name, event.delivery_id)
        return "timeout"
    except Exception:
        log.exception(
            "%s: internal error on delivery %s (%s)", name, event.delivery_id, event.event
        )
        return "error"
    return "handled"


def _client_for(intake: Intake, event: sansio.Event, deadline: float) -> Any:
    if intake.clients is None:
        raise RuntimeError("the GitHub session is not open (app not started)")
    installation_id = (event.data.get("installation") or {}).get("id")
    if isinstance(installation_id, int):
        return intake.clients.installation_client(installation_id, deadline)
    return intake.clients.app_client(deadline)


def _log_delivery(intake: Intake, event: sansio.Event, outcome: str, seconds: float) -> None:
    intake.metrics.deliveries.labels(event.event, outcome).inc()
    intake.metrics.delivery_seconds.labels(event.event).observe(seconds)
    level = logging.ERROR if outcome in ("error", "timeout", "cancelled") else logging.INFO
    delivery_log.log(
        level,
        "delivery %s",
        outcome,
        extra={
            "delivery_id": event.delivery_id,
            "event": event.event,
            "action": event.data.get("action"),
            "repository": (event.data.get("repository") or {}).get("full_name"),
            "pr": pull_number(event),
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


# --- lifecycle -----------------------------------------------------------------------------


async def _github_session(app: web.Application) -> Any:
    intake = app[INTAKE]
    settings = intake.settings
    session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
    intake.clients = ClientFactory(
        session,
        AppAuth(settings.app_id, settings.private_key),
        base_url=settings.api_url,
        metrics=intake.metrics,
        request_timeout=settings.request_timeout_seconds,
    )
    yield
    intake.clients = None
    await session.close()


async def _drain(app: web.Application) -> None:
    """On shutdown, let accepted deliveries finish (bounded), then cancel and name the rest."""
    intake = app[INTAKE]
    if not intake.tasks:
        return
    log.info("draining %d deliveries", len(intake.tasks))
    _, pending = await asyncio.wait(set(intake.tasks), timeout=DRAIN_SECONDS)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
        log.error(
            "shut down with %d deliveries unhandled (redeliver them from the App's "
            "advanced settings)",
            len(pending),
        )
