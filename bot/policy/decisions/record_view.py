"""The decision record read two ways: as the events the fold takes, and as the table people
read in the record's check run. Pure.

Every user text in the table (paths, logins, concern names, statuses) is rendered inert: it
can never form a marker, a mention, a link or any other markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.policy.decisions.events import (
    Approved,
    Cancelled,
    ChangesRequested,
    ConcernRaised,
    ConcernResolved,
    Event,
    Held,
    Moved,
    Reminded,
    Started,
    TextChanged,
    Unheld,
)
from bot.policy.decisions.record import Entry, ordered, stamp

MAX_ROWS = 200  # rows the summary shows; the JSON keeps every entry


def record_events(entries: Iterable[Entry]) -> list[Event]:
    """The fold's input: the record's entries as events (a period's start is the fold's own
    conclusion, recorded for people; it is not an input)."""
    return [event for entry in ordered(entries) if (event := _event(entry)) is not None]


def _event(entry: Entry) -> Event | None:
    at, actor, path, link, extra = entry.at, entry.actor, entry.path, entry.link, entry.extra
    kind = entry.kind
    if kind == "start":
        roster = extra.get("roster")
        return Started(
            at, actor, path, str(extra.get("current") or ""), str(extra.get("target") or ""),
            link, frozenset(roster) if isinstance(roster, list) else None, blob=entry.blob,
        )  # fmt: skip
    if kind == "approve":
        if entry.source.startswith("review:"):
            return Approved(at, actor, path, link, "review", blob=entry.blob)
        return Approved(at, actor, path, link, blob=entry.blob)
    if kind == "changes-requested":
        return ChangesRequested(at, actor, path, link)
    if kind in ("concern", "resolve"):
        named = ConcernRaised if kind == "concern" else ConcernResolved
        return named(at, actor, path, str(extra.get("name") or ""), link)
    if kind == "hold":
        return Held(at, actor, path, str(extra.get("reason") or ""), link)
    if kind == "unhold":
        return Unheld(at, actor, path, link)
    if kind == "cancel":
        return Cancelled(at, actor, path, link)
    if kind == "text-changed":
        return TextChanged(at, path, entry.blob, actor)
    if kind == "moved":
        return Moved(at, path, str(extra.get("target") or ""), entry.source, actor)
    if kind == "reminded":
        return Reminded(at, path, actor)
    return None


def record_summary(entries: Iterable[Entry]) -> str:
    """The human-readable table: who did what, when, on which text."""
    rows = ordered(entries)
    lines = [
        "Only this App writes this record; the decisions are computed from it alone. Each "
        "entry carries a proof (see the details below), so an altered one stops the decision.",
        "",
        "| When (UTC) | Who | What | RFC | On text (blob) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in rows[-MAX_ROWS:]:
        lines.append(
            f"| {stamp(entry.at)[:19].replace('T', ' ')} | {inert(entry.actor)} | "
            f"{_what(entry)} | {inert(entry.path)} | {inert(entry.blob[:12])} |"
        )
    if len(rows) > MAX_ROWS:
        lines.append(f"\n_{len(rows) - MAX_ROWS} earlier entries are in the details only._")
    return "\n".join(lines)


def _what(entry: Entry) -> str:
    extra = entry.extra
    if entry.kind == "start":
        move = f"{extra.get('current')} → {extra.get('target')}"
        return f"started a decision ({inert(move)})"
    if entry.kind in ("concern", "resolve"):
        return f"{entry.kind} {inert(str(extra.get('name') or ''))}"
    if entry.kind == "hold":
        reason = str(extra.get("reason") or "")
        return "hold" + (f": {inert(reason)}" if reason else "")
    if entry.kind == "moved":
        return f"moved to {inert(str(extra.get('target') or ''))}"
    return entry.kind


def inert(text: str) -> str:
    """User text that renders as itself, on one line, in a table cell: no markup, mention,
    link, HTML or marker can form (each special character is a numeric reference)."""
    kept = []
    for char in text[:200]:
        if (char.isascii() and char.isalnum()) or char in " .-/":
            kept.append(char)
        elif char.isprintable():
            kept.append(f"&#{ord(char)};")
        else:
            kept.append("&#65533;")  # a newline or control character: shown as a mark
    return "".join(kept) or "&#8203;"
