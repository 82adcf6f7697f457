"""Decisions on status moves: events from GitHub's history, the fold into a state, who may
take part, and what the App says. Pure. This face re-exports the public names."""

from bot.policy.decisions.eligibility import (
    Action,
    Refused,
    Roster,
    describe_roster,
    may,
    next_rule,
    quorum,
)
from bot.policy.decisions.events import (
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    Event,
    Held,
    Moved,
    Reminded,
    Started,
    TextChanged,
    Unheld,
    canonical,
)
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.state import (
    NO_DECISION,
    RUNNING,
    Approval,
    Concern,
    DecisionState,
    Hold,
    Phase,
)
from bot.policy.decisions.texts import describe_rule, period_words, utc

__all__ = [
    "NO_DECISION",
    "RUNNING",
    "Action",
    "Approval",
    "Approved",
    "Cancelled",
    "ChangesRequested",
    "Concern",
    "ConcernRaised",
    "ConcernResolved",
    "DecisionState",
    "Event",
    "Held",
    "Hold",
    "Moved",
    "Phase",
    "Refused",
    "Reminded",
    "Roster",
    "Started",
    "TextChanged",
    "Unheld",
    "canonical",
    "decision_state",
    "describe_roster",
    "describe_rule",
    "may",
    "next_rule",
    "period_words",
    "quorum",
    "utc",
]
