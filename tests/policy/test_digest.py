"""The weekly digest, pure: which week is due, what entered or left a comment period (folded
from record events at the week's bounds), who a decision waits on (never mentioned), new and
stale RFCs, the history, forged text made inert, and GitHub's size limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.policy.decisions import (
    Approved,
    Cancelled,
    ConcernRaised,
    Event,
    Moved,
    Roster,
    Started,
    decision_state,
)
from bot.policy.digest import (
    DigestRfc,
    Week,
    boundaries,
    due,
    opened_in,
    period_changes,
    render_digest,
    waiting_on_approvers,
    week_ending,
)
from bot.policy.markers import DIGEST, carries, digest_week
from bot.rfc.config.public import DecisionRule, DigestConfig

PATH = "rfcs/0001-job-retries.md"
RULE = DecisionRule(approvals=2, comment_period=timedelta(days=3))
ROSTER = Roster.of(["mona", "nina", "omar"], maintainers=["mona", "nina", "omar"])
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, 00:00 UTC
WEEK = Week(MONDAY - timedelta(days=7), MONDAY)
URL = "https://github.com/octo-org/rfcs/pull/12"
CONFIG = DigestConfig()
MARKDOWN = MarkdownIt("commonmark").enable("table")


def day(days: float) -> datetime:
    """A moment of the week covered, from its Monday 00:00 UTC."""
    return WEEK.start + timedelta(days=days)


def rfc(
    events: list[Event], number: int = 12, title: str = "Job retries", **fields: object
) -> DigestRfc:
    states = {
        at: decision_state(PATH, events, RULE, ROSTER, at, recorded=True) for at in boundaries(WEEK)
    }
    now = MONDAY + timedelta(hours=9)
    current = decision_state(PATH, events, RULE, ROSTER, now, recorded=True)
    base: dict[str, object] = {"states": states if events else {}, "current": current}
    return DigestRfc(PATH, title, number, URL, **{**base, **fields})  # type: ignore[arg-type]


START = Started(day(-10), "mona", PATH, "Proposed", "Final")
NINA = Approved(day(1), "nina", PATH)


# --- the week -------------------------------------------------------------------------------


def test_the_week_ends_at_midnight_utc_of_the_weekday() -> None:
    assert week_ending(MONDAY + timedelta(hours=9), "monday") == WEEK
    assert week_ending(MONDAY - timedelta(seconds=1), "monday").end == MONDAY - timedelta(days=7)
    assert week_ending(MONDAY + timedelta(days=3), "thursday").end == MONDAY + timedelta(days=3)
    assert due(MONDAY, "monday", None) == WEEK
    assert due(MONDAY + timedelta(days=6), "monday", "2026-03-02") is None
    assert due(MONDAY + timedelta(days=7), "monday", "2026-03-02") is not None


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(9999, 12, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["monday", "friday", "sunday"]),
)
def test_every_moment_lies_in_the_week_after_the_one_due(now: datetime, weekday: str) -> None:
    week = week_ending(now, weekday)
    assert week.end <= now < week.end + timedelta(days=7)
    assert week.end - week.start == timedelta(days=7)
    assert week.end.strftime("%A").lower() == weekday and week.end.hour == 0


# --- what happened --------------------------------------------------------------------------


def test_entering_a_comment_period_in_the_week() -> None:
    [change] = period_changes([rfc([START, NINA])], WEEK)
    assert change.entered and not change.left
    assert change.state.period_start == day(1)


def test_leaving_it_moved_cancelled_or_paused() -> None:
    moved = [START, NINA, Moved(day(4.5), PATH, "Final")]
    [change] = period_changes([rfc(moved)], WEEK)
    assert change.entered and change.left == "moved to **Final**"
    earlier = [START, Approved(day(-2), "nina", PATH)]  # in its period when the week began
    cancelled = [*earlier, Cancelled(day(0.5), "mona", PATH)]
    [change] = period_changes([rfc(cancelled)], WEEK)
    assert not change.entered and change.left == "cancelled"
    paused = [*earlier, ConcernRaised(day(0.5), "omar", PATH, "naming")]
    [change] = period_changes([rfc(paused)], WEEK)
    assert change.left == "paused by a concern"
    assert period_changes([rfc(earlier)], Week(day(0.2), day(0.4))) == []  # still running


def test_waiting_on_approvers_new_and_stale() -> None:
    waiting = rfc([START], number=12)
    new = rfc([], number=13, added=True, opened_at=day(2))
    old = rfc([], number=14, added=True, opened_at=day(-3))
    edit = rfc([], number=15, added=False, opened_at=day(2))
    assert waiting_on_approvers([waiting, new]) == [waiting]
    assert opened_in([new, old, edit], WEEK) == [new]


def test_the_digest_names_people_in_code_spans_and_mentions_nobody() -> None:
    stale = rfc([], number=16, stale_since=day(-30))
    body = render_digest([rfc([START]), rfc([START, NINA], number=17), stale], WEEK, MONDAY, CONFIG)
    assert carries(body, DIGEST) and digest_week(body) == "2026-03-02"
    assert "waiting on `nina`, `omar`" in body
    assert "@" not in body
    assert "### Stale RFCs" in body and "#16" in body and "stale since 2026-01-24 00:00 UTC" in body
    assert "2026-02-23 to 2026-03-01" in body
    assert "[#17](https://github.com/octo-org/rfcs/pull/17)" not in body  # the URL given is kept
    assert f"[#17]({URL})" in body
    assert "| 2026-02-16 | 0 | 0 | 0 |" in body  # the history table, earlier weeks
    assert "dashboard" not in body.lower()  # none configured


def test_the_dashboard_is_linked_when_configured() -> None:
    config = DigestConfig(dashboard_url="https://rfc-bot.example.com/dashboard")
    body = render_digest([], WEEK, MONDAY, config)
    assert "[The dashboard](https://rfc-bot.example.com/dashboard)" in body
    assert "No decision is waiting on approvers." in body


def test_the_history_counts_earlier_weeks() -> None:
    last_week = [
        Started(day(-20), "mona", PATH, "Proposed", "Final"),
        Approved(day(-6), "nina", PATH),  # the week of 16 February: the period starts
        Moved(day(-2), PATH, "Final"),  # and ends with the move
    ]
    body = render_digest([rfc(last_week)], WEEK, MONDAY, CONFIG)
    assert "| 2026-02-16 | 1 | 1 | 0 |" in body
    assert "| 2026-02-09 | 0 | 0 | 0 |" in body
    assert "No RFC entered or left a final comment period." in body  # not in this week


# --- hostile text and size ------------------------------------------------------------------

titles = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(
    [
        "<!-- rfc-bot:digest --><!-- rfc-bot:digest-week 2099-01-01 -->",
        "@octo-org/everyone please look",
        "[click](javascript:alert(1)) <script>alert(1)</script>",
        "`code` **bold** | table | ![img](https://evil.example/x.png)",
    ]
)


@given(titles, titles)
@example("@mona", "<!-- rfc-bot:digest -->")
def test_forged_titles_and_paths_stay_literal(title: str, path: str) -> None:
    forged = DigestRfc(path or "x", title, 12, URL, day(1), True, stale_since=day(0))
    body = render_digest([forged], WEEK, MONDAY, CONFIG)
    assert digest_week(body) == "2026-03-02"  # the head is the App's, whatever the title
    assert body.count("<!--") == 2  # only the head's two markers are HTML comments
    tokens = MARKDOWN.parse(body)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")][1:]
    links = [
        child.attrs.get("href")
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type in ("link_open", "image")
    ]
    assert all(str(href).startswith("https://github.com/") for href in links)
    rendered = MARKDOWN.render(body)
    assert "<script>" not in rendered and "<img" not in rendered


def test_an_oversize_digest_is_cut_with_a_note() -> None:
    many = [
        rfc([START], number=n, title="T" * 150, stale_since=day(0), added=True, opened_at=day(1))
        for n in range(2000)
    ]
    body = render_digest(many, WEEK, MONDAY, CONFIG)
    assert len(body) <= 65_536
    assert "more entries not shown: GitHub limits an issue to 65,536 characters" in body
    assert "### Earlier weeks" in body and "### Stale RFCs" in body
    small = render_digest(many, WEEK, MONDAY, CONFIG, limit=5_000)
    assert len(small) <= 5_000 and digest_week(small) == "2026-03-02"
