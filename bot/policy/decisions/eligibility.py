"""Who may take part in a decision, evaluated now: the roster, the quorum, and ``may``.

``may`` answers who may do what, with a reason for each refusal; the fold ignores what ``may``
would refuse, so a refused command in the history never counts later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.policy.decisions.state import Concern, DecisionState, Phase
from bot.policy.decisions.texts import utc
from bot.rfc.config.public import DecisionRule


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


def _find(concerns: Iterable[Concern], name: str) -> Concern | None:
    return next((concern for concern in concerns if concern.name == name.lower()), None)
