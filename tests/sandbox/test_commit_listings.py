"""A pull request's commits (full messages, author and committer, at most 250) and the
repository's commits filtered by a file or a directory path, time and author."""

from __future__ import annotations

import base64
from datetime import timedelta

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_pull_commits_are_the_heads_own_oldest_first(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}, title="First")
    message = "Second\n\nA body that says why.\n\nRFC-PR: #1"
    second = sim.commit(repo, "rfc/x", {"rfcs/0000-x.md": "# X2\n"}, message, author="bob")
    sim.commit(repo, "main", {"other.md": "moved on"})  # the base moves: not the PR's
    answer = await api.get(f"{REPO}/pulls/{pull.number}/commits")
    assert answer.status == 200
    assert [c["commit"]["message"] for c in answer.body] == ["First", message]
    last = answer.body[-1]
    assert last["sha"] == second
    assert last["commit"]["author"]["name"] == "bob"
    assert last["commit"]["committer"]["name"] == "bob"
    assert last["author"]["login"] == "bob" and last["author"]["type"] == "User"
    assert last["parents"][0]["sha"] == answer.body[0]["sha"]


async def test_commits_the_app_makes_are_authored_and_committed_by_its_bot(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    current = sim.tree(repo, "rfc/x")
    assert current["rfcs/0000-x.md"] == "# X\n"
    item = await api.get(f"{REPO}/contents/rfcs/0000-x.md?ref=rfc/x")
    await api(
        "PUT",
        f"{REPO}/contents/rfcs/0000-x.md",
        {
            "message": "Status: Proposed",
            "content": base64.b64encode(b"# X!\n").decode(),
            "sha": item.body["sha"],
            "branch": "rfc/x",
        },
    )
    await api(
        "PUT",
        f"{REPO}/contents/rfcs/other.md",
        {
            "message": "On behalf of mona",
            "content": base64.b64encode(b"x").decode(),
            "branch": "rfc/x",
            "author": {"name": "mona", "email": "mona@example.org"},
        },
    )
    commits = (await api.get(f"{REPO}/pulls/{pull.number}/commits")).body
    by_app, on_behalf = commits[-2], commits[-1]
    assert by_app["commit"]["author"]["name"] == sim.bot_login
    assert by_app["commit"]["committer"]["name"] == sim.bot_login
    assert by_app["author"]["type"] == "Bot" and by_app["committer"]["type"] == "Bot"
    assert on_behalf["commit"]["author"]["name"] == "mona"
    assert on_behalf["commit"]["committer"]["name"] == sim.bot_login


async def test_pull_commits_stop_at_250(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "0"}, title="commit 0")
    for n in range(1, 260):
        sim.commit(repo, "rfc/x", {"rfcs/0000-x.md": str(n)}, f"commit {n}")
    listed = []
    for page in (1, 2, 3, 4):
        answer = await api.get(f"{REPO}/pulls/{pull.number}/commits?per_page=100&page={page}")
        listed += [c["commit"]["message"] for c in answer.body]
    assert len(listed) == 250
    assert listed[0] == "commit 0" and listed[-1] == "commit 249"


async def test_merged_pull_keeps_its_commits(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}, title="Only")
    sim.merge_pull_request(repo, pull.number)
    answer = await api.get(f"{REPO}/pulls/{pull.number}/commits")
    assert [c["commit"]["message"] for c in answer.body] == ["Only"]


async def test_unknown_pull_has_no_commits(api: Api) -> None:
    assert (await api.get(f"{REPO}/pulls/9/commits")).status == 404


async def test_path_filter_takes_a_file_or_a_directory_prefix(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.commit(repo, "main", {"rfcs/0001-a.md": "a"}, "add a")
    sim.commit(repo, "main", {"rfcs/deep/0002-b.md": "b"}, "add b deep")
    sim.commit(repo, "main", {"rfcs-old/0003-c.md": "c"}, "sibling with a shared prefix")
    sim.commit(repo, "main", {"rfcs/0001-a.md": None}, "remove a")
    sim.commit(repo, "main", {"README.md": "changed"}, "readme")

    async def messages(path: str) -> list[str]:
        answer = await api.get(f"{REPO}/commits?path={path}")
        assert answer.status == 200
        return [c["commit"]["message"] for c in answer.body]

    assert await messages("rfcs/0001-a.md") == ["remove a", "add a"]
    assert await messages("rfcs") == ["remove a", "add b deep", "add a", "Initial commit"]
    assert await messages("rfcs/") == await messages("rfcs")
    assert await messages("rfcs/deep") == ["add b deep"]
    assert await messages("rfcs-old") == ["sibling with a shared prefix"]
    assert await messages("nowhere") == []


async def test_history_from_a_branch_with_since_until_and_author(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    start = sim.clock.freeze()
    sim.clock.advance(600)
    sim.commit(repo, "rfc/x", {"rfcs/a.md": "1"}, "ten minutes", author="bob")
    sim.clock.advance(600)
    sim.commit(repo, "rfc/x", {"rfcs/a.md": "2"}, "twenty minutes", author="carol")

    def stamp(seconds: int) -> str:
        return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def messages(query: str) -> list[str]:
        answer = await api.get(f"{REPO}/commits?sha=rfc/x&{query}")
        assert answer.status == 200, answer.body
        return [c["commit"]["message"] for c in answer.body]

    assert await messages("per_page=100") == ["twenty minutes", "ten minutes", "Initial commit"]
    assert await messages(f"since={stamp(600)}") == ["twenty minutes", "ten minutes"]
    assert await messages(f"since={stamp(601)}") == ["twenty minutes"]
    assert await messages(f"until={stamp(599)}") == ["Initial commit"]
    assert await messages(f"since={stamp(1)}&until={stamp(1199)}") == ["ten minutes"]
    assert await messages("author=Carol") == ["twenty minutes"]
    assert await messages("committer=bob") == ["ten minutes"]
    assert (await api.get(f"{REPO}/commits?since=yesterday")).status == 422
