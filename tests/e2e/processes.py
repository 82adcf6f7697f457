"""Real `rfc-bot serve` processes for the end-to-end tests: start one, wait for it, stop it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox.simulator import Simulator

SECRET = "process-webhook-secret"
REPO = "octo-org/rfcs"
ROOT = Path(__file__).resolve().parents[2]
# Bounds on waiting for real processes; generous, since CI machines are noisy.
START_SECONDS = 30.0
SETTLE_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServeProcess:
    process: asyncio.subprocess.Process
    url: str

    async def stop(self) -> int:
        """SIGTERM, as a platform does on deploy; the server drains, then exits."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=START_SECONDS)


def serve_environment(sim: Simulator, port: int, **settings: str) -> dict[str, str]:
    """The environment of an `rfc-bot serve` process on the simulator, listening on ``port``;
    ``settings``: more environment variables."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_APP_ID": sim.app_id,
        "GITHUB_PRIVATE_KEY": sim.private_key_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": sim.base_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **settings,
    }


async def start_serve(
    sim: Simulator,
    session: aiohttp.ClientSession,
    *,
    ahead: timedelta | None = None,
    **settings: str,
) -> ServeProcess:
    """``rfc-bot serve`` in a process of its own; ``settings``: more environment variables.

    The process reads the machine's clock, as in production, so GitHub's clock (the
    simulator's) is put on the machine's time first; with ``ahead``, both are moved ahead by
    that much (``tests.e2e.shifted_app``): the App starts "later"."""
    sim.clock.follow_the_machine()
    if ahead:
        sim.clock.advance(ahead)
    module = "tests.e2e.shifted_app" if ahead else "bot"
    if ahead:
        settings = {"APP_CLOCK_AHEAD_SECONDS": str(ahead.total_seconds()), **settings}
        settings.setdefault("WEB_CONCURRENCY", "1")
    port = free_port()
    env = serve_environment(sim, port, **settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, "serve", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    await until(lambda: healthy(session, base), START_SECONDS, "the server to answer /healthz")
    return ServeProcess(process, f"{base}/webhook")


async def healthy(session: aiohttp.ClientSession, base: str) -> bool:
    try:
        async with session.get(f"{base}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def until(check: Any, seconds: float, what: str) -> None:
    """Poll ``check`` (async, returns bool) until true; fail the test after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await check():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def rfc(title: str) -> str:
    return (
        f"# {title}\n\n**Status:** Draft  \n**Target Application(s):** api  \n"
        "**RFC Number:** [Assigned when merged]  \n**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-02  \n**Author(s):** @alice  \n\n"
        "## Overview\n\n### Summary\nSomething worth doing.\n"
    )
