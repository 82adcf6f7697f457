"""The reconciler's pure decisions: what is missing, from what a sweep read."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.check_labels import labelled_run_id, labels_digest
from bot.policy.reconcile import (
    HeadProof,
    ListedComment,
    announced,
    answered_ids,
    check_missing,
    decision_hints,
    issue_number,
    jittered,
    labels_in_step,
    latest_app_run,
    merged_recently,
    on_pull_request,
    proof_of,
    reacted,
    settled,
    still_unnumbered,
    unanswered_commands,
    window_start,
)
from bot.rfc.config.public import Config
from bot.values import Comment, Pull

NOW = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)
APP = 42
STATUSES = ("Draft", "Proposed", "Final")


def comment(cid: int, body: str, *, app_id: int | None = None, bot: bool = False) -> Comment:
    return Comment(cid, body, "someone[bot]" if bot else "alice", bot, "", app_id)


def listed(
    c: Comment, created: str = "2024-06-11T00:00:00Z", on_pull: bool = True, number: int = 7
) -> ListedComment:
    return ListedComment(c, number, on_pull, created)


def pull(merged: bool = True, base: str = "main") -> Pull:
    repo = {"full_name": "o/r", "default_branch": "main"}
    return Pull.from_json(
        {
            "number": 3,
            "state": "closed",
            "merged_at": "2024-06-10T00:00:00Z" if merged else None,
            "head": {"ref": "x", "sha": "a" * 40, "repo": repo},
            "base": {"ref": base, "sha": "b" * 40, "repo": repo},
        }
    )


def test_window_and_grace() -> None:
    assert window_start(NOW, 7) == "2024-06-05T09:30:00Z"
    assert settled("2024-06-12T09:27:00Z", NOW, 120)
    assert not settled("2024-06-12T09:29:00Z", NOW, 120)
    assert not settled(None, NOW, 0)


@given(st.floats(min_value=0, max_value=0.999999))
def test_jitter_stays_within_ten_percent(draw: float) -> None:
    assert 540 <= jittered(600, draw) <= 660


def test_a_check_is_missing_unless_the_app_completed_one() -> None:
    ours = {"status": "completed", "app": {"id": APP}}
    assert check_missing([], APP)
    assert check_missing([{"status": "in_progress", "app": {"id": APP}}], APP)
    assert check_missing([{"status": "completed", "app": {"id": 7}}], APP)  # another App's
    assert not check_missing([ours], APP)
    assert not check_missing([{"status": "completed", "app": None}], None)


def test_numbers_are_owed_only_for_recent_merges_into_the_default_branch() -> None:
    since = "2024-06-05T00:00:00Z"
    assert merged_recently(pull(), "2024-06-10T00:00:00Z", since)
    assert not merged_recently(pull(), "2024-06-01T00:00:00Z", since)
    assert not merged_recently(pull(merged=False), None, since)
    assert not merged_recently(pull(base="release"), "2024-06-10T00:00:00Z", since)
    assert still_unnumbered(["rfcs/0000-a.md", "rfcs/0000-b.md"], {"rfcs/0000-b.md"}) == [
        "rfcs/0000-b.md"
    ]


def test_a_command_is_answered_by_the_apps_reply_only() -> None:
    command = listed(comment(10, "/rfc status proposed"))
    reply = listed(comment(11, "<!-- rfc-bot:reply:10 --><!-- abc -->\nok", app_id=APP, bot=True))
    forged = listed(comment(12, "<!-- rfc-bot:reply:10 -->"))  # a person pasted the marker
    other_app = listed(comment(13, "<!-- rfc-bot:reply:10 -->", app_id=7, bot=True))
    since = "2024-06-05T00:00:00Z"
    assert unanswered_commands([command, reply], APP, STATUSES, since) == []
    assert unanswered_commands([command, forged, other_app], APP, STATUSES, since) == [command]


def test_what_is_not_a_command_to_answer() -> None:
    since = "2024-06-05T00:00:00Z"
    old = listed(comment(1, "/rfc check"), created="2024-06-01T00:00:00Z")
    by_bot = listed(comment(2, "/rfc check", bot=True))
    on_issue = listed(comment(3, "/rfc check"), on_pull=False)
    chatter = listed(comment(4, "looks good"))
    assert unanswered_commands([old, by_bot, on_issue, chatter], APP, STATUSES, since) == []


@given(st.text(max_size=200))
@example("<!-- rfc-bot:reply:")
@example("<!-- rfc-bot:reply:123")
@example("<!-- rfc-bot:reply:١٢ -->")
def test_reply_markers_never_raise(body: str) -> None:
    ids = answered_ids([listed(comment(1, body, app_id=APP, bot=True))], APP)
    assert all(isinstance(i, int) and i >= 0 for i in ids)


def test_reply_markers_are_read_in_linear_time() -> None:
    body = "<!-- rfc-bot:reply:" + "9" * 100_000 + " -->" + "<!-- rfc-bot:reply:5 -->" * 1000
    assert answered_ids([listed(comment(1, body, app_id=APP, bot=True))], APP) == {5}


def test_listing_fields() -> None:
    assert issue_number("https://api.github.com/repos/o/r/issues/12") == 12
    assert issue_number("https://api.github.com/repos/o/r/issues/x") is None
    assert issue_number("") is None
    assert on_pull_request("https://github.com/o/r/pull/12#issuecomment-1")
    assert not on_pull_request("https://github.com/o/r/issues/12#issuecomment-1")
    assert reacted([{"user": {"login": "Rfc-Bot[bot]"}}], "rfc-bot[bot]")
    assert not reacted([{"user": {"login": "alice"}}, {"user": None}], "rfc-bot[bot]")


MARK = ("a" * 40, "main")
SINCE = "2024-06-05T00:00:00Z"


def run(run_id: int, external_id: object, *, app: int = APP, status: str = "completed") -> dict:
    return {"id": run_id, "status": status, "app": {"id": app}, "external_id": external_id}


def test_the_labels_a_head_has_are_compared_with_its_newest_run_of_the_app() -> None:
    implied = {"rfc", "rfc: draft", "app: api"}
    runs = [
        run(1, labelled_run_id("n1", {"rfc"})),
        run(3, labelled_run_id("n3", implied)),
        run(4, labelled_run_id("n4", {"rfc"}), app=7),  # another App's: never read
        run(5, labelled_run_id("n5", {"rfc"}), status="in_progress"),
    ]
    newest = latest_app_run(runs, APP)
    assert newest is not None and newest["id"] == 3
    assert latest_app_run([runs[2], runs[3]], APP) is None
    proof = proof_of(MARK, newest)
    config = Config()
    # The decision labels and labels the App does not own play no part.
    assert labels_in_step(proof, [*implied, "rfc: decision", "rfc: numbered", "wip"], config)
    assert not labels_in_step(proof, ["rfc", "app: api"], config)  # a label failed to sync
    assert not labels_in_step(proof, [*implied, "rfc: final"], config)  # one added by hand
    # What the sweep's own sync left is in step too (the config changed since the run).
    synced = HeadProof(MARK, proof.implied, accepted=labels_digest({"rfc"}))
    assert labels_in_step(synced, ["rfc"], config)


def test_a_run_of_an_older_release_cannot_say_and_is_taken_as_in_step() -> None:
    proof = proof_of(MARK, run(1, "3f2a9c0d4b5e6f708192a3b4c5d6e7f8"))
    assert proof.implied is None
    assert labels_in_step(proof, [], Config())


def test_a_numbered_merge_is_announced_only_by_the_apps_own_comment() -> None:
    body = "<!-- rfc-bot:numbered -->\nAssigned RFC 0001: [rfcs/0001-x.md](...)"
    ours = listed(comment(1, body, app_id=APP, bot=True), number=3)
    forged = listed(comment(2, body), number=4)  # a person pasted the marker
    other_app = listed(comment(3, body, app_id=7, bot=True), number=5)
    quoted = listed(comment(4, "see <!-- rfc-bot:numbered -->", app_id=APP, bot=True), number=6)
    reply = "<!-- rfc-bot:reply:9 --><!-- d -->\n`/rfc number`: <!-- rfc-bot:numbered -->\nok"
    answer = listed(comment(5, reply, app_id=APP, bot=True), number=8)
    assert announced([ours, forged, other_app, quoted, answer], APP) == {3, 8}


def test_decision_hints_point_at_pull_requests_a_decision_command_was_made_on() -> None:
    comments = [
        listed(comment(10, "/rfc status final"), number=3),
        listed(comment(14, "/rfc approve"), number=3),
        listed(comment(11, "/rfc check"), number=4),  # acts on no decision
        listed(comment(12, "/rfc concern naming"), number=5, created="2024-06-01T00:00:00Z"),
        listed(comment(13, "/rfc approve", bot=True), number=6),
        listed(comment(15, "/rfc cancel"), number=7, on_pull=False),
        listed(comment(16, "`/rfc approve` in code"), number=8),
        listed(comment(17, "/rfc resolve naming"), number=9),
    ]
    everyone = {3, 4, 5, 6, 7, 8, 9}
    assert decision_hints(comments, STATUSES, SINCE, everyone) == {3: 14, 9: 17}
    assert decision_hints(comments, STATUSES, SINCE, {9}) == {9: 17}  # the labelled left out
