"""The state of a decision on one RFC, as the fold (``fold.decision_state``) computes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Phase(Enum):
    NONE = "none"  # no decision has started
    COLLECTING = "collecting"  # waiting for approvals, or for concerns or a hold to be lifted
    COMMENT_PERIOD = "comment_period"  # quorum, no concern, no hold: the clock runs
    PAUSED = "paused"  # a concern was raised, or a hold placed, during the comment period
    DONE = "done"  # the App made the move
    CANCELLED = "cancelled"


RUNNING = frozenset({Phase.COLLECTING, Phase.COMMENT_PERIOD, Phase.PAUSED})


@dataclass(frozen=True, slots=True)
class Approval:
    login: str  # lower case
    at: datetime
    link: str
    via: str
    blob: str = ""  # the text approved


@dataclass(frozen=True, slots=True)
class Concern:
    name: str  # lower case
    raised_by: str
    at: datetime
    link: str


@dataclass(frozen=True, slots=True)
class Hold:
    """A maintainer's pause of the RFC's decisions (``/rfc hold [REASON]``)."""

    by: str  # lower case
    at: datetime
    reason: str
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
    # Open, in the order raised. Concerns and a hold belong to the RFC, not to one decision:
    # raised before a decision starts (or after one ended), they block the next one.
    concerns: tuple[Concern, ...] = ()
    hold: Hold | None = None
    period_start: datetime | None = None  # UTC
    period_end: datetime | None = None  # UTC
    move_due: bool = False
    left: tuple[str, ...] = ()  # approved or were eligible at the start, no longer eligible
    joined: tuple[str, ...] = ()  # eligible now, not at the start
    # The last push that changed the RFC after an approval (with dismiss_on_change, approvals
    # before it were withdrawn).
    text_changed_at: datetime | None = None
    # The RFC's text (blob sha) the record last saw, and the one the comment period started
    # on: the move is made only on that text ("" when the history carries no blobs).
    blob: str = ""
    period_blob: str | None = None
    reminder_due: bool = False
    remind: tuple[str, ...] = ()  # who the reminder mentions
    ended_by: str | None = None  # who cancelled

    @property
    def running(self) -> bool:
        return self.phase in RUNNING

    @property
    def held_by(self) -> str | None:
        """The maintainer whose hold pauses the RFC's decisions, or None."""
        return self.hold.by if self.hold is not None else None

    @property
    def blocked(self) -> bool:
        """A concern or a hold keeps the comment period from running."""
        return bool(self.concerns) or self.hold is not None

    @property
    def text_stale(self) -> bool:
        """The text changed since the comment period started: no move on it."""
        return self.period_blob is not None and self.period_blob != self.blob

    @property
    def needed(self) -> int:
        """Approvals still missing for the quorum."""
        return max(self.required - len(self.approvals), 0)

    @property
    def approved_by(self) -> frozenset[str]:
        return frozenset(approval.login for approval in self.approvals)


NO_DECISION = DecisionState(Phase.NONE)
