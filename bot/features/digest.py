"""The weekly digest (``digest:`` in the config): one issue per repository, its body replaced
once a week (``bot.policy.digest`` renders it). The reconciler's timer: fetch → decide → write.

The issue is found by its label and, in its body's head, the digest marker, and counts only
when GitHub says the App made it (``performed_via_github_app``): an issue anyone else opens with
the label and the marker is not the digest. The head also names the week it was written for,
so the body is written once a week, not on every sweep; this process remembers the week too,
so a sweep in a week already written asks GitHub nothing.

Built from the App's decision records (never from comments) and the listings the sweep reads,
each a conditional request. Two replicas that write the same week write the same digest; two
that create the issue at once converge on the oldest, closing the other.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.features.activity import staleness_of
from bot.features.context import Context
from bot.features.decision_history import read_history
from bot.features.roles import roster_for
from bot.features.sweep_reads import SweepReads
from bot.features.timers import register_timer
from bot.github.contents import get_file
from bot.github.labels import ensure_label
from bot.github.listings import pulls_updated_since
from bot.github.pulls import list_pull_files
from bot.github.repo_issues import app_id_of, create_issue_once, edit_issue, labelled_issues
from bot.policy.decisions.eligibility import Roster
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.state import NO_DECISION
from bot.policy.digest import DigestRfc, Week, boundaries, due, render_digest, week_ending
from bot.policy.labels import label_style
from bot.policy.markers import DIGEST, carries, digest_week
from bot.rfc.config.public import Config
from bot.rfc.document import parse
from bot.rfc.paths import is_rfc_path
from bot.values import Pull, Repository, github_time

log = logging.getLogger(__name__)


class DigestWeeks(LRUCache[str, str]):
    """Repository -> the week its digest was written for, as this process saw it."""

    def __init__(self) -> None:
        super().__init__(maxsize=4096)


async def sweep_repository(reads: SweepReads) -> None:
    """Write the week's digest once, after 00:00 UTC of the configured weekday."""
    gh, repository, ctx = reads.gh, reads.repository, reads.ctx
    repo = repository.full_name
    config = await reads.config()
    digest = config.digest
    if digest is None:
        return
    now, written = ctx.clock(), ctx.caches.of(DigestWeeks)
    this_week = week_ending(now, digest.weekday)
    if written.get(repo) == this_week.key:
        return
    issue = await find_digest(gh, repo, config, ctx)
    week = due(now, digest.weekday, digest_week(str(issue["body"])) if issue else None)
    if week is not None:
        rfcs = await digest_rfcs(gh, repository, config, ctx, week)
        body = render_digest(rfcs, week, now, digest)
        if issue is None:
            await _create(gh, repo, config, ctx, body)
        else:
            await edit_issue(gh, repo, int(issue["number"]), title=digest.issue_title, body=body)
        log.info("%s: the digest of the week to %s written", repo, week.key)
    written[repo] = this_week.key


register_timer("digest", sweep_repository)


async def find_digest(
    gh: GitHubAPI, repo: str, config: Config, ctx: Context
) -> dict[str, Any] | None:
    """The digest issue: the oldest issue with the digest label that the App made and whose
    body's head carries the digest marker."""
    found = [
        item
        for item in await labelled_issues(gh, repo, config.labels.digest)
        if _the_apps(item, ctx) and carries(str(item.get("body") or ""), DIGEST)
    ]
    return min(found, key=lambda item: int(item["number"]), default=None)


def _the_apps(item: dict[str, Any], ctx: Context) -> bool:
    made_by = app_id_of(item)
    if ctx.app_id is not None:
        return made_by == ctx.app_id
    return made_by is not None  # no id known: any App's, never a person's


async def _create(gh: GitHubAPI, repo: str, config: Config, ctx: Context, body: str) -> None:
    """Create the digest issue once (a lost answer is looked for before creating again);
    a replica that created one at the same time as another closes the newer."""
    title = config.digest.issue_title if config.digest else "RFC digest"
    label = config.labels.digest
    await ensure_label(gh, repo, label, *label_style(config, label))
    made = await create_issue_once(
        gh, repo, title, body, [label], lambda: find_digest(gh, repo, config, ctx)
    )
    oldest = await find_digest(gh, repo, config, ctx)
    if oldest is not None and int(oldest["number"]) != int(made["number"]):
        note = f"A second digest, made at the same time as #{oldest['number']}: closed."
        await edit_issue(gh, repo, int(made["number"]), body=note, state="closed")


async def digest_rfcs(
    gh: GitHubAPI, repository: Repository, config: Config, ctx: Context, week: Week
) -> list[DigestRfc]:
    """Every RFC of the pull requests open now or closed since the history's first week, with
    its decision at each week boundary (folded from the App's record)."""
    repo = repository.full_name
    since = github_time(boundaries(week)[0])
    listed = [
        *await pulls_updated_since(gh, repo, "open", None),
        *await pulls_updated_since(gh, repo, "closed", since),
    ]
    rfcs: list[DigestRfc] = []
    for item in listed:
        pull = Pull.from_json(item)
        if config.labels.rfc in pull.labels:
            rfcs += await _pull_rfcs(gh, pull, str(item.get("title") or ""), config, ctx, week)
    return rfcs


async def _pull_rfcs(
    gh: GitHubAPI, pull: Pull, title: str, config: Config, ctx: Context, week: Week
) -> list[DigestRfc]:
    """The pull request's RFCs, each titled as its head has it (else by the pull request)."""
    files = {
        str(f["filename"]): f.get("status") == "added"
        for f in await list_pull_files(gh, pull.repo, pull.number)
        if is_rfc_path(str(f["filename"]), config) and f.get("status") != "removed"
    }
    history = await read_history(gh, pull, config, ctx)
    stale_since = await _stale_since(gh, pull, ctx, config)
    moments, now = boundaries(week), ctx.clock()
    rfcs = []
    for path, added in files.items():
        rule = history.rule_for(path, config)
        roster = Roster.of(())
        if rule is not None:
            roster = await roster_for(gh, pull.repo, rule, config, ctx)
        decisions = rule or config.decisions
        states = {
            at: decision_state(path, history.events, decisions, roster, at, recorded=True)
            for at in [*moments, now]
        }
        current = states[now] if pull.is_open else NO_DECISION
        raw = await get_file(gh, pull.repo, path, pull.head.sha)
        written = parse(raw.decode("utf-8", errors="replace")).title if raw else None
        rfcs.append(
            DigestRfc(
                path,
                written or title,
                pull.number,
                pull.html_url,
                pull.created_at,
                added,
                states={at: states[at] for at in moments} if history.starts else {},
                current=current,
                stale_since=stale_since,
            )
        )
    return rfcs


async def _stale_since(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config) -> datetime | None:
    """When an open pull request carrying the stale label went stale (None otherwise)."""
    if not pull.is_open or config.labels.stale not in pull.labels:
        return None
    return (await staleness_of(gh, pull, ctx, config)).since
