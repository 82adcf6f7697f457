"""A webhook delivery read once into the values its handlers use.

``delivery_of`` reads the payload at dispatch (``bot.features.handling``), the one place its
shape is checked: a payload lacking what the App relies on (a ``repository`` that is no
repository, an ``installation`` whose id is no integer, a pull request, comment or check that
is not one) raises ``PayloadError`` there, before any handler runs or any client is built.
Handlers take the typed value of their event and never read the payload again.

Each kind is still a gidgethub ``Event`` (the router matches on its name and action); its
``data`` is the payload as sent, kept for the runtime's log line, not for handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from gidgethub import sansio

from bot.errors import PayloadError
from bot.values import Comment, Pull, Repository, integer, login_of, obj, optional_text


@dataclass(frozen=True, slots=True)
class Account:
    """A user or organisation as a payload names it (the sender, an installation's account)."""

    login: str | None  # None: a deleted ("ghost") or unnamed account
    is_bot: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Account | None:
        """The account, None when the payload names none."""
        if data is None:
            return None
        login = login_of(data)
        return cls(login, data.get("type") == "Bot" or (login or "").endswith("[bot]"))


@dataclass(frozen=True, slots=True)
class Review:
    """A pull request review as a ``pull_request_review`` event carries it."""

    id: int
    state: str  # upper case, as the REST API spells it (``APPROVED``, ``DISMISSED``, ...)
    author: str | None
    author_is_bot: bool
    html_url: str

    @classmethod
    def from_json(cls, data: Any, where: str = "review") -> Review:
        user = data.get("user") if isinstance(data, Mapping) else None
        if user is not None and not isinstance(user, Mapping):
            raise PayloadError(f"{where}.user: expected an object or null")
        author = Account.from_json(user)
        return cls(
            id=integer(data, "id", where),
            state=(optional_text(data, "state", where) or "").upper(),
            author=author.login if author else None,
            author_is_bot=author.is_bot if author else False,
            html_url=optional_text(data, "html_url", where) or "",
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Delivery(sansio.Event):
    """Any delivery: its event and action, the installation it came through, its sender."""

    data: Mapping[str, Any] = field(repr=False)  # as sent: the runtime's, never a handler's
    event: str
    delivery_id: str
    action: str | None
    installation_id: int | None  # None: no installation (the Action's payloads)
    sender: Account | None


@dataclass(frozen=True, kw_only=True, eq=False)
class RepositoryDelivery(Delivery):
    """A delivery about one repository."""

    repository: Repository


@dataclass(frozen=True, kw_only=True, eq=False)
class PullDelivery(RepositoryDelivery):
    """``pull_request`` and ``pull_request_review``: the pull request as the event saw it."""

    pull: Pull
    changed: frozenset[str]  # what an ``edited`` action changed (``base``, ``title``, ...)
    before: str | None  # ``synchronize``: the head before the push
    review: Review | None  # ``pull_request_review`` only


@dataclass(frozen=True, kw_only=True, eq=False)
class CommentDelivery(RepositoryDelivery):
    """``issue_comment``: the comment, and the issue (or pull request) it is on."""

    comment: Comment
    issue_number: int
    on_pull_request: bool
    previous_body: str | None  # an edit that changed the body: the body before it


@dataclass(frozen=True, kw_only=True, eq=False)
class CheckDelivery(RepositoryDelivery):
    """``check_run`` and ``check_suite``: the check and the pull requests at its commit."""

    check_name: str | None  # a check run's name (None for a suite)
    pull_numbers: tuple[int, ...]


@dataclass(frozen=True, kw_only=True, eq=False)
class InstallationDelivery(Delivery):
    """``installation`` and ``installation_repositories``: where the App is installed."""

    account: str | None
    repositories: tuple[str, ...]  # ``installation``: the repositories it may see
    added: tuple[str, ...]  # ``installation_repositories``: what changed
    removed: tuple[str, ...]


class _Envelope(TypedDict):
    """The fields every kind has, read before the kind's own."""

    data: Mapping[str, Any]
    event: str
    delivery_id: str
    action: str | None
    installation_id: int | None
    sender: Account | None


def delivery_of(event: sansio.Event) -> Delivery:
    """The delivery as the typed value of its event; ``PayloadError`` names the first field
    whose shape the App cannot rely on."""
    data = event.data
    if not isinstance(data, Mapping):
        raise PayloadError("payload: expected an object")
    envelope = _Envelope(
        data=data,
        event=event.event,
        delivery_id=event.delivery_id,
        action=action_of(event),
        installation_id=_installation_id(_part(data, "installation")),
        sender=Account.from_json(_part(data, "sender")),
    )
    _part(data, "repository")  # read by the kinds about a repository; no other kind has one
    read = _KINDS.get(event.event)
    return read(data, envelope) if read is not None else Delivery(**envelope)


def action_of(event: sansio.Event) -> str | None:
    """The payload's ``action`` (what the router matches on), None when it has none."""
    action = event.data.get("action") if isinstance(event.data, Mapping) else None
    if action is not None and not isinstance(action, str):
        raise PayloadError("action: expected a string")
    return action


def _part(data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """An envelope's part (``repository``, ``installation``, ``sender``): None when the
    payload has none; when it has the key, an object."""
    if name not in data:
        return None
    return obj(data, name, "payload")


def _installation_id(installation: Mapping[str, Any] | None) -> int | None:
    return None if installation is None else integer(installation, "id", "installation")


def _pull(data: Mapping[str, Any], envelope: _Envelope) -> PullDelivery:
    return PullDelivery(
        **envelope,
        repository=Repository.from_json(data.get("repository")),
        pull=Pull.from_json(data.get("pull_request")),
        changed=frozenset(_changes(data)),
        before=optional_text(data, "before", "payload") or None,
        review=Review.from_json(data.get("review")) if envelope["event"] == _REVIEW else None,
    )


_REVIEW = "pull_request_review"


def _comment(data: Mapping[str, Any], envelope: _Envelope) -> CommentDelivery:
    issue = obj(data, "issue", "payload")
    comment = Comment.from_json(data.get("comment"))
    if comment.author is None:  # GitHub names every commenter ("ghost" once deleted)
        raise PayloadError("comment.user: expected a user with a login")
    return CommentDelivery(
        **envelope,
        repository=Repository.from_json(data.get("repository")),
        comment=comment,
        issue_number=integer(issue, "number", "issue"),
        on_pull_request="pull_request" in issue,
        previous_body=_previous_body(data),
    )


def _previous_body(data: Mapping[str, Any]) -> str | None:
    """The body before an edit, when the edit changed it (``changes.body.from``)."""
    body = _changes(data).get("body")
    if not isinstance(body, Mapping) or "from" not in body:
        return None
    return str(body["from"] or "")


def _check(data: Mapping[str, Any], envelope: _Envelope) -> CheckDelivery:
    kind = envelope["event"]
    check = obj(data, kind, "payload")
    name = check.get("name") if kind == "check_run" else None
    return CheckDelivery(
        **envelope,
        repository=Repository.from_json(data.get("repository")),
        check_name=name if isinstance(name, str) else None,
        pull_numbers=tuple(
            integer(ref, "number", f"{kind}.pull_requests[]")
            for ref in _list(check, "pull_requests", kind)
        ),
    )


def _installation(data: Mapping[str, Any], envelope: _Envelope) -> InstallationDelivery:
    installation = obj(data, "installation", "payload")
    return InstallationDelivery(
        **envelope,
        account=login_of(installation.get("account")),
        repositories=_names(data, "repositories"),
        added=_names(data, "repositories_added"),
        removed=_names(data, "repositories_removed"),
    )


def _changes(data: Mapping[str, Any]) -> Mapping[str, Any]:
    changes = data.get("changes")
    if changes is None:
        return {}
    if not isinstance(changes, Mapping):
        raise PayloadError("changes: expected an object")
    return changes


def _list(data: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{where}.{name}: expected a list")
    return value


def _names(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """The full names of a list of repositories (what an installation event lists)."""
    return tuple(
        item["full_name"]
        for item in _list(data, name, "payload")
        if isinstance(item, Mapping) and isinstance(item.get("full_name"), str)
    )


_KINDS: Mapping[str, Callable[[Mapping[str, Any], _Envelope], Delivery]] = {
    "pull_request": _pull,
    _REVIEW: _pull,
    "issue_comment": _comment,
    "check_run": _check,
    "check_suite": _check,
    "installation": _installation,
    "installation_repositories": _installation,
}
