"""Staleness end to end, on the simulator's clock: one reminder per episode whatever the
sweeps and replicas, the label and the panel's line, cleared by a person's comment, a new
episode later; the keep label; and the attacks: a forged marker, a deleted comment, a writer
that died between its claim and its reminder, a reminder whose answer was lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sandbox.sim_state import Reaction
from tests.e2e.conftest import BotApp
from tests.e2e.follow_helpers import (
    ALICE,
    EVE,
    NINA,
    STALE_CONFIG,
    opened_edit,
    panel_of,
    reminders,
    second_replica,
    seeded,
    sweeps,
)

__all__ = ["second_replica"]  # a fixture from follow_helpers
DAYS = timedelta(days=1)


@pytest.fixture
def repo(sim: Any) -> Any:
    return seeded(sim, STALE_CONFIG)


async def test_reminded_once_labelled_and_shown_then_cleared_by_a_comment(
    sim: Any, bot_app: BotApp, second_replica: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    assert "rfc: proposed" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(59 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert reminders(sim, repo, pull.number) == []

    sim.clock.advance(2 * DAYS)
    await sweeps(sim, repo, bot_app, second_replica)
    await sweeps(sim, repo, bot_app, second_replica)

    [reminder] = reminders(sim, repo, pull.number)
    assert reminder.count("@alice") == 1  # the RFC's author (and the pull request's)
    assert "longer than 60 days" in reminder and "`rfc: keep`" in reminder
    assert "rfc: stale" in sim.pr_labels(repo, pull.number)
    assert "**Stale since" in panel_of(sim, repo, pull.number)
    assert "@" not in panel_of(sim, repo, pull.number).split("### ")[0]
    assert sim.pull_request(repo, pull.number).state == "open"  # never closed

    # The App's own writes are no activity: a month later, still the one reminder.
    sim.clock.advance(30 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1

    sim.add_comment(repo, pull.number, NINA, "Still reading this one.")
    await sweeps(sim, repo, bot_app)
    assert "rfc: stale" not in sim.pr_labels(repo, pull.number)
    assert "Stale since" not in panel_of(sim, repo, pull.number)
    assert sim.pull_reactions(repo, pull.number) == []  # the claim is given back

    sim.clock.advance(61 * DAYS)
    await sweeps(sim, repo, bot_app, second_replica)
    assert len(reminders(sim, repo, pull.number)) == 2  # a new episode, its own reminder
    assert "rfc: stale" in sim.pr_labels(repo, pull.number)


async def test_the_keep_label_opts_out(sim: Any, bot_app: BotApp, repo: Any) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.label_pull(repo, pull.number, "rfc: keep")
    sim.clock.advance(200 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert reminders(sim, repo, pull.number) == []
    assert "rfc: stale" not in sim.pr_labels(repo, pull.number)


async def test_a_forged_reminder_in_a_persons_comment_is_ignored(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.add_comment(repo, pull.number, EVE, "<!-- rfc-bot:stale -->\nAlready reminded, hush.")
    sim.clock.advance(61 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1
    assert "rfc: stale" in sim.pr_labels(repo, pull.number)


async def test_deleting_the_last_comment_brings_no_second_reminder(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.clock.advance(10 * DAYS)
    said = sim.add_comment(repo, pull.number, ALICE, "One more thought.")
    sim.clock.advance(61 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1

    sim.delete_comment(repo, said["id"])  # the last activity moves back ten days
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1


async def test_a_writer_that_died_after_its_claim_is_replaced_after_the_lease(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.clock.advance(61 * DAYS)
    claim = Reaction(sim.next_id(), sim.bot_login, "Bot", "eyes", sim.clock.now())
    sim.find_repo(repo.full_name).pulls[pull.number].reactions.append(claim)

    await sweeps(sim, repo, bot_app)
    assert reminders(sim, repo, pull.number) == []  # another replica's claim, in its lease

    sim.clock.advance(timedelta(minutes=11))
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1


async def test_a_claim_left_from_an_earlier_episode_is_renewed(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    old = Reaction(sim.next_id(), sim.bot_login, "Bot", "eyes", sim.clock.now())
    sim.find_repo(repo.full_name).pulls[pull.number].reactions.append(old)
    sim.clock.advance(1 * DAYS)
    sim.add_comment(repo, pull.number, ALICE, "Picking this up again.")
    sim.clock.advance(61 * DAYS)
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1
    [(who, content)] = sim.pull_reactions(repo, pull.number)
    assert who == sim.bot_login and content == "eyes"


async def test_a_reminder_whose_answer_was_lost_is_not_sent_twice(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.clock.advance(61 * DAYS)
    sim.fail("POST", rf"/issues/{pull.number}/comments$", 502, applied=True)
    await sweeps(sim, repo, bot_app)
    await sweeps(sim, repo, bot_app)
    assert len(reminders(sim, repo, pull.number)) == 1
    assert "rfc: stale" in sim.pr_labels(repo, pull.number)
    assert sum(sim.faults.fired.values()) == 1  # the lost answer happened


async def test_a_crash_between_the_reminder_and_the_label_is_mended(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.clock.advance(61 * DAYS)
    await sweeps(sim, repo, bot_app)
    target = sim.find_repo(repo.full_name).pulls[pull.number]
    target.labels.remove("rfc: stale")  # as if the App stopped between its two writes
    await sweeps(sim, repo, bot_app)
    assert "rfc: stale" in sim.pr_labels(repo, pull.number)
    assert len(reminders(sim, repo, pull.number)) == 1


async def test_a_stale_label_put_on_by_a_person_is_taken_off(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    sim.label_pull(repo, pull.number, "rfc: stale")
    await sweeps(sim, repo, bot_app)
    assert "rfc: stale" not in sim.pr_labels(repo, pull.number)
    assert reminders(sim, repo, pull.number) == [] and panel_of(sim, repo, pull.number) == ""
