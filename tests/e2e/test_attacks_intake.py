"""Signed payloads of the wrong shape, end to end: whoever holds the webhook secret (or GitHub
on a bad day) sends JSON the App does not expect. Each gets a 2xx (ignored) or a 4xx, never
a 500; the App writes nothing to GitHub for it; the next normal delivery is handled."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sandbox.delivery import delivery_headers
from sandbox.sim_events import example
from tests.e2e.attack_helpers import (
    AUTHOR,
    MAINTAINER,
    full_rfc,
    latest_run,
    people_repo,
    pushed,
    say,
    writes,
)
from tests.e2e.helpers import PATH, REPO, bot_comments, open_pull

Mangle = Callable[[dict[str, Any]], None]


async def post_raw(app: Any, event: str, body: bytes) -> int:
    """A correctly signed delivery of any bytes (``deliver`` can only send what json.dumps
    can write)."""
    headers = delivery_headers(event, body, app.secret)
    async with app.session.post(app.url, data=body, headers=headers) as response:
        await response.read()
        return response.status


def _set(path: str, value: Any) -> Mangle:
    def mangle(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        target[last] = value

    return mangle


def _drop(path: str) -> Mangle:
    def mangle(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        del target[last]

    return mangle


COMMENT_SHAPES = {
    "repository-a-string": _set("repository", "octo-org/rfcs"),
    "installation-a-string": _set("installation", "1"),
    "comment-user-null": _set("comment.user", None),
    "comment-a-list": _set("comment", ["/rfc check"]),
    "issue-number-a-string": _set("issue.number", "1"),
    "issue-number-missing": _drop("issue.number"),
    "repository-full-name-a-number": _set("repository.full_name", 7),
    "comment-id-a-float": _set("comment.id", 1.5),
    "body-a-list": _set("comment.body", ["/rfc check"]),
    "action-a-list": _set("action", ["created"]),
}
PULL_SHAPES = {
    "head-missing": _drop("pull_request.head"),
    "head-a-string": _set("pull_request.head", "main"),
    "base-repo-null": _set("pull_request.base.repo", None),
    "number-a-string": _set("pull_request.number", "1"),
    "labels-a-string": _set("pull_request.labels", "rfc"),
    "pull-request-null": _set("pull_request", None),
}


async def _assert_next_delivery_is_handled(sim: Any, app: Any, repo: Any, pull: Any) -> None:
    await say(sim, app, repo, pull.number, AUTHOR, "/rfc check")
    assert latest_run(sim, repo, pull.head_sha)["conclusion"] == "success"
    [reply] = bot_comments(sim, repo, pull.number)
    assert reply.startswith("`/rfc check`: Validation ran again")


@pytest.mark.parametrize("mangle", COMMENT_SHAPES.values(), ids=COMMENT_SHAPES.keys())
async def test_wrong_shaped_comment_payload_is_ignored(
    sim: Any, bot_app: Any, mangle: Mangle
) -> None:
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    comment = sim.add_comment(repo, pull.number, AUTHOR, "/rfc check\n/rfc status proposed")
    payload = sim.event_issue_comment(repo, pull.number, comment)
    mangle(payload)
    start = len(sim.requests)

    status = await bot_app.deliver("issue_comment", payload)
    await bot_app.idle()

    assert status == 202 or 400 <= status < 500
    assert writes(sim, start) == []
    assert sim.head(repo, "rfc/job-retries") == pull.head_sha
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)


@pytest.mark.parametrize("mangle", PULL_SHAPES.values(), ids=PULL_SHAPES.keys())
async def test_wrong_shaped_pull_request_payload_is_ignored(
    sim: Any, bot_app: Any, mangle: Mangle
) -> None:
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    payload = sim.event_pull_request(repo, pull.number, "opened")
    mangle(payload)
    start = len(sim.requests)

    status = await bot_app.deliver("pull_request", payload)
    await bot_app.idle()

    assert status == 202 or 400 <= status < 500
    assert writes(sim, start) == []
    assert sim.check_runs(repo) == []
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)


@pytest.mark.parametrize("event", ["check_run", "check_suite"])
async def test_wrong_shaped_rerun_payload_is_ignored(sim: Any, bot_app: Any, event: str) -> None:
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    payload = sim.event_check_suite(repo, pull.head_sha)
    payload[event] = "rerequested"
    start = len(sim.requests)

    status = await bot_app.deliver(event, payload)
    await bot_app.idle()

    assert status == 202 or 400 <= status < 500
    assert writes(sim, start) == []
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)


# The envelope every delivery carries, of the wrong shape: refused at dispatch on every event
# kind the App handles (an installation token from an id that is no integer, or the App's own
# credentials for want of one, must never reach a handler).
ENVELOPE_SHAPES = {
    "repository-null": _set("repository", None),
    "repository-a-string": _set("repository", "octo-org/rfcs"),
    "installation-a-string": _set("installation", "x"),
}
Build = Callable[[Any, Any, Any, Any], Awaitable[dict[str, Any]]]


async def _pull_request(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    return sim.event_pull_request(repo, pull.number, "opened")


async def _pull_request_review(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    review = sim.submit_review(repo, pull.number, MAINTAINER, "APPROVED")
    return sim.event_pull_request_review(repo, pull.number, review)


async def _issue_comment(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    comment = sim.add_comment(repo, pull.number, AUTHOR, "/rfc check")
    return sim.event_issue_comment(repo, pull.number, comment)


async def _check_run(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    await pushed(sim, app, repo, pull.number)  # the App's run, to press "Re-run" on
    return sim.event_check_run(repo, latest_run(sim, repo, pull.head_sha)["id"])


async def _check_suite(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    return sim.event_check_suite(repo, pull.head_sha)


async def _installation(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    return sim.event_installation("created")


async def _installation_repositories(sim: Any, app: Any, repo: Any, pull: Any) -> dict[str, Any]:
    payload = example("installation_repositories.added")
    payload["installation"]["id"] = repo.installation_id
    payload["repositories_added"] = [{"id": repo.id, "name": repo.name, "full_name": REPO}]
    return payload


EVENT_KINDS: dict[str, Build] = {
    "pull_request": _pull_request,
    "pull_request_review": _pull_request_review,
    "issue_comment": _issue_comment,
    "check_run": _check_run,
    "check_suite": _check_suite,
    "installation": _installation,
    "installation_repositories": _installation_repositories,
}


@pytest.mark.parametrize("mangle", ENVELOPE_SHAPES.values(), ids=ENVELOPE_SHAPES.keys())
@pytest.mark.parametrize("event", EVENT_KINDS)
async def test_wrong_shaped_envelope_is_refused_on_every_event(
    sim: Any, bot_app: Any, caplog: pytest.LogCaptureFixture, event: str, mangle: Mangle
) -> None:
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    payload = await EVENT_KINDS[event](sim, bot_app, repo, pull)
    mangle(payload)
    start = len(sim.requests)
    caplog.clear()  # the lines of what the payload's builder delivered

    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        status = await bot_app.deliver(event, payload, delivery_id=f"mangled-{event}")
        await bot_app.idle()

    assert status == 202
    assert writes(sim, start) == []
    outcomes = [r.outcome for r in caplog.records if r.name == "bot.delivery"]
    assert outcomes == ["ignored_payload"]  # refused at dispatch: no handler ran
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)


@pytest.mark.parametrize("bracket", ["array", "object"])
async def test_json_nested_100000_deep_is_refused_with_a_4xx(
    sim: Any, bot_app: Any, bracket: str
) -> None:
    """orjson 3.8 parses arrays this deep and overflows the C stack on objects (the whole
    server died): such a body must be refused before that."""
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    depth = 100_000
    opening, closing = (b"[", b"]") if bracket == "array" else (b'{"a":', b"}")
    body = b'{"action": "created", "x": ' + opening * depth + b"1" + closing * depth + b"}"
    start = len(sim.requests)

    status = await post_raw(bot_app, "issue_comment", body)
    await bot_app.idle()

    assert 400 <= status < 500
    assert sim.requests[start:] == []
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)


async def test_deep_json_inside_a_field_the_app_reads_is_refused_or_ignored(
    sim: Any, bot_app: Any
) -> None:
    """Deep nesting where the App looks (the comment body), below any parser limit."""
    repo = people_repo(sim)
    pull = open_pull(sim, repo, {PATH: full_rfc()})
    comment = sim.add_comment(repo, pull.number, AUTHOR, "/rfc check")
    payload = sim.event_issue_comment(repo, pull.number, comment)
    nested: Any = "/rfc check"
    for _ in range(500):
        nested = {"body": nested}
    payload["comment"]["body"] = nested
    start = len(sim.requests)

    status = await bot_app.deliver("issue_comment", payload)
    await bot_app.idle()

    assert status == 202 or 400 <= status < 500
    assert writes(sim, start) == []
    await _assert_next_delivery_is_handled(sim, bot_app, repo, pull)
