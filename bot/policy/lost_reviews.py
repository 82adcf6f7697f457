"""Which reviews a decision record lacks although GitHub lists them: their delivery was lost
(or failed, or the App stopped before recording it). Pure.

A review counts in a decision once the App has recorded it, as ``review:<id>``, exactly as its
delivery records it (``bot.features.decisions``): an *Approved* review approves, a *Changes
requested* or dismissed one withdraws the reviewer's approval. GitHub's listing of a pull
request's reviews proves who reviewed, when, how and on which commit, so what a lost delivery
would have recorded can be recorded later, as a late delivery would: accepted now, checked
against the decision as it stands now (``may``), so a comment period never starts in the past.

What a late recording could get wrong is left out:

- a review submitted before the decision started (its delivery would have counted nothing);
- a review older than the reviewer's latest recorded vote (what the reviewer did later wins);
- an approval of a text that has changed since, when the rule withdraws approvals on a change
  (``dismiss_on_change``): the change would have withdrawn it;
- a dismissal, whose time GitHub's listing does not give, unless the dismissed review's own
  approval is still the reviewer's latest vote (nothing the reviewer did since is undone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.policy.decisions.eligibility import Roster, may
from bot.policy.decisions.record import Entry, ordered
from bot.policy.decisions.state import DecisionState

APPROVE = "approve"
WITHDRAW = "changes-requested"
_VOTES = (APPROVE, WITHDRAW)
_TEXT_KINDS = ("start", "text-changed", "moved")


@dataclass(frozen=True, slots=True)
class ListedReview:
    """A review as GitHub's listing of a pull request's reviews shows it."""

    id: int
    author: str | None
    by_bot: bool
    state: str  # upper case: APPROVED, CHANGES_REQUESTED, DISMISSED, COMMENTED, PENDING
    submitted_at: datetime | None  # None while pending
    commit_id: str
    html_url: str = ""

    @property
    def source(self) -> str:
        return f"review:{self.id}"


@dataclass(frozen=True, slots=True)
class Decision:
    """One RFC's running decision, as the record and the pull request's head have it now."""

    path: str
    state: DecisionState
    roster: Roster
    dismiss_on_change: bool
    head_sha: str
    head_blob: str  # the RFC's blob at the head


@dataclass(frozen=True, slots=True)
class LostVote:
    """A vote to record: ``kind`` by ``review``'s author, on the RFC text ``blob``."""

    kind: str
    review: ListedReview
    blob: str


def review_vote(state: str) -> str | None:
    """What a review's state votes, as its delivery records it (None: a comment, pending)."""
    if state == "APPROVED":
        return APPROVE
    if state in ("CHANGES_REQUESTED", "DISMISSED"):
        return WITHDRAW
    return None


def lost_votes(
    reviews: Iterable[ListedReview],
    entries: Sequence[Entry],
    decision: Decision,
    settled_before: datetime,
) -> list[LostVote]:
    """The votes ``reviews`` cast on ``decision`` that the record (``entries``) lacks. Only
    each reviewer's newest review counts (a later review supersedes an earlier one, as its
    delivery would have); one submitted after ``settled_before`` is left to its delivery."""
    state = decision.state
    if not state.running or state.move_due or state.started_at is None:
        return []  # none would count: once the period has run out, only a cancel does
    recorded = ordered(entries)
    found: list[LostVote] = []
    for review in newest_votes(reviews).values():
        vote = _lost_vote(review, recorded, decision, state.started_at, settled_before)
        if vote is not None:
            found.append(vote)
    return found


def newest_votes(reviews: Iterable[ListedReview]) -> dict[str, ListedReview]:
    """Each person's newest submitted review that votes, by lower-cased login."""
    newest: dict[str, ListedReview] = {}
    for review in reviews:
        if review_vote(review.state) is None or review.author is None or review.by_bot:
            continue
        if review.submitted_at is None:
            continue  # pending: not submitted yet
        login = review.author.lower()
        held = newest.get(login)
        if held is None or (review.submitted_at, review.id) > (held.submitted_at, held.id):
            newest[login] = review
    return newest


def young(reviews: Iterable[ListedReview], settled_before: datetime) -> bool:
    """Someone's newest vote is too young to take from GitHub's listing yet: its delivery is
    most likely being handled right now."""
    return any(
        review.submitted_at is not None and review.submitted_at > settled_before
        for review in newest_votes(reviews).values()
    )


def _lost_vote(
    review: ListedReview,
    recorded: Sequence[Entry],
    decision: Decision,
    started_at: datetime,
    settled_before: datetime,
) -> LostVote | None:
    kind, author, submitted = review_vote(review.state), review.author, review.submitted_at
    assert kind is not None and author is not None and submitted is not None  # newest_votes
    if submitted > settled_before or submitted < started_at:
        return None
    path = decision.path
    if any(e.source == review.source and e.path == path and e.kind == kind for e in recorded):
        return None  # its delivery was recorded
    latest = _latest_vote(recorded, path, author, started_at)
    if review.state == "DISMISSED":
        # GitHub does not say when: it withdraws only the review's own approval, and only
        # while that is still the reviewer's latest vote.
        if latest is None or latest.kind != APPROVE or latest.source != review.source:
            return None
        return LostVote(WITHDRAW, review, decision.head_blob)
    if latest is not None and latest.at >= submitted:
        return None  # the reviewer voted again since: that vote stands
    if kind == WITHDRAW:
        if latest is None or latest.kind != APPROVE:
            return None  # no approval of theirs counts: nothing to withdraw
        return LostVote(WITHDRAW, review, decision.head_blob)
    if may("approve", author, decision.state, decision.roster) is not None:
        return None
    blob = _text_reviewed(review, recorded, decision)
    if blob != decision.head_blob and decision.dismiss_on_change:
        return None  # the text changed since: the change would have withdrawn it
    return LostVote(APPROVE, review, blob)


def _latest_vote(
    recorded: Sequence[Entry], path: str, author: str, started_at: datetime
) -> Entry | None:
    login = author.lower()
    votes = [
        e
        for e in recorded
        if e.path == path and e.kind in _VOTES and e.actor.lower() == login and e.at >= started_at
    ]
    return votes[-1] if votes else None


def _text_reviewed(review: ListedReview, recorded: Sequence[Entry], decision: Decision) -> str:
    """The RFC text the reviewer saw: the head's, when the review is on the head; else the
    one the record knew when the review was submitted."""
    if review.commit_id == decision.head_sha:
        return decision.head_blob
    known = ""
    for entry in recorded:
        if review.submitted_at is not None and entry.at > review.submitted_at:
            break
        if entry.path == decision.path and entry.kind in _TEXT_KINDS:
            known = entry.blob
    return known
