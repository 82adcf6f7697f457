"""Decisions: approvals, concerns and a comment period before a status move that has a rule.

``/rfc status final`` on a transition with a ``decisions`` rule starts a decision instead of
moving at once; the commands (``decision_commands``: approve, concern, resolve, cancel, hold,
unhold) and pull-request reviews act on it. When the comment period has run out, the App makes the
move itself (a commit with the same signed proof as any status commit), announces it once and
mentions the approvers.

GitHub is the database: ``decision_history`` reads the pull request's history as events, and
the pure core (``bot.policy.decisions``) folds them, so every event, every restart and every
replica reaches the same state; ``settle`` acts on it (the move due, a reminder due, the panel)
and runs on every event and, for every pull request in a decision, in every reconciler sweep
(``bot.features.sweep_passes``), which is what ends a comment period within one sweep of its
deadline. Each handler here is fetch → decide → write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from gidgethub import routing
from gidgethub.abc import GitHubAPI

import bot.features.status as status
from bot.deliveries import PullDelivery, Review
from bot.errors import UserError
from bot.features.activity import stale_line
from bot.features.config import config_for
from bot.features.context import Context
from bot.features.decision_history import History, read_history
from bot.features.decision_record import append
from bot.features.roles import roster_for
from bot.features.session import CommandSession, PullSession
from bot.github.contents import ContentConflict, WriteRefused, get_file
from bot.github.issues import find_own_comment, post_comment, update_comment
from bot.github.labels import KnownLabelCache, sync_labels
from bot.policy.commands import DECISION_COMMANDS, Command
from bot.policy.decisions.eligibility import Roster, may, next_rule
from bot.policy.decisions.events import Moved
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.record import (
    Entry,
    RecordBroken,
    git_blob_sha,
    open_paths,
    stamp,
)
from bot.policy.decisions.state import DecisionState, Phase
from bot.policy.decisions.texts import (
    done_record,
    done_text,
    period_record,
    period_text,
    reminder_record,
    reminder_text,
)
from bot.policy.labels import decision_labels, with_decision_labels
from bot.policy.markers import PANEL
from bot.policy.panel import MoveOption, RfcPanel, render_panel
from bot.policy.provenance import DecisionTrailer, StatusMove
from bot.rfc.config.public import Config, DecisionRule
from bot.rfc.document import parse
from bot.rfc.workflow import who_may
from bot.values import Comment, Pull

log = logging.getLogger(__name__)
router = routing.Router()


# --- events --------------------------------------------------------------------------------


@router.register("pull_request_review", action="submitted")
@router.register("pull_request_review", action="dismissed")
@router.register("pull_request_review", action="edited")
async def on_review(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    pull, review = delivery.pull, delivery.review
    if not pull.is_open:
        return
    if review is not None and delivery.action != "edited" and not review.author_is_bot:
        await _record_review(gh, pull, ctx, review, str(delivery.action))
    await settle(gh, pull, ctx)


async def _record_review(
    gh: GitHubAPI, pull: Pull, ctx: Context, review: Review, action: str
) -> None:
    """A review accepted now: an approval from an eligible approver, or a withdrawal, on each
    RFC with a running decision."""
    kind = "approve" if review.state == "APPROVED" and action == "submitted" else None
    if review.state in ("CHANGES_REQUESTED", "DISMISSED") or action == "dismissed":
        kind = "changes-requested"
    actor = review.author
    if kind is None or actor is None:
        return
    config, _ = await config_for(gh, pull, ctx)
    history = await read_history(gh, pull, config, ctx)
    if history.broken is not None:
        return
    now, entries = ctx.clock(), []
    for path in open_paths(history.entries):
        rule = history.rule_for(path, config)
        if rule is None or path not in history.blobs:
            continue
        roster = await roster_for(gh, pull.repo, rule, config, ctx)
        state = history.state(path, rule, roster, now)
        if kind == "approve" and may("approve", actor, state, roster) is not None:
            continue
        blob, link = history.blobs[path], review.html_url
        entries += history.text_change(path, now)
        entries.append(Entry(kind, path, actor, now, f"review:{review.id}", blob, {}, link))
    if entries:
        await append(gh, pull, ctx, entries)


@router.register("pull_request", action="synchronize")
async def on_push(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    """A push: the record is carried onto the new head (``before`` points at the old one) and
    a changed RFC text is recorded."""
    pull = delivery.pull
    config, _ = await config_for(gh, pull, ctx)
    if pull.is_open and set(pull.labels) & decision_labels(config):
        await settle(gh, pull, ctx, config, before=delivery.before)


async def after_commands(session: CommandSession, commands: Iterable[Command]) -> None:
    """After a comment's commands: bring the decisions and the panel up to date."""
    touched = any(c.name in DECISION_COMMANDS or c.name == "status" for c in commands)
    if touched and session.pull.is_open:
        await settle(
            session.gh, session.pull, session.ctx, session.config, recorded=session.recorded
        )


# --- acting on the state ---------------------------------------------------------------------


async def settle(
    gh: GitHubAPI,
    pull: Pull,
    ctx: Context,
    config: Config | None = None,
    *,
    before: str | None = None,
    recorded: bool = False,
) -> None:
    """Recompute every decision of the pull request from its record; record a changed text;
    make a due move, send a due reminder, and bring the panel up to date. Idempotent: what was
    done is in the record."""
    if config is None:
        config, _ = await config_for(gh, pull, ctx)
    history = await read_history(gh, pull, config, ctx, before=before, recorded=recorded)
    stale = await stale_line(gh, pull, ctx, config)
    if not history.entries and history.panel is None and history.broken is None and not stale:
        return  # nothing was ever recorded here (no decision, concern or hold), nor is it stale
    now = ctx.clock()
    if history.broken is None:
        try:
            history = await _record_changes(gh, pull, ctx, config, history, now)
        except RecordBroken as error:
            history.broken = str(error)
    if history.broken is not None:
        await _stop(gh, pull, ctx, config, history, now)
        return
    panels: list[RfcPanel] = []
    labels: set[str] = set()
    for path, rule, state in await _assess(gh, pull, ctx, config, history, now):
        if state.move_due and not state.text_stale:
            await _make_move(gh, pull, config, ctx, path, state, history)
        elif state.phase is Phase.DONE:
            moved = max(e.at for e in history.events if isinstance(e, Moved) and e.path == path)
            await _announce_done(gh, pull, ctx, path, state, moved)
        elif state.reminder_due:
            await _remind(gh, pull, ctx, path, state, history)
        if state.phase is Phase.COMMENT_PERIOD and not state.move_due:
            labels.add(config.labels.comment_period)
            await _announce_period_once(gh, pull, ctx, path, state)
        elif (state.running and not state.move_due) or state.blocked:
            labels.add(config.labels.decision)  # a decision, or what blocks the next one
        panels.append(await _panel_entry(gh, pull, config, path, state, rule))
    desired = with_decision_labels(config, pull.labels, labels)
    await sync_labels(gh, pull, config, desired, ctx.caches.of(KnownLabelCache))
    body = render_panel(panels, now, record_url=history.record_url, notice=stale)
    await _write_panel(gh, pull, ctx, history.panel, body)


async def _record_changes(
    gh: GitHubAPI, pull: Pull, ctx: Context, config: Config, history: History, now: datetime
) -> History:
    """Record what the App sees changed since its record: a new RFC text, or its own move
    made but not yet recorded (it stopped in between); carry the record onto a new head."""
    entries: list[Entry] = []
    for path in open_paths(history.entries):
        change = history.text_change(path, now)
        if change and await _moved_already(gh, pull, config, history, path):
            target = history.starts[path].target
            entries.append(Entry("moved", path, "", now, "app", change[0].blob, {"target": target}))
        else:
            entries += change
    if entries or (history.entries and not history.on_head):
        return history.with_entries(await append(gh, pull, ctx, entries))
    return history


async def _moved_already(
    gh: GitHubAPI, pull: Pull, config: Config, history: History, path: str
) -> bool:
    """The RFC at the head already has the status its running decision moves to."""
    start = history.starts.get(path)
    raw = await get_file(gh, pull.repo, path, pull.head.sha)
    if start is None or raw is None:
        return False
    written = parse(raw.decode("utf-8", errors="replace")).status
    return config.canonical_status(written) == start.target


async def _stop(
    gh: GitHubAPI, pull: Pull, ctx: Context, config: Config, history: History, now: datetime
) -> None:
    """The record cannot be trusted: no move, and the panel says what is wrong and how to
    start again."""
    log.warning("%s#%s: decisions stopped: %s", pull.repo, pull.number, history.broken)
    empty = DecisionState(Phase.NONE)
    panels = [await _panel_entry(gh, pull, config, path, empty, None) for path in history.rfc_paths]
    body = render_panel(panels, now, stopped=history.broken or "")
    await _write_panel(gh, pull, ctx, history.panel, body)


async def panel_for(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config) -> list[RfcPanel]:
    """Each RFC of the pull request as the status panel shows it now, its decision included
    (empty when it changes no RFC): what the dashboard lists, computed as ``settle`` computes
    it, so the two never disagree."""
    history = await read_history(gh, pull, config, ctx)
    assessed = await _assess(gh, pull, ctx, config, history, ctx.clock())
    return [
        await _panel_entry(gh, pull, config, path, state, rule) for path, rule, state in assessed
    ]


async def _assess(
    gh: GitHubAPI, pull: Pull, ctx: Context, config: Config, history: History, now: datetime
) -> list[tuple[str, DecisionRule | None, DecisionState]]:
    """Each RFC's decision as the fold computes it now."""
    assessed = []
    for path in history.rfc_paths:
        rule = history.rule_for(path, config)
        roster = (
            await roster_for(gh, pull.repo, rule, config, ctx)
            if rule is not None
            else Roster.of(())
        )
        state = decision_state(
            path, history.events, rule or config.decisions, roster, now, recorded=True
        )
        assessed.append((path, rule, state))
    return assessed


async def _make_move(
    gh: GitHubAPI,
    pull: Pull,
    config: Config,
    ctx: Context,
    path: str,
    state: DecisionState,
    history: History,
) -> None:
    """The move a decision made due: a commit with the App's proof, then one announcement by
    the writer of that commit. A replica that loses the race (GitHub refuses its commit: the
    file moved) says nothing; the writer announces, or a later settle does once the move is
    old (``_announce_done``)."""
    assert state.current is not None and state.target is not None
    session = PullSession(gh, ctx, pull, config)
    head = await status.read_head_file(session, path)
    if config.canonical_status(head.document.status) != state.current:
        return  # moved meanwhile (by another replica, or by hand): nothing to commit here
    if state.period_blob and head.blob_sha != state.period_blob:
        return  # not the text the period ran on: the next settle records the change
    why_not = await status.write_refusal(session)
    if why_not is not None:
        log.warning("%s#%s: decision move of %s not made: %s", pull.repo, pull.number, path,
                    why_not)  # fmt: skip
        return
    move = StatusMove(path, state.current, state.target)
    new_text = status.edited_text(head, state.target, session)
    approvers = tuple(approval.login for approval in state.approvals)
    trailer = DecisionTrailer(approvers, state.period_start, state.period_end, head.blob_sha)
    # The commit names the decision's start as its request, and records the decision.
    request = status.MoveRequest(f"{state.started_by} (decision)", state.start_link, trailer)
    try:
        sha = await status.commit_move(session, head, new_text, move, request)
    except (UserError, ContentConflict, WriteRefused) as error:
        log.info("%s#%s: decision move not made: %s", pull.repo, pull.number, error)
        return
    moved = replace(pull, head=replace(pull.head, sha=sha))
    blob = git_blob_sha(new_text.encode("utf-8"))
    entry = Entry("moved", path, "", ctx.clock(), sha, blob, {"target": state.target})
    await append(gh, moved, ctx, [entry])
    await status.sync_status_labels(session, path, new_text)
    await _announce_once(gh, pull, ctx, path, state)


async def _announce_done(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState, moved_at: datetime
) -> None:
    """A decision found done: its writer announced it, unless it died in between; once the
    move is older than that writer's time, make sure the announcement is there."""
    if (ctx.clock() - moved_at).total_seconds() >= ctx.announce_after_seconds:
        await _announce_once(gh, pull, ctx, path, state)


async def _announce_once(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState
) -> None:
    marker = done_record(path, state)
    if await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        return
    body = done_text(path, state)
    await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)


async def _announce_period_once(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState
) -> None:
    """The comment period's start, said once per period."""
    marker = period_record(path, state)
    if await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        return
    body = period_text(path, state)
    await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)


async def _remind(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState, history: History
) -> None:
    """The reminder, then its entry (so it is sent once per stretch; its marker keeps it once
    when a writer died between the two)."""
    stretch = stamp(state.period_start or state.started_at or ctx.clock())
    marker = reminder_record(path, stretch)
    if not await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        body = reminder_text(path, state, stretch)
        await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)
    blob = history.blobs.get(path, "")
    entry = Entry("reminded", path, "", ctx.clock(), f"reminder:{stretch}", blob)
    await append(gh, pull, ctx, [entry])


async def _panel_entry(
    gh: GitHubAPI,
    pull: Pull,
    config: Config,
    path: str,
    state: DecisionState,
    rule: DecisionRule | None,
) -> RfcPanel:
    """One RFC as the panel shows it: its title and status at the head, the moves open from
    there, and its decision."""
    raw = await get_file(gh, pull.repo, path, pull.head.sha)
    document = parse(raw.decode("utf-8", errors="replace")) if raw is not None else None
    written = document.status if document else None
    current = config.canonical_status(written) or written or "unknown"
    moves = tuple(
        MoveOption(target, who_may(current, target, config), config.decision_rule(current, target))
        for target in config.allowed_next(current)
    )
    title = (document.title if document else None) or path
    # No decision yet: the rule of the next one, which concerns raised now would block.
    return RfcPanel(path, title, current, moves, state, rule or next_rule(config, current))


async def _write_panel(
    gh: GitHubAPI, pull: Pull, ctx: Context, panel: Comment | None, body: str
) -> None:
    """Edit the one panel in place (never a new one per event); post it the first time."""
    if panel is None:
        await post_comment(gh, pull.repo, pull.number, body, marker=PANEL, app_id=ctx.app_id)
    elif _without_time(panel.body) != _without_time(body):
        await update_comment(gh, pull.repo, panel.id, body)


def _without_time(body: str) -> str:
    """The panel without its "Updated …" line: an unchanged state is not edited again."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("_Updated "))
