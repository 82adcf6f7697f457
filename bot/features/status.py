"""``/rfc status``: move an RFC along its workflow with a commit on the pull request's branch.

Fetch (the file on the head branch, its base version for authorship, the actor's roles) →
decide (``bot.policy.permissions``) → write (one contents-API commit carrying a signed
trailer that proves the App made this move, then the labels).

Where the App writes is confined: only the head branch of an open pull request, never the
repository's default branch, never a branch GitHub reports as protected, and a fork only when
it allows maintainers to edit. Anywhere else the reply gives the exact lines to change.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import UserError
from bot.features.roles import actor_roles
from bot.features.session import CommandSession, PullSession
from bot.github.contents import ContentConflict, WriteRefused, get_file, get_file_item, put_file
from bot.github.labels import KnownLabelCache, sync_labels
from bot.github.repos import get_branch
from bot.policy.commands import Command
from bot.policy.labels import desired_labels, kept_decision_labels
from bot.policy.permissions import Refused, decide
from bot.policy.provenance import StatusMove, status_trailers
from bot.policy.replies import Outcome, manual_edit_text
from bot.policy.targets import no_target_text, target_path
from bot.policy.text import inline_text
from bot.rfc.config.public import Config
from bot.rfc.document import Document, parse
from bot.rfc.edits import set_status, set_superseded_by
from bot.rfc.workflow import rfc_authors
from bot.values import Pull

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadFile:
    """An RFC file as it is on the pull request's head branch."""

    path: str
    text: str
    blob_sha: str
    document: Document


@dataclass(frozen=True)
class MoveRequest:
    """Who asked for a status move, and where (a comment's URL), as its commit names them."""

    by: str
    url: str


async def move_status(
    session: CommandSession, command: Command, first_read: HeadFile | None = None
) -> Outcome:
    """``/rfc status`` made at once. ``first_read``: the file as the caller already read it
    (saves reading it again)."""
    path = pick_file(command.path, await session.rfc_files(), session.config)
    target = str(command.status)
    conflicted_blob: str | None = None
    for _attempt in range(2):
        head = first_read or await read_head_file(session, path)
        first_read = None
        if head.blob_sha == conflicted_blob:
            # GitHub answered 409 although the file had not moved: not a race but a refusal
            # (the contents API reports a protected branch that way).
            return _manual(
                head, target, session, "GitHub refused my commit to the pull request's branch"
            )
        outcome = await _try_move(session, head, target, command.superseded_by)
        if outcome is not None:
            return outcome
        conflicted_blob = head.blob_sha
    branch = session.pull.head.ref
    return Outcome(
        f"`{inline_text(path)}` changed on `{inline_text(branch)}` twice while I was updating "
        "it, so I left it alone. Please run the command again."
    )


async def _try_move(
    session: CommandSession, head: HeadFile, target: str, successor: int | None = None
) -> Outcome | None:
    """Check and commit one status move (and the successor of a deprecated RFC); None when
    the file moved under us (retry)."""
    config = session.config
    current = current_status(head, config)
    if current == target:
        return Outcome(f"`{inline_text(head.path)}` is already **{target}**: nothing to change.")
    refused = await refusal(session, head, current, target)
    if refused is not None:
        return Outcome(f"I can't do that: {refused.reason} Nothing was changed.")
    why_not = await write_refusal(session)
    if why_not is not None:
        return _manual(head, target, session, why_not, successor)
    move = StatusMove(head.path, current, target)
    new_text = edited_text(head, target, session, successor)
    request = MoveRequest(session.actor, session.comment.html_url)
    try:
        commit = await commit_move(session, head, new_text, move, request)
    except ContentConflict as conflict:
        log.info("%s#%s: %s: %s", session.repo, session.pull.number, head.path, conflict)
        return None
    except WriteRefused as refused:
        log.info("%s#%s: write refused: %s", session.repo, session.pull.number, refused)
        why = "GitHub refused my commit to the pull request's branch"
        return _manual(head, target, session, why, successor)
    await sync_status_labels(session, head.path, new_text)
    return Outcome(
        f"moved `{inline_text(head.path)}` from **{current}** to **{target}** in {commit[:7]}.",
        True,
    )


async def write_refusal(session: PullSession) -> str | None:
    """Why the App must not commit to this pull request's head branch, or None."""
    pull = session.pull
    if pull.head_is_default_branch:
        return (
            f"this pull request's branch is `{inline_text(pull.default_branch)}`, the repository's "
            "default branch, and I never commit there"
        )
    if not can_write(pull):
        return "this pull request comes from a fork that doesn't allow maintainers to edit it"
    assert pull.head.repo is not None  # can_write checked it
    branch = await get_branch(session.gh, pull.head.repo.full_name, pull.head.ref)
    if branch.protected:
        return f"`{inline_text(pull.head.ref)}` is a protected branch"
    return None


def can_write(pull: Pull) -> bool:
    """The App may push to the head branch: same repository, or a fork that allows edits."""
    return pull.head.repo is not None and (pull.from_same_repo or pull.maintainer_can_modify)


def pick_file(wanted: str | None, files: Sequence[str], config: Config) -> str:
    """The RFC file a command means; UserError listing the choices when unclear."""
    path = target_path(wanted, files)
    if path is None:
        raise UserError(no_target_text(wanted, files, config.rfc_dir))
    return path


async def read_head_file(session: PullSession, path: str) -> HeadFile:
    """The file at the tip of the head branch (so a retry sees the latest push)."""
    pull = session.pull
    if can_write(pull) and pull.head.repo is not None:
        source, ref = pull.head.repo.full_name, pull.head.ref
    else:  # a fork the App may not write: read the PR's head commit through the base repo
        source, ref = pull.repo, pull.head.sha
    item = await get_file_item(session.gh, source, path, ref)
    if item is None:
        raise UserError(f"`{inline_text(path)}` is not on the pull request's branch any more.")
    raw = base64.b64decode(item.get("content") or "")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(
            f"`{inline_text(path)}` is not UTF-8 text, so I can't edit its status."
        ) from error
    return HeadFile(path, text, str(item["sha"]), parse(text))


async def _base_authors(session: PullSession, head: HeadFile) -> list[str] | None:
    """The Author(s) of the RFC on the base branch, or None when the pull request adds it."""
    if session.pull.head_is_default_branch:
        # A pull request from the default branch "adds" RFCs that are already there: their
        # authors are the ones written on it, never the pull request's opener.
        return head.document.authors
    path = previous = head.path
    for item in await session.pull_files():
        if item.get("filename") == path:
            if item.get("status") in ("added", "copied"):
                return None
            previous = str(item.get("previous_filename") or path)
    raw = await get_file(session.gh, session.repo, previous, session.pull.base.sha)
    return None if raw is None else parse(raw.decode("utf-8", errors="replace")).authors


async def refusal(
    session: CommandSession, head: HeadFile, current: str, target: str
) -> Refused | None:
    """Why the session's actor may not make this move (``bot.policy.permissions``), or None."""
    authors = rfc_authors(
        await _base_authors(session, head), head.document.authors, session.pull.author
    )
    roles = await actor_roles(
        session.gh,
        session.repo,
        session.actor,
        current=current,
        target=target,
        authors=authors,
        config=session.config,
    )
    decision = decide(session.actor, current, target, roles, session.config)
    return decision if isinstance(decision, Refused) else None


async def commit_move(
    session: PullSession, head: HeadFile, new_text: str, move: StatusMove, request: MoveRequest
) -> str:
    """Commit the edited file to the head branch; returns the new commit's sha."""
    pull = session.pull
    assert pull.head.repo is not None
    name = posixpath.splitext(posixpath.basename(head.path))[0]
    url = request.url or f"#{pull.number}"
    trailers = status_trailers(session.ctx.signing_key, pull.repo, pull.number, move)
    message = (
        f"RFC {name}: status {move.current} -> {move.target}\n\n"
        f"Requested by @{request.by} in {url}\n\n{trailers}\n"
    )
    answer = await put_file(
        session.gh,
        pull.head.repo.full_name,
        head.path,
        new_text.encode("utf-8"),
        sha=head.blob_sha,
        branch=pull.head.ref,
        message=message,
    )
    return str(answer["commit"]["sha"])


async def sync_status_labels(session: PullSession, changed_path: str, changed_text: str) -> None:
    """Make the PR's owned labels match its RFCs, the just-changed one as now written."""
    pull = session.pull
    assert pull.head.repo is not None
    head_repo = pull.head.repo.full_name

    async def document(path: str) -> Document | None:
        if path == changed_path:
            return parse(changed_text)
        raw = await get_file(session.gh, head_repo, path, pull.head.ref)
        return None if raw is None else parse(raw.decode("utf-8", errors="replace"))

    documents = await asyncio.gather(*(document(path) for path in await session.rfc_files()))
    desired = desired_labels(session.config, documents) | kept_decision_labels(
        session.config, pull.labels
    )
    await sync_labels(
        session.gh, pull, session.config, desired, session.ctx.caches.of(KnownLabelCache)
    )


def _manual(
    head: HeadFile, target: str, session: PullSession, why: str, successor: int | None = None
) -> Outcome:
    new_text = edited_text(head, target, session, successor)
    return Outcome(manual_edit_text(head.path, head.text, new_text, target, why))


def current_status(head: HeadFile, config: Config) -> str:
    current = config.canonical_status(head.document.status)
    if current is None:
        written = head.document.status
        found = f"reads `{inline_text(written)}`" if written else "is missing"
        names = ", ".join(f"**{status}**" for status in config.statuses)
        raise UserError(
            f"the **Status:** line of `{inline_text(head.path)}` {found}; it must be one of "
            f"{names}. Please fix it by hand first."
        )
    return current


def edited_text(
    head: HeadFile, target: str, session: PullSession, successor: int | None = None
) -> str:
    """The file with its new Status (and ``Superseded By: RFC successor`` when given)."""
    try:
        text = set_status(head.text, target, session.ctx.clock().date())
        if successor is not None:
            text = set_superseded_by(text, successor, session.config.number_width)
        return text
    except ValueError as error:
        raise UserError(f"I can't edit `{inline_text(head.path)}`: {error}.") from error
