"""The state of a decision on one RFC: a pure fold over the pull request's history.

GitHub is the database: the App keeps no decision state. Its handlers turn what GitHub holds
(comments, reviews, pushes, the App's own commits and reminders, each with its timestamp) into
the typed events below; ``decision_state`` folds them, with the rule, the roster of eligible
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
  or by a maintainer.
- The comment period starts when the approvals reach the quorum with no concern open. A concern
  raised during the period pauses it; resolving the last one restarts it from zero. Losing the
  quorum (a withdrawal, a push with ``dismiss_on_change``) stops it; regaining it starts it anew.
- When the period has run out, the move is due: from then on only a cancel or the App's move
  commit changes anything (a deadline the panel showed is kept).
- Events at the same instant are applied in one canonical order (``canonical``), and an event
  seen twice counts once, so the state never depends on the order GitHub listed things in.

``may`` answers who may do what, with a reason for each refusal; the fold ignores what ``may``
would refuse, so a refused command in the history never counts later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Literal

from bot.policy.text import plural
from bot.rfc.config_table import DecisionRule
from bot.rfc.config_table.kinds import format_duration


class Phase(Enum):
    NONE = "none"  # no decision has started
    COLLECTING = "collecting"  # waiting for approvals, or for concerns to be resolved
    COMMENT_PERIOD = "comment_period"  # quorum, no concern: the clock runs
    PAUSED = "paused"  # a concern was raised during the comment period
    DONE = "done"  # the App made the move
    CANCELLED = "cancelled"


RUNNING = frozenset({Phase.COLLECTING, Phase.COMMENT_PERIOD, Phase.PAUSED})


# --- The history, as typed values ---------------------------------------------------------
# ``actor`` is a GitHub login in any case (compared lower-cased); ``link`` points to where it
# happened (a comment's or review's html_url), shown in the panel.


@dataclass(frozen=True, slots=True)
class Started:
    at: datetime
    actor: str
    path: str
    current: str  # the status the decision moves from, as the config spells it
    target: str
    link: str = ""
    # The eligible approvers when it started (from the App's own start reply), so the panel can
    # say who left or joined since; None when unknown.
    roster: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Approved:
    """``/rfc approve`` (``via`` "comment") or a review *Approved* (``via`` "review")."""

    at: datetime
    actor: str
    path: str | None  # None: the whole pull request (a review)
    link: str = ""
    via: Literal["comment", "review"] = "comment"


@dataclass(frozen=True, slots=True)
class ChangesRequested:
    """A review *Changes requested*: withdraws the reviewer's approval."""

    at: datetime
    actor: str
    path: str | None = None
    link: str = ""


@dataclass(frozen=True, slots=True)
class ConcernRaised:
    at: datetime
    actor: str
    path: str
    name: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class ConcernResolved:
    at: datetime
    actor: str
    path: str
    name: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class Cancelled:
    at: datetime
    actor: str
    path: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class TextChanged:
    """A push (not the App's own status commit) that changed the RFC file."""

    at: datetime
    path: str
    sha: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Reminded:
    """The App's own reminder comment (proven by its marker)."""

    at: datetime
    path: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Moved:
    """The App's own status commit (proven by its RFC-Proof trailer)."""

    at: datetime
    path: str
    target: str
    sha: str = ""
    actor: str = ""


Event = (
    Started
    | Approved
    | ChangesRequested
    | ConcernRaised
    | ConcernResolved
    | Cancelled
    | TextChanged
    | Reminded
    | Moved
)

# Within one instant: a start before the votes it enables, votes before concerns, the App's
# move last. Any fixed order would do; this one reads naturally.
_RANK: Mapping[type, int] = {
    Started: 0,
    Approved: 1,
    ChangesRequested: 2,
    ConcernRaised: 3,
    ConcernResolved: 4,
    TextChanged: 5,
    Reminded: 6,
    Cancelled: 7,
    Moved: 8,
}


def canonical(events: Iterable[Event]) -> list[Event]:
    """The history in its one canonical order, each distinct event once."""
    return sorted(set(events), key=_order_key)


def _order_key(event: Event) -> tuple[object, ...]:
    return (event.at, _RANK[type(event)], *(_text(value) for value in _fields(event)))


def _fields(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in event.__slots__)  # type: ignore[union-attr]


def _text(value: object) -> str:
    """A field as a sortable string (None, sets and enums included)."""
    if isinstance(value, frozenset):
        return ",".join(sorted(value))
    return "" if value is None else str(value)


# --- Who is eligible, evaluated now -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Roster:
    """The logins who may approve (the rule's approvers resolved now) and the maintainers."""

    approvers: frozenset[str]
    maintainers: frozenset[str] = frozenset()

    @staticmethod
    def of(approvers: Iterable[str], maintainers: Iterable[str] = ()) -> Roster:
        return Roster(_logins(approvers), _logins(maintainers))

    def eligible(self, login: str) -> bool:
        return login.lower() in self.approvers

    def maintainer(self, login: str) -> bool:
        return login.lower() in self.maintainers


def _logins(logins: Iterable[str]) -> frozenset[str]:
    return frozenset(login.lstrip("@").lower() for login in logins)


def quorum(rule: DecisionRule, roster: Roster) -> int:
    """How many approvals the rule needs with this roster (may exceed the roster's size)."""
    size = len(roster.approvers)
    if rule.approvals == "all":
        return max(size, 1)
    if rule.approvals == "majority":
        return size // 2 + 1
    return int(rule.approvals)


# --- The state ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Approval:
    login: str  # lower case
    at: datetime
    link: str
    via: str


@dataclass(frozen=True, slots=True)
class Concern:
    name: str  # lower case
    raised_by: str
    at: datetime
    link: str


@dataclass(frozen=True, slots=True)
class DecisionState:
    phase: Phase
    path: str | None = None
    current: str | None = None
    target: str | None = None
    started_by: str | None = None
    started_at: datetime | None = None
    start_link: str = ""
    required: int = 0  # the quorum, with the roster now
    approvals: tuple[Approval, ...] = ()  # counted: eligible now, once each, by login
    waiting_on: tuple[str, ...] = ()  # eligible approvers who have not approved, sorted
    concerns: tuple[Concern, ...] = ()  # open, in the order raised
    period_start: datetime | None = None  # UTC
    period_end: datetime | None = None  # UTC
    move_due: bool = False
    left: tuple[str, ...] = ()  # approved or were eligible at the start, no longer eligible
    joined: tuple[str, ...] = ()  # eligible now, not at the start
    # The last push that changed the RFC after an approval (with dismiss_on_change, approvals
    # before it were withdrawn).
    text_changed_at: datetime | None = None
    reminder_due: bool = False
    remind: tuple[str, ...] = ()  # who the reminder mentions
    ended_by: str | None = None  # who cancelled

    @property
    def running(self) -> bool:
        return self.phase in RUNNING

    @property
    def needed(self) -> int:
        """Approvals still missing for the quorum."""
        return max(self.required - len(self.approvals), 0)

    @property
    def approved_by(self) -> frozenset[str]:
        return frozenset(approval.login for approval in self.approvals)


NO_DECISION = DecisionState(Phase.NONE)


# --- Who may do what ----------------------------------------------------------------------

Action = Literal["approve", "concern", "resolve", "cancel"]


@dataclass(frozen=True, slots=True)
class Refused:
    """A refusal, as markdown fit to show the user: never silent."""

    reason: str


def may(
    action: Action, actor: str, state: DecisionState, roster: Roster, concern: str | None = None
) -> Refused | None:
    """Whether ``actor`` may ``action`` on the decision in ``state``; None means yes.

    approve and concern: an eligible approver; resolve: who raised the concern, or a
    maintainer; cancel: who started the decision, or a maintainer.
    """
    if not state.running:
        return Refused(_not_running(state))
    if state.move_due and action != "cancel":
        return Refused(
            f"the comment period ended at {utc(state.period_end)}: the move to "
            f"**{state.target}** is due, so the decision can only be cancelled now."
        )
    login = actor.lower()
    if action in ("approve", "concern"):
        if roster.eligible(login):
            return None
        return Refused(f"@{actor} is not an eligible approver here; {describe_roster(roster)}.")
    if action == "resolve":
        open_concern = _find(state.concerns, concern or "")
        if open_concern is None:
            listed = ", ".join(f"`{c.name}`" for c in state.concerns) or "none"
            return Refused(f"there is no open concern `{concern}`; open concerns: {listed}.")
        if login == open_concern.raised_by or roster.maintainer(login):
            return None
        return Refused(
            f"the concern `{open_concern.name}` may be resolved by @{open_concern.raised_by}, "
            f"who raised it, or by a maintainer; @{actor} is neither."
        )
    if login == (state.started_by or "").lower() or roster.maintainer(login):
        return None
    return Refused(
        f"the decision may be cancelled by @{state.started_by}, who started it, or by a "
        f"maintainer; @{actor} is neither."
    )


def _not_running(state: DecisionState) -> str:
    if state.phase is Phase.DONE:
        return f"the decision is over: the RFC was moved to **{state.target}**."
    if state.phase is Phase.CANCELLED:
        return f"the decision was cancelled by @{state.ended_by}; start a new one to continue."
    return "no decision is in progress on this RFC; it starts with the `/rfc status` move."


def describe_roster(roster: Roster) -> str:
    """Who the eligible approvers are, for refusals."""
    if not roster.approvers:
        return "nobody is eligible to approve at the moment"
    names = sorted(roster.approvers)
    shown = ", ".join(f"@{login}" for login in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return f"the eligible approvers are {shown}{more}"


_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def period_words(rule: DecisionRule) -> str:
    """The comment period in words: ``7 days``, ``90 minutes``, ``none``."""
    written = format_duration(rule.comment_period)
    if written == "0":
        return "none"
    return plural(int(written[:-1]), _UNITS[written[-1]])


def describe_rule(rule: DecisionRule) -> str:
    """What a decision takes, in one line of markdown (the panel and ``/rfc help``)."""
    who = ", ".join(f"`{name}`" for name in rule.approvers)
    if rule.approvals == "majority":
        approvals = f"approvals from a majority of {who}"
    elif rule.approvals == "all":
        approvals = f"approvals from all of {who}"
    else:
        approvals = f"{plural(int(rule.approvals), 'approval')} from {who}"
    period = (
        f"a comment period of {period_words(rule)}" if rule.comment_period else "no comment period"
    )
    return f"{approvals}, no open concern, then {period}"


def utc(moment: datetime | None) -> str:
    """An absolute UTC time as the panel and replies show it."""
    if moment is None:
        return "(not set)"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- The fold -----------------------------------------------------------------------------


@dataclass
class _Fold:
    """The mutable state of one replay; only ``decision_state`` sees it."""

    rules: Mapping[str, DecisionRule] | None
    rule: DecisionRule | None
    roster: Roster
    state: DecisionState = NO_DECISION
    votes: dict[str, Approval | None] = field(default_factory=dict)  # login -> latest vote
    concerns: dict[str, Concern] = field(default_factory=dict)
    paused: bool = False
    reminded_at: list[datetime] = field(default_factory=list)
    start_roster: frozenset[str] | None = None


def decision_state(
    path: str,
    events: Iterable[Event],
    rule: DecisionRule | Mapping[str, DecisionRule],
    roster: Roster,
    now: datetime,
) -> DecisionState:
    """The state of the decision on ``path`` now.

    ``rule``: the rule of the transition (or the config's ``decisions``, to pick the rule of
    whichever transition the latest start names). ``roster``: eligible approvers and
    maintainers as they are now. ``events``: the pull request's history, in any order; events
    about other paths are ignored (a review, whose path is None, is about every RFC), and so
    are events later than ``now``.
    """
    fold = _Fold(
        rules=None if isinstance(rule, DecisionRule) else rule,
        rule=rule if isinstance(rule, DecisionRule) else None,
        roster=roster,
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
    if not state.running:
        return
    if isinstance(event, Cancelled):
        if may("cancel", event.actor, _snapshot(fold), fold.roster) is None:
            fold.state = replace(state, phase=Phase.CANCELLED, ended_by=event.actor.lower())
        return
    if state.move_due:
        return  # the deadline passed: only a cancel or the move itself count now
    _apply_vote(fold, event)


def _apply_vote(fold: _Fold, event: Event) -> None:
    login = event.actor.lower()
    if isinstance(event, Approved):
        if fold.roster.eligible(login):
            fold.votes[login] = Approval(login, event.at, event.link, event.via)
    elif isinstance(event, ChangesRequested):
        fold.votes[login] = None
    elif isinstance(event, ConcernRaised):
        if fold.roster.eligible(login) and event.name.lower() not in fold.concerns:
            name = event.name.lower()
            fold.concerns[name] = Concern(name, login, event.at, event.link)
    elif isinstance(event, ConcernResolved):
        snapshot = _snapshot(fold)
        if may("resolve", login, snapshot, fold.roster, event.name.lower()) is None:
            del fold.concerns[event.name.lower()]
    elif isinstance(event, TextChanged):
        _text_changed(fold, event)
    else:  # Reminded: the only event left once a decision runs
        fold.reminded_at.append(event.at)


def _text_changed(fold: _Fold, event: TextChanged) -> None:
    if not any(fold.votes.values()):
        return
    fold.state = replace(fold.state, text_changed_at=event.at)
    if fold.rule is not None and fold.rule.dismiss_on_change:
        fold.votes.clear()


def _start(fold: _Fold, event: Started) -> None:
    if fold.rules is not None:
        fold.rule = _rule_for(fold.rules, event.current, event.target)
    if fold.rule is None:
        return  # not a transition with a rule: nothing to decide
    fold.votes.clear()
    fold.concerns.clear()
    fold.paused = False
    fold.reminded_at.clear()
    fold.start_roster = event.roster
    fold.state = DecisionState(
        Phase.COLLECTING,
        path=event.path,
        current=event.current,
        target=event.target,
        started_by=event.actor.lower(),
        started_at=event.at,
        start_link=event.link,
        required=quorum(fold.rule, fold.roster),
    )
    # The starter's own approval counts when they are eligible.
    if fold.roster.eligible(event.actor):
        login = event.actor.lower()
        fold.votes[login] = Approval(login, event.at, event.link, "start")


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
    blocked = bool(fold.concerns)
    if state.period_start is None:
        if reached and not blocked:
            fold.state = replace(state, period_start=at, phase=Phase.COMMENT_PERIOD)
    elif fold.paused:
        if not blocked:
            fold.paused = False
            start = at if reached else None
            phase = Phase.COMMENT_PERIOD if reached else Phase.COLLECTING
            fold.state = replace(state, period_start=start, phase=phase)
    elif blocked:
        fold.paused = True
        fold.state = replace(state, phase=Phase.PAUSED)
    elif not reached:
        fold.state = replace(state, period_start=None, phase=Phase.COLLECTING)


def _settle_deadline(fold: _Fold, at: datetime) -> None:
    """Mark the move due once a running, unpaused period has run out by ``at``."""
    state = fold.state
    if state.phase is not Phase.COMMENT_PERIOD or state.move_due or fold.rule is None:
        return
    assert state.period_start is not None  # the phase is set together with the start
    if at >= state.period_start + fold.rule.comment_period:
        fold.state = replace(state, move_due=True)


def _snapshot(fold: _Fold) -> DecisionState:
    return replace(fold.state, concerns=tuple(fold.concerns.values()))


def _find(concerns: Iterable[Concern], name: str) -> Concern | None:
    return next((concern for concern in concerns if concern.name == name.lower()), None)


def _finish(fold: _Fold, now: datetime) -> DecisionState:
    state = fold.state
    if state.phase is Phase.NONE or fold.rule is None:
        return state
    roster = fold.roster
    approvals = tuple(
        sorted((vote for vote in fold.votes.values() if vote is not None), key=lambda a: a.login)
    )
    counted = tuple(approval for approval in approvals if roster.eligible(approval.login))
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
        concerns=tuple(fold.concerns.values()),
        period_end=period_end,
        left=tuple(sorted(left)),
        joined=tuple(sorted(joined)),
    )
    return _with_reminder(state, fold, now)


def _with_reminder(state: DecisionState, fold: _Fold, now: datetime) -> DecisionState:
    """One reminder per stretch (collecting since the start, or the current period), once
    ``remind_after`` has passed, to eligible approvers who have neither approved nor raised
    an open concern."""
    rule = fold.rule
    if rule is None or not rule.remind_after or not state.running or state.move_due:
        return state
    raised = {concern.raised_by for concern in state.concerns}
    remind = tuple(login for login in state.waiting_on if login not in raised)
    anchor = state.period_start if state.phase is Phase.COMMENT_PERIOD else state.started_at
    assert anchor is not None  # a running decision has started
    already = any(at >= anchor for at in fold.reminded_at)
    due = bool(remind) and not already and now >= anchor + rule.remind_after
    return replace(state, reminder_due=due, remind=remind if due else ())
