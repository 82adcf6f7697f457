"""The `RFC validation` check run and the RFC labels of a pull request.

Runs when a pull request is opened, reopened, pushed to, marked ready, retargeted, and when
someone presses GitHub's "Re-run" button or comments ``/rfc check``. Each run: fetch (config ‖
file list ‖ the pull request again, then what texts the file list does not prove:
``bot.features.check_files``), decide (the lint engine, then ``bot.policy.check``), write
(one check run ‖ label changes).

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
from datetime import UTC, date, datetime

from gidgethub import BadRequest, routing
from gidgethub.abc import GitHubAPI

from bot.deliveries import CheckDelivery, PullDelivery
from bot.features.check_files import PullFiles
from bot.features.config import effective_config_for
from bot.features.context import Context
from bot.features.legacy import legacy_pass
from bot.features.roles import is_maintainer
from bot.features.session import CommandSession
from bot.github import gitdata
from bot.github.budget import budget_low
from bot.github.checks import create_check_run, update_check_run
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
from bot.policy.check_labels import labelled_run_id
from bot.policy.commands import Command
from bot.policy.labels import decision_labels, desired_labels, kept_decision_labels
from bot.policy.provenance import PullProvenance, proven_status_moves
from bot.policy.replies import Outcome
from bot.rfc.config.public import Config
from bot.rfc.lint_summary import LintSummary
from bot.values import Pull

log = logging.getLogger(__name__)
router = routing.Router()


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
    files, effective, current = await asyncio.gather(
        list_pull_files(gh, pull.repo, pull.number),
        effective_config_for(gh, pull, ctx),
        get_pull(gh, pull.repo, pull.number) if recheck else _same(pull),
    )
    reason = stale_event_reason(pull, current)
    if reason is not None:
        log.info("%s#%s: event for %s skipped: %s", pull.repo, pull.number, pull.head.sha, reason)
        return
    pull = current
    config, config_error = effective.loaded
    changes = select_rfc_changes(files, config)
    rfc_files = PullFiles(gh, ctx, pull, files)
    today = started.date()
    known = await _known_files(gh, pull, config, rfc_files, changes)
    first = PullProvenance(opener=pull.author)
    results = await _check(rfc_files, changes, config, today, first, known)
    redo = [index for index, result in enumerate(results) if result.status_unauthorised]
    if redo:
        proven = await _provenance(gh, pull, config, ctx)
        again = await _check(rfc_files, [changes[i] for i in redo], config, today, proven, known)
        for index, result in zip(redo, again, strict=True):
            results[index] = result
    report = build_check_output(
        results,
        rendered_url=blob_url(pull.repository.html_url, pull.head.sha),
        config_diagnostics=config_diagnostics(config_error, effective.extends_line)
        if config_error
        else [],
        config_sources=effective.settled.applied if effective.extends_line else None,
        decision_in_progress=bool(set(pull.labels) & decision_labels(config)),
    )
    log.info("%s#%s: %s (%s)", pull.repo, pull.number, report.title, report.conclusion)
    labels = _desired(config, pull, results)
    writes = [sync_labels(gh, pull, config, labels, ctx.caches.of(KnownLabelCache))]
    if publish:
        implied = labels - decision_labels(config)
        writes.append(_publish(gh, pull, report, started, ctx.clock(), implied))
    await asyncio.gather(*writes)


def _desired(config: Config, pull: Pull, results: list[FileResult]) -> set[str]:
    """The labels the RFCs earn; the decision labels stay as the decisions feature set them."""
    return desired_labels(config, labelled(results)) | kept_decision_labels(config, pull.labels)


async def _check(
    rfc_files: PullFiles,
    changes: list[RfcChange],
    config: Config,
    today: date,
    provenance: PullProvenance,
    known: frozenset[str] | None = None,
) -> list[FileResult]:
    summaries = await rfc_files.lint(
        changes, config, today, [provenance.for_path(change.path) for change in changes], known
    )
    return [
        await _result(rfc_files, change, summary, config, today)
        for change, summary in zip(changes, summaries, strict=True)
    ]


async def _result(
    rfc_files: PullFiles,
    change: RfcChange,
    summary: LintSummary | None,
    config: Config,
    today: date,
) -> FileResult:
    if change.kind == "removed":
        return deleted_rfc(change)
    if summary is None:  # the head moved on since the event: the next run will see it
        log.warning("%s is missing at the head", change.path)
        return FileResult(change, ())
    content, base = await rfc_files.texts(change)
    if content is None:  # cannot be: the summary was made from it; judged strictly then
        return FileResult.from_lint(
            change, summary.diagnostics, summary.document, summary.status_before
        )
    legacy = await legacy_pass(rfc_files.ctx, change, content, base, config, today, summary)
    return FileResult.from_lint(change, (), summary.document, summary.status_before, legacy)


async def _known_files(
    gh: GitHubAPI, pull: Pull, config: Config, rfc_files: PullFiles, changes: list[RfcChange]
) -> frozenset[str] | None:
    """The RFC directory's files at the head, for ``rfc-link-target``; not read (None, the rule
    is silent) when no RFC text names a ``.md`` file."""
    texts = [await rfc_files.texts(change) for change in changes if change.kind != "removed"]
    if not any(head is not None and b".md" in head.lower() for head, _ in texts):
        return None
    try:
        return await gitdata.files_in(gh, pull.repo, pull.head.sha, config.rfc_dir)
    except BadRequest as error:  # the head is gone (a force push, a deleted fork): no rule
        log.info("%s#%s: no file list at the head (%s)", pull.repo, pull.number, error)
        return None


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
    gh: GitHubAPI,
    pull: Pull,
    report: CheckOutput,
    started: datetime,
    completed: datetime,
    implied: set[str],
) -> None:
    """One check run with the first 50 annotations; further batches of 50 by PATCH. The run
    records the labels it implies (``bot.policy.check_labels``): the sweep compares them."""
    external_id = labelled_run_id(uuid.uuid4().hex, implied)
    body = report.create_body(
        pull.head.sha, external_id, _timestamp(started), _timestamp(completed)
    )
    run_id = await create_check_run(gh, pull.repo, body)
    for later in report.later_batches():  # in order: annotations keep their file/line order
        await update_check_run(gh, pull.repo, run_id, later)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
