"""The real App server on a loopback port, pointed at a GitHub simulator: what the demo, the
benchmarks and the end-to-end tests all start."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.features.context import ANNOUNCE_AFTER_SECONDS, Context
from bot.github.client import Waiting
from bot.serve.app import CONTEXT, create_app, wait_idle
from bot.serve.settings import Settings
from sandbox.simulator import Simulator


class SimulatedWaits:
    """Waits that take no real time: each sleep of the App (its retries' backoff, its repair
    list's schedule) moves the App's monotonic clock and GitHub's clock (the simulator's)
    forward at once by what it sleeps. A minute of retries runs in milliseconds, and a repair
    "within seconds" is read on the simulator's clock. Deadlines the App reads on
    ``time.monotonic`` itself (the reconciler's, the dashboard's) do not move with it: tests
    that use it run no sweeps."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.skipped = 0.0  # seconds slept, all of them simulated

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    async def sleep(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)
        self.skipped += seconds
        self.sim.clock.advance(seconds)
        await asyncio.sleep(0)

    @property
    def waiting(self) -> Waiting:
        return Waiting(self.monotonic, self.sleep)


@dataclass
class LoopbackApp:
    app: web.Application
    runner: web.AppRunner
    webhook_url: str
    context: Context
    base_url: str = ""  # http://127.0.0.1:PORT
    waits: SimulatedWaits | None = None  # with ``simulated_waits=True``

    async def idle(self) -> None:
        """Return once every delivery accepted so far has been handled."""
        await wait_idle(self.app)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_app(
    sim: Simulator,
    secret: str,
    *,
    port: int = 0,
    announce_after_seconds: float = ANNOUNCE_AFTER_SECONDS,
    simulated_waits: bool = False,
    **settings: Any,
) -> LoopbackApp:
    """Serve ``create_app`` on 127.0.0.1 (``port`` 0: any free one) with the simulator's App
    credentials, on the simulator's clock (one clock: the App reads GitHub's); ``settings``
    override the other Settings fields (log level, budgets, the dashboard's OAuth client ...).
    ``public_url`` defaults to the address served. Sweeps are off unless ``reconcile=True``:
    tests and benchmarks call ``app[RECONCILER].sweep()`` when they mean to.
    ``simulated_waits``: the App's waits take no real time (``SimulatedWaits``)."""
    # Bound before the App is made, so its public URL (the OAuth callback) is known.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    if settings.get("client_id"):
        settings.setdefault("public_url", base_url)
    settings.setdefault("lint_workers", 0)  # lint inline: no worker processes per test app
    settings.setdefault("reconcile", False)
    waits = SimulatedWaits(sim) if simulated_waits else None
    app = create_app(
        Settings(
            app_id=sim.app_id,
            private_key=sim.private_key_pem,
            webhook_secret=secret,
            api_url=sim.base_url,
            host="127.0.0.1",
            port=0,
            **settings,
        ),
        clock=sim.clock.now,
        announce_after_seconds=announce_after_seconds,
        waiting=waits.waiting if waits else None,
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return LoopbackApp(app, runner, f"{base_url}/webhook", app[CONTEXT], base_url, waits)
