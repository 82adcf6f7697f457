"""Pull requests of every shape a user can open: head = the default branch, forks with
and without "allow edits by maintainers"."""

from __future__ import annotations

import base64

import pytest

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_default_branch_as_head_into_an_older_branch(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_branch(repo, "old")
    sim.commit(repo, "main", {"rfcs/0001-a.md": "# A\n"}, "add A", author="mona")
    pull = sim.open_pull_request(repo, "main", base="old", author="eve", title="sneaky")
    answer = await api.get(f"{REPO}/pulls/{pull.number}")
    assert (answer.body["head"]["ref"], answer.body["base"]["ref"]) == ("main", "old")
    assert answer.body["head"]["repo"]["full_name"] == "octo-org/rfcs"
    assert answer.body["user"]["login"] == "eve"
    files = await api.get(f"{REPO}/pulls/{pull.number}/files")
    assert [(f["filename"], f["status"]) for f in files.body] == [("rfcs/0001-a.md", "added")]
    commits = await api.get(f"{REPO}/pulls/{pull.number}/commits")
    # The commits on main are mona's, though eve opened the pull request.
    assert [c["author"]["login"] for c in commits.body] == ["mona"]
    # Pushing to main moves the PR's head, as pushes to any head branch do.
    moved = sim.commit(repo, "main", {"rfcs/0002-b.md": "# B\n"}, "add B")
    assert (await api.get(f"{REPO}/pulls/{pull.number}")).body["head"]["sha"] == moved


def test_head_and_base_must_differ(sim: Simulator, repo: Repo) -> None:
    with pytest.raises(ValueError, match="no commits between"):
        sim.open_pull_request(repo, "main")
    with pytest.raises(ValueError, match="already exists"):
        sim.create_branch(repo, "main")


async def test_fork_pull_without_maintainer_edits(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"}, author="eve", fork=True)
    answer = await api.get(f"{REPO}/pulls/{pull.number}")
    assert answer.body["head"]["repo"]["full_name"] == "eve/rfcs"
    assert answer.body["head"]["repo"]["fork"] is True
    assert answer.body["head"]["label"] == "eve:rfc/x"
    assert answer.body["maintainer_can_modify"] is False
    item = await api.get("/repos/eve/rfcs/contents/rfcs/x.md?ref=rfc/x")
    refused = await api(
        "PUT",
        "/repos/eve/rfcs/contents/rfcs/x.md",
        {"message": "m", "content": "eQ==", "sha": item.body["sha"], "branch": "rfc/x"},
    )
    assert (refused.status, refused.message) == (403, "Resource not accessible by integration")


async def test_fork_pull_with_maintainer_edits(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(
        repo, "rfc/x", {"rfcs/x.md": "x"}, author="eve", fork=True, maintainer_can_modify=True
    )
    assert (await api.get(f"{REPO}/pulls/{pull.number}")).body["maintainer_can_modify"] is True
    item = await api.get("/repos/eve/rfcs/contents/rfcs/x.md?ref=rfc/x")
    written = await api(
        "PUT",
        "/repos/eve/rfcs/contents/rfcs/x.md",
        {
            "message": "m",
            "content": base64.b64encode(b"y").decode(),
            "sha": item.body["sha"],
            "branch": "rfc/x",
        },
    )
    assert written.status == 200
    assert sim.file("eve/rfcs", "rfcs/x.md", ref="rfc/x") == "y"
    # Only the PR's own head branch is open to the App, not the fork's other branches.
    other = await api(
        "PUT",
        "/repos/eve/rfcs/contents/rfcs/x.md",
        {"message": "m", "content": "eQ==", "branch": "main"},
    )
    assert other.status == 403


async def test_same_repository_pull_says_maintainers_cannot_modify(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"})
    assert (await api.get(f"{REPO}/pulls/{pull.number}")).body["maintainer_can_modify"] is False
