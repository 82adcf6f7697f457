"""Cost of the live dashboard: GitHub requests and time per view, cold and warm.

``--repos`` repositories with ``--pulls`` open RFC pull requests each (their checks posted by
the App, as webhooks would have it). Figures:

- the first view in a fresh process: requests that counted against the rate limit (baseline:
  the pull requests, which a dashboard without caches pays several times over per view);
- the next view with nothing changed: counted requests (every listing a 304) and its time,
  against the first view's time;
- the next view after one pull request changed: counted requests;
- deciding and rendering a page of 1,000 RFCs (pure; baseline: one of 10, per RFC).

    PYTHONPATH=. python bench/bench_dashboard.py [--repos 10 --pulls 10]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from datetime import UTC, datetime

from bench.bench_sweep import rfc
from bench.figure import Figure, at_most, print_figures
from bot.dashboard.page import render_dashboard
from bot.features.dashboard import open_cards
from bot.policy.dashboard import PullCard, build_view
from bot.policy.decisions import NO_DECISION
from bot.policy.panel import RfcPanel
from bot.serve.app import DISPATCHER
from sandbox.harness import start_app
from sandbox.simulator import Simulator

SECRET = "bench-webhook-secret"


async def run(repos: int, pulls: int) -> list[Figure]:
    sim = Simulator()
    await sim.start()
    app = await start_app(sim, SECRET, log_format="text", log_level="WARNING")
    try:
        made = []
        for r in range(repos):
            repo = sim.create_repo(f"octo-org/rfcs-{r}", files={"README.md": "# RFCs\n"})
            made.append(repo)
            for i in range(pulls):
                sim.open_pull_request(
                    repo, head=f"rfc/t{i}", files={f"rfcs/0000-t{i}.md": rfc(f"T {i}")}
                )
        clients = app.app[DISPATCHER].clients
        assert clients is not None
        total = repos * pulls

        async def view() -> tuple[int, float, int]:
            before = sim.api_usage(made[0]).requests
            started = time.perf_counter()
            found = await open_cards(clients, app.context, "mona", budget=120.0)
            seconds = time.perf_counter() - started
            return sim.api_usage(made[0]).requests - before, seconds, len(found.cards)

        cold, cold_s, shown = await view()
        warm, warm_s, _ = await view()
        sim.commit(made[0], "rfc/t0", {"rfcs/0000-t0.md": rfc("T 0") + "\n"})
        changed, _, _ = await view()
        note = f"{repos} repositories x {pulls} open RFC pull requests ({shown} shown)"
        return [
            Figure(
                "dashboard, first view: counted requests",
                cold,
                "requests",
                baseline=total,
                note=note,
            ),
            Figure(
                "dashboard, next view unchanged: counted requests",
                warm,
                "requests",
                target=at_most(0),
                note="every listing a 304",
            ),
            Figure(
                "dashboard, next view unchanged: time",
                warm_s,
                "s",
                baseline=cold_s,
                target=at_most(0.5, on_ratio=True),
                note="baseline: the first view",
            ),
            Figure(
                "dashboard, next view after one push: counted requests",
                changed,
                "requests",
                target=at_most(12),
                note="the changed card only",
            ),
        ]
    finally:
        await app.stop()
        await sim.stop()


def render_figures() -> list[Figure]:
    """Deciding and rendering a page: 1,000 RFCs against 10, per RFC."""
    now = datetime(2024, 5, 1, tzinfo=UTC)

    def cards(count: int) -> list[PullCard]:
        return [
            PullCard(
                f"o/r{n % 20}",
                n,
                f"RFC {n}",
                f"https://github.com/o/r/pull/{n}",
                "alice",
                "failure" if n % 3 else "success",
                "",
                (RfcPanel(f"rfcs/{n:04d}.md", f"T {n}", "Draft", (), NO_DECISION, None),),
            )
            for n in range(count)
        ]

    def per_rfc(count: int, repeat: int) -> float:
        made = cards(count)
        started = time.perf_counter()
        for _ in range(repeat):
            render_dashboard(build_view(made, "alice", lambda repo: True, now), "t")
        return (time.perf_counter() - started) / repeat / count

    small, large = per_rfc(10, 200), per_rfc(1000, 3)
    return [
        Figure(
            "dashboard page, 1,000 RFCs: time per RFC",
            large * 1e6,
            "µs",
            baseline=small * 1e6,
            target=at_most(3, on_ratio=True),
            note="baseline: a page of 10 (linear: ratio near 1)",
        ),
    ]


def measure(repos: int = 10, pulls: int = 10) -> list[Figure]:
    logging.disable(logging.WARNING)
    try:
        return asyncio.run(run(repos, pulls)) + render_figures()
    finally:
        logging.disable(logging.NOTSET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=10)
    parser.add_argument("--pulls", type=int, default=10)
    args = parser.parse_args()
    print_figures(measure(args.repos, args.pulls))


if __name__ == "__main__":
    main()
