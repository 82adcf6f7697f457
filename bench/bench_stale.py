"""Cost of staleness in the reconciler's sweep, over a repository of open RFC pull requests
that all went stale.

``--pulls`` pull requests each add one Draft RFC; ``stale_after`` gives Drafts 60 days. After
their first sweep the simulated clock moves 61 days, and a sweep reminds and labels every one.
Then the figures: the sweep after (it reads back the listings its own writes changed), a sweep
in which nothing changed (each stale pull request already reminded and labelled), and a sweep
after one person commented on one of them (its episode ends). For
each: requests that counted against the installation's rate limit, 304s (free), reminders.
The baseline is three requests per pull request: what reading each one's comments, reviews
and commits without conditional requests would cost.

    PYTHONPATH=. python bench/bench_stale.py [--pulls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import timedelta

from bench.figure import Figure, at_most, print_figures
from bot.serve.app import RECONCILER
from sandbox.harness import start_app
from sandbox.simulator import Simulator

SECRET = "bench-webhook-secret"
CONFIG = "stale_after:\n  Draft: 60d\n"


def rfc(title: str) -> str:
    return (
        f"# {title}\n\n**Status:** Draft  \n**Target Application(s):** api  \n"
        "**RFC Number:** [TBD]  \n**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-02  \n**Author(s):** Alice Example (@alice)  \n\n"
        "## Overview\n\n### Summary\nRetry failed jobs with backoff.\n"
    )


def reminders(sim: Simulator, repo: object, pulls: int) -> int:
    return sum(
        1
        for number in range(1, pulls + 1)
        for comment in sim.comments(repo, number)  # type: ignore[arg-type]
        if comment["body"].startswith("<!-- rfc-bot:stale -->")
    )


async def run(pulls: int) -> list[Figure]:
    sim = Simulator()
    await sim.start()
    app = await start_app(sim, SECRET, log_format="text", log_level="WARNING")
    try:
        files = {"README.md": "# RFCs\n", ".github/rfc-bot.yml": CONFIG}
        repo = sim.create_repo("octo-org/rfcs", files=files)
        for i in range(pulls):
            sim.open_pull_request(
                repo, head=f"rfc/t{i}", files={f"rfcs/0000-t{i}.md": rfc(f"T {i}")}, author="alice"
            )
        sweeper = app.app[RECONCILER]
        sweeper.grace_seconds = 0.0
        await sweeper.sweep()  # checks and labels
        sim.clock.advance(timedelta(days=61))
        await sweeper.sweep()  # every one goes stale: reminded, labelled
        figures = [Figure("stale sweep: pull requests reminded", reminders(sim, repo, pulls), "")]
        cases = (
            # The sweep after the one that wrote: each changed comment listing is read once more.
            ("its own writes read back", False, pulls + 2),
            ("nothing changed", False, 1),
            ("one comment", True, 12),  # listings, the label, the claim given back, the panel
        )
        for label, comment, bound in cases:
            if comment:
                sim.add_comment(repo, 1, "nina", "Still reading this one.")
            before = sim.api_usage(repo)
            await sweeper.sweep()
            after = sim.api_usage(repo)
            spent = after.requests - before.requests
            figures += [
                Figure(
                    f"stale sweep, {label}: rate-limited requests",
                    spent,
                    "requests",
                    baseline=3 * pulls,
                    target=at_most(bound),
                    note=f"{pulls} stale RFC pull requests",
                ),
                Figure(
                    f"stale sweep, {label}: 304s",
                    after.not_modified - before.not_modified,
                    "requests",
                ),
            ]
        figures.append(Figure("stale sweep: reminders after both", reminders(sim, repo, pulls), ""))
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
