"""The status panel: one comment per pull request, edited in place, always current. Pure.

For each RFC of the pull request: its status, the moves open from here and who may make
them, and, while a decision runs, a checkbox per eligible approver (ticked by their approval,
linked to it), the open concerns with links, the comment period's end as an absolute UTC time,
and the exact next step. The hidden ``markers.PANEL`` lets the App find its own panel (with
``performed_via_github_app``, as for replies), and the whole comment stays within GitHub's
limit.

Logins are written in code spans, never as live ``@mentions``: the panel is edited on every
event, and an edit must not notify anyone (the start reply and the reminder mention people,
once each).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.policy.decisions.state import NO_DECISION, Approval, DecisionState, Hold, Phase
from bot.policy.decisions.texts import describe_resolvers, describe_rule, period_words, utc
from bot.policy.markers import PANEL, RUNNING
from bot.policy.text import MAX_COMMENT_CHARS, code, fit_comment, plural
from bot.rfc.config.public import DecisionRule
from bot.rfc.workflow import AUTHOR, MAINTAINERS

MAX_LISTED = 50  # approvers or concerns listed per RFC; the rest are counted
_LINK = re.compile(r"https://[^\s()<>\[\]\"'`]{1,2000}")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!|~])")


@dataclass(frozen=True, slots=True)
class MoveOption:
    """A move open from the RFC's status: the target, the roles that may make it (as
    ``bot.rfc.workflow.who_may`` names them), and its decision rule, if it has one."""

    target: str
    roles: tuple[str, ...]
    rule: DecisionRule | None = None


@dataclass(frozen=True, slots=True)
class RfcPanel:
    """What the panel shows about one RFC of the pull request."""

    path: str
    title: str
    status: str
    moves: tuple[MoveOption, ...] = ()
    decision: DecisionState = NO_DECISION
    rule: DecisionRule | None = None  # the rule of the running (or last) decision


def render_panel(
    rfcs: Sequence[RfcPanel],
    now: datetime,
    limit: int = MAX_COMMENT_CHARS,
    *,
    record_url: str = "",
    stopped: str = "",
) -> str:
    """The panel's markdown, at most ``limit`` characters: RFCs that do not fit are counted
    in a closing note rather than cut mid-way. ``stopped``: why the decisions stopped (their
    record cannot be trusted)."""
    several = len(rfcs) > 1
    # Anything the record holds open (a decision, a concern, a hold) marks the panel, so a
    # record that cannot be found later stops the decisions instead of reading as "none".
    recorded = any(rfc.decision.running or rfc.decision.blocked for rfc in rfcs)
    running = RUNNING if stopped or recorded else ""
    head = f"{PANEL}{running}\n## RFC status\n\n_Updated {utc(now)}; this comment is kept current._"
    if record_url:
        head += f" [The decision record]({record_url}) lists every decision event."
    if stopped:
        head += "\n\n" + stopped_text(stopped)
    if not rfcs:
        return f"{head}\n\nThis pull request changes no RFC."
    note_room = 200
    parts = [head]
    size = len(head)
    for shown, rfc in enumerate(rfcs):
        section = _section(rfc, now, several)
        if size + len(section) + 2 > limit - note_room:
            left = len(rfcs) - shown
            parts.append(
                f"_…and {plural(left, 'more RFC')}, not shown: GitHub limits a comment to "
                f"{limit:,} characters. Each RFC's check run has its details._"
            )
            break
        parts.append(section)
        size += len(section) + 2
    return fit_comment("\n\n".join(parts), limit)


def stopped_text(reason: str) -> str:
    """The notice of decisions stopped because their record cannot be trusted."""
    return (
        f"**Decisions stopped:** {reason}. Nothing is counted and no move is made until a "
        "decision is started again: `/rfc status <target>` starts a new record."
    )


def _section(rfc: RfcPanel, now: datetime, several: bool) -> str:
    state = rfc.decision
    lines = [
        f"### {code(rfc.path)}: {_inert(rfc.title) or 'untitled'}",
        "",
        f"**Status:** {_inert(rfc.status)}{_phase_note(state)}",
        "",
        *_moves_table(rfc),
    ]
    if state.phase is not Phase.NONE and rfc.rule is not None:
        lines += ["", *_decision(rfc, state, rfc.rule)]
    elif state.blocked:  # raised before any decision: they wait for the next one
        lines += ["", *_concerns(state, rfc.rule), *_hold(state.hold)]
    lines += ["", f"**Next step:** {_next_step(rfc, now, several)}"]
    return "\n".join(lines)


def _phase_note(state: DecisionState) -> str:
    move = f"**{_inert(state.current or '')} → {_inert(state.target or '')}**"
    notes = {
        Phase.NONE: "",
        Phase.COLLECTING: f" · decision {move}: collecting approvals",
        Phase.COMMENT_PERIOD: f" · decision {move}: final comment period",
        Phase.PAUSED: f" · decision {move}: comment period paused by {_pauser(state)}",
        Phase.DONE: f" · decision {move}: made",
        Phase.CANCELLED: f" · decision {move}: cancelled",
    }
    if state.move_due and state.running:
        return f" · decision {move}: comment period over, the move is due"
    return notes[state.phase]


def _pauser(state: DecisionState) -> str:
    """What pauses the comment period: "a concern", "a hold" or "a concern and a hold"."""
    causes = (["a concern"] if state.concerns else []) + (["a hold"] if state.hold else [])
    return " and ".join(causes) or "a concern"


def _moves_table(rfc: RfcPanel) -> list[str]:
    if not rfc.moves:
        return [f"No moves are open from **{_inert(rfc.status)}**."]
    rows = ["| move | who may make it | what it takes |", "| --- | --- | --- |"]
    for move in rfc.moves:
        rows.append(f"| → **{_inert(move.target)}** | {_roles(move.roles)} | {_needs(move)} |")
    return rows


def _roles(roles: Sequence[str]) -> str:
    names = {AUTHOR: "the RFC's authors", MAINTAINERS: "maintainers"}
    return " or ".join(names.get(role, _inert(role)) for role in roles) or "nobody"


def _needs(move: MoveOption) -> str:
    return "happens at once" if move.rule is None else f"a decision: {describe_rule(move.rule)}"


def _decision(rfc: RfcPanel, state: DecisionState, rule: DecisionRule) -> list[str]:
    eligible = len(state.approvals) + len(state.waiting_on)
    lines = [
        f"**Approvals:** {len(state.approvals)} of {state.required} needed "
        f"({plural(eligible, 'eligible approver')}; started by {code(state.started_by or '')} "
        f"on {_link(utc(state.started_at), state.start_link)})",
        "",
        *_checkboxes(state),
    ]
    if state.left or state.joined:
        lines += ["", _roster_changes(state)]
    if state.text_changed_at is not None:
        withdrawn = (
            " Approvals given before it were withdrawn (`dismiss_on_change`)."
            if rule.dismiss_on_change
            else " Approvals still count; approvers may want to look again."
        )
        lines += ["", f"The RFC's text changed at {utc(state.text_changed_at)}.{withdrawn}"]
    if state.text_stale:
        lines += [
            "",
            "**The RFC's text changed since the comment period started:** the move is made "
            "only on the text the period ran on, so it will not be made. `/rfc cancel`, then "
            "start again with `/rfc status`.",
        ]
    lines += ["", *_concerns(state, rule), *_hold(state.hold)]
    lines += ["", _period(state, rule)]
    return lines


def _checkboxes(state: DecisionState) -> list[str]:
    ticked = [_ticked(approval) for approval in state.approvals]
    waiting = [f"- [ ] {code(login)}" for login in state.waiting_on]
    boxes = ticked + waiting
    if len(boxes) > MAX_LISTED:
        more = len(boxes) - MAX_LISTED
        boxes = [*boxes[:MAX_LISTED], f"- …and {more} more"]
    return boxes or ["- nobody is eligible to approve"]


def _ticked(approval: Approval) -> str:
    how = {"review": "approved in a review", "start": "started it"}.get(approval.via, "approved")
    return f"- [x] {code(approval.login)}: {_link(how, approval.link)} on {utc(approval.at)}"


def _roster_changes(state: DecisionState) -> str:
    parts = []
    if state.left:
        parts.append("no longer eligible: " + ", ".join(code(login) for login in state.left))
    if state.joined:
        parts.append("eligible since it started: " + ", ".join(code(x) for x in state.joined))
    return "Roster changes: " + "; ".join(parts) + "."


def _concerns(state: DecisionState, rule: DecisionRule | None) -> list[str]:
    if not state.concerns:
        return ["**Concerns:** none open."]
    blocks = "each blocks the move" if state.running else "each blocks the next decision's period"
    lines = [f"**Concerns:** {len(state.concerns)} open, {blocks}:", ""]
    for concern in state.concerns[:MAX_LISTED]:
        raised = _link("raised", concern.link)
        lines.append(
            f"- {code(concern.name)}: {raised} by {code(concern.raised_by)} on {utc(concern.at)}"
        )
    if len(state.concerns) > MAX_LISTED:
        lines.append(f"- …and {len(state.concerns) - MAX_LISTED} more")
    if rule is not None and rule.resolvers != DecisionRule().resolvers:
        lines += ["", f"Who may resolve a concern: {describe_resolvers(rule)}."]
    return lines


def _hold(hold: Hold | None) -> list[str]:
    """The hold, when there is one: "held by `x` since <when>: reason"."""
    if hold is None:
        return []
    since = _link(utc(hold.at), hold.link)
    reason = f": {_inert(hold.reason)}" if hold.reason.strip() else ""
    return ["", f"**On hold:** held by {code(hold.by)} since {since}{reason}."]


def _period(state: DecisionState, rule: DecisionRule) -> str:
    length = period_words(rule)
    if state.period_start is None or state.period_end is None:
        no_hold = " and no hold" if state.hold is not None else ""
        return (
            f"**Comment period:** {length}, not started: it starts with quorum and no "
            f"concern{no_hold}."
        )
    if state.phase is Phase.PAUSED:
        unblock = {
            (True, False): "resolving the last concern",
            (False, True): "lifting the hold",
            (True, True): "resolving the last concern and lifting the hold",
        }[(bool(state.concerns), state.hold is not None)]
        return (
            f"**Comment period:** paused (it began {utc(state.period_start)}); {unblock} "
            f"restarts it from zero ({length})."
        )
    verb = "ended" if state.move_due or state.phase is Phase.DONE else "ends"
    return (
        f"**Comment period:** {verb} **{utc(state.period_end)}** "
        f"(began {utc(state.period_start)}, {length})."
    )


def _next_step(rfc: RfcPanel, now: datetime, several: bool) -> str:
    state = rfc.decision
    path = f" {rfc.path}" if several else ""
    target = _inert(state.target or "")
    if state.phase is Phase.DONE:
        return f"none: the decision is made and the RFC is **{target}**."
    if not state.running:
        return _open_moves_step(rfc, path) + _cancelled_note(state) + _waiting_note(state)
    if state.move_due:
        return f"none: the comment period is over, and the App moves the RFC to **{target}**."
    if state.blocked:
        return _unblock_step(state, rfc.rule, path)
    eligible = len(state.approvals) + len(state.waiting_on)
    if state.required > eligible:
        return (
            f"this decision needs {state.required} approvals but only {eligible} people are "
            f"eligible: a maintainer can {code('/rfc cancel' + path)}, or change `decisions` in "
            "the config."
        )
    if state.phase is Phase.COMMENT_PERIOD and state.period_end is not None:
        return (
            f"none, unless someone objects: the App moves the RFC to **{target}** at "
            f"**{utc(state.period_end)}**. An eligible approver can still raise "
            f"{code('/rfc concern NAME' + path)}."
        )
    waiting = ", ".join(code(login) for login in state.waiting_on[:10])
    more = f" and {len(state.waiting_on) - 10} more" if len(state.waiting_on) > 10 else ""
    return (
        f"{plural(state.needed, 'more approval')} from {waiting}{more}: comment "
        f"{code('/rfc approve' + path)} or approve the pull request in a review; "
        f"{code('/rfc concern NAME' + path)} to object."
    )


def _unblock_step(state: DecisionState, rule: DecisionRule | None, path: str) -> str:
    """What lifts the blocks: the concerns resolved, the hold lifted."""
    steps = []
    if state.concerns:
        names = ", ".join(code(f"/rfc resolve {c.name}{path}") for c in state.concerns[:5])
        who = describe_resolvers(rule or DecisionRule()).replace("raised it", "raised each")
        steps.append(f"resolve the open concerns ({names}), by {who}")
    if state.hold is not None:
        steps.append(f"a maintainer lifts the hold ({code('/rfc unhold' + path)})")
    return " and ".join(steps) + "; discuss in this pull request."


def _waiting_note(state: DecisionState) -> str:
    """Concerns or a hold raised while no decision runs: they block the next one."""
    if not state.blocked:
        return ""
    until = (["the open concerns are resolved"] if state.concerns else []) + (
        ["the hold is lifted"] if state.hold is not None else []
    )
    return f" A decision can start, but its comment period waits until {' and '.join(until)}."


def _open_moves_step(rfc: RfcPanel, path: str) -> str:
    if not rfc.moves:
        return f"none: **{_inert(rfc.status)}** is final."
    commands = [
        f"{code(f'/rfc status {move.target.lower()}{path}')} ({_roles(move.roles)}"
        f"{', starts a decision' if move.rule else ''})"
        for move in rfc.moves
    ]
    return "when it is ready, " + " or ".join(commands) + "."


def _cancelled_note(state: DecisionState) -> str:
    if state.phase is not Phase.CANCELLED:
        return ""
    return f" The last decision was cancelled by {code(state.ended_by or '')}."


def _link(text: str, url: str) -> str:
    """``text`` linked to ``url`` when it is a plain https URL (as GitHub gives), else text."""
    return f"[{text.strip()}]({url})" if _LINK.fullmatch(url) else text.strip()


def _inert(text: str) -> str:
    """User text (a title, a status) as one line of literal text: no markdown, no HTML."""
    line = " ".join(text.split())[:200]
    line = line.replace("&", "&amp;").replace("<", "&lt;")
    # A word joiner after "@" keeps a login in a title from mentioning anyone on every edit.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line).replace("@", "@\u2060")
