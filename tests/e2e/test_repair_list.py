"""The repair list end to end: what still fails after a delivery's retries is done again
within seconds of GitHub answering again, by the repair the sweep would run, with nothing
written twice; and a handler cancelled between a write and its read-back leaves no duplicate.
Sweeps are off in every test here: the list works without them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.features.reconcile import GRACE_SECONDS as RECONCILE_GRACE_SECONDS
from bot.serve.app import INTAKE, RECONCILER, REPAIRER
from tests.e2e.decision_helpers import MONA, NINA, open_edit, panel, review, say
from tests.e2e.decision_helpers import repo as decision_repo
from tests.e2e.helpers import BRANCH, bot_comments, merge, open_pull, rfc, seed_repo, send
from tests.e2e.repair_helpers import (
    assert_checked_once,
    assert_moved_once,
    assert_numbered_once,
    delivery_count,
    draft,
    repair_app,
    repair_count,
    serving,
    settled,
    validation_runs,
)

__all__ = ["decision_repo", "repair_app"]  # the fixtures

# Longer than a delivery's retries (its 30 s budget less the 10 s reserve).
OUTAGE_SECONDS = 45.0
# After GitHub answers again, the list's next attempt comes within its backoff (the entry's
# attempt that began inside the outage retries until it ends).
REPAIRED_WITHIN_SECONDS = 30.0


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    return repository


def seconds_since(sim: Any, moment: Any) -> float:
    return (sim.clock.now() - moment).total_seconds()


async def outage_then_settle(sim: Any, app: Any, *, applied: bool = False) -> None:
    """Wait out the delivery and the list. A write that is not applied keeps failing past the
    delivery's retries: the list had to do the work. (An applied one lands at once, and is
    found by its read-back.)"""
    await settled(app)
    assert sum(sim.faults.fired.values()) > 1 or applied


async def test_a_check_run_github_would_not_take_for_a_minute(
    sim: Any, repair_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    started = sim.clock.now()
    sim.fail_for("POST", r"/check-runs$", 502, OUTAGE_SECONDS)

    await send(repair_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    assert delivery_count(repair_app, "pull_request", "error") == 1
    await outage_then_settle(sim, repair_app)

    assert_checked_once(sim, repo, pull.number)
    assert seconds_since(sim, started) <= OUTAGE_SECONDS + REPAIRED_WITHIN_SECONDS
    assert repair_count(repair_app, "check", "queued") == 1
    assert repair_count(repair_app, "check", "repaired") == 1


async def test_labels_github_would_not_take_for_a_minute_are_set_without_a_second_run(
    sim: Any, repair_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    sim.fail_for("POST", r"/issues/\d+/labels$", 502, OUTAGE_SECONDS, applied=False)

    await send(repair_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    await outage_then_settle(sim, repair_app)

    assert_checked_once(sim, repo, pull.number)  # the head had its run: the labels alone


@pytest.mark.parametrize("applied", [False, True], ids=["lost", "applied-then-lost"])
async def test_a_reply_github_would_not_take_for_a_minute_is_posted_once(
    sim: Any, repair_app: Any, repo: Any, applied: bool
) -> None:
    pull = open_pull(sim, repo, draft())
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    # The reaction comes after the reply: it fails with it.
    sim.fail_for("POST", r"/issues/\d+/comments$", 502, OUTAGE_SECONDS, applied=applied)
    started = sim.clock.now()

    await send(repair_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))
    await outage_then_settle(sim, repair_app, applied=applied)

    assert_moved_once(sim, repo, pull.number, comment, rerun=True)
    assert seconds_since(sim, started) <= OUTAGE_SECONDS + REPAIRED_WITHIN_SECONDS


async def test_a_numbering_ref_update_github_would_not_take_for_a_minute(
    sim: Any, repair_app: Any, repo: Any
) -> None:
    sim.fail_for("PATCH", r"/git/refs/heads/main$", 502, OUTAGE_SECONDS)
    started = sim.clock.now()

    pull = await merge(sim, repair_app, repo, draft())
    await outage_then_settle(sim, repair_app)

    assert_numbered_once(sim, repo, pull.number)
    assert seconds_since(sim, started) <= OUTAGE_SECONDS + REPAIRED_WITHIN_SECONDS


@pytest.mark.parametrize("applied", [False, True], ids=["lost", "applied-then-lost"])
async def test_an_announcement_after_the_numbering_commit_is_made_once(
    sim: Any, repair_app: Any, repo: Any, applied: bool
) -> None:
    sim.fail_for("POST", r"/issues/\d+/comments$", 502, OUTAGE_SECONDS, applied=applied)
    started = sim.clock.now()

    pull = await merge(sim, repair_app, repo, draft())
    await outage_then_settle(sim, repair_app, applied=applied)

    assert_numbered_once(sim, repo, pull.number)
    # The writer's own announcement, not the one any replica makes after its time.
    assert repair_count(repair_app, "announcement", "repaired") == (0 if applied else 1)
    assert seconds_since(sim, started) <= OUTAGE_SECONDS + REPAIRED_WITHIN_SECONDS
    assert seconds_since(sim, started) < repair_app.context.announce_after_seconds


async def test_a_handler_cancelled_between_its_write_and_the_read_back_writes_nothing_twice(
    sim: Any, repo: Any
) -> None:
    """The check run lands and its answer is lost; the handler is then cancelled (by its
    delivery's time budget) while it reads back. The list's repair finds the run and sets the
    labels: it does not create a second run."""
    release = asyncio.Event()

    async def stall(_: Any) -> None:
        await release.wait()

    async with serving(sim, simulated_waits=True, event_budget_seconds=1.0) as app:
        pull = open_pull(sim, repo, draft())
        sim.fail("POST", r"/check-runs$", 502, applied=True)
        sim.before("GET", r"/commits/[0-9a-f]+/check-runs$", stall)

        await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
        release.set()
        assert delivery_count(app, "pull_request", "timeout") == 1
        await settled(app)

    assert_checked_once(sim, repo, pull.number)
    assert repair_count(app, "check", "repaired") == 1


async def test_a_process_killed_between_a_reply_and_its_read_back_is_rederived_by_the_sweep(
    sim: Any, repo: Any
) -> None:
    """The repair list dies with its process; the sweep finds the same work from GitHub, and
    finds the reply that landed: one reply."""
    release, stalled = asyncio.Event(), asyncio.Event()
    looks: list[None] = []

    async def stall(_: Any) -> None:
        looks.append(None)
        if len(looks) == 1:
            return  # the App's look for an earlier answer, before it runs the command
        stalled.set()
        await release.wait()

    pull = open_pull(sim, repo, draft())
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    sim.fail("POST", r"/issues/\d+/comments$", 502, applied=True)
    sim.before("GET", r"/issues/\d+/comments$", stall, times=2)
    async with serving(sim) as dying:
        event = sim.event_issue_comment(repo, pull.number, comment)
        assert await dying.deliver("issue_comment", event) == 202
        await stalled.wait()
        await dying.app[INTAKE].scheduler.drain(0.0)  # the process dies here
        assert len(dying.app[REPAIRER].pending) == 0  # nothing on its list survives it
    assert len(bot_comments(sim, repo, pull.number)) == 1  # the reply had landed
    release.set()
    sim.clock.advance(RECONCILE_GRACE_SECONDS)

    async with serving(sim) as restarted:
        await restarted.app[RECONCILER].sweep()

    [reply] = bot_comments(sim, repo, pull.number)
    assert "from **Draft** to **Proposed**" in reply
    history = repo.objects.history(sim.head(repo, BRANCH))
    assert len([c for c in history if "status Draft -> Proposed" in c.message]) == 1


async def test_a_delivery_refused_with_503_is_repaired_once_load_falls(sim: Any, repo: Any) -> None:
    """A full backlog refuses a delivery; the list does its work as soon as the backlog has
    room, in seconds of real time, with no sweep."""
    release, stalled = asyncio.Event(), asyncio.Event()

    async def busy(_: Any) -> None:
        stalled.set()
        await release.wait()

    first, second = (
        open_pull(sim, repo, {f"rfcs/0000-topic-{i}.md": rfc(f"Topic {i}")}, head=f"rfc/t{i}")
        for i in (1, 2)
    )
    sim.before("GET", rf"/pulls/{first.number}/files$", busy)
    async with serving(sim, max_pending=1, reconcile=False) as app:
        opened = sim.event_pull_request(repo, first.number, "opened")
        assert await app.deliver("pull_request", opened) == 202
        await stalled.wait()
        refused = sim.event_pull_request(repo, second.number, "opened")
        assert await app.deliver("pull_request", refused) == 503
        assert repair_count(app, "check", "queued") == 1
        started = time.monotonic()
        release.set()
        await settled(app)
        took = time.monotonic() - started

    for pull in (first, second):
        head = sim.pull_request(repo, pull.number).current_head()
        assert len(validation_runs(sim, repo, head)) == 1
        assert "rfc" in sim.pr_labels(repo, pull.number)
    assert repair_count(app, "check", "repaired") == 1
    assert took < 10.0  # the first attempt is due 1-2 s after the refusal


async def test_a_review_whose_recording_github_would_not_take_for_a_minute_counts(
    sim: Any, decision_repo: Any
) -> None:
    """The review's delivery cannot write the decision record; the list's decision repair
    takes the review from GitHub's listing of the pull request's reviews, not only settles."""
    repo = decision_repo
    pull = open_edit(sim, repo)
    async with serving(sim, simulated_waits=True) as app:
        await say(sim, app, repo, pull.number, MONA, "/rfc status final")
        sim.fail_for("PATCH", r"/check-runs/\d+$", 502, OUTAGE_SECONDS)  # the record's write
        await review(sim, app, repo, pull.number, NINA, "APPROVED")
        assert delivery_count(app, "pull_request_review", "error") == 1
        await settled(app)

    assert repair_count(app, "decision", "repaired") == 1
    assert "- [x] `nina`" in panel(sim, repo, pull.number)
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
