"""Decisions end to end, on a controllable clock: start, approvals by comment and by review, a
concern that pauses the period, its resolution, the period's end and the App's move; a cancel;
refusals with reasons; a restart in the middle; two replicas ending the same period.

The App's clock is the simulator's, so every timestamp GitHub writes and every deadline the App
computes come from one clock the test moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.harness import start_app
from tests.e2e.attack_helpers import full_rfc, latest_run, pushed, rules_of
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.decision_helpers import (
    BRANCH,
    EVE,
    MONA,
    NINA,
    OMAR,
    PATH,
    app,
    app_comments,
    open_edit,
    panel,
    repo,
    review,
    say,
    status_on_branch,
    sweep,
)

__all__ = ["app", "repo"]  # fixtures from decision_helpers


async def test_a_whole_decision_from_start_to_the_apps_move(sim: Any, app: Any, repo: Any) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")

    [start] = [b for b in app_comments(sim, repo, pull.number) if "Started a decision" in b]
    assert "needs 2 approvals from `maintainers`" in start
    assert "@nina" in start and "@omar" in start  # the approvers still needed, mentioned once
    assert "Final" not in status_on_branch(sim, repo)  # no move yet
    board = panel(sim, repo, pull.number)
    assert "- [x] `mona`" in board and "- [ ] `nina`" in board
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)
    # The check says a decision is in progress, and does not block on it; labels are kept.
    await pushed(sim, app, repo, pull.number)
    run = latest_run(sim, repo, sim.head(repo, BRANCH))
    assert run["conclusion"] == "success"
    assert "A decision is in progress" in run["output"]["summary"]
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)

    # Someone who may not approve is told why; nothing counts.
    await say(sim, app, repo, pull.number, EVE, "/rfc approve")
    assert "@eve is not an eligible approver here" in app_comments(sim, repo, pull.number)[-1]

    # nina approves in a review: quorum, the comment period starts (announced once).
    sim.clock.advance(timedelta(minutes=5))
    await review(sim, app, repo, pull.number, NINA, "APPROVED")
    board = panel(sim, repo, pull.number)
    assert "- [x] `nina`" in board and "09:05 UTC" in board and "10:05 UTC" in board
    labels = sim.pr_labels(repo, pull.number)
    assert "rfc: final-comment-period" in labels and "rfc: decision" not in labels
    periods = [b for b in app_comments(sim, repo, pull.number) if "decision-period" in b]
    assert len(periods) == 1

    # omar objects: the period pauses; resolving the concern restarts it from zero.
    sim.clock.advance(timedelta(minutes=20))
    await say(sim, app, repo, pull.number, OMAR, "/rfc concern naming")
    assert "`naming`" in panel(sim, repo, pull.number)
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(minutes=10))
    await say(sim, app, repo, pull.number, OMAR, "/rfc resolve naming")
    assert "10:35 UTC" in panel(sim, repo, pull.number)  # resolved at 09:35, + 1h

    # Before the deadline a sweep changes nothing; after it, the App makes the move.
    sim.clock.advance(timedelta(minutes=50))
    await sweep(sim, app, repo)
    assert "Final" not in status_on_branch(sim, repo)
    sim.clock.advance(timedelta(minutes=15))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Final"
    [done] = [b for b in app_comments(sim, repo, pull.number) if "is now **Final**" in b]
    assert "@mona" in done and "@nina" in done
    await sweep(sim, app, repo)  # idempotent: no second commit, no second announcement
    assert len([b for b in app_comments(sim, repo, pull.number) if "is now **Final**" in b]) == 1

    # The App's commit is proven: the check passes on it, and the labels follow.
    await pushed(sim, app, repo, pull.number)
    run = latest_run(sim, repo, sim.head(repo, BRANCH))
    assert "status-unauthorised" not in rules_of(run)
    labels = sim.pr_labels(repo, pull.number)
    assert "rfc: final" in labels and "rfc: final-comment-period" not in labels


async def test_a_changes_requested_review_withdraws_an_approval(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await review(sim, app, repo, pull.number, NINA, "APPROVED")
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(minutes=1))
    await review(sim, app, repo, pull.number, NINA, "CHANGES_REQUESTED")
    assert "- [ ] `nina`" in panel(sim, repo, pull.number)
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)


async def test_cancel_by_a_maintainer_ends_it_and_a_stranger_is_refused(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, EVE, "/rfc cancel")
    assert "@eve is neither" in app_comments(sim, repo, pull.number)[-1]
    await say(sim, app, repo, pull.number, NINA, "/rfc cancel")
    assert "is cancelled" in app_comments(sim, repo, pull.number)[-1]
    assert "rfc: decision" not in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(days=2))
    await sweep(sim, app, repo)
    assert "Final" not in status_on_branch(sim, repo)


async def test_a_reminder_once_after_remind_after(sim: Any, app: Any, repo: Any) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=31))
    await sweep(sim, app, repo)
    await sweep(sim, app, repo)
    reminders = [b for b in app_comments(sim, repo, pull.number) if "is waiting for you" in b]
    assert len(reminders) == 1 and "@nina" in reminders[0] and "@mona" not in reminders[0]


@pytest.fixture
async def second_replica(sim: Any) -> AsyncIterator[BotApp]:
    running = await start_app(sim, WEBHOOK_SECRET, event_budget_seconds=30.0)
    async with aiohttp.ClientSession() as session:
        yield BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
    await running.stop()


async def test_a_restart_and_two_replicas_end_the_period_once(
    sim: Any, app: Any, second_replica: BotApp, repo: Any
) -> None:
    """The second replica is also a restarted App: it keeps nothing; GitHub holds it all."""
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await review(sim, app, repo, pull.number, NINA, "APPROVED")
    sim.clock.advance(timedelta(hours=2))

    await asyncio.gather(sweep(sim, app, repo), sweep(sim, second_replica, repo))
    await asyncio.gather(sweep(sim, app, repo), sweep(sim, second_replica, repo))

    head = sim.head(repo, BRANCH)
    assert status_on_branch(sim, repo) == "**Status:** Final"
    assert sim.commit_message(repo, head).startswith("RFC 0001-job-retries: status Proposed")
    done = [b for b in app_comments(sim, repo, pull.number) if "is now **Final**" in b]
    assert len(done) == 1


async def test_deprecated_with_its_successor_records_superseded_by(
    sim: Any, app: Any, repo: Any
) -> None:
    final = full_rfc(number="0001", status="Final")
    sim.commit(repo, "main", {PATH: final}, message="Final by then")
    pull = sim.open_pull_request(
        repo, head=BRANCH, files={PATH: final + "\nRetired.\n"}, author=MONA
    )
    await say(sim, app, repo, pull.number, MONA, "/rfc status deprecated superseded-by 2")

    text = sim.file(repo, PATH, ref=BRANCH) or ""
    assert "**Status:** Deprecated" in text
    assert "**Superseded By:** RFC 0002" in text
