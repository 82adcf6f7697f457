"""End-to-end harness: the GitHub simulator plus the real webhook server pointed at it.

``sim`` is a started :class:`bot.sandbox.simulator.Simulator`; at teardown it fails the test
if any request the App made departed from GitHub's OpenAPI description. ``bot_app`` runs
``bot.server.create_app`` on a loopback port with the simulator's App credentials; tests
deliver signed webhooks with ``await bot_app.deliver(event, payload)`` and wait with
``await bot_app.idle()``. Replace ``bot_app.context.clock`` to fix the date.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.delivery import deliver
from bot.sandbox.simulator import Simulator

WEBHOOK_SECRET = "test-secret"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    if simulator.violations:
        listed = "\n  ".join(simulator.violations)
        pytest.fail(
            f"requests that do not match GitHub's REST description:\n  {listed}", pytrace=False
        )


@dataclass
class BotApp:
    """The running server under test, as the tests see it."""

    app: web.Application
    url: str
    secret: str
    context: Any  # bot.features.context.Context
    session: aiohttp.ClientSession

    async def deliver(
        self, event: str, payload: dict[str, Any], delivery_id: str | None = None
    ) -> int:
        return await deliver(
            self.session, self.url, event, payload, self.secret, delivery_id=delivery_id
        )

    async def idle(self) -> None:
        from bot.server import wait_idle

        await wait_idle(self.app)


@pytest.fixture
async def bot_app(sim: Simulator) -> AsyncIterator[BotApp]:
    from bot.features.context import Context
    from bot.server import create_app
    from bot.settings import Settings

    settings = Settings(
        app_id=sim.app_id,
        private_key=sim.private_key_pem,
        webhook_secret=WEBHOOK_SECRET,
        api_url=sim.base_url,
        host="127.0.0.1",
        port=0,
        log_format="text",
        event_budget_seconds=30.0,
        request_timeout_seconds=5.0,
    )
    context = Context()
    app = create_app(settings, context=context)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        running = BotApp(app, f"http://{host}:{port}/webhook", WEBHOOK_SECRET, context, session)
        try:
            yield running
            await running.idle()
        finally:
            await runner.cleanup()
