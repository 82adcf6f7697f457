"""The simulator's REST handlers answer GitHub's refusals, filters and pages exactly.

Most tests go over HTTP with a raw client so the status, message and headers are what a
GitHub client would see. A few call a handler directly: where GitHub's schema already
rejects a body, the contract check answers first over HTTP, yet the handler still owes
GitHub's own message to anyone calling it in-process.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from gidgethub import BadRequest
from yarl import URL

from sandbox.routes.call import Call
from sandbox.routes.table import HANDLERS
from sandbox.sim_state import ApiError, Repo
from sandbox.simulator import Simulator
from tests.github_api import API_VERSION, VersionedGitHubAPI, app_jwt

RFC = "rfcs/0000-x.md"
REPO = "/repos/octo-org/rfcs"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def message(self) -> str:
        return str(self.body["message"])


@pytest.fixture
def raw(
    sim: Simulator, session: aiohttp.ClientSession, gh: VersionedGitHubAPI
) -> Any:  # the client below, authenticated as the installation
    async def send(method: str, path: str, body: Any = None, *, auth: str | None = None) -> Answer:
        headers = {
            "Authorization": auth or f"token {gh.oauth_token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "rfc-bot-tests",
        }
        async with session.request(
            method, sim.base_url + path, json=body, headers=headers
        ) as response:
            return Answer(response.status, await response.json(), dict(response.headers))

    return send


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def direct(sim: Simulator, repo: Repo, operation: str, params: dict[str, str], body: Any) -> None:
    """Run one handler in-process as the repository's installation."""
    call = Call(
        "POST",
        {"owner": repo.owner, "repo": repo.name, **params},
        {},
        body,
        sim.base_url,
        URL(sim.base_url),
        repo.installation_id,
    )
    HANDLERS[operation](sim, call)


# ------------------------------------------------------------------ repos, apps, branches


async def test_unknown_repository_is_404_for_reads_and_writes(raw: Any) -> None:
    for method, path, body in (
        ("GET", "/repos/octo-org/missing", None),
        ("PUT", "/repos/octo-org/missing/contents/a.md", {"message": "m", "content": b64("a")}),
        ("PATCH", "/repos/octo-org/missing/git/refs/heads/main", {"sha": "0" * 40}),
    ):
        answer = await raw(method, path, body)
        assert (answer.status, answer.message) == (404, "Not Found"), path


async def test_repository_outside_the_installation_refuses_writes(
    sim: Simulator, repo: Repo, raw: Any
) -> None:
    sim.create_repo("someone-else/rfcs", files={"README.md": "x"})
    readable = await raw("GET", "/repos/someone-else/rfcs")
    assert readable.status == 200
    refused = await raw("POST", "/repos/someone-else/rfcs/labels", {"name": "rfc"})
    assert (refused.status, refused.message) == (403, "Resource not accessible by integration")


async def test_token_for_unknown_installation_is_404(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    app = VersionedGitHubAPI(session, "t", base_url=sim.base_url)
    async with session.post(
        f"{sim.base_url}/app/installations/999999/access_tokens",
        headers={
            "Authorization": f"Bearer {app_jwt(sim)}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "t",
        },
    ) as response:
        assert response.status == 404
        assert (await response.json())["message"] == "Not Found"
    with pytest.raises(BadRequest) as refused:  # and gidgethub, as the App sees it
        await app.post("/app/installations/999999/access_tokens", data=b"", jwt=app_jwt(sim))
    assert (refused.value.status_code, str(refused.value)) == (404, "Not Found")


async def test_branch_lookup(sim: Simulator, repo: Repo, raw: Any) -> None:
    sim.protect_branch(repo, "main")
    main = await raw("GET", f"{REPO}/branches/main")
    assert (main.status, main.body["protected"]) == (200, True)
    assert main.body["commit"]["sha"] == sim.head(repo, "main")
    missing = await raw("GET", f"{REPO}/branches/nope")
    assert (missing.status, missing.message) == (404, "Branch not found")


# ------------------------------------------------------------------ pulls


async def test_pull_list_filters_and_orders(sim: Simulator, repo: Repo, raw: Any) -> None:
    first = sim.open_pull_request(repo, "rfc/a", {"rfcs/a.md": "a"})
    second = sim.open_pull_request(repo, "rfc/b", {"rfcs/b.md": "b"})
    sim.close_pull_request(repo, first.number)
    open_only = await raw("GET", f"{REPO}/pulls")
    assert [p["number"] for p in open_only.body] == [second.number]
    every = await raw("GET", f"{REPO}/pulls?state=all&direction=asc")
    assert [p["number"] for p in every.body] == [first.number, second.number]
    by_head = await raw("GET", f"{REPO}/pulls?state=all&head=octo-org:rfc/a&base=main")
    assert [p["number"] for p in by_head.body] == [first.number]
    other_base = await raw("GET", f"{REPO}/pulls?state=all&base=develop")
    assert other_base.body == []


async def test_unknown_pull_is_404(raw: Any) -> None:
    for path in (f"{REPO}/pulls/99", f"{REPO}/pulls/99/files", f"{REPO}/issues/99/comments"):
        answer = await raw("GET", path)
        assert (answer.status, answer.message) == (404, "Not Found"), path


async def test_pagination_links_walk_forward_and_back(sim: Simulator, repo: Repo, raw: Any) -> None:
    for index in range(5):
        sim.open_pull_request(repo, f"rfc/{index}", {f"rfcs/{index}.md": "x"})
    middle = await raw("GET", f"{REPO}/pulls?per_page=2&page=2")
    assert len(middle.body) == 2
    rels = {part.split('rel="')[1].rstrip('"') for part in middle.headers["Link"].split(", ")}
    assert rels == {"prev", "next", "last", "first"}
    assert "page=3" in middle.headers["Link"]
    only = await raw("GET", f"{REPO}/pulls?per_page=100")
    assert len(only.body) == 5
    assert "Link" not in only.headers


# ------------------------------------------------------------------ contents


async def test_nested_directory_is_listed_as_dir(sim: Simulator, repo: Repo, raw: Any) -> None:
    sim.commit(repo, "main", {"rfcs/images/diagram.svg": "<svg/>"})
    listing = await raw("GET", f"{REPO}/contents/rfcs")
    assert [(e["name"], e["type"]) for e in listing.body] == [
        ("README.md", "file"),
        ("images", "dir"),
    ]


async def test_contents_put_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    to_branch = {"message": "m", "content": b64("x"), "branch": "nope"}
    missing = await raw("PUT", f"{REPO}/contents/new.md", to_branch)
    assert (missing.status, missing.message) == (404, "Branch nope not found")
    garbled = await raw("PUT", f"{REPO}/contents/new.md", {"message": "m", "content": "@@@"})
    assert (garbled.status, garbled.message) == (422, "content is not valid Base64")
    no_sha = await raw("PUT", f"{REPO}/contents/README.md", {"message": "m", "content": b64("x")})
    assert no_sha.status == 422
    assert no_sha.message == 'Invalid request.\n\n"sha" wasn\'t supplied.'
    assert sim.file(repo, "README.md") == "# RFCs\n"


async def test_contents_put_creates_then_updates(sim: Simulator, repo: Repo, raw: Any) -> None:
    created = await raw(
        "PUT",
        f"{REPO}/contents/notes.md",
        {"message": "add", "content": b64("one"), "committer": {"name": "Mona", "email": "m@x"}},
    )
    assert created.status == 201
    assert created.body["commit"]["author"]["name"] == "Mona"
    updated = await raw(
        "PUT",
        f"{REPO}/contents/notes.md",
        {"message": "edit", "content": b64("two"), "sha": created.body["content"]["sha"]},
    )
    assert updated.status == 200
    assert updated.body["commit"]["author"]["name"] == sim.bot_login
    assert sim.file(repo, "notes.md") == "two"


# ------------------------------------------------------------------ check runs


async def test_check_run_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    unknown_sha = await raw("POST", f"{REPO}/check-runs", {"name": "RFC", "head_sha": "f" * 40})
    assert (unknown_sha.status, unknown_sha.message) == (
        422,
        f"No commit found for SHA: {'f' * 40}",
    )
    for method in ("GET", "PATCH"):
        body = {"status": "in_progress"} if method == "PATCH" else None
        gone = await raw(method, f"{REPO}/check-runs/1", body)
        assert (gone.status, gone.message) == (404, "Not Found")
    annotations = await raw("GET", f"{REPO}/check-runs/1/annotations")
    assert annotations.status == 404


async def test_completed_without_conclusion_is_refused(
    sim: Simulator, repo: Repo, raw: Any
) -> None:
    head = sim.head(repo, "main")
    answer = await raw(
        "POST", f"{REPO}/check-runs", {"name": "RFC", "head_sha": head, "status": "completed"}
    )
    assert answer.status == 422
    assert answer.message.endswith('"conclusion" is required when "status" is "completed".')
    assert sim.check_runs(repo) == []


async def test_oversized_summary_is_refused(sim: Simulator, repo: Repo, raw: Any) -> None:
    head = sim.head(repo, "main")
    body = {"name": "RFC", "head_sha": head, "output": {"title": "t", "summary": "x" * 65536}}
    answer = await raw("POST", f"{REPO}/check-runs", body)
    assert answer.status == 422
    assert "output/summary: fails 'maxLength': 65535" in answer.message
    for key in ("summary", "text"):
        oversized = {**body, "output": {"title": "t", "summary": "s", key: "x" * 65536}}
        with pytest.raises(ApiError) as refused:
            direct(sim, repo, "checks/create", {}, oversized)
        assert refused.value.message == (
            f"Invalid request.\n\nOutput {key} exceeds the maximum size of 65535 characters."
        )
    assert sim.check_runs(repo) == []


async def test_check_run_read_back_and_filters(sim: Simulator, repo: Repo, raw: Any) -> None:
    head = sim.head(repo, "main")
    for name, status in (("RFC", "queued"), ("RFC", "in_progress"), ("Other", "queued")):
        await raw("POST", f"{REPO}/check-runs", {"name": name, "head_sha": head, "status": status})
    latest = await raw("GET", f"{REPO}/commits/main/check-runs")
    assert [(r["name"], r["status"]) for r in latest.body["check_runs"]] == [
        ("Other", "queued"),
        ("RFC", "in_progress"),
    ]
    every = await raw("GET", f"{REPO}/commits/main/check-runs?filter=all&check_name=RFC")
    assert every.body["total_count"] == 2
    queued = await raw("GET", f"{REPO}/commits/main/check-runs?filter=all&status=queued")
    assert {r["name"] for r in queued.body["check_runs"]} == {"RFC", "Other"}
    run_id = every.body["check_runs"][0]["id"]
    single = await raw("GET", f"{REPO}/check-runs/{run_id}")
    assert (single.status, single.body["status"]) == (200, "in_progress")
    assert single.body["started_at"] is not None


# ------------------------------------------------------------------ labels


async def test_label_lookup_and_color_rules(sim: Simulator, repo: Repo, raw: Any) -> None:
    created = await raw("POST", f"{REPO}/labels", {"name": "rfc", "color": "#0E8A16"})
    assert (created.status, created.body["color"]) == (201, "0e8a16")
    found = await raw("GET", f"{REPO}/labels/RFC")
    assert (found.status, found.body["name"]) == (200, "rfc")
    missing = await raw("GET", f"{REPO}/labels/nope")
    assert (missing.status, missing.message) == (404, "Not Found")
    bad = await raw("POST", f"{REPO}/labels", {"name": "x", "color": "green"})
    assert (bad.status, bad.message) == (422, "Validation Failed")
    assert bad.body["errors"] == [{"resource": "Label", "code": "invalid", "field": "color"}]


async def test_issue_labels_accept_every_body_shape(sim: Simulator, repo: Repo, raw: Any) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    path = f"{REPO}/issues/{pr.number}/labels"
    await raw("POST", path, {"labels": ["rfc"]})
    await raw("POST", path, {"labels": [{"name": "RFC: draft"}]})
    again = await raw("POST", path, {"labels": ["rfc"]})
    assert [label["name"] for label in again.body] == ["rfc", "RFC: draft"]
    listed = await raw("GET", path)
    assert [label["name"] for label in listed.body] == ["rfc", "RFC: draft"]


def test_add_labels_body_shapes_in_process(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    direct(sim, repo, "issues/add-labels", {"issue_number": str(pr.number)}, {"labels": "solo"})
    direct(sim, repo, "issues/add-labels", {"issue_number": str(pr.number)}, ["pair"])
    assert sim.pr_labels(repo, pr.number) == ["solo", "pair"]
    with pytest.raises(ApiError) as refused:
        direct(sim, repo, "issues/add-labels", {"issue_number": str(pr.number)}, {"labels": 3})
    assert (refused.value.status, refused.value.message) == (
        422,
        "Invalid request.\n\nlabels must be a list.",
    )


# ------------------------------------------------------------------ comments, reactions


async def test_comment_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    no_issue = await raw("POST", f"{REPO}/issues/99/comments", {"body": "hi"})
    assert (no_issue.status, no_issue.message) == (404, "Not Found")
    no_comment = await raw("PATCH", f"{REPO}/issues/comments/99", {"body": "hi"})
    assert no_comment.status == 404
    no_target = await raw("POST", f"{REPO}/issues/comments/99/reactions", {"content": "+1"})
    assert no_target.status == 404


async def test_repeated_reaction_is_200_with_same_id(sim: Simulator, repo: Repo, raw: Any) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    said = sim.add_comment(repo, pr.number, "mona", "/rfc status")
    path = f"{REPO}/issues/comments/{said['id']}/reactions"
    first = await raw("POST", path, {"content": "eyes"})
    second = await raw("POST", path, {"content": "eyes"})
    assert (first.status, second.status) == (201, 200)
    assert first.body["id"] == second.body["id"]
    assert sim.reactions(repo, said["id"]) == ["eyes"]


def test_unknown_reaction_is_validation_failed(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    said = sim.add_comment(repo, pr.number, "mona", "hi")
    with pytest.raises(ApiError) as refused:
        direct(
            sim,
            repo,
            "reactions/create-for-issue-comment",
            {"comment_id": str(said["id"])},
            {"content": "party"},
        )
    assert refused.value.status == 422
    assert refused.value.errors == [{"resource": "Reaction", "code": "invalid", "field": "content"}]


# ------------------------------------------------------------------ git data


async def test_ref_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    missing = await raw("GET", f"{REPO}/git/ref/heads/nope")
    assert (missing.status, missing.message) == (404, "Not Found")
    tag = await raw("GET", f"{REPO}/git/ref/tags/v1")
    assert tag.status == 404
    no_ref = await raw("PATCH", f"{REPO}/git/refs/heads/nope", {"sha": sim.head(repo, "main")})
    assert (no_ref.status, no_ref.message) == (422, "Reference does not exist")
    no_object = await raw("PATCH", f"{REPO}/git/refs/heads/main", {"sha": "a" * 40})
    assert (no_object.status, no_object.message) == (422, "Object does not exist")


async def test_git_commit_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    head = sim.head(repo, "main")
    unknown = await raw("GET", f"{REPO}/git/commits/{'b' * 40}")
    assert (unknown.status, unknown.message) == (404, "Not Found")
    tree = (await raw("GET", f"{REPO}/git/commits/{head}")).body["tree"]["sha"]
    no_tree = await raw("POST", f"{REPO}/git/commits", {"message": "m", "tree": "c" * 40})
    assert (no_tree.status, no_tree.message) == (422, "Tree SHA does not exist")
    orphan_parent = {"message": "m", "tree": tree, "parents": ["d" * 40]}
    no_parent = await raw("POST", f"{REPO}/git/commits", orphan_parent)
    assert no_parent.status == 422
    assert no_parent.message == "Parent SHA does not exist or is not a commit object"
    authored = {
        "message": "m",
        "tree": tree,
        "parents": [head],
        "author": {"name": "Mona", "email": "m@x"},
    }
    made = await raw("POST", f"{REPO}/git/commits", authored)
    assert (made.status, made.body["author"]["name"]) == (201, "Mona")


async def test_blobs_in_both_encodings(sim: Simulator, repo: Repo, raw: Any) -> None:
    text = await raw("POST", f"{REPO}/git/blobs", {"content": "hello"})
    encoded = await raw(
        "POST", f"{REPO}/git/blobs", {"content": b64("hello"), "encoding": "base64"}
    )
    assert text.status == encoded.status == 201
    assert text.body["sha"] == encoded.body["sha"]
    garbled = await raw("POST", f"{REPO}/git/blobs", {"content": "@@", "encoding": "base64"})
    assert (garbled.status, garbled.message) == (422, "content is not valid Base64")


async def test_tree_reads(sim: Simulator, repo: Repo, raw: Any) -> None:
    sim.commit(repo, "main", {"rfcs/images/a.svg": "<svg/>"})
    top = await raw("GET", f"{REPO}/git/trees/main")
    assert [(e["path"], e["type"]) for e in top.body["tree"]] == [
        ("README.md", "blob"),
        ("rfcs", "tree"),
    ]
    unknown = await raw("GET", f"{REPO}/git/trees/nope")
    assert (unknown.status, unknown.message) == (404, "Not Found")


async def test_tree_writes_by_content_sha_and_deletion(
    sim: Simulator, repo: Repo, raw: Any
) -> None:
    head = sim.head(repo, "main")
    base_tree = (await raw("GET", f"{REPO}/git/commits/{head}")).body["tree"]["sha"]
    rfcs_tree = (await raw("GET", f"{REPO}/git/trees/main")).body["tree"][1]["sha"]
    entries = [
        {"path": "new.md", "mode": "100644", "type": "blob", "content": "new"},
        {"path": "README.md", "mode": "100644", "type": "blob", "sha": None},
        {"path": "copy", "mode": "040000", "type": "tree", "sha": rfcs_tree},
        {"path": "rfcs", "mode": "040000", "type": "tree", "sha": None},
    ]
    made = await raw("POST", f"{REPO}/git/trees", {"base_tree": base_tree, "tree": entries})
    assert made.status == 201
    commit = await raw(
        "POST", f"{REPO}/git/commits", {"message": "m", "tree": made.body["sha"], "parents": [head]}
    )
    await raw("PATCH", f"{REPO}/git/refs/heads/main", {"sha": commit.body["sha"]})
    assert sim.tree(repo) == {"new.md": "new", "copy/README.md": "# Index\n"}


async def test_tree_write_refusals(sim: Simulator, repo: Repo, raw: Any) -> None:
    bad_base = await raw("POST", f"{REPO}/git/trees", {"base_tree": "e" * 40, "tree": []})
    assert (bad_base.status, bad_base.message) == (422, "base_tree is not a valid tree oid")
    for kind, mode in (("tree", "040000"), ("blob", "100644")):
        entry = {"path": "x", "mode": mode, "type": kind, "sha": "e" * 40}
        answer = await raw("POST", f"{REPO}/git/trees", {"tree": [entry]})
        assert answer.status == 422
        assert answer.message == f"GitRPC::BadObjectState: {kind} {'e' * 40} not found"


async def test_full_history_without_path(sim: Simulator, repo: Repo, raw: Any) -> None:
    sim.commit(repo, "main", {"a.md": "a"}, message="second")
    listed = await raw("GET", f"{REPO}/commits")
    assert [c["commit"]["message"] for c in listed.body] == ["second", "Initial commit"]


# ------------------------------------------------------------------ request dispatch, auth


async def test_undocumented_path_is_404_and_a_violation(sim: Simulator, raw: Any) -> None:
    answer = await raw("GET", f"{REPO}/issues/comments/5")
    assert (answer.status, answer.message) == (404, "Not Found")
    assert sim.violations == [
        f"GET {REPO}/issues/comments/5: not a documented GitHub REST operation"
    ]


async def test_malformed_json_is_400(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession, gh: VersionedGitHubAPI
) -> None:
    async with session.post(
        f"{sim.base_url}{REPO}/labels",
        data=b"{not json",
        headers={
            "Authorization": f"token {gh.oauth_token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "t",
        },
    ) as response:
        assert response.status == 400
        assert (await response.json())["message"] == "Problems parsing JSON"


async def test_missing_user_agent_and_credentials(
    sim: Simulator, repo: Repo, session: aiohttp.ClientSession
) -> None:
    async with session.get(
        f"{sim.base_url}{REPO}",
        headers={"X-GitHub-Api-Version": API_VERSION, "User-Agent": ""},
        skip_auto_headers=["User-Agent"],
    ) as response:
        assert response.status == 401
        assert (await response.json())["message"] == "Requires authentication"
    assert sim.violations == [f"GET {REPO}: no User-Agent header (GitHub rejects such requests)"]


async def test_app_endpoints_need_a_jwt_not_a_token(sim: Simulator, raw: Any) -> None:
    answer = await raw("GET", "/app")
    assert (answer.status, answer.message) == (401, "A JSON web token could not be decoded")


async def test_expired_jwt_is_refused(sim: Simulator, raw: Any) -> None:
    expired = app_jwt(sim, lifetime=-200)
    answer = await raw("GET", "/app", auth=f"Bearer {expired}")
    assert answer.status == 401
    assert answer.message.startswith("'Expiration time' claim ('exp') must be a numeric value")


async def test_primary_rate_limit_failure_message(sim: Simulator, repo: Repo, raw: Any) -> None:
    sim.fail("GET", r"/pulls$", 403, headers={"X-RateLimit-Remaining": "0"})
    limited = await raw("GET", f"{REPO}/pulls")
    assert (limited.status, limited.message) == (403, "API rate limit exceeded for installation.")
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    sim.fail("GET", r"/pulls$", 418, body={"message": "teapot"})
    custom = await raw("GET", f"{REPO}/pulls")
    assert (custom.status, custom.message) == (418, "teapot")
    sim.fail("GET", r"/pulls$", 409)
    other = await raw("GET", f"{REPO}/pulls")
    assert (other.status, other.message) == (409, "Error")


async def test_async_before_callback_is_awaited(sim: Simulator, repo: Repo, raw: Any) -> None:
    async def open_another(simulator: Simulator) -> None:
        count = len(repo.pulls)
        simulator.open_pull_request(repo, f"rfc/{count}", {f"rfcs/{count}.md": "x"})

    sim.before("*", r"/pulls$", open_another, times=2)
    seen = [len((await raw("GET", f"{REPO}/pulls")).body) for _ in range(3)]
    assert seen == [1, 2, 2]


def test_more_than_50_annotations_in_process(sim: Simulator, repo: Repo) -> None:
    """Over HTTP the schema's maxItems answers first; the handler keeps GitHub's wording."""
    head = sim.head(repo, "main")
    note = {"path": "a.md", "start_line": 1, "end_line": 1, "annotation_level": "notice"}
    output = {"title": "t", "summary": "s", "annotations": [note] * 51}
    with pytest.raises(ApiError) as refused:
        direct(sim, repo, "checks/create", {}, {"name": "RFC", "head_sha": head, "output": output})
    assert (
        refused.value.message == "Invalid request.\n\nOnly 50 annotations are allowed per request."
    )
