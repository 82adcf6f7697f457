"""What answering a comment exactly once costs: GitHub calls per command, first and again.

Counted on the GitHub simulator (calls, not time), against the real App with warm caches
(installation token, config, labels). Each case is one comment on a fresh pull request:

- ``/rfc status proposed`` by the RFC's author (a move: a commit, a reply, a reaction);
- ``/rfc check`` by a read-only user (the ordinary command of ``bench_flood.py``);
- ``/rfc status final`` by a maintainer (starts a decision: the record, the panel).

Each comment is delivered, then delivered again twice under new delivery ids (GitHub's
"Redeliver", or a replay), then once more to a restarted App (empty caches). The figures:
calls of the first delivery, calls of each later delivery, and the replies and status moves
the comment got in the end (target: exactly one each).

    python bench/bench_redelivery.py
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.serve.app import wait_idle  # noqa: E402
from sandbox.delivery import deliver  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402
from sandbox.harness import LoopbackApp, start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "rfcs/0000-job-retries.md"
# (case, who, comment, the RFC's status on the branch)
CASES = (
    ("/rfc status proposed by the author", "alice", "/rfc status proposed", "Draft"),
    ("/rfc check by a reader", "eve", "/rfc check", "Draft"),
    ("/rfc status final by a maintainer", "mona", "/rfc status final", "Proposed"),
)
REDELIVERIES = 2


@dataclass
class Cost:
    first: Counter[str] = field(default_factory=Counter)
    again: list[Counter[str]] = field(default_factory=list)
    replies: int = 0
    moves: int = 0


def rfc_with(status: str) -> str:
    return demo_file("fixed.md").replace("**Status:** Draft", f"**Status:** {status}")


async def delivered(sim: Simulator, running: LoopbackApp, session: Any, payload: Any,
                    delivery_id: str) -> Counter[str]:  # fmt: skip
    """Deliver ``payload`` under ``delivery_id``; the App's calls until it is idle."""
    first = len(sim.requests)
    url = running.webhook_url
    status = await deliver(session, url, "issue_comment", payload, SECRET, delivery_id=delivery_id)
    assert status == 202
    await wait_idle(running.app)
    return Counter(r.operation_id or f"{r.method} {r.path}" for r in sim.requests[first:])


async def bench() -> dict[str, Cost]:
    sim = Simulator()
    await sim.start()
    running = await start_app(sim, SECRET)
    costs: dict[str, Cost] = {}
    pending: list[tuple[str, Any, int, str]] = []  # (case, payload, pull request, branch)
    try:
        repo = sim.create_repo("octo-org/rfcs", files={
            ".github/rfc-bot.yml": demo_file("rfc-bot.yml"),
            "rfcs/README.md": demo_file("index.md"),
        })  # fmt: skip
        sim.set_permission(repo, "eve", "read")
        sim.set_permission(repo, "mona", "write")
        async with aiohttp.ClientSession() as session:
            for index, (name, who, body, status) in enumerate((("warm", "eve", "/rfc check",
                                                                "Draft"), *CASES)):  # fmt: skip
                pull = sim.open_pull_request(repo, head=f"rfc/case-{index}", files={
                    PATH: rfc_with(status)}, author="alice", title=f"RFC {index}")  # fmt: skip
                comment = sim.add_comment(repo, pull.number, who, body)
                payload = sim.event_issue_comment(repo, pull.number, comment)
                cost = costs[name] = Cost()
                cost.first = await delivered(sim, running, session, payload, f"{index}-0")
                for again in range(1, REDELIVERIES + 1):
                    delivery = f"{index}-{again}"
                    cost.again.append(await delivered(sim, running, session, payload, delivery))
                pending.append((name, payload, pull.number, f"rfc/case-{index}"))
            await running.stop()
            running = await start_app(sim, SECRET)  # a restart: nothing remembered
            for name, payload, _, _ in pending:
                cost = costs[name]
                cost.again.append(await delivered(sim, running, session, payload, f"{name}-r"))
        for name, _, number, branch in pending:
            cost = costs[name]
            cost.replies = sum(
                c["user"]["type"] == "Bot" and "rfc-bot:reply:" in c["body"]
                for c in sim.comments(repo, number)
            )
            history = repo.objects.history(sim.head(repo, branch))
            cost.moves = sum(": status " in c.message for c in history)
        del costs["warm"]
        return costs
    finally:
        await running.stop()
        await sim.stop()
        if sim.violations:
            raise SystemExit("requests off GitHub's REST description:\n" + "\n".join(
                sim.violations))  # fmt: skip


def _calls(counter: Counter[str]) -> str:
    return ", ".join(f"{op} x{n}" for op, n in sorted(counter.items()))


def measure() -> list[Figure]:
    """Calls of a first delivery and of each later one; replies and moves in the end."""
    figures = []
    for name, cost in asyncio.run(bench()).items():
        first = sum(cost.first.values())
        again = [sum(counter.values()) for counter in cost.again]
        figures += [
            Figure(
                f"redelivery: {name}: calls, first delivery",
                first,
                "calls",
                note=_calls(cost.first),
            ),
            Figure(
                f"redelivery: {name}: calls, most of a later delivery",
                max(again),
                "calls",
                baseline=first,
                note=f"each later delivery (the last after a restart): {again}; "
                + _calls(sum(cost.again, Counter())),
            ),
            Figure(f"redelivery: {name}: replies", cost.replies, "replies", target=at_most(1)),
            Figure(f"redelivery: {name}: status moves", cost.moves, "commits", target=at_most(1)),
        ]
    return figures


def main() -> None:
    print_figures(measure())


if __name__ == "__main__":
    main()
