"""Staleness: an open RFC pull request that has gone its status's ``stale_after`` without
activity gets one polite reminder, the stale label and a line in its status panel; any activity
ends it all. It never closes anything. The decisions are ``bot.policy.staleness``'s; this is
the reconciler's timer that acts on them, fetch → decide → write for each pull request.

Exactly once per episode, across sweeps, redeliveries and replicas: the reminder is found again
by its hidden marker in a comment GitHub proves the App wrote (a user's copy of the marker
counts for nothing), and before writing it a replica claims the pull request with the App's
reaction, which GitHub makes once (``bot.github.repo_issues``). A replica that finds the claim
made in this episode leaves the reminder to its maker, unless that claim is older than
``CLAIM_LEASE`` with no reminder (its maker died in between). The claim is taken back when
the episode ends, so the next one can claim again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from gidgethub.abc import GitHubAPI

import bot.features.decisions as decisions
from bot.features.activity import read_activity
from bot.features.context import Context
from bot.features.sweep_reads import SweepReads
from bot.features.timers import register_timer
from bot.github.contents import get_file
from bot.github.issues import post_comment
from bot.github.labels import KnownLabelCache, set_label
from bot.github.pulls import list_pull_files
from bot.github.repo_issues import claim_issue, release_claim
from bot.policy.markers import STALE
from bot.policy.staleness import Staleness, assess, is_held, limit_for, reminder_text
from bot.rfc.config.public import Config
from bot.rfc.document import parse
from bot.rfc.paths import is_rfc_path
from bot.values import Pull, timestamp

log = logging.getLogger(__name__)

CLAIM = "eyes"  # the App's reaction to the pull request while it writes the reminder
CLAIM_LEASE = timedelta(minutes=10)


async def sweep_repository(reads: SweepReads) -> None:
    """The reconciler's timer: every open RFC pull request (and any still labelled stale) is
    looked at. The open pull requests are the listing the sweep reads anyway (once per sweep,
    a 304 when nothing changed); a pull request too young to be stale costs nothing more."""
    listed = await reads.open_pulls()
    if not listed:
        return
    gh, ctx, config = reads.gh, reads.ctx, await reads.config()
    for item in listed:
        pull = Pull.from_json(item)
        if config.labels.rfc in pull.labels or config.labels.stale in pull.labels:
            await tend(gh, pull, ctx, config)


register_timer("staleness", sweep_repository)


async def tend(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config) -> None:
    """One pull request: remind once per stale episode, then label it; clear it all on
    activity."""
    labelled = config.labels.stale in pull.labels
    if not labelled and not _may_be_stale(pull, ctx, config):
        return
    read, now = await read_activity(gh, pull, ctx), ctx.clock()
    staleness = assess(config, pull.labels, read.activities, read.reminders, now)
    # Decisions are read only when it turns stale: a hold opts it out, and the reminder
    # mentions the approvers a decision waits on. A hold placed later is a comment, which is
    # activity, so a pull request already labelled costs nothing more.
    turning = staleness.stale and (staleness.remind or not labelled)
    panels = await decisions.panel_for(gh, pull, ctx, config) if turning else []
    if any(is_held(panel.decision) for panel in panels):
        staleness = assess(config, pull.labels, read.activities, read.reminders, now, held=True)
    if staleness.remind:
        waiting = [login for panel in panels for login in panel.decision.waiting_on]
        if not await _remind(gh, pull, ctx, config, staleness, waiting):
            return  # another replica holds the episode: it writes the reminder, then the label
    if staleness.stale != labelled:
        await _relabel(gh, pull, ctx, config, staleness.stale)


def _may_be_stale(pull: Pull, ctx: Context, config: Config) -> bool:
    """Whether reading its activity could find it stale: it has a limit, no keep label, and
    was opened longer ago than that limit."""
    limit = limit_for(config, pull.labels)
    if limit is None or config.labels.keep in pull.labels:
        return False
    return pull.created_at is None or pull.created_at + limit.after <= ctx.clock()


async def _remind(
    gh: GitHubAPI,
    pull: Pull,
    ctx: Context,
    config: Config,
    staleness: Staleness,
    approvers: list[str],
) -> bool:
    """The episode's one reminder, written by whoever holds the claim; False when another
    replica holds it."""
    if not await _claimed(gh, pull, ctx, staleness):
        return False
    authors = [pull.author or "", *await _rfc_authors(gh, pull, config)]
    body = reminder_text(staleness, authors, approvers, config.labels)
    await post_comment(gh, pull.repo, pull.number, body, marker=STALE, app_id=ctx.app_id)
    log.info("%s#%s: stale since %s: reminded", pull.repo, pull.number, staleness.since)
    return True


async def _claimed(gh: GitHubAPI, pull: Pull, ctx: Context, staleness: Staleness) -> bool:
    """Whether this replica may write the reminder: it made the claim now, or the claim of
    this episode is older than the lease (its maker died before writing)."""
    claim = await claim_issue(gh, pull.repo, pull.number, CLAIM)
    if claim.made:
        return True
    claimed_at = timestamp({"at": claim.created_at}, "at")
    last = staleness.last_activity
    if claimed_at is None or (last is not None and claimed_at < last):
        # Left over from an earlier episode (its end was not seen): claim afresh.
        await release_claim(gh, pull.repo, pull.number, claim.reaction_id)
        return (await claim_issue(gh, pull.repo, pull.number, CLAIM)).made
    return ctx.clock() - claimed_at >= CLAIM_LEASE


async def _relabel(gh: GitHubAPI, pull: Pull, ctx: Context, config: Config, stale: bool) -> None:
    """The stale label on or off, the claim given back when it ends, and the panel's line."""
    known = ctx.caches.of(KnownLabelCache)
    await set_label(gh, pull, config, config.labels.stale, stale, known)
    others = tuple(label for label in pull.labels if label != config.labels.stale)
    labels = (*others, config.labels.stale) if stale else others
    if not stale:
        claim = await claim_issue(gh, pull.repo, pull.number, CLAIM)
        await release_claim(gh, pull.repo, pull.number, claim.reaction_id)
    await decisions.settle(gh, replace(pull, labels=labels), ctx, config)


async def _rfc_authors(gh: GitHubAPI, pull: Pull, config: Config) -> list[str]:
    """The Author(s) handles of the pull request's RFCs, as its head has them."""
    authors: list[str] = []
    for item in await list_pull_files(gh, pull.repo, pull.number):
        path = str(item.get("filename") or "")
        if item.get("status") == "removed" or not is_rfc_path(path, config):
            continue
        raw = await get_file(gh, pull.repo, path, pull.head.sha)
        if raw is not None:
            authors += parse(raw.decode("utf-8", errors="replace")).authors
    return authors
