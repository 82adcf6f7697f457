"""Fixtures for the runtime's tests: a throwaway key, settings, and the real app on a loopback
test server (``bot``) with a router the test fills in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gidgethub import routing

from bot.features.context import Context
from bot.serve.app import CONTEXT, create_app
from bot.serve.settings import Settings
from tests.keys import private_key_pem, rsa_key
from tests.serve.helpers import Bot

__all__ = ["private_key_pem", "rsa_key"]


@pytest.fixture
def settings(private_key_pem: str) -> Settings:
    return Settings(
        app_id="4242",
        private_key=private_key_pem,
        webhook_secret="s3cret-webhook-value",
        api_url="http://127.0.0.1:9",  # never reached: tests use routers that make no calls
        max_concurrency=4,
        event_budget_seconds=5.0,
        lint_workers=0,
    )


@pytest.fixture
def router() -> routing.Router:
    return routing.Router()


@pytest.fixture
async def bot(settings: Settings, router: routing.Router) -> AsyncIterator[Bot]:
    app = create_app(settings, router=router)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Bot(client, app, settings)
    await client.close()


@pytest.fixture
def context(bot: Bot) -> Context:
    """The Context the app built: what every handler gets."""
    return bot.app[CONTEXT]
