"""Two and five 502s on every write step of every handler, end to end: each step is retried
(a write whose answer was lost is looked for first), the delivery finishes within seconds of
the simulator's clock, and nothing is written twice: one check run per head, one reply per
command, one numbering commit and one announcement per merge."""

from __future__ import annotations

from typing import Any

import pytest

from bot.serve.app import REPAIRER
from tests.e2e.helpers import merge, open_pull, seed_repo, send
from tests.e2e.repair_helpers import (
    assert_checked_once,
    assert_moved_once,
    assert_numbered_once,
    delivery_count,
    draft,
    repair_app,
)

__all__ = ["repair_app"]  # the fixture

# (times, applied): a plain 502 never reaches GitHub's state; an applied one does, and its
# answer is lost all the same.
FAULTS = [(2, False), (2, True), (5, False), (5, True)]
FAULT_IDS = ["2x502", "2x502-applied", "5x502", "5x502-applied"]
# Simulated seconds a delivery may take: five backoffs of at most 0.5, 1, 2, 4 and 8 s.
WITHIN_SECONDS = 20.0

CHECK_STEPS = {
    "check run": ("POST", r"/check-runs$"),
    "repository label": ("POST", r"/repos/[^/]+/[^/]+/labels$"),
    "labels": ("POST", r"/issues/\d+/labels$"),
}
COMMAND_STEPS = {
    "status commit": ("PUT", r"/contents/"),
    "labels": ("POST", r"/issues/\d+/labels$"),
    "reply": ("POST", r"/issues/\d+/comments$"),
    "reaction": ("POST", r"/issues/comments/\d+/reactions$"),
}
NUMBER_STEPS = {
    "blob": ("POST", r"/git/blobs$"),
    "tree": ("POST", r"/git/trees$"),
    "commit": ("POST", r"/git/commits$"),
    "ref update": ("PATCH", r"/git/refs/heads/main$"),
    "label": ("POST", r"/issues/\d+/labels$"),
    "announcement": ("POST", r"/issues/\d+/comments$"),
}


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    return repository


def fail(sim: Any, step: tuple[str, str], times: int, applied: bool) -> None:
    method, path = step
    sim.fail(method, path, 502, times=times, applied=applied)


def assert_recovered_in_the_delivery(
    sim: Any, app: Any, event: str, times: int, applied: bool, started: Any
) -> None:
    fired = sum(sim.faults.fired.values())
    # An applied create is found by its read-back at once: the rest of its faults never fire.
    assert fired == times or (applied and fired >= 1)
    assert delivery_count(app, event, "handled") == 1
    assert (sim.clock.now() - started).total_seconds() <= WITHIN_SECONDS
    assert len(app.app[REPAIRER].pending) == 0  # nothing was left to the repair list


@pytest.mark.parametrize("step", CHECK_STEPS.values(), ids=CHECK_STEPS.keys())
@pytest.mark.parametrize(("times", "applied"), FAULTS, ids=FAULT_IDS)
async def test_validating_a_pull_request(
    sim: Any, repair_app: Any, repo: Any, step: tuple[str, str], times: int, applied: bool
) -> None:
    pull = open_pull(sim, repo, draft())
    fail(sim, step, times, applied)
    started = sim.clock.now()

    await send(repair_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))

    assert_recovered_in_the_delivery(sim, repair_app, "pull_request", times, applied, started)
    assert_checked_once(sim, repo, pull.number)


@pytest.mark.parametrize("step", COMMAND_STEPS.values(), ids=COMMAND_STEPS.keys())
@pytest.mark.parametrize(("times", "applied"), FAULTS, ids=FAULT_IDS)
async def test_a_status_command(
    sim: Any, repair_app: Any, repo: Any, step: tuple[str, str], times: int, applied: bool
) -> None:
    pull = open_pull(sim, repo, draft())
    fail(sim, step, times, applied)
    started = sim.clock.now()
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")

    await send(repair_app, "issue_comment", sim.event_issue_comment(repo, pull.number, comment))

    assert_recovered_in_the_delivery(sim, repair_app, "issue_comment", times, applied, started)
    assert_moved_once(sim, repo, pull.number, comment)


@pytest.mark.parametrize("step", NUMBER_STEPS.values(), ids=NUMBER_STEPS.keys())
@pytest.mark.parametrize(("times", "applied"), FAULTS, ids=FAULT_IDS)
async def test_numbering_a_merge(
    sim: Any, repair_app: Any, repo: Any, step: tuple[str, str], times: int, applied: bool
) -> None:
    fail(sim, step, times, applied)
    started = sim.clock.now()

    pull = await merge(sim, repair_app, repo, draft())

    assert_recovered_in_the_delivery(sim, repair_app, "pull_request", times, applied, started)
    assert_numbered_once(sim, repo, pull.number)
