"""GitHub objects the App works with, as typed values built once from JSON.

A value is built from an event payload or an API answer at the edge, checked against the shape
the App relies on (``PayloadError`` names the field that is wrong), and then travels through
the features and the pure core unchanged: no raw dict goes deeper than this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from bot.errors import PayloadError


def is_object(value: object) -> TypeGuard[Mapping[str, Any]]:
    """A JSON object: a dict (decoded JSON always is; checked first, as an ABC check costs
    several times more) or another Mapping."""
    return type(value) is dict or isinstance(value, Mapping)


def _field(data: Any, name: str, where: str) -> Any:
    if not is_object(data):
        raise PayloadError(f"{where}: expected an object")
    if name not in data:
        raise PayloadError(f"{where}.{name}: missing")
    return data[name]


def text(data: Any, name: str, where: str) -> str:
    value = _field(data, name, where)
    if not isinstance(value, str):
        raise PayloadError(f"{where}.{name}: expected a string")
    return value


def optional_text(data: Mapping[str, Any], name: str, where: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{where}.{name}: expected a string or null")
    return value


def integer(data: Any, name: str, where: str) -> int:
    value = _field(data, name, where)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"{where}.{name}: expected an integer")
    return value


def obj(data: Any, name: str, where: str) -> Mapping[str, Any]:
    value = _field(data, name, where)
    if not is_object(value):
        raise PayloadError(f"{where}.{name}: expected an object")
    return value


def timestamp(data: Any, name: str) -> datetime | None:
    """An ISO 8601 time GitHub wrote (``2024-06-12T09:30:00Z``), or None when absent or bad."""
    value = data.get(name) if is_object(data) else None
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def github_time(moment: datetime) -> str:
    """A time as GitHub writes it (``2024-06-12T09:30:00Z``, UTC): what ``timestamp`` reads."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def login_of(user: Any) -> str | None:
    """A user object's login; None for a missing or deleted ("ghost") user."""
    if not is_object(user):
        return None
    login = user.get("login")
    return login if isinstance(login, str) and login else None


@dataclass(frozen=True, slots=True)
class Repository:
    full_name: str
    default_branch: str
    html_url: str

    @classmethod
    def from_json(cls, data: Any, where: str = "repository") -> Repository:
        full_name = text(data, "full_name", where)
        if full_name.count("/") != 1 or not all(full_name.split("/")):
            raise PayloadError(f"{where}.full_name: expected 'owner/name'")
        return cls(
            full_name=full_name,
            default_branch=text(data, "default_branch", where),
            html_url=optional_text(data, "html_url", where) or f"https://github.com/{full_name}",
        )


@dataclass(frozen=True, slots=True)
class Branch:
    """One side of a pull request: a branch of a repository at a commit."""

    ref: str
    sha: str
    repo: Repository | None  # None: the head's fork was deleted

    @classmethod
    def from_json(cls, data: Any, where: str) -> Branch:
        repo = data.get("repo") if is_object(data) else None
        return cls(
            ref=text(data, "ref", where),
            sha=text(data, "sha", where),
            repo=None if repo is None else Repository.from_json(repo, f"{where}.repo"),
        )


@dataclass(frozen=True, slots=True)
class Pull:
    """A pull request, as an event or ``GET /pulls/{n}`` describes it."""

    repo: str  # the base repository's full name: where the pull request lives
    number: int
    state: str  # "open" or "closed"
    merged: bool
    author: str | None
    head: Branch
    base: Branch
    labels: tuple[str, ...]
    maintainer_can_modify: bool
    html_url: str
    created_at: datetime | None = None  # when it was opened (GitHub's clock)

    @classmethod
    def from_json(cls, data: Any, where: str = "pull_request") -> Pull:
        base = Branch.from_json(obj(data, "base", where), f"{where}.base")
        if base.repo is None:
            raise PayloadError(f"{where}.base.repo: missing")
        labels = data.get("labels") or []
        if not isinstance(labels, list):
            raise PayloadError(f"{where}.labels: expected a list")
        return cls(
            repo=base.repo.full_name,
            number=integer(data, "number", where),
            state=text(data, "state", where),
            merged=bool(data.get("merged") or data.get("merged_at")),
            author=login_of(data.get("user")),
            head=Branch.from_json(obj(data, "head", where), f"{where}.head"),
            base=base,
            labels=tuple(
                label["name"]
                for label in labels
                if is_object(label) and isinstance(label.get("name"), str)
            ),
            maintainer_can_modify=data.get("maintainer_can_modify") is True,
            html_url=optional_text(data, "html_url", where) or "",
            created_at=timestamp(data, "created_at"),
        )

    @property
    def repository(self) -> Repository:
        assert self.base.repo is not None  # checked in from_json
        return self.base.repo

    @property
    def default_branch(self) -> str:
        return self.repository.default_branch

    @property
    def is_open(self) -> bool:
        return self.state == "open" and not self.merged

    @property
    def head_is_default_branch(self) -> bool:
        """The head is the base repository's default branch (e.g. a PR from ``main``)."""
        head_repo = self.head.repo
        same_repo = head_repo is not None and head_repo.full_name == self.repo
        return same_repo and self.head.ref == self.default_branch

    @property
    def from_same_repo(self) -> bool:
        return self.head.repo is not None and self.head.repo.full_name == self.repo


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    body: str
    author: str | None
    author_is_bot: bool
    html_url: str
    app_id: int | None  # the App that wrote it (``performed_via_github_app``), if any
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Any, where: str = "comment") -> Comment:
        user = data.get("user") if is_object(data) else None
        login = login_of(user)
        app = data.get("performed_via_github_app") if is_object(data) else None
        app_id = app.get("id") if is_object(app) else None
        return cls(
            id=integer(data, "id", where),
            body=optional_text(data, "body", where) or "",
            author=login,
            author_is_bot=(is_object(user) and user.get("type") == "Bot")
            or (login or "").endswith("[bot]"),
            html_url=optional_text(data, "html_url", where) or "",
            app_id=app_id if isinstance(app_id, int) else None,
            created_at=timestamp(data, "created_at"),
            updated_at=timestamp(data, "updated_at"),
        )


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue (or a pull request, as the issue listing shows it)."""

    number: int
    title: str
    body: str
    html_url: str
    author_is_bot: bool
    app_id: int | None  # the App that opened it (``performed_via_github_app``), if any
    is_pull: bool

    @classmethod
    def from_json(cls, data: Any, where: str = "issue") -> Issue:
        user = data.get("user") if isinstance(data, Mapping) else None
        app = data.get("performed_via_github_app") if isinstance(data, Mapping) else None
        app_id = app.get("id") if isinstance(app, Mapping) else None
        return cls(
            number=integer(data, "number", where),
            title=optional_text(data, "title", where) or "",
            body=optional_text(data, "body", where) or "",
            html_url=optional_text(data, "html_url", where) or "",
            author_is_bot=isinstance(user, Mapping) and user.get("type") == "Bot",
            app_id=app_id if isinstance(app_id, int) else None,
            is_pull=isinstance(data, Mapping) and data.get("pull_request") is not None,
        )


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who signed in: their GitHub login and numeric user id (the id never changes)."""

    login: str
    user_id: int
