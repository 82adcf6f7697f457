"""Nothing lost: the App killed with SIGKILL while deliveries are in flight, then started again.

GitHub delivers each webhook once and the App answers 202 before working, so a kill loses the
work in flight. The restarted App's first sweep (the reconciler) re-derives what should be true
from GitHub and repairs it: one completed check run per open head, one number per merged RFC,
one reply per command, and nothing doubled.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.features.sweep_passes import CLAIM_LEASE_SECONDS
from sandbox.delivery import deliver
from sandbox.simulator import Simulator
from tests.e2e.processes import REPO, SECRET, SETTLE_SECONDS, rfc, start_serve, until

OPENED = 10


def app_check_runs(sim: Simulator, head_sha: str) -> list[dict[str, Any]]:
    return [r for r in sim.check_runs(REPO, head_sha=head_sha) if r["name"] == "RFC validation"]


def app_comments(sim: Simulator, number: int) -> list[str]:
    return [c["body"] for c in sim.comments(REPO, number) if c["user"]["login"] == sim.bot_login]


async def test_sigkill_with_deliveries_in_flight_is_repaired_by_the_restarted_app(
    sim: Simulator,
) -> None:
    # Everything happened ten minutes ago (older than a sweep's grace for work in flight).
    sim.clock.freeze(datetime.now(UTC) - timedelta(minutes=10))
    sim.create_repo(REPO, files={"rfcs/README.md": "# RFCs\n"})
    opened = [
        sim.open_pull_request(REPO, head=f"rfc/n{n}", files={f"rfcs/0000-n{n}.md": rfc(f"N{n}")})
        for n in range(OPENED)
    ]
    merged = sim.open_pull_request(REPO, head="rfc/m", files={"rfcs/0000-m.md": rfc("M")})
    sim.merge_pull_request(REPO, merged.number)
    comment = sim.add_comment(REPO, opened[0].number, "alice", "/rfc status proposed")
    events = [
        ("pull_request", sim.event_pull_request(REPO, p.number, "opened")) for p in opened
    ] + [
        ("pull_request", sim.event_pull_request(REPO, merged.number, "closed")),
        ("issue_comment", sim.event_issue_comment(REPO, opened[0].number, comment)),
    ]

    first_head = opened[0].head_sha
    async with aiohttp.ClientSession() as session:
        first = await start_serve(sim, session, RECONCILE_INTERVAL="0", LINT_WORKERS="1")
        sim.latency = 0.5  # every call slow: the work is still in flight at the kill
        statuses = await asyncio.gather(
            *(deliver(session, first.url, name, payload, SECRET) for name, payload in events)
        )
        assert statuses == [202] * len(events)
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
        sim.latency = 0.0

        lost = [p for p in opened if not app_check_runs(sim, p.head_sha)]
        assert lost, "the kill came too late to lose anything"

        # RECONCILE_INTERVAL=1: the restarted App sweeps within a tenth of a second.
        # Restarted past the claims' lease: the dead App's claims no longer hold anything back.
        later = timedelta(seconds=CLAIM_LEASE_SECONDS + 60)
        second = await start_serve(
            sim, session, ahead=later, RECONCILE_INTERVAL="1", LINT_WORKERS="1"
        )
        try:
            pushed: list[str] = [first_head]

            async def converged() -> bool:
                numbered = any("/0001-m.md" in path for path in sim.tree(REPO))
                answered = len(app_comments(sim, opened[0].number)) == 1
                moved = sim.pull_request(REPO, opened[0].number).current_head()
                if answered and moved not in pushed:
                    # The repaired command pushed to the branch: GitHub delivers that push.
                    pushed.append(moved)
                    payload = sim.event_pull_request(REPO, opened[0].number, "synchronize")
                    await deliver(session, second.url, "pull_request", payload, SECRET)
                heads = (sim.pull_request(REPO, p.number).current_head() for p in opened)
                checked = all(app_check_runs(sim, head) for head in heads)
                return checked and numbered and answered

            await until(converged, SETTLE_SECONDS, "the restarted App to repair everything")
            await asyncio.sleep(2.5)  # two more sweeps: they must change nothing
        finally:
            second.process.kill()
            await second.process.wait()

    for pull in opened:
        head = sim.pull_request(REPO, pull.number).current_head()
        runs = app_check_runs(sim, head)
        assert len(runs) == 1 and runs[0]["status"] == "completed"
    assert sorted(p for p in sim.tree(REPO) if p.endswith("-m.md")) == ["rfcs/0001-m.md"]
    [announcement] = app_comments(sim, merged.number)
    assert "Assigned RFC 0001" in announcement
    [reply] = app_comments(sim, opened[0].number)
    assert "from **Draft** to **Proposed**" in reply
