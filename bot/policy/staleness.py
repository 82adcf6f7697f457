"""Staleness: when an open RFC pull request has gone too long without anyone doing anything, and
what the App says about it. Pure.

**Activity** is what people did on the pull request: opening it, a comment (written or
edited), a review, a commit pushed. The App's own writes (its comments, labels, status commits)
and other bots' never count, so the App's reminder cannot keep a pull request fresh. A commit's
date is written by whoever made it: a commit dated later than now counts only once that time
has come, so a forged future date buys nothing. Label changes do not count; the ``rfc: keep``
label is how people keep a quiet pull request from going stale.

A pull request is **stale** once its last activity is older than the ``stale_after`` of its
RFC's status (the shortest, when it holds RFCs of several statuses). An **episode** runs from
there until the next activity. The reminder is due once per episode: a reminder of the App's
written after the last activity belongs to this episode, one written before it to an earlier
one (so deleting a comment, which moves the last activity back, never brings a second one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.policy.decisions.state import DecisionState
from bot.policy.decisions.texts import utc
from bot.policy.markers import STALE
from bot.policy.text import code, fit_comment, plural
from bot.rfc.config.public import Config, LabelConfig, format_duration
from bot.values import Comment, timestamp

MAX_MENTIONS = 20  # people one reminder mentions at most
# A GitHub login: 1-39 letters, digits and single inner hyphens (no bot's "[bot]" suffix).
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing a person did on the pull request, and when (GitHub's clock, or a commit's)."""

    at: datetime
    kind: str  # "opened", "comment", "review" or "commit"
    by: str = ""


@dataclass(frozen=True, slots=True)
class Limit:
    """How long the pull request may go without activity, and the status that says so."""

    status: str
    after: timedelta


@dataclass(frozen=True, slots=True)
class Staleness:
    """What the App should do about one pull request now."""

    stale: bool = False
    since: datetime | None = None  # when it went stale: the last activity + the limit
    last_activity: datetime | None = None
    limit: Limit | None = None
    remind: bool = False  # the episode's reminder is due
    opted_out: str = ""  # why it never goes stale ("" when it may)


# --- activity from what GitHub lists --------------------------------------------------------


def comment_activity(comment: Comment) -> Activity | None:
    """A person's comment, as of its last edit; None for the App's and other bots'."""
    if comment.author_is_bot or comment.author is None:
        return None
    at = comment.updated_at or comment.created_at
    return None if at is None else Activity(at, "comment", comment.author)


def review_activity(review: Mapping[str, Any]) -> Activity | None:
    """A person's submitted review; None for a bot's or a pending one."""
    user = review.get("user") or {}
    at = timestamp(review, "submitted_at")
    if at is None or not isinstance(user, Mapping) or user.get("type") == "Bot":
        return None
    return Activity(at, "review", str(user.get("login") or ""))


def commit_activity(commit: Mapping[str, Any]) -> Activity | None:
    """A commit pushed by a person, at its committer date; None for a bot's (the App's status
    commits among them: GitHub names its bot user as their committer)."""
    if any(
        isinstance(who, Mapping) and who.get("type") == "Bot"
        for who in (commit.get("committer"), commit.get("author"))
    ):
        return None
    git = commit.get("commit") or {}
    committer = git.get("committer") if isinstance(git, Mapping) else None
    at = timestamp(committer, "date") if isinstance(committer, Mapping) else None
    return None if at is None else Activity(at, "commit")


def last_activity(activities: Iterable[Activity], now: datetime) -> datetime | None:
    """The latest activity that has happened by ``now`` (a commit dated later waits)."""
    return max((a.at for a in activities if a.at <= now), default=None)


# --- the decision ---------------------------------------------------------------------------


def limit_for(config: Config, labels: Iterable[str]) -> Limit | None:
    """The shortest ``stale_after`` among the statuses the pull request's labels name (the
    check's proven status labels); None when none of them has one."""
    prefix = config.labels.status_prefix
    named = {label[len(prefix) :] for label in labels if prefix and label.startswith(prefix)}
    limits = [
        Limit(status, after)
        for status, after in config.stale_after.items()
        if status.lower() in named and after > timedelta(0)
    ]
    return min(limits, key=lambda limit: (limit.after, limit.status), default=None)


def is_held(state: DecisionState) -> bool:
    """Whether a maintainer's hold pauses the RFC's decisions: a held RFC is waiting on
    purpose, and never goes stale. The hook reads ``held_by`` once decisions have holds
    (``/rfc hold``); until then no state has one, and nothing is held."""
    return getattr(state, "held_by", None) is not None


def assess(
    config: Config,
    labels: Sequence[str],
    activities: Iterable[Activity],
    reminders: Iterable[datetime],
    now: datetime,
    *,
    held: bool = False,
) -> Staleness:
    """Staleness of one open pull request: its labels, what people did, when the App wrote
    its stale reminders, now. ``held``: one of its RFCs is held (``is_held``)."""
    if config.labels.keep in labels:
        return Staleness(opted_out=f"the {code(config.labels.keep)} label")
    if held:
        return Staleness(opted_out="a hold")
    limit = limit_for(config, labels)
    last = last_activity(activities, now)
    if limit is None or last is None:
        return Staleness(last_activity=last, limit=limit)
    since = last + limit.after
    if now < since:
        return Staleness(last_activity=last, limit=limit)
    reminded = any(last <= moment for moment in reminders)
    return Staleness(True, since, last, limit, remind=not reminded)


# --- what the App says ----------------------------------------------------------------------


def duration_words(after: timedelta) -> str:
    """``60 days``, ``12 hours``: a duration as the config writes it, in words."""
    written = format_duration(after)
    return plural(int(written[:-1]), _UNITS[written[-1]])


def panel_line(staleness: Staleness, labels: LabelConfig) -> str:
    """The status panel's line while the pull request is stale ("" when it is not). No
    mention: the panel is edited on every event."""
    if not staleness.stale or staleness.limit is None:
        return ""
    return (
        f"**Stale since {utc(staleness.since)}:** no activity for "
        f"{duration_words(staleness.limit.after)} (the limit for "
        f"{code(staleness.limit.status)} RFCs here). Any comment, review or push ends it; "
        f"the {code(labels.keep)} label keeps a pull request from going stale."
    )


def mentionable(logins: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Logins fit to mention: real GitHub logins only (never a bot, never text that could
    mention a team), each once, sorted, at most ``MAX_MENTIONS``."""
    excluded = {login.lower() for login in exclude}
    found: dict[str, str] = {}
    for login in logins:
        if _LOGIN.fullmatch(login) and login.lower() not in excluded:
            found.setdefault(login.lower(), login)  # the first spelling met
    return [found[key] for key in sorted(found)][:MAX_MENTIONS]


def reminder_text(
    staleness: Staleness, authors: Sequence[str], approvers: Sequence[str], labels: LabelConfig
) -> str:
    """The one reminder of a stale episode: it mentions the authors and the approvers a
    decision waits on, each once, and says what ends it. Never closes anything."""
    assert staleness.since is not None and staleness.limit is not None
    people = mentionable([*authors, *approvers])
    waiting = {login.lower() for login in approvers}
    asked = [f"@{login}" for login in people if login.lower() not in waiting]
    approving = [f"@{login}" for login in people if login.lower() in waiting]
    lines = [
        STALE,
        f"This pull request has had no activity since {utc(staleness.last_activity)}, longer "
        f"than {duration_words(staleness.limit.after)}: the limit for "
        f"{code(staleness.limit.status)} RFCs here.",
        "",
    ]
    if asked:
        lines.append(f"{' '.join(asked)}: is it still moving? A comment, a review or a push is "
                     "all it takes.")  # fmt: skip
    if approving:
        lines.append(f"{' '.join(approving)}: a decision here is waiting on your approval "
                     "(`/rfc approve`, or `/rfc concern NAME` to object).")  # fmt: skip
    lines += [
        "",
        f"Until then it carries the {code(labels.stale)} label; I never close anything. To let "
        f"it rest without reminders, add the {code(labels.keep)} label.",
    ]
    return fit_comment("\n".join(lines))
