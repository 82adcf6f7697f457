"""The reconciler end to end: deliveries that never arrived are repaired by a sweep, a sweep
with nothing to do is (almost) free, replicas and restarts converge, faults do not double."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.features.reconcile import Reconciler, SweepReport
from bot.features.timers import TIMERS, register_timer
from bot.serve.app import METRICS, RECONCILER
from sandbox.harness import LoopbackApp, start_app
from tests.e2e.conftest import WEBHOOK_SECRET
from tests.e2e.helpers import REPO, bot_comments, numbering_commits, open_pull, rfc, seed_repo

OTHER_RFC = "rfcs/0000-cache-warmup.md"


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    return repository


def reconciler(app: Any) -> Reconciler:
    sweeper = app.app[RECONCILER]
    sweeper.grace_seconds = 0.0  # the simulator's state is as old as it gets: repair it now
    return sweeper


def app_runs(sim: Any, repo: Any, head_sha: str) -> list[dict[str, Any]]:
    return [
        run
        for run in sim.check_runs(repo, head_sha=head_sha)
        if run["app"]["id"] == int(sim.app_id) and run["name"] == "RFC validation"
    ]


def writes(sim: Any, start: int) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in sim.requests[start:]
        if r.method != "GET" and r.path.startswith("/repos/")
    ]


def dropped_world(sim: Any, repo: Any, open_count: int = 2) -> dict[str, Any]:
    """Pull requests opened, a pull request merged and a command posted, with none of their
    deliveries ever sent."""
    opened = [
        open_pull(sim, repo, {f"rfcs/0000-topic-{i}.md": rfc(f"Topic {i}")}, head=f"rfc/t{i}")
        for i in range(open_count)
    ]
    merged = open_pull(sim, repo, {OTHER_RFC: rfc("Cache Warmup")}, head="rfc/cache")
    sim.merge_pull_request(repo, merged.number)
    comment = sim.add_comment(repo, opened[0].number, "alice", "/rfc status proposed")
    return {"opened": opened, "merged": merged, "comment": comment}


def assert_converged(sim: Any, repo: Any, world: dict[str, Any], runs_per_head: int = 1) -> None:
    """One completed run per open head, one number, one reply per command."""
    for pull in world["opened"]:
        head = sim.pull_request(repo, pull.number).current_head()
        runs = app_runs(sim, repo, head)
        assert 1 <= len(runs) <= runs_per_head
        assert all(run["status"] == "completed" for run in runs)
        assert "rfc" in sim.pr_labels(repo, pull.number)
    merged = world["merged"]
    assert sim.file(repo, "rfcs/0001-cache-warmup.md") is not None
    assert sim.file(repo, OTHER_RFC) is None
    assert len(numbering_commits(sim, repo, merged.number)) == 1
    assert len(bot_comments(sim, repo, merged.number)) == 1  # the announcement
    [reply] = bot_comments(sim, repo, world["opened"][0].number)
    assert "from **Draft** to **Proposed**" in reply
    # The sweep claimed the command with "eyes" before answering (replicas: one answers).
    assert sim.reactions(repo, world["comment"]["id"]) == ["eyes", "+1"]


async def test_one_sweep_repairs_dropped_deliveries(sim: Any, bot_app: Any, repo: Any) -> None:
    world = dropped_world(sim, repo)

    report = await reconciler(bot_app).sweep()

    assert report.errors == 0
    assert report.repairs == Counter(check=2, number=1, command=1)
    assert_converged(sim, repo, world)


async def test_second_sweep_does_nothing_and_costs_nothing(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    world = dropped_world(sim, repo)
    sweeper = reconciler(bot_app)
    await sweeper.sweep()
    start = len(sim.requests)

    second = await sweeper.sweep()
    third = await sweeper.sweep()

    assert second.repairs == Counter() and third.repairs == Counter()
    assert writes(sim, start) == []
    # The repairs changed the listings (labels, comments, the merge's announcement) and the
    # default branch (the numbering commit, after the first sweep read its ref for the config),
    # so the second sweep reads them again once each; after that, every listing is a 304.
    assert second.by_repository[REPO] <= 4
    assert third.by_repository[REPO] == 0 and third.requests == 0
    assert third.not_modified > 0
    assert_converged(sim, repo, world)


async def test_fifty_quiet_pull_requests_cost_at_most_one_request(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pulls = [
        open_pull(sim, repo, {f"rfcs/0000-topic-{i}.md": rfc(f"Topic {i}")}, head=f"rfc/t{i}")
        for i in range(50)
    ]
    sweeper = reconciler(bot_app)
    first = await sweeper.sweep()
    assert first.repairs == Counter(check=50)
    await sweeper.sweep()  # reads the listings the repairs changed
    usage = sim.api_usage(repo)

    quiet = await sweeper.sweep()

    after = sim.api_usage(repo)
    assert after.requests - usage.requests <= 1
    assert quiet.by_repository[REPO] <= 1
    assert quiet.repairs == Counter()
    # One pull request pushed to: its listing changes, and only its head is looked at.
    sim.commit(repo, "rfc/t7", {"rfcs/0000-topic-7.md": rfc("Topic 7", status="Draft") + "\n"})
    changed = await sweeper.sweep()
    assert changed.repairs == Counter(check=1)
    head = sim.pull_request(repo, pulls[7].number).current_head()
    assert len(app_runs(sim, repo, head)) == 1


async def test_two_replicas_sweeping_at_once_double_nothing(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    world = dropped_world(sim, repo, open_count=4)
    other = await start_app(sim, WEBHOOK_SECRET, log_format="text")
    try:
        first, second = reconciler(bot_app), reconciler_of(other)
        reports = await asyncio.gather(first.sweep(), second.sweep())
    finally:
        await other.stop()

    assert all(report.errors == 0 for report in reports)
    # Numbers and answers are claimed atomically (a fast-forward, a reaction); a check run
    # cannot be: two sweeps repairing one head in the same instant may both post one, and
    # GitHub shows the latest (docs/operations.md).
    assert_converged(sim, repo, world, runs_per_head=2)


async def test_a_restarted_app_proves_the_state_and_changes_nothing(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    world = dropped_world(sim, repo)
    await reconciler(bot_app).sweep()
    await bot_app.idle()
    start = len(sim.requests)

    restarted = await start_app(sim, WEBHOOK_SECRET, log_format="text")
    try:
        report = await reconciler_of(restarted).sweep()
        again = await reconciler_of(restarted).sweep()
    finally:
        await restarted.stop()

    assert report.repairs == Counter() and report.errors == 0
    assert writes(sim, start) == []
    assert again.requests == 0
    assert_converged(sim, repo, world)


async def test_young_work_is_left_to_its_delivery(sim: Any, bot_app: Any, repo: Any) -> None:
    dropped_world(sim, repo)
    sweeper = bot_app.app[RECONCILER]  # the default grace: everything here is seconds old
    start = len(sim.requests)

    report = await sweeper.sweep()

    assert report.repairs == Counter()
    assert writes(sim, start) == []


async def test_a_reply_deleted_by_hand_is_not_answered_again(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    world = dropped_world(sim, repo)
    sweeper = reconciler(bot_app)
    await sweeper.sweep()
    number = world["opened"][0].number
    repository = sim.find_repo(REPO)
    for comment_id, comment in list(repository.comments.items()):
        if comment.issue_number == number and comment.user == sim.bot_login:
            del repository.comments[comment_id]

    report = await sweeper.sweep()

    assert report.repairs == Counter()
    assert bot_comments(sim, repo, number) == []


async def test_a_forged_reply_marker_does_not_silence_a_command(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, {"rfcs/0000-x.md": rfc("X")}, head="rfc/x")
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc check")
    forged = f"<!-- rfc-bot:reply:{comment['id']} -->\nalready answered"
    sim.add_comment(repo, pull.number, "eve", forged)

    report = await reconciler(bot_app).sweep()

    assert report.repairs["command"] == 1
    assert any("/rfc check" in body for body in bot_comments(sim, repo, pull.number))


async def test_timers_run_for_every_repository(sim: Any, bot_app: Any, repo: Any) -> None:
    seen: list[str] = []

    async def remind(reads: Any) -> None:
        seen.append(reads.repository.full_name)
        raise RuntimeError("a failing timer does not stop the sweep")

    register_timer("test-reminder", remind)
    try:
        report = await reconciler(bot_app).sweep()
    finally:
        TIMERS.pop("test-reminder")
    assert seen == [REPO]
    assert report.errors == 1


async def test_metrics_show_the_sweep(sim: Any, bot_app: Any, repo: Any) -> None:
    dropped_world(sim, repo)
    await reconciler(bot_app).sweep()
    async with aiohttp.ClientSession() as session:
        url = bot_app.url.replace("/webhook", "/metrics")
        async with session.get(url) as response:
            page = await response.text()
    assert 'rfcbot_repairs_total{kind="check"} 2.0' in page
    assert 'rfcbot_repairs_total{kind="number"} 1.0' in page
    assert 'rfcbot_sweeps_total{outcome="ok"} 1.0' in page
    assert "rfcbot_sweep_seconds_count 1.0" in page
    assert 'rfcbot_sweep_requests_total{kind="not_modified"}' in page
    installation = sim.find_repo(REPO).installation_id
    assert (
        f'rfcbot_github_rate_limit_remaining_by_installation{{installation="{installation}"}}'
        in (page)
    )


async def test_fault_soak_converges_without_duplicates(sim: Any, repo: Any) -> None:
    soak = await start_app(
        sim,
        WEBHOOK_SECRET,
        log_format="text",
        request_timeout_seconds=0.5,
        event_budget_seconds=30.0,
    )
    try:
        sweeper = reconciler_of(soak)
        # Each round is a lease later: a claim whose answer a fault lost is taken up again.
        pulls = [
            open_pull(sim, repo, {f"rfcs/0000-soak-{i}.md": rfc(f"Soak {i}")}, head=f"rfc/s{i}")
            for i in range(20)
        ]
        commands = [
            sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
            for pull in pulls[:5]
        ]
        merged = pulls[15:]
        for pull in merged:
            sim.merge_pull_request(repo, pull.number)
        sim.fail_randomly(0.2, seed=20240612, retry_after=0, hang=1.0)
        reports: list[SweepReport] = []
        for _ in range(12):
            reports.append(await sweeper.sweep())
            sim.clock.advance(timedelta(seconds=700))
            if not reports[-1].repairs and not reports[-1].errors:
                break
        sim.fail_randomly(0, seed=0)
        assert sum(sim.faults.fired.values()) > 0
        final = await sweeper.sweep()
    finally:
        await soak.stop()

    assert final.repairs == Counter() and final.errors == 0
    for pull in pulls[:15]:
        head = sim.pull_request(repo, pull.number).current_head()
        assert len(app_runs(sim, repo, head)) == 1, pull.number
    for i, (pull, comment) in enumerate(zip(pulls[:5], commands, strict=True)):
        [reply] = bot_comments(sim, repo, pull.number)
        text = sim.file(repo, f"rfcs/0000-soak-{i}.md", ref=f"rfc/s{i}") or ""
        # Answered once: done (moved, +1), or told that GitHub failed and to try again (the
        # handler's own answer when its calls fail past their retries).
        if "something went wrong" in reply:
            assert sim.reactions(repo, comment["id"]) == ["eyes"]
        else:
            assert "from **Draft** to **Proposed**" in reply
            assert "**Status:** Proposed" in text
            # The +1 comes after the reply; a fault may have taken it (as for a delivery).
            assert sim.reactions(repo, comment["id"])[:1] == ["eyes"]
    numbered = sorted(p for p in sim.tree(repo) if p.startswith("rfcs/") and "-soak-" in p)
    assert sorted(p[len("rfcs/") : len("rfcs/0000")] for p in numbered) == [
        "0001", "0002", "0003", "0004", "0005"
    ]  # fmt: skip
    assert {p.split("-soak-")[1] for p in numbered} == {f"{i}.md" for i in range(15, 20)}
    for pull in merged:
        assert len(numbering_commits(sim, repo, pull.number)) == 1
        assert len(bot_comments(sim, repo, pull.number)) == 1


def reconciler_of(app: LoopbackApp) -> Reconciler:
    sweeper = app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    return sweeper


async def test_a_sweep_waits_while_the_installation_is_short_of_requests(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    world = dropped_world(sim, repo)
    sweeper = reconciler(bot_app)
    sim.set_rate_remaining(repo, 100)  # below RATE_BUDGET_RESERVE (500)
    start = len(sim.requests)

    deferred = await sweeper.sweep()

    assert deferred.repairs == Counter() and writes(sim, start) == []
    metrics = bot_app.app[METRICS].render().decode()
    assert 'rfcbot_deferred_total{kind="sweep"} 1.0' in metrics
    sim.set_rate_remaining(repo, 5000)  # a new window
    await sweeper.sweep()
    assert_converged(sim, repo, world)
