"""What one flood comment costs: the GitHub API calls of a comment holding 1,000 commands.

One run, counted on the GitHub simulator (calls, not time: the installation's rate limit is
what a flood spends). On one pull request with warm caches (installation token, config,
labels), three comments by the same read-only user are delivered to the real App, each on
a fresh pull request so per-user and per-PR budgets start empty:

- baseline: one ordinary ``/rfc check`` comment;
- 1,000 lines of ``/rfc check`` (identical: collapsed to one);
- 1,000 distinct invalid ``/rfc`` lines (10 answered, the rest counted as not run).

Also the reply's length for each, against GitHub's 65,536-character comment limit.

    python bench/bench_flood.py

Target: a flood comment costs no more calls than the ordinary one (ratio <= 1).
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.serve.app import wait_idle  # noqa: E402
from sandbox.delivery import deliver  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402
from sandbox.harness import start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "rfcs/0000-job-retries.md"
COMMENTS = {
    "one /rfc check": "/rfc check",
    "1,000 x /rfc check": "\n".join(["/rfc check"] * 1000),
    "1,000 distinct invalid lines": "\n".join(f"/rfc frobnicate{i}" for i in range(1000)),
}


@dataclass
class Cost:
    calls: Counter[str]
    check_runs: int
    reply_chars: int


async def comment_cost(sim: Simulator, running: Any, session: Any, repo: Any, index: int,
                       body: str) -> Cost:  # fmt: skip
    pull = sim.open_pull_request(repo, head=f"rfc/flood-{index}", files={PATH: demo_file(
        "fixed.md")}, author="alice", title=f"RFC {index}")  # fmt: skip
    comment = sim.add_comment(repo, pull.number, "eve", body)
    payload = sim.event_issue_comment(repo, pull.number, comment)
    first = len(sim.requests)
    runs_before = len(sim.check_runs(repo))
    assert await deliver(session, running.webhook_url, "issue_comment", payload, SECRET) == 202
    await wait_idle(running.app)
    made = sim.requests[first:]
    replies = [c["body"] for c in sim.comments(repo, pull.number) if c["user"]["type"] == "Bot"]
    return Cost(
        Counter(r.operation_id or f"{r.method} {r.path}" for r in made),
        len(sim.check_runs(repo)) - runs_before,
        max((len(reply) for reply in replies), default=0),
    )


async def bench() -> dict[str, Cost]:
    sim = Simulator()
    await sim.start()
    running = await start_app(sim, SECRET)
    try:
        repo = sim.create_repo("octo-org/rfcs", files={
            ".github/rfc-bot.yml": demo_file("rfc-bot.yml"),
            "rfcs/README.md": demo_file("index.md"),
        })  # fmt: skip
        sim.set_permission(repo, "eve", "read")
        async with aiohttp.ClientSession() as session:
            await comment_cost(sim, running, session, repo, 0, "/rfc check")  # warm caches
            return {
                name: await comment_cost(sim, running, session, repo, i, body)
                for i, (name, body) in enumerate(COMMENTS.items(), start=1)
            }
    finally:
        await running.stop()
        await sim.stop()
        if sim.violations:
            raise SystemExit("requests off GitHub's REST description:\n" + "\n".join(
                sim.violations))  # fmt: skip


def measure() -> list[Figure]:
    """API calls per flood comment against one ordinary ``/rfc check`` comment."""
    costs = asyncio.run(bench())
    baseline = costs["one /rfc check"]
    figures = []
    for name, cost in costs.items():
        calls = sum(cost.calls.values())
        figures.append(
            Figure(
                f"flood: API calls, {name}",
                calls,
                "calls",
                baseline=None if cost is baseline else sum(baseline.calls.values()),
                target=None if cost is baseline else at_most(1, on_ratio=True),
                note=f"{cost.check_runs} check run(s), reply {cost.reply_chars:,} chars; "
                + ", ".join(f"{op} x{n}" for op, n in sorted(cost.calls.items())),
            )
        )
    return figures


def main() -> None:
    print_figures(measure())


if __name__ == "__main__":
    main()
