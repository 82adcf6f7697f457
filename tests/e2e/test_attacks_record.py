"""Attacks on decisions, end to end: none of them changes a decision, because the decision
state is folded from the App's own record alone (a check run only the App can write, each
entry proven by its MAC)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.policy.decisions.record import RECORD_NAME
from tests.e2e.decision_helpers import (
    EVE,
    MONA,
    NINA,
    OMAR,
    app,
    open_edit,
    panel,
    repo,
    say,
    status_on_branch,
    sweep,
)
from tests.e2e.helpers import BRANCH, send

__all__ = ["app", "repo"]  # fixtures from decision_helpers


def record_runs(sim: Any, repo: Any) -> list[Any]:
    target = sim.find_repo(repo.full_name) if hasattr(repo, "full_name") else repo
    head = sim.head(repo, BRANCH)
    return [r for r in target.check_runs.values() if r.name == RECORD_NAME and r.head_sha == head]


async def test_editing_someone_elses_comment_into_an_approval_counts_nothing(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    comment = sim.add_comment(repo, pull.number, NINA, "Thanks, reading it now.")
    await send(app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))
    sim.clock.advance(timedelta(minutes=1))
    edited = sim.edit_comment(repo, comment["id"], "/rfc approve")
    changes = {"body": {"from": "Thanks, reading it now."}}
    payload = sim.event_issue_comment(repo, pull.number, edited, "edited", changes, sender=OMAR)
    await send(app, "issue_comment", payload)
    await sweep(sim, app, repo)  # the sweep re-reads it: edited since written, not run
    assert "post it again as a new comment" in sim.comments(repo, pull.number)[-1]["body"]
    assert "- [ ] `nina`" in panel(sim, repo, pull.number)
    assert "rfc: final-comment-period" not in sim.pr_labels(repo, pull.number)


async def test_the_authors_own_edit_counts_and_a_later_edit_changes_nothing(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    comment = sim.add_comment(repo, pull.number, NINA, "Reading.")
    sim.clock.advance(timedelta(minutes=1))
    edited = sim.edit_comment(repo, comment["id"], "Reading.\n/rfc approve")
    payload = sim.event_issue_comment(
        repo, pull.number, edited, "edited", {"body": {"from": "Reading."}}, sender=NINA
    )
    await send(app, "issue_comment", payload)
    assert "- [x] `nina`" in panel(sim, repo, pull.number)
    sim.edit_comment(repo, comment["id"], "never mind")  # the record keeps what was accepted
    await sweep(sim, app, repo)
    assert "- [x] `nina`" in panel(sim, repo, pull.number)


async def test_a_refused_command_never_counts_later(sim: Any, app: Any, repo: Any) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, EVE, "/rfc approve")
    sim.set_permission(repo, EVE, "write")  # eve becomes an approver after the refusal
    sim.clock.advance(timedelta(minutes=10))
    await sweep(sim, app, repo)
    assert "- [x] `eve`" not in panel(sim, repo, pull.number)


async def test_an_altered_record_entry_stops_the_decision_loudly(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, OMAR, "/rfc concern naming")
    [run] = record_runs(sim, repo)
    data = json.loads(run.output["text"])
    data["entries"] = [e for e in data["entries"] if e["kind"] != "concern"]  # drop a concern
    data["entries"][0]["actor"] = "someone-else"  # and alter the start
    run.output["text"] = json.dumps(data)
    await say(sim, app, repo, pull.number, NINA, "/rfc approve")
    assert "fails its proof" in sim.comments(repo, pull.number)[-1]["body"]
    sim.clock.advance(timedelta(days=2))
    await sweep(sim, app, repo)
    board = panel(sim, repo, pull.number)
    assert "Decisions stopped" in board and "/rfc status" in board
    assert "Final" not in status_on_branch(sim, repo)


async def test_a_record_copied_from_another_pull_request_fails(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    [run] = record_runs(sim, repo)
    data = json.loads(run.output["text"])
    forged = dict(data["entries"][0], kind="approve", actor=NINA, source="1")
    data["entries"].append(forged)  # a real MAC, over another entry
    run.output["text"] = json.dumps(data)
    await sweep(sim, app, repo)
    assert "Decisions stopped" in panel(sim, repo, pull.number)


async def test_deleting_a_cancel_or_a_concern_revives_nothing(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, NINA, "/rfc cancel")
    target = sim.find_repo(repo.full_name) if hasattr(repo, "full_name") else repo
    for comment in list(sim.comments(repo, pull.number)):
        if comment["body"] == "/rfc cancel":
            del target.comments[comment["id"]]
    sim.clock.advance(timedelta(days=2))
    await sweep(sim, app, repo)
    assert "cancelled" in panel(sim, repo, pull.number)
    assert "Final" not in status_on_branch(sim, repo)
