"""The simulator answers like GitHub: auth, git data, contents, checks, labels, faults."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest
from gidgethub import BadRequest, GitHubBroken
from gidgethub.aiohttp import GitHubAPI

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI, app_jwt

RFC = "rfcs/0000-x.md"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def annotation(line: int) -> dict[str, Any]:
    return {
        "path": RFC,
        "start_line": line,
        "end_line": line,
        "annotation_level": "warning",
        "message": f"line {line}",
    }


# ------------------------------------------------------------------ auth


async def test_app_jwt_is_verified(sim: Simulator, session: aiohttp.ClientSession) -> None:
    app = VersionedGitHubAPI(session, "t", base_url=sim.base_url)
    assert (await app.getitem("/app", jwt=app_jwt(sim)))["id"] == int(sim.app_id)
    for bad in (app_jwt(sim, lifetime=900), app_jwt(sim, issuer="999"), "not-a-jwt"):
        with pytest.raises(BadRequest) as caught:
            await app.getitem("/app", jwt=bad)
        assert caught.value.status_code == 401
    assert sim.violations == []


async def test_token_is_required_and_checked(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession, gh: VersionedGitHubAPI
) -> None:
    assert (await gh.getitem("/repos/octo-org/rfcs"))["default_branch"] == "main"
    stranger = VersionedGitHubAPI(session, "t", oauth_token="ghs_forged", base_url=sim.base_url)
    with pytest.raises(BadRequest) as caught:
        await stranger.getitem("/repos/octo-org/rfcs")
    assert caught.value.status_code == 401
    assert str(caught.value) == "Bad credentials"
    sim.expire_tokens()
    with pytest.raises(BadRequest) as expired:
        await gh.getitem("/repos/octo-org/rfcs")
    assert expired.value.status_code == 401


async def test_token_response_has_expiry(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    app = VersionedGitHubAPI(session, "t", base_url=sim.base_url)
    issued = await app.post(
        f"/app/installations/{repo.installation_id}/access_tokens", data=b"", jwt=app_jwt(sim)
    )
    assert issued["token"].startswith("ghs_")
    assert issued["expires_at"].endswith("Z")


async def test_missing_api_version_header_is_a_violation(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    plain = GitHubAPI(session, "t", base_url=sim.base_url)
    await plain.getitem("/app", jwt=app_jwt(sim))
    assert sim.violations == ["GET /app: no X-GitHub-Api-Version header"]


# ------------------------------------------------------------------ contents


async def test_contents_put_requires_current_sha(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    item = await gh.getitem(f"/repos/octo-org/rfcs/contents/{RFC}{{?ref}}", {"ref": "rfc/x"})
    assert base64.b64decode(item["content"]).decode() == "# X\n"
    stale = {"message": "m", "content": b64("# Y\n"), "branch": "rfc/x", "sha": "0" * 40}
    with pytest.raises(BadRequest) as caught:
        await gh.put(f"/repos/octo-org/rfcs/contents/{RFC}", data=stale)
    assert caught.value.status_code == 409
    assert str(caught.value) == f"{RFC} does not match {'0' * 40}"
    written = await gh.put(
        f"/repos/octo-org/rfcs/contents/{RFC}", data={**stale, "sha": item["sha"]}
    )
    assert written["commit"]["parents"][0]["sha"] == pr.head_sha
    assert sim.file(repo, RFC, ref="rfc/x") == "# Y\n"
    assert sim.pull_request(repo, pr.number).current_head() == written["commit"]["sha"]
    assert sim.violations == []


async def test_contents_missing_file_is_404(repo: Repo, gh: VersionedGitHubAPI) -> None:
    with pytest.raises(BadRequest) as caught:
        await gh.getitem("/repos/octo-org/rfcs/contents/rfcs/nope.md")
    assert caught.value.status_code == 404


async def test_directory_listing(repo: Repo, gh: VersionedGitHubAPI) -> None:
    listing = await gh.getitem("/repos/octo-org/rfcs/contents/rfcs")
    assert [(e["name"], e["type"]) for e in listing] == [("README.md", "file")]


async def test_protected_branch_refuses_writes(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.protect_branch(repo, "main")
    readme = await gh.getitem("/repos/octo-org/rfcs/contents/README.md")
    with pytest.raises(BadRequest) as contents:
        await gh.put(
            "/repos/octo-org/rfcs/contents/README.md",
            data={"message": "m", "content": b64("x"), "sha": readme["sha"]},
        )
    assert contents.value.status_code == 409
    refusal = "Could not update file: Changes must be made through a pull request."
    assert str(contents.value) == refusal
    head = sim.head(repo, "main")
    commit = await gh.post(
        "/repos/octo-org/rfcs/git/commits",
        data={
            "message": "m",
            "tree": (await gh.getitem(f"/repos/octo-org/rfcs/git/commits/{head}"))["tree"]["sha"],
            "parents": [head],
        },
    )
    with pytest.raises(BadRequest) as ref:
        await gh.patch(
            "/repos/octo-org/rfcs/git/refs/heads/main", data={"sha": commit["sha"], "force": False}
        )
    assert ref.value.status_code == 422
    assert str(ref.value) == "Protected branch update failed for refs/heads/main."
    assert sim.head(repo, "main") == head


async def test_fork_head_is_not_writable(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="eve")
    sim.make_fork_pr(repo, pr.number)
    pull = await gh.getitem(f"/repos/octo-org/rfcs/pulls/{pr.number}")
    assert pull["head"]["repo"]["full_name"] == "eve/rfcs"
    item = await gh.getitem(f"/repos/eve/rfcs/contents/{RFC}{{?ref}}", {"ref": "rfc/x"})
    with pytest.raises(BadRequest) as caught:
        await gh.put(
            f"/repos/eve/rfcs/contents/{RFC}",
            data={"message": "m", "content": b64("y"), "branch": "rfc/x", "sha": item["sha"]},
        )
    assert caught.value.status_code == 403
    assert str(caught.value) == "Resource not accessible by integration"
    sim.make_fork_pr(repo, pr.number, maintainer_can_modify=True)
    await gh.put(
        f"/repos/eve/rfcs/contents/{RFC}",
        data={"message": "m", "content": b64("y"), "branch": "rfc/x", "sha": item["sha"]},
    )
    assert sim.file("eve/rfcs", RFC, ref="rfc/x") == "y"


# ------------------------------------------------------------------ git data


async def test_ref_update_must_fast_forward(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    old = sim.head(repo, "main")
    sim.commit(repo, "main", {"a.md": "a"}, message="moved on")
    blob = await gh.post(
        "/repos/octo-org/rfcs/git/blobs", data={"content": b64("b"), "encoding": "base64"}
    )
    base_tree = (await gh.getitem(f"/repos/octo-org/rfcs/git/commits/{old}"))["tree"]["sha"]
    tree = await gh.post(
        "/repos/octo-org/rfcs/git/trees",
        data={
            "base_tree": base_tree,
            "tree": [{"path": "b.md", "mode": "100644", "type": "blob", "sha": blob["sha"]}],
        },
    )
    commit = await gh.post(
        "/repos/octo-org/rfcs/git/commits",
        data={"message": "stale parent", "tree": tree["sha"], "parents": [old]},
    )
    with pytest.raises(BadRequest) as caught:
        await gh.patch(
            "/repos/octo-org/rfcs/git/refs/heads/main", data={"sha": commit["sha"], "force": False}
        )
    assert caught.value.status_code == 422
    assert str(caught.value) == "Update is not a fast forward"
    await gh.patch(
        "/repos/octo-org/rfcs/git/refs/heads/main", data={"sha": commit["sha"], "force": True}
    )
    assert sim.tree(repo) == {"README.md": "# RFCs\n", "rfcs/README.md": "# Index\n", "b.md": "b"}
    assert sim.commit_message(repo, sim.head(repo, "main")) == "stale parent"
    assert sim.violations == []


async def test_tree_listing_recursive(repo: Repo, gh: VersionedGitHubAPI) -> None:
    listing = await gh.getitem(
        "/repos/octo-org/rfcs/git/trees/main{?recursive}", {"recursive": "1"}
    )
    assert [(e["path"], e["type"]) for e in listing["tree"]] == [
        ("README.md", "blob"),
        ("rfcs", "tree"),
        ("rfcs/README.md", "blob"),
    ]


async def test_commit_history_filters_by_path(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.commit(repo, "main", {"rfcs/0001-a.md": "a"}, message="add a")
    sim.commit(repo, "main", {"other.md": "o"}, message="other")
    commits = await gh.getitem(
        "/repos/octo-org/rfcs/commits{?sha,path,per_page}",
        {"sha": "main", "path": "rfcs/0001-a.md", "per_page": 5},
    )
    assert [c["commit"]["message"] for c in commits] == ["add a"]
    single = await gh.getitem(f"/repos/octo-org/rfcs/commits/{commits[0]['sha']}")
    assert [(f["filename"], f["status"]) for f in single["files"]] == [("rfcs/0001-a.md", "added")]


# ------------------------------------------------------------------ pulls


async def test_pull_files_report_renames_and_paginate(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.commit(repo, "main", {"rfcs/0000-old.md": "# Old\n\nsame body\n"})
    files = {f"rfcs/0000-n{i:02}.md": f"# N{i}\n" for i in range(35)}
    files["rfcs/0000-old.md"] = None
    files["rfcs/0000-new.md"] = "# Old\n\nsame body\n"
    pr = sim.open_pull_request(repo, "rfc/many", files)
    listed = [
        f
        async for f in gh.getiter(
            f"/repos/octo-org/rfcs/pulls/{pr.number}/files{{?per_page}}", {"per_page": 10}
        )
    ]
    assert len(listed) == 36
    renamed = [f for f in listed if f["status"] == "renamed"]
    assert [(f["previous_filename"], f["filename"]) for f in renamed] == [
        ("rfcs/0000-old.md", "rfcs/0000-new.md")
    ]
    pages = [r for r in sim.requests if r.operation_id == "pulls/list-files"]
    assert len(pages) == 4
    assert sim.violations == []


async def test_merge_applies_changes_to_base(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, title="RFC: X")
    sha = sim.merge_pull_request(repo, pr.number, merged_by="mona")
    assert sim.head(repo, "main") == sha
    assert sim.file(repo, RFC) == "# X\n"
    pull = await gh.getitem(f"/repos/octo-org/rfcs/pulls/{pr.number}")
    assert (pull["state"], pull["merged"], pull["merge_commit_sha"]) == ("closed", True, sha)
    files = [f async for f in gh.getiter(f"/repos/octo-org/rfcs/pulls/{pr.number}/files")]
    assert [f["filename"] for f in files] == [RFC]


# ------------------------------------------------------------------ checks


async def test_check_runs_accumulate_annotations(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    output = {"title": "t", "summary": "s", "annotations": [annotation(i) for i in range(50)]}
    run = await gh.post(
        "/repos/octo-org/rfcs/check-runs",
        data={"name": "RFC", "head_sha": pr.head_sha, "status": "in_progress", "output": output},
    )
    assert run["status"] == "in_progress"
    done = await gh.patch(
        f"/repos/octo-org/rfcs/check-runs/{run['id']}",
        data={"conclusion": "failure", "output": {**output, "annotations": [annotation(99)]}},
    )
    assert (done["status"], done["conclusion"]) == ("completed", "failure")
    assert done["completed_at"] is not None
    assert done["output"]["annotations_count"] == 51
    stored = sim.check_runs(repo, head_sha=pr.head_sha)
    assert len(stored[0]["annotations"]) == 51
    listed = [
        a async for a in gh.getiter(f"/repos/octo-org/rfcs/check-runs/{run['id']}/annotations")
    ]
    assert len(listed) == 51
    for_ref = await gh.getitem(f"/repos/octo-org/rfcs/commits/{pr.head_sha}/check-runs")
    assert for_ref["total_count"] == 1
    assert for_ref["check_runs"][0]["check_suite"]["id"] == stored[0]["check_suite"]["id"]
    assert sim.violations == []


async def test_more_than_50_annotations_is_422(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    output = {"title": "t", "summary": "s", "annotations": [annotation(i) for i in range(51)]}
    with pytest.raises(BadRequest) as caught:
        await gh.post(
            "/repos/octo-org/rfcs/check-runs",
            data={"name": "RFC", "head_sha": pr.head_sha, "output": output},
        )
    assert caught.value.status_code == 422
    assert sim.check_runs(repo) == []
    assert len(sim.violations) == 1


# ------------------------------------------------------------------ labels, comments


async def test_label_semantics(sim: Simulator, repo: Repo, gh: VersionedGitHubAPI) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    await gh.post("/repos/octo-org/rfcs/labels", data={"name": "rfc", "color": "0e8a16"})
    with pytest.raises(BadRequest) as exists:
        await gh.post("/repos/octo-org/rfcs/labels", data={"name": "RFC", "color": "0e8a16"})
    assert exists.value.status_code == 422
    assert exists.value.errors == [{"resource": "Label", "code": "already_exists", "field": "name"}]
    on_issue = await gh.post(
        f"/repos/octo-org/rfcs/issues/{pr.number}/labels", data={"labels": ["rfc", "rfc: draft"]}
    )
    assert [label["name"] for label in on_issue] == ["rfc", "rfc: draft"]
    assert sim.repo_labels(repo)["rfc: draft"]["color"] == "ededed"
    await gh.delete(f"/repos/octo-org/rfcs/issues/{pr.number}/labels/rfc%3A%20draft")
    assert sim.pr_labels(repo, pr.number) == ["rfc"]
    with pytest.raises(BadRequest) as missing:
        await gh.delete(f"/repos/octo-org/rfcs/issues/{pr.number}/labels/nope")
    assert missing.value.status_code == 404
    assert sim.violations == []


async def test_comments_reactions_and_permissions(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    sim.set_permission(repo, "mona", "maintain")
    said = sim.add_comment(repo, pr.number, "mona", "/rfc status proposed")
    await gh.post(
        f"/repos/octo-org/rfcs/issues/comments/{said['id']}/reactions", data={"content": "+1"}
    )
    reply = await gh.post(
        f"/repos/octo-org/rfcs/issues/{pr.number}/comments", data={"body": "done"}
    )
    await gh.patch(f"/repos/octo-org/rfcs/issues/comments/{reply['id']}", data={"body": "done!"})
    assert sim.reactions(repo, said["id"]) == ["+1"]
    assert [(c["user"]["login"], c["body"]) for c in sim.comments(repo, pr.number)] == [
        ("mona", "/rfc status proposed"),
        (sim.bot_login, "done!"),
    ]
    mona = await gh.getitem("/repos/octo-org/rfcs/collaborators/mona/permission")
    assert (mona["permission"], mona["role_name"]) == ("write", "maintain")
    nobody = await gh.getitem("/repos/octo-org/rfcs/collaborators/nobody/permission")
    assert nobody["role_name"] == "read"
    sim.add_team_member("octo-org", "rfc-editors", "mona")
    member = await gh.getitem("/orgs/octo-org/teams/rfc-editors/memberships/mona")
    assert member["state"] == "active"
    with pytest.raises(BadRequest):
        await gh.getitem("/orgs/octo-org/teams/rfc-editors/memberships/eve")
    assert sim.violations == []


# ------------------------------------------------------------------ faults


async def test_injected_failures_count_down(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    sim.fail("GET", r"^/repos/octo-org/rfcs$", 502, times=2)
    for _ in range(2):
        with pytest.raises(GitHubBroken):
            await gh.getitem("/repos/octo-org/rfcs")
    assert (await gh.getitem("/repos/octo-org/rfcs"))["name"] == "rfcs"


async def test_secondary_rate_limit(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession, gh: VersionedGitHubAPI
) -> None:
    sim.fail("GET", r"/pulls$", 403, headers={"Retry-After": "1"})
    async with session.get(
        f"{sim.base_url}/repos/octo-org/rfcs/pulls",
        headers={"Authorization": f"token {gh.oauth_token}", "X-GitHub-Api-Version": "2022-11-28"},
    ) as response:
        body = await response.json()
        assert response.status == 403
        assert response.headers["Retry-After"] == "1"
        assert response.headers["X-RateLimit-Limit"] == "5000"
    assert body["message"].startswith("You have exceeded a secondary rate limit")


async def test_before_callback_runs_first(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    moved: list[str] = []

    def move_main(simulator: Simulator) -> None:
        moved.append(simulator.commit(repo, "main", {"late.md": "x"}))

    sim.before("GET", r"/git/ref/heads/main$", move_main)
    ref = await gh.getitem("/repos/octo-org/rfcs/git/ref/heads/main")
    assert ref["object"]["sha"] == moved[0]
    await gh.getitem("/repos/octo-org/rfcs/git/ref/heads/main")
    assert len(moved) == 1


async def test_rate_limit_headers_count_down(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    await gh.getitem("/repos/octo-org/rfcs")
    first = gh.rate_limit.remaining if gh.rate_limit else None
    await gh.getitem("/repos/octo-org/rfcs")
    assert gh.rate_limit is not None
    assert first is not None
    assert gh.rate_limit.remaining == first - 1


# ------------------------------------------------------------------ test-facing setup API


def test_setup_api_refuses_impossible_states(sim: Simulator, repo: Repo) -> None:
    with pytest.raises(ValueError, match="already exists"):
        sim.create_repo("Octo-Org/RFCs")
    with pytest.raises(ValueError, match="does not exist"):
        sim.open_pull_request(repo, "rfc/never-pushed")
    with pytest.raises(ValueError, match="permission must be one of"):
        sim.set_permission(repo, "mona", "owner")
    with pytest.raises(KeyError, match="no repository"):
        sim.head("octo-org/missing", "main")
    with pytest.raises(KeyError, match="no pull request #7"):
        sim.pull_request(repo, 7)
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    sim.merge_pull_request(repo, pr.number)
    with pytest.raises(ValueError, match="is not open"):
        sim.merge_pull_request(repo, pr.number)


def test_merge_applies_renames_and_removals(sim: Simulator, repo: Repo) -> None:
    sim.commit(repo, "main", {"rfcs/0000-old.md": "# Old\n\nthe same long body\n"})
    pr = sim.open_pull_request(
        repo,
        "rfc/rename",
        {
            "rfcs/0000-old.md": None,
            "rfcs/0000-new.md": "# Old\n\nthe same long body\n",
            "README.md": None,
        },
    )
    sim.merge_pull_request(repo, pr.number)
    assert sim.tree(repo) == {
        "rfcs/README.md": "# Index\n",
        "rfcs/0000-new.md": "# Old\n\nthe same long body\n",
    }


def test_edited_comment_keeps_author_and_changes_body(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    said = sim.add_comment(repo, pr.number, "mona", "/rfc status draft")
    edited = sim.edit_comment(repo, said["id"], "/rfc status proposed")
    assert (edited["user"]["login"], edited["body"]) == ("mona", "/rfc status proposed")
    assert sim.comments(repo, pr.number)[0]["body"] == "/rfc status proposed"


def test_pull_against_a_deleted_base_lists_every_file(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, base="release")
    changes = sim.pull_changes(repo, pr)
    assert {c.filename for c in changes} == {"README.md", "rfcs/README.md", RFC}


def test_repositories_of_one_owner_share_the_installation(sim: Simulator, repo: Repo) -> None:
    sibling = sim.create_repo("Octo-Org/handbook")
    assert sibling.installation_id == repo.installation_id
    assert len(sim.installations) == 1


async def test_stopping_twice_is_harmless(sim: Simulator) -> None:
    await sim.stop()
    await sim.stop()
    assert sim.base_url.startswith("http://127.0.0.1:")
