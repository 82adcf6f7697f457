"""Cost of reconciliation sweeps: one repository of many open pull requests, and a thousand
repositories.

The App and the simulator run in this process (the simulator may answer each call after
``--latency`` seconds).

1. One repository, ``--pulls`` pull requests each adding one RFC: a first sweep posts their
   check runs, a second reads the listings that changed. Then a sweep in which nothing
   changed, and a sweep after one pull request got a new head without its check (its
   delivery lost): requests that counted against the installation's rate limit, 304s (free),
   repairs. The baseline of both is the number of pull requests: what a sweep without
   conditional requests or memory would pay at least (one request per pull request).
2. ``--repos`` repositories of ``--per-repo`` open RFC pull requests each, in one
   installation: the sweeps that repair and re-read, then an idle sweep (nothing changed):
   counted requests per repository (target at most 1; 304s are free) and its wall time
   (target under 60 s). Then three replicas (REPLICAS=3) share the same repositories: an
   idle round of the three (each sweeps once) against the idle sweep of one replica.

    PYTHONPATH=. python bench/bench_sweep.py [--pulls 50] [--repos 1000] [--per-repo 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from dataclasses import dataclass

from bench.figure import Figure, at_most, print_figures
from bot.features.reconcile import Reconciler, SweepReport
from bot.serve.app import RECONCILER
from sandbox.harness import LoopbackApp, start_app
from sandbox.simulator import Simulator

SECRET = "bench-webhook-secret"
WALL_TARGET_SECONDS = 60.0
REPLICAS = 3


def rfc(title: str) -> str:
    return (
        f"# {title}\n\n**Status:** Draft  \n**Target Application(s):** api  \n"
        "**RFC Number:** [TBD]  \n**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-02  \n**Author(s):** Alice Example (@alice)  \n\n"
        "## Overview\n\n### Summary\nRetry failed jobs with backoff.\n"
    )


def sweeper(app: LoopbackApp) -> Reconciler:
    found = app.app[RECONCILER]
    found.grace_seconds = 0.0  # the seeded state is as old as it gets: repair it now
    return found


# --- one repository of many pull requests ------------------------------------------------


async def one_repository(pulls: int) -> list[Figure]:
    sim = Simulator()
    await sim.start()
    app = await start_app(sim, SECRET, log_format="text", log_level="WARNING")
    try:
        repo = sim.create_repo("octo-org/rfcs", files={"README.md": "# RFCs\n"})
        for i in range(pulls):
            sim.open_pull_request(
                repo, head=f"rfc/t{i}", files={f"rfcs/0000-t{i}.md": rfc(f"T {i}")}, author="alice"
            )
        sweeps = sweeper(app)
        await sweeps.sweep()
        await sweeps.sweep()
        figures: list[Figure] = []
        for label, change in (("nothing changed", False), ("one check missing", True)):
            if change:
                sim.commit(repo, "rfc/t0", {"rfcs/0000-t0.md": rfc("T 0") + "\n"})
            before = sim.api_usage(repo)
            report = await sweeps.sweep()
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


# --- a thousand repositories ---------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """What GitHub saw of a stretch of sweeps: counted requests, 304s, every call."""

    counted: int
    not_modified: int
    calls: int

    @classmethod
    def of(cls, sim: Simulator) -> Cost:
        budgets = sim.rate_limits.budgets.values()
        return cls(
            sum(b.requests for b in budgets),
            sum(b.not_modified for b in budgets),
            len(sim.requests),
        )

    def __sub__(self, other: Cost) -> Cost:
        return Cost(
            self.counted - other.counted,
            self.not_modified - other.not_modified,
            self.calls - other.calls,
        )


async def measured(sim: Simulator, sweeps: list[Reconciler]) -> tuple[Cost, float, SweepReport]:
    """One round: each reconciler sweeps once, in turn; the cost, wall time, last report."""
    before, started = Cost.of(sim), time.perf_counter()
    report = SweepReport()
    for sweep in sweeps:
        report = await sweep.sweep()
    return Cost.of(sim) - before, time.perf_counter() - started, report


def seed(sim: Simulator, repos: int, per_repo: int) -> None:
    for r in range(repos):
        repo = sim.create_repo(f"octo-org/rfcs-{r:04d}", files={"README.md": "# RFCs\n"})
        for i in range(per_repo):
            sim.open_pull_request(
                repo, head=f"rfc/t{i}", files={f"rfcs/0000-t{i}.md": rfc(f"T {i}")}, author="alice"
            )


async def many_repositories(repos: int, per_repo: int, latency: float) -> list[Figure]:
    # The first sweep makes a check run for every pull request: thousands of counted
    # requests, past the simulator's default hourly budget.
    sim = Simulator(rate_limit=10**9)
    await sim.start()
    apps = [await start_app(sim, SECRET, log_format="text", log_level="WARNING")]
    try:
        seed(sim, repos, per_repo)
        one = sweeper(apps[0])
        _, first_seconds, first = await measured(sim, [one])
        reread, _, _ = await measured(sim, [one])  # the listings the repairs changed
        # Three replicas sharing the sweep (a static partition: REPLICAS=3, no peer URL).
        for index in range(REPLICAS):
            apps.append(
                await start_app(
                    sim,
                    SECRET,
                    log_format="text",
                    log_level="WARNING",
                    replicas=REPLICAS,
                    replica_index=index,
                )
            )
        three = [sweeper(app) for app in apps[1:]]
        await measured(sim, three)  # each proves its share from GitHub (empty memory)
        await measured(sim, three)
        sim.latency = latency
        idle, seconds, report = await measured(sim, [one])
        shared, _, _ = await measured(sim, three)
        slowest = 0.0
        for replica in three:
            _, replica_seconds, _ = await measured(sim, [replica])
            slowest = max(slowest, replica_seconds)
    finally:
        for app in apps:
            await app.stop()
        await sim.stop()
    scale = f"{repos} repositories x {per_repo} open RFC pull requests, one installation"
    delay = f"simulator latency {latency * 1000:g} ms per call"
    return [
        Figure(
            "sweep of 1 replica, nothing changed: counted requests per repository",
            idle.counted / repos,
            "requests",
            target=at_most(1),
            note=f"{scale}; {idle.counted} counted, {idle.not_modified} 304s, "
            f"{idle.calls} calls in all, {report.errors} errors",
        ),
        Figure(
            "sweep of 1 replica after the repairs: counted requests per repository",
            reread.counted / repos,
            "requests",
            target=at_most(1),
            note=f"the sweep after the first: {reread.counted} counted, {reread.not_modified} 304s",
        ),
        Figure(
            "sweep of 1 replica, nothing changed: wall time",
            seconds,
            "s",
            baseline=first_seconds,
            target=at_most(WALL_TARGET_SECONDS),
            note=f"{scale}; {delay}; baseline: the first sweep "
            f"({sum(first.repairs.values())} repairs, no latency)",
        ),
        Figure(
            f"idle round of {REPLICAS} replicas: counted requests",
            shared.counted,
            "requests",
            baseline=idle.counted,
            target=at_most(idle.counted),
            note=f"each of {REPLICAS} replicas (REPLICAS={REPLICAS}, no peer URL) sweeps once; "
            "baseline: the idle sweep of 1 replica",
        ),
        Figure(
            f"idle round of {REPLICAS} replicas: calls in all (304s too)",
            shared.calls,
            "calls",
            baseline=idle.calls,
            target=at_most(1.02, on_ratio=True),
            note="only the installation-wide listings are read by every replica",
        ),
        Figure(
            f"idle sweep of 1 of {REPLICAS} replicas: wall time (the slowest)",
            slowest,
            "s",
            baseline=seconds,
            note=f"{delay}; baseline: the idle sweep of 1 replica",
        ),
    ]


def measure(
    pulls: int = 50, repos: int = 1000, per_repo: int = 5, latency: float = 0.0
) -> list[Figure]:
    logging.getLogger("bot").setLevel(logging.WARNING)
    return asyncio.run(one_repository(pulls)) + asyncio.run(
        many_repositories(repos, per_repo, latency)
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--pulls", type=int, default=50)
    options.add_argument("--repos", type=int, default=1000)
    options.add_argument("--per-repo", type=int, default=5)
    options.add_argument("--latency", type=float, default=0.0, help="seconds per API call")
    args = options.parse_args()
    print_figures(measure(args.pulls, args.repos, args.per_repo, args.latency))


if __name__ == "__main__":
    main()
