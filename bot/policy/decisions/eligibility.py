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
from bot.rfc.config.public import Config, DecisionRule

MAX_NAMED = 10  # logins a refusal lists; the rest are counted


@dataclass(frozen=True, slots=True)
class Roster:
    """The logins who may approve (the rule's approvers resolved now), the maintainers, and
    who may resolve a concern besides its raiser (the rule's ``resolvers``; None: the
    maintainers, as by default)."""

    approvers: frozenset[str]
    maintainers: frozenset[str] = frozenset()
    resolvers: frozenset[str] | None = None

    @staticmethod
    def of(
        approvers: Iterable[str],
        maintainers: Iterable[str] = (),
        resolvers: Iterable[str] | None = None,
    ) -> Roster:
        named = None if resolvers is None else _logins(resolvers)
        return Roster(_logins(approvers), _logins(maintainers), named)

    def eligible(self, login: str) -> bool:
        return login.lower() in self.approvers

    def maintainer(self, login: str) -> bool:
        return login.lower() in self.maintainers

    def resolver(self, login: str) -> bool:
        """May resolve a concern someone else raised."""
        named = self.maintainers if self.resolvers is None else self.resolvers
        return login.lower() in named


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


def next_rule(config: Config, current: str | None) -> DecisionRule | None:
    """The rule of the first move open from ``current`` that needs a decision: what a concern
    or a hold raised while no decision runs would block next."""
    if current is None:
        return None
    for target in config.allowed_next(current):
        rule = config.decision_rule(current, target)
        if rule is not None:
            return rule
    return None


Action = Literal["approve", "concern", "resolve", "cancel", "hold", "unhold"]
# What may be done while no decision runs: concerns and holds belong to the RFC.
_ANY_TIME: frozenset[str] = frozenset({"concern", "resolve", "hold", "unhold"})


@dataclass(frozen=True, slots=True)
class Refused:
    """A refusal, as markdown fit to show the user: never silent."""

    reason: str


def may(
    action: Action, actor: str, state: DecisionState, roster: Roster, concern: str | None = None
) -> Refused | None:
    """Whether ``actor`` may ``action`` on the decision in ``state``; None means yes.

    approve and concern: an eligible approver; resolve: who raised the concern, or a resolver
    (the maintainers unless the rule names others); cancel: who started the decision, or a
    maintainer; hold and unhold: a maintainer. Concerns and holds may come before a decision
    starts; nothing but a cancel once its comment period has run out.
    """
    if not state.running and action not in _ANY_TIME:
        return Refused(_not_running(state))
    if state.running and state.move_due and action != "cancel":
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
        return _may_resolve(actor, state, roster, concern or "")
    if action in ("hold", "unhold"):
        return _may_hold(action, actor, state, roster)
    if login == (state.started_by or "").lower() or roster.maintainer(login):
        return None
    return Refused(
        f"the decision may be cancelled by @{state.started_by}, who started it, or by a "
        f"maintainer; @{actor} is neither."
    )


def _may_resolve(actor: str, state: DecisionState, roster: Roster, name: str) -> Refused | None:
    open_concern = _find(state.concerns, name)
    if open_concern is None:
        listed = ", ".join(f"`{c.name}`" for c in state.concerns) or "none"
        return Refused(f"there is no open concern `{name}`; open concerns: {listed}.")
    if actor.lower() == open_concern.raised_by or roster.resolver(actor):
        return None
    return Refused(
        f"the concern `{open_concern.name}` may be resolved by @{open_concern.raised_by}, "
        f"who raised it, or {describe_resolvers(roster)}; @{actor} is neither."
    )


def _may_hold(action: str, actor: str, state: DecisionState, roster: Roster) -> Refused | None:
    if not roster.maintainer(actor):
        return Refused(f"only a maintainer may `/rfc {action}`; @{actor} is not a maintainer here.")
    hold = state.hold
    if action == "hold" and hold is not None:
        return Refused(
            f"it is already on hold, by @{hold.by} since {utc(hold.at)}; `/rfc unhold` lifts it."
        )
    if action == "unhold" and hold is None:
        return Refused("it is not on hold, so there is nothing to lift.")
    return None


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
    return f"the eligible approvers are {_named(roster.approvers)}"


def describe_resolvers(roster: Roster) -> str:
    """Who besides the raiser may resolve a concern, for refusals: "by a maintainer"."""
    if roster.resolvers is None:
        return "by a maintainer"
    if not roster.resolvers:
        return "by nobody else (the rule's `resolvers` is empty)"
    return f"by one of {_named(roster.resolvers)} (the rule's `resolvers`)"


def _named(logins: Iterable[str]) -> str:
    names = sorted(logins)
    shown = ", ".join(f"@{login}" for login in names[:MAX_NAMED])
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return shown + more


def _find(concerns: Iterable[Concern], name: str) -> Concern | None:
    return next((concern for concern in concerns if concern.name == name.lower()), None)
