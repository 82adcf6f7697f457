"""Staleness, pure: which limit applies, what counts as activity, the episode's one reminder,
the opt-outs, and what the App says (mentions checked, the panel's line mentions nobody)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.decisions.state import NO_DECISION
from bot.policy.markers import STALE, carries
from bot.policy.staleness import (
    MAX_MENTIONS,
    Activity,
    Limit,
    assess,
    comment_activity,
    commit_activity,
    is_held,
    last_activity,
    limit_for,
    mentionable,
    panel_line,
    reminder_text,
    review_activity,
)
from bot.rfc.config.public import Config
from bot.values import Comment

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CONFIG = Config(stale_after=MappingProxyType({"Proposed": 60 * DAY, "Draft": 90 * DAY}))
PROPOSED = ("rfc", "rfc: proposed")


def at(days: float) -> datetime:
    return T0 + days * DAY


# --- the limit ------------------------------------------------------------------------------


def test_the_limit_is_the_shortest_of_the_pull_requests_statuses() -> None:
    assert limit_for(CONFIG, PROPOSED) == Limit("Proposed", 60 * DAY)
    assert limit_for(CONFIG, ("rfc: draft", "rfc: proposed")) == Limit("Proposed", 60 * DAY)
    assert limit_for(CONFIG, ("rfc: draft",)) == Limit("Draft", 90 * DAY)
    assert limit_for(CONFIG, ("rfc: final", "rfc")) is None
    off = Config(stale_after=MappingProxyType({"Proposed": timedelta(0)}))
    assert limit_for(off, PROPOSED) is None  # 0: never


# --- activity -------------------------------------------------------------------------------


def comment(author: str = "alice", *, bot: bool = False, edited: datetime | None = None) -> Comment:
    return Comment(1, "text", author, bot, "https://x", None, at(0), edited)


def test_people_count_bots_and_the_app_do_not() -> None:
    assert comment_activity(comment()) == Activity(at(0), "comment", "alice")
    assert comment_activity(comment(edited=at(5))) == Activity(at(5), "comment", "alice")
    assert comment_activity(comment("rfc-bot[bot]", bot=True)) is None
    review: dict[str, Any] = {
        "user": {"login": "nina", "type": "User"},
        "submitted_at": "2026-03-03T09:00:00Z",
    }
    assert review_activity(review) == Activity(at(1), "review", "nina")
    assert review_activity({**review, "user": {"login": "ci[bot]", "type": "Bot"}}) is None
    assert review_activity({**review, "submitted_at": None}) is None  # pending
    pushed = {
        "commit": {"committer": {"date": "2026-03-04T09:00:00Z"}},
        "committer": {"type": "User"},
    }
    assert commit_activity(pushed) == Activity(at(2), "commit")
    assert commit_activity({**pushed, "committer": {"type": "Bot"}}) is None  # the App's


def test_a_commit_dated_in_the_future_waits_for_its_time() -> None:
    forged = [Activity(at(0), "opened"), Activity(at(10_000), "commit")]
    assert last_activity(forged, at(100)) == at(0)
    assert last_activity(forged, at(10_000)) == at(10_000)
    staleness = assess(CONFIG, PROPOSED, forged, [], at(100))
    assert staleness.stale and staleness.since == at(60)


# --- the episode ----------------------------------------------------------------------------


def test_an_episode_reminds_once_then_activity_ends_it() -> None:
    opened = [Activity(at(0), "opened")]
    assert not assess(CONFIG, PROPOSED, opened, [], at(59)).stale
    due = assess(CONFIG, PROPOSED, opened, [], at(61))
    assert due.stale and due.remind and due.since == at(60) and due.last_activity == at(0)
    reminded = assess(CONFIG, PROPOSED, opened, [at(61)], at(200))
    assert reminded.stale and not reminded.remind
    again = [*opened, Activity(at(70), "comment")]
    assert not assess(CONFIG, PROPOSED, again, [at(61)], at(71)).stale
    second = assess(CONFIG, PROPOSED, again, [at(61)], at(131))
    assert second.stale and second.remind  # a new episode, a new reminder


def test_deleting_the_last_comment_brings_no_second_reminder() -> None:
    with_comment = [Activity(at(0), "opened"), Activity(at(10), "comment")]
    first = assess(CONFIG, PROPOSED, with_comment, [], at(71))
    assert first.remind
    deleted = with_comment[:1]  # the last activity moves back to the opening
    assert not assess(CONFIG, PROPOSED, deleted, [at(71)], at(72)).remind


def test_the_keep_label_and_a_hold_opt_out() -> None:
    opened = [Activity(at(0), "opened")]
    kept = assess(CONFIG, (*PROPOSED, "rfc: keep"), opened, [], at(500))
    assert not kept.stale and not kept.remind and "rfc: keep" in kept.opted_out
    held = assess(CONFIG, PROPOSED, opened, [], at(500), held=True)
    assert not held.stale and held.opted_out == "a hold"


def test_a_hold_is_read_from_the_decision_once_it_has_one() -> None:
    assert not is_held(NO_DECISION)

    class Held:
        held_by = "mona"

    assert is_held(Held())  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

moments = st.floats(min_value=0, max_value=400, allow_nan=False).map(at)
activity_lists = st.lists(
    st.builds(Activity, moments, st.sampled_from(["comment", "review", "commit"])), max_size=6
)
label_sets = st.lists(
    st.sampled_from(["rfc", "rfc: proposed", "rfc: draft", "rfc: final", "rfc: keep"]),
    max_size=4,
).map(tuple)


@given(label_sets, activity_lists, st.lists(moments, max_size=3), moments, st.booleans())
def test_never_stale_when_opted_out(
    labels: tuple[str, ...], activities: list[Activity], reminders: list[datetime],
    now: datetime, held: bool,
) -> None:  # fmt: skip
    staleness = assess(CONFIG, (*labels, "rfc: keep"), activities, reminders, now, held=held)
    assert not staleness.stale and not staleness.remind
    held_only = assess(CONFIG, labels, activities, reminders, now, held=True)
    assert not held_only.stale and not held_only.remind


@given(label_sets, activity_lists, st.lists(moments, max_size=3), moments)
def test_activity_now_always_ends_staleness(
    labels: tuple[str, ...], activities: list[Activity], reminders: list[datetime], now: datetime
) -> None:
    fresh = [*activities, Activity(now, "comment")]
    assert not assess(CONFIG, labels, fresh, reminders, now).stale


@given(label_sets, activity_lists, st.lists(moments, max_size=3), moments, moments)
@example(PROPOSED, [], [], at(60), at(60))
def test_at_most_one_reminder_per_episode(
    labels: tuple[str, ...], activities: list[Activity], reminders: list[datetime],
    now: datetime, later: datetime,
) -> None:  # fmt: skip
    """Once the App reminds (at ``now``), no later moment of the same episode (no new activity)
    asks for another."""
    opened = [Activity(at(0), "opened"), *activities]
    first = assess(CONFIG, labels, opened, reminders, now)
    if not first.remind:
        return
    assert first.stale
    for moment in (now, max(now, later)):
        assert not assess(CONFIG, labels, opened, [*reminders, now], moment).remind


@given(label_sets, activity_lists, moments)
def test_stale_exactly_when_the_limit_has_passed(
    labels: tuple[str, ...], activities: list[Activity], now: datetime
) -> None:
    staleness = assess(CONFIG, labels, activities, [], now)
    limit, last = limit_for(CONFIG, labels), last_activity(activities, now)
    expected = (
        "rfc: keep" not in labels
        and limit is not None
        and last is not None
        and now >= last + limit.after
    )
    assert staleness.stale == expected
    assert staleness.remind == expected


# --- what the App says ----------------------------------------------------------------------


def stale() -> Any:
    return assess(CONFIG, PROPOSED, [Activity(at(0), "opened")], [], at(61))


def test_the_reminder_mentions_authors_and_approvers_once_and_carries_its_marker() -> None:
    text = reminder_text(stale(), ["alice", "Alice", "bob"], ["nina", "bob"], CONFIG.labels)
    assert carries(text, STALE)
    assert text.count("@alice") == 1 and "@Alice" not in text
    assert text.count("@bob") == 1 and text.count("@nina") == 1
    assert "2026-03-02 09:00 UTC" in text and "60 days" in text and "`Proposed`" in text
    assert "`rfc: keep`" in text and "`rfc: stale`" in text and "never close" in text


def test_the_reminder_mentions_no_forged_handle() -> None:
    forged = ["octo-org/everyone", "a b", "@x", "ci[bot]", "-bad", "x" * 40, "ok-1"]
    assert mentionable(forged) == ["ok-1"]
    many = [f"user{n}" for n in range(50)]
    assert len(mentionable(many)) == MAX_MENTIONS
    text = reminder_text(stale(), forged, [], CONFIG.labels)
    assert "@ok-1" in text and "@octo-org" not in text and "@x " not in text


def test_the_panel_line_mentions_nobody() -> None:
    line = panel_line(stale(), CONFIG.labels)
    assert line.startswith("**Stale since 2026-05-01 09:00 UTC:**")
    assert "no activity for 60 days" in line and "@" not in line
    assert panel_line(assess(CONFIG, PROPOSED, [], [], at(1)), CONFIG.labels) == ""
