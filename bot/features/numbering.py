"""Numbering on merge: each new RFC gets its number exactly once, in one commit.

Exactly once without memory: every attempt re-reads the default branch. A pull request's RFC
is done when a recent commit of the RFC directory carries the App's proven numbering trailers
for this pull request (``bot.policy.provenance``: a forged ``RFC-PR: #N`` counts nothing, and
another pull request's RFC with the same slug is not this one's). The commit that numbers it is
written with the Git Data API and published with a fast-forward-only ref update, which GitHub
refuses if the branch moved since we read it: that refusal is the lock between replicas.
Numbering writes only to the default branch, and only for a merged pull request.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from gidgethub import routing
from gidgethub.abc import GitHubAPI

from bot.deliveries import PullDelivery
from bot.errors import UserError
from bot.features.acceptance import (
    complete_plan,
    correct_tracking,
    tracking_of,
    update_rendered_link,
)
from bot.features.caches import BoundedLRUCache
from bot.features.config import config_at
from bot.features.context import Context
from bot.features.roles import is_maintainer
from bot.features.session import CommandSession
from bot.features.tracking import TrackingPending
from bot.github import gitdata
from bot.github.client import installation_of
from bot.github.contents import get_file
from bot.github.issues import find_own_comment, post_comment
from bot.github.labels import KnownLabelCache, sync_labels
from bot.github.pulls import list_pull_files
from bot.policy.commands import Command
from bot.policy.labels import with_numbered
from bot.policy.markers import NUMBERED, NUMBERING_ERROR
from bot.policy.permissions import describe_roles
from bot.policy.provenance import numbering_trailers, proven_numbering
from bot.policy.reconcile import still_unnumbered
from bot.policy.repairs import Kind, Repair
from bot.policy.replies import Outcome
from bot.rfc.config.public import Config
from bot.rfc.document import Document
from bot.rfc.numbering import (
    Assignment,
    Numbered,
    NumberingError,
    Plan,
    added_rfcs,
    commit_message,
    plan_numbering,
    rfc_files,
    sort_added,
)
from bot.rfc.workflow import MAINTAINERS
from bot.values import Pull, timestamp

log = logging.getLogger(__name__)
router = routing.Router()

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 0.05  # base of the jittered exponential backoff after a lost race
# RFC texts read at once on a cold cache (the first merge after a restart reads them all).
_READ_CONCURRENCY = 10
BLOB_CACHE_BYTES = 32 * 1024 * 1024
BLOB_CACHE_ENTRIES = 20_000


class BlobTexts(BoundedLRUCache[str, str]):
    """Git blob sha -> decoded text of an RFC file on the default branch. Blobs are
    content-addressed, so an entry never goes stale; bounded by memory and by count."""

    def __init__(self) -> None:
        super().__init__(
            max_entries=BLOB_CACHE_ENTRIES, max_size=BLOB_CACHE_BYTES, getsizeof=sys.getsizeof
        )


class NumberingLocks(LRUCache[str, asyncio.Lock]):
    """One lock per repository, so that one process never races itself numbering (replicas
    race through the ref update instead)."""

    def __init__(self) -> None:
        super().__init__(maxsize=1024)

    def lock(self, key: str) -> asyncio.Lock:
        lock = self.get(key)
        if lock is None:
            lock = self[key] = asyncio.Lock()
        return lock


@dataclass(frozen=True)
class NumberingResult:
    config: Config
    branch: str
    added: tuple[str, ...] = ()
    assigned: tuple[Assignment, ...] = ()
    already: tuple[Numbered, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # True when another writer moved the branch during this call and we then found the work
    # done: that writer numbered these RFCs and announces them, so we stay quiet.
    lost_race: bool = False
    # When the newest numbering commit of this pull request was made (None: none was read).
    numbered_at: datetime | None = None
    # Each RFC's tracking issue (unnumbered path -> issue number), when it has one.
    tracking: Mapping[str, int] = field(default_factory=dict)


@router.register("pull_request", action="closed")
async def on_pull_request_closed(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    await number_merged(gh, delivery.pull, ctx)


async def number_merged(gh: GitHubAPI, pull: Pull, ctx: Context, *, writer: bool = False) -> bool:
    """A closed pull request: number its new RFCs when it was merged into the default branch
    (also the reconciler's and the repair list's repair of a merge whose numbering was missed).

    ``writer``: this App made the numbering commit earlier and failed to announce it (the
    repair list's announcement). False when the announcement is left to the writer that
    numbered the RFCs (``label_and_announce``), True when nothing more is owed here."""
    if not pull.merged or pull.base.ref != pull.default_branch:
        return True
    try:
        outcome = await assign_numbers(gh, pull, ctx)
    except TrackingPending as waiting:
        log.info("numbering %s#%s waits: %s", pull.repo, pull.number, waiting)
        installation_id = installation_of(gh)
        if installation_id is not None:
            ctx.needs_repair(Repair(Kind.NUMBER, pull.repo, pull.number, installation_id))
        return False
    except UserError as error:
        await post_once(gh, pull, f"{NUMBERING_ERROR}\n{error}", NUMBERING_ERROR, ctx)
        return True
    try:
        return await label_and_announce(gh, pull, outcome, ctx, writer=writer)
    except BaseException:
        installation_id = installation_of(gh)
        if outcome.assigned and installation_id is not None:
            # We made the commit: announcing it must not wait for another writer's turn.
            announce = Repair(Kind.ANNOUNCEMENT, pull.repo, pull.number, installation_id)
            ctx.needs_repair(announce)
        raise


async def label_and_announce(
    gh: GitHubAPI, pull: Pull, outcome: NumberingResult, ctx: Context, *, writer: bool = False
) -> bool:
    """The label, and the one announcement: by the writer that numbered the RFCs (this call,
    or with ``writer`` an earlier one of this App). False when it left the announcement to
    that writer.

    A replica (or a redelivery) that finds the work done by another writer stays quiet while
    that writer may still be announcing, however slow it is: it announces only once the
    numbering commit is older than ``ctx.announce_after_seconds`` and no announcement of the
    App's is there (the writer died in between; the repair list gets here too).
    """
    if not (outcome.assigned or outcome.already):
        return True
    writes: list[Awaitable[object]] = [add_label(gh, pull, outcome.config, ctx)]
    announce = bool(outcome.assigned) or writer or _writer_had_its_time(outcome, ctx)
    if announce:
        late = [n.old_path for n in outcome.already if n.old_path not in outcome.tracking]
        if late and outcome.config.follow_up.tracking_issue is not None:
            found = await tracking_of(gh, pull, outcome.config, late, ctx)
            outcome = replace(outcome, tracking={**outcome.tracking, **found})
        body = announcement(outcome, pull)
        writes.append(post_once(gh, pull, body, NUMBERED, ctx))
        renamed = [(a.old_path, a.new_path) for a in outcome.assigned]
        renamed += [(n.old_path, n.path) for n in outcome.already if n.old_path]
        writes.append(update_rendered_link(gh, pull, outcome.branch, renamed))
    await asyncio.gather(*writes)
    return announce


def _writer_had_its_time(outcome: NumberingResult, ctx: Context) -> bool:
    numbered_at = outcome.numbered_at
    if numbered_at is None:
        return True  # numbered long ago (beyond the commits read): nobody else is announcing
    return (ctx.clock() - numbered_at).total_seconds() >= ctx.announce_after_seconds


async def run_number_command(session: CommandSession, command: Command) -> Outcome:
    """``/rfc number``: retry numbering a merged pull request (maintainers)."""
    gh, pull = session.gh, session.pull
    if not await is_maintainer(gh, pull.repo, session.actor, session.config):
        return Outcome(
            f"`/rfc number` may be run by {describe_roles([MAINTAINERS])}; "
            f"@{session.actor} is not a maintainer of this repository."
        )
    if not pull.merged:
        raise UserError(
            f"#{pull.number} is not merged: RFC numbers are assigned when the pull request is "
            "merged."
        )
    if pull.base.ref != pull.default_branch:
        raise UserError(
            f"#{pull.number} was merged into `{pull.base.ref}`, not the default branch "
            f"`{pull.default_branch}`: RFCs are numbered on the default branch only."
        )
    outcome = await assign_numbers(gh, pull, session.ctx)
    renamed = [(a.old_path, a.new_path) for a in outcome.assigned]
    await update_rendered_link(gh, pull, outcome.branch, renamed)
    if not outcome.added:
        rfc_dir = outcome.config.rfc_dir
        return Outcome(
            f"#{pull.number} adds no unnumbered RFC under `{rfc_dir}/`: nothing to number.", True
        )
    if outcome.assigned or outcome.already:
        await add_label(gh, pull, outcome.config, session.ctx)
    verb = "Assigned" if outcome.assigned else "Already numbered:"
    return Outcome(announcement(outcome, pull, verb=verb), True)


async def merged_rfcs(gh: GitHubAPI, pull: Pull, ctx: Context) -> tuple[list[str], list[str]]:
    """The unnumbered RFCs the merged pull request added, and those of them its base branch
    still holds under their ``0000-`` name: what the reconciler asks before repeating a merge
    (some still there) or its announcement (none left: numbered, so announced)."""
    files, state = await asyncio.gather(
        list_pull_files(gh, pull.repo, pull.number),
        _read_branch(gh, pull.repo, pull.base.ref, ctx),
    )
    added = added_rfcs(files, state.config)
    return added, still_unnumbered(added, state.entries)


async def assign_numbers(gh: GitHubAPI, pull: Pull, ctx: Context) -> NumberingResult:
    """Read, plan, commit, fast-forward; on a lost race re-read and plan again.

    Writes only to the default branch, and only for a merged pull request."""
    if not pull.merged or pull.base.ref != pull.default_branch:
        raise UserError(f"#{pull.number} is not merged into `{pull.default_branch}`.")
    repo, branch = pull.repo, pull.base.ref
    pull_files = await list_pull_files(gh, repo, pull.number)
    written: dict[str, Document] = {}  # the tracking issues this call wrote, with their RFCs
    async with ctx.caches.of(NumberingLocks).lock(f"numbering:{repo}"):
        for attempt in range(MAX_ATTEMPTS):
            outcome = await _attempt(gh, pull, pull_files, written, ctx)
            if outcome is not None:
                lost_race = attempt > 0 and not outcome.assigned
                numbered = {n.old_path: n.path for n in outcome.already if n.old_path in written}
                if numbered:
                    await correct_tracking(gh, pull, outcome.config, numbered, written, ctx)
                return replace(outcome, lost_race=lost_race)
            delay = random.uniform(0, BACKOFF_SECONDS * 2**attempt)
            log.info(
                "numbering %s#%s: %s moved, retrying in %.2fs", repo, pull.number, branch, delay
            )
            await asyncio.sleep(delay)
    raise UserError(
        f"Could not assign RFC numbers: `{branch}` kept moving during {MAX_ATTEMPTS} attempts. "
        "A maintainer can retry with `/rfc number`."
    )


@dataclass(frozen=True)
class BranchState:
    """What one attempt read of the default branch (file names only, no file texts)."""

    head: str
    root_tree: str
    config: Config
    entries: Mapping[str, gitdata.TreeEntry]  # blobs directly in the RFC directory

    def rfc_paths(self) -> list[str]:
        return rfc_files(self.entries, self.config)


async def _read_branch(gh: GitHubAPI, repo: str, branch: str, ctx: Context) -> BranchState:
    head = await gitdata.get_branch_head(gh, repo, branch)
    (config, _), root_tree = await asyncio.gather(
        config_at(gh, repo, head, ctx), gitdata.get_commit_tree(gh, repo, head)
    )
    listing = await gitdata.get_directory(gh, repo, root_tree, config.rfc_dir) or []
    entries = {entry.path: entry for entry in listing if entry.type == "blob"}
    return BranchState(head, root_tree, config, entries)


async def _attempt(
    gh: GitHubAPI,
    pull: Pull,
    pull_files: list[dict[str, Any]],
    written: dict[str, Document],
    ctx: Context,
) -> NumberingResult | None:
    """One read-plan-write round; None when the branch moved under us. The tracking issues
    it opens or updates go into ``written``."""
    repo, branch, pr_number = pull.repo, pull.base.ref, pull.number
    state = await _read_branch(gh, repo, branch, ctx)
    config = state.config
    added = tuple(added_rfcs(pull_files, config))
    if not added:
        return NumberingResult(config, branch)
    proven, numbered_at = await _proven_numbering(
        gh, repo, state.head, config.rfc_dir, pr_number, ctx
    )
    pending, done, missing = sort_added(added, state.rfc_paths(), proven)
    outcome = NumberingResult(config, branch, added, (), done, missing, numbered_at=numbered_at)
    if not pending:  # nothing to number: no RFC text needs reading
        return outcome
    plan, texts = await _plan(gh, repo, state, added, pr_number, proven, ctx)

    async def read(entries: list[gitdata.TreeEntry]) -> dict[str, str]:
        return await _read_texts(gh, repo, entries, state.head, ctx)

    base = (state.head, state.root_tree)
    completed = await complete_plan(gh, pull, base, config, plan, texts, read, ctx)
    written.update(completed.docs)
    plan = completed.plan
    commit = await _write_commit(gh, repo, state, plan, pr_number, ctx, completed.modes)
    try:
        await gitdata.update_branch(gh, repo, branch, commit)
    except gitdata.NotFastForward:
        return None
    except gitdata.RefUpdateRefused as refused:
        log.warning("numbering %s#%s refused: %s", repo, pr_number, refused)
        raise UserError(protected_branch_message(branch, refused)) from refused
    log.info(
        "numbering %s#%s: %s",
        repo,
        pr_number,
        ", ".join(f"{a.old_path} -> {a.new_path}" for a in plan.assignments),
    )
    notes = ((plan.index_problem,) if plan.index_problem else ()) + tuple(completed.notes)
    tracking = completed.tracked.issues
    return replace(outcome, assigned=plan.assignments, notes=notes, tracking=tracking)


async def _plan(
    gh: GitHubAPI,
    repo: str,
    state: BranchState,
    added: tuple[str, ...],
    pr_number: int,
    proven: Mapping[str, str],
    ctx: Context,
) -> tuple[Plan, dict[str, str]]:
    """Read every RFC text and the index (the index is regenerated from them), then plan;
    the RFC texts come back too (their links to a renamed RFC are rewritten)."""
    config = state.config
    wanted = [state.entries[path] for path in state.rfc_paths()]
    index = state.entries.get(config.index_path)
    texts = await _read_texts(gh, repo, [*wanted, *([index] if index else [])], state.head, ctx)
    index_text = texts.pop(config.index_path, None)
    try:
        plan = plan_numbering(texts, added, pr_number, config, index_text=index_text, proven=proven)
    except NumberingError as error:
        raise UserError(f"Could not assign an RFC number: {error}.") from error
    return plan, texts


async def _write_commit(
    gh: GitHubAPI,
    repo: str,
    state: BranchState,
    plan: Plan,
    pr_number: int,
    ctx: Context,
    modes: Mapping[str, str],
) -> str:
    """Blobs, tree and commit on top of the head (unreferenced until the ref moves)."""
    config = state.config
    changes = plan.changes(config.index_path)
    written = {path: text for path, text in changes.items() if text is not None}
    shas = await asyncio.gather(
        *(gitdata.create_blob(gh, repo, _encode(text)) for text in written.values())
    )
    # The next merge finds these blobs on the branch: no need to read back what we wrote.
    ctx.caches.of(BlobTexts).update(zip(shas, written.values(), strict=True))
    blobs: dict[str, str | None] = dict.fromkeys(changes)
    blobs.update(zip(written, shas, strict=True))
    # Keep the modes the files had (the renamed file keeps its old one).
    kept = {path: entry.mode for path, entry in state.entries.items()} | dict(modes)
    kept |= {a.new_path: state.entries[a.old_path].mode for a in plan.assignments}
    tree = await gitdata.create_tree(gh, repo, state.root_tree, blobs, kept)
    renames = [(a.old_path, a.new_path) for a in plan.assignments]
    trailers = numbering_trailers(ctx.signing_key, repo, pr_number, renames)
    message = commit_message(plan, pr_number, config.number_width, trailers)
    return await gitdata.create_commit(gh, repo, message, tree, [state.head])


async def _proven_numbering(
    gh: GitHubAPI, repo: str, head: str, rfc_dir: str, pr_number: int, ctx: Context
) -> tuple[dict[str, str], datetime | None]:
    """What the App's proven numbering commits among the recent commits of the RFC directory
    renamed for this pull request (old path -> numbered path), and when the newest was made."""
    renamed: dict[str, str] = {}
    newest: datetime | None = None
    for item in await gitdata.list_commits(gh, repo, head, rfc_dir):
        commit = item.get("commit") or {}
        found = proven_numbering(ctx.signing_key, repo, pr_number, [str(commit.get("message"))])
        if found:
            renamed.update(found)
            made = timestamp(commit.get("committer"), "date")
            newest = max(filter(None, (newest, made)), default=None)
    return renamed, newest


def _encode(text: str) -> bytes:
    # surrogateescape round-trips bytes that are not UTF-8, so nothing is lost.
    return text.encode("utf-8", errors="surrogateescape")


async def _read_texts(
    gh: GitHubAPI, repo: str, entries: list[gitdata.TreeEntry], head: str, ctx: Context
) -> dict[str, str]:
    """Path -> text; blobs not in ``BlobTexts`` are read, a bounded number at once."""
    limit, cache = asyncio.Semaphore(_READ_CONCURRENCY), ctx.caches.of(BlobTexts)

    async def read(entry: gitdata.TreeEntry) -> str:
        text = cache.get(entry.sha)
        if text is None:
            async with limit:
                raw = await get_file(gh, repo, entry.path, head)
            if raw is None:  # not a regular file (e.g. a symlink): nothing to read or cache
                return ""
            text = cache[entry.sha] = raw.decode("utf-8", errors="surrogateescape")
        return text

    texts = await asyncio.gather(*(read(entry) for entry in entries))
    return {entry.path: text for entry, text in zip(entries, texts, strict=True)}


# --- Telling the pull request ---------------------------------------------------------------


def announcement(outcome: NumberingResult, pull: Pull, verb: str = "Assigned") -> str:
    """One line per RFC, linking the file on the default branch, with the hidden marker."""
    base_url = f"{pull.repository.html_url}/blob/{outcome.branch}"
    width = outcome.config.number_width
    lines = [NUMBERED]
    for item in sorted(
        [(a.number, a.new_path, a.number_field_set, a.old_path) for a in outcome.assigned]
        + [(n.number, n.path, True, n.old_path) for n in outcome.already]
    ):
        number, path, field_set, old_path = item
        line = f"{verb} RFC {number:0{width}d}: [{path}]({base_url}/{path})"
        if old_path in outcome.tracking:
            line += f", tracked in #{outcome.tracking[old_path]}"
        if not field_set:
            line += " (the file has no `**RFC Number:**` line, so only its name was changed)"
        lines.append(line)
    lines.extend(
        f"Not numbered: `{path}` is no longer on `{outcome.branch}`." for path in outcome.missing
    )
    lines.extend(f"Note: {note}" for note in outcome.notes)
    return "\n".join(lines)


def protected_branch_message(branch: str, refused: gitdata.RefUpdateRefused) -> str:
    strategy_hint = (
        "Switching to `numbering: pull-request` in `.github/rfc-bot.yml` does not avoid "
        "this: the file still has to be renamed by a commit."
    )
    return (
        f"Could not assign RFC numbers: GitHub refused to update `{branch}` "
        f"({refused.status}: {refused.message}). Nothing was changed.\n\n"
        f"To fix it, let this App bypass the branch protection rule or ruleset of `{branch}` "
        "(or give it write access to contents), then comment `/rfc number` on this pull "
        f"request to retry. {strategy_hint}"
    )


async def post_once(gh: GitHubAPI, pull: Pull, body: str, marker: str, ctx: Context) -> None:
    """Post ``body`` unless the App's comment carrying ``marker`` is there (redeliveries)."""
    if await find_own_comment(gh, pull.repo, pull.number, marker, ctx.app_id):
        return
    await post_comment(gh, pull.repo, pull.number, body, marker=marker, app_id=ctx.app_id)


async def add_label(gh: GitHubAPI, pull: Pull, config: Config, ctx: Context) -> None:
    """Put ``labels.numbered`` on the pull request (created and styled if the repo lacks it)."""
    labels = with_numbered(config, pull.labels)
    await sync_labels(gh, pull, config, labels, ctx.caches.of(KnownLabelCache))
