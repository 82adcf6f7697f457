"""The decision commands: ``/rfc status`` on a move with a ``decisions`` rule starts a
decision; ``/rfc approve``, ``concern NAME``, ``resolve NAME``, ``cancel``, ``hold [REASON]``
and ``unhold`` act on it.

Each is fetch → decide → write: the record (``decision_history``) and the roster are read, the
pure core (``bot.policy.decisions``) says whether the comment's author may do this now, and an
accepted command is appended to the record (a refusal never is). Concerns and holds belong to
the RFC: raised while no decision runs, they are checked against the rule of the next decision
the RFC's status leads to, and block it. A command the record already holds (a redelivery, or
a retry after a crash before the reply) is answered and not recorded again.
"""

from __future__ import annotations

from collections.abc import Mapping

import bot.features.status as status
from bot.features.decision_history import History, read_history
from bot.features.decision_record import append
from bot.features.roles import roster_for
from bot.features.session import CommandSession
from bot.policy.commands import Command
from bot.policy.decisions.eligibility import Roster, may, next_rule
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.record import Entry
from bot.policy.decisions.state import DecisionState
from bot.policy.decisions.texts import (
    acknowledged_text,
    already_running_text,
    cannot_count_text,
    cannot_start_text,
    no_decision_text,
    nothing_to_block_text,
    start_text,
)
from bot.policy.replies import Outcome
from bot.rfc.config.public import DecisionRule

RESTART = "Start the decision again with `/rfc status <target>`; it begins a new record."
# Commands that act on a running decision only; the others may come before one starts.
_RUNNING_ONLY = frozenset({"approve", "cancel"})


async def start_decision_or_move(session: CommandSession, command: Command) -> Outcome:
    """``/rfc status``: a move with a decision rule starts a decision (its first record entry);
    any other moves now."""
    path = status.pick_file(command.path, await session.rfc_files(), session.config)
    head = await status.read_head_file(session, path)
    current = status.current_status(head, session.config)
    target = str(command.status)
    rule = session.config.decision_rule(current, target)
    if rule is None or current == target:
        return await status.move_status(session, command, first_read=head)
    if session.ctx.decisions_refused:
        return Outcome(cannot_start_text(session.ctx.decisions_refused))
    refused = await status.refusal(session, head, current, target)
    if refused is not None:
        return Outcome(cannot_start_text(refused.reason))
    history = await read_history(session.gh, session.pull, session.config, session.ctx)
    roster = await roster_for(session.gh, session.repo, rule, session.config, session.ctx)
    text = start_text(path, current, target, session.actor, rule, roster.approvers)
    if history.recorded_from(str(session.comment.id), "start", path):
        return Outcome(text, done=True)
    if history.broken is None:
        state = history.state(path, rule, roster, session.ctx.clock())
        if state.running:
            return Outcome(already_running_text(path, state))
    extra = {"current": current, "target": target, "roster": sorted(roster.approvers)}
    entry = _entry(session, "start", path, head.blob_sha, extra)
    await append(session.gh, session.pull, session.ctx, [entry], fresh=history.broken is not None)
    session.recorded = True
    return Outcome(text, done=True)


async def run_decision_command(session: CommandSession, command: Command) -> Outcome:
    """``/rfc approve | concern NAME | resolve NAME | cancel | hold [REASON] | unhold``,
    checked against the record; accepted, it is recorded (a refusal never is)."""
    path = status.pick_file(command.path, await session.rfc_files(), session.config)
    history = await read_history(
        session.gh, session.pull, session.config, session.ctx, command=True
    )
    if history.broken is not None:
        return Outcome(cannot_count_text(f"{history.broken}. {RESTART}"))
    action, name = command.name, command.concern or ""
    found = await _in_view(session, history, path, action)
    if isinstance(found, Outcome):
        return found
    roster, state = found
    text = acknowledged_text(action, session.actor, path, name=name, running=state.running)
    if history.recorded_from(str(session.comment.id), action, path, name):
        return Outcome(text, done=True)
    refused = may(action, session.actor, state, roster, name)  # type: ignore[arg-type]
    if refused is not None:
        return Outcome(cannot_count_text(refused.reason))
    extra = {"name": name} if name else {}
    extra |= {"reason": command.reason} if command.reason else {}
    entries = [
        *history.text_change(path, session.ctx.clock()),
        _entry(session, action, path, history.blobs.get(path, ""), extra),
    ]
    await append(session.gh, session.pull, session.ctx, entries)
    session.recorded = True
    return Outcome(text, done=True)


async def _in_view(
    session: CommandSession, history: History, path: str, action: str
) -> tuple[Roster, DecisionState] | Outcome:
    """The roster and the state a command is checked against: the running decision's; else,
    for a concern or a hold, the RFC's as it stands, with the roster of the next decision its
    status leads to (a concern needs one: it would block nothing otherwise)."""
    config, now = session.config, session.ctx.clock()
    rule = history.rule_for(path, config)
    if rule is not None:
        roster = await roster_for(session.gh, session.repo, rule, config, session.ctx)
        state = history.state(path, rule, roster, now)
        if state.running or action in _RUNNING_ONLY:
            return roster, state
    elif action in _RUNNING_ONLY:
        return Outcome(no_decision_text(path))
    head = await status.read_head_file(session, path)
    current = config.canonical_status(head.document.status)
    upcoming = next_rule(config, current)
    if upcoming is None and action == "concern":
        return Outcome(cannot_count_text(nothing_to_block_text(path, current)))
    # Resolving or lifting what an earlier status left open needs a roster all the same.
    in_view = upcoming or rule or DecisionRule()
    roster = await roster_for(session.gh, session.repo, in_view, config, session.ctx)
    state = decision_state(path, history.events, config.decisions, roster, now, recorded=True)
    return roster, state


def _entry(
    session: CommandSession, kind: str, path: str, blob: str, extra: Mapping[str, object]
) -> Entry:
    """The record entry of a command accepted now: it counts for the comment's author, as the
    comment stood when accepted."""
    comment = session.comment
    return Entry(
        kind, path, session.actor, session.ctx.clock(), str(comment.id), blob, extra,
        comment.html_url,
    )  # fmt: skip
