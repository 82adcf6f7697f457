"""A delivery read once into its typed value (``bot.deliveries``): what each kind carries, and
every wrong shape refused with the field named."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from gidgethub import sansio

from bot.deliveries import (
    Account,
    CheckDelivery,
    CommentDelivery,
    Delivery,
    InstallationDelivery,
    PullDelivery,
    Review,
    delivery_of,
)
from bot.errors import PayloadError
from tests.serve.helpers import check_run_payload, comment_payload, pr_payload


def read(event: str, payload: dict[str, Any]) -> Delivery:
    return delivery_of(sansio.Event(payload, event=event, delivery_id="d-1"))


def test_a_pull_request_event() -> None:
    payload = pr_payload(5, sender={"login": "alice", "type": "User"})
    delivery = read("pull_request", payload)
    assert isinstance(delivery, PullDelivery)
    assert (delivery.event, delivery.delivery_id, delivery.action) == (
        "pull_request",
        "d-1",
        "opened",
    )
    assert (delivery.pull.repo, delivery.pull.number, delivery.pull.head.sha) == (
        "octo-org/rfcs",
        5,
        "a" * 40,
    )
    assert delivery.repository.default_branch == "main"
    assert (delivery.installation_id, delivery.sender) == (99, Account("alice", False))
    assert delivery.changed == frozenset()
    assert delivery.data is payload  # the runtime's log line reads it; handlers never do


def test_what_an_edit_changed() -> None:
    payload = pr_payload(5, action="edited", changes={"base": {"ref": {"from": "old"}}})
    delivery = read("pull_request", payload)
    assert isinstance(delivery, PullDelivery)
    assert delivery.changed == {"base"}


def test_a_push_and_a_review() -> None:
    push = read("pull_request", pr_payload(5, action="synchronize", before="c" * 40))
    assert isinstance(push, PullDelivery)
    assert (push.before, push.review) == ("c" * 40, None)
    review = {
        "id": 31,
        "state": "approved",
        "user": {"login": "mona", "type": "User"},
        "html_url": "https://github.com/octo-org/rfcs/pull/5#pullrequestreview-31",
    }
    reviewed = read("pull_request_review", pr_payload(5, action="submitted", review=review))
    assert isinstance(reviewed, PullDelivery)
    assert reviewed.review == Review(31, "APPROVED", "mona", False, review["html_url"])
    by_bot = {**review, "user": {"login": "ci[bot]", "type": "Bot"}, "html_url": None}
    reviewed = read("pull_request_review", pr_payload(5, review=by_bot))
    assert isinstance(reviewed, PullDelivery)
    assert reviewed.review == Review(31, "APPROVED", "ci[bot]", True, "")


@pytest.mark.parametrize(
    ("action", "changes", "previous"),
    [
        ("created", None, None),
        ("edited", {"body": {"from": "/rfc check"}}, "/rfc check"),
        ("edited", {"body": {"from": None}}, ""),
        ("edited", {"title": {"from": "x"}}, None),  # the body did not change
    ],
)
def test_a_comment(action: str, changes: dict[str, Any] | None, previous: str | None) -> None:
    payload = comment_payload(7, action=action, sender={"login": "rfc-bot[bot]", "type": "Bot"})
    if changes is not None:
        payload["changes"] = changes
    delivery = read("issue_comment", payload)
    assert isinstance(delivery, CommentDelivery)
    assert (delivery.issue_number, delivery.on_pull_request) == (7, True)
    assert (delivery.comment.id, delivery.comment.author) == (1007, "alice")
    assert delivery.sender == Account("rfc-bot[bot]", True)
    assert delivery.previous_body == previous


def test_a_comment_on_an_issue() -> None:
    payload = comment_payload(7)
    del payload["issue"]["pull_request"]
    delivery = read("issue_comment", payload)
    assert isinstance(delivery, CommentDelivery)
    assert not delivery.on_pull_request


def test_a_check_run_and_a_check_suite() -> None:
    payload = check_run_payload("b" * 40, 3)
    payload["check_run"]["name"] = "RFC validation"
    run = read("check_run", payload)
    assert isinstance(run, CheckDelivery)
    assert (run.check_name, run.pull_numbers) == ("RFC validation", (3,))
    suite_payload = check_run_payload("b" * 40, 3)
    suite_payload["check_suite"] = {**suite_payload.pop("check_run"), "name": "ignored"}
    suite = read("check_suite", suite_payload)
    assert isinstance(suite, CheckDelivery)
    assert (suite.check_name, suite.pull_numbers) == (None, (3,))
    suite_payload["check_suite"]["pull_requests"] = []
    none = read("check_suite", suite_payload)
    assert isinstance(none, CheckDelivery)
    assert none.pull_numbers == ()  # a commit with no open pull request


def test_installation_events() -> None:
    installation = {"id": 5, "account": {"login": "octo-org"}}
    created = read(
        "installation",
        {
            "action": "created",
            "installation": installation,
            "repositories": [{"full_name": "octo-org/rfcs"}, {"name": "no full name"}],
        },
    )
    assert isinstance(created, InstallationDelivery)
    assert (created.installation_id, created.account) == (5, "octo-org")
    assert created.repositories == ("octo-org/rfcs",)
    changed = read(
        "installation_repositories",
        {
            "action": "removed",
            "installation": installation,
            "repositories_added": [],
            "repositories_removed": [{"full_name": "octo-org/old"}],
        },
    )
    assert isinstance(changed, InstallationDelivery)
    assert (changed.added, changed.removed) == ((), ("octo-org/old",))


def test_an_event_of_no_kind_reads_its_envelope_only() -> None:
    delivery = read("push", {"ref": "refs/heads/main", "installation": {"id": 3}})
    assert type(delivery) is Delivery
    assert (delivery.action, delivery.installation_id, delivery.sender) == (None, 3, None)


Mangle = Callable[[dict[str, Any]], None]


def _set(key: str, value: Any) -> Mangle:
    def mangle(payload: dict[str, Any]) -> None:
        *parents, last = key.split(".")
        target = payload
        for parent in parents:
            target = target[parent]
        target[last] = value

    return mangle


def _drop(key: str) -> Mangle:
    def mangle(payload: dict[str, Any]) -> None:
        del payload[key]

    return mangle


PAYLOADS: dict[str, Callable[[], dict[str, Any]]] = {
    "pull_request": lambda: pr_payload(1),
    "review": lambda: pr_payload(1, action="submitted", review={"id": 31, "state": "approved"}),
    "issue_comment": lambda: comment_payload(1),
    "check_run": lambda: check_run_payload("b" * 40, 1),
}


@pytest.mark.parametrize(
    ("event", "mangle", "field"),
    [
        (event, mangle, field)
        for event in PAYLOADS
        for mangle, field in [
            (_set("repository", None), "payload.repository: expected an object"),
            (_set("repository", "octo-org/rfcs"), "payload.repository: expected an object"),
            (_drop("repository"), "repository: expected an object"),
            (_set("installation", "x"), "payload.installation: expected an object"),
            (_set("installation", {"id": "99"}), "installation.id: expected an integer"),
            (_set("installation", {"id": True}), "installation.id: expected an integer"),
            (_set("sender", "alice"), "payload.sender: expected an object"),
            (_set("action", ["opened"]), "action: expected a string"),
        ]
    ]
    + [
        ("pull_request", _set("changes", "base"), "changes: expected an object"),
        ("pull_request", _set("before", 7), "payload.before: expected a string"),
        ("review", _drop("review"), "review: expected an object"),
        ("review", _set("review.id", "31"), "review.id: expected an integer"),
        ("review", _set("review.user", "mona"), "review.user: expected an object or null"),
        ("issue_comment", _set("changes", "body"), "changes: expected an object"),
        ("pull_request", _set("pull_request", None), "pull_request: expected an object"),
        ("pull_request", _set("pull_request.number", "1"), "pull_request.number"),
        ("issue_comment", _set("comment.user", None), "comment.user"),
        ("issue_comment", _set("issue.number", 1.5), "issue.number"),
        ("check_run", _set("check_run", "rerequested"), "payload.check_run"),
        ("check_run", _set("check_run.pull_requests", "x"), "check_run.pull_requests"),
        ("check_run", _set("check_run.pull_requests", [{"number": "1"}]), "pull_requests[]"),
    ],
)
def test_a_wrong_shape_is_refused_with_its_field(event: str, mangle: Mangle, field: str) -> None:
    payload = PAYLOADS[event]()
    mangle(payload)
    with pytest.raises(PayloadError, match=re.escape(field)):
        read("pull_request_review" if event == "review" else event, payload)


def test_installation_events_need_their_installation() -> None:
    with pytest.raises(PayloadError, match=re.escape("payload.installation: missing")):
        read("installation", {"action": "created"})
    with pytest.raises(PayloadError, match=re.escape("payload.repository: expected an object")):
        read("installation", {"installation": {"id": 1}, "repository": None})
