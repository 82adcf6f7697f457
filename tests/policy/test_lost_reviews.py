"""Which reviews' votes a decision record lacks: what a lost delivery would have recorded, and
nothing a late recording could get wrong (a vote older than the reviewer's latest, a review
before the decision, an approval of a text that has changed since, a forged or young one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.decisions.eligibility import Roster
from bot.policy.decisions.fold import decision_state
from bot.policy.decisions.record import Entry
from bot.policy.decisions.record_view import record_events
from bot.policy.lost_reviews import (
    APPROVE,
    WITHDRAW,
    Decision,
    ListedReview,
    LostVote,
    lost_votes,
    newest_votes,
    review_vote,
    young,
)
from bot.rfc.config.public import DecisionRule

PATH = "rfcs/0001-job-retries.md"
OLD_BLOB, NEW_BLOB = "a" * 40, "b" * 40
HEAD, EARLIER = "c" * 40, "d" * 40
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROSTER = Roster.of(["mona", "nina", "omar"], ["mona"])
RULE = DecisionRule(approvals=3, comment_period=timedelta(hours=1))


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def started(minutes: float = 0, blob: str = OLD_BLOB) -> Entry:
    extra = {"current": "Proposed", "target": "Final", "roster": ["mona", "nina", "omar"]}
    return Entry("start", PATH, "mona", at(minutes), "100", blob, extra)


def voted(kind: str, actor: str, minutes: float, source: str, blob: str = OLD_BLOB) -> Entry:
    return Entry(kind, PATH, actor, at(minutes), source, blob)


def review(
    rid: int,
    author: str,
    state: str,
    minutes: float,
    *,
    commit: str = HEAD,
    bot: bool = False,
) -> ListedReview:
    return ListedReview(rid, author, bot, state, at(minutes), commit)


def decision(
    entries: list[Entry],
    *,
    now: float = 60,
    head_blob: str = OLD_BLOB,
    dismiss: bool = False,
    roster: Roster = ROSTER,
) -> Decision:
    rule = DecisionRule(
        approvals=RULE.approvals, comment_period=RULE.comment_period, dismiss_on_change=dismiss
    )
    state = decision_state(PATH, record_events(entries), rule, roster, at(now), recorded=True)
    return Decision(PATH, state, roster, dismiss, HEAD, head_blob)


def lost(
    reviews: list[ListedReview], entries: list[Entry], settled: float = 58, **kw: object
) -> list[LostVote]:
    return lost_votes(reviews, entries, decision(entries, **kw), at(settled))  # type: ignore[arg-type]


def kinds(votes: list[LostVote]) -> list[tuple[str, str, int]]:
    return [(vote.kind, vote.review.author or "", vote.review.id) for vote in votes]


def test_review_states_vote_as_their_deliveries_do() -> None:
    assert review_vote("APPROVED") == APPROVE
    assert review_vote("CHANGES_REQUESTED") == WITHDRAW
    assert review_vote("DISMISSED") == WITHDRAW
    assert review_vote("COMMENTED") is None and review_vote("PENDING") is None


def test_a_lost_approval_is_found_once_and_then_is_recorded() -> None:
    entries = [started()]
    found = lost([review(7, "nina", "APPROVED", 10)], entries)
    assert kinds(found) == [(APPROVE, "nina", 7)] and found[0].blob == OLD_BLOB
    recorded = [*entries, voted(APPROVE, "nina", 59, "review:7")]
    assert lost([review(7, "nina", "APPROVED", 10)], recorded) == []


def test_reviews_the_delivery_would_not_have_counted_are_left_out() -> None:
    entries = [started(5)]
    reviews = [
        review(1, "nina", "APPROVED", 2),  # before the decision started
        review(2, "eve", "APPROVED", 10),  # not an eligible approver
        review(3, "ci[bot]", "APPROVED", 10, bot=True),  # a bot
        review(4, "omar", "COMMENTED", 10),  # no vote
        ListedReview(5, "mona", False, "APPROVED", None, HEAD),  # pending: not submitted
    ]
    assert lost(reviews, entries) == []


def test_a_young_review_is_left_to_its_delivery() -> None:
    reviews = [review(7, "nina", "APPROVED", 59)]
    assert lost(reviews, [started()], settled=58) == []
    assert young(reviews, at(58)) and not young(reviews, at(59))


def test_only_each_reviewers_newest_review_counts() -> None:
    reviews = [review(1, "nina", "APPROVED", 10), review(2, "Nina", "CHANGES_REQUESTED", 20)]
    assert list(newest_votes(reviews)) == ["nina"]
    # Both lost: the approval was withdrawn before anything recorded it; nothing to withdraw.
    assert lost(reviews, [started()]) == []
    # The approval was recorded, the withdrawal lost: it is withdrawn.
    recorded = [started(), voted(APPROVE, "nina", 10, "review:1")]
    assert kinds(lost(reviews, recorded)) == [(WITHDRAW, "Nina", 2)]
    again = [review(1, "nina", "CHANGES_REQUESTED", 10), review(2, "nina", "APPROVED", 20)]
    assert kinds(lost(again, [started()])) == [(APPROVE, "nina", 2)]


def test_a_vote_recorded_after_the_review_stands() -> None:
    # nina approved by comment after her review asked for changes: the comment wins.
    recorded = [started(), voted(APPROVE, "nina", 30, "555")]
    assert lost([review(7, "nina", "CHANGES_REQUESTED", 20)], recorded) == []


def test_a_dismissal_withdraws_only_the_dismissed_reviews_own_approval() -> None:
    dismissed = [review(7, "nina", "DISMISSED", 10)]
    recorded = [started(), voted(APPROVE, "nina", 10, "review:7")]
    assert kinds(lost(dismissed, recorded)) == [(WITHDRAW, "nina", 7)]
    # Recorded already: nothing more.
    done = [*recorded, voted(WITHDRAW, "nina", 30, "review:7")]
    assert lost(dismissed, done) == []
    # nina approved again by comment after: the dismissal (its time unknown) undoes nothing.
    later = [*recorded, voted(APPROVE, "nina", 40, "556")]
    assert lost(dismissed, later) == []
    # Never recorded as an approval: nothing to withdraw.
    assert lost(dismissed, [started()]) == []


def test_an_approval_of_a_text_that_changed_since() -> None:
    changed = Entry("text-changed", PATH, "", at(30), HEAD, NEW_BLOB)
    entries = [started(), changed]
    on_old_commit = [review(7, "nina", "APPROVED", 10, commit=EARLIER)]
    # The change would have withdrawn it under dismiss_on_change: left out.
    assert lost(on_old_commit, entries, head_blob=NEW_BLOB, dismiss=True) == []
    # Without it, the approval counts, for the text the reviewer saw.
    [vote] = lost(on_old_commit, entries, head_blob=NEW_BLOB)
    assert vote.blob == OLD_BLOB
    # A review on the head saw the head's text, whenever the record noticed it.
    on_head = [review(8, "omar", "APPROVED", 20)]
    [vote] = lost(on_head, entries, head_blob=NEW_BLOB, dismiss=True)
    assert vote.blob == NEW_BLOB


def test_nothing_is_recorded_once_the_move_is_due_or_the_decision_is_over() -> None:
    entries = [started(), voted(APPROVE, "nina", 1, "1"), voted(APPROVE, "omar", 2, "2")]
    late = [review(7, "mona", "APPROVED", 30)]
    assert lost(late, entries, now=200) == []  # the period (1 h from 0:02) has run out
    cancelled = [started(), Entry("cancel", PATH, "mona", at(1), "3", OLD_BLOB)]
    assert lost([review(7, "nina", "APPROVED", 10)], cancelled) == []


LOGINS = st.sampled_from(["mona", "nina", "omar", "eve", "Nina"])
STATES = st.sampled_from(["APPROVED", "CHANGES_REQUESTED", "DISMISSED", "COMMENTED"])
REVIEWS = st.lists(
    st.builds(
        review,
        st.integers(1, 50),
        LOGINS,
        STATES,
        st.integers(-10, 70),
        commit=st.sampled_from([HEAD, EARLIER]),
    ),
    max_size=8,
    unique_by=lambda r: r.id,
)
RECORDED = st.lists(
    st.builds(
        voted,
        st.sampled_from([APPROVE, WITHDRAW]),
        LOGINS,
        st.integers(0, 55),
        st.sampled_from(["review:1", "review:2", "777", "778"]),
    ),
    max_size=4,
)


@given(REVIEWS, RECORDED, st.booleans())
@example([review(1, "nina", "APPROVED", 10), review(2, "nina", "DISMISSED", 20)], [], False)
@example(  # the period ran out at 60: a withdrawal then counts no more, so none is recorded
    [review(1, "nina", "CHANGES_REQUESTED", 30)],
    [voted(APPROVE, "nina", 0, "777"), voted(APPROVE, "omar", 0, "778")],
    False,
)
def test_recording_what_is_lost_leaves_nothing_lost(
    reviews: list[ListedReview], votes: list[Entry], dismiss: bool
) -> None:
    """Idempotent: once the lost votes are recorded (accepted now, as the sweep does), a
    second look finds none, and each reviewer's vote in the fold is their newest review's."""
    entries = [started(), *votes]
    found = lost(reviews, entries, dismiss=dismiss)
    assert len({vote.review.author.lower() for vote in found if vote.review.author}) == len(found)
    now = at(60)
    recorded = entries + [
        Entry(v.kind, PATH, v.review.author or "", now, v.review.source, v.blob) for v in found
    ]
    assert lost(reviews, recorded, dismiss=dismiss) == []
    rule = DecisionRule(approvals=3, comment_period=timedelta(hours=1), dismiss_on_change=dismiss)
    state = decision_state(PATH, record_events(recorded), rule, ROSTER, now, recorded=True)
    for vote in found:
        login = (vote.review.author or "").lower()
        assert (login in state.approved_by) == (vote.kind == APPROVE) or not state.running
