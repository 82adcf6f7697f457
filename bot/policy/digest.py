"""The weekly digest: one issue per repository, its body replaced once a week. Pure.

The week ends at 00:00 UTC on the configured weekday; the digest written after it covers the
seven days before. It lists the RFCs that entered or left a final comment period in that week
(comparing each decision as the App's record had it at the week's start and at its end), the
decisions waiting on approvers now, the RFC pull requests opened in the week, and the stale
ones now; then a short history: the same counts for the weeks before. Earlier digests stay in
the issue's edit history.

It mentions nobody: logins are code spans, never ``@login`` (the issue is edited weekly, and
its readers chose to read it). Titles and paths are literal text. The body stays within
GitHub's 65,536 characters: entries that do not fit are counted in a closing note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.policy.decisions.state import NO_DECISION, DecisionState, Phase
from bot.policy.decisions.texts import utc
from bot.policy.markers import digest_head
from bot.policy.text import MAX_COMMENT_CHARS, code
from bot.rfc.config.public import DigestConfig

WEEK = timedelta(days=7)
HISTORY_WEEKS = 4  # earlier weeks counted in the history table
MAX_TEXT = 200  # characters of a title or path shown
_NOTE_ROOM = 300  # kept free for the closing note
_LINK = re.compile(r"https://[^\s()<>\[\]\"'`]{1,2000}")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!|~#<>&])")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class DigestRfc:
    """One RFC of a pull request, as the digest reads it."""

    path: str
    title: str
    number: int  # its pull request
    url: str  # the pull request's page
    opened_at: datetime | None = None
    added: bool = False  # the pull request adds the RFC (a new RFC, not an edit)
    # The decision as the record had it at each week boundary (``boundaries``); none: never one.
    states: Mapping[datetime, DecisionState] = field(default_factory=dict)
    current: DecisionState = NO_DECISION  # the decision now
    stale_since: datetime | None = None  # the pull request is stale now (its label)


@dataclass(frozen=True, slots=True)
class Week:
    """Seven days, ``start`` included, ``end`` not."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The week as the digest's head names it: the day it was written for."""
        return self.end.date().isoformat()


def week_ending(now: datetime, weekday: str) -> Week:
    """The last whole week before ``now``: it ends at 00:00 UTC of the latest ``weekday`` at
    or before ``now``."""
    day = now.astimezone(UTC).date()
    back = (day.weekday() - _WEEKDAYS.index(weekday)) % 7
    end = datetime.combine(day - timedelta(days=back), datetime.min.time(), UTC)
    return Week(end - WEEK, end)


def due(now: datetime, weekday: str, written: str | None) -> Week | None:
    """The week the digest must be written for now, or None when it was written already."""
    week = week_ending(now, weekday)
    return None if written == week.key else week


def boundaries(week: Week) -> list[datetime]:
    """Where the decisions are read: the start of each history week, then the week's own
    start and end."""
    return [week.end - WEEK * back for back in range(HISTORY_WEEKS + 1, -1, -1)]


# --- what happened in a week ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodChange:
    rfc: DigestRfc
    state: DecisionState  # at the week's end
    entered: bool
    left: str  # how the period ended ("" when it did not)


def period_changes(rfcs: Sequence[DigestRfc], week: Week) -> list[PeriodChange]:
    """The RFCs whose decision entered a final comment period in ``week``, or left one."""
    changes = []
    for rfc in rfcs:
        before = rfc.states.get(week.start, NO_DECISION)
        after = rfc.states.get(week.end, NO_DECISION)
        entered = after.period_start is not None and week.start <= after.period_start < week.end
        running = after.phase is Phase.COMMENT_PERIOD
        was_running = before.phase is Phase.COMMENT_PERIOD
        restarted = was_running and after.period_start != before.period_start
        left = _ended(after) if (was_running or entered) and not running else ""
        if restarted and running:
            left = "paused, then restarted"
        if entered or left:
            changes.append(PeriodChange(rfc, after, entered, left))
    return changes


def _ended(state: DecisionState) -> str:
    if state.phase is Phase.DONE:
        return f"moved to **{_inert(state.target or '')}**"
    return {
        Phase.CANCELLED: "cancelled",
        Phase.PAUSED: "paused by a concern",
        Phase.COLLECTING: "an approval was withdrawn",
    }.get(state.phase, "ended")


def opened_in(rfcs: Sequence[DigestRfc], week: Week) -> list[DigestRfc]:
    return [
        rfc
        for rfc in rfcs
        if rfc.added and rfc.opened_at is not None and week.start <= rfc.opened_at < week.end
    ]


def waiting_on_approvers(rfcs: Sequence[DigestRfc]) -> list[DigestRfc]:
    return [
        rfc
        for rfc in rfcs
        if rfc.current.phase is Phase.COLLECTING and rfc.current.waiting_on and rfc.current.needed
    ]


# --- the body --------------------------------------------------------------------------------


def render_digest(
    rfcs: Sequence[DigestRfc],
    week: Week,
    now: datetime,
    config: DigestConfig,
    limit: int = MAX_COMMENT_CHARS,
) -> str:
    """The digest issue's body for ``week``, at most ``limit`` characters."""
    last_day = (week.end - timedelta(days=1)).date()
    dashboard = (
        f" [The dashboard]({config.dashboard_url}) shows every open RFC as it is now."
        if config.dashboard_url and _LINK.fullmatch(config.dashboard_url)
        else ""
    )
    head = [
        digest_head(week.key),
        f"## {_inert(config.issue_title)}: {_day(week.start.date())} to {_day(last_day)}",
        "",
        f"_Written {utc(now)}, once a week ({config.weekday.capitalize()}s, UTC); it mentions "
        f"nobody.{dashboard} Earlier weeks are in this issue's edit history._",
    ]
    sections = [
        ("Comment periods", _period_lines(period_changes(rfcs, week)),
         "No RFC entered or left a final comment period."),
        ("Waiting on approvers", [_waiting(rfc) for rfc in waiting_on_approvers(rfcs)],
         "No decision is waiting on approvers."),
        ("New RFCs", [_new(rfc) for rfc in opened_in(rfcs, week)],
         "No RFC pull request was opened."),
        ("Stale RFCs", [_stale(rfc) for rfc in _stale_ones(rfcs)], "No RFC is stale."),
    ]  # fmt: skip
    return _fit(head, sections, _history(rfcs, week), limit)


def _fit(
    head: list[str],
    sections: list[tuple[str, list[str], str]],
    history: list[str],
    limit: int,
) -> str:
    """Whole entries while they fit (the headings and history always), then a note of how
    many were left out."""
    fixed = "\n".join(head) + "".join(
        f"\n\n### {title}\n\n{empty}" for title, _, empty in sections
    ) + "\n\n" + "\n".join(history)  # fmt: skip
    budget = limit - len(fixed) - _NOTE_ROOM
    parts, left_out = ["\n".join(head)], 0
    for title, entries, empty in sections:
        shown = []
        for entry in entries:
            if len(entry) + 1 <= budget:
                shown.append(entry)
                budget -= len(entry) + 1
            else:
                left_out += 1
        parts.append(f"### {title}\n\n" + ("\n".join(shown) if shown else empty))
    parts.append("\n".join(history))
    if left_out:
        noun = "entry" if left_out == 1 else "entries"
        parts.append(
            f"_…and {left_out} more {noun} not shown: GitHub limits an issue to "
            f"{limit:,} characters._"
        )
    return "\n\n".join(parts)[:limit]


def _period_lines(changes: Sequence[PeriodChange]) -> list[str]:
    lines = []
    for change in changes:
        state = change.state
        move = f"**{_inert(state.current or '')} → {_inert(state.target or '')}**"
        if change.entered:
            lines.append(
                f"- Entered: {_rfc(change.rfc)}: {move}, the period runs from "
                f"{utc(state.period_start)} to {utc(state.period_end)}."
            )
        if change.left:
            lines.append(f"- Left: {_rfc(change.rfc)}: {move}, {change.left}.")
    return lines


def _waiting(rfc: DigestRfc) -> str:
    state = rfc.current
    names = ", ".join(code(login) for login in state.waiting_on[:10])
    more = f" and {len(state.waiting_on) - 10} more" if len(state.waiting_on) > 10 else ""
    return (
        f"- {_rfc(rfc)}: **{_inert(state.current or '')} → {_inert(state.target or '')}**, "
        f"{len(state.approvals)} of {state.required} approvals; waiting on {names}{more}."
    )


def _new(rfc: DigestRfc) -> str:
    opened = rfc.opened_at.date() if rfc.opened_at else None
    return f"- {_rfc(rfc)}, opened {_day(opened)}."


def _stale_ones(rfcs: Sequence[DigestRfc]) -> list[DigestRfc]:
    return sorted(
        (rfc for rfc in rfcs if rfc.stale_since is not None),
        key=lambda rfc: (rfc.stale_since or datetime.min.replace(tzinfo=UTC), rfc.number),
    )


def _stale(rfc: DigestRfc) -> str:
    return f"- {_rfc(rfc)}, stale since {utc(rfc.stale_since)}."


def _history(rfcs: Sequence[DigestRfc], week: Week) -> list[str]:
    rows = [
        "### Earlier weeks",
        "",
        "| week | entered a comment period | left one | new RFCs |",
        "| --- | --- | --- | --- |",
    ]
    for back in range(1, HISTORY_WEEKS + 1):
        earlier = Week(week.start - WEEK * back, week.end - WEEK * back)
        changes = period_changes(rfcs, earlier)
        entered = sum(1 for change in changes if change.entered)
        left = sum(1 for change in changes if change.left)
        new = len(opened_in(rfcs, earlier))
        rows.append(f"| {_day(earlier.start.date())} | {entered} | {left} | {new} |")
    return rows


def _rfc(rfc: DigestRfc) -> str:
    """``[#12](url) `rfcs/0001-x.md`: Title``: the pull request linked, the path and title as
    literal text."""
    number = f"[#{rfc.number}]({rfc.url})" if _LINK.fullmatch(rfc.url) else f"#{rfc.number}"
    title = _inert(rfc.title) or "untitled"
    return f"{number} {code(rfc.path[:MAX_TEXT])}: {title}"


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "(unknown)"


def _inert(text: str) -> str:
    """User text as one line of literal text: no markdown, no HTML, no mention."""
    line = " ".join(text.split())[:MAX_TEXT]
    # A word joiner after "@" keeps a login in a title from mentioning anyone.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line).replace("@", "@\u2060")
