"""The decision history made from what GitHub holds (``bot.policy.decisions.events``): the
App's records, people's commands, reviews and commits, each turned into events. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.policy.decisions.events import (
    MAX_COMMITS_READ,
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    Moved,
    Push,
    Reminded,
    Started,
    TextChanged,
    app_comment_events,
    command_events,
    commit_events,
    latest_starts,
    review_events,
    text_changes,
)
from bot.policy.decisions.state import DecisionState, Phase
from bot.policy.decisions.texts import done_text, period_text, reminder_text, start_text
from bot.policy.provenance import StatusMove, signing_key, status_trailers
from bot.rfc.config.public import DEFAULT_STATUSES, DecisionRule
from bot.values import Comment

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PATH = "rfcs/0000-retries.md"
OTHER = "rfcs/0000-audit-log.md"
URL = "https://github.com/o/r/pull/3#issuecomment-1"
KEY = signing_key("a secret of the App's")
REPO, PULL = "o/r", 3


def comment(body: str, *, author: str | None = "alice", updated: datetime | None = None) -> Comment:
    return Comment(1, body, author, False, URL, None, T0, updated)


def app_comment(body: str) -> Comment:
    return Comment(2, body, "rfc-bot[bot]", True, URL, 42, T0)


# --- the App's records --------------------------------------------------------------------


def test_a_start_reply_is_a_start_with_its_roster() -> None:
    text = start_text(PATH, "Proposed", "Final", "Alice", DecisionRule(), {"alice", "bob"})
    body = f"<!-- rfc-bot:reply:1 --><!-- d -->\n`/rfc status final`: {text}"
    assert app_comment_events(app_comment(body)) == [
        Started(T0, "Alice", PATH, "Proposed", "Final", URL, frozenset({"alice", "bob"}))
    ]


def test_a_reminder_is_reminded_and_the_other_records_are_not_events() -> None:
    state = DecisionState(Phase.COMMENT_PERIOD, PATH, "Proposed", "Final", "alice", T0)
    assert app_comment_events(app_comment(reminder_text(PATH, state))) == [Reminded(T0, PATH)]
    assert app_comment_events(app_comment(period_text(PATH, state))) == []
    assert app_comment_events(app_comment(done_text(PATH, state))) == []


def test_records_without_a_path_a_target_or_a_time_count_nothing() -> None:
    no_target = '<!-- rfc-bot:decision-start {"path":"rfcs/0000-retries.md"} -->'
    no_path = '<!-- rfc-bot:decision-reminder {"target":"Final"} -->'
    assert app_comment_events(app_comment(no_target)) == []
    assert app_comment_events(app_comment(no_path)) == []
    undated = Comment(2, '<!-- rfc-bot:decision-reminder {"path":"p"} -->', None, True, URL, 42)
    assert app_comment_events(undated) == []


def test_a_start_without_a_roster_has_none() -> None:
    line = '<!-- rfc-bot:decision-start {"path":"p","target":"Final","by":"bob"} -->'
    [started] = app_comment_events(app_comment(line))
    assert isinstance(started, Started) and started.roster is None and started.current == ""


# --- people's commands ----------------------------------------------------------------------


def test_decision_commands_become_events_about_the_rfc_they_name() -> None:
    body = "\n".join(
        [
            "/rfc approve",
            f"/rfc concern perf {OTHER}",
            "/rfc resolve perf 0000-retries.md",
            "/rfc cancel",
            "/rfc check",
            "/rfc concern x nope.md",
        ]
    )
    events = command_events(comment(body), [PATH, OTHER], DEFAULT_STATUSES)
    assert events == [
        Approved(T0, "alice", None, URL),
        ConcernRaised(T0, "alice", OTHER, "perf", URL),
        ConcernResolved(T0, "alice", PATH, "perf", URL),
    ]


def test_with_one_rfc_a_command_without_a_path_means_it() -> None:
    events = command_events(comment("/rfc cancel\n/rfc approve"), [PATH], DEFAULT_STATUSES)
    assert events == [Cancelled(T0, "alice", PATH, URL), Approved(T0, "alice", PATH, URL)]


def test_an_edited_comment_counts_from_its_edit_and_a_ghost_counts_nothing() -> None:
    later = T0 + timedelta(hours=1)
    [approved] = command_events(comment("/rfc approve", updated=later), [PATH], DEFAULT_STATUSES)
    assert approved.at == later
    assert command_events(comment("/rfc approve", author=None), [PATH], DEFAULT_STATUSES) == []


def test_quoted_commands_are_not_events() -> None:
    assert command_events(comment("> /rfc approve\n`/rfc approve`"), [PATH], DEFAULT_STATUSES) == []


# --- reviews --------------------------------------------------------------------------------


def review(state: str, login: str | None = "bob", at: str | None = "2024-05-01T10:00:00Z") -> Any:
    return {
        "user": {"login": login} if login else None,
        "state": state,
        "submitted_at": at,
        "html_url": "https://github.com/o/r/pull/3#pullrequestreview-1",
    }


def test_reviews_approve_or_withdraw_for_the_whole_pull_request() -> None:
    at = T0 + timedelta(hours=1)
    link = "https://github.com/o/r/pull/3#pullrequestreview-1"
    events = review_events(
        [review("APPROVED"), review("changes_requested"), review("DISMISSED"), review("COMMENTED")]
    )
    assert events == [
        Approved(at, "bob", None, link, via="review"),
        ChangesRequested(at, "bob", None, link),
        ChangesRequested(at, "bob", None, link),
    ]


def test_reviews_without_a_reviewer_or_a_time_count_nothing() -> None:
    assert review_events([review("APPROVED", login=None), review("APPROVED", at=None)]) == []


# --- commits --------------------------------------------------------------------------------


def commit(sha: str, message: str, hours: float) -> dict[str, Any]:
    date = (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"sha": sha, "commit": {"message": message, "committer": {"date": date}}}


def test_the_apps_proven_move_is_moved_and_others_pushes_are_read_next() -> None:
    move = StatusMove(PATH, "Proposed", "Final")
    proven = (
        f"RFC 0000-retries: status Proposed -> Final\n\n{status_trailers(KEY, REPO, PULL, move)}"
    )
    forged = f"fake\n\n{status_trailers(signing_key('wrong'), REPO, PULL, move)}"
    commits = [
        commit("a", "before the start", 0),
        commit("b", "at the start", 1),
        commit("c", proven, 2),
        commit("d", forged, 3),
        commit("e", "a later push", 4),
        {"sha": "f", "commit": {"message": "no date"}},
    ]
    moved, pushes = commit_events(commits, KEY, REPO, PULL, since=T0 + timedelta(hours=1))
    assert moved == [Moved(T0 + timedelta(hours=2), PATH, "Final", "c")]
    assert pushes == [Push(T0 + timedelta(hours=4), "e")]


def test_a_proof_for_another_pull_request_moves_nothing() -> None:
    move = StatusMove(PATH, "Proposed", "Final")
    elsewhere = f"x\n\n{status_trailers(KEY, REPO, PULL + 1, move)}"
    moved, pushes = commit_events([commit("a", elsewhere, 2)], KEY, REPO, PULL, since=T0)
    assert (moved, pushes) == ([], [])


def test_only_the_last_pushes_are_read() -> None:
    commits = [commit(f"s{n}", "push", 1 + n) for n in range(MAX_COMMITS_READ + 5)]
    _, pushes = commit_events(commits, KEY, REPO, PULL, since=T0)
    assert [p.sha for p in pushes] == [f"s{n}" for n in range(5, MAX_COMMITS_READ + 5)]


def test_a_push_changed_the_rfcs_among_its_files() -> None:
    push = Push(T0, "e")
    changed = {PATH, "README.md"}
    assert text_changes(push, changed, [PATH, OTHER]) == [TextChanged(T0, PATH, "e")]


def test_the_latest_start_per_path() -> None:
    first = Started(T0, "alice", PATH, "Proposed", "Final")
    second = Started(T0 + timedelta(hours=1), "bob", PATH, "Proposed", "Final")
    other = Started(T0, "carol", OTHER, "Proposed", "Final")
    assert latest_starts([second, first, other, Reminded(T0, PATH)]) == {
        PATH: second,
        OTHER: other,
    }
