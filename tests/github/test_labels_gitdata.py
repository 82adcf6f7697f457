"""Label syncing and the Git Data calls against the simulator: what GitHub ends up holding."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from gidgethub import BadRequest, GitHubBroken

from bot.github import gitdata, labels
from bot.policy import labels as policy_labels
from bot.rfc.config.public import Config
from bot.values import Pull
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI

RFC = "rfcs/0000-x.md"
NAME = "octo-org/rfcs"


# ------------------------------------------------------------------ labels


def test_numbered_and_unknown_labels_have_plain_styles() -> None:
    config = Config()
    assert policy_labels.label_style(config, config.labels.numbered) == (
        "0e8a16",
        "RFC number assigned on merge",
    )
    assert policy_labels.label_style(config, "app: anything") == (
        "1d76db",
        "RFC targets the anything application",
    )
    assert policy_labels.label_style(config, "bug") == (policy_labels.GITHUB_DEFAULT_COLOR, "")


async def _pull(gh: VersionedGitHubAPI, number: int) -> Pull:
    return Pull.from_json(await gh.getitem(f"/repos/{NAME}/pulls/{number}"))


async def test_sync_adds_with_style_and_removes_only_owned(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    await gh.post(
        f"/repos/{NAME}/issues/{pr.number}/labels", data={"labels": ["rfc: draft", "bug"]}
    )
    pull = await _pull(gh, pr.number)
    await labels.sync_labels(gh, pull, Config(), ["rfc", "rfc: proposed"], {})
    assert sorted(sim.pr_labels(repo, pr.number)) == ["bug", "rfc", "rfc: proposed"]
    assert sim.repo_labels(repo)["rfc: proposed"]["color"] == "fbca04"


async def test_a_label_the_app_does_not_style_gets_githubs_default(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    await labels.sync_labels(gh, await _pull(gh, pr.number), Config(), ["triaged"], {})
    assert sim.pr_labels(repo, pr.number) == ["triaged"]
    assert sim.repo_labels(repo)["triaged"] == {"color": "ededed", "description": ""}


async def test_known_labels_skip_creation(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    known: labels.KnownLabels = {}
    pull = await _pull(gh, pr.number)
    for _ in range(2):
        await labels.sync_labels(gh, pull, Config(), ["rfc"], known)
    creations = [r for r in sim.requests if r.operation_id == "issues/create-label"]
    assert len(creations) == 1
    assert known == {(NAME, "rfc"): True}


async def test_existing_label_is_left_as_it_is(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    await gh.post(f"/repos/{NAME}/labels", data={"name": "RFC", "color": "000000"})
    await labels.ensure_label(gh, NAME, "rfc", "5319e7", "Adds or changes an RFC")
    assert sim.repo_labels(repo) == {"RFC": {"color": "000000", "description": None}}


async def test_other_label_errors_propagate(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    with pytest.raises(BadRequest) as invalid:
        await labels.ensure_label(gh, NAME, "rfc", "not-a-colour", "")
    assert invalid.value.status_code == 422
    sim.fail("POST", r"/labels$", 422, body={"message": "Label already_exists"})
    await labels.ensure_label(gh, NAME, "rfc", "5319e7", "")  # told only in the message: fine
    sim.fail("POST", r"/labels$", 403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(BadRequest) as refused:
        await labels.ensure_label(gh, NAME, "rfc", "5319e7", "")
    assert refused.value.status_code == 403


async def test_removing_a_label_already_gone_is_fine(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI, caplog: pytest.LogCaptureFixture
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    stale = replace(await _pull(gh, pr.number), labels=("rfc: draft",))
    with caplog.at_level(logging.INFO, logger="bot.github.labels"):
        await labels.sync_labels(gh, stale, Config(), [], {})
    assert f"label 'rfc: draft' was already removed from {NAME}#{pr.number}" in caplog.text
    labelled = replace(stale, labels=("rfc",))
    sim.fail("DELETE", r"/labels/", 403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(BadRequest) as refused:
        await labels.sync_labels(gh, labelled, Config(), [], {})
    assert refused.value.status_code == 403
    sim.fail("DELETE", r"/labels/", 502)
    with pytest.raises(GitHubBroken):
        await labels.sync_labels(gh, labelled, Config(), [], {})


# ------------------------------------------------------------------ git data


async def test_directory_walk(sim: Simulator, repo: Repo, gh: VersionedGitHubAPI) -> None:
    sim.commit(repo, "main", {"docs/rfcs/0001-a.md": "a", "docs/rfcs/img/x.svg": "<svg/>"})
    head = await gitdata.get_branch_head(gh, NAME, "main")
    root = await gitdata.get_commit_tree(gh, NAME, head)
    listing = await gitdata.get_directory(gh, NAME, root, "/docs/rfcs/")
    assert listing is not None
    assert [(e.path, e.type) for e in listing] == [
        ("docs/rfcs/0001-a.md", "blob"),
        ("docs/rfcs/img", "tree"),
    ]
    top = await gitdata.get_directory(gh, NAME, root, "")
    assert top is not None
    assert [e.path for e in top] == ["README.md", "docs", "rfcs"]
    assert await gitdata.get_directory(gh, NAME, root, "docs/missing") is None
    assert await gitdata.get_directory(gh, NAME, root, "README.md") is None


async def test_truncated_tree_is_refused(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.fail("GET", r"/git/trees/", 200, body={"sha": "t", "tree": [], "truncated": True})
    with pytest.raises(RuntimeError, match="too large to list in one request"):
        await gitdata.get_tree(gh, NAME, "t", recursive=True)


async def test_commit_chain_fast_forwards_and_keeps_modes(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    head = await gitdata.get_branch_head(gh, NAME, "main")
    root = await gitdata.get_commit_tree(gh, NAME, head)
    blob = await gitdata.create_blob(gh, NAME, b"line\r\n")
    tree = await gitdata.create_tree(
        gh, NAME, root, {"run.sh": blob, "README.md": None}, {"run.sh": "100755"}
    )
    commit = await gitdata.create_commit(gh, NAME, "chore: script", tree, [head])
    await gitdata.update_branch(gh, NAME, "main", commit)
    assert sim.tree(repo) == {"rfcs/README.md": "# Index\n", "run.sh": "line\r\n"}
    trees = [r for r in sim.requests if r.operation_id == "git/create-tree"]
    assert trees[0].json["tree"][1]["mode"] == "100755"


async def test_moved_branch_is_not_fast_forward(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    head = await gitdata.get_branch_head(gh, NAME, "main")
    root = await gitdata.get_commit_tree(gh, NAME, head)
    commit = await gitdata.create_commit(gh, NAME, "late", root, [head])
    sim.commit(repo, "main", {"raced.md": "x"})
    with pytest.raises(gitdata.NotFastForward):
        await gitdata.update_branch(gh, NAME, "main", commit)


async def test_ref_update_refusals(sim: Simulator, repo: Repo, gh: VersionedGitHubAPI) -> None:
    head = await gitdata.get_branch_head(gh, NAME, "main")
    root = await gitdata.get_commit_tree(gh, NAME, head)
    commit = await gitdata.create_commit(gh, NAME, "m", root, [head])
    sim.protect_branch(repo, "main")
    with pytest.raises(gitdata.RefUpdateRefused) as protected:
        await gitdata.update_branch(gh, NAME, "main", commit)
    assert (protected.value.branch, protected.value.status) == ("main", 422)
    assert str(protected.value) == (
        "update of main refused (422): Protected branch update failed for refs/heads/main."
    )
    sim.fail("PATCH", r"/git/refs/", 404, body={"message": "Not Found"})
    with pytest.raises(BadRequest) as missing:
        await gitdata.update_branch(gh, NAME, "main", commit)
    assert missing.value.status_code == 404


async def test_list_commits_with_and_without_path(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.commit(repo, "main", {RFC: "# X\n"}, message="add x")
    sim.commit(repo, "main", {"other.md": "o"}, message="other")
    touching = await gitdata.list_commits(gh, NAME, "main", RFC, limit=500)
    assert [c["commit"]["message"] for c in touching] == ["add x"]
    everything = await gitdata.list_commits(gh, NAME, "main", "", limit=2)
    assert [c["commit"]["message"] for c in everything] == ["other", "add x"]
    query = [r.query for r in sim.requests if r.operation_id == "repos/list-commits"]
    assert query[0]["per_page"] == "100"
    assert "path" not in query[1]
