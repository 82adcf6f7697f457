"""What a reconciliation sweep must repair, decided from what it read. Pure: no I/O.

The sweep reads listings (open and recently closed pull requests, recent comments, the App's
check runs on a head); these functions say what is missing: a check run, a number, an answer
to a command. The repairs themselves are the webhook handlers', called unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.policy.commands import has_candidates, parse_commands
from bot.policy.markers import reply_ids
from bot.values import Comment, Pull

JITTER = 0.1  # a periodic sweep runs every interval ± 10%, so replicas drift apart
_MAX_ID_DIGITS = 20
_DIGITS = frozenset("0123456789")


def iso(moment: datetime) -> str:
    """GitHub's timestamp form (``2024-05-01T12:00:00Z``), which sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_start(now: datetime, days: int) -> str:
    """The oldest moment a sweep looks back to for merges and commands."""
    return iso(now - timedelta(days=days))


def settled(stamp: str | None, now: datetime, grace_seconds: float) -> bool:
    """Older than the grace period: work this young is left to the delivery that is (most
    likely) being handled right now, so a sweep and a webhook rarely do it both."""
    return stamp is not None and stamp <= iso(now - timedelta(seconds=grace_seconds))


def jittered(interval: float, draw: float) -> float:
    """``interval`` moved by up to ±10%; ``draw`` is uniform in [0, 1)."""
    return interval * (1 - JITTER + 2 * JITTER * draw)


# --- check runs ---------------------------------------------------------------------------


def check_mark(pull: Pull) -> tuple[str, str]:
    """What a verified check depends on: the head commit and the base branch."""
    return pull.head.sha, pull.base.ref


def check_missing(runs: Iterable[Mapping[str, object]], app_id: int | None) -> bool:
    """No completed run among ``runs`` (the check's runs on the head) is the App's."""
    for run in runs:
        app = run.get("app")
        owner = app.get("id") if isinstance(app, Mapping) else None
        if run.get("status") == "completed" and (app_id is None or owner == app_id):
            return False
    return True


# --- numbers ------------------------------------------------------------------------------


def merged_recently(pull: Pull, merged_at: str | None, since: str) -> bool:
    """Merged into the default branch at or after ``since``: the numbering handler's case."""
    return (
        pull.merged
        and merged_at is not None
        and merged_at >= since
        and pull.base.ref == pull.default_branch
    )


def still_unnumbered(added: Iterable[str], on_branch: Collection[str]) -> list[str]:
    """The ``0000-`` RFCs a merged pull request added that the default branch still holds
    under that name: numbering never ran (or never finished) for them."""
    return [path for path in added if path in on_branch]


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedComment:
    """A comment as the repository's comment listing shows it."""

    comment: Comment
    number: int | None  # the issue or pull request it is on
    on_pull: bool
    created_at: str


def answered_ids(comments: Iterable[ListedComment], app_id: int | None) -> set[int]:
    """Ids of the comments the App's replies answer (the reply marker names them)."""
    found: set[int] = set()
    for item in comments:
        if written_by_app(item.comment, app_id):
            found.update(reply_ids(item.comment.body))
    return found


def unanswered_commands(
    comments: Sequence[ListedComment],
    app_id: int | None,
    statuses: Sequence[str],
    since: str,
) -> list[ListedComment]:
    """Comments on pull requests, made at or after ``since`` by a person, holding at least one
    ``/rfc`` line, that no reply of the App answers (oldest first: answered in order)."""
    found = [
        item
        for item in maybe_unanswered(comments, app_id, since)
        if parse_commands(item.comment.body, statuses)
    ]
    return sorted(found, key=lambda item: (item.created_at, item.comment.id))


def maybe_unanswered(
    comments: Sequence[ListedComment], app_id: int | None, since: str
) -> list[ListedComment]:
    """``unanswered_commands`` before parsing (which needs the repository's statuses): when
    this is empty, the sweep need not read the config."""
    answered = answered_ids(comments, app_id)
    return [
        item
        for item in comments
        if item.on_pull
        and item.number is not None
        and item.created_at >= since
        and not item.comment.author_is_bot
        and item.comment.id not in answered
        and has_candidates(item.comment.body)
    ]


def reacted(reactions: Iterable[Mapping[str, object]], login: str) -> bool:
    """One of ``reactions`` is by the user ``login`` (the App's bot user)."""
    for reaction in reactions:
        user = reaction.get("user")
        if isinstance(user, Mapping) and str(user.get("login", "")).lower() == login.lower():
            return True
    return False


def written_by_app(comment: Comment, app_id: int | None) -> bool:
    """As ``bot.github.issues.written_by``: the App's id where GitHub names the App, else any
    bot (a person can never write as one)."""
    if comment.app_id is not None and app_id is not None:
        return comment.app_id == app_id
    return comment.author_is_bot


def issue_number(issue_url: str) -> int | None:
    """The number at the end of a comment's ``issue_url`` (``.../issues/12``)."""
    tail = issue_url.rstrip("/").rpartition("/")[2]
    return int(tail) if tail and set(tail) <= _DIGITS and len(tail) <= _MAX_ID_DIGITS else None


def on_pull_request(html_url: str) -> bool:
    """A comment's ``html_url`` says whether it is on a pull request (``/pull/12#...``)."""
    return "/pull/" in html_url
