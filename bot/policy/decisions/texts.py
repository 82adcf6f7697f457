"""What the App says about decisions: rules and times in words, the replies to decision
commands, and the comments it posts itself (the period's start, reminders, the move's
announcement), each with the hidden record that makes it said once (``bot.policy.markers``).
Pure.

Logins are mentioned (``@login``) here, once per message; the panel never mentions anyone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.policy.decisions.state import DecisionState
from bot.policy.markers import Record, record
from bot.policy.text import fit_comment, inline_text, plural
from bot.rfc.config.public import MAINTAINERS_GROUP, DecisionRule, format_duration

MAX_MENTIONS = 20  # people a start reply or a reminder mentions at most
_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


# --- rules and times in words -------------------------------------------------------------


def utc(moment: datetime | None) -> str:
    """An absolute UTC time as the panel and replies show it."""
    if moment is None:
        return "(not set)"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


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


# --- replies to commands ------------------------------------------------------------------


def start_text(
    path: str, current: str, target: str, starter: str, rule: DecisionRule, roster: Collection[str]
) -> str:
    """The reply that starts a decision, mentioning the ``roster`` (lower-case logins of the
    eligible approvers) it waits on. The decision itself is in the record, not in this text."""
    waiting = sorted(set(roster) - {starter.lower()})
    mentions = " ".join(f"@{login}" for login in waiting[:MAX_MENTIONS])
    more = f" and {len(waiting) - MAX_MENTIONS} more" if len(waiting) > MAX_MENTIONS else ""
    counted = " Your approval counts already." if starter.lower() in roster else ""
    ask = f"\n\n{mentions}{more}: your approval is needed (`/rfc approve`" + (
        ", or approve the pull request in a review; `/rfc concern NAME` to object)."
    )
    return (
        f"started a decision to move `{inline_text(path)}` from **{current}** to **{target}**: "
        f"it needs {describe_rule(rule)}.{counted} The status panel of this pull request shows "
        "who has approved and what comes next; when the comment period ends, I make the move."
        + (ask if waiting else "")
    )


def cannot_start_text(reason: str) -> str:
    return f"I can't start that decision: {reason} Nothing was changed."


def already_running_text(path: str, state: DecisionState) -> str:
    return (
        f"a decision to move `{inline_text(path)}` to **{state.target}** is already in progress "
        f"(started by @{state.started_by}): see the status panel. `/rfc cancel` ends it first."
    )


def no_decision_text(path: str) -> str:
    return (
        f"no decision is in progress on `{inline_text(path)}`; it starts with the `/rfc status` "
        "move that needs one (`/rfc help` lists them)."
    )


def nothing_to_block_text(path: str, current: str | None) -> str:
    """Why a concern is refused while no decision runs and none can follow."""
    where = f"`{inline_text(path)}`"
    if current is None:
        return f"the **Status:** of {where} is not one of this repository's statuses; fix it first."
    return (
        f"no move from **{current}** needs a decision here, so a concern on {where} would "
        "block nothing; raise it once the RFC reaches a status whose next move needs one "
        "(`/rfc help` lists them)."
    )


def cannot_count_text(reason: str) -> str:
    return f"I can't count that: {reason}"


def acknowledged_text(
    action: str, actor: str, path: str, *, name: str | None = None, running: bool = True
) -> str:
    """What a counted ``/rfc approve | concern | resolve | cancel | hold | unhold`` did;
    ``running``: a decision was in progress when it was accepted."""
    where = f"`{inline_text(path)}`"
    blocks = "blocks the decision" if running else "blocks the next decision's comment period"
    if action == "approve":
        return f"counted the approval of @{actor} for {where}; the status panel shows what is next."
    if action == "concern":
        return (
            f"the concern `{name}` on {where} {blocks} until it is resolved with "
            f"`/rfc resolve {name}`."
        )
    if action == "resolve":
        return f"the concern `{name}` on {where} is resolved."
    if action == "hold":
        return f"{where} is on hold: it {blocks} until a maintainer lifts it with `/rfc unhold`."
    if action == "unhold":
        return f"the hold on {where} is lifted; the status panel shows what is next."
    return f"the decision on {where} is cancelled; the RFC keeps its status."


def describe_resolvers(rule: DecisionRule) -> str:
    """Who may resolve a concern, in words: "whoever raised it, or a maintainer"."""
    others = [f"`{name}`" for name in rule.resolvers if name != MAINTAINERS_GROUP]
    if MAINTAINERS_GROUP in rule.resolvers:
        others.insert(0, "a maintainer")
    if not others:
        return "whoever raised it"
    return "whoever raised it, or " + " or ".join(others)


# --- the App's own comments ---------------------------------------------------------------


def done_record(path: str, state: DecisionState) -> str:
    """The record of the move's announcement: one per decision."""
    claim = {"path": path, "target": state.target, "started": utc(state.started_at)}
    return record(Record.DONE, claim)


def done_text(path: str, state: DecisionState) -> str:
    """The announcement of the move, thanking the approvers; ends with ``done_record``."""
    approvers = " ".join(f"@{a.login}" for a in state.approvals[:MAX_MENTIONS])
    return (
        f"The comment period ended {utc(state.period_end)} with no concern open: "
        f"`{inline_text(path)}` is now **{state.target}** (moved from **{state.current}**). "
        f"Thank you, {approvers or 'everyone'}.\n{done_record(path, state)}"
    )


def period_record(path: str, state: DecisionState) -> str:
    """The record of a comment period's start: one per period (a restart after a concern is a
    new period, with a new start time)."""
    return record(Record.PERIOD, {"path": path, "start": utc(state.period_start)})


def period_text(path: str, state: DecisionState) -> str:
    """The comment period's start and end; ends with ``period_record``."""
    return (
        f"The approvals for moving `{inline_text(path)}` to **{state.target}** are in, with no "
        f"concern open: the final comment period runs until **{utc(state.period_end)}**. "
        "Raise `/rfc concern NAME` before then to pause it; otherwise I make the move.\n"
        + period_record(path, state)
    )


def reminder_record(path: str, stretch: str) -> str:
    """The record of a reminder: one per stretch (collecting since the start, or a period)."""
    return record(Record.REMINDER, {"path": path, "stretch": stretch})


def reminder_text(path: str, state: DecisionState, stretch: str) -> str:
    """The reminder to those the decision waits on; ends with ``reminder_record``."""
    names = " ".join(f"@{login}" for login in state.remind[:MAX_MENTIONS])
    return fit_comment(
        f"{names}: the decision to move `{inline_text(path)}` to **{state.target}** is waiting "
        f"for you: `/rfc approve`, an approving review, or `/rfc concern NAME` to object. "
        f"{state.needed} more approval(s) needed.\n" + reminder_record(path, stretch)
    )
