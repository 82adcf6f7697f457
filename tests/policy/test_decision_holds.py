"""Concerns before a decision, holds, and who may resolve: the pure fold and ``may``.

Concerns and the hold belong to the RFC: raised before a decision starts they block its
comment period, they outlive a cancel, and the period runs iff the quorum is in, no concern is
open and nothing is on hold.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
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
    Held,
    Moved,
    Phase,
    Refused,
    Reminded,
    Roster,
    Started,
    TextChanged,
    Unheld,
    decision_state,
    may,
    next_rule,
)
from bot.policy.decisions.texts import (
    acknowledged_text,
    describe_resolvers,
    nothing_to_block_text,
)
from bot.policy.replies import help_text
from bot.rfc.config.public import Config, ConfigError, DecisionRule, load_config

PATH = "rfcs/0000-retries.md"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
RULE = DecisionRule()  # 2 approvals, 7 days
ROSTER = Roster.of(["alice", "bob", "carol"], maintainers=["alice", "bob", "mia"])


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def start(hours: float = 0, actor: str = "alice") -> Started:
    return Started(at(hours), actor, PATH, "Proposed", "Final", f"#start-{hours}")


def approve(hours: float, actor: str) -> Approved:
    return Approved(at(hours), actor, PATH, f"#a-{actor}-{hours}")


def concern(hours: float, actor: str, name: str = "perf") -> ConcernRaised:
    return ConcernRaised(at(hours), actor, PATH, name, f"#c-{name}")


def resolve(hours: float, actor: str, name: str = "perf") -> ConcernResolved:
    return ConcernResolved(at(hours), actor, PATH, name, f"#r-{name}")


def hold(hours: float, actor: str = "mia", reason: str = "security review") -> Held:
    return Held(at(hours), actor, PATH, reason, f"#h-{hours}")


def unhold(hours: float, actor: str = "mia") -> Unheld:
    return Unheld(at(hours), actor, PATH, f"#u-{hours}")


def fold(
    events: list[Event],
    now: datetime,
    rule: DecisionRule = RULE,
    roster: Roster = ROSTER,
    *,
    recorded: bool = False,
) -> DecisionState:
    return decision_state(PATH, events, rule, roster, now, recorded=recorded)


# --- Concerns before a decision ------------------------------------------------------------


def test_an_early_concern_is_open_before_any_decision() -> None:
    state = fold([concern(0, "carol")], at(1))
    assert state.phase is Phase.NONE and not state.running
    assert [(c.name, c.raised_by) for c in state.concerns] == [("perf", "carol")]
    assert state.blocked


def test_an_early_concern_blocks_the_quorum_until_resolved_then_the_period_starts() -> None:
    history: list[Event] = [concern(0, "carol"), start(1), approve(2, "bob")]
    blocked = fold(history, at(3))
    assert blocked.phase is Phase.COLLECTING and blocked.period_start is None
    assert len(blocked.approvals) == blocked.required == 2  # the quorum is in, the concern holds
    resolved = fold([*history, resolve(4, "carol")], at(5))
    assert resolved.phase is Phase.COMMENT_PERIOD
    assert (resolved.period_start, resolved.period_end) == (at(4), at(4) + WEEK)


def test_an_early_concern_resolved_before_the_start_blocks_nothing() -> None:
    history: list[Event] = [concern(0, "carol"), resolve(1, "carol"), start(2), approve(3, "bob")]
    state = fold(history, at(4))
    assert state.phase is Phase.COMMENT_PERIOD and state.period_start == at(3)


def test_an_ineligible_early_concern_is_ignored_unless_recorded() -> None:
    assert fold([concern(0, "mallory")], at(1)).concerns == ()
    # The record holds only what was checked when accepted: it stays open.
    assert len(fold([concern(0, "mallory")], at(1), recorded=True).concerns) == 1


def test_concerns_outlive_a_cancel_so_a_restart_cannot_clear_them() -> None:
    """A cancel and a new start would otherwise resolve a concern nobody may resolve."""
    roster = Roster.of(["alice", "bob", "carol"], ["alice"], resolvers=[])
    history: list[Event] = [
        start(0),
        approve(1, "bob"),
        concern(2, "carol"),
        Cancelled(at(3), "alice", PATH),
        start(4),
        approve(5, "bob"),
    ]
    state = fold(history, at(6), roster=roster)
    assert state.phase is Phase.COLLECTING and [c.name for c in state.concerns] == ["perf"]
    assert state.started_at == at(4)


# --- Holds ---------------------------------------------------------------------------------


def test_a_hold_pauses_the_period_and_unhold_restarts_it_from_zero() -> None:
    history: list[Event] = [start(0), approve(1, "bob"), hold(30, reason="legal")]
    paused = fold(history, at(500))
    assert paused.phase is Phase.PAUSED and not paused.move_due  # 500h > 1h + a week
    assert paused.held_by == "mia" and paused.hold is not None
    assert (paused.hold.reason, paused.hold.at, paused.hold.link) == ("legal", at(30), "#h-30")
    restarted = fold([*history, unhold(40, "bob")], at(41))  # any maintainer lifts it
    assert restarted.phase is Phase.COMMENT_PERIOD and restarted.held_by is None
    assert (restarted.period_start, restarted.period_end) == (at(40), at(40) + WEEK)


def test_a_hold_before_quorum_keeps_the_period_from_starting() -> None:
    history: list[Event] = [start(0), hold(1), approve(2, "bob")]
    assert fold(history, at(3)).phase is Phase.COLLECTING
    lifted = fold([*history, unhold(4)], at(5))
    assert lifted.phase is Phase.COMMENT_PERIOD and lifted.period_start == at(4)


def test_a_hold_before_any_decision_blocks_the_next_one() -> None:
    history: list[Event] = [hold(0), start(1), approve(2, "bob")]
    state = fold(history, at(3))
    assert state.phase is Phase.COLLECTING and state.held_by == "mia"


def test_the_period_restarts_only_when_both_the_concern_and_the_hold_are_gone() -> None:
    history: list[Event] = [start(0), approve(1, "bob"), concern(2, "carol"), hold(3)]
    assert fold([*history, resolve(4, "carol")], at(5)).phase is Phase.PAUSED
    assert fold([*history, unhold(4)], at(5)).phase is Phase.PAUSED
    both = fold([*history, unhold(4), resolve(6, "carol")], at(7))
    assert both.phase is Phase.COMMENT_PERIOD and both.period_start == at(6)


def test_holds_by_non_maintainers_are_ignored_and_one_hold_at_a_time() -> None:
    assert fold([start(0), hold(1, "carol")], at(2)).held_by is None  # an approver only
    second = fold([start(0), hold(1, "mia", "first"), hold(2, "bob", "second")], at(3))
    assert second.held_by == "mia" and second.hold is not None and second.hold.reason == "first"
    kept = fold([start(0), hold(1), unhold(2, "carol")], at(3))
    assert kept.held_by == "mia"  # carol may not lift it


def test_a_hold_after_the_deadline_is_too_late() -> None:
    history: list[Event] = [start(0), approve(1, "bob"), hold(1 + 24 * 8)]
    state = fold(history, at(24 * 9))
    assert state.move_due and state.held_by is None


def test_nobody_is_reminded_while_on_hold() -> None:
    rule = DecisionRule(remind_after=timedelta(hours=10))
    assert fold([start(0)], at(11), rule).reminder_due
    assert not fold([start(0), hold(1)], at(11), rule).reminder_due


def test_the_hold_stays_after_a_move() -> None:
    """A plain fact of the RFC (others may read ``held_by``): the decision's end does not
    lift it, only an unhold does."""
    history: list[Event] = [start(0), approve(0, "bob"), Moved(at(24 * 8), PATH, "Final")]
    state = fold([*history, hold(24 * 9)], at(24 * 10))
    assert state.phase is Phase.DONE and state.held_by == "mia"


# --- may: who may do what ------------------------------------------------------------------


def test_may_hold_and_unhold_explain_every_refusal() -> None:
    running = fold([start(0)], at(1))
    assert may("hold", "mia", running, ROSTER) is None
    assert may("hold", "carol", running, ROSTER) == Refused(
        "only a maintainer may `/rfc hold`; @carol is not a maintainer here."
    )
    assert may("unhold", "mia", running, ROSTER) == Refused(
        "it is not on hold, so there is nothing to lift."
    )
    held = fold([start(0), hold(1)], at(2))
    assert may("hold", "bob", held, ROSTER) == Refused(
        "it is already on hold, by @mia since 2024-05-01 10:00 UTC; `/rfc unhold` lifts it."
    )
    assert may("unhold", "bob", held, ROSTER) is None
    assert may("unhold", "carol", held, ROSTER) is not None


def test_concerns_and_holds_may_come_before_a_decision_approvals_may_not() -> None:
    none = fold([], at(1))
    assert may("concern", "carol", none, ROSTER) is None
    assert may("hold", "mia", none, ROSTER) is None
    assert may("concern", "mallory", none, ROSTER) is not None
    refused = may("approve", "bob", none, ROSTER)
    assert refused is not None and "no decision is in progress" in refused.reason
    assert may("cancel", "mia", none, ROSTER) is not None
    early = fold([concern(0, "carol")], at(1))
    assert may("resolve", "carol", early, ROSTER, "perf") is None


def test_resolvers_name_who_may_resolve_besides_the_raiser() -> None:
    state = fold([start(0), concern(1, "carol")], at(2))
    default = may("resolve", "bob", state, ROSTER, "perf")
    assert default is None  # bob is a maintainer, and resolvers default to maintainers
    security = Roster.of(["alice", "bob", "carol"], ["alice", "bob"], resolvers=["sam"])
    refused = may("resolve", "bob", state, security, "perf")
    assert refused == Refused(
        "the concern `perf` may be resolved by @carol, who raised it, or by one of @sam (the "
        "rule's `resolvers`); @bob is neither."
    )
    assert may("resolve", "SAM", state, security, "perf") is None
    assert may("resolve", "carol", state, security, "perf") is None
    alone = Roster.of(["alice", "bob", "carol"], ["alice", "bob"], resolvers=[])
    refused = may("resolve", "alice", state, alone, "perf")
    assert refused is not None and "by nobody else" in refused.reason
    # The fold ignores what may refuses: the concern stays open.
    assert fold([start(0), concern(1, "carol"), resolve(2, "bob")], at(3), roster=security).concerns


def test_next_rule_is_the_rule_of_the_first_move_with_one() -> None:
    assert next_rule(Config(), "Proposed") == RULE
    assert next_rule(Config(), "Draft") is None
    assert next_rule(Config(), None) is None
    custom = load_config('decisions:\n  "Draft -> Proposed": {approvals: 1}\n')
    rule = next_rule(custom, "Draft")
    assert rule is not None and rule.approvals == 1


# --- The resolvers rule in the config, the help and the words ------------------------------


def test_resolvers_are_read_from_the_config_and_checked() -> None:
    def rule_of(text: str) -> DecisionRule:
        return load_config(f'decisions:\n  "Proposed -> Final": {text}\n').decisions[
            "Proposed -> Final"
        ]

    assert Config().decisions["Proposed -> Final"].resolvers == ("maintainers",)
    assert rule_of("{resolvers: []}").resolvers == ()
    assert rule_of('{resolvers: [o/security, "@dana"]}').resolvers == ("o/security", "dana")
    with pytest.raises(ConfigError, match="'maintainer' is not a group"):
        rule_of("{resolvers: [maintainer]}")
    with pytest.raises(ConfigError, match="resolvers: expected a list"):
        rule_of("{resolvers: maintainers}")


def test_help_and_words_name_the_resolvers_and_the_hold() -> None:
    assert describe_resolvers(RULE) == "whoever raised it, or a maintainer"
    custom = DecisionRule(resolvers=("maintainers", "o/security"))
    assert describe_resolvers(custom) == "whoever raised it, or a maintainer or `o/security`"
    assert describe_resolvers(DecisionRule(resolvers=())) == "whoever raised it"
    default_help = help_text(Config())
    assert "`/rfc hold [PATH] [REASON...]`" in default_help and "`/rfc unhold" in default_help
    assert "a concern is resolved by" not in default_help
    config = load_config('decisions:\n  "Proposed -> Final": {resolvers: []}\n')
    assert "; a concern is resolved by whoever raised it" in help_text(config)


def test_replies_say_whether_a_decision_was_running() -> None:
    early = acknowledged_text("concern", "carol", PATH, name="perf", running=False)
    assert early == (
        f"the concern `perf` on `{PATH}` blocks the next decision's comment period until it is "
        "resolved with `/rfc resolve perf`."
    )
    held = acknowledged_text("hold", "mia", PATH)
    assert held == (
        f"`{PATH}` is on hold: it blocks the decision until a maintainer lifts it with "
        "`/rfc unhold`."
    )
    assert "is lifted" in acknowledged_text("unhold", "mia", PATH)
    assert "block nothing" in nothing_to_block_text(PATH, "Draft")
    assert "not one of this repository's statuses" in nothing_to_block_text(PATH, None)


# --- Properties ----------------------------------------------------------------------------

LOGINS = ["alice", "bob", "carol", "mallory", "mia"]
NAMES = ["perf", "naming"]


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Histories with holds, on a coarse clock, so that many events share an instant."""
    hour = st.integers(0, 300).map(at)
    login = st.sampled_from([*LOGINS, "bob", "mia"])  # more often someone who may act
    name = st.sampled_from(NAMES)
    event = st.one_of(
        st.builds(Started, hour, login, st.just(PATH), st.just("Proposed"), st.just("Final")),
        st.builds(Approved, hour, login, st.sampled_from([PATH, None])),
        st.builds(ChangesRequested, hour, login),
        st.builds(ConcernRaised, hour, login, st.just(PATH), name),
        st.builds(ConcernResolved, hour, login, st.just(PATH), name),
        st.builds(Held, hour, login, st.just(PATH), st.sampled_from(["", "legal"])),
        st.builds(Unheld, hour, login, st.just(PATH)),
        st.builds(Cancelled, hour, login, st.just(PATH)),
        st.builds(TextChanged, hour, st.just(PATH), st.sampled_from(["a", "b"])),
        st.builds(Reminded, hour, st.just(PATH)),
    )
    events = draw(st.lists(event, max_size=25))
    # Most histories start a decision first: the interesting states are the running ones.
    return [start(0), *events] if draw(st.integers(0, 3)) else events


rules = st.builds(
    DecisionRule,
    approvals=st.sampled_from([1, 2, 2, 3, "majority", "all"]),
    # Mostly a period longer than the histories: pauses and restarts happen before it ends.
    comment_period=st.sampled_from([timedelta(0), timedelta(hours=5), WEEK * 4, WEEK * 4]),
    remind_after=st.sampled_from([None, timedelta(hours=10)]),
    dismiss_on_change=st.booleans(),
)
rosters = st.sampled_from(
    [ROSTER, Roster.of(["alice", "bob", "carol"], ["mia"], resolvers=[]), Roster.of([], ["mia"])]
)
HELD_THEN_APPROVED: list[Event] = [hold(0), start(1), approve(1, "bob")]


@given(histories(), rules, rosters, st.integers(0, 400), st.booleans())
@example(HELD_THEN_APPROVED, RULE, ROSTER, 2, False)
@example([concern(0, "carol"), start(1), approve(1, "bob")], RULE, ROSTER, 2, False)
@example([start(0), approve(0, "bob"), hold(1), unhold(2)], RULE, ROSTER, 3, True)
def test_the_period_runs_iff_quorum_and_no_concern_and_no_hold(
    history: list[Event], rule: DecisionRule, roster: Roster, hours: int, recorded: bool
) -> None:
    state = fold(history, at(hours), rule, roster, recorded=recorded)
    if not state.running or state.move_due:
        return
    quorum = state.required > 0 and len(state.approvals) >= state.required
    runs = quorum and not state.concerns and state.held_by is None
    assert (state.phase is Phase.COMMENT_PERIOD) == runs
    has_period = state.phase in (Phase.COMMENT_PERIOD, Phase.PAUSED)
    assert (state.period_start is not None) == has_period
    if state.phase is Phase.PAUSED:
        assert state.blocked


@given(histories(), rules, st.randoms(use_true_random=False))
@example([hold(0), unhold(0), hold(0, "bob")], RULE, random.Random(1))
def test_holds_in_any_order_and_repeated_give_the_same_state(
    history: list[Event], rule: DecisionRule, shuffler: random.Random
) -> None:
    shuffled = list(history)
    shuffler.shuffle(shuffled)
    repeated = shuffled + shuffler.sample(history, k=len(history) // 2)
    assert fold(repeated, at(400), rule) == fold(history, at(400), rule)
