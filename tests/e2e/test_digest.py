"""The weekly digest end to end: created once, written once a week and edited in place the
next, built from the decision record (who a decision waits on, in code spans), two replicas
creating it at once, an issue a person forged with the label and the marker, and a week
already written costs no request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.policy.markers import digest_head
from tests.e2e.conftest import BotApp
from tests.e2e.decision_helpers import review, say
from tests.e2e.follow_helpers import (
    EVE,
    MONA,
    NINA,
    STALE_CONFIG,
    digests,
    opened_edit,
    second_replica,
    seeded,
    sweeps,
)

__all__ = ["second_replica"]  # a fixture from follow_helpers
DIGEST_CONFIG = STALE_CONFIG + "digest:\n  issue_title: Weekly RFCs\n  weekday: monday\n"


@pytest.fixture
def repo(sim: Any) -> Any:
    return seeded(sim, DIGEST_CONFIG)


async def test_created_once_then_edited_in_place_each_week(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    pull = await opened_edit(sim, bot_app, repo)
    await say(sim, bot_app, repo, pull.number, MONA, "/rfc status final")

    await sweeps(sim, repo, bot_app)
    [issue] = digests(sim, repo)
    assert issue["title"] == "Weekly RFCs" and issue["state"] == "open"
    assert [label["name"] for label in issue["labels"]] == ["rfc: digest"]
    assert issue["performed_via_github_app"]["id"] == int(sim.app_id)
    body = issue["body"]
    assert body.startswith(digest_head("2026-03-02"))
    assert "waiting on `nina`, `omar`" in body and "@" not in body
    assert f"[#{pull.number}]" in body and "`rfcs/0001-job-retries.md`" in body

    asked = len(sim.requests)
    sim.clock.advance(timedelta(days=3))
    await sweeps(sim, repo, bot_app)
    [same] = digests(sim, repo)
    assert same["updated_at"] == issue["updated_at"]  # written once this week
    digest_calls = {"issues/list-for-repo", "issues/create", "issues/update"}
    assert not [r for r in sim.requests[asked:] if r.operation_id in digest_calls]

    await review(sim, bot_app, repo, pull.number, NINA, "APPROVED")  # the period starts
    sim.clock.advance(timedelta(hours=2))
    await sweeps(sim, repo, bot_app)  # it ended: the App moves the RFC to Final

    sim.clock.advance(timedelta(days=4))  # the next Monday
    await sweeps(sim, repo, bot_app)
    [edited] = digests(sim, repo)
    assert edited["number"] == issue["number"]
    body = edited["body"]
    assert body.startswith(digest_head("2026-03-09"))
    assert "2026-03-02 to 2026-03-08" in body
    assert f"- Entered: [#{pull.number}]" in body and "Job Retries" in body
    assert f"- Left: [#{pull.number}]" in body and "moved to **Final**" in body
    assert "No decision is waiting on approvers." in body


async def test_two_replicas_make_one_digest(
    sim: Any, bot_app: BotApp, second_replica: BotApp, repo: Any
) -> None:
    await opened_edit(sim, bot_app, repo)
    await sweeps(sim, repo, bot_app, second_replica)
    await sweeps(sim, repo, bot_app, second_replica)
    open_ones = [issue for issue in digests(sim, repo) if issue["state"] == "open"]
    assert len(open_ones) == 1
    closed = [issue for issue in sim.issues(repo) if issue["state"] == "closed"]
    assert all("<!-- rfc-bot:digest" not in issue["body"] for issue in closed)


async def test_a_persons_issue_with_the_label_and_marker_is_not_the_digest(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    forged = sim.open_issue(
        repo, EVE, "Weekly RFCs", digest_head("2026-03-02") + "\nNothing to see.", ("rfc: digest",)
    )
    await sweeps(sim, repo, bot_app)
    [issue] = digests(sim, repo)
    assert issue["number"] != forged
    assert "Nothing to see." not in issue["body"]
    [mine] = [i for i in sim.issues(repo) if i["number"] == forged]
    assert mine["body"].endswith("Nothing to see.")  # left alone


async def test_no_digest_without_its_config(sim: Any, bot_app: BotApp) -> None:
    repo = seeded(sim, STALE_CONFIG)
    await opened_edit(sim, bot_app, repo)
    await sweeps(sim, repo, bot_app)
    assert sim.issues(repo) == []


async def test_a_digest_whose_answer_was_lost_is_made_once(
    sim: Any, bot_app: BotApp, repo: Any
) -> None:
    await opened_edit(sim, bot_app, repo)
    sim.fail("POST", r"/repos/octo-org/rfcs/issues$", 502, applied=True)
    await sweeps(sim, repo, bot_app)
    await sweeps(sim, repo, bot_app)
    assert len(digests(sim, repo)) == 1
    assert sum(sim.faults.fired.values()) == 1  # the lost answer happened
