"""The `RFC validation` check run and the RFC labels of a pull request.

Runs when a pull request is opened, reopened, pushed to, marked ready, retargeted, and when
someone presses GitHub's "Re-run" button or comments ``/rfc check``. Each run: fetch (config ‖
file list, then every head ‖ base content at once), decide (the lint engine, then
``bot.policy.check``), write (one check run ‖ label changes).

Status provenance: a changed Status must be a move the pull request's author may make, or one
the App proved it committed. The first pass assumes the author is no maintainer and the App
made no move; only when that fails does the run read the pull request's commits (for the App's
signed trailers) and the author's permission, then lint those files again. A pull request that
changes no status pays nothing for this.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Iterable
from datetime import UTC, date, datetime
from typing import TypeVar

from gidgethub import routing
from gidgethub.abc import GitHubAPI

from bot.deliveries import CheckDelivery, PullDelivery
from bot.features.config import config_for
from bot.features.context import Context
from bot.features.legacy import legacy_pass
from bot.features.roles import is_maintainer
from bot.features.session import CommandSession
from bot.github.budget import budget_low
from bot.github.checks import create_check_run, update_check_run
from bot.github.contents import get_file
from bot.github.labels import KnownLabelCache, sync_labels
from bot.github.pulls import get_pull, list_pull_commits, list_pull_files
from bot.policy.check import (
    CHECK_NAME,
    CheckOutput,
    FileResult,
    RfcChange,
    blob_url,
    build_check_output,
    config_diagnostics,
    deleted_rfc,
    labelled,
    select_rfc_changes,
    stale_event_reason,
)
from bot.policy.commands import Command
from bot.policy.labels import decision_labels, desired_labels, kept_decision_labels
from bot.policy.provenance import PullProvenance, proven_status_moves
from bot.policy.replies import Outcome
from bot.rfc.config.public import Config
from bot.rfc.workflow import Provenance
from bot.values import Pull

log = logging.getLogger(__name__)
router = routing.Router()

# How many file fetches one run keeps in flight (a PR may touch many RFCs).
_MAX_PARALLEL_FETCHES = 10

T = TypeVar("T")


@router.register("pull_request", action="opened")
@router.register("pull_request", action="reopened")
@router.register("pull_request", action="synchronize")
@router.register("pull_request", action="ready_for_review")
async def on_pull_request(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    await validate(gh, delivery.pull, ctx, recheck=True)


@router.register("pull_request", action="edited")
async def on_pull_request_edited(delivery: PullDelivery, gh: GitHubAPI, ctx: Context) -> None:
    # Only a new base branch changes what the PR adds; title/body edits do not.
    if "base" in delivery.changed:
        await validate(gh, delivery.pull, ctx, recheck=True)


@router.register("check_run", action="rerequested")
async def on_check_run_rerequested(delivery: CheckDelivery, gh: GitHubAPI, ctx: Context) -> None:
    if delivery.check_name == CHECK_NAME:
        await _rerun(gh, delivery, ctx)


@router.register("check_suite", action="rerequested")
async def on_check_suite_rerequested(delivery: CheckDelivery, gh: GitHubAPI, ctx: Context) -> None:
    await _rerun(gh, delivery, ctx)


async def _rerun(gh: GitHubAPI, delivery: CheckDelivery, ctx: Context) -> None:
    """The payload lists PRs minimally (no labels, no author): fetch each before re-running."""
    repo = delivery.repository.full_name
    if not delivery.pull_numbers:
        log.info("re-run requested in %s for a commit with no open pull request here", repo)
        return
    for number in delivery.pull_numbers:
        await validate(gh, await get_pull(gh, repo, number), ctx)


async def run_check_command(session: CommandSession, command: Command) -> Outcome:
    """``/rfc check``: validate again now, unless the installation's rate budget is low."""
    if budget_low(session.gh):
        session.ctx.deferred("check")
        return Outcome(
            "not run now: this installation has few GitHub API requests left this hour, and "
            "they are kept for new pushes and merges. Every push is still validated; please "
            "try `/rfc check` again later."
        )
    await validate(session.gh, session.pull, session.ctx)
    head = session.pull.head.sha[:7]
    return Outcome(f"validation ran again on {head}: see the **RFC validation** check.", True)


async def validate(
    gh: GitHubAPI, pull: Pull, ctx: Context, *, recheck: bool = False, publish: bool = True
) -> None:
    """Lint the RFCs ``pull`` touches, post one check run on its head and sync its labels
    (``publish=False``: the labels alone, for a head that has its run: the repair list).

    ``recheck``: ``pull`` comes from an event, which may be stale (GitHub does not promise
    delivery order, and several workers may hold deliveries of one pull request): the pull
    request is read again alongside the first fetches, and nothing is written when the event
    is stale (``stale_event_reason``); otherwise the fresh labels are the ones compared.
    """
    started = ctx.clock()
    files, (config, config_error), current = await asyncio.gather(
        list_pull_files(gh, pull.repo, pull.number),
        config_for(gh, pull, ctx),
        get_pull(gh, pull.repo, pull.number) if recheck else _same(pull),
    )
    reason = stale_event_reason(pull, current)
    if reason is not None:
        log.info("%s#%s: event for %s skipped: %s", pull.repo, pull.number, pull.head.sha, reason)
        return
    pull = current
    changes = select_rfc_changes(files, config)
    texts = await _gather_bounded(_read(gh, pull, change) for change in changes)
    today = started.date()
    first = PullProvenance(opener=pull.author)
    results = [
        await _check(ctx, change, text, config, today, first.for_path(change.path))
        for change, text in zip(changes, texts, strict=True)
    ]
    if any(result.status_unauthorised for result in results):
        proven = await _provenance(gh, pull, config, ctx)
        results = [
            await _check(ctx, change, text, config, today, proven.for_path(change.path))
            if result.status_unauthorised
            else result
            for change, text, result in zip(changes, texts, results, strict=True)
        ]
    report = build_check_output(
        results,
        rendered_url=blob_url(pull.repository.html_url, pull.head.sha),
        config_diagnostics=config_diagnostics(config_error) if config_error else [],
        decision_in_progress=bool(set(pull.labels) & decision_labels(config)),
    )
    log.info("%s#%s: %s (%s)", pull.repo, pull.number, report.title, report.conclusion)
    labels = _desired(config, pull, results)
    writes = [sync_labels(gh, pull, config, labels, ctx.caches.of(KnownLabelCache))]
    if publish:
        writes.append(_publish(gh, pull, report, started, ctx.clock()))
    await asyncio.gather(*writes)


def _desired(config: Config, pull: Pull, results: list[FileResult]) -> set[str]:
    """The labels the RFCs earn; the decision labels stay as the decisions feature set them."""
    return desired_labels(config, labelled(results)) | kept_decision_labels(config, pull.labels)


FileTexts = tuple[bytes | None, bytes | None]


async def _read(gh: GitHubAPI, pull: Pull, change: RfcChange) -> FileTexts:
    """(head, base) contents of one RFC, fetched at once; base None for a new file."""
    if change.kind == "removed":
        return None, None
    head = get_file(gh, pull.repo, change.path, pull.head.sha)
    if change.kind == "added":
        return await head, None
    base = get_file(gh, pull.repo, change.previous_path or change.path, pull.base.sha)
    content, old = await asyncio.gather(head, base)
    return content, old


async def _check(
    ctx: Context,
    change: RfcChange,
    texts: FileTexts,
    config: Config,
    today: date,
    provenance: Provenance,
) -> FileResult:
    if change.kind == "removed":
        return deleted_rfc(change)
    content, base = texts
    if content is None:  # the head moved on since the event: the next run will see it
        log.warning("%s is missing at the head", change.path)
        return FileResult(change, ())
    result = await ctx.lint(
        change.path, content, config, base=base, today=today, provenance=provenance
    )
    legacy = await legacy_pass(ctx, change, content, base, config, today, result)
    return FileResult.from_lint(change, (), result.document, result.status_before, legacy)


async def _provenance(gh: GitHubAPI, pull: Pull, config: Config, ctx: Context) -> PullProvenance:
    """The App's proven moves in this pull request, and whether its author is a maintainer."""
    commits, maintainer = await asyncio.gather(
        list_pull_commits(gh, pull.repo, pull.number),
        is_maintainer(gh, pull.repo, pull.author, config) if pull.author else _false(),
    )
    messages = (str((item.get("commit") or {}).get("message") or "") for item in commits)
    moves = proven_status_moves(ctx.signing_key, pull.repo, pull.number, messages)
    return PullProvenance(pull.author, maintainer, moves)


async def _false() -> bool:
    return False


async def _same(pull: Pull) -> Pull:
    return pull


async def _publish(
    gh: GitHubAPI, pull: Pull, report: CheckOutput, started: datetime, completed: datetime
) -> None:
    """One check run with the first 50 annotations; further batches of 50 by PATCH."""
    body = report.create_body(
        pull.head.sha, uuid.uuid4().hex, _timestamp(started), _timestamp(completed)
    )
    run_id = await create_check_run(gh, pull.repo, body)
    for later in report.later_batches():  # in order: annotations keep their file/line order
        await update_check_run(gh, pull.repo, run_id, later)


async def _gather_bounded(coroutines: Iterable[Awaitable[T]]) -> list[T]:
    semaphore = asyncio.Semaphore(_MAX_PARALLEL_FETCHES)

    async def bounded(coroutine: Awaitable[T]) -> T:
        async with semaphore:
            return await coroutine

    return list(await asyncio.gather(*(bounded(c) for c in coroutines)))


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
