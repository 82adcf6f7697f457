"""A pull request's decision history as typed events, made from what GitHub holds. Pure.

GitHub is the database: people's commands are their comments, reviews are reviews, the App's
start replies and reminders carry records (``bot.policy.markers``), and its move commits carry
the signed proof (``bot.policy.provenance``). The functions below turn those values, already
fetched, into the events ``fold.decision_state`` folds.

``actor`` is a GitHub login in any case (compared lower-cased); ``link`` points to where it
happened (a comment's or review's html_url), shown in the panel.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.policy.commands import DECISION_COMMANDS, Command, parse_commands
from bot.policy.markers import Record, records
from bot.policy.provenance import PROOF, STATUS, proven_status_moves, trailers
from bot.policy.targets import target_path
from bot.values import Comment, timestamp

# Commits read for text changes after a decision started (each costs one request).
MAX_COMMITS_READ = 20


@dataclass(frozen=True, slots=True)
class Started:
    at: datetime
    actor: str
    path: str
    current: str  # the status the decision moves from, as the config spells it
    target: str
    link: str = ""
    # The eligible approvers when it started (from the App's own start reply), so the panel can
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
class Cancelled:
    at: datetime
    actor: str
    path: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class TextChanged:
    """The RFC's text changed: ``sha`` is its new blob (from the record), or the commit that
    changed it (a history read from commits)."""

    at: datetime
    path: str
    sha: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Reminded:
    """The App's own reminder comment (proven by its record)."""

    at: datetime
    path: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Moved:
    """The App's own status commit (proven by its RFC-Proof trailer)."""

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
    | Cancelled
    | TextChanged
    | Reminded
    | Moved
)

# Within one instant: a start before the votes it enables, votes before concerns, the App's
# move last. Any fixed order would do; this one reads naturally.
_RANK: Mapping[type, int] = {
    Started: 0,
    Approved: 1,
    ChangesRequested: 2,
    ConcernRaised: 3,
    ConcernResolved: 4,
    TextChanged: 5,
    Reminded: 6,
    Cancelled: 7,
    Moved: 8,
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


# --- from comments, reviews and commits -----------------------------------------------------


def app_comment_events(comment: Comment) -> list[Event]:
    """The starts and reminders recorded in one of the App's own comments."""
    at = comment.created_at
    if at is None:
        return []
    found: list[Event] = []
    for kind, claim in records(comment.body):
        path = claim.get("path")
        if not isinstance(path, str):
            continue
        if kind is Record.START and isinstance(claim.get("target"), str):
            roster = claim.get("roster")
            found.append(
                Started(
                    at,
                    str(claim.get("by") or ""),
                    path,
                    str(claim.get("current") or ""),
                    str(claim["target"]),
                    comment.html_url,
                    frozenset(roster) if isinstance(roster, list) else None,
                )
            )
        elif kind is Record.REMINDER:
            found.append(Reminded(at, path))
    return found


def command_events(comment: Comment, paths: Sequence[str], statuses: Sequence[str]) -> list[Event]:
    """The decision commands in a person's comment, about the pull request's RFC ``paths``
    (a command naming no RFC of them counts nothing; an approval naming none is for all)."""
    at = comment.updated_at or comment.created_at
    actor = comment.author
    if at is None or actor is None:
        return []
    found: list[Event] = []
    for item in parse_commands(comment.body, statuses):
        if not isinstance(item, Command) or item.name not in DECISION_COMMANDS:
            continue
        path = target_path(item.path, paths)
        if path is None and not (item.name == "approve" and item.path is None):
            continue
        link = comment.html_url
        if item.name == "approve":
            found.append(Approved(at, actor, path, link))
        elif item.name == "concern" and path:
            found.append(ConcernRaised(at, actor, path, str(item.concern), link))
        elif item.name == "resolve" and path:
            found.append(ConcernResolved(at, actor, path, str(item.concern), link))
        elif item.name == "cancel" and path:
            found.append(Cancelled(at, actor, path, link))
    return found


def review_events(reviews: Iterable[Mapping[str, Any]]) -> list[Event]:
    """Approvals and withdrawals from the pull request's reviews (as GitHub lists them)."""
    found: list[Event] = []
    for review in reviews:
        actor = (review.get("user") or {}).get("login")
        at = timestamp(review, "submitted_at")
        if not isinstance(actor, str) or at is None:
            continue
        state, link = str(review.get("state") or "").upper(), str(review.get("html_url") or "")
        if state == "APPROVED":
            found.append(Approved(at, actor, None, link, via="review"))
        elif state in ("CHANGES_REQUESTED", "DISMISSED"):
            found.append(ChangesRequested(at, actor, None, link))
    return found


@dataclass(frozen=True, slots=True)
class Push:
    """Someone else's commit after a decision started: whether it changed an RFC is read next
    (``text_changes``)."""

    at: datetime
    sha: str


def commit_events(
    commits: Iterable[Mapping[str, Any]], key: bytes, repo: str, pull: int, since: datetime
) -> tuple[list[Event], list[Push]]:
    """From the pull request's commits (as GitHub lists them): the App's moves, proven with
    ``key``, and the last ``MAX_COMMITS_READ`` pushes of others after ``since``."""
    found: list[Event] = []
    later: list[Push] = []
    for item in commits:
        commit = item.get("commit") or {}
        message = str(commit.get("message") or "")
        at = timestamp(commit.get("committer"), "date")
        if at is None:
            continue
        moves = proven_status_moves(key, repo, pull, [message])
        found += [Moved(at, move.path, move.target, str(item.get("sha"))) for move in moves]
        # A push at the very instant of the start is taken as before it (it was read first).
        if not moves and at > since and not _claims_a_move(message):
            later.append(Push(at, str(item.get("sha"))))
    return found, later[-MAX_COMMITS_READ:]


def text_changes(push: Push, changed: Collection[str], paths: Iterable[str]) -> list[Event]:
    """The RFCs of ``paths`` among the files the push ``changed``."""
    return [TextChanged(push.at, path, push.sha) for path in paths if path in changed]


def _claims_a_move(message: str) -> bool:
    """The message carries a status move's trailers, proven or not."""
    fields = trailers(message)
    return STATUS in fields and PROOF in fields
