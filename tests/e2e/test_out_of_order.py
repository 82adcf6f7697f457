"""Deliveries of one pull request out of order leave it as the in-order ones would.

GitHub does not promise delivery order, and with ``serve --workers N`` two deliveries of one
pull request may land in different processes. The check handler therefore reads the pull
request again and acts only when the event still describes it
(``bot.policy.check.stale_event_reason``).
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.demo import demo_file
from tests.e2e.helpers import BRANCH, PATH, open_pull, seed_repo, send

GOOD = demo_file("fixed.md")
FLAWED = demo_file("flawed.md")
GOOD_LABELS = {"rfc", "rfc: draft", "app: orchestrator", "app: jobmaster"}


def validation_runs(sim: Any, repo: Any, head_sha: str) -> list[dict[str, Any]]:
    return [r for r in sim.check_runs(repo, head_sha=head_sha) if r["name"] == "RFC validation"]


@pytest.mark.parametrize("older_action", ["synchronize", "opened"])
async def test_an_older_head_delivered_last_does_not_win(
    sim: Any, bot_app: Any, older_action: str
) -> None:
    repo = seed_repo(sim, {"rfcs/README.md": "# Index\n"})
    pull = open_pull(sim, repo, {PATH: FLAWED})
    older_head = sim.pull_request(repo, pull.number).current_head()
    older = sim.event_pull_request(repo, pull.number, older_action)
    sim.commit(repo, BRANCH, {PATH: GOOD}, message="Fix the RFC")
    newer_head = sim.pull_request(repo, pull.number).current_head()
    newer = sim.event_pull_request(repo, pull.number, "synchronize")
    assert older["pull_request"]["head"]["sha"] == older_head != newer_head

    await send(bot_app, "pull_request", newer)
    await send(bot_app, "pull_request", older)

    (run,) = validation_runs(sim, repo, newer_head)
    assert run["conclusion"] == "success"
    assert validation_runs(sim, repo, older_head) == []  # the stale event wrote nothing
    assert set(sim.pr_labels(repo, pull.number)) == GOOD_LABELS


async def test_opened_delivered_after_closed_writes_nothing(sim: Any, bot_app: Any) -> None:
    repo = seed_repo(sim, {"rfcs/README.md": "# Index\n"})
    pull = open_pull(sim, repo, {PATH: GOOD})
    head = sim.pull_request(repo, pull.number).current_head()
    opened = sim.event_pull_request(repo, pull.number, "opened")
    sim.close_pull_request(repo, pull.number)
    closed = sim.event_pull_request(repo, pull.number, "closed")
    start = len(sim.requests)

    await send(bot_app, "pull_request", closed)
    await send(bot_app, "pull_request", opened)

    assert validation_runs(sim, repo, head) == []
    assert sim.pr_labels(repo, pull.number) == []
    writes = [
        r.operation_id
        for r in sim.requests[start:]
        if r.method != "GET" and r.operation_id != "apps/create-installation-access-token"
    ]
    assert writes == []


async def test_in_order_deliveries_still_validate_each_head(sim: Any, bot_app: Any) -> None:
    """The recheck costs nothing in the common case: each head in turn gets its run."""
    repo = seed_repo(sim, {"rfcs/README.md": "# Index\n"})
    pull = open_pull(sim, repo, {PATH: FLAWED})
    first = sim.pull_request(repo, pull.number).current_head()
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    sim.commit(repo, BRANCH, {PATH: GOOD}, message="Fix the RFC")
    second = sim.pull_request(repo, pull.number).current_head()
    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "synchronize"))
    assert [r["conclusion"] for r in validation_runs(sim, repo, first)] == ["failure"]
    assert [r["conclusion"] for r in validation_runs(sim, repo, second)] == ["success"]
    assert set(sim.pr_labels(repo, pull.number)) == GOOD_LABELS
