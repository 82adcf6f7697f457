"""``/readyz`` against the simulator: not ready while GitHub is down or answering 502, ready
again within seconds of its return; ``/healthz`` ok throughout. A real ``rfc-bot serve
--workers 2`` (each worker answers from its own check), and the app in this process."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import aiohttp
import pytest

from bot.serve.readiness import READINESS
from sandbox.simulator import Simulator
from tests.e2e.conftest import BotApp
from tests.e2e.processes import REPO, START_SECONDS, start_serve

RECOVERY_SECONDS = 15.0  # a failure that may pass is checked again after 5 s


async def status(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with session.get(url) as response:
        return response.status, await response.json()


async def until_ready(session: aiohttp.ClientSession, base: str, seconds: float) -> float:
    """Poll /readyz (and /healthz beside it) until ready; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while (await status(session, f"{base}/readyz"))[0] != 200:
        assert (await status(session, f"{base}/healthz"))[0] == 200
        if loop.time() - started > seconds:
            pytest.fail(f"/readyz not ready {seconds} s after GitHub came back")
        await asyncio.sleep(0.2)
    return loop.time() - started


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT: Linux")
async def test_workers_are_not_ready_while_github_is_down_and_ready_once_back(
    sim: Simulator,
) -> None:
    sim.create_repo(REPO, files={"README.md": "# RFCs\n"})
    async with aiohttp.ClientSession() as session:
        server = await start_serve(sim, session, WEB_CONCURRENCY="2", RECONCILE_INTERVAL="0")
        base = server.url.removesuffix("/webhook")
        try:
            port = int(sim.base_url.rsplit(":", 1)[1])
            await sim.stop()  # GitHub is down: its port refuses connections
            for _ in range(6):  # whichever worker answers
                code, body = await status(session, f"{base}/readyz")
                assert (code, body["status"]) == (503, "not ready")
                assert body["reason"].startswith(f"GITHUB_API_URL {sim.base_url} cannot be")
                assert (await status(session, f"{base}/healthz")) == (200, {"status": "ok"})
            await sim.start(port)
            await until_ready(session, base, RECOVERY_SECONDS)
            code, body = await status(session, f"{base}/readyz")
            assert (code, body["status"], body["reason"]) == (200, "ready", "App rfc-bot (id 4242)")
        finally:
            await asyncio.wait_for(server.stop(), START_SECONDS)


async def test_not_ready_on_502_and_ready_once_github_answers(
    sim: Simulator, bot_app: BotApp
) -> None:
    readiness = bot_app.app[READINESS]
    readiness.retry_seconds = 0.2  # check a transient failure again soon, for the test
    base = bot_app.url.removesuffix("/webhook")
    session = bot_app.session
    sim.fail("GET", r"^/app$", 502, times=1000)
    code, body = await status(session, f"{base}/readyz")
    assert (code, body["status"]) == (503, "not ready")
    assert body["reason"].startswith(f"GitHub at GITHUB_API_URL {sim.base_url} answers 502")
    assert (await status(session, f"{base}/healthz"))[0] == 200
    sim.faults.injections.clear()  # GitHub recovers
    await until_ready(session, base, RECOVERY_SECONDS)
    asked = len([r for r in sim.requests if r.path == "/app"])
    for _ in range(20):  # ready is cached: twenty probes, no GitHub call
        assert (await status(session, f"{base}/readyz"))[0] == 200
    assert len([r for r in sim.requests if r.path == "/app"]) == asked
