"""What a reconciliation sweep must repair, decided from what it read. Pure: no I/O.

The sweep reads listings (open and recently closed pull requests, recent comments, the App's
check runs on a head); these functions say what is missing: a check run, labels out of step
with it, a number, a number's announcement, an answer to a command, a decision to settle. The
repairs themselves are the webhook handlers', called unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.policy.check_labels import implied_digest, labels_digest, owned_now
from bot.policy.commands import DECISION_COMMANDS, Command, has_candidates, parse_commands
from bot.policy.markers import NUMBERED, carries, reply_ids
from bot.rfc.config.public import Config
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


@dataclass(frozen=True, slots=True)
class HeadProof:
    """What a sweep proved of an open pull request: its head has a completed run of the App
    (``mark``), whose ``external_id`` records the labels it implies (``implied``, a digest;
    None: a run of an older release, which records none). ``accepted``: the labels the sweep's
    own sync left, when they differ from the run's (the config changed since the run)."""

    mark: tuple[str, str]
    implied: str | None
    accepted: str | None = None


def latest_app_run(
    runs: Iterable[Mapping[str, object]], app_id: int | None
) -> Mapping[str, object] | None:
    """The App's newest completed run among ``runs`` (GitHub shows the latest per App)."""
    found: Mapping[str, object] | None = None
    for run in runs:
        app = run.get("app")
        owner = app.get("id") if isinstance(app, Mapping) else None
        if run.get("status") != "completed" or (app_id is not None and owner != app_id):
            continue
        if found is None or _run_id(run) > _run_id(found):
            found = run
    return found


def proof_of(mark: tuple[str, str], run: Mapping[str, object]) -> HeadProof:
    return HeadProof(mark, implied_digest(run.get("external_id")))


def labels_in_step(proof: HeadProof, labels: Iterable[str], config: Config) -> bool:
    """The pull request's owned labels are the ones its head's run implies (or the ones the
    sweep's own sync left); a run that records none cannot say, and is taken as in step."""
    if proof.implied is None:
        return True
    now = labels_digest(owned_now(config, labels))
    return now in (proof.implied, proof.accepted)


def _run_id(run: Mapping[str, object]) -> int:
    value = run.get("id")
    return value if isinstance(value, int) else -1


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


def announced(comments: Iterable[ListedComment], app_id: int | None) -> set[int]:
    """The pull requests holding the App's numbering announcement (its hidden marker, in a
    comment GitHub proves the App wrote): the merge's own, or the answer to ``/rfc number``."""
    return {
        item.number
        for item in comments
        if item.number is not None
        and written_by_app(item.comment, app_id)
        and carries(item.comment.body, NUMBERED)
    }


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


def decision_hints(
    comments: Sequence[ListedComment],
    statuses: Sequence[str],
    since: str,
    among: Collection[int],
) -> dict[int, int]:
    """Pull requests (of ``among``) on which a person made, at or after ``since``, a command
    that may start or act on a decision (``/rfc status``, approve, concern ...), with the
    newest such comment. Its handler settles the decision after answering; one that stopped in
    between left a record with neither label nor panel, which only this points the sweep to."""
    hints: dict[int, int] = {}
    for item in comments:
        number, comment = item.number, item.comment
        if number is None or number not in among or comment.author_is_bot or not item.on_pull:
            continue
        if item.created_at < since or not has_candidates(comment.body):
            continue
        if any(_acts_on_decisions(line) for line in parse_commands(comment.body, statuses)):
            hints[number] = max(hints.get(number, 0), comment.id)
    return hints


def _acts_on_decisions(line: object) -> bool:
    return isinstance(line, Command) and (line.name == "status" or line.name in DECISION_COMMANDS)


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
