"""A pull request's decision history as typed events, the values ``fold.decision_state`` folds.
Pure.

The events come from the App's decision record alone (``record_view``): a command counts once
the App accepted it and appended it there. ``actor`` is a GitHub login in any case (compared
lower-cased); ``link`` points to where it happened, shown in the panel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class Started:
    at: datetime
    actor: str
    path: str
    current: str  # the status the decision moves from, as the config spells it
    target: str
    link: str = ""
    # The eligible approvers when it started (from the start entry), so the panel can
    # say who left or joined since; None when unknown.
    roster: frozenset[str] | None = None
    blob: str = ""  # the RFC's text when it started (the record's blob sha)


@dataclass(frozen=True, slots=True)
class Approved:
    """``/rfc approve`` (``via`` "comment") or a review *Approved* (``via`` "review")."""

    at: datetime
    actor: str
    path: str | None  # None: the whole pull request (a review)
    link: str = ""
    via: Literal["comment", "review"] = "comment"
    blob: str = ""  # the RFC's text approved (the record's blob sha)


@dataclass(frozen=True, slots=True)
class ChangesRequested:
    """A review *Changes requested*: withdraws the reviewer's approval."""

    at: datetime
    actor: str
    path: str | None = None
    link: str = ""


@dataclass(frozen=True, slots=True)
class ConcernRaised:
    at: datetime
    actor: str
    path: str
    name: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class ConcernResolved:
    at: datetime
    actor: str
    path: str
    name: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """``/rfc hold [REASON]``: a maintainer pauses the RFC's decisions."""

    at: datetime
    actor: str
    path: str
    reason: str = ""
    link: str = ""


@dataclass(frozen=True, slots=True)
class Unheld:
    """``/rfc unhold``: a maintainer lifts the hold."""

    at: datetime
    actor: str
    path: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class Cancelled:
    at: datetime
    actor: str
    path: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class TextChanged:
    """The RFC's text changed: ``sha`` is its new blob (from the record)."""

    at: datetime
    path: str
    sha: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Reminded:
    """The App's own reminder (its record entry)."""

    at: datetime
    path: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Moved:
    """The App's own status commit (its record entry)."""

    at: datetime
    path: str
    target: str
    sha: str = ""
    actor: str = ""


Event = (
    Started
    | Approved
    | ChangesRequested
    | ConcernRaised
    | ConcernResolved
    | Held
    | Unheld
    | Cancelled
    | TextChanged
    | Reminded
    | Moved
)

# Within one instant: a start before the votes it enables, votes before concerns and holds,
# a block before its lifting, the App's move last. Any fixed order would do; this one reads
# naturally.
_RANK: Mapping[type, int] = {
    Started: 0,
    Approved: 1,
    ChangesRequested: 2,
    ConcernRaised: 3,
    Held: 4,
    ConcernResolved: 5,
    Unheld: 6,
    TextChanged: 7,
    Reminded: 8,
    Cancelled: 9,
    Moved: 10,
}


def canonical(events: Iterable[Event]) -> list[Event]:
    """The history in its one canonical order, each distinct event once."""
    return sorted(set(events), key=_order_key)


def _order_key(event: Event) -> tuple[object, ...]:
    return (event.at, _RANK[type(event)], *(_text(value) for value in _fields(event)))


def _fields(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in event.__slots__)  # type: ignore[union-attr]


def _text(value: object) -> str:
    """A field as a sortable string (None, sets and enums included)."""
    if isinstance(value, frozenset):
        return ",".join(sorted(value))
    return "" if value is None else str(value)


def latest_starts(events: Iterable[Event]) -> dict[str, Started]:
    """The latest start per path."""
    starts: dict[str, Started] = {}
    for event in events:
        if isinstance(event, Started) and (
            event.path not in starts or starts[event.path].at < event.at
        ):
            starts[event.path] = event
    return starts
