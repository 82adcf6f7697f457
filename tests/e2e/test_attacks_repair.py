"""Attacks on the repair list: what it does again is read back from GitHub, never taken from
memory, so an edit or a deletion made after the failure counts, a late or out-of-order
delivery does not double a write, and what was refused unsigned never gets on it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.serve.app import REPAIRER
from tests.e2e.helpers import BRANCH, PATH, bot_comments, open_pull, seed_repo, send
from tests.e2e.repair_helpers import (
    draft,
    repair_app,
    repair_count,
    serving,
    settled,
    validation_runs,
)

__all__ = ["repair_app"]  # the fixture

OUTAGE_SECONDS = 45.0
COMMENTS = r"/issues/\d+/comments$"


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    return repository


async def test_a_command_edited_in_after_the_failure_is_not_run_by_the_repair(
    sim: Any, repair_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc help")

    def edit_in_flight(_: Any) -> None:
        sim.clock.advance(1)
        sim.edit_comment(repo, comment["id"], "/rfc help\n/rfc status proposed")

    # The reply is lost for a while; meanwhile the comment gains a command.
    sim.before("POST", COMMENTS, edit_in_flight)
    sim.fail_for("POST", COMMENTS, 502, OUTAGE_SECONDS)
    await send(repair_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))
    await settled(repair_app)

    assert "**Status:** Draft" in (sim.file(repo, PATH, ref=BRANCH) or "")  # not run
    [reply] = bot_comments(sim, repo, pull.number)
    assert "edited after it was written" in reply
    assert repair_count(repair_app, "command", "repaired") == 1


async def test_a_comment_deleted_after_the_failure_is_not_answered(
    sim: Any, repair_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, draft())
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")

    def delete_in_flight(_: Any) -> None:
        del repo.comments[comment["id"]]  # its author deleted it

    sim.before("POST", COMMENTS, delete_in_flight)
    sim.fail_for("POST", COMMENTS, 502, OUTAGE_SECONDS)
    await send(repair_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))
    await settled(repair_app)

    assert bot_comments(sim, repo, pull.number) == []
    assert repair_count(repair_app, "command", "repaired") == 1  # done: nothing to answer


async def test_a_refused_open_repaired_after_a_later_push_was_handled_makes_one_run_per_head(
    sim: Any, repo: Any
) -> None:
    """The refused `opened` is repaired from the pull request as it is now: its new head,
    validated by the `synchronize` handled meanwhile, keeps its one run."""
    pull = open_pull(sim, repo, draft())
    async with serving(sim, simulated_waits=True) as app:
        app.app[REPAIRER].admit = lambda repair: False  # held back: the backlog is busy
        app.app[REPAIRER].record_delivery(
            "pull_request",
            sim.event_pull_request(repo, pull.number, "opened"),
            "refused, backlog full",
        )
        first_head = pull.head_sha
        sim.commit(repo, BRANCH, {PATH: draft()[PATH] + "\nMore.\n"}, message="push")
        pushed = sim.event_pull_request(repo, pull.number, "synchronize")
        await send(app, "pull_request", pushed)
        app.app[REPAIRER].admit = lambda repair: True  # load falls
        await settled(app)

    head = sim.pull_request(repo, pull.number).current_head()
    assert head != first_head
    assert len(validation_runs(sim, repo, head)) == 1
    assert validation_runs(sim, repo, first_head) == []  # an old head is not validated
    assert repair_count(app, "check", "repaired") == 1
