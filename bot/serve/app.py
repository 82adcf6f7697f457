"""The webhook server: verify a delivery, answer 202, handle it in the background.

Work is ordered per pull request (one delivery after another for the same PR), runs in
parallel across pull requests under a concurrency bound, takes turns across repositories,
is deduplicated by delivery id, and is drained on shutdown. Nothing heavy happens before the
202: a delivery is verified, parsed and appended to its pull request's queue
(``bot.scheduler``); past the backlog limits it is refused with 503 and ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import aiohttp
import gidgethub
import orjson
from aiohttp import web
from cachetools import TTLCache
from gidgethub import routing, sansio

from bot.clock import epoch_seconds
from bot.dashboard.web import add_dashboard
from bot.errors import PayloadError, UserError
from bot.features.context import Context
from bot.features.reconcile import Reconciler, running
from bot.github.auth import AppAuth
from bot.github.budget import RateBudget
from bot.github.client import USER_AGENT, ClientFactory
from bot.lint_pool import LintPool
from bot.policy.provenance import signing_key
from bot.serve.logs import configure_logging, log_fields
from bot.serve.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.serve.processes import StartupError, listening_socket
from bot.serve.scheduler import Limits, Refusal, Scheduler
from bot.serve.settings import Settings, SettingsError
from bot.serve.worker import MERGED_METRICS, WorkerRole, die_with_parent, is_reconcile_leader

log = logging.getLogger(__name__)
delivery_log = logging.getLogger("bot.delivery")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB.
DRAIN_SECONDS = 25.0  # below the usual 30 s SIGTERM grace period of process managers
SEEN_DELIVERIES = 20_000
SEEN_TTL_SECONDS = 6 * 3600
GC_YOUNG_THRESHOLD = 10_000  # CPython's default is 700

_ACCEPTED = b'{"accepted": true}'
_DUPLICATE = b'{"accepted": true, "duplicate": true}'


class Queued(NamedTuple):
    """An accepted delivery waiting for (or in) its handling."""

    event: sansio.Event
    accepted: float  # time.monotonic() at acceptance


@dataclass
class Intake:
    """Per-app state of accepted deliveries.

    ``scheduler`` holds the accepted deliveries: one queue per ordering key, a round-robin
    across repositories, limits past which the webhook answers 503.
    """

    settings: Settings
    router: routing.Router
    context: Context
    metrics: Metrics
    seen: TTLCache[str, bool] = field(
        default_factory=lambda: TTLCache(maxsize=SEEN_DELIVERIES, ttl=SEEN_TTL_SECONDS)
    )
    clients: ClientFactory | None = None
    # Set by create_app: the backlog (bot/scheduler.py) with its limits from the settings.
    scheduler: Scheduler[Queued] = field(init=False)

    @property
    def pending(self) -> int:
        """Accepted deliveries not yet fully handled (queued or running)."""
        return self.scheduler.pending

    def never_ran(self, item: Queued) -> None:
        """A queued delivery dropped at shutdown: logged so it can be redelivered."""
        _log_delivery(self, item.event, "cancelled", time.monotonic() - item.accepted)


INTAKE = web.AppKey("intake", Intake)
RECONCILER = web.AppKey("reconciler", Reconciler)
RETRY_AFTER_SECONDS = 60  # a hint to whoever redelivers; GitHub itself does not retry


def intake_limits(settings: Settings) -> Limits:
    """The backlog's limits, per serving process."""
    return Limits(
        concurrency=settings.max_concurrency,
        max_pending=settings.max_pending,
        max_pending_per_key=settings.max_pending_per_pr,
        max_pending_bytes=settings.max_pending_mb * 1024 * 1024,
    )


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
    context = context or Context()
    # The App's identity comes from its settings, so every replica proves the same writes.
    context.signing_key = signing_key(settings.webhook_secret)
    context.app_id = _int_or_none(settings.app_id)
    intake = app[INTAKE] = Intake(
        settings=settings,
        router=router,
        context=context,
        metrics=metrics,
    )
    intake.scheduler = Scheduler(
        intake_limits(settings), lambda item: _handle(intake, item), intake.never_ran
    )
    metrics.track_backlog(intake.scheduler)
    metrics.reconcile_leader.set(1 if is_reconcile_leader() else 0)
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    add_dashboard(app, settings, context, lambda: intake.clients)
    app.cleanup_ctx.append(_github_session)
    app.cleanup_ctx.append(_lint_pool)
    # --- the reconciler (issue 10): a sweep at start-up, then every RECONCILE_INTERVAL ---
    app[RECONCILER] = Reconciler(
        lambda: intake.clients,
        context,
        metrics=metrics,
        window_days=settings.reconcile_window_days,
    )
    # One process of a server sweeps (worker 0 under a supervisor), not one per worker.
    if settings.reconcile and is_reconcile_leader():
        app.cleanup_ctx.append(_reconcile)
    # --- end of the reconciler ---
    app.on_shutdown.append(_drain)
    return app


async def wait_idle(app: web.Application) -> None:
    """Return once every delivery accepted so far (and any they led to) is fully handled."""
    await app[INTAKE].scheduler.idle()


def run(settings: Settings, worker: WorkerRole | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then drain. ``worker``: one of several processes on the
    port (``bot.supervisor``), which listens with its own SO_REUSEPORT socket."""
    secrets = settings.secrets
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)
    app = create_app(settings)
    # --- bound before "listening"; a failure raises StartupError (bot/binding.py) ---
    if worker is None:
        sockets = [listening_socket(settings.host, settings.port)]
    else:  # several processes (bot/worker.py)
        die_with_parent(worker)
        sockets = worker.listen(settings.host, settings.port)
        worker.attach(app, app[METRICS].render)
    log.info(
        "rfc-bot listening",
        extra={
            "host": settings.host,
            "port": sockets[0].getsockname()[1],
            "api_url": settings.api_url,
        },
    )
    # ---
    tune_gc()
    web.run_app(
        app,
        sock=sockets,
        access_log=None,
        print=None,
        shutdown_timeout=DRAIN_SECONDS,
    )


def tune_gc() -> None:
    """Process-wide garbage-collector settings for serving (``run`` applies them).

    Work after the 202 keeps each delivery's objects (payload, task, coroutines, client)
    alive across loop iterations, so at CPython's default threshold a young-generation
    collection runs every few deliveries and traverses the ones still queued; with a larger
    threshold most are freed by reference counting before any collection sees them. Freezing
    what start-up allocated (modules, the app) keeps full collections from traversing it
    again and again (bench/bench_intake.py measures both with and without).
    """
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def main() -> int:
    """One serving process, settings from the environment; exit 2 on a bad setting.

    ``rfc-bot serve`` runs ``bot.supervisor.main``, which calls ``run`` for one process."""
    try:
        run(Settings.from_env(os.environ))
    except (SettingsError, StartupError) as error:
        print(f"rfc-bot: error: {error}", file=sys.stderr)
        return 2
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
    data = _parse_json(body)
    if data is _INVALID:
        return _rejected(intake, headers, 400, "the body is not valid JSON")
    if not isinstance(data, dict):
        return _rejected(intake, headers, 400, "the body is not a JSON object")
    event = sansio.Event(
        data, event=headers["x-github-event"], delivery_id=headers["x-github-delivery"]
    )
    if event.event == "ping":
        intake.metrics.count_delivery("ping", "pong")
        return web.json_response({"pong": True, "hook_id": event.data.get("hook_id")})
    if event.delivery_id in intake.seen:
        intake.metrics.count_delivery(event.event, "duplicate")
        return web.Response(status=202, body=_DUPLICATE, content_type="application/json")
    key = ordering_key(event)
    refusal = intake.scheduler.refusal(key, len(body))
    if refusal is not None:
        return _refused(intake, headers, refusal)
    intake.seen[event.delivery_id] = True
    intake.scheduler.submit(Queued(event, time.monotonic()), key, fairness_group(event), len(body))
    return web.Response(status=202, body=_ACCEPTED, content_type="application/json")


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
    # A 401 is the one refusal of a delivery whose signature did not check out: its headers
    # are anyone's, and as a metric label they would let anyone create series without end.
    # The log line keeps what was sent (it goes through redaction like any other).
    label = "unauthenticated" if status == 401 else event
    intake.metrics.count_delivery(label, f"rejected_{status}")
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


_REFUSALS = {
    Refusal.PENDING: "too many deliveries pending",
    Refusal.PER_KEY: "too many deliveries pending for this pull request",
    Refusal.BYTES: "too many bytes of deliveries pending",
}


def _refused(intake: Intake, headers: Mapping[str, str], refusal: Refusal) -> web.Response:
    """503 past a backlog limit: refused rather than dropped, so the failure is on record
    (GitHub lists it under the App's recent deliveries; the reconciler repairs it)."""
    intake.metrics.count_refusal(refusal.value)
    response = _rejected(intake, headers, 503, f"{_REFUSALS[refusal]}; redeliver later")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics_page(request: web.Request) -> web.Response:
    merged = request.app.get(MERGED_METRICS)  # one worker of several: all of them, labelled
    body = await merged(request) if merged else request.app[METRICS].render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


# --- background work -----------------------------------------------------------------------


def _part(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``data[name]`` when it is an object, else empty: the intake runs before any handler
    checks the payload's shape, so a signed payload of the wrong shape must not break it."""
    value = data.get(name)
    return value if isinstance(value, Mapping) else {}


def ordering_key(event: sansio.Event) -> str:
    """Deliveries with one key are handled in order: per pull request where there is one."""
    data = event.data
    repo = str(_part(data, "repository").get("full_name") or "")
    number = pull_number(event)
    if number is not None:
        return f"{repo}#{number}"
    for name in ("check_run", "check_suite"):
        head_sha = _part(data, name).get("head_sha")
        if head_sha:
            return f"{repo}@{head_sha}"
    if repo:
        return repo
    return f"installation:{_part(data, 'installation').get('id')}"


def pull_number(event: sansio.Event) -> int | None:
    """The pull request (or issue) number the event is about, if any."""
    data = event.data
    for name in ("pull_request", "issue"):
        item = data.get(name)
        if isinstance(item, dict) and isinstance(item.get("number"), int):
            return item["number"]
    for name in ("check_run", "check_suite"):
        pulls = _part(data, name).get("pull_requests")
        first = pulls[0] if isinstance(pulls, list) and pulls else None
        if isinstance(first, dict) and isinstance(first.get("number"), int):
            return first["number"]
    return None


def fairness_group(event: sansio.Event) -> str:
    """Deliveries of one group take turns with other groups: one group per repository."""
    repo = _part(event.data, "repository").get("full_name")
    if isinstance(repo, str) and repo:
        return repo
    return f"installation:{_part(event.data, 'installation').get('id')}"


async def _handle(intake: Intake, item: Queued) -> None:
    outcome = "handled"
    try:
        outcome = await _dispatch(intake, item.event)
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except Exception:  # outside the handlers (they are guarded one by one): keep the worker
        outcome = "error"
        log.exception("delivery %s failed before reaching its handlers", item.event.delivery_id)
    finally:
        _log_delivery(intake, item.event, outcome, time.monotonic() - item.accepted)


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
    for outcome in ("error", "timeout", "user_error", "ignored_payload"):
        if outcome in outcomes:
            return outcome
    return "handled"


async def _run_handler(callback: Any, event: sansio.Event, gh: Any, context: Context) -> str:
    try:
        await callback(event, gh, context)
    except UserError as error:
        log.info("%s: user error on delivery %s: %s", _name(callback), event.delivery_id, error)
        return "user_error"
    except PayloadError as error:
        # Signed, yet not the shape GitHub documents: nothing was done with it.
        log.warning(
            "%s: delivery %s (%s) ignored: %s",
            _name(callback),
            event.delivery_id,
            event.event,
            error,
        )
        return "ignored_payload"
    except TimeoutError:
        # The client's own deadline (DeadlineExceeded) or a handler's timeout.
        log.error("%s: delivery %s timed out", _name(callback), event.delivery_id)
        return "timeout"
    except Exception:
        log.exception(
            "%s: internal error on delivery %s (%s)",
            _name(callback),
            event.delivery_id,
            event.event,
        )
        return "error"
    return "handled"


def _name(callback: Any) -> str:
    """The handler's name for a log line (looked up only when there is a line to write)."""
    return getattr(callback, "__qualname__", None) or repr(callback)


def _client_for(intake: Intake, event: sansio.Event, deadline: float) -> Any:
    if intake.clients is None:
        raise RuntimeError("the GitHub session is not open (app not started)")
    installation_id = _part(event.data, "installation").get("id")
    if isinstance(installation_id, int):
        return intake.clients.installation_client(installation_id, deadline)
    return intake.clients.app_client(deadline)


def _log_delivery(intake: Intake, event: sansio.Event, outcome: str, seconds: float) -> None:
    """Metrics and the one log line every delivery gets (id, event, repository, PR, outcome)."""
    intake.metrics.count_delivery(event.event, outcome)
    intake.metrics.observe_delivery(event.event, seconds)
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
        "repository": _part(data, "repository").get("full_name"),
        "pr": pull_number(event),
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 1),
    }
    log_fields(delivery_log, level, f"delivery {outcome}", fields)


# --- lifecycle -----------------------------------------------------------------------------


async def _github_session(app: web.Application) -> Any:
    intake = app[INTAKE]
    settings = intake.settings

    def clock() -> datetime:  # the context's, read at each use: one clock for the whole App
        return intake.context.clock()

    session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
    intake.clients = ClientFactory(
        session,
        AppAuth(settings.app_id, settings.private_key, clock=epoch_seconds(clock)),
        base_url=settings.api_url,
        clock=clock,
        metrics=intake.metrics,
        request_timeout=settings.request_timeout_seconds,
        budget=RateBudget(settings.rate_budget_reserve, wall_clock=epoch_seconds(clock)),
    )
    intake.context.deferred = lambda kind: intake.metrics.deferred.labels(kind).inc()
    yield
    intake.clients = None
    await session.close()


async def _lint_pool(app: web.Application) -> Any:
    """Linting runs in worker processes, each file under a time budget: CPU-bound work never
    runs on the event loop, whatever a pull request holds."""
    intake = app[INTAKE]
    settings = intake.settings
    pool = LintPool(workers=settings.lint_workers, timeout=settings.lint_timeout_seconds)
    await pool.start()
    intake.context.lint = pool.lint
    intake.metrics.track_lint_pool(lambda: pool.busy, lambda: pool.waiting)
    yield
    await pool.close()


async def _reconcile(app: web.Application) -> Any:
    """Sweeps in the background while the server runs (after ``_github_session`` opened)."""
    async with running(app[RECONCILER], app[INTAKE].settings.reconcile_interval_seconds):
        yield


async def _drain(app: web.Application) -> None:
    """On shutdown, let accepted deliveries finish (bounded), then cancel and name the rest."""
    intake = app[INTAKE]
    if not intake.pending:
        return
    log.info("draining %d deliveries", intake.pending)
    unhandled = await intake.scheduler.drain(DRAIN_SECONDS)
    if not unhandled:
        return
    log.error(
        "shut down with %d deliveries unhandled (redeliver them from the App's advanced settings)",
        unhandled,
    )


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None
