"""End-to-end harness: the GitHub simulator plus the real webhook server pointed at it.

``sim`` is a started :class:`sandbox.simulator.Simulator`; at teardown it fails the test
if any request the App made departed from GitHub's OpenAPI description. ``bot_app`` runs
``bot.serve.app.create_app`` on a loopback port with the simulator's App credentials; tests
deliver signed webhooks with ``await bot_app.deliver(event, payload)`` and wait with
``await bot_app.idle()``. The App reads the simulator's clock: freeze or advance ``sim.clock``
to fix the date. A test that needs other App options passes them to ``start_app`` with
``@pytest.mark.parametrize("bot_app", [{...}], indirect=True)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sandbox.delivery import deliver
from sandbox.harness import start_app
from sandbox.simulator import Simulator

WEBHOOK_SECRET = "test-webhook-secret"


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
        from bot.serve.app import wait_idle

        await wait_idle(self.app)


@pytest.fixture
async def bot_app(sim: Simulator, request: pytest.FixtureRequest) -> AsyncIterator[BotApp]:
    options: dict[str, Any] = getattr(request, "param", {})
    running = await start_app(
        sim,
        WEBHOOK_SECRET,
        log_format="text",
        event_budget_seconds=30.0,
        request_timeout_seconds=5.0,
        **options,
    )
    async with aiohttp.ClientSession() as session:
        bot = BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
        try:
            yield bot
            await bot.idle()
        finally:
            await running.stop()
