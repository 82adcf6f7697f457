"""Latency of the `RFC validation` check: delivery -> completed check run, with API latency.

One run. The simulator answers every API call after ``--latency`` seconds (default 50 ms,
a realistic round trip to api.github.com). A pull request changing one RFC is delivered
``--runs`` times (a new PR each time, caches warm: installation token and config), and the
script prints:

- the median time from delivery to the check run being created on the simulator, and to the
  App being idle again (label changes included);
- the API calls per run (check path and label calls) and the sequential round trips on the
  way to the check run, derived from the simulator's request arrival times.

    python bench/bench_latency.py [--runs 15] [--latency 0.05]

Target: at most 3 sequential round trips and 4 calls on the check path (the file listing and
the pull request read again in the first wave: an event may be stale; the RFC's old text; the
check run; the new text is the listing's patch, proven by its blob sha), so the check run
exists within 4 latencies of the delivery (200 ms at 50 ms). With warm caches the old text
of the base commit is known already: 3 calls.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bench.timing import TimedRequests, round_trips  # noqa: E402
from bot.serve.app import wait_idle  # noqa: E402
from sandbox.delivery import deliver  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402
from sandbox.harness import start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "rfcs/0000-job-retries.md"
LABEL_CALLS = frozenset({"issues/add-labels", "issues/remove-label", "issues/create-label"})


@dataclass
class Sample:
    to_check_run: float
    to_idle: float
    check_calls: int
    label_calls: int
    round_trips: int


async def one_run(sim: Simulator, app: web.Application, url: str, session: Any, repo: Any,
                  index: int, latency: float) -> Sample:  # fmt: skip
    text = demo_file("fixed.md").replace(
        "**Last Updated:** 2024-05-03", f"**Last Updated:** 2024-05-{10 + index % 15:02d}"
    )
    pull = sim.open_pull_request(repo, head=f"rfc/run-{index}", files={PATH: text},
                                 author="alice", title=f"RFC update {index}")  # fmt: skip
    payload = sim.event_pull_request(repo, pull.number, "opened")
    requests: TimedRequests = sim.requests  # type: ignore[assignment]
    first = len(requests)
    started = time.perf_counter()
    assert await deliver(session, url, "pull_request", payload, SECRET) == 202
    await wait_idle(app)
    idle = time.perf_counter()
    made = list(zip(requests[first:], requests.arrivals[first:], strict=True))
    created = next(at for request, at in made if request.operation_id == "checks/create")
    return Sample(
        to_check_run=created + latency - started,
        to_idle=idle - started,
        check_calls=sum(1 for r, _ in made if r.operation_id not in LABEL_CALLS),
        label_calls=sum(1 for r, _ in made if r.operation_id in LABEL_CALLS),
        round_trips=round_trips([at for _, at in made], latency, until=created),
    )


async def bench(runs: int, latency: float) -> list[Sample]:
    sim = Simulator()
    await sim.start()
    sim.requests = TimedRequests()
    running = await start_app(sim, SECRET)
    app, url = running.app, running.webhook_url
    try:
        repo = sim.create_repo("octo-org/rfcs", files={
            ".github/rfc-bot.yml": demo_file("rfc-bot.yml"),
            "rfcs/README.md": demo_file("index.md"),
            PATH: demo_file("fixed.md"),
        })  # fmt: skip
        sim.latency = latency
        async with aiohttp.ClientSession() as session:
            await one_run(sim, app, url, session, repo, 0, latency)  # warm token and config
            return [await one_run(sim, app, url, session, repo, i, latency)
                    for i in range(1, runs + 1)]  # fmt: skip
    finally:
        await running.stop()
        await sim.stop()
        if sim.violations:
            raise SystemExit("requests off GitHub's REST description:\n" + "\n".join(
                sim.violations))  # fmt: skip


def measure(runs: int = 15, latency: float = 0.05) -> list[Figure]:
    """Check-run latency figures: time to the check run, calls and sequential round trips."""
    samples = asyncio.run(bench(runs, latency))
    to_check = [s.to_check_run * 1000 for s in samples]
    setup = f"one RFC changed, {runs} runs, API latency {latency * 1000:.0f} ms, caches warm"
    return [
        Figure(
            "latency: delivery -> check run created",
            statistics.median(to_check),
            "ms",
            target=at_most(4 * latency * 1000),
            note=f"{setup}; median (min {min(to_check):.1f}, max {max(to_check):.1f})",
        ),
        Figure(
            "latency: delivery -> App idle",
            statistics.median(s.to_idle * 1000 for s in samples),
            "ms",
            note="median, label changes included",
        ),
        Figure(
            "latency: API calls, check path",
            max(s.check_calls for s in samples),
            "calls",
            target=at_most(4),
            note=f"most in any run (seen: {_values(s.check_calls for s in samples)})",
        ),
        Figure(
            "latency: API calls, labels",
            max(s.label_calls for s in samples),
            "calls",
            note=f"most in any run (seen: {_values(s.label_calls for s in samples)})",
        ),
        Figure(
            "latency: sequential round trips",
            max(s.round_trips for s in samples),
            "",
            target=at_most(3),
            note="waves of requests before the check run, from the simulator's arrival times",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per API call")
    args = parser.parse_args()
    print_figures(measure(args.runs, args.latency))


def _values(numbers: Any) -> str:
    return ", ".join(str(n) for n in sorted(set(numbers)))


if __name__ == "__main__":
    main()
