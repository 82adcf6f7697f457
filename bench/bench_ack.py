"""Webhook acknowledgements while the App lints RFCs near the 1 MB limit.

The App runs against the simulator on loopback. Four pull requests, each adding an RFC of
0.99 MB, are delivered at once; while the App handles them, a signed delivery is sent every
20 ms and the time to its answer (the acknowledgement GitHub waits for, at most 10 s) is
recorded. Twice, interleaved: with the lint pool (worker processes, the App's default) and,
as the baseline, with linting inside the App's own process (what the App did before).

    python bench/bench_ack.py [--rounds 2]

Target: acknowledgement p99 with the pool under 100 ms.
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
from sandbox.delivery import deliver  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402
from sandbox.harness import start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret-0123"
BIG_FILES = 4
TICK_SECONDS = 0.02


def big_rfc() -> str:
    text = demo_file("fixed.md")
    filler = "".join(f"- item {n} [x]\n" for n in range(48_000))
    return text + filler


async def acknowledgements(lint_workers: int | None) -> list[float]:
    """Seconds to each acknowledgement while the big RFCs are being linted."""
    sim = Simulator()
    await sim.start()
    running = await start_app(sim, SECRET, lint_workers=lint_workers, lint_timeout_seconds=60.0)
    try:
        repo = sim.create_repo("octo-org/rfcs", files={"rfcs/README.md": "# RFCs\n"})
        text = big_rfc()
        pulls = [
            sim.open_pull_request(repo, head=f"rfc/big-{n}", files={f"rfcs/0000-big-{n}.md": text})
            for n in range(BIG_FILES)
        ]
        async with aiohttp.ClientSession() as session:
            ping = {"zen": "Keep it logically awesome.", "hook_id": 1}
            await deliver(session, running.webhook_url, "ping", ping, SECRET)  # warm
            for pull in pulls:
                event = sim.event_pull_request(repo, pull.number, "opened")
                await deliver(session, running.webhook_url, "pull_request", event, SECRET)
            work = asyncio.ensure_future(running.idle())
            times: list[float] = []
            while not work.done():
                started = time.perf_counter()
                await deliver(session, running.webhook_url, "ping", ping, SECRET)
                times.append(time.perf_counter() - started)
                await asyncio.sleep(TICK_SECONDS)
            await work
        return times
    finally:
        await running.stop()
        await sim.stop()


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def measure(rounds: int = 2) -> list[Figure]:
    pool: list[float] = []
    inline: list[float] = []
    for _ in range(rounds):  # interleaved, so a change in machine load hits both
        pool += asyncio.run(acknowledgements(None))
        inline += asyncio.run(acknowledgements(0))
    note = f"{BIG_FILES} RFCs of 0.99 MB linting, a ping every 20 ms; baseline: lint in-process"
    return [
        Figure("ack p50 while big RFCs lint", _p(pool, 50), "ms", _p(inline, 50), note=note),
        Figure(
            "ack p99 while big RFCs lint",
            _p(pool, 99),
            "ms",
            _p(inline, 99),
            target=at_most(100),
            note=f"{len(pool)} acknowledgements with the pool, {len(inline)} without",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    print_figures(measure(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
