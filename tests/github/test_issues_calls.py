"""The comment calls against the simulator: a pull request's comments since a moment, each
with its count of +1s; which App a bot user is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.github.issues import app_of_bot, thread_since
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI


async def test_comments_since_a_moment_with_their_plus_ones(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    number = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}).number
    sim.clock.freeze()
    old = sim.add_comment(repo, number, "mona", "long ago")
    sim.clock.advance(timedelta(minutes=5))
    command = sim.add_comment(repo, number, "alice", "/rfc check")
    sim.add_reaction(repo, command["id"], "eve", "+1")
    sim.add_reaction(repo, command["id"], "eve", "heart")
    since = sim.clock.now()
    sim.clock.advance(timedelta(seconds=1))
    reply = await gh.post(f"/repos/{repo.full_name}/issues/{number}/comments",
                          data={"body": "answer"})  # fmt: skip

    thread = await thread_since(gh, repo.full_name, number, since)
    assert [(item.comment.id, item.plus_ones) for item in thread] == [
        (command["id"], 1),
        (reply["id"], 0),
    ]
    assert thread[1].comment.app_id == int(sim.app_id)
    everything = await thread_since(gh, repo.full_name, number, None)
    assert [item.comment.id for item in everything] == [old["id"], command["id"], reply["id"]]


async def test_a_comment_written_in_the_same_second_is_listed(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    """GitHub's times are whole seconds: the listing asks from the second before."""
    number = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}).number
    sim.clock.freeze(datetime(2024, 6, 12, 9, 30, tzinfo=UTC))
    command = sim.add_comment(repo, number, "alice", "/rfc check")
    since = sim.clock.now() + timedelta(milliseconds=900)
    [item] = await thread_since(gh, repo.full_name, number, since)
    assert item.comment.id == command["id"]


async def test_which_app_a_bot_user_is(sim: Simulator, repo: Repo, gh: VersionedGitHubAPI) -> None:
    ci = sim.register_app("ci")
    assert await app_of_bot(gh, "rfc-bot[bot]") == int(sim.app_id)
    assert await app_of_bot(gh, "ci[bot]") == ci
    assert await app_of_bot(gh, "gone[bot]") is None  # 404: no such App
    before = len(sim.requests)
    assert await app_of_bot(gh, "rfc-bot") is None  # a person's login: not asked
    assert await app_of_bot(gh, "[bot]") is None
    assert len(sim.requests) == before
