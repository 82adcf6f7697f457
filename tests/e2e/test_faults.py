"""Writes GitHub applied but answered with an error, end to end: the App must not double them.

A POST that lands and still answers 502 (or never answers) is the case a plain retry turns
into a duplicate. The App tags what it writes (``external_id`` on a check run, a hidden
marker on a comment) and looks for it before writing again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.attack_helpers import AUTHOR, full_rfc, people_repo, say
from tests.e2e.helpers import PATH, bot_comments, open_pull, send

CHECK_RUNS = r"/check-runs$"
COMMENTS = r"/issues/\d+/comments$"


def validation_runs(sim: Any, repo: Any) -> list[dict[str, Any]]:
    return [run for run in sim.check_runs(repo) if run["name"] == "RFC validation"]


@pytest.fixture
def repo(sim: Any) -> Any:
    return people_repo(sim)


@pytest.mark.parametrize("fault", ["502-applied", "reset-applied"])
async def test_a_check_run_created_despite_an_error_is_not_created_twice(
    sim: Any, bot_app: Any, repo: Any, fault: str
) -> None:
    if fault == "502-applied":
        sim.fail("POST", CHECK_RUNS, 502, applied=True)
    else:
        sim.reset_connection("POST", CHECK_RUNS, applied=True)
    pull = open_pull(sim, repo, {PATH: full_rfc()})

    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))

    assert sim.faults.fired  # the fault did fire
    [run] = validation_runs(sim, repo)
    assert run["conclusion"] == "success" and run["external_id"]
    posts = [r for r in sim.requests if r.method == "POST" and r.path.endswith("/check-runs")]
    assert len(posts) == 1  # found by its external_id, not posted again


async def test_a_check_run_whose_create_was_not_applied_is_created_once(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    sim.fail("POST", CHECK_RUNS, 502, applied=False)
    pull = open_pull(sim, repo, {PATH: full_rfc()})

    await send(bot_app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))

    [run] = validation_runs(sim, repo)
    assert run["conclusion"] == "success"


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
async def test_a_reply_posted_despite_a_502_is_posted_once(
    sim: Any, bot_app: Any, repo: Any, applied: bool
) -> None:
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    sim.fail("POST", COMMENTS, 502, applied=applied)

    await say(sim, bot_app, repo, pull.number, AUTHOR, "/rfc help")

    [reply] = bot_comments(sim, repo, pull.number)
    assert reply.startswith("`/rfc help`: Here is what I understand")


async def test_a_check_command_whose_run_and_reply_both_hit_applied_502s_writes_each_once(
    sim: Any, bot_app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    sim.fail("POST", CHECK_RUNS, 502, applied=True)
    sim.fail("POST", COMMENTS, 502, applied=True)

    await say(sim, bot_app, repo, pull.number, AUTHOR, "/rfc check")

    assert len(validation_runs(sim, repo)) == 1
    [reply] = bot_comments(sim, repo, pull.number)
    assert reply.startswith("`/rfc check`: Validation ran again")
