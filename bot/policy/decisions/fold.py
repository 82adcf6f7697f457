"""The state of a decision on one RFC: a pure fold over the pull request's history.

The App's decision record (``record``) is the history: each accepted command, review, text
change, move and reminder, with its timestamp, becomes a typed event of ``events``;
``decision_state`` folds them, with the rule, the roster of eligible
approvers as it is *now*, and the time now, into a ``DecisionState``. Any replica, at any
time, after any restart, computes the same state from the same history.

The rules of the fold:

- A decision starts with ``Started`` (an accepted ``/rfc status <target>`` on a transition that
  has a rule) and counts only what happens after its start. A new start after a cancel or a
  move begins afresh.
- An approval (``/rfc approve`` or a review *Approved*) counts once per person, while that
  person is eligible now; a later *Changes requested* from the same person withdraws it, and a
  later approval gives it back.
- A named concern from an eligible approver always blocks. It is resolved by whoever raised it
  or by a resolver (the maintainers, unless the rule's ``resolvers`` names others).
- A maintainer's hold (``Held``) blocks like a concern, until a maintainer lifts it
  (``Unheld``); one hold at a time.
- Concerns and the hold belong to the RFC, not to one decision: raised before a decision starts
  (or after one was cancelled), they stay open, and block the next decision, until resolved.
- The comment period starts when the approvals reach the quorum with no concern open and no
  hold. A concern or a hold during the period pauses it; resolving the last concern or lifting
  the hold, whichever comes last, restarts it from zero. Losing the quorum (a withdrawal, a
  push with ``dismiss_on_change``) stops it; regaining it starts it anew.
- When the period has run out, the move is due: from then on only a cancel or the App's move
  commit changes anything (a deadline the panel showed is kept).
- Events at the same instant are applied in one canonical order (``canonical``), and an event
  seen twice counts once, so the state never depends on the order GitHub listed things in.

The fold ignores what ``eligibility.may`` would refuse, so a refused command in the history
never counts later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.policy.decisions.eligibility import Roster, may, quorum
from bot.policy.decisions.events import (
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    Event,
    Held,
    Moved,
    Started,
    TextChanged,
    Unheld,
    canonical,
)
from bot.policy.decisions.state import NO_DECISION, Approval, Concern, DecisionState, Hold, Phase
from bot.rfc.config.public import DecisionRule


@dataclass
class _Fold:
    """The mutable state of one replay; only ``decision_state`` sees it."""

    rules: Mapping[str, DecisionRule] | None
    rule: DecisionRule | None
    roster: Roster
    state: DecisionState = NO_DECISION
    votes: dict[str, Approval | None] = field(default_factory=dict)  # login -> latest vote
    concerns: dict[str, Concern] = field(default_factory=dict)  # open on the RFC, any decision
    hold: Hold | None = None
    paused: bool = False
    reminded_at: list[datetime] = field(default_factory=list)
    start_roster: frozenset[str] | None = None
    blob: str = ""  # the RFC's text as the history last saw it
    recorded: bool = False  # the events were checked when accepted: count them as recorded


def decision_state(
    path: str,
    events: Iterable[Event],
    rule: DecisionRule | Mapping[str, DecisionRule],
    roster: Roster,
    now: datetime,
    *,
    recorded: bool = False,
) -> DecisionState:
    """The state of the decision on ``path`` now.

    ``rule``: the rule of the transition (or the config's ``decisions``, to pick the rule of
    whichever transition the latest start names). ``roster``: eligible approvers and
    maintainers as they are now. ``events``: the pull request's history, in any order; events
    about other paths are ignored (a review, whose path is None, is about every RFC), and so
    are events later than ``now``. ``recorded``: the events come from the App's decision
    record, where each was checked when accepted, so a recorded approval counts and a recorded
    concern stays open even if its author has lost access since.
    """
    fold = _Fold(
        rules=None if isinstance(rule, DecisionRule) else rule,
        rule=rule if isinstance(rule, DecisionRule) else None,
        roster=roster,
        recorded=recorded,
    )
    for event in canonical(events):
        if event.at > now:
            break  # the state now: what happens later (a skewed clock) is not history yet
        if getattr(event, "path", None) not in (path, None):
            continue
        _settle_deadline(fold, event.at)
        _apply(fold, event)
        _after(fold, event.at)
    _settle_deadline(fold, now)
    return _finish(fold, now)


def _apply(fold: _Fold, event: Event) -> None:
    state = fold.state
    if isinstance(event, Started):
        if not state.running:
            _start(fold, event)
        return
    if isinstance(event, Moved):
        if state.running and event.target == state.target:
            fold.state = replace(state, phase=Phase.DONE)
        return
    if isinstance(event, Cancelled):
        if state.running and (
            fold.recorded or may("cancel", event.actor, _snapshot(fold), fold.roster) is None
        ):
            fold.state = replace(state, phase=Phase.CANCELLED, ended_by=event.actor.lower())
        return
    if state.running and state.move_due:
        return  # the deadline passed: only a cancel or the move itself count now
    if isinstance(event, ConcernRaised | ConcernResolved | Held | Unheld):
        _apply_block(fold, event)  # the RFC's, whether or not a decision runs
    elif state.running:
        _apply_vote(fold, event)


def _apply_vote(fold: _Fold, event: Event) -> None:
    login = event.actor.lower()
    if isinstance(event, Approved):
        if fold.recorded or fold.roster.eligible(login):
            fold.votes[login] = Approval(login, event.at, event.link, event.via, event.blob)
    elif isinstance(event, ChangesRequested):
        fold.votes[login] = None
    elif isinstance(event, TextChanged):
        _text_changed(fold, event)
    else:  # Reminded: the only event left once a decision runs
        fold.reminded_at.append(event.at)


def _apply_block(fold: _Fold, event: ConcernRaised | ConcernResolved | Held | Unheld) -> None:
    """A concern raised or resolved, a hold placed or lifted: what ``may`` allows (a recorded
    event was allowed when accepted; only its effect on the open set is checked again)."""
    login = event.actor.lower()
    allowed = fold.recorded
    if isinstance(event, ConcernRaised):
        name = event.name.lower()
        if (allowed or fold.roster.eligible(login)) and name not in fold.concerns:
            fold.concerns[name] = Concern(name, login, event.at, event.link)
    elif isinstance(event, ConcernResolved):
        name = event.name.lower()
        if name in fold.concerns and (
            allowed or may("resolve", login, _snapshot(fold), fold.roster, name) is None
        ):
            del fold.concerns[name]
    elif isinstance(event, Held):
        if fold.hold is None and (allowed or fold.roster.maintainer(login)):
            fold.hold = Hold(login, event.at, event.reason, event.link)
    elif fold.hold is not None and (allowed or fold.roster.maintainer(login)):
        fold.hold = None  # Unheld


def _text_changed(fold: _Fold, event: TextChanged) -> None:
    """The text is now blob ``event.sha``: with ``dismiss_on_change``, approvals of any other
    text are withdrawn (by content: an approval of the new text stays)."""
    fold.blob = event.sha
    fold.state = replace(fold.state, blob=event.sha)
    if not any(fold.votes.values()):
        return
    fold.state = replace(fold.state, text_changed_at=event.at)
    if fold.rule is not None and fold.rule.dismiss_on_change:
        for login, vote in list(fold.votes.items()):
            if vote is not None and (not vote.blob or vote.blob != event.sha):
                fold.votes[login] = None


def _start(fold: _Fold, event: Started) -> None:
    if fold.rules is not None:
        fold.rule = _rule_for(fold.rules, event.current, event.target)
    if fold.rule is None:
        return  # not a transition with a rule: nothing to decide
    fold.votes.clear()  # approvals belong to one decision; concerns and the hold stay open
    fold.paused = False
    fold.reminded_at.clear()
    fold.start_roster = event.roster
    fold.blob = event.blob
    fold.state = DecisionState(
        Phase.COLLECTING,
        path=event.path,
        current=event.current,
        target=event.target,
        started_by=event.actor.lower(),
        started_at=event.at,
        start_link=event.link,
        required=quorum(fold.rule, fold.roster),
        blob=event.blob,
    )
    # The starter's own approval counts when they are eligible.
    if fold.roster.eligible(event.actor):
        login = event.actor.lower()
        fold.votes[login] = Approval(login, event.at, event.link, "start", event.blob)


def _rule_for(rules: Mapping[str, DecisionRule], current: str, target: str) -> DecisionRule | None:
    wanted = (current.strip().lower(), target.strip().lower())
    for key, rule in rules.items():
        source, _, destination = key.partition("->")
        if (source.strip().lower(), destination.strip().lower()) == wanted:
            return rule
    return None


def _counted(fold: _Fold) -> int:
    return sum(1 for vote in fold.votes.values() if vote is not None)


def _after(fold: _Fold, at: datetime) -> None:
    """Start, pause, restart or stop the comment period after an event at ``at``."""
    state = fold.state
    if not state.running or state.move_due:
        return
    reached = _counted(fold) >= state.required and state.required > 0
    blocked = bool(fold.concerns) or fold.hold is not None
    if state.period_start is None:
        if reached and not blocked:
            fold.state = replace(
                state, period_start=at, phase=Phase.COMMENT_PERIOD, period_blob=fold.blob
            )
    elif fold.paused:
        if not blocked:
            fold.paused = False
            start = at if reached else None
            phase = Phase.COMMENT_PERIOD if reached else Phase.COLLECTING
            blob = fold.blob if reached else None
            fold.state = replace(state, period_start=start, phase=phase, period_blob=blob)
    elif blocked:
        fold.paused = True
        fold.state = replace(state, phase=Phase.PAUSED)
    elif not reached:
        fold.state = replace(state, period_start=None, phase=Phase.COLLECTING, period_blob=None)


def _settle_deadline(fold: _Fold, at: datetime) -> None:
    """Mark the move due once a running, unpaused period has run out by ``at``."""
    state = fold.state
    if state.phase is not Phase.COMMENT_PERIOD or state.move_due or fold.rule is None:
        return
    assert state.period_start is not None  # the phase is set together with the start
    if at >= state.period_start + fold.rule.comment_period:
        fold.state = replace(state, move_due=True)


def _snapshot(fold: _Fold) -> DecisionState:
    return replace(fold.state, concerns=tuple(fold.concerns.values()), hold=fold.hold)


def _finish(fold: _Fold, now: datetime) -> DecisionState:
    state = replace(fold.state, concerns=tuple(fold.concerns.values()), hold=fold.hold)
    if state.phase is Phase.NONE or fold.rule is None:
        return state
    roster = fold.roster
    approvals = tuple(
        sorted((vote for vote in fold.votes.values() if vote is not None), key=lambda a: a.login)
    )
    counted = tuple(a for a in approvals if fold.recorded or roster.eligible(a.login))
    approved = {approval.login for approval in counted}
    start_roster = fold.start_roster
    left = {approval.login for approval in approvals} - roster.approvers
    if start_roster is not None:
        left |= start_roster - roster.approvers
    joined = roster.approvers - start_roster if start_roster is not None else frozenset()
    period_end = (
        state.period_start + fold.rule.comment_period if state.period_start is not None else None
    )
    state = replace(
        state,
        required=quorum(fold.rule, roster),
        approvals=counted,
        waiting_on=tuple(sorted(roster.approvers - approved)),
        period_end=period_end,
        left=tuple(sorted(left)),
        joined=tuple(sorted(joined)),
    )
    return _with_reminder(state, fold, now)


def _with_reminder(state: DecisionState, fold: _Fold, now: datetime) -> DecisionState:
    """One reminder per stretch (collecting since the start, or the current period), once
    ``remind_after`` has passed, to eligible approvers who have neither approved nor raised
    an open concern. Nobody is reminded while the RFC is on hold."""
    rule = fold.rule
    if rule is None or not rule.remind_after or not state.running or state.move_due:
        return state
    if state.hold is not None:
        return state
    raised = {concern.raised_by for concern in state.concerns}
    remind = tuple(login for login in state.waiting_on if login not in raised)
    anchor = state.period_start if state.phase is Phase.COMMENT_PERIOD else state.started_at
    assert anchor is not None  # a running decision has started
    already = any(at >= anchor for at in fold.reminded_at)
    due = bool(remind) and not already and now >= anchor + rule.remind_after
    return replace(state, reminder_due=due, remind=remind if due else ())
