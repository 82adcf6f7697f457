"""Webhook payloads keep the vendored examples' shape and carry the simulator's state."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from sandbox.delivery import deliver, signature
from sandbox.sim_events import example
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI, app_jwt

RFC = "rfcs/0000-x.md"


def test_every_vendored_payload_is_a_real_example() -> None:
    for stem in (
        "ping",
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.reopened",
        "pull_request.edited",
        "pull_request.closed",
        "pull_request.ready_for_review",
        "issue_comment.created",
        "issue_comment.edited",
        "check_run.rerequested",
        "check_suite.rerequested",
        "installation.created",
        "installation_repositories.added",
    ):
        payload = example(stem)
        assert "sender" in payload
        if "." in stem:
            assert payload["action"] == stem.split(".", 1)[1]


def test_pull_request_event_has_the_example_keys_and_our_state(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="alice", body="hi")
    payload = sim.event_pull_request(repo, pr.number, "opened")
    shape = example("pull_request.opened")
    assert set(shape) <= set(payload)
    assert set(shape["pull_request"]) <= set(payload["pull_request"])
    pull = payload["pull_request"]
    assert (pull["number"], pull["head"]["sha"], pull["head"]["ref"]) == (
        pr.number,
        pr.head_sha,
        "rfc/x",
    )
    assert pull["base"]["sha"] == sim.head(repo, "main")
    assert pull["user"]["login"] == "alice"
    assert pull["body"] == "hi"
    assert payload["repository"]["full_name"] == "octo-org/rfcs"
    assert payload["installation"]["id"] == repo.installation_id
    assert payload["sender"]["login"] == "alice"


def test_merged_and_fork_payloads(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"}, author="eve")
    sim.make_fork_pr(repo, pr.number)
    forked = sim.event_pull_request(repo, pr.number, "synchronize")["pull_request"]
    assert forked["head"]["repo"]["full_name"] == "eve/rfcs"
    assert forked["base"]["repo"]["full_name"] == "octo-org/rfcs"
    assert forked["maintainer_can_modify"] is False
    sha = sim.merge_pull_request(repo, pr.number, merged_by="mona")
    closed = sim.event_pull_request(repo, pr.number, "closed")
    assert (closed["pull_request"]["merged"], closed["pull_request"]["merge_commit_sha"]) == (
        True,
        sha,
    )
    assert closed["sender"]["login"] == "mona"


def test_issue_comment_event(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    comment = sim.add_comment(repo, pr.number, "mona", "/rfc status proposed")
    payload = sim.event_issue_comment(repo, pr.number, comment)
    assert set(example("issue_comment.created")["comment"]) <= set(payload["comment"])
    assert payload["issue"]["number"] == pr.number
    assert "pull_request" in payload["issue"]
    assert payload["comment"]["id"] == comment["id"]
    assert payload["comment"]["body"] == "/rfc status proposed"
    assert payload["sender"]["login"] == "mona"
    edited = sim.event_issue_comment(
        repo, pr.number, comment, action="edited", changes={"body": {"from": "old"}}
    )
    assert edited["changes"] == {"body": {"from": "old"}}


def test_check_events_and_installation(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    suite = sim.event_check_suite(repo, pr.head_sha)
    assert suite["check_suite"]["head_sha"] == pr.head_sha
    assert [p["number"] for p in suite["check_suite"]["pull_requests"]] == [pr.number]
    assert sim.event_installation()["installation"]["id"] == repo.installation_id
    assert [r["full_name"] for r in sim.event_installation()["repositories"]] == ["octo-org/rfcs"]


async def test_check_run_event(sim: Simulator, repo: Repo) -> None:
    pr = sim.open_pull_request(repo, "rfc/x", {RFC: "# X\n"})
    async with aiohttp.ClientSession() as session:
        app = VersionedGitHubAPI(session, "t", base_url=sim.base_url)
        token = await app.post(
            f"/app/installations/{repo.installation_id}/access_tokens", data=b"", jwt=app_jwt(sim)
        )
        gh = VersionedGitHubAPI(session, "t", oauth_token=token["token"], base_url=sim.base_url)
        run = await gh.post(
            "/repos/octo-org/rfcs/check-runs", data={"name": "RFC", "head_sha": pr.head_sha}
        )
    payload = sim.event_check_run(repo, run["id"])
    assert payload["check_run"]["id"] == run["id"]
    assert payload["check_run"]["check_suite"]["head_sha"] == pr.head_sha
    assert payload["check_run"]["pull_requests"][0]["number"] == pr.number


def test_signature_is_github_hmac() -> None:
    expected = hmac.new(b"s3cret", b"{}", hashlib.sha256).hexdigest()
    assert signature(b"{}", "s3cret") == f"sha256={expected}"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[web.Request], list[bytes]]]:
    seen: list[web.Request] = []
    bodies: list[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/webhook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/webhook", seen, bodies
    await runner.cleanup()


async def test_deliver_sends_signed_json(
    receiver: tuple[str, list[web.Request], list[bytes]],
) -> None:
    url, seen, bodies = receiver
    async with aiohttp.ClientSession() as session:
        status = await deliver(session, url, "ping", {"zen": "hi"}, "s3cret", delivery_id="d-1")
    assert status == 202
    headers = seen[0].headers
    assert headers["X-GitHub-Event"] == "ping"
    assert headers["X-GitHub-Delivery"] == "d-1"
    assert headers["X-Hub-Signature-256"] == signature(bodies[0], "s3cret")
    assert headers["User-Agent"].startswith("GitHub-Hookshot/")
    assert json.loads(bodies[0]) == {"zen": "hi"}
