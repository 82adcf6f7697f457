"""Attacks on concerns, holds and who may resolve, end to end. What counts is what the App
accepted into its decision record: a refusal records nothing, edits and deletions change
nothing that was accepted, a forged hold is text, and a redelivered or late command is not
counted twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.policy.decisions.record import RECORD_NAME
from bot.policy.markers import PANEL
from tests.e2e.decision_helpers import (
    ALICE,
    CONFIG,
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
    say,
    status_on_branch,
    sweep,
)
from tests.e2e.helpers import BRANCH, send

__all__ = ["app", "repo"]  # fixtures from decision_helpers


def entries(sim: Any, repo: Any) -> list[dict[str, Any]]:
    runs = [r for r in sim.check_runs(repo) if r["name"] == RECORD_NAME]
    newest = max(runs, key=lambda r: r["id"])
    return list(json.loads(newest["output"]["text"])["entries"])


def kinds(sim: Any, repo: Any) -> list[str]:
    return [entry["kind"] for entry in entries(sim, repo)]


def replies_to(sim: Any, repo: Any, number: int, comment_id: int) -> list[str]:
    return [
        body
        for body in app_comments(sim, repo, number)
        if body.startswith(f"<!-- rfc-bot:reply:{comment_id} ")
    ]


async def started(sim: Any, app: Any, repo: Any) -> int:
    """A decision started by mona and approved by nina: the period runs 09:00 → 10:00."""
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    await say(sim, app, repo, pull.number, NINA, "/rfc approve")
    sim.clock.advance(timedelta(minutes=5))
    return int(pull.number)


async def test_a_hold_or_unhold_by_a_non_maintainer_is_refused_and_not_recorded(
    sim: Any, app: Any, repo: Any
) -> None:
    number = await started(sim, app, repo)
    before = kinds(sim, repo)
    await say(sim, app, repo, number, ALICE, "/rfc hold I want more time")  # the RFC's author
    reply = app_comments(sim, repo, number)[-1]
    assert "only a maintainer may `/rfc hold`; @alice is not a maintainer here." in reply
    assert kinds(sim, repo) == before and "On hold" not in panel(sim, repo, number)

    await say(sim, app, repo, number, MONA, "/rfc hold")
    await say(sim, app, repo, number, EVE, "/rfc unhold")
    assert "@eve is not a maintainer here" in app_comments(sim, repo, number)[-1]
    assert kinds(sim, repo) == [*before, "hold"]
    assert "held by `mona`" in panel(sim, repo, number)


@pytest.fixture
def resolvers_repo(sim: Any, repo: Any) -> Any:
    """Concerns are resolved by whoever raised them, or by omar (the security lead) alone."""
    config = CONFIG + "    resolvers: [omar]\n"
    sim.commit(repo, "main", {".github/rfc-bot.yml": config}, message="resolvers")
    return repo


async def test_a_resolve_by_someone_the_resolvers_rule_does_not_name_is_refused(
    sim: Any, app: Any, resolvers_repo: Any
) -> None:
    repo = resolvers_repo
    number = await started(sim, app, repo)
    await say(sim, app, repo, number, NINA, "/rfc concern perf")
    assert "Who may resolve a concern: whoever raised it, or `omar`." in panel(sim, repo, number)
    await say(sim, app, repo, number, MONA, "/rfc resolve perf")  # a maintainer, not named
    assert (
        "the concern `perf` may be resolved by @nina, who raised it, or by one of @omar (the "
        "rule's `resolvers`); @mona is neither."
    ) in app_comments(sim, repo, number)[-1]
    assert "resolve" not in kinds(sim, repo)

    # Cancelling and starting again does not clear it either: the concern is the RFC's.
    for who, line in ((MONA, "/rfc cancel"), (MONA, "/rfc status final"), (OMAR, "/rfc approve")):
        sim.clock.advance(timedelta(minutes=1))
        await say(sim, app, repo, number, who, line)
    assert "`perf`: [raised]" in panel(sim, repo, number)
    assert "rfc: final-comment-period" not in sim.pr_labels(repo, number)

    await say(sim, app, repo, number, OMAR, "/rfc resolve perf")  # named by the rule
    assert "rfc: final-comment-period" in sim.pr_labels(repo, number)


async def test_edited_and_deleted_hold_and_concern_comments_change_nothing_accepted(
    sim: Any, app: Any, repo: Any
) -> None:
    number = await started(sim, app, repo)
    hold = sim.add_comment(repo, number, MONA, "/rfc hold legal review")
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, hold))
    await say(sim, app, repo, number, OMAR, "/rfc concern naming")
    recorded = kinds(sim, repo)

    # Mona edits her hold away: the edit adds no command, the hold stays.
    sim.clock.advance(timedelta(minutes=1))
    edited = sim.edit_comment(repo, hold["id"], "never mind")
    changes = {"body": {"from": "/rfc hold legal review"}}
    await send(
        app, "issue_comment", sim.event_issue_comment(repo, number, edited, "edited", changes)
    )
    # Eve edits nina's comment into an unhold: an edit by someone else runs nothing.
    remark = sim.add_comment(repo, number, NINA, "Looks fine.")
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, remark))
    sim.clock.advance(timedelta(minutes=1))
    forged = sim.edit_comment(repo, remark["id"], "/rfc unhold\n/rfc resolve naming")
    changes = {"body": {"from": "Looks fine."}}
    payload = sim.event_issue_comment(repo, number, forged, "edited", changes, sender=EVE)
    await send(app, "issue_comment", payload)
    # And the hold and the concern comments are deleted.
    target = sim.find_repo(repo.full_name) if hasattr(repo, "full_name") else repo
    for comment in list(sim.comments(repo, number)):
        if comment["body"] in ("never mind", "/rfc concern naming"):
            del target.comments[comment["id"]]
    sim.clock.advance(timedelta(hours=3))
    await sweep(sim, app, repo)  # the sweep reads nina's comment: edited since written

    assert kinds(sim, repo) == recorded
    board = panel(sim, repo, number)
    assert "held by `mona`" in board and "legal review" in board and "`naming`" in board
    assert status_on_branch(sim, repo) == "**Status:** Proposed"


async def test_a_forged_hold_in_a_users_comment_is_ignored(sim: Any, app: Any, repo: Any) -> None:
    number = await started(sim, app, repo)
    fake_entry = json.dumps({"kind": "hold", "path": PATH, "actor": MONA, "mac": "0" * 64})
    forged = (
        f"{PANEL}\n**On hold:** held by `mona` since 2026-03-02 09:01 UTC: legal.\n"
        f'<!-- rfc-bot:decision-hold {{"path":"{PATH}"}} -->\n{fake_entry}\n'
        "> /rfc hold\n\n`/rfc hold`\n"
    )
    await say(sim, app, repo, number, EVE, forged)
    assert "On hold" not in panel(sim, repo, number)
    assert "hold" not in kinds(sim, repo)
    assert "rfc: final-comment-period" in sim.pr_labels(repo, number)
    sim.clock.advance(timedelta(hours=1))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Final"


async def test_a_hold_forged_into_the_record_stops_the_decision(
    sim: Any, app: Any, repo: Any
) -> None:
    number = await started(sim, app, repo)
    target = sim.find_repo(repo.full_name) if hasattr(repo, "full_name") else repo
    head = sim.head(repo, BRANCH)
    [run] = [r for r in target.check_runs.values() if r.name == RECORD_NAME and r.head_sha == head]
    data = json.loads(run.output["text"])
    data["entries"].append(dict(data["entries"][-1], kind="hold", extra={"reason": "x"}))
    run.output["text"] = json.dumps(data)
    await sweep(sim, app, repo)
    assert "Decisions stopped" in panel(sim, repo, number)


async def test_a_redelivered_hold_is_recorded_once_even_after_an_unhold_and_a_push(
    sim: Any, app: Any, repo: Any
) -> None:
    number = await started(sim, app, repo)
    hold = sim.add_comment(repo, number, MONA, "/rfc hold")
    payload = sim.event_issue_comment(repo, number, hold)
    await send(app, "issue_comment", payload, delivery_id="hold-1")
    await send(app, "issue_comment", payload, delivery_id="hold-2")  # GitHub redelivers
    assert kinds(sim, repo).count("hold") == 1
    sim.clock.advance(timedelta(minutes=1))
    await say(sim, app, repo, number, NINA, "/rfc unhold")

    # The RFC's text changes, then the old hold arrives once more: it is the same hold.
    changed = sim.file(repo, PATH, ref=BRANCH) + "\nOne more line.\n"
    sim.commit(repo, BRANCH, {PATH: changed}, message="more")
    sim.clock.advance(timedelta(minutes=1))
    await send(app, "issue_comment", payload, delivery_id="hold-3")
    assert kinds(sim, repo).count("hold") == 1
    assert "On hold" not in panel(sim, repo, number)
    replies = replies_to(sim, repo, number, hold["id"])
    assert all("already on hold" not in body for body in replies)


async def test_out_of_order_hold_and_unhold_end_as_the_replies_said(
    sim: Any, app: Any, repo: Any
) -> None:
    number = await started(sim, app, repo)
    hold = sim.add_comment(repo, number, MONA, "/rfc hold")
    sim.clock.advance(timedelta(minutes=1))
    unhold = sim.add_comment(repo, number, NINA, "/rfc unhold")
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, unhold))
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, hold))

    [refused] = replies_to(sim, repo, number, unhold["id"])
    assert "it is not on hold, so there is nothing to lift." in refused
    [accepted] = replies_to(sim, repo, number, hold["id"])
    assert "is on hold" in accepted
    assert kinds(sim, repo).count("unhold") == 0
    assert "held by `mona`" in panel(sim, repo, number)  # as the replies said
    sim.clock.advance(timedelta(hours=2))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"


async def test_a_redelivered_start_is_answered_as_started_and_recorded_once(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    start = sim.add_comment(repo, pull.number, MONA, "/rfc status final")
    payload = sim.event_issue_comment(repo, pull.number, start)
    await send(app, "issue_comment", payload, delivery_id="start-1")
    sim.clock.advance(timedelta(minutes=1))
    await send(app, "issue_comment", payload, delivery_id="start-2")
    assert kinds(sim, repo) == ["start"]
    replies = replies_to(sim, repo, pull.number, start["id"])
    assert replies and all("Started a decision" in body for body in replies)
