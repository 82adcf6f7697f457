"""The passes of a sweep over one repository: what each re-derives from GitHub, and the
repair it runs where that differs from what should be true (``bot.features.reconcile`` visits
the repositories and runs these passes, in this order):

- commands: every ``/rfc`` comment within the window has the App's reply or its 👍, else it
  is answered (``commands.answer_comment``), claimed first with the App's 👀 (replicas);
- numbers: every pull request merged into the default branch within the window whose new RFC
  is still ``0000-`` there is numbered, and one whose RFCs are numbered but whose announcement
  (the App's comment with its marker) is missing is announced and labelled, by the one
  exactly-once path (``numbering.number_merged``);
- checks: every open pull request's head has a completed run of the App (``check.validate``),
  and the pull request's owned labels are the ones that run records (else synced again from
  the RFCs, without a second run);
- decisions: every open pull request in a decision (its label, or a decision command within
  the window) has the votes of its reviews recorded (``lost_reviews``), then is settled
  (``decisions.settle``: a comment period's end, reminders, the panel, the labels).

What was proven is remembered in bounded caches, so an unchanged pull request costs nothing;
after a restart it is proven again from GitHub. Work younger than the grace period is left to
its delivery (most likely being handled right now).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

import bot.features.check as check
import bot.features.commands as commands
import bot.features.decisions as decisions
import bot.features.lost_reviews as lost_reviews
import bot.features.numbering as numbering
from bot.features.context import Context
from bot.features.sweep_reads import SweepReads
from bot.github.listings import (
    app_check_runs,
    claim_comment,
    comment_reactions,
    pulls_updated_since,
)
from bot.github.pulls import get_pull
from bot.policy.check import CHECK_NAME
from bot.policy.check_labels import labels_digest, owned_now
from bot.policy.labels import decision_labels
from bot.policy.lost_reviews import young
from bot.policy.reconcile import (
    HeadProof,
    ListedComment,
    announced,
    check_mark,
    decision_hints,
    iso,
    issue_number,
    labels_in_step,
    latest_app_run,
    maybe_unanswered,
    merged_recently,
    on_pull_request,
    proof_of,
    reacted,
    settled,
    unanswered_commands,
)
from bot.rfc.config.public import Config
from bot.values import Comment, Pull

log = logging.getLogger(__name__)

# Before answering a command, a sweep claims it with the App's reaction; a claim older than
# this is taken to be of a replica that died before answering.
CLAIM_REACTION = "eyes"
CLAIM_LEASE_SECONDS = 600.0
PROVEN_ENTRIES = 50_000  # per cache of what was proven (pull requests)

PullKey = tuple[str, int]  # (repository full name, pull request number)


class Repaired(Protocol):
    """Counts ``count`` repairs of ``kind`` in the sweep's report and metrics."""

    def __call__(self, kind: str, count: int = 1) -> None: ...


class SweepPasses:
    """The passes over one repository, and what they proved (kept from sweep to sweep)."""

    def __init__(
        self, ctx: Context, *, grace_seconds: float, rng: random.Random | None = None
    ) -> None:
        self.ctx = ctx
        self.grace_seconds = grace_seconds
        self.rng = rng or random.Random()
        self.bot_login = ""  # the App's bot user (``<slug>[bot]``), once a sweep learnt it
        # (repo, pull number) -> its head proven to have its run, and the labels it records.
        self._checked: LRUCache[PullKey, HeadProof] = LRUCache(PROVEN_ENTRIES)
        # (repo, pull number) of merged pull requests numbered and announced (or needing none).
        self._numbered: LRUCache[PullKey, bool] = LRUCache(PROVEN_ENTRIES)
        # (repo, pull number) -> its reviews (id, state) whose votes the record holds.
        self._reviewed: LRUCache[PullKey, frozenset[tuple[int, str]]] = LRUCache(PROVEN_ENTRIES)
        # (repo, pull number) -> the newest decision command settled after (``decision_hints``).
        self._hinted: LRUCache[PullKey, int] = LRUCache(PROVEN_ENTRIES)

    def passes(
        self, reads: SweepReads, repaired: Repaired
    ) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        """Each pass by name, in order. Commands first: a status move pushes a commit, whose
        check the same sweep then makes."""
        return [
            ("commands", lambda: self._commands(reads, repaired)),
            ("numbers", lambda: self._numbers(reads, repaired)),
            ("checks", lambda: self._checks(reads, repaired)),
            ("decisions", lambda: self._decisions(reads, repaired)),
        ]

    async def _checks(self, reads: SweepReads, repaired: Repaired) -> None:
        listed, now = await reads.open_pulls(), self.ctx.clock()
        if not listed:
            return
        config = await reads.config()
        self.rng.shuffle(listed)
        for item in listed:
            pull = Pull.from_json(item)
            key, mark = (reads.repo, pull.number), check_mark(pull)
            proof = self._checked.get(key)
            if proof is not None and proof.mark != mark:
                proof = None  # a new head (or base): proven again
            if proof is not None and labels_in_step(proof, pull.labels, config):
                continue
            if not settled(item.get("updated_at"), now, self.grace_seconds):
                continue
            if proof is None:
                # A head validated now has its labels synced with its run: nothing to compare.
                proof, validated = await self._prove_head(reads.gh, pull, mark, repaired)
                if validated or labels_in_step(proof, pull.labels, config):
                    self._checked[key] = proof
                    continue
            self._checked[key] = await self._sync_labels(reads.gh, pull, proof, config, repaired)

    async def _prove_head(
        self, gh: GitHubAPI, pull: Pull, mark: tuple[str, str], repaired: Repaired
    ) -> tuple[HeadProof, bool]:
        """The head's run (made now when it has none) and the labels it records; True when
        the head was validated now."""
        repo, app_id = pull.repo, self.ctx.app_id
        run = latest_app_run(await app_check_runs(gh, repo, mark[0], CHECK_NAME, app_id), app_id)
        if run is not None:
            return proof_of(mark, run), False
        log.info("reconcile: %s#%s has no check run on %s", repo, pull.number, mark[0])
        await check.validate(gh, pull, self.ctx)
        repaired("check")
        run = latest_app_run(await app_check_runs(gh, repo, mark[0], CHECK_NAME, app_id), app_id)
        return (HeadProof(mark, None) if run is None else proof_of(mark, run)), True

    async def _sync_labels(
        self, gh: GitHubAPI, pull: Pull, proof: HeadProof, config: Config, repaired: Repaired
    ) -> HeadProof:
        """Labels out of step with the head's run (a sync that failed, a hand edit): synced
        from the RFCs again, without a second run. Their state after is remembered as in step
        too (a config changed since the run may call for other labels than it records)."""
        log.info("reconcile: %s#%s labels out of step with its check run", pull.repo, pull.number)
        await check.validate(gh, pull, self.ctx, publish=False)
        repaired("labels")
        synced = await get_pull(gh, pull.repo, pull.number)
        return replace(proof, accepted=labels_digest(owned_now(config, synced.labels)))

    async def _numbers(self, reads: SweepReads, repaired: Repaired) -> None:
        gh, repo, now, since = reads.gh, reads.repo, self.ctx.clock(), reads.since
        announcements: set[int] | None = None  # read from the comments when first needed
        for item in await pulls_updated_since(gh, repo, "closed", since):
            pull = Pull.from_json(item)
            key, merged_at = (repo, pull.number), item.get("merged_at")
            if key in self._numbered or not merged_recently(pull, merged_at, since):
                continue
            if not settled(merged_at, now, self.grace_seconds):
                continue
            added, unnumbered = await numbering.merged_rfcs(gh, pull, self.ctx)
            if unnumbered:
                log.info("reconcile: %s#%s merged without its number", repo, pull.number)
                await numbering.number_merged(gh, pull, self.ctx)
                repaired("number")
            elif added:
                if announcements is None:
                    listed = [_listed(comment) for comment in await reads.comments()]
                    announcements = announced(listed, self.ctx.app_id)
                if pull.number not in announcements:
                    log.info("reconcile: %s#%s numbered, not announced", repo, pull.number)
                    if not await numbering.number_merged(gh, pull, self.ctx):
                        continue  # its writer's to announce for a while yet: the next sweep
                    repaired("announcement")
            self._numbered[key] = True

    async def _commands(self, reads: SweepReads, repaired: Repaired) -> None:
        gh, repository, now, since = reads.gh, reads.repository, self.ctx.clock(), reads.since
        repo = repository.full_name
        items = await reads.comments()
        listed = [_listed(item) for item in items]
        if not maybe_unanswered(listed, self.ctx.app_id, since):
            return
        config = await reads.config()
        by_id = {int(item["id"]): item for item in items}
        for found in unanswered_commands(listed, self.ctx.app_id, config.statuses, since):
            comment = by_id[found.comment.id]
            if not settled(comment.get("created_at"), now, self.grace_seconds):
                continue
            reactions = await comment_reactions(gh, repo, found.comment.id, "+1")
            if reacted(reactions, self.bot_login):
                continue  # done, and its reply was deleted by hand: not answered twice
            claimed = await claim_comment(gh, repo, found.comment.id, CLAIM_REACTION)
            if claimed is not None and claimed > iso(now - timedelta(seconds=CLAIM_LEASE_SECONDS)):
                continue  # another replica is answering it (or our own claim's answer was lost)
            log.info("reconcile: %s#%s comment %s unanswered", repo, found.number, found.comment.id)
            number = found.number
            assert number is not None  # maybe_unanswered keeps comments on a pull request only
            await commands.answer_comment(gh, self.ctx, repository, number, found.comment)
            repaired("command")

    async def _decisions(self, reads: SweepReads, repaired: Repaired) -> None:
        """Every open pull request in a decision is settled, so a comment period that ended
        is acted on within one sweep of its deadline; its lost reviews are recorded first. In
        a decision: its label, or (for a crash between a command's record and its label) a
        command that acts on decisions in the window, settled once after each such command."""
        listed = await reads.open_pulls()
        if not listed:
            return
        config = await reads.config()
        pulls = [Pull.from_json(item) for item in listed]
        labelled = {p.number for p in pulls if set(p.labels) & decision_labels(config)}
        unlabelled = {p.number for p in pulls} - labelled
        comments = [_listed(item) for item in await reads.comments()]
        hints = decision_hints(comments, config.statuses, reads.since, unlabelled)
        for pull in pulls:
            key, hint = (reads.repo, pull.number), hints.get(pull.number)
            in_decision = pull.number in labelled
            if not in_decision and (hint is None or self._hinted.get(key) == hint):
                continue
            await self._record_reviews(reads.gh, pull, config, repaired)
            await decisions.settle(reads.gh, pull, self.ctx, config, recorded=not in_decision)
            if hint is not None:
                self._hinted[key] = hint

    async def _record_reviews(
        self, gh: GitHubAPI, pull: Pull, config: Config, repaired: Repaired
    ) -> None:
        """Votes of reviews whose delivery was lost; the listing is a conditional request, and
        the record is read only when it changed since the sweep found the votes recorded."""
        key = (pull.repo, pull.number)
        reviews = await lost_reviews.listed_reviews(gh, pull)
        seen = frozenset((review.id, review.state) for review in reviews)
        if self._reviewed.get(key) == seen:
            return
        before = self.ctx.clock() - timedelta(seconds=self.grace_seconds)
        recorded = await lost_reviews.record_lost_reviews(
            gh, pull, self.ctx, config, reviews, settled_before=before
        )
        if recorded:
            log.info("reconcile: %s#%s: %d review(s) recorded", pull.repo, pull.number, recorded)
            repaired("review", recorded)
        if not young(reviews, before):
            self._reviewed[key] = seen


def _listed(item: dict[str, Any]) -> ListedComment:
    comment = Comment.from_json(item)
    return ListedComment(
        comment,
        issue_number(str(item.get("issue_url") or "")),
        on_pull_request(comment.html_url),
        str(item.get("created_at") or ""),
    )
