"""The `RFC validation` check run and the RFC labels of a pull request.

Runs when a pull request is opened, reopened, pushed to, marked ready, retargeted, and when
someone presses GitHub's "Re-run" button. Each run: fetch (config ‖ file list, then every
head ‖ base content at once), decide (the lint engine and ``check_report``), write (one check
run ‖ label changes). With caches warm that is three sequential round trips.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from gidgethub import routing, sansio
from gidgethub.abc import GitHubAPI

from bot.features.check_report import (
    CHECK_NAME,
    CheckOutput,
    FileResult,
    RfcChange,
    batches,
    blob_url,
    build_check_output,
    config_diagnostic,
    deleted_rfc,
    select_rfc_changes,
)
from bot.features.context import Context
from bot.features.repo_config import repo_config
from bot.github.calls import get_file, list_pull_files
from bot.github.labels import desired_labels, is_owned_label, label_style, sync_labels
from bot.rfc.config import Config, ConfigError
from bot.rfc.lint import lint

if TYPE_CHECKING:
    from bot.rfc.document import Document

log = logging.getLogger(__name__)
router = routing.Router()

# How many file fetches one run keeps in flight (a PR may touch many RFCs).
_MAX_PARALLEL_FETCHES = 10

T = TypeVar("T")


@router.register("pull_request", action="opened")
@router.register("pull_request", action="reopened")
@router.register("pull_request", action="synchronize")
@router.register("pull_request", action="ready_for_review")
async def on_pull_request(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    await run_validation(gh, _repo(event), event.data["pull_request"], ctx)


@router.register("pull_request", action="edited")
async def on_pull_request_edited(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    # Only a new base branch changes what the PR adds; title/body edits do not.
    if "base" in (event.data.get("changes") or {}):
        await run_validation(gh, _repo(event), event.data["pull_request"], ctx)


@router.register("check_run", action="rerequested")
async def on_check_run_rerequested(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    check_run = event.data["check_run"]
    if check_run.get("name") != CHECK_NAME:
        return
    await _rerun(gh, _repo(event), check_run.get("pull_requests") or [], ctx)


@router.register("check_suite", action="rerequested")
async def on_check_suite_rerequested(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    await _rerun(gh, _repo(event), event.data["check_suite"].get("pull_requests") or [], ctx)


async def _rerun(gh: GitHubAPI, repo: str, pulls: list[dict[str, Any]], ctx: Context) -> None:
    """The payload lists PRs minimally (no labels, no author): fetch each before re-running."""
    if not pulls:
        log.info("re-run requested in %s for a commit with no open pull request here", repo)
        return
    for ref in pulls:
        pull = await gh.getitem(f"/repos/{repo}/pulls/{ref['number']}")
        await run_validation(gh, repo, pull, ctx)


async def run_validation(gh: GitHubAPI, repo: str, pull: dict[str, Any], ctx: Context) -> None:
    """Lint the RFCs ``pull`` touches, post one check run on its head and sync its labels.

    ``pull`` is pull request JSON (from an event or ``GET /pulls/{n}``); also used by
    ``/rfc check``.
    """
    started = ctx.clock()
    files, (config, config_error) = await asyncio.gather(
        list_pull_files(gh, repo, pull["number"]), _config(gh, repo, pull, ctx)
    )
    changes = select_rfc_changes(files, config)
    checked = await _gather_bounded(
        _check_file(gh, repo, change, pull, config, started.date()) for change in changes
    )
    report = build_check_output(
        [result for result, _ in checked],
        rendered_url=blob_url(pull["base"]["repo"]["html_url"], pull["head"]["sha"]),
        config_diagnostics=[config_diagnostic(config_error)] if config_error else [],
    )
    log.info("%s#%s: %s (%s)", repo, pull["number"], report.title, report.conclusion)
    await asyncio.gather(
        _publish(gh, repo, pull["head"]["sha"], report, started, ctx.clock()),
        _sync_rfc_labels(gh, repo, pull, config, (document for _, document in checked), ctx),
    )


async def _config(
    gh: GitHubAPI, repo: str, pull: dict[str, Any], ctx: Context
) -> tuple[Config, ConfigError | None]:
    """The config at the default branch's head, never the PR's. The event already carries
    that commit when the PR targets the default branch; otherwise one extra request."""
    base = pull["base"]
    default_branch = base["repo"]["default_branch"]
    if base["ref"] == default_branch:
        sha = str(base["sha"])
    else:
        branch = await gh.getitem(f"/repos/{repo}/branches/{default_branch}")
        sha = str(branch["commit"]["sha"])
    return await repo_config(gh, repo, sha, ctx)


async def _check_file(
    gh: GitHubAPI, repo: str, change: RfcChange, pull: dict[str, Any], config: Config, today: date
) -> tuple[FileResult, Document | None]:
    """Lint one RFC against its base version (head and base fetched at once)."""
    if change.kind == "removed":
        return deleted_rfc(change), None
    head = get_file(gh, repo, change.path, pull["head"]["sha"])
    if change.kind == "added":
        content, base = await head, None
    else:
        base_path = change.previous_path or change.path
        content, base = await asyncio.gather(
            head, get_file(gh, repo, base_path, pull["base"]["sha"])
        )
    if content is None:  # the head moved on since the event: the next run will see it
        log.warning("%s: %s is missing at %s", repo, change.path, pull["head"]["sha"])
        return FileResult(change, ()), None
    result = lint(change.path, content, config, base=base, today=today)
    return FileResult.from_lint(change, result.diagnostics, result.document), result.document


async def _publish(
    gh: GitHubAPI,
    repo: str,
    head_sha: str,
    report: CheckOutput,
    started: datetime,
    completed: datetime,
) -> None:
    """One check run with the first 50 annotations; further batches of 50 by PATCH."""
    first, *rest = batches(report.annotations)
    run = await gh.post(
        f"/repos/{repo}/check-runs",
        data={
            "name": CHECK_NAME,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": report.conclusion,
            "started_at": _timestamp(started),
            "completed_at": _timestamp(completed),
            "output": report.output(first),
        },
    )
    for batch in rest:  # in order, so annotations keep their file/line order on GitHub
        await gh.patch(
            f"/repos/{repo}/check-runs/{run['id']}", data={"output": report.output(batch)}
        )


async def _sync_rfc_labels(
    gh: GitHubAPI,
    repo: str,
    pull: dict[str, Any],
    config: Config,
    documents: Iterable[Document | None],
    ctx: Context,
) -> None:
    await sync_labels(
        gh,
        repo,
        pull["number"],
        current=[label["name"] for label in pull.get("labels") or []],
        desired=desired_labels(config, documents),
        owned=functools.partial(is_owned_label, config),
        style=functools.partial(label_style, config),
        known=ctx.known_labels,
    )


async def _gather_bounded(coroutines: Iterable[Awaitable[T]]) -> list[T]:
    semaphore = asyncio.Semaphore(_MAX_PARALLEL_FETCHES)

    async def bounded(coroutine: Awaitable[T]) -> T:
        async with semaphore:
            return await coroutine

    return list(await asyncio.gather(*(bounded(c) for c in coroutines)))


def _repo(event: sansio.Event) -> str:
    return str(event.data["repository"]["full_name"])


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
