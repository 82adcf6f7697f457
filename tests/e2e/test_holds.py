"""Concerns before a decision, and holds, end to end on the simulator's clock: a concern raised
before the start blocks the quorum's comment period until resolved; a maintainer's hold pauses
a running period and its lifting restarts it from zero; both show in the panel, the labels and
the decision record's table."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.policy.decisions.record import RECORD_NAME
from tests.e2e.decision_helpers import (
    MONA,
    NINA,
    OMAR,
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


def record(sim: Any, repo: Any) -> dict[str, Any]:
    """The newest decision record run (on any commit of the pull request)."""
    runs = [r for r in sim.check_runs(repo) if r["name"] == RECORD_NAME]
    return max(runs, key=lambda r: r["id"])


def recorded(sim: Any, repo: Any) -> list[tuple[str, str]]:
    """(kind, actor) of each entry of the record, in the order accepted."""
    entries = json.loads(record(sim, repo)["output"]["text"])["entries"]
    return [(e["kind"], e["actor"]) for e in entries]


def last_reply(sim: Any, repo: Any, number: int) -> str:
    """The App's newest reply (its panel, posted once and edited, is not one)."""
    return [b for b in app_comments(sim, repo, number) if "rfc-bot:panel" not in b][-1]


async def test_an_early_concern_blocks_the_start_until_resolved(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, NINA, "/rfc approve")  # approvals wait for a start
    assert "No decision is in progress" in last_reply(sim, repo, pull.number)
    await say(sim, app, repo, pull.number, OMAR, "/rfc concern naming")
    assert "blocks the next decision's comment period" in last_reply(sim, repo, pull.number)
    board = panel(sim, repo, pull.number)
    assert "`naming`: [raised]" in board and "each blocks the next decision's period" in board
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)
    assert recorded(sim, repo) == [("concern", OMAR)]

    # The decision starts and reaches its quorum, but the concern keeps the period from running.
    sim.clock.advance(timedelta(minutes=5))
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await review(sim, app, repo, pull.number, NINA, "APPROVED")
    board = panel(sim, repo, pull.number)
    assert "- [x] `nina`" in board and "not started" in board and "`naming`" in board
    assert "rfc: final-comment-period" not in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(hours=2))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"

    # Resolved (11:05): the quorum starts the period from then, and it runs its course.
    await say(sim, app, repo, pull.number, OMAR, "/rfc resolve naming")
    board = panel(sim, repo, pull.number)
    assert "ends **2026-03-02 12:05 UTC**" in board and "**Concerns:** none open." in board
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(minutes=61))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Final"
    kinds = [kind for kind, _ in recorded(sim, repo)]
    assert kinds[0] == "concern" and kinds[-2:] == ["resolve", "moved"]  # raised before it all


async def test_a_hold_pauses_the_period_and_unhold_restarts_it_from_zero(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, NINA, "/rfc approve")  # period 09:00 → 10:00
    sim.clock.advance(timedelta(minutes=20))
    await say(sim, app, repo, pull.number, OMAR, "/rfc hold waiting for the legal review")
    assert "is on hold" in last_reply(sim, repo, pull.number)
    board = panel(sim, repo, pull.number)
    assert "comment period paused by a hold" in board
    assert "**On hold:** held by `omar` since [2026-03-02 09:20 UTC](" in board
    assert board.count("waiting for the legal review") == 1
    assert "lifting the hold restarts it from zero" in board and "`/rfc unhold`" in board
    assert "rfc: decision" in sim.pr_labels(repo, pull.number)

    sim.clock.advance(timedelta(hours=2))  # long past the first deadline: nothing moves
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"

    await say(sim, app, repo, pull.number, MONA, "/rfc unhold")  # 11:20 → 12:20
    board = panel(sim, repo, pull.number)
    assert "ends **2026-03-02 12:20 UTC** (began 2026-03-02 11:20 UTC" in board
    assert "On hold" not in board
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)
    sim.clock.advance(timedelta(minutes=59))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"
    sim.clock.advance(timedelta(minutes=2))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Final"

    # The record's table (the decision's audit trail) shows who held and lifted, and why.
    summary = record(sim, repo)["output"]["summary"]
    assert "| omar | hold: waiting for the legal review |" in summary
    assert "| mona | unhold |" in summary
    assert [k for k, _ in recorded(sim, repo)][2:4] == ["hold", "unhold"]


async def test_a_hold_before_any_decision_waits_for_the_next_one(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, NINA, "/rfc hold")
    board = panel(sim, repo, pull.number)
    assert "**On hold:** held by `nina`" in board and "the hold is lifted" in board
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, OMAR, "/rfc approve")
    assert "not started: it starts with quorum and no concern and no hold" in panel(
        sim, repo, pull.number
    )
    await say(sim, app, repo, pull.number, NINA, "/rfc unhold")
    assert "rfc: final-comment-period" in sim.pr_labels(repo, pull.number)


async def test_a_concern_with_no_decision_ahead_is_refused_but_an_open_one_resolves(
    sim: Any, app: Any, repo: Any
) -> None:
    """A Draft RFC's next move needs no decision here: a new concern would block nothing; one
    raised while it was Proposed can still be resolved."""
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, OMAR, "/rfc concern naming")
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, app, repo, pull.number, MONA, "/rfc status draft")
    await say(sim, app, repo, pull.number, OMAR, "/rfc concern api")
    assert "no move from **Draft** needs a decision here" in last_reply(sim, repo, pull.number)
    assert "`naming`" in panel(sim, repo, pull.number)
    await say(sim, app, repo, pull.number, OMAR, "/rfc resolve naming")
    assert "is resolved" in last_reply(sim, repo, pull.number)
    assert recorded(sim, repo) == [("concern", OMAR), ("resolve", OMAR)]
    assert "Concerns" not in panel(sim, repo, pull.number)
    assert "rfc: decision" not in sim.pr_labels(repo, pull.number)


async def test_a_concern_after_a_cancel_waits_for_the_next_decision(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, app, repo, pull.number, MONA, "/rfc cancel")
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, app, repo, pull.number, NINA, "/rfc concern naming")
    assert "blocks the next decision's comment period" in last_reply(sim, repo, pull.number)
    board = panel(sim, repo, pull.number)
    assert "cancelled by `mona`" in board and "`naming`: [raised]" in board
