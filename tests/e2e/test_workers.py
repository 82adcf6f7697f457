"""``rfc-bot serve --workers 2``: real processes on one port, and what happens when they die.

Linux only (SO_REUSEPORT spreads connections there; PR_SET_PDEATHSIG is Linux's).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from sandbox.delivery import deliver
from sandbox.simulator import Simulator
from tests.e2e.processes import (
    SECRET,
    START_SECONDS,
    free_port,
    healthy,
    serve_environment,
    until,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_REUSEPORT balancing and PDEATHSIG: Linux"
)


@dataclass
class Supervised:
    process: asyncio.subprocess.Process
    base: str

    def workers(self) -> list[int]:
        """The supervisor's live children (its workers), from /proc."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []


def environment(sim: Simulator, port: int) -> dict[str, str]:
    return serve_environment(sim, port, WEB_CONCURRENCY="2")


@pytest.fixture
async def supervised(sim: Simulator) -> AsyncIterator[Supervised]:
    sim.clock.follow_the_machine()  # the processes read the machine's clock, as in production
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        env=environment(sim, port),
        stdout=asyncio.subprocess.DEVNULL,
    )
    serving = Supervised(process, f"http://127.0.0.1:{port}")
    async with aiohttp.ClientSession() as session:
        await until(lambda: healthy(session, serving.base), START_SECONDS, "/healthz")

        async def both_workers() -> bool:
            page = await metrics(session, serving.base)
            return 'worker="0"' in page and 'worker="1"' in page

        await until(both_workers, START_SECONDS, "both workers in /metrics")
    try:
        yield serving
    finally:
        workers = serving.workers()
        if process.returncode is None:
            process.kill()
            await process.wait()
        for pid in workers:
            await gone(pid)


async def metrics(session: aiohttp.ClientSession, base: str) -> str:
    try:
        async with session.get(f"{base}/metrics") as response:
            return await response.text()
    except aiohttp.ClientConnectionError:
        return ""


async def gone(pid: int) -> bool:
    """Wait (bounded) for a process to end; True once it has."""
    for _ in range(int(START_SECONDS / 0.05)):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        status = Path(f"/proc/{pid}/stat")
        if status.exists() and status.read_text().split(") ", 1)[1].startswith("Z"):
            return True  # a zombie: exited, not yet reaped by its (dead) parent's reaper
        await asyncio.sleep(0.05)
    return False


def port_is_free(base: str) -> bool:
    port = int(base.rsplit(":", 1)[1])
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def samples(page: str, name: str) -> dict[str, float]:
    """worker -> value of the (unlabelled but for ``worker``) metric ``name``."""
    found = re.findall(rf'^{name}\{{worker="(\d+)"\}} (\S+)$', page, re.MULTILINE)
    return {worker: float(value) for worker, value in found}


async def test_two_workers_share_the_port_and_one_leads_the_reconciler(
    supervised: Supervised,
) -> None:
    assert len(supervised.workers()) == 2
    # A new connection each time, so the kernel chooses a worker each time.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for n in range(40):
            assert (
                await deliver(session, f"{supervised.base}/webhook", "ping", {"zen": n}, SECRET)
                == 200
            )
        page = await metrics(session, supervised.base)
    pongs = re.findall(
        r'^rfcbot_deliveries_total\{event="ping",outcome="pong",worker="(\d)"\} (\S+)$',
        page,
        re.MULTILINE,
    )
    per_worker = {worker: float(count) for worker, count in pongs}
    assert sum(per_worker.values()) == 40
    assert set(per_worker) == {"0", "1"}  # both took connections (2**-39 to fail by chance)
    assert samples(page, "rfcbot_reconcile_leader") == {"0": 1.0, "1": 0.0}
    # Families stay together: one TYPE line per family, whatever the number of workers.
    assert page.count("# TYPE rfcbot_deliveries_total counter") == 1


async def test_sigkill_of_the_supervisor_takes_the_workers_and_the_port_with_it(
    supervised: Supervised,
) -> None:
    workers = supervised.workers()
    assert len(workers) == 2
    supervised.process.send_signal(signal.SIGKILL)
    await supervised.process.wait()
    for pid in workers:
        assert await gone(pid), f"worker {pid} outlived its supervisor"
    assert port_is_free(supervised.base)


async def test_a_dead_worker_is_replaced_and_sigterm_stops_everything(
    supervised: Supervised, sim: Simulator
) -> None:
    first, second = supervised.workers()
    os.kill(second, signal.SIGKILL)
    assert await gone(second)

    async def replaced() -> bool:
        now = supervised.workers()
        return len(now) == 2 and second not in now

    await until(replaced, START_SECONDS, "the dead worker's replacement")
    assert first in supervised.workers()
    workers = supervised.workers()
    supervised.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(supervised.process.wait(), START_SECONDS) == 0
    for pid in workers:
        assert await gone(pid)
    assert port_is_free(supervised.base)


async def test_a_bad_setting_stops_the_supervisor_with_status_2(sim: Simulator) -> None:
    environ = environment(sim, free_port()) | {"MAX_PENDING": "lots"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=environ, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), START_SECONDS)
    assert process.returncode == 2
    assert b"MAX_PENDING must be a number" in stderr
