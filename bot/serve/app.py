"""The webhook server's aiohttp app: its routes, and what starts and stops with it.

``create_app`` assembles ``POST /webhook`` (``bot.serve.intake``: verify, answer 202, queue),
the handling of accepted deliveries (``bot.serve.dispatch``), ``GET /healthz``,
``GET /metrics`` and the dashboard, and builds the App's ``Context`` once, complete (its
identity from the settings, the lint pool and the metrics as its services). While the app runs
it holds a GitHub session, the started lint pool (``bot.lint_pool``), the repair list's loop
(``bot.features.repairs``, in every serving process) and, in the reconcile leader, the
reconciler's sweeps; on shutdown it lets accepted deliveries finish (bounded) and
names those that could not.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from gidgethub import routing

from bot.clock import Clock, epoch_seconds, system_clock
from bot.dashboard.web import add_dashboard
from bot.features.context import ANNOUNCE_AFTER_SECONDS, Context
from bot.features.reconcile import Reconciler, running
from bot.features.repairs import Repairer, repairing
from bot.github.auth import AppAuth
from bot.github.budget import RateBudget
from bot.github.client import USER_AGENT, ClientFactory, Waiting
from bot.lint_pool.pool import LintPool
from bot.policy.provenance import signing_key
from bot.serve.dispatch import Dispatcher
from bot.serve.intake import MAX_BODY_BYTES, Intake, intake_limits
from bot.serve.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.serve.peers import Peers
from bot.serve.readiness import add_readiness
from bot.serve.scheduler import Scheduler
from bot.serve.settings import Settings
from bot.serve.worker import MERGED_METRICS, is_reconcile_leader

log = logging.getLogger(__name__)

DRAIN_SECONDS = 25.0  # below the usual 30 s SIGTERM grace period of process managers

CONTEXT = web.AppKey("context", Context)
INTAKE = web.AppKey("intake", Intake)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
LINT_POOL = web.AppKey("lint_pool", LintPool)
METRICS = web.AppKey("metrics", Metrics)
RECONCILER = web.AppKey("reconciler", Reconciler)
REPAIRER = web.AppKey("repairer", Repairer)
SETTINGS = web.AppKey("settings", Settings)


def create_app(
    settings: Settings,
    *,
    router: routing.Router | None = None,
    clock: Clock = system_clock,
    announce_after_seconds: float = ANNOUNCE_AFTER_SECONDS,
    waiting: Waiting | None = None,
) -> web.Application:
    """The aiohttp application: ``POST /webhook``, ``GET /healthz``, ``GET /metrics``.

    ``clock`` is the App's one clock (a simulator's in tests); ``app[CONTEXT]`` is the Context
    every handler gets; ``waiting``: how retries and repairs wait (tests: no real time)."""
    if router is None:
        from bot.features.routes import router as features_router

        router = features_router
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    metrics = app[METRICS] = Metrics()
    # Made here, started with the app (``_lint_pool``): the Context holds it from the start.
    pool = app[LINT_POOL] = LintPool(
        processes=settings.lint_workers, timeout=settings.lint_timeout_seconds
    )
    repairer = app[REPAIRER] = _repairer(app, settings, metrics, waiting or Waiting())
    context = app[CONTEXT] = _context(
        settings, clock, announce_after_seconds, pool, metrics, repairer
    )
    dispatcher = app[DISPATCHER] = Dispatcher(
        router, context, metrics, settings.event_budget_seconds, failed=repairer.record_delivery
    )
    scheduler = Scheduler(intake_limits(settings), dispatcher.handle, dispatcher.never_ran)
    repairer.admit = lambda repair: scheduler.quiet(repair.ordering_key, repair.repo)
    intake = app[INTAKE] = Intake(settings, metrics, scheduler, refused=repairer.record_delivery)
    metrics.track_backlog(scheduler)
    metrics.reconcile_leader.set(1 if is_reconcile_leader() else 0)
    app.router.add_post("/webhook", intake.webhook)
    app.router.add_get("/healthz", healthz)  # liveness: the process answers
    add_readiness(app, lambda: dispatcher.clients)  # GET /readyz: GitHub takes our credentials
    app.router.add_get("/metrics", metrics_page)
    add_dashboard(app, settings, context, lambda: dispatcher.clients)
    app.cleanup_ctx.append(_github_session)
    app.cleanup_ctx.append(_lint_pool)
    app.cleanup_ctx.append(_repairs)
    # The reconciler (issue 10): a sweep at start-up, then every RECONCILE_INTERVAL.
    app[RECONCILER] = Reconciler(
        lambda: dispatcher.clients,
        context,
        metrics=metrics,
        window_days=settings.reconcile_window_days,
        share=Peers.from_settings(settings).share,  # replicas share the sweep
    )
    # One process of a server sweeps (worker 0 under a supervisor), not one per worker.
    if settings.reconcile and is_reconcile_leader():
        app.cleanup_ctx.append(_reconcile)
    app.on_shutdown.append(_drain)
    return app


def _context(
    settings: Settings,
    clock: Clock,
    announce_after_seconds: float,
    pool: LintPool,
    metrics: Metrics,
    repairer: Repairer,
) -> Context:
    """The App's Context, complete. Its identity comes from its settings, so every replica
    proves the same writes."""
    return Context(
        clock=clock,
        signing_key=signing_key(settings.webhook_secret),
        app_id=int(settings.app_id) if settings.app_id.isdigit() else None,
        announce_after_seconds=announce_after_seconds,
        lint=pool.lint,
        deferred=metrics.count_deferred,
        needs_repair=repairer.needs_repair,
    )


def _repairer(
    app: web.Application, settings: Settings, metrics: Metrics, waiting: Waiting
) -> Repairer:
    repairer = Repairer(
        lambda: app[DISPATCHER].clients,
        budget_seconds=settings.event_budget_seconds,
        waiting=waiting,
        metrics=metrics,
    )
    metrics.track_repairs(lambda: len(repairer.pending))
    return repairer


async def wait_idle(app: web.Application) -> None:
    """Return once every delivery accepted so far (and any they led to) is fully handled."""
    await app[INTAKE].scheduler.idle()


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics_page(request: web.Request) -> web.Response:
    merged = request.app.get(MERGED_METRICS)  # one worker of several: all of them, labelled
    body = await merged(request) if merged else request.app[METRICS].render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


# --- what runs while the app runs ----------------------------------------------------------


async def _github_session(app: web.Application) -> AsyncIterator[None]:
    """One HTTP session to GitHub for the app's life; every client is built on it."""
    dispatcher, settings, metrics = app[DISPATCHER], app[SETTINGS], app[METRICS]
    clock = app[CONTEXT].clock  # one clock for the whole App
    session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
    dispatcher.clients = ClientFactory(
        session,
        AppAuth(settings.app_id, settings.private_key, clock=epoch_seconds(clock)),
        base_url=settings.api_url,
        clock=clock,
        metrics=metrics,
        request_timeout=settings.request_timeout_seconds,
        budget=RateBudget(settings.rate_budget_reserve, wall_clock=epoch_seconds(clock)),
        waiting=app[REPAIRER].waiting,
    )
    yield
    dispatcher.clients = None
    await session.close()


async def _lint_pool(app: web.Application) -> AsyncIterator[None]:
    """Linting runs in lint processes, each file under a time budget: CPU-bound work never
    runs on the event loop, whatever a pull request holds."""
    pool = app[LINT_POOL]
    await pool.start()
    app[METRICS].track_lint_pool(lambda: pool.busy, lambda: pool.waiting)
    yield
    await pool.close()


async def _repairs(app: web.Application) -> AsyncIterator[None]:
    """The repair list's loop while the server runs (every serving process has its own)."""
    async with repairing(app[REPAIRER], app[CONTEXT]):
        yield


async def _reconcile(app: web.Application) -> AsyncIterator[None]:
    """Sweeps in the background while the server runs (after ``_github_session`` opened)."""
    async with running(app[RECONCILER], app[SETTINGS].reconcile_interval_seconds):
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
