"""GitHub's size limits: comment bodies (65,536 characters), check-run output (summary and
text 65,535 characters and bytes, title 255), 50 annotations a request, 3,000 PR files."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

from sandbox.routes.call import Call
from sandbox.routes.pulls import MAX_PULL_FILES
from sandbox.routes.table import HANDLERS
from sandbox.sim_state import ApiError, Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"
TOO_LONG = {
    "resource": "IssueComment",
    "code": "unprocessable",
    "field": "data",
    "message": "Body is too long (maximum is 65536 characters)",
}


@pytest.fixture
def pull(sim: Simulator, repo: Repo) -> int:
    return sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}).number


async def test_comment_of_exactly_65536_characters_is_accepted(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    made = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "é" * 65536})
    assert made.status == 201
    assert len(sim.comments(repo, pull)[0]["body"]) == 65536


async def test_longer_comment_is_refused_on_create_and_update(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    refused = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x" * 65537})
    assert (refused.status, refused.message) == (422, "Validation Failed")
    assert refused.body["errors"] == [TOO_LONG]
    assert sim.comments(repo, pull) == []
    made = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "short"})
    edit = await api("PATCH", f"{REPO}/issues/comments/{made.body['id']}", {"body": "y" * 70000})
    assert (edit.status, edit.body["errors"]) == (422, [TOO_LONG])
    assert sim.comments(repo, pull)[0]["body"] == "short"


async def check_run(api: Api, sim: Simulator, repo: Repo, output: dict[str, Any]) -> Any:
    body = {"name": "RFC", "head_sha": sim.head(repo, "main"), "output": output}
    return await api("POST", f"{REPO}/check-runs", body)


async def test_summary_within_characters_but_over_bytes_is_refused(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    # 40,000 "é" are 40,000 characters (the schema's limit passes) but 80,000 bytes.
    answer = await check_run(api, sim, repo, {"title": "t", "summary": "é" * 40000})
    assert (answer.status, answer.message) == (422, "Validation Failed")
    assert answer.body["errors"] == [
        {
            "resource": "CheckRun",
            "code": "custom",
            "field": "summary",
            "message": "summary exceeds a maximum bytesize of 65535",
        }
    ]
    assert sim.violations == []  # the contract (characters) had nothing to say
    text = await check_run(api, sim, repo, {"title": "t", "summary": "s", "text": "€" * 30000})
    assert text.body["errors"][0]["field"] == "text"
    fits = await check_run(api, sim, repo, {"title": "t", "summary": "é" * 32767})
    assert fits.status == 201
    assert sim.check_runs(repo) == [sim.check_runs(repo)[0]]


async def test_summary_over_65535_characters_is_refused_by_the_schema(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    answer = await check_run(api, sim, repo, {"title": "t", "summary": "x" * 65536})
    assert answer.status == 422
    assert len(sim.violations) == 1 and "maxLength" in sim.violations[0]


async def test_title_over_255_characters_is_refused(sim: Simulator, repo: Repo, api: Api) -> None:
    refused = await check_run(api, sim, repo, {"title": "t" * 256, "summary": "s"})
    assert refused.status == 422
    assert refused.body["errors"][0]["message"] == "title is too long (maximum is 255 characters)"
    assert (await check_run(api, sim, repo, {"title": "t" * 255, "summary": "s"})).status == 201


async def test_limits_hold_on_update_too(sim: Simulator, repo: Repo, api: Api) -> None:
    made = await check_run(api, sim, repo, {"title": "t", "summary": "s"})
    path = f"{REPO}/check-runs/{made.body['id']}"
    refused = await api("PATCH", path, {"output": {"title": "t" * 300, "summary": "s"}})
    assert refused.status == 422
    assert sim.check_runs(repo)[0]["output"]["title"] == "t"


def test_more_than_50_annotations_is_refused_in_the_handler(sim: Simulator, repo: Repo) -> None:
    note = {"path": "a.md", "start_line": 1, "end_line": 1, "annotation_level": "notice"}
    body: dict[str, Any] = {
        "name": "RFC",
        "head_sha": sim.head(repo, "main"),
        "output": {"title": "t", "summary": "s", "annotations": [note] * 51},
    }
    params = {"owner": "octo-org", "repo": "rfcs"}
    call = Call("POST", params, {}, body, sim.base_url, URL(sim.base_url), repo.installation_id)
    with pytest.raises(ApiError) as refused:
        HANDLERS["checks/create"](sim, call)
    assert refused.value.status == 422
    body["output"] = {**body["output"], "annotations": [note] * 50}
    assert HANDLERS["checks/create"](sim, call).status == 201


async def test_pull_request_files_stop_at_3000(sim: Simulator, repo: Repo, api: Api) -> None:
    files: dict[str, str | None] = {f"rfcs/{n:04d}.md": "x" for n in range(MAX_PULL_FILES + 5)}
    pull = sim.open_pull_request(repo, "rfc/many", files)
    listed = 0
    page = 1
    while True:
        answer = await api.get(f"{REPO}/pulls/{pull.number}/files?per_page=100&page={page}")
        listed += len(answer.body)
        if 'rel="next"' not in answer.headers.get("Link", ""):
            break
        page += 1
    assert (listed, page) == (3000, 30)
