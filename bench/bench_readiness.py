"""What readiness costs, and how fast it sees GitHub come back.

The real App on loopback against the GitHub simulator (in this process):

- GitHub calls of ``/readyz``: 1,000 probe requests (sequential, as fast as they come), the
  ``GET /app`` calls they caused; baseline: one call per probe, what an uncached check costs;
- ``/readyz`` answered (its verdict cached) against ``/healthz``: median time per request,
  interleaved rounds of 200 each;
- the start-up check (``GET /app``, the installations, a token: three round trips) with the
  simulator answering each call after 50 ms; baseline: one ``GET /app`` with a session and a
  newly signed JWT of its own, as the check has (signing is most of a call on loopback);
- recovery: GitHub answers 502, then comes back; seconds from its return until ``/readyz``
  says ready, probed every 0.2 s (a transient failure is checked again after 5 s).

    python bench/bench_readiness.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.clock import epoch_seconds  # noqa: E402
from bot.github.auth import AppAuth  # noqa: E402
from bot.github.client import ClientFactory  # noqa: E402
from bot.serve.readiness import RETRY_FRESH_SECONDS, ask_github  # noqa: E402
from bot.serve.settings import Settings  # noqa: E402
from sandbox.harness import start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret"
PROBES = 1000
LATENCY = 0.05


def app_calls(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.path == "/app")


async def timed_get(session: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
    return time.perf_counter() - started


async def probe_costs(sim: Simulator, base: str, session: aiohttp.ClientSession,
                      rounds: int) -> list[Figure]:  # fmt: skip
    before = app_calls(sim)
    for _ in range(PROBES):
        async with session.get(f"{base}/readyz") as response:
            assert response.status == 200, await response.text()
    calls = app_calls(sim) - before
    ready: list[float] = []
    healthy: list[float] = []
    for _ in range(rounds):  # interleaved: both see the same machine
        ready += [await timed_get(session, f"{base}/readyz") for _ in range(200)]
        healthy += [await timed_get(session, f"{base}/healthz") for _ in range(200)]
    return [
        Figure(
            f"readiness: GitHub calls of {PROBES:,} /readyz",
            calls,
            "calls",
            baseline=PROBES,
            target=at_most(0.01, on_ratio=True),
            note="GET /app with the App's JWT; baseline: one call per probe (uncached)",
        ),
        Figure(
            "readiness: /readyz answered (cached)",
            statistics.median(ready) * 1e3,
            "ms",
            baseline=statistics.median(healthy) * 1e3,
            target=at_most(1.5, on_ratio=True),
            note=f"median of {len(ready)}; baseline /healthz, {rounds} interleaved rounds",
        ),
    ]


async def startup_cost(sim: Simulator, rounds: int) -> Figure:
    settings = Settings(
        app_id=sim.app_id,
        private_key=sim.private_key_pem,
        webhook_secret=SECRET,
        api_url=sim.base_url,
    )
    sim.latency = LATENCY
    checks: list[float] = []
    singles: list[float] = []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            assert (await ask_github(settings, clock=sim.clock.now)).ready
            checks.append(time.perf_counter() - started)
            started = time.perf_counter()
            async with aiohttp.ClientSession() as session:  # as the check: its own session
                auth = AppAuth(sim.app_id, sim.private_key_pem, clock=epoch_seconds(sim.clock.now))
                gh = ClientFactory(session, auth, base_url=sim.base_url, clock=sim.clock.now)
                await gh.app_client().getitem("/app", jwt=auth.jwt())  # and its own JWT
            singles.append(time.perf_counter() - started)
    finally:
        sim.latency = 0.0
    return Figure(
        "readiness: start-up check",
        statistics.median(checks) * 1e3,
        "ms",
        baseline=statistics.median(singles) * 1e3,
        target=at_most(3, on_ratio=True),
        note=f"API answering after {LATENCY * 1e3:.0f} ms; baseline: one GET /app, with a "
        f"session and a JWT of its own as the check has; median of {rounds}",
    )


async def recovery(sim: Simulator, base: str, session: aiohttp.ClientSession) -> Figure:
    await asyncio.sleep(RETRY_FRESH_SECONDS)  # let nothing cached linger from earlier phases
    sim.fail("GET", r"^/app$", 502, times=1_000_000)
    readyz = f"{base}/readyz"
    deadline = time.monotonic() + 60
    while True:  # wait until the cached ready verdict has expired and a 502 was seen
        async with session.get(readyz) as response:
            if response.status == 503:
                break
        assert time.monotonic() < deadline, "/readyz never saw GitHub's 502"
        await asyncio.sleep(0.2)
    sim.faults.injections.clear()
    back = time.monotonic()
    while True:
        async with session.get(readyz) as response:
            if response.status == 200:
                break
        await asyncio.sleep(0.2)
    return Figure(
        "readiness: ready after GitHub returns",
        time.monotonic() - back,
        "s",
        target=at_most(RETRY_FRESH_SECONDS + 1),
        note="probed every 0.2 s; a transient failure is checked again after "
        f"{RETRY_FRESH_SECONDS:g} s",
    )


async def bench(rounds: int) -> list[Figure]:
    sim = Simulator()
    await sim.start()
    running = await start_app(sim, SECRET, log_level="WARNING")
    try:
        sim.create_repo("octo-org/rfcs", files={"README.md": "# RFCs\n"})
        async with aiohttp.ClientSession() as session:
            figures = await probe_costs(sim, running.base_url, session, rounds)
            figures.append(await startup_cost(sim, rounds))
            figures.append(await recovery(sim, running.base_url, session))
        return figures
    finally:
        await running.stop()
        await sim.stop()


def measure(rounds: int = 5) -> list[Figure]:
    return asyncio.run(bench(rounds))


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=5)
    print_figures(measure(options.parse_args().rounds))
