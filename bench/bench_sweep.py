"""Cost of one reconciliation sweep over a repository of open RFC pull requests.

The App and the simulator run in this process. ``--pulls`` pull requests each add one RFC;
a first sweep posts their check runs, a second reads the listings that changed. Then the
figures: a sweep in which nothing changed, and a sweep after one pull request got a new
head without its check (its delivery lost). For each: requests that counted against the
installation's rate limit, 304s (free), and repairs. The baseline of both is the number of
pull requests: what a sweep without conditional requests or memory would pay at least (one
request per pull request to find its check run).

    PYTHONPATH=. python bench/bench_sweep.py [--pulls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bench.figure import Figure, at_most, print_figures
from bot.serve.app import RECONCILER
from sandbox.harness import start_app
from sandbox.simulator import Simulator

SECRET = "bench-webhook-secret"


def rfc(title: str) -> str:
    return (
        f"# {title}\n\n**Status:** Draft  \n**Target Application(s):** api  \n"
        "**RFC Number:** [TBD]  \n**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-02  \n**Author(s):** Alice Example (@alice)  \n\n"
        "## Overview\n\n### Summary\nRetry failed jobs with backoff.\n"
    )


async def run(pulls: int) -> list[Figure]:
    sim = Simulator()
    await sim.start()
    app = await start_app(sim, SECRET, log_format="text", log_level="WARNING")
    try:
        repo = sim.create_repo("octo-org/rfcs", files={"README.md": "# RFCs\n"})
        for i in range(pulls):
            sim.open_pull_request(
                repo, head=f"rfc/t{i}", files={f"rfcs/0000-t{i}.md": rfc(f"T {i}")}, author="alice"
            )
        sweeper = app.app[RECONCILER]
        sweeper.grace_seconds = 0.0
        await sweeper.sweep()
        await sweeper.sweep()
        figures: list[Figure] = []
        for label, change in (("nothing changed", False), ("one check missing", True)):
            if change:
                sim.commit(repo, "rfc/t0", {"rfcs/0000-t0.md": rfc("T 0") + "\n"})
            before = sim.api_usage(repo)
            report = await sweeper.sweep()
            after = sim.api_usage(repo)
            spent = after.requests - before.requests
            bound = 1 if not change else 8  # listing + check runs + the repair's own calls
            figures += [
                Figure(
                    f"sweep, {label}: rate-limited requests",
                    spent,
                    "requests",
                    baseline=pulls,
                    target=at_most(bound),
                    note=f"{pulls} open RFC pull requests",
                ),
                Figure(
                    f"sweep, {label}: 304s", after.not_modified - before.not_modified, "requests"
                ),
                Figure(f"sweep, {label}: repairs", sum(report.repairs.values()), "repairs"),
            ]
        return figures
    finally:
        await app.stop()
        await sim.stop()


def measure(pulls: int = 50) -> list[Figure]:
    logging.getLogger("bot").setLevel(logging.WARNING)
    return asyncio.run(run(pulls))


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--pulls", type=int, default=50)
    print_figures(measure(options.parse_args().pulls))


if __name__ == "__main__":
    main()
