"""Reviews whose delivery was lost, recorded from GitHub's listing of the pull request's
reviews as their delivery would have recorded them (``bot.policy.lost_reviews`` decides which).

A review's vote reaches a decision through its ``pull_request_review`` delivery; a delivery
lost, failed past its retries or cut short by a crash would lose it for good. GitHub keeps
every review, so the vote is re-derivable: the reconciler's sweep records what the record
lacks before it settles a decision, and so does the repair list's decision repair.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gidgethub.abc import GitHubAPI

from bot.deliveries import Review
from bot.features.context import Context
from bot.features.decision_history import read_history
from bot.features.decision_record import append
from bot.features.roles import roster_for
from bot.github.pulls import list_reviews
from bot.policy.decisions.record import Entry, open_paths
from bot.policy.lost_reviews import Decision, ListedReview, lost_votes, newest_votes
from bot.rfc.config.public import Config
from bot.values import Pull, timestamp


async def listed_reviews(gh: GitHubAPI, pull: Pull) -> list[ListedReview]:
    """The pull request's reviews as GitHub lists them (a conditional request in a sweep)."""
    return [_listed(item) for item in await list_reviews(gh, pull.repo, pull.number)]


async def record_lost_reviews(
    gh: GitHubAPI,
    pull: Pull,
    ctx: Context,
    config: Config,
    reviews: list[ListedReview],
    *,
    settled_before: datetime,
) -> int:
    """Record the votes of ``reviews`` that the decision record lacks (reviews submitted
    after ``settled_before`` are left to their deliveries); returns how many."""
    if not newest_votes(reviews):
        return 0  # nobody voted in a review: nothing to read
    # ``recorded``: read the record even without a label or panel (a crash may have left none).
    history = await read_history(gh, pull, config, ctx, recorded=True)
    if history.broken is not None:
        return 0  # the decisions stop: the panel says why
    now, entries, count = ctx.clock(), [], 0
    for path in open_paths(history.entries):
        rule = history.rule_for(path, config)
        if rule is None or path not in history.blobs:
            continue
        roster = await roster_for(gh, pull.repo, rule, config, ctx)
        state = history.state(path, rule, roster, now)
        head_blob = history.blobs[path]
        decision = Decision(path, state, roster, rule.dismiss_on_change, pull.head.sha, head_blob)
        votes = lost_votes(reviews, history.entries, decision, settled_before)
        if not votes:
            continue
        entries += history.text_change(path, now)
        for vote in votes:
            review, actor = vote.review, vote.review.author or ""
            link = review.html_url
            entries.append(Entry(vote.kind, path, actor, now, review.source, vote.blob, {}, link))
        count += len(votes)
    if entries:
        await append(gh, pull, ctx, entries)
    return count


def _listed(item: dict[str, Any]) -> ListedReview:
    review = Review.from_json(item)
    return ListedReview(
        id=review.id,
        author=review.author,
        by_bot=review.author_is_bot,
        state=review.state,
        submitted_at=timestamp(item, "submitted_at"),
        commit_id=str(item.get("commit_id") or ""),
        html_url=review.html_url,
    )
