"""The sweep finds again everything the repair list holds, so a process that dies with its
list loses nothing: a numbering commit without its announcement, labels out of step with the
head's run, a review whose delivery was lost, a decision left without its label. Each world
is left by a process that stopped (a fresh App with empty memory sweeps), and each repair is
made once however often the sweep runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

import bot.features.numbering as numbering
from bot.features.reconcile import Reconciler
from bot.github.pulls import get_pull
from bot.serve.app import RECONCILER
from tests.e2e.conftest import BotApp
from tests.e2e.decision_helpers import (
    ALICE,
    EVE,
    MONA,
    NINA,
    OMAR,
    app_comments,
    open_edit,
    panel,
    review,
    say,
    status_on_branch,
)
from tests.e2e.decision_helpers import repo as decision_repo
from tests.e2e.helpers import (
    REPO,
    installation_client,
    merged_pull,
    open_pull,
    seed_repo,
    send,
)
from tests.e2e.repair_helpers import (
    assert_checked_once,
    assert_numbered_once,
    draft,
    serving,
    validation_runs,
)

__all__ = ["decision_repo"]  # the fixture

OUTAGE_SECONDS = 60.0  # of the simulator's clock: over once the test moves it past


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    return repository


@asynccontextmanager
async def restarted(sim: Any) -> AsyncIterator[tuple[BotApp, Reconciler]]:
    """A fresh process: empty repair list, empty caches; its sweeps repair at once."""
    async with serving(sim) as app:
        sweeper = app.app[RECONCILER]
        sweeper.grace_seconds = 0.0
        yield app, sweeper


async def died_after(app: BotApp) -> None:
    """The delivery failed, and the process stops before its repair list tries again (its
    first attempt comes 1-2 s later): what it held is gone with it."""
    await app.idle()


def writes(sim: Any, start: int) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in sim.requests[start:]
        if r.method != "GET" and r.path.startswith("/repos/")
    ]


# --- a numbering commit without its announcement -------------------------------------------


async def test_numbers_committed_by_a_process_that_died_are_announced_once(
    sim: Any, repo: Any
) -> None:
    pull = merged_pull(sim, repo, draft(), head="rfc/new")
    # The merge's handler made the numbering commit, and its process died before announcing.
    async with serving(sim) as dying, installation_client(sim, repo) as gh:
        merged = await get_pull(gh, REPO, pull.number)
        outcome = await numbering.assign_numbers(gh, merged, dying.context)
    assert outcome.assigned and app_comments(sim, repo, pull.number) == []

    async with restarted(sim) as (app, sweeper):
        early = await sweeper.sweep()  # the writer may still be announcing: its turn
        assert early.repairs == Counter() and app_comments(sim, repo, pull.number) == []
        sim.clock.advance(timedelta(seconds=app.context.announce_after_seconds + 1))
        late = await sweeper.sweep()
        again = await sweeper.sweep()
    assert late.repairs == Counter(announcement=1) and late.errors == 0
    assert again.repairs == Counter()
    assert_numbered_once(sim, repo, pull.number)

    async with restarted(sim) as (_, sweeper):  # another restart proves it from GitHub
        start = len(sim.requests)
        proven = await sweeper.sweep()
    assert proven.repairs == Counter() and writes(sim, start) == []
    assert_numbered_once(sim, repo, pull.number)


async def test_a_forged_announcement_does_not_silence_the_sweep(sim: Any, repo: Any) -> None:
    pull = merged_pull(sim, repo, draft(), head="rfc/new")
    async with serving(sim) as dying, installation_client(sim, repo) as gh:
        merged = await get_pull(gh, REPO, pull.number)
        await numbering.assign_numbers(gh, merged, dying.context)
    sim.add_comment(repo, pull.number, "eve", "<!-- rfc-bot:numbered -->\nAssigned RFC 0001")
    sim.clock.advance(timedelta(minutes=5))

    async with restarted(sim) as (_, sweeper):
        report = await sweeper.sweep()

    assert report.repairs == Counter(announcement=1)
    assert len([b for b in app_comments(sim, repo, pull.number) if "Assigned RFC 0001" in b]) == 1


async def test_a_merge_that_adds_no_rfc_is_owed_no_announcement(sim: Any, repo: Any) -> None:
    pull = merged_pull(sim, repo, {"docs/guide.md": "# Guide\n"}, head="docs")

    async with restarted(sim) as (_, sweeper):
        start = len(sim.requests)
        report = await sweeper.sweep()

    assert report.repairs == Counter() and writes(sim, start) == []
    assert app_comments(sim, repo, pull.number) == []


# --- labels out of step with the head's run --------------------------------------------------


async def test_labels_that_failed_to_sync_are_set_by_the_sweep_without_a_second_run(
    sim: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    sim.fail_for("POST", r"/issues/\d+/labels$", 502, OUTAGE_SECONDS)
    async with serving(sim, event_budget_seconds=2.0) as dying:
        await send(dying, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
        await wait_for_run(sim, repo, pull.number)
        await died_after(dying)
    assert "rfc" not in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(seconds=OUTAGE_SECONDS + 1))  # GitHub takes labels again

    async with restarted(sim) as (_, sweeper):
        report = await sweeper.sweep()
        start = len(sim.requests)
        again = await sweeper.sweep()

    assert report.repairs == Counter(labels=1) and report.errors == 0
    assert again.repairs == Counter() and writes(sim, start) == []
    assert_checked_once(sim, repo, pull.number)
    assert "app: api" in sim.pr_labels(repo, pull.number)


async def test_labels_edited_by_hand_are_put_back_and_others_left_alone(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    # A person removes the App's label, adds one it owns, and one of their own.
    label_by_hand(sim, repo, pull.number, remove="rfc: draft", add=["rfc: final", "needs docs"])
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0

    report = await sweeper.sweep()
    again = await sweeper.sweep()

    assert report.repairs == Counter(labels=1) and again.repairs == Counter()
    assert sorted(sim.pr_labels(repo, pull.number)) == [
        "app: api", "needs docs", "rfc", "rfc: draft"
    ]  # fmt: skip
    assert_checked_once(sim, repo, pull.number)


async def test_a_config_changed_since_the_run_costs_one_sync_not_one_per_sweep(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    # The run on the head implies `rfc`; under the new config the App owns `rfc-doc` instead.
    sim.commit(repo, "main", {".github/rfc-bot.yml": "labels: {rfc: rfc-doc}\n"})
    sweeper = bot_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0

    first = await sweeper.sweep()
    second = await sweeper.sweep()
    start = len(sim.requests)
    third = await sweeper.sweep()

    assert first.repairs == Counter(labels=1)
    assert second.repairs == Counter() and third.repairs == Counter()
    assert writes(sim, start) == []
    assert len(validation_runs(sim, repo, sim.pull_request(repo, pull.number).current_head())) == 1


def label_by_hand(sim: Any, repo: Any, number: int, *, remove: str, add: list[str]) -> None:
    """What a person does on github.com: the labels exist in the repository first."""
    pull = sim.pull_request(repo, number)
    for name in add:
        if repo.label(name) is None:
            sim.add_label(repo, name, "ededed", None)
    pull.labels = [name for name in pull.labels if name != remove] + add
    pull.touch(sim.clock.now())


async def wait_for_run(sim: Any, repo: Any, number: int) -> None:
    """The run lands alongside the labels that fail (both writes are made at once)."""
    head = sim.pull_request(repo, number).current_head()
    for _ in range(500):
        if validation_runs(sim, repo, head):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the check run was never posted")


# --- decisions: lost reviews, a lost label --------------------------------------------------


async def test_a_lost_review_counts_and_the_decision_settles(
    sim: Any, bot_app: Any, decision_repo: Any
) -> None:
    repo = decision_repo
    pull = open_edit(sim, repo)
    await say(sim, bot_app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=5))
    sim.submit_review(repo, pull.number, NINA, "APPROVED", "")  # its delivery never arrives
    sim.clock.advance(timedelta(minutes=5))

    async with restarted(sim) as (_, sweeper):
        report = await sweeper.sweep()
        again = await sweeper.sweep()
        assert report.repairs["review"] == 1 and again.repairs == Counter()
        board = panel(sim, repo, pull.number)
        assert "- [x] `nina`" in board
        assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
        sim.clock.advance(timedelta(minutes=61))  # the comment period runs out
        await sweeper.sweep()
    assert status_on_branch(sim, repo) == "**Status:** Final"
    [done] = [b for b in app_comments(sim, repo, pull.number) if "is now **Final**" in b]
    assert "@nina" in done


async def test_lost_reviews_that_would_not_have_counted_do_not_count(
    sim: Any, bot_app: Any, decision_repo: Any
) -> None:
    repo = decision_repo
    pull = open_edit(sim, repo)
    sim.submit_review(repo, pull.number, OMAR, "APPROVED", "")  # before the decision
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, bot_app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=5))
    sim.submit_review(repo, pull.number, EVE, "APPROVED", "")  # not an eligible approver
    sim.submit_review(repo, pull.number, ALICE, "COMMENTED", "Nice.")
    sim.clock.advance(timedelta(minutes=5))

    async with restarted(sim) as (_, sweeper):
        report = await sweeper.sweep()

    assert report.repairs["review"] == 0 and report.errors == 0
    board = panel(sim, repo, pull.number)
    assert "- [ ] `nina`" in board and "- [ ] `omar`" in board
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)


async def test_a_lost_withdrawal_stops_the_comment_period(
    sim: Any, bot_app: Any, decision_repo: Any
) -> None:
    repo = decision_repo
    pull = open_edit(sim, repo)
    await say(sim, bot_app, repo, pull.number, MONA, "/rfc status final")
    await review(sim, bot_app, repo, pull.number, NINA, "APPROVED")
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(minutes=5))
    sim.submit_review(repo, pull.number, NINA, "CHANGES_REQUESTED", "Wait.")  # lost
    sim.clock.advance(timedelta(minutes=5))

    async with restarted(sim) as (_, sweeper):
        report = await sweeper.sweep()
        sim.clock.advance(timedelta(hours=2))
        await sweeper.sweep()

    assert report.repairs["review"] == 1
    assert "- [ ] `nina`" in panel(sim, repo, pull.number)
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)
    assert "Final" not in status_on_branch(sim, repo)  # no period ran out: none was running


async def test_a_decision_whose_label_was_lost_is_still_settled(
    sim: Any, decision_repo: Any
) -> None:
    repo = decision_repo
    pull = open_edit(sim, repo)
    # The decision is recorded and answered; its label (and so its panel) then fail, and the
    # process stops: no label points a sweep to the decision, and the reply is there.
    sim.fail_for("POST", r"/issues/\d+/labels$", 502, OUTAGE_SECONDS)
    async with serving(sim, event_budget_seconds=2.0) as dying:
        await say(sim, dying, repo, pull.number, MONA, "/rfc status final")
        await died_after(dying)
    assert any("Started a decision" in b for b in app_comments(sim, repo, pull.number))
    assert "rfc: decision" not in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(seconds=OUTAGE_SECONDS + 1))

    async with restarted(sim) as (app, sweeper):
        await sweeper.sweep()
        assert "rfc: decision" in sim.pr_labels(repo, pull.number)
        assert "- [x] `mona`" in panel(sim, repo, pull.number)
        start = len(sim.requests)
        await sweeper.sweep()  # settled once per command: nothing more to write
        assert writes(sim, start) == []
        await say(sim, app, repo, pull.number, NINA, "/rfc approve")
        sim.clock.advance(timedelta(minutes=61))
        await sweeper.sweep()
    assert status_on_branch(sim, repo) == "**Status:** Final"
