"""The dashboard's decisions: who sees which rows, who must act, and "waiting on me"."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.dashboard import (
    CachedCard,
    Urgency,
    as_of,
    build_view,
    check_state,
    next_action,
)
from bot.policy.decisions import NO_DECISION, Approved, ConcernRaised, Held, decision_state
from bot.rfc.config.public import DecisionRule
from tests.policy.dashboard_cards import PATH, ROSTER, START, T0, card, state


def everyone(repo: str) -> bool:
    return True


def test_collecting_waits_on_the_approvers_who_have_not_approved():
    decided = state(Approved(T0 + timedelta(minutes=5), "bob", PATH))
    action = next_action(card(decision=decided), card().rfcs[0], decided)
    assert action.logins == ("carol",)  # alice started it (her approval), bob approved
    assert action.urgency is Urgency.WAITING


def test_a_concern_blocks_and_names_who_raised_it():
    decided = state(ConcernRaised(T0 + timedelta(minutes=5), "Carol", PATH, "budget"))
    action = next_action(card(decision=decided), card().rfcs[0], decided)
    assert action.logins == ("carol",)
    assert action.urgency is Urgency.BLOCKED
    assert "budget" in action.what


def test_a_hold_blocks_and_waits_on_a_maintainer():
    decided = state(Held(T0 + timedelta(minutes=5), "alice", PATH, "legal"))
    action = next_action(card(decision=decided), card().rfcs[0], decided)
    assert action.urgency is Urgency.BLOCKED
    assert action.what == "a maintainer: on hold by alice (/rfc unhold lifts it)"


def test_a_comment_period_waits_on_nobody_and_becomes_due_when_it_ends():
    votes = [
        Approved(T0 + timedelta(minutes=m), who, PATH) for m, who in ((1, "bob"), (2, "carol"))
    ]
    running = state(*votes)
    assert running.period_end is not None
    action = next_action(card(decision=running), card().rfcs[0], running)
    assert (action.logins, action.urgency) == ((), Urgency.COUNTDOWN)
    later = as_of(running, running.period_end + timedelta(seconds=1))
    assert later.move_due
    assert next_action(card(decision=later), card().rfcs[0], later).urgency is Urgency.DUE
    assert as_of(running, running.period_end - timedelta(seconds=1)) == running


def test_an_impossible_quorum_is_a_maintainers_job():
    rule = DecisionRule(approvals=5)
    decided = decision_state(PATH, [START], rule, ROSTER, T0)
    action = next_action(card(decision=decided), card().rfcs[0], decided)
    assert action.urgency is Urgency.BLOCKED and "maintainer" in action.what


def test_a_failing_check_waits_on_the_author_and_a_final_rfc_on_nobody():
    failing = card(check="failure", author="Dana")
    assert next_action(failing, failing.rfcs[0], NO_DECISION).logins == ("dana",)
    final = card(status="Final", moves=())
    action = next_action(final, final.rfcs[0], NO_DECISION)
    assert action.logins == () and "final" in action.what.lower()


def test_unreadable_repositories_are_neither_shown_nor_counted():
    secret = card("octo/secret", 2, decision=state(), check="failure")
    public = card("octo/rfcs", 1)
    view = build_view([secret, public], "alice", lambda repo: repo == "octo/rfcs", T0)
    assert [row.card.repo for row in view.rows] == ["octo/rfcs"]
    assert view.total == 1 and view.repositories == 1
    assert view.waiting_on_viewer == 0  # alice is an approver in the hidden one: not counted
    assert view.statuses == (("Proposed", 1),)


def test_waiting_on_me_shows_only_rows_naming_the_viewer_case_insensitively():
    waiting = card("octo/rfcs", 1, decision=state())
    idle = card("octo/rfcs", 2)
    view = build_view([idle, waiting], "Carol", everyone, T0, mine_only=True)
    assert [row.card.number for row in view.rows] == [1]
    assert view.total == 2 and view.waiting_on_viewer == 1 and view.mine_only


def test_rows_waiting_on_the_viewer_come_first_then_by_urgency():
    blocked = card("a/a", 1, decision=state(ConcernRaised(T0, "bob", PATH, "x")))
    idle = card("a/a", 2)
    mine = card("a/a", 3, decision=state())
    view = build_view([idle, blocked, mine], "carol", everyone, T0)
    assert [row.card.number for row in view.rows] == [3, 1, 2]


def test_check_state_takes_only_the_apps_own_run():
    ours = {"app": {"id": 7}, "status": "completed", "conclusion": "failure", "html_url": "u"}
    theirs = {"app": {"id": 9}, "status": "completed", "conclusion": "success"}
    assert check_state([theirs, ours], 7) == ("failure", "u")
    assert check_state([theirs], 7) == ("missing", "")
    assert check_state([{"app": {"id": 7}, "status": "in_progress"}], 7) == ("pending", "")


def test_a_cached_card_is_current_until_its_mark_moves_or_it_ages_out():
    cached = CachedCard("2024-05-01T09:00:00Z abc", 100.0, None)
    assert cached.current("2024-05-01T09:00:00Z abc", 150.0, 600)
    assert not cached.current("2024-05-01T09:05:00Z abc", 150.0, 600)
    assert not cached.current("2024-05-01T09:00:00Z abc", 700.0, 600)


LOGINS = st.sampled_from(["alice", "bob", "carol", "dana", "eve"])


@given(
    repos=st.lists(st.sampled_from(["a/x", "a/y", "b/z"]), max_size=8),
    readable=st.sets(st.sampled_from(["a/x", "a/y", "b/z"])),
    viewer=LOGINS,
    mine_only=st.booleans(),
)
@example(repos=["a/x"], readable=set(), viewer="alice", mine_only=False)
def test_a_view_never_holds_a_row_of_an_unreadable_repository(repos, readable, viewer, mine_only):
    cards = [card(repo, n, decision=state()) for n, repo in enumerate(repos)]
    view = build_view(cards, viewer, readable.__contains__, T0, mine_only=mine_only)
    assert all(row.card.repo in readable for row in view.rows)
    assert view.total == sum(repo in readable for repo in repos)
    assert view.waiting_on_viewer <= view.total
    assert sum(count for _, count in view.statuses) == view.total
