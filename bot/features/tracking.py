"""Tracking issues on acceptance: an RFC merged with one of ``follow_up.tracking_issue.statuses``
gets one issue, opened before the numbering commit that records it (``**Tracking Issue:**
#N``, in the same commit as the number). ``bot.policy.tracking`` decides what it says.

Exactly once without memory, as the numbering is:

- the issue's body starts with a hidden marker naming the repository, the pull request and the
  RFC; before anything is created the App's own issues are searched for it (GitHub proves
  their author: ``performed_via_github_app``), so a redelivery, a restart, or a crash between
  the issue and the numbering commit finds it and uses it;
- two writers that find none at the same moment (replicas; a delivery and the repair list)
  must not both open one. Each first claims the pull request's tracking issues by creating
  the ref ``refs/rfc-bot/tracking/<pr>`` (hidden: neither a branch nor a tag) at a commit of
  its own. Creating a ref is atomic: one writer creates it; the other finds it pointing at
  someone else's commit and waits (the repair list tries again within seconds) while that
  writer has its time (``ctx.announce_after_seconds`` from the claim commit's date); after
  that the claimant died, and the next attempt takes over;
- an answer lost after GitHub opened the issue is read back (``create_once``).

An issue found whose link names another number (the number changed after a lost race) gets its
title and that line brought up to date; the rest of its body (boxes ticked meanwhile) stays.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.errors import UserError
from bot.features.context import Context
from bot.github import gitdata
from bot.github.issues import (
    IssuesDisabled,
    can_be_assigned,
    create_issue,
    own_issues,
    update_issue,
)
from bot.github.labels import KnownLabelCache, ensure_label
from bot.github.once import answer_lost
from bot.policy.markers import carries
from bot.policy.tracking import TrackingIssue
from bot.values import Issue, Pull

log = logging.getLogger(__name__)

LABEL_STYLE = ("1d76db", "Tracks the implementation of an accepted RFC")


class TrackingPending(UserError):
    """Another writer claimed this pull request's tracking issues moments ago: wait for it."""


class TrackingClaims(LRUCache[str, str]):
    """``repo#pr`` -> the claim commit this process made: a claim ref pointing at it is ours
    (an earlier attempt's, or one whose answer was lost)."""

    def __init__(self) -> None:
        super().__init__(maxsize=4096)


@dataclass
class Tracked:
    """What ``open_tracking_issues`` did: the issue of each RFC (by its unnumbered path), the
    ones this call created or updated, and what to tell the pull request."""

    issues: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def claim_ref(pull: int) -> str:
    return f"refs/rfc-bot/tracking/{pull}"


async def open_tracking_issues(
    gh: GitHubAPI,
    pull: Pull,
    specs: Sequence[TrackingIssue],
    base: tuple[str, str],
    ctx: Context,
) -> Tracked:
    """Each spec's issue, found or opened once (``base``: the default branch's head commit
    and its tree, which the claim commit repeats). Raises TrackingPending while another
    writer's claim is young."""
    tracked = Tracked()
    if not specs:
        return tracked
    found = await find_tracking_issues(gh, pull.repo, specs, ctx)
    missing = [spec for spec in specs if spec.marker not in found]
    if missing:
        taken_over = not await _claim(gh, pull, base, ctx)
        if taken_over:
            found.update(await find_tracking_issues(gh, pull.repo, missing, ctx))
            missing = [spec for spec in missing if spec.marker not in found]
    try:
        for spec in missing:
            issue = await _open(gh, pull.repo, spec, ctx)
            found[spec.marker] = issue
            tracked.written[spec.rfc_path] = issue.number
    except IssuesDisabled:
        tracked.notes.append(
            "no tracking issue was opened: issues are turned off in this repository "
            "(turn them on in its settings, or set `follow_up.tracking_issue: null`)."
        )
        return tracked
    for spec in specs:
        issue = found[spec.marker]
        tracked.issues[spec.rfc_path] = issue.number
        if await bring_up_to_date(gh, pull.repo, issue, spec):
            tracked.written[spec.rfc_path] = issue.number
    return tracked


async def find_tracking_issues(
    gh: GitHubAPI, repo: str, specs: Sequence[TrackingIssue], ctx: Context
) -> dict[str, Issue]:
    """Marker -> the App's issue carrying it, for each spec found (one listing: the App's
    issues with the first label, newest first, until every marker is found)."""
    wanted = {spec.marker for spec in specs}
    label = specs[0].labels[0] if specs and specs[0].labels else None
    found: dict[str, Issue] = {}
    async for issue in own_issues(gh, repo, label, ctx.app_id):
        for marker in wanted - found.keys():
            if carries(issue.body, marker):
                found[marker] = issue
        if len(found) == len(wanted):
            break
    return found


async def bring_up_to_date(gh: GitHubAPI, repo: str, issue: Issue, spec: TrackingIssue) -> bool:
    """When the issue's link line names another RFC number than ``spec`` (planned before a
    lost race), its title and that line become the spec's; True when it was updated."""
    head = spec.body.split("\n", 2)[:2]
    lines = issue.body.split("\n", 2)
    if lines[:2] == head:
        return False
    rest = lines[2:] if len(lines) > 2 else spec.body.split("\n", 2)[2:]
    await update_issue(gh, repo, issue.number, title=spec.title, body="\n".join([*head, *rest]))
    log.info("tracking issue %s#%s brought up to date (%s)", repo, issue.number, spec.rfc_path)
    return True


async def _open(gh: GitHubAPI, repo: str, spec: TrackingIssue, ctx: Context) -> Issue:
    labels, assignees = await asyncio.gather(
        _ensure_labels(gh, repo, spec.labels, ctx), _assignable(gh, repo, spec.assignees)
    )

    async def find() -> Issue | None:
        return (await find_tracking_issues(gh, repo, [spec], ctx)).get(spec.marker)

    issue = await create_issue(
        gh, repo, title=spec.title, body=spec.body, labels=labels, assignees=assignees, find=find
    )
    log.info("tracking issue %s#%s opened for %s", repo, issue.number, spec.rfc_path)
    return issue


async def _ensure_labels(
    gh: GitHubAPI, repo: str, labels: Sequence[str], ctx: Context
) -> list[str]:
    known = ctx.caches.of(KnownLabelCache)
    unknown = [name for name in labels if (repo, name.lower()) not in known]
    await asyncio.gather(*(ensure_label(gh, repo, name, *LABEL_STYLE) for name in unknown))
    for name in unknown:
        known[(repo, name.lower())] = True
    return list(labels)


async def _assignable(gh: GitHubAPI, repo: str, logins: Sequence[str]) -> list[str]:
    """The logins GitHub lets this repository assign (others it would refuse with a 422)."""
    allowed = await asyncio.gather(*(can_be_assigned(gh, repo, login) for login in logins))
    return [login for login, ok in zip(logins, allowed, strict=True) if ok]


async def _claim(gh: GitHubAPI, pull: Pull, base: tuple[str, str], ctx: Context) -> bool:
    """Claim the pull request's tracking issues; True when the claim is this App process's,
    False when it takes over a claim whose writer had its time. Raises TrackingPending."""
    repo, ref = pull.repo, claim_ref(pull.number)
    claims, key = ctx.caches.of(TrackingClaims), f"{pull.repo}#{pull.number}".lower()
    target = await gitdata.ref_target(gh, repo, ref)
    if target is None:
        head, tree = base
        message = (
            f"rfc-bot: opening the tracking issues of #{pull.number}\n\nClaim: {uuid.uuid4()}\n"
        )
        commit = claims[key] = await gitdata.create_commit(gh, repo, message, tree, [head])
        try:
            if await gitdata.create_ref(gh, repo, ref, commit):
                return True
        except Exception as error:
            if not answer_lost(error):
                raise
        target = await gitdata.ref_target(gh, repo, ref)
    if target is not None and target == claims.get(key):
        return True
    made = await gitdata.commit_time(gh, repo, target) if target else None
    age = None if made is None else (ctx.clock() - made).total_seconds()
    if age is not None and age < ctx.announce_after_seconds:
        raise TrackingPending(
            f"Another process of the App is opening the tracking issue of #{pull.number} right "
            "now, and its numbering commit follows. If the RFC is still unnumbered in two "
            "minutes, comment `/rfc number` again."
        )
    log.warning("tracking issues of %s#%s: taking over a claim %s s old", repo, pull.number, age)
    return False
