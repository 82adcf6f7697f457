"""Attacks on tracking issues: a forged Tracking Issue line, a pasted marker in someone's
issue, two replicas and duplicate deliveries, an issue's answer lost after GitHub opened it, a
crash between the issue and the numbering commit, a claim whose writer died, an assignee who
loses the right to be assigned between the question and the issue."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.features.acceptance import correct_tracking, tracking_specs
from bot.policy.markers import tracking
from bot.rfc.config.public import load_config
from bot.rfc.document import parse
from bot.values import Pull
from sandbox.harness import start_app
from tests.e2e.helpers import bot_comments, installation_client, numbering_commits, rfc, send
from tests.e2e.tracking_helpers import (
    NUMBERED,
    PATH,
    REPLICA_SECRET,
    TRACKING_ON,
    accepted_rfc,
    claim_refs,
    deliver_to,
    merged,
    replicas,
    seed,
    tracking_issues,
)

FORGED = accepted_rfc().replace("@bob)  \n", "@bob)  \n**Tracking Issue:** #1  \n")


def recorded_issue(sim: Any, repo: Any) -> str:
    line = next(li for li in sim.file(repo, NUMBERED).splitlines() if "Tracking Issue" in li)
    return line.split("#", 1)[1].strip()


async def test_a_forged_tracking_line_is_flagged_then_overwritten(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = sim.open_pull_request(repo, "rfc/new", {PATH: FORGED}, author="alice")
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    [run] = sim.check_runs(repo, head_sha=pull.head_sha)
    assert "tracking-issue-by-app" in {a["title"] for a in run["annotations"]}

    sim.merge_pull_request(repo, pull.number)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert issue["number"] != 1
    assert recorded_issue(sim, repo) == str(issue["number"])
    assert sim.file(repo, NUMBERED).count("**Tracking Issue:**") == 1


async def test_a_pasted_marker_in_a_persons_issue_is_not_the_apps(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    pasted = tracking(repo.full_name, pull.number, PATH) + "\nI made this one."
    forged = sim.open_issue(repo, "mallory", "Tracking issue for RFC 0002", pasted)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert issue["number"] != forged
    assert recorded_issue(sim, repo) == str(issue["number"])


def hold_claims_until_both_arrive(sim: Any) -> None:
    """Make the race certain: both replicas have found no issue and send their claims
    before either claim is answered."""
    arrived = 0
    both = asyncio.Event()

    async def barrier(_: Any) -> None:
        nonlocal arrived
        arrived += 1
        if arrived == 2:
            both.set()
        await asyncio.wait_for(both.wait(), timeout=20)

    sim.before("POST", r".*/git/refs$", barrier, times=2)


async def test_two_replicas_receiving_the_same_merge_open_one_issue(sim: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    event = sim.event_pull_request(repo, pull.number, "closed")
    hold_claims_until_both_arrive(sim)
    async with replicas(sim) as apps, aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(
            *(deliver_to(session, app, event, "same-delivery") for app in apps)
        )
        assert statuses == [202, 202]
        await asyncio.gather(*(app.idle() for app in apps))
        # The replica that found the claim taken waits; its repair finds the work done.
        for _ in range(100):
            if bot_comments(sim, repo, pull.number):
                break
            await asyncio.sleep(0.05)

    claims = [r.status for r in sim.requests if r.operation_id == "git/create-ref"]
    assert sorted(claims) == [201, 422]  # one claimed, the other was told it exists
    [issue] = tracking_issues(sim, repo)
    assert len(numbering_commits(sim, repo, pull.number)) == 1
    assert recorded_issue(sim, repo) == str(issue["number"])
    assert len(claim_refs(repo)) == 1


async def test_an_issue_opened_but_its_answer_lost_is_read_back(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    sim.fail("POST", r".*/issues$", 502, times=1, applied=True)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert recorded_issue(sim, repo) == str(issue["number"])
    assert sim.faults.fired


async def test_a_crash_between_the_issue_and_the_commit_reuses_the_issue(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    event = sim.event_pull_request(repo, pull.number, "closed")
    # The tree of the numbering commit is refused: the delivery dies after the issue exists.
    sim.fail("POST", r".*/git/trees$", 422, times=1)
    await send(bot_app, "pull_request", event, delivery_id="dies")
    [opened] = tracking_issues(sim, repo)
    assert PATH in sim.tree(repo) and numbering_commits(sim, repo, pull.number) == []

    # Another process (nothing in memory) gets the merge again: it finds the issue, uses it.
    restarted = await start_app(sim, REPLICA_SECRET, log_format="text")
    try:
        async with aiohttp.ClientSession() as session:
            assert await deliver_to(session, restarted, event, "after-the-crash") == 202
            await restarted.idle()
    finally:
        await restarted.stop()

    assert [i["number"] for i in tracking_issues(sim, repo)] == [opened["number"]]
    assert recorded_issue(sim, repo) == str(opened["number"])
    assert len(numbering_commits(sim, repo, pull.number)) == 1


def _claim_made_by_a_dead_writer(sim: Any, repo: Any, number: int) -> None:
    """A claim ref at a commit of its own, as a writer leaves it when it dies at once."""
    head = repo.branches["main"]
    commit = repo.objects.put_commit(
        repo.objects.commits[head].tree, (head,), "claim", sim.bot_login
    )
    repo.refs[f"rfc-bot/tracking/{number}"] = commit.sha


async def test_a_fresh_claim_of_another_writer_is_waited_for_then_taken_over(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    _claim_made_by_a_dead_writer(sim, repo, pull.number)
    event = sim.event_pull_request(repo, pull.number, "closed")

    await send(bot_app, "pull_request", event, delivery_id="while-young")
    assert tracking_issues(sim, repo) == []  # the claimant may still be opening it
    assert numbering_commits(sim, repo, pull.number) == []

    sim.clock.advance(timedelta(minutes=3))  # past the claimant's time: it died
    await send(bot_app, "pull_request", event, delivery_id="after-its-time")
    [issue] = tracking_issues(sim, repo)
    assert recorded_issue(sim, repo) == str(issue["number"])


async def test_an_assignee_who_loses_the_right_meanwhile_is_left_out(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)

    def revoke(_: Any) -> None:
        sim.remove_permission(repo, "alice")

    sim.before("POST", r".*/issues$", revoke, times=1)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert issue["assignees"] == []
    assert recorded_issue(sim, repo) == str(issue["number"])


@pytest.mark.parametrize("bot_app", [{"announce_after_seconds": 3600.0}], indirect=True)
async def test_issues_turned_off_do_not_stop_the_numbering(sim: Any, bot_app: Any) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)
    sim.fail("POST", r".*/issues$", 410, times=1)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    assert tracking_issues(sim, repo) == []
    assert "**Tracking Issue:**" not in sim.file(repo, NUMBERED)
    [announcement] = bot_comments(sim, repo, pull.number)
    assert "issues are turned off" in announcement


async def test_two_deliveries_at_once_on_one_process_open_one_issue(sim: Any, bot_app: Any) -> None:
    sim.latency = 0.005
    repo = seed(sim)
    pull = merged(sim, repo)
    event = sim.event_pull_request(repo, pull.number, "closed")
    statuses = await asyncio.gather(
        bot_app.deliver("pull_request", event, delivery_id="one"),
        bot_app.deliver("pull_request", event, delivery_id="two"),
    )
    await bot_app.idle()

    assert statuses == [202, 202]
    [issue] = tracking_issues(sim, repo)
    assert recorded_issue(sim, repo) == str(issue["number"])
    assert claim_refs(repo) != {}


async def test_a_number_changed_by_a_lost_race_is_corrected_in_the_issue(
    sim: Any, bot_app: Any
) -> None:
    repo = seed(sim)
    pull = merged(sim, repo)

    def someone_merges(simulator: Any) -> None:
        simulator.commit(repo, "main", {"rfcs/0002-sneaky.md": rfc("Sneaky", "0002")}, "push")

    sim.before("PATCH", r".*/git/refs/heads/main", someone_merges, times=1)
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "closed"))

    [issue] = tracking_issues(sim, repo)
    assert issue["title"] == "Tracking issue for RFC 0003: Job Retries"
    assert "rfcs/0003-job-retries.md), accepted in" in issue["body"]
    assert "**Tracking Issue:** #" in sim.file(repo, "rfcs/0003-job-retries.md")


async def test_an_issue_opened_for_another_number_is_corrected_keeping_ticked_boxes(
    sim: Any, bot_app: Any
) -> None:
    """Another writer numbered the RFC after this one opened its issue for the number it had
    planned: the issue's title and link line follow the branch; the rest stays."""
    repo = seed(sim)
    pull = merged(sim, repo)
    ctx = bot_app.context
    async with installation_client(sim, repo) as gh:
        data = Pull.from_json(await gh.getitem(f"/repos/{repo.full_name}/pulls/{pull.number}"))
        config = load_config(TRACKING_ON)
        doc = parse(accepted_rfc())
        [stale] = tracking_specs(data, config, {PATH: "rfcs/0002-job-retries.md"}, {PATH: doc})
        ticked = stale.body.replace("- [ ] Dashboards live", "- [x] Dashboards live")
        made = await gh.post(
            f"/repos/{repo.full_name}/issues",
            data={"title": stale.title, "body": ticked, "labels": list(stale.labels)},
        )
        await correct_tracking(
            gh, data, config, {PATH: "rfcs/0007-job-retries.md"}, {PATH: doc}, ctx
        )

    [issue] = tracking_issues(sim, repo)
    assert issue["number"] == made["number"]
    assert issue["title"] == "Tracking issue for RFC 0007: Job Retries"
    assert "blob/main/rfcs/0007-job-retries.md), accepted in" in issue["body"]
    assert "- [x] Dashboards live" in issue["body"]
