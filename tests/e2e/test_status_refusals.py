"""`/rfc` commands that cannot do what was asked: each leaves the branch alone and says why."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import BRANCH, PATH, rfc, send
from tests.e2e.helpers import bot_comments as replies
from tests.e2e.status_helpers import app, on_branch, open_pull, repo, say

__all__ = ["app", "repo"]  # fixtures from status_helpers


async def test_edit_that_left_the_body_alone_runs_nothing(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    event = sim.event_issue_comment(repo, pull.number, comment, action="edited", changes={})
    await send(app, "issue_comment", event)

    assert sim.head(repo, BRANCH) == pull.head_sha
    assert replies(sim, repo, pull.number) == []


async def test_branch_moving_twice_gives_up_politely(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    pushes = iter(range(2))

    def push_first(simulator: Any) -> None:
        text = rfc() + f"\nPush {next(pushes)} while the bot was working.\n"
        simulator.commit(repo, BRANCH, files={PATH: text}, message="more", author="alice")

    sim.before("PUT", r"/contents/", push_first, times=2)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert "**Status:** Draft  " in (on_branch(sim, repo) or "")
    assert "Push 1 while the bot was working." in (on_branch(sim, repo) or "")
    [reply] = replies(sim, repo, pull.number)
    assert reply == (
        f"`/rfc status proposed`: `{PATH}` changed on `{BRANCH}` twice while I was updating it, "
        "so I left it alone. Please run the command again."
    )


async def test_refused_write_gets_the_lines_to_change(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    sim.fail("PUT", r"/contents/", 422, body={"message": "Repository rule violations found"})
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert on_branch(sim, repo) == rfc()
    [reply] = replies(sim, repo, pull.number)
    assert "GitHub refused my commit to the pull request's branch" in reply
    assert "-**Status:** Draft  \n+**Status:** Proposed  \n" in reply


async def test_pull_request_without_rfcs(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {"README.md": "# RFCs, reworded\n"})
    comment = await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    [reply] = replies(sim, repo, pull.number)
    assert reply == ("`/rfc status proposed`: This pull request changes no RFC file under `rfcs/`.")
    assert sim.reactions(repo, comment["id"]) == []


async def test_rfc_deleted_while_the_command_ran(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)

    def delete_it(simulator: Any) -> None:
        simulator.commit(repo, BRANCH, files={PATH: None}, message="drop", author="alice")

    sim.before("GET", r"/contents/rfcs/", delete_it)
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    [reply] = replies(sim, repo, pull.number)
    assert reply == (
        f"`/rfc status proposed`: `{PATH}` is not on the pull request's branch any more."
    )


async def test_rfc_that_is_not_utf8(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: rfc().encode("utf-16")})  # type: ignore[dict-item]
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    assert sim.head(repo, BRANCH) == pull.head_sha
    [reply] = replies(sim, repo, pull.number)
    assert reply == (
        f"`/rfc status proposed`: `{PATH}` is not UTF-8 text, so I can't edit its status."
    )


async def test_unknown_or_missing_status_must_be_fixed_by_hand(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo, {PATH: rfc(status="Pending")})
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")
    missing = rfc().replace("**Status:** Draft  \n", "")
    sim.commit(repo, BRANCH, files={PATH: missing}, message="drop status", author="alice")
    await say(sim, app, repo, pull.number, "alice", "/rfc status proposed")

    unknown, absent = replies(sim, repo, pull.number)
    choices = "**Draft**, **Proposed**, **Final**, **Deprecated**"
    assert unknown == (
        f"`/rfc status proposed`: The **Status:** line of `{PATH}` reads `Pending`; it must be "
        f"one of {choices}. Please fix it by hand first."
    )
    assert absent.startswith(f"`/rfc status proposed`: The **Status:** line of `{PATH}` is missing")
