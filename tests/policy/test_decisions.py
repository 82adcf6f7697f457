"""The decision state: a pure fold over a pull request's history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.decisions import (
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    DecisionState,
    Event,
    Moved,
    Phase,
    Refused,
    Reminded,
    Roster,
    Started,
    TextChanged,
    canonical,
    decision_state,
    describe_roster,
    may,
    quorum,
    utc,
)
from bot.rfc.config.public import Config, DecisionRule

PATH = "rfcs/0000-retries.md"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
RULE = DecisionRule()  # 2 approvals, 7 days
ROSTER = Roster.of(["alice", "bob", "carol"], maintainers=["alice", "bob", "carol", "mia"])


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def start(hours: float = 0, actor: str = "alice", **extra: object) -> Started:
    return Started(at(hours), actor, PATH, "Proposed", "Final", f"#start-{hours}", **extra)  # type: ignore[arg-type]


def approve(hours: float, actor: str, via: str = "comment") -> Approved:
    path = None if via == "review" else PATH
    return Approved(at(hours), actor, path, f"#a-{actor}-{hours}", via)  # type: ignore[arg-type]


def concern(hours: float, actor: str, name: str = "perf") -> ConcernRaised:
    return ConcernRaised(at(hours), actor, PATH, name, f"#c-{name}")


def resolve(hours: float, actor: str, name: str = "perf") -> ConcernResolved:
    return ConcernResolved(at(hours), actor, PATH, name, f"#r-{name}")


def fold(
    events: list[Event],
    now: datetime = T0 + timedelta(hours=1),
    rule: DecisionRule = RULE,
    roster: Roster = ROSTER,
) -> DecisionState:
    return decision_state(PATH, events, rule, roster, now)


# --- The happy path, step by step ---------------------------------------------------------


def test_no_history_no_decision() -> None:
    state = fold([])
    assert state.phase is Phase.NONE and not state.running and state.needed == 0


def test_the_starters_approval_counts_and_the_rest_are_waited_on() -> None:
    state = fold([start()])
    assert state.phase is Phase.COLLECTING
    assert (state.started_by, state.required, state.needed) == ("alice", 2, 1)
    assert [a.login for a in state.approvals] == ["alice"]
    assert state.waiting_on == ("bob", "carol")
    assert state.period_start is None and not state.move_due


def test_an_ineligible_starter_does_not_count() -> None:
    state = fold([start(actor="mia")])
    assert state.approvals == () and state.needed == 2 and state.started_by == "mia"


def test_quorum_starts_the_period_and_its_end_makes_the_move_due() -> None:
    history: list[Event] = [start(), approve(2, "bob", via="review")]
    running = fold(history, now=at(3))
    assert running.phase is Phase.COMMENT_PERIOD
    assert (running.period_start, running.period_end) == (at(2), at(2) + WEEK)
    assert not running.move_due
    due = fold(history, now=at(2) + WEEK)
    assert due.phase is Phase.COMMENT_PERIOD and due.move_due
    done = fold([*history, Moved(at(2) + WEEK + timedelta(minutes=3), PATH, "Final")], now=at(999))
    assert done.phase is Phase.DONE and not done.running


def test_a_zero_comment_period_is_due_at_quorum() -> None:
    rule = DecisionRule(comment_period=timedelta(0))
    state = fold([start(), approve(1, "bob")], now=at(1), rule=rule)
    assert state.move_due and state.period_end == at(1)


def test_approving_twice_counts_once_and_a_review_is_the_same_person() -> None:
    state = fold([start(actor="mia"), approve(1, "bob"), approve(2, "BOB", via="review")])
    assert [a.login for a in state.approvals] == ["bob"] and state.needed == 1


def test_changes_requested_withdraws_and_a_later_approval_restores() -> None:
    history: list[Event] = [start(), approve(1, "bob")]
    withdrawn = [*history, ChangesRequested(at(5), "bob")]
    state = fold(withdrawn, now=at(6))
    assert state.phase is Phase.COLLECTING and state.period_start is None
    assert [a.login for a in state.approvals] == ["alice"]
    again = fold([*withdrawn, approve(8, "bob")], now=at(9))
    assert again.phase is Phase.COMMENT_PERIOD and again.period_start == at(8)


def test_approvals_before_the_start_do_not_count() -> None:
    state = fold([approve(-1, "bob", via="review"), start(actor="mia")])
    assert state.approvals == ()


def test_ineligible_approvals_are_ignored() -> None:
    state = fold([start(actor="mia"), approve(1, "mallory"), approve(2, "mia")])
    assert state.approvals == () and state.needed == 2


# --- Concerns -----------------------------------------------------------------------------


def test_a_concern_blocks_quorum_until_resolved_then_the_period_starts() -> None:
    history: list[Event] = [start(), concern(1, "carol"), approve(2, "bob")]
    blocked = fold(history, now=at(3))
    assert blocked.phase is Phase.COLLECTING and blocked.period_start is None
    assert [(c.name, c.raised_by, c.link) for c in blocked.concerns] == [
        ("perf", "carol", "#c-perf")
    ]
    resolved = fold([*history, resolve(4, "carol")], now=at(5))
    assert resolved.phase is Phase.COMMENT_PERIOD and resolved.period_start == at(4)


def test_a_concern_in_the_period_pauses_it_and_resolving_restarts_from_zero() -> None:
    history: list[Event] = [start(), approve(1, "bob"), concern(30, "carol")]
    paused = fold(history, now=at(200))
    assert paused.phase is Phase.PAUSED and not paused.move_due  # 200h > 1h + a week
    restarted = fold([*history, resolve(40, "mia")], now=at(41))  # a maintainer resolves
    assert restarted.phase is Phase.COMMENT_PERIOD
    assert (restarted.period_start, restarted.period_end) == (at(40), at(40) + WEEK)


def test_resolving_one_of_two_concerns_keeps_the_pause() -> None:
    history: list[Event] = [
        start(),
        approve(1, "bob"),
        concern(2, "carol", "perf"),
        concern(3, "bob", "naming"),
        resolve(4, "carol", "perf"),
    ]
    state = fold(history, now=at(5))
    assert state.phase is Phase.PAUSED and [c.name for c in state.concerns] == ["naming"]


def test_resolving_when_quorum_was_lost_goes_back_to_collecting() -> None:
    history: list[Event] = [
        start(),
        approve(1, "bob"),
        concern(2, "carol"),
        ChangesRequested(at(3), "bob"),
        resolve(4, "carol"),
    ]
    state = fold(history, now=at(5))
    assert state.phase is Phase.COLLECTING and state.period_start is None


def test_only_the_raiser_or_a_maintainer_resolves() -> None:
    roster = Roster.of(["alice", "bob", "carol"], maintainers=["mia"])
    history: list[Event] = [start(), concern(1, "carol"), resolve(2, "bob")]
    assert [c.name for c in fold(history, roster=roster).concerns] == ["perf"]
    assert fold([*history, resolve(3, "mia")], roster=roster, now=at(4)).concerns == ()


def test_ineligible_people_cannot_raise_concerns_and_names_fold_case() -> None:
    history: list[Event] = [
        start(),
        concern(1, "mallory"),
        concern(2, "carol", "Perf"),
        concern(3, "bob", "PERF"),
    ]
    [open_concern] = fold(history, now=at(4)).concerns
    assert (open_concern.name, open_concern.raised_by) == ("perf", "carol")


def test_a_concern_after_the_deadline_is_too_late() -> None:
    history: list[Event] = [start(), approve(1, "bob"), concern(1 + 24 * 8, "carol")]
    state = fold(history, now=at(24 * 9))
    assert state.move_due and state.concerns == ()


# --- Cancel, restart, roster --------------------------------------------------------------


def test_cancel_by_the_starter_or_a_maintainer_only() -> None:
    roster = Roster.of(["alice", "bob"], maintainers=["mia"])
    refused = fold([start(), Cancelled(at(1), "bob", PATH)], roster=roster)
    assert refused.running
    by_maintainer = fold([start(), Cancelled(at(1), "mia", PATH)], roster=roster, now=at(2))
    assert (by_maintainer.phase, by_maintainer.ended_by) == (Phase.CANCELLED, "mia")
    by_starter = fold([start(), Cancelled(at(1), "Alice", PATH)], roster=roster, now=at(2))
    assert by_starter.phase is Phase.CANCELLED


def test_a_new_start_after_a_cancel_begins_afresh() -> None:
    history: list[Event] = [
        start(),
        approve(1, "bob"),
        Cancelled(at(2), "alice", PATH),
        start(3, actor="mia"),
    ]
    state = fold(history, now=at(4))
    assert state.phase is Phase.COLLECTING and state.approvals == ()
    assert state.started_at == at(3)


def test_a_second_start_while_running_changes_nothing() -> None:
    history: list[Event] = [start(), approve(1, "bob"), start(2, actor="carol")]
    assert fold(history, now=at(3)) == fold(history[:2], now=at(3))


def test_roster_now_decides_who_counts_and_who_left_or_joined() -> None:
    history: list[Event] = [start(roster=frozenset({"alice", "bob", "carol"})), approve(1, "bob")]
    now_roster = Roster.of(["alice", "carol", "dave"], maintainers=["alice"])
    state = fold(history, now=at(2), roster=now_roster)
    assert [a.login for a in state.approvals] == ["alice"]
    assert (state.left, state.joined) == (("bob",), ("dave",))
    assert state.phase is Phase.COLLECTING  # bob's approval no longer counts


def test_majority_and_all_follow_the_roster_now() -> None:
    five = Roster.of(["a", "b", "c", "d", "e"])
    assert quorum(DecisionRule(approvals="majority"), five) == 3
    assert quorum(DecisionRule(approvals="all"), five) == 5
    assert quorum(DecisionRule(approvals="all"), Roster.of([])) == 1  # never vacuous
    assert quorum(DecisionRule(approvals=4), Roster.of(["a"])) == 4
    rule = DecisionRule(approvals="majority")
    state = fold([start(actor="a"), approve(1, "b")], rule=rule, roster=five, now=at(2))
    assert state.needed == 1


def test_the_rule_can_be_picked_from_the_configs_decisions() -> None:
    decisions = Config().decisions
    state = decision_state(PATH, [start()], decisions, ROSTER, at(1))
    assert state.required == 2
    other = Started(at(0), "alice", PATH, "Draft", "Proposed")
    assert decision_state(PATH, [other], decisions, ROSTER, at(1)).phase is Phase.NONE
    spaced = MappingProxyType({" proposed->final ": DecisionRule(approvals=1)})
    assert decision_state(PATH, [start()], spaced, ROSTER, at(1)).required == 1


def test_events_about_other_files_are_ignored() -> None:
    other = Approved(at(1), "bob", "rfcs/0000-other.md")
    assert fold([start(), other]).needed == 1


# --- Text changes -------------------------------------------------------------------------


def test_a_push_after_approvals_is_shown_or_dismisses_them() -> None:
    history: list[Event] = [start(), approve(1, "bob"), TextChanged(at(2), PATH, "abc")]
    shown = fold(history, now=at(3))
    assert shown.text_changed_at == at(2) and shown.phase is Phase.COMMENT_PERIOD
    dismissing = DecisionRule(dismiss_on_change=True)
    dismissed = fold(history, now=at(3), rule=dismissing)
    assert dismissed.approvals == () and dismissed.phase is Phase.COLLECTING
    assert dismissed.text_changed_at == at(2)


def test_a_push_before_any_approval_is_not_news() -> None:
    state = fold([start(actor="mia"), TextChanged(at(1), PATH, "abc")])
    assert state.text_changed_at is None


# --- Reminders ----------------------------------------------------------------------------


def test_one_reminder_after_remind_after_then_none() -> None:
    rule = DecisionRule(remind_after=timedelta(days=3))
    history: list[Event] = [start()]
    early = fold(history, now=at(71), rule=rule)
    assert not early.reminder_due
    due = fold(history, now=at(72), rule=rule)
    assert due.reminder_due and due.remind == ("bob", "carol")
    sent = fold([*history, Reminded(at(73), PATH)], now=at(500), rule=rule)
    assert not sent.reminder_due and sent.remind == ()


def test_the_period_gets_its_own_reminder_and_concern_raisers_are_not_nagged() -> None:
    rule = DecisionRule(remind_after=timedelta(days=3), comment_period=WEEK)
    roster = Roster.of(["alice", "bob", "carol"])
    history: list[Event] = [start(), Reminded(at(1), PATH), approve(2, "bob")]
    state = fold(history, now=at(73), rule=rule, roster=roster)
    assert state.phase is Phase.COMMENT_PERIOD and not state.reminder_due
    state = fold(history, now=at(74), rule=rule, roster=roster)
    assert state.reminder_due and state.remind == ("carol",)  # anchored at the period
    history2: list[Event] = [Started(at(0), "mia", PATH, "Proposed", "Final"), concern(1, "bob")]
    state2 = fold(history2, now=at(80), rule=rule, roster=roster)
    assert state2.phase is Phase.COLLECTING and state2.reminder_due
    assert state2.remind == ("alice", "carol")


def test_no_reminder_without_remind_after_or_when_everyone_acted() -> None:
    assert not fold([start()], now=at(1000)).reminder_due
    rule = DecisionRule(remind_after=timedelta(hours=1), approvals="all")
    history: list[Event] = [start(), approve(1, "bob"), approve(1, "carol")]
    assert not fold(history, now=at(5), rule=rule).reminder_due


# --- Who may do what ----------------------------------------------------------------------


def test_may_explains_every_refusal() -> None:
    none = fold([])
    assert may("approve", "bob", none, ROSTER) == Refused(
        "no decision is in progress on this RFC; it starts with the `/rfc status` move."
    )
    running = fold([start(), concern(1, "carol")], now=at(2))
    assert may("approve", "bob", running, ROSTER) is None
    refused = may("approve", "mallory", running, ROSTER)
    assert refused is not None and "@mallory is not an eligible approver" in refused.reason
    assert "@alice, @bob, @carol" in refused.reason
    assert may("concern", "carol", running, ROSTER) is None
    missing = may("resolve", "carol", running, ROSTER, "speed")
    assert missing == Refused("there is no open concern `speed`; open concerns: `perf`.")
    assert may("resolve", "carol", running, ROSTER, "PERF") is None
    roster = Roster.of(["alice", "bob", "carol"])
    not_raiser = may("resolve", "bob", running, roster, "perf")
    assert not_raiser is not None and "@carol, who raised it" in not_raiser.reason
    not_starter = may("cancel", "bob", running, roster)
    assert not_starter is not None and "@alice, who started it" in not_starter.reason
    assert may("cancel", "alice", running, roster) is None


def test_may_after_the_end() -> None:
    due = fold([start(), approve(1, "bob")], now=at(1000))
    refused = may("concern", "carol", due, ROSTER)
    assert refused is not None and "2024-05-08 10:00 UTC" in refused.reason
    assert may("cancel", "alice", due, ROSTER) is None
    done = fold([start(), approve(1, "bob"), Moved(at(999), PATH, "Final")], now=at(1000))
    assert may("approve", "bob", done, ROSTER) == Refused(
        "the decision is over: the RFC was moved to **Final**."
    )
    cancelled = fold([start(), Cancelled(at(1), "alice", PATH)])
    reason = may("approve", "bob", cancelled, ROSTER)
    assert reason is not None and "cancelled by @alice" in reason.reason


def test_describe_roster_is_bounded() -> None:
    assert describe_roster(Roster.of([])) == "nobody is eligible to approve at the moment"
    many = describe_roster(Roster.of([f"user{n:02d}" for n in range(25)]))
    assert many.endswith("and 15 more") and many.count("@") == 10
    assert utc(None) == "(not set)"


def test_a_move_to_another_target_does_not_end_the_decision() -> None:
    state = fold([start(), Moved(at(1), PATH, "Draft")])
    assert state.running


# --- Properties ---------------------------------------------------------------------------

LOGINS = ["alice", "bob", "carol", "mallory", "mia"]
NAMES = ["perf", "naming"]


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Histories on a coarse clock, so that many events share an instant."""
    hour = st.integers(0, 400).map(lambda h: at(h))
    login = st.sampled_from(LOGINS)
    name = st.sampled_from(NAMES)
    event = st.one_of(
        st.builds(Started, hour, login, st.just(PATH), st.just("Proposed"), st.just("Final")),
        st.builds(Approved, hour, login, st.sampled_from([PATH, None])),
        st.builds(ChangesRequested, hour, login),
        st.builds(ConcernRaised, hour, login, st.just(PATH), name),
        st.builds(ConcernResolved, hour, login, st.just(PATH), name),
        st.builds(Cancelled, hour, login, st.just(PATH)),
        st.builds(TextChanged, hour, st.just(PATH), st.sampled_from(["a", "b"])),
        st.builds(Reminded, hour, st.just(PATH)),
    )
    return draw(st.lists(event, max_size=25))


rules = st.builds(
    DecisionRule,
    approvals=st.sampled_from([1, 2, 3, "majority", "all"]),
    comment_period=st.sampled_from([timedelta(0), timedelta(hours=5), WEEK]),
    remind_after=st.sampled_from([None, timedelta(hours=10)]),
    dismiss_on_change=st.booleans(),
)
NOW = at(500)
SHARED = [start(0), approve(0, "bob"), concern(0, "carol"), resolve(0, "carol")]


@given(histories(), rules, st.randoms(use_true_random=False))
@example(SHARED, RULE, random.Random(1))
@example([*SHARED, ChangesRequested(at(0), "bob")], RULE, random.Random(2))
def test_the_same_history_in_any_order_gives_the_same_state(
    history: list[Event], rule: DecisionRule, shuffler: random.Random
) -> None:
    shuffled = list(history)
    shuffler.shuffle(shuffled)
    assert fold(shuffled, NOW, rule) == fold(history, NOW, rule)
    assert canonical(shuffled) == canonical(history)


@given(histories(), rules, st.randoms(use_true_random=False))
@example(SHARED, RULE, random.Random(3))
def test_replay_is_idempotent(
    history: list[Event], rule: DecisionRule, shuffler: random.Random
) -> None:
    repeated = history + shuffler.sample(history, k=len(history) // 2) + history
    assert fold(repeated, NOW, rule) == fold(history, NOW, rule)


@given(histories(), rules, st.integers(0, 500))
@example([start(), approve(1, "bob"), concern(2, "carol")], RULE, 400)
def test_a_concern_always_blocks(history: list[Event], rule: DecisionRule, hours: int) -> None:
    state = fold(history, at(hours), rule)
    if state.running and state.concerns:
        assert state.phase in (Phase.COLLECTING, Phase.PAUSED)
        assert not state.move_due


@given(histories(), rules)
@example([start(), approve(1, "bob"), approve(2, "Bob", via="review"), approve(3, "mallory")], RULE)
def test_quorum_counts_distinct_eligible_people_once(
    history: list[Event], rule: DecisionRule
) -> None:
    state = fold(history, NOW, rule)
    logins = [approval.login for approval in state.approvals]
    assert len(logins) == len(set(logins))
    assert all(ROSTER.eligible(login) for login in logins)
    if state.phase is not Phase.NONE:
        assert set(state.waiting_on) == ROSTER.approvers - set(logins)
    if state.phase is Phase.COMMENT_PERIOD:
        assert len(logins) >= state.required


@given(histories(), rules, st.integers(0, 500))
def test_the_state_is_consistent(history: list[Event], rule: DecisionRule, hours: int) -> None:
    now = at(hours)
    state = fold(history, now, rule)
    assert (state.period_start is None) == (state.period_end is None)
    if state.move_due:
        assert state.period_end is not None and state.period_end <= now
    if state.phase is Phase.COMMENT_PERIOD and state.period_end is not None:
        assert state.move_due == (state.period_end <= now)
    if state.reminder_due:
        assert state.remind and rule.remind_after is not None


def test_a_zero_remind_after_means_never() -> None:
    rule = DecisionRule(remind_after=timedelta(0))
    assert not fold([start()], now=at(1000), rule=rule).reminder_due


def test_help_explains_the_repositorys_decision_rules() -> None:
    from bot.policy.replies import help_text
    from bot.rfc.config.public import load_config

    default = help_text(Config())
    assert (
        "- Proposed -> Final: 2 approvals from `maintainers`, no open concern, then a comment "
        "period of 7 days"
    ) in default
    assert "`/rfc concern NAME [PATH]`" in default
    custom = load_config(
        'decisions:\n  "Final -> Deprecated": {approvals: majority, approvers: [o/arch], '
        "comment_period: 90m}\n"
        '  "Proposed -> Final": {approvals: all, comment_period: 0}\n'
    )
    text = help_text(custom)
    assert (
        "- Proposed -> Final: approvals from all of `maintainers`, no open concern, then no "
        in (text)
    )
    assert "- Final -> Deprecated: approvals from a majority of `o/arch`" in text
    assert "a comment period of 90 minutes" in text
    assert "no move needs a decision" in help_text(load_config("decisions: {}\n"))
