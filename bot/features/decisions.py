"""Decisions: approvals, concerns and a comment period before a status move that has a rule.

``/rfc status final`` on a transition with a ``decisions`` rule starts a decision instead of
moving at once; ``/rfc approve``, ``/rfc concern NAME``, ``/rfc resolve NAME``, ``/rfc cancel``
and pull-request reviews act on it. When the comment period has run out, the App makes the
move itself (a commit with the same signed proof as any status commit), announces it once and
mentions the approvers.

GitHub is the database: nothing is stored but on GitHub. The App's start reply carries a hidden
marker with the decision (file, move, starter, roster at the start), its reminders carry one,
its move commits carry the proof; people's commands are their comments, reviews are reviews.
``read_history`` turns all that into the events ``bot.policy.decisions`` folds, so every event,
every restart and every replica reaches the same state; ``settle`` acts on it (the move due,
a reminder due, the panel) and runs on every event and in every reconciler sweep, which is
what ends a comment period within one sweep of its deadline.
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gidgethub import routing, sansio
from gidgethub.abc import GitHubAPI

from bot.errors import UserError
from bot.features import status
from bot.features.config import config_for, default_branch_config
from bot.features.context import Context
from bot.features.session import Session
from bot.features.timers import register_timer
from bot.github.contents import ContentConflict, WriteRefused, get_file
from bot.github.issues import comments, find_own_comment, post_comment, update_comment, written_by
from bot.github.labels import sync_labels
from bot.github.listings import pulls_updated_since
from bot.github.pulls import (
    commit_files,
    list_pull_commits,
    list_pull_files,
    list_reviews,
)
from bot.github.repos import collaborators_with_push, team_members
from bot.policy.commands import DECISION_COMMANDS, Command, parse_commands
from bot.policy.decisions import (
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    DecisionState,
    Event,
    Moved,
    Phase,
    Reminded,
    Roster,
    Started,
    TextChanged,
    decision_state,
    describe_rule,
    may,
    utc,
)
from bot.policy.labels import decision_labels, with_decision_labels
from bot.policy.panel import PANEL_MARKER, MoveOption, RfcPanel, render_panel
from bot.policy.permissions import teams
from bot.policy.provenance import (
    PROOF,
    STATUS,
    DecisionRecord,
    StatusMove,
    proven_status_moves,
    trailers,
)
from bot.policy.replies import Outcome
from bot.policy.text import fit_comment, plain
from bot.rfc.config.public import MAINTAINERS_GROUP, Config, DecisionRule
from bot.rfc.document import parse
from bot.rfc.paths import is_rfc_path
from bot.rfc.workflow import who_may
from bot.values import Comment, Pull, Repository, timestamp

log = logging.getLogger(__name__)
router = routing.Router()

START = "rfc-bot:decision-start"
REMINDER = "rfc-bot:decision-reminder"
DONE = "rfc-bot:decision-done"
MAX_MENTIONS = 20  # people a start reply or a reminder mentions at most
# Commits read for text changes after a decision started (each costs one request).
MAX_COMMITS_READ = 20


# --- commands ------------------------------------------------------------------------------


async def run_status_command(session: Session, command: Command) -> Outcome:
    """``/rfc status``: a move with a decision rule starts a decision; any other moves now."""
    path = status.pick_file(command.path, await session.rfc_files(), session.config)
    head = await status.read_head_file(session, path)
    current = status.current_status(head, session.config)
    target = str(command.status)
    rule = session.config.decision_rule(current, target)
    if rule is None or current == target:
        return await status.run_status_command(session, command, first_read=head)
    refused = await status.refusal(session, head, current, target)
    if refused is not None:
        return Outcome(f"I can't start that decision: {refused.reason} Nothing was changed.")
    history = await read_history(session.gh, session.pull, session.config, session.ctx)
    roster = await roster_for(session.gh, session.pull, rule, session.config, session.ctx)
    state = decision_state(path, history.events, rule, roster, session.ctx.clock())
    if state.running:
        return Outcome(
            f"a decision to move `{plain(path)}` to **{state.target}** is already in progress "
            "(started by "
            f"@{state.started_by}): see the status panel. `/rfc cancel` ends it first."
        )
    return Outcome(_start_text(session, path, current, target, rule, roster), done=True)


async def run_decision_command(session: Session, command: Command) -> Outcome:
    """``/rfc approve | concern NAME | resolve NAME | cancel``, checked against the state the
    pull request's history gives without this comment."""
    files = await session.rfc_files()
    path = status.pick_file(command.path, files, session.config)
    history = await read_history(
        session.gh, session.pull, session.config, session.ctx, skip_comment=session.comment.id
    )
    rule = history.rule_for(path, session.config)
    if rule is None:
        return Outcome(
            f"no decision is in progress on `{plain(path)}`; it starts with the `/rfc status` "
            "move that needs one (`/rfc help` lists them)."
        )
    roster = await roster_for(session.gh, session.pull, rule, session.config, session.ctx)
    state = decision_state(path, history.events, rule, roster, session.ctx.clock())
    action = command.name
    refused = may(action, session.actor, state, roster, command.concern)  # type: ignore[arg-type]
    if refused is not None:
        return Outcome(f"I can't count that: {refused.reason}")
    return Outcome(_acknowledged(action, session.actor, command, path), done=True)


def _acknowledged(action: str, actor: str, command: Command, path: str) -> str:
    where = f"`{plain(path)}`"
    if action == "approve":
        return f"counted the approval of @{actor} for {where}; the status panel shows what is next."
    if action == "concern":
        return (
            f"the concern `{command.concern}` on {where} blocks the decision until it is "
            f"resolved with `/rfc resolve {command.concern}`."
        )
    if action == "resolve":
        return f"the concern `{command.concern}` on {where} is resolved."
    return f"the decision on {where} is cancelled; the RFC keeps its status."


def _start_text(
    session: Session, path: str, current: str, target: str, rule: DecisionRule, roster: Roster
) -> str:
    starter = session.actor.lower()
    waiting = sorted(roster.approvers - {starter})
    mentions = " ".join(f"@{login}" for login in waiting[:MAX_MENTIONS])
    more = f" and {len(waiting) - MAX_MENTIONS} more" if len(waiting) > MAX_MENTIONS else ""
    counted = " Your approval counts already." if roster.eligible(starter) else ""
    claim = {
        "path": path,
        "current": current,
        "target": target,
        "by": session.actor,
        "roster": sorted(roster.approvers),
    }
    ask = f"\n\n{mentions}{more}: your approval is needed (`/rfc approve`" + (
        ", or approve the pull request in a review; `/rfc concern NAME` to object)."
    )
    return (
        f"started a decision to move `{plain(path)}` from **{current}** to **{target}**: it "
        f"needs {describe_rule(rule)}.{counted} The status panel of this pull request shows "
        "who has approved and what comes next; when the comment period ends, I make the move."
        + (ask if waiting else "")
        + f"\n<!-- {START} {json.dumps(claim, separators=(',', ':'))} -->"
    )


# --- events --------------------------------------------------------------------------------


@router.register("pull_request_review", action="submitted")
@router.register("pull_request_review", action="dismissed")
@router.register("pull_request_review", action="edited")
async def on_review(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    pull = Pull.from_json(event.data["pull_request"])
    if pull.is_open:
        await settle(gh, pull, ctx)


async def after_commands(session: Session, commands: Iterable[Command]) -> None:
    """After a comment's commands: bring the decisions and the panel up to date."""
    touched = any(c.name in DECISION_COMMANDS or c.name == "status" for c in commands)
    if touched and session.pull.is_open:
        await settle(session.gh, session.pull, session.ctx, session.config)


async def sweep_repository(gh: GitHubAPI, repository: Repository, ctx: Context) -> None:
    """The reconciler's timer: every open pull request carrying a decision label is settled,
    so a comment period that ended is acted on within one sweep of its deadline. The open
    pull requests are the listing the sweep reads anyway (a 304 when nothing changed)."""
    pulls = [
        Pull.from_json(item)
        for item in await pulls_updated_since(gh, repository.full_name, "open", None)
    ]
    if not pulls:
        return
    config, _ = await default_branch_config(
        gh, repository.full_name, repository.default_branch, ctx
    )
    for pull in pulls:
        if set(pull.labels) & decision_labels(config):
            await settle(gh, pull, ctx, config)


register_timer("decisions", sweep_repository)


# --- reading the history ---------------------------------------------------------------------


@dataclass
class History:
    events: list[Event]
    rfc_paths: list[str]
    panel: Comment | None
    starts: dict[str, Started]  # the latest start per path

    def rule_for(self, path: str, config: Config) -> DecisionRule | None:
        started = self.starts.get(path)
        return None if started is None else config.decision_rule(started.current, started.target)


async def read_history(
    gh: GitHubAPI, pull: Pull, config: Config, ctx: Context, *, skip_comment: int | None = None
) -> History:
    """Everything on GitHub that makes up the pull request's decisions, as events."""
    files = await list_pull_files(gh, pull.repo, pull.number)
    paths = [
        str(f["filename"])
        for f in files
        if f.get("status") != "removed" and is_rfc_path(str(f["filename"]), config)
    ]
    events: list[Event] = []
    panel: Comment | None = None
    async for comment in comments(gh, pull.repo, pull.number):
        if comment.id == skip_comment:
            continue
        if written_by(comment, ctx.app_id):
            panel = panel or (comment if PANEL_MARKER in comment.body else None)
            events += _app_events(comment)
        elif not comment.author_is_bot:
            events += _comment_events(comment, paths, config)
    starts = _latest_starts(events)
    if not starts:  # no decision ever started here: reviews and commits cannot matter
        return History(events, paths, panel, starts)
    events += _review_events(await list_reviews(gh, pull.repo, pull.number))
    events += await _commit_events(gh, pull, ctx, paths, min(s.at for s in starts.values()))
    return History(events, paths, panel, starts)


def _app_events(comment: Comment) -> list[Event]:
    at = comment.created_at
    if at is None:
        return []
    found: list[Event] = []
    for kind, claim in _markers(comment.body):
        path = claim.get("path")
        if not isinstance(path, str):
            continue
        if kind == START and isinstance(claim.get("target"), str):
            roster = claim.get("roster")
            found.append(
                Started(
                    at,
                    str(claim.get("by") or ""),
                    path,
                    str(claim.get("current") or ""),
                    str(claim["target"]),
                    comment.html_url,
                    frozenset(roster) if isinstance(roster, list) else None,
                )
            )
        elif kind == REMINDER:
            found.append(Reminded(at, path))
    return found


def _markers(body: str) -> list[tuple[str, dict[str, Any]]]:
    """(kind, claim) of the App's hidden decision markers in one of its own comments."""
    found = []
    for line in body.splitlines():
        line = line.strip()
        if not (line.startswith("<!-- rfc-bot:decision-") and line.endswith(" -->")):
            continue
        kind, _, value = line[5:-4].partition(" ")
        try:
            claim = json.loads(value)
        except ValueError:
            continue
        if isinstance(claim, dict):
            found.append((kind, claim))
    return found


def _comment_events(comment: Comment, paths: Sequence[str], config: Config) -> list[Event]:
    at = comment.updated_at or comment.created_at
    actor = comment.author
    if at is None or actor is None:
        return []
    found: list[Event] = []
    for item in parse_commands(comment.body, config.statuses):
        if not isinstance(item, Command) or item.name not in DECISION_COMMANDS:
            continue
        path = _path(item.path, paths)
        if path is None and not (item.name == "approve" and item.path is None):
            continue
        link = comment.html_url
        if item.name == "approve":
            found.append(Approved(at, actor, path, link))
        elif item.name == "concern" and path:
            found.append(ConcernRaised(at, actor, path, str(item.concern), link))
        elif item.name == "resolve" and path:
            found.append(ConcernResolved(at, actor, path, str(item.concern), link))
        elif item.name == "cancel" and path:
            found.append(Cancelled(at, actor, path, link))
    return found


def _path(wanted: str | None, paths: Sequence[str]) -> str | None:
    """The RFC a command names, or the pull request's only RFC."""
    if wanted is None:
        return paths[0] if len(paths) == 1 else None
    wanted = wanted.strip().removeprefix("./").lstrip("/")
    matches = [p for p in paths if p == wanted] or [
        p for p in paths if posixpath.basename(p) == posixpath.basename(wanted)
    ]
    return matches[0] if len(matches) == 1 else None


def _review_events(reviews: Iterable[dict[str, Any]]) -> list[Event]:
    found: list[Event] = []
    for review in reviews:
        actor = (review.get("user") or {}).get("login")
        at = timestamp(review, "submitted_at")
        if not isinstance(actor, str) or at is None:
            continue
        state, link = str(review.get("state") or "").upper(), str(review.get("html_url") or "")
        if state == "APPROVED":
            found.append(Approved(at, actor, None, link, via="review"))
        elif state in ("CHANGES_REQUESTED", "DISMISSED"):
            found.append(ChangesRequested(at, actor, None, link))
    return found


def _latest_starts(events: Iterable[Event]) -> dict[str, Started]:
    starts: dict[str, Started] = {}
    for event in events:
        if isinstance(event, Started) and (
            event.path not in starts or starts[event.path].at < event.at
        ):
            starts[event.path] = event
    return starts


async def _commit_events(
    gh: GitHubAPI, pull: Pull, ctx: Context, paths: Sequence[str], since: datetime
) -> list[Event]:
    """The App's proven moves, and pushes of others that changed an RFC after ``since``."""
    found: list[Event] = []
    later: list[tuple[datetime, str]] = []
    for item in await list_pull_commits(gh, pull.repo, pull.number):
        commit = item.get("commit") or {}
        message = str(commit.get("message") or "")
        at = timestamp(commit.get("committer"), "date")
        if at is None:
            continue
        moves = proven_status_moves(ctx.signing_key, pull.repo, pull.number, [message])
        found += [Moved(at, move.path, move.target, str(item.get("sha"))) for move in moves]
        # A push at the very instant of the start is taken as before it (it was read first).
        if not moves and at > since and not _claims_a_move(message):
            later.append((at, str(item.get("sha"))))
    for at, sha in later[-MAX_COMMITS_READ:]:
        changed = set(await commit_files(gh, pull.repo, sha))
        found += [TextChanged(at, path, sha) for path in paths if path in changed]
    return found


def _claims_a_move(message: str) -> bool:
    fields = trailers(message)
    return STATUS in fields and PROOF in fields


# --- the roster ------------------------------------------------------------------------------


async def roster_for(
    gh: GitHubAPI, pull: Pull, rule: DecisionRule, config: Config, ctx: Context
) -> Roster:
    """The rule's approvers and the maintainers, resolved now (cached a few minutes)."""
    key = (pull.repo, rule.approvers, config.maintainers)
    cached = ctx.rosters.get(key)
    if cached is not None:
        return cached
    maintainers = await _maintainers(gh, pull.repo, config)
    approvers: set[str] = set()
    for entry in rule.approvers:
        if entry == MAINTAINERS_GROUP:
            approvers |= maintainers
        elif "/" in entry:
            org, _, team = entry.partition("/")
            approvers |= {login.lower() for login in await team_members(gh, org, team)}
        else:
            approvers.add(entry.lstrip("@").lower())
    roster = Roster.of(approvers, maintainers)
    ctx.rosters[key] = roster
    return roster


async def _maintainers(gh: GitHubAPI, repo: str, config: Config) -> set[str]:
    logins = {login.lower() for login in await collaborators_with_push(gh, repo)}
    logins |= {entry.lower() for entry in config.maintainers if "/" not in entry}
    for org, team in teams(config):
        logins |= {login.lower() for login in await team_members(gh, org, team)}
    return logins


# --- acting on the state ---------------------------------------------------------------------


async def settle(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config | None = None) -> None:
    """Recompute every decision of the pull request; make a due move, send a due reminder,
    and bring the panel up to date. Idempotent: what was done is in the history."""
    if config is None:
        config, _ = await config_for(gh, pull, ctx)
    history = await read_history(gh, pull, config, ctx)
    if not history.starts and history.panel is None:
        return  # no decision was ever started here: no panel to keep
    now = ctx.clock()
    panels: list[RfcPanel] = []
    labels: set[str] = set()
    for path, rule, state in await assess(gh, pull, ctx, config, history, now):
        if state.move_due:
            await _make_move(gh, pull, config, ctx, path, state)
        elif state.phase is Phase.DONE:
            moved = max(e.at for e in history.events if isinstance(e, Moved) and e.path == path)
            await _announce_done(gh, pull, ctx, path, state, moved)
        elif state.reminder_due:
            await _remind(gh, pull, ctx, path, state)
        if state.phase is Phase.COMMENT_PERIOD and not state.move_due:
            labels.add(config.labels.comment_period)
            await _announce_period_once(gh, pull, ctx, path, state)
        elif state.running and not state.move_due:
            labels.add(config.labels.decision)
        panels.append(await panel_entry(gh, pull, config, path, state, rule))
    desired = with_decision_labels(config, pull.labels, labels)
    await sync_labels(gh, pull, config, desired, ctx.known_labels)
    await _write_panel(gh, pull, ctx, history.panel, render_panel(panels, now))


async def assess(
    gh: GitHubAPI,
    pull: Pull,
    ctx: Context,
    config: Config,
    history: History,
    now: datetime,
) -> list[tuple[str, DecisionRule | None, DecisionState]]:
    """Each RFC's decision as the fold computes it now: what ``settle`` acts on, the panel
    shows and the dashboard lists (one computation, so they never disagree)."""
    assessed = []
    for path in history.rfc_paths:
        rule = history.rule_for(path, config)
        roster = (
            await roster_for(gh, pull, rule, config, ctx) if rule is not None else Roster.of(())
        )
        state = decision_state(path, history.events, rule or config.decisions, roster, now)
        assessed.append((path, rule, state))
    return assessed


async def _make_move(
    gh: GitHubAPI, pull: Pull, config: Config, ctx: Context, path: str, state: DecisionState
) -> None:
    """The move a decision made due: a commit with the App's proof, then one announcement by
    the writer of that commit. A replica that loses the race (GitHub refuses its commit: the
    file moved) says nothing; the writer announces, or a later settle does once the move is
    old (``_announce_done``)."""
    assert state.current is not None and state.target is not None
    session = Session(gh, ctx, pull, _decision_comment(state, ctx), config)
    head = await status.read_head_file(session, path)
    if config.canonical_status(head.document.status) != state.current:
        return  # moved meanwhile (by another replica, or by hand): nothing to commit here
    why_not = await status.write_refusal(session)
    if why_not is not None:
        log.warning("%s#%s: decision move of %s not made: %s", pull.repo, pull.number, path,
                    why_not)  # fmt: skip
        return
    move = StatusMove(path, state.current, state.target)
    new_text = status.edited_text(head, state.target, session)
    approvers = tuple(approval.login for approval in state.approvals)
    record = DecisionRecord(approvers, state.period_start, state.period_end, head.blob_sha)
    try:
        await status.commit_move(session, head, new_text, move, record)
    except (UserError, ContentConflict, WriteRefused) as error:
        log.info("%s#%s: decision move not made: %s", pull.repo, pull.number, error)
        return
    await status.sync_status_labels(session, path, new_text)
    await _announce_once(gh, pull, ctx, path, state)


async def _announce_done(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState, moved_at: datetime
) -> None:
    """A decision found done: its writer announced it, unless it died in between; once the
    move is older than that writer's time, make sure the announcement is there."""
    if (ctx.clock() - moved_at).total_seconds() >= ctx.announce_after_seconds:
        await _announce_once(gh, pull, ctx, path, state)


def _decision_comment(state: DecisionState, ctx: Context) -> Comment:
    """What the move's commit message names as its request: the decision's start."""
    return Comment(
        id=0,
        body="",
        author=f"{state.started_by} (decision)",
        author_is_bot=True,
        html_url=state.start_link,
        app_id=ctx.app_id,
    )


async def _announce_once(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState
) -> None:
    claim = {"path": path, "target": state.target, "started": utc(state.started_at)}
    marker = f"<!-- {DONE} {json.dumps(claim, separators=(',', ':'))} -->"
    if await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        return
    approvers = " ".join(f"@{a.login}" for a in state.approvals[:MAX_MENTIONS])
    body = (
        f"The comment period ended {utc(state.period_end)} with no concern open: "
        f"`{plain(path)}` is now **{state.target}** (moved from **{state.current}**). "
        f"Thank you, {approvers or 'everyone'}.\n{marker}"
    )
    await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)


async def _announce_period_once(
    gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState
) -> None:
    """The comment period's start, said once per period (a restart after a concern is a new
    period, with a new start time)."""
    claim = {"path": path, "start": utc(state.period_start)}
    marker = f"<!-- rfc-bot:decision-period {json.dumps(claim, separators=(',', ':'))} -->"
    if await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        return
    body = (
        f"The approvals for moving `{plain(path)}` to **{state.target}** are in, with no "
        f"concern open: the final comment period runs until **{utc(state.period_end)}**. "
        "Raise `/rfc concern NAME` before then to pause it; otherwise I make the move.\n" + marker
    )
    await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)


async def _remind(gh: GitHubAPI, pull: Pull, ctx: Context, path: str, state: DecisionState) -> None:
    names = " ".join(f"@{login}" for login in state.remind[:MAX_MENTIONS])
    claim = json.dumps({"path": path}, separators=(",", ":"))
    body = (
        f"{names}: the decision to move `{plain(path)}` to **{state.target}** is waiting for "
        f"you: `/rfc approve`, an approving review, or `/rfc concern NAME` to object. "
        f"{state.needed} more approval(s) needed.\n<!-- {REMINDER} {claim} -->"
    )
    await post_comment(gh, pull.repo, pull.number, fit_comment(body), app_id=ctx.app_id)


async def panel_entry(
    gh: GitHubAPI,
    pull: Pull,
    config: Config,
    path: str,
    state: DecisionState,
    rule: DecisionRule | None,
) -> RfcPanel:
    """One RFC as the panel (and the dashboard) shows it: its title and status at the head,
    the moves open from there, and its decision."""
    raw = await get_file(gh, pull.repo, path, pull.head.sha)
    document = parse(raw.decode("utf-8", errors="replace")) if raw is not None else None
    written = document.status if document else None
    current = config.canonical_status(written) or written or "unknown"
    moves = tuple(
        MoveOption(target, who_may(current, target, config), config.decision_rule(current, target))
        for target in config.allowed_next(current)
    )
    title = (document.title if document else None) or path
    return RfcPanel(path, title, current, moves, state, rule)


async def _write_panel(
    gh: GitHubAPI, pull: Pull, ctx: Context, panel: Comment | None, body: str
) -> None:
    """Edit the one panel in place (never a new one per event); post it the first time."""
    if panel is None:
        await post_comment(gh, pull.repo, pull.number, body, marker=PANEL_MARKER, app_id=ctx.app_id)
    elif _without_time(panel.body) != _without_time(body):
        await update_comment(gh, pull.repo, panel.id, body)


def _without_time(body: str) -> str:
    """The panel without its "Updated …" line: an unchanged state is not edited again."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("_Updated "))
