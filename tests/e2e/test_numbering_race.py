"""Numbering races: merges delivered at the same instant, to one App process and to two
replicas (separate `create_app` instances with their own Context, sharing nothing but the
simulated GitHub). The fast-forward-only ref update must give distinct numbers, once each."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.features.context import Context
from sandbox.delivery import deliver
from sandbox.harness import LoopbackApp, start_app
from tests.e2e.helpers import bot_comments, merged_pull, numbering_commits, rfc, seed_repo

SECRET = "replica-webhook-secret"


@dataclass
class Replica:
    """One App replica (its own server and Context) and the session that delivers to it."""

    running: LoopbackApp
    session: aiohttp.ClientSession

    @property
    def context(self) -> Context:
        return self.running.context

    async def deliver(self, payload: dict[str, Any], delivery_id: str | None = None) -> int:
        return await deliver(
            self.session,
            self.running.webhook_url,
            "pull_request",
            payload,
            SECRET,
            delivery_id=delivery_id,
        )

    async def idle(self) -> None:
        await self.running.idle()


@pytest.fixture
async def replicas(sim: Any) -> AsyncIterator[tuple[Replica, Replica]]:
    async with aiohttp.ClientSession() as session:
        started = [
            await start_app(sim, SECRET, log_format="text", event_budget_seconds=30.0)
            for _ in range(2)
        ]
        first, second = (Replica(running, session) for running in started)
        try:
            yield first, second
            await asyncio.gather(first.idle(), second.idle())
        finally:
            for running in started:
                await running.stop()


@pytest.fixture
def repo(sim: Any) -> Any:
    return seed_repo(sim, {"rfcs/0001-audit-log.md": rfc("Audit Log", "0001")})


def merged_rfc(sim: Any, repo: Any, slug: str) -> Any:
    """A merged pull request adding ``rfcs/0000-<slug>.md``."""
    return merged_pull(sim, repo, {f"rfcs/0000-{slug}.md": rfc(slug.title())}, head=f"rfc/{slug}")


def numbers_by_slug(sim: Any, repo: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sim.tree(repo):
        match = re.fullmatch(r"rfcs/(\d+)-([a-z0-9-]+)\.md", path)
        if match:
            found.setdefault(match[2], []).append(int(match[1]))
    return found


def ref_update_statuses(sim: Any) -> list[int | None]:
    return [r.status for r in sim.requests if r.method == "PATCH" and "/git/refs/" in r.path]


def hold_ref_updates_until_both_arrive(sim: Any) -> None:
    """Make the race certain: the first two ref updates wait for each other, so both
    writers have read the same head before either of them can move the branch."""
    arrived = 0
    both = asyncio.Event()

    async def barrier(_: Any) -> None:
        nonlocal arrived
        arrived += 1
        if arrived == 2:
            both.set()
        # A generous bound, so a writer that never comes fails the test instead of hanging it.
        await asyncio.wait_for(both.wait(), timeout=20)

    sim.before("PATCH", r".*/git/refs/heads/main", barrier, times=2)


async def test_two_merges_at_once_on_one_process_get_consecutive_numbers(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    sim.latency = 0.005  # keep both handlers in flight together
    first, second = merged_rfc(sim, repo, "alpha"), merged_rfc(sim, repo, "beta")

    statuses = await asyncio.gather(
        *(
            bot_app.deliver("pull_request", sim.event_pull_request(repo, p.number, "closed"))
            for p in (first, second)
        )
    )
    await bot_app.idle()

    assert statuses == [202, 202]
    assert ref_update_statuses(sim) == [200, 200]  # the per-repository lock: no lost race
    numbers = numbers_by_slug(sim, repo)
    assert sorted(numbers["alpha"] + numbers["beta"]) == [2, 3]
    assert numbers["audit-log"] == [1]
    for pull in (first, second):
        assert len(bot_comments(sim, repo, pull.number)) == 1


async def test_two_replicas_merging_different_pulls_at_once_get_distinct_numbers(
    sim: Any, replicas: tuple[Replica, Replica], repo: Any
) -> None:
    sim.latency = 0.005
    pulls = [merged_rfc(sim, repo, slug) for slug in ("alpha", "beta", "gamma", "delta")]
    hold_ref_updates_until_both_arrive(sim)

    await asyncio.gather(
        *(
            replicas[i % 2].deliver(sim.event_pull_request(repo, pull.number, "closed"))
            for i, pull in enumerate(pulls)
        )
    )
    await asyncio.gather(*(replica.idle() for replica in replicas))

    numbers = numbers_by_slug(sim, repo)
    assigned = [numbers[slug] for slug in ("alpha", "beta", "gamma", "delta")]
    assert all(len(n) == 1 for n in assigned)
    assert sorted(n[0] for n in assigned) == [2, 3, 4, 5]
    assert not any(path.startswith("rfcs/0000-") for path in sim.tree(repo))
    assert ref_update_statuses(sim).count(200) == 4 and 422 in ref_update_statuses(sim)
    for pull in pulls:
        assert len(numbering_commits(sim, repo, pull.number)) == 1
        [body] = bot_comments(sim, repo, pull.number)
        assert "Assigned RFC 000" in body
        assert "rfc: numbered" in sim.pr_labels(repo, pull.number)
    index = sim.file(repo, "rfcs/README.md")
    assert all(f"[{slug.title()}](" in index for slug in ("Alpha", "Beta", "Gamma", "Delta"))


async def test_two_replicas_receiving_the_same_merge_number_it_once(
    sim: Any, replicas: tuple[Replica, Replica], repo: Any
) -> None:
    sim.latency = 0.005
    pull = merged_rfc(sim, repo, "alpha")
    event = sim.event_pull_request(repo, pull.number, "closed")
    hold_ref_updates_until_both_arrive(sim)

    # Each replica dedupes delivery ids only in memory: both handle it, GitHub decides.
    await asyncio.gather(
        *(replica.deliver(event, delivery_id="same-delivery") for replica in replicas)
    )
    await asyncio.gather(*(replica.idle() for replica in replicas))

    assert sorted(ref_update_statuses(sim)) == [200, 422]  # one won, the other re-read
    assert numbers_by_slug(sim, repo) == {"audit-log": [1], "alpha": [2]}
    assert len(numbering_commits(sim, repo, pull.number)) == 1
    assert len(bot_comments(sim, repo, pull.number)) == 1
    assert "rfc: numbered" in sim.pr_labels(repo, pull.number)


async def test_a_replica_finding_the_work_done_leaves_the_announcement_to_the_writer(
    sim: Any, replicas: tuple[Replica, Replica], repo: Any
) -> None:
    """The second replica reads the branch after the first moved it but before the first
    commented, and the writer's comment is slower than the late replica's whole run: the late
    replica still posts nothing, the writer posts the one announcement."""
    writer, late = replicas
    pull = merged_pull(sim, repo, {"rfcs/0000-alpha.md": rfc("Alpha")}, head="rfc/alpha")
    event = sim.event_pull_request(repo, pull.number, "closed")
    comments_path = rf".*/issues/{pull.number}/comments"

    async def hold_the_writers_comment(_: Any) -> None:
        # The writer has moved the branch and is about to comment: now the late replica
        # gets the same event and finishes before the writer's comment goes out.
        assert await late.deliver(event, delivery_id="late") == 202
        await late.idle()
        assert bot_comments(sim, repo, pull.number) == []

    sim.before("POST", comments_path, hold_the_writers_comment, times=1)
    assert await writer.deliver(event, delivery_id="writer") == 202
    await asyncio.gather(writer.idle(), late.idle())

    assert len(numbering_commits(sim, repo, pull.number)) == 1
    [body] = bot_comments(sim, repo, pull.number)
    assert "Assigned RFC 0002" in body
