"""Where the check run's RFC texts come from, end to end: the listing's patch when its blob
sha proves it, the contents API otherwise; what either costs in GitHub calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.rfc.config.public import Config
from bot.rfc.lint import lint
from sandbox.demo import demo_file
from tests.e2e.helpers import BRANCH, PATH, open_pull, opened, seed_repo, send
from tests.e2e.helpers import operations as calls

GOOD = demo_file("fixed.md")
FLAWED = demo_file("flawed.md")
TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)
    return bot_app


@pytest.fixture
def repo(sim: Any) -> Any:
    return seed_repo(sim, {"rfcs/README.md": "# Index\n"})


def annotations(sim: Any, repo: Any, head: str) -> list[tuple[str, int]]:
    (run,) = [r for r in sim.check_runs(repo, head_sha=head) if r["name"] == "RFC validation"]
    return sorted((a["title"], a["start_line"]) for a in run["annotations"])


def expected(text: str, base: str | None = None) -> list[tuple[str, int]]:
    result = lint(PATH, text, Config(), base=base, today=TODAY.date())
    return sorted((d.rule, d.line) for d in result.diagnostics)


async def test_an_opened_pull_request_adding_an_rfc_costs_four_calls(
    sim: Any, app: Any, repo: Any
) -> None:
    """The files (the new RFC's text is its patch), the pull request read again, the check
    run, the labels: no contents request."""
    await opened(sim, app, repo, {"docs/warm.md": "warm the caches\n"}, head="warm-up")
    await opened(sim, app, repo, {"rfcs/0000-other.md": GOOD}, head="warm-labels")
    start = len(sim.requests)
    pull = await opened(sim, app, repo, {PATH: FLAWED})
    assert sorted(calls(sim, start)) == [
        "checks/create",
        "issues/add-labels",
        "pulls/get",
        "pulls/list-files",
    ]
    assert annotations(sim, repo, pull.head_sha) == expected(FLAWED)


async def test_when_the_base_moved_on_the_head_text_is_read(sim: Any, app: Any, repo: Any) -> None:
    """The listing's patch is against the merge base; the old text the App compares with is
    the base branch's now. When those differ the patch does not fit, and the head's text comes
    from the contents API: what is linted is still exactly the head's text."""
    sim.commit(repo, "main", {PATH: GOOD}, message="Add the RFC")
    edited = GOOD.replace("**Last Updated:** 2024-05-03", "**Last Updated:** 2024-06-01")
    pull = open_pull(sim, repo, {PATH: edited})
    base_now = GOOD.replace("Retry failed jobs", "Retry failed jobs (reworded)")
    assert base_now != GOOD
    sim.commit(repo, "main", {PATH: base_now}, message="Reword on main")
    start = len(sim.requests)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    reads = [r for r in sim.requests[start:] if r.operation_id == "repos/get-content"]
    assert sum(PATH in r.path for r in reads) == 2  # the base's text, then the head's
    assert annotations(sim, repo, pull.head_sha) == expected(edited, base_now)


async def test_a_push_that_leaves_the_rfc_alone_reads_no_text(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = await opened(sim, app, repo, {PATH: GOOD, "docs/notes.md": "notes\n"})
    sim.commit(repo, BRANCH, {"docs/notes.md": "more notes\n"}, message="Notes")
    head = sim.pull_request(repo, pull.number).current_head()
    start = len(sim.requests)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "synchronize"))
    assert sorted(calls(sim, start)) == ["checks/create", "pulls/get", "pulls/list-files"]
    assert annotations(sim, repo, head) == expected(GOOD)
