"""The simulated GitHub's state, and the rules its routes and its scenario API share.

:class:`GitHub` holds what GitHub knows: the App (id, slug, key pair) and every other App
with its OAuth client, installations and their tokens, user access tokens, repositories,
teams, logins and the clock. The REST routes (``sandbox/routes``) read and change it through
the methods here; ``sandbox/server`` serves it over HTTP and ``sandbox/scenario`` is what
tests call to set a scene (``Simulator`` puts them together).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import sim_render
from sandbox.sim_patch import PatchLimits
from sandbox.sim_state import (
    ApiError,
    Clock,
    Comment,
    FileChange,
    Label,
    PullRequest,
    Repo,
    TeamMembership,
    diff_files,
)

TOKEN_LIFETIME = timedelta(hours=1)  # an installation token's
USER_TOKEN_LIFETIME = timedelta(hours=8)  # documented: expires_in 28800
USER_TOKEN_PREFIX = "ghu_"
REFRESH_TOKEN_PREFIX = "ghr_"
MAX_CALLBACK_URLS = 10  # documented: "You can specify up to 10 callback URLs"

RepoRef = Repo | str  # a repository, or its full name


@dataclass
class OAuthClient:
    """A GitHub App's OAuth credentials and its registered callback URLs."""

    app_id: int
    client_id: str
    client_secret: str = field(repr=False)
    callback_urls: list[str] = field(default_factory=list)
    name: str = ""


@dataclass
class PendingCode:
    """An OAuth code waiting for its exchange (sandbox/routes/oauth.py)."""

    client_id: str
    login: str
    redirect_uri: str
    issued: datetime


@dataclass
class UserToken:
    """An issued user access token: whose it is, for which App, until when."""

    login: str
    client_id: str
    expires: datetime


@dataclass
class PendingManifest:
    """A manifest the user confirmed, waiting for its code to be converted
    (sandbox/routes/manifests.py)."""

    manifest: dict[str, Any]
    owner: str
    owner_type: str  # "User" or "Organization"
    issued: datetime


class GitHub:
    """One simulated GitHub: its state and the rules that keep it consistent."""

    def __init__(self, *, app_id: str = "4242", app_slug: str = "rfc-bot") -> None:
        self.app_id = app_id
        self.app_slug = app_slug
        self.bot_login = f"{app_slug}[bot]"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_key = key.public_key()  # what App JWTs are checked with
        self.clock = Clock()
        self.base_url = ""  # the API root URL once served
        self.web_url = sim_render.HTML  # new repositories' web address (link_here: base_url)
        self.repos: dict[str, Repo] = {}  # lower-cased full name -> repo
        self.installations: dict[int, str] = {}  # installation id -> account login
        self.installed_at: dict[int, datetime] = {}
        self.suspended: dict[int, datetime] = {}  # installation id -> when it was suspended
        self.tokens: dict[str, tuple[int, datetime]] = {}
        # (org, team slug), lower-cased -> lower-cased login -> membership
        self.teams: dict[tuple[str, str], dict[str, TeamMembership]] = {}
        self.logins: dict[str, str] = {}  # lower-cased login -> as first written
        self._ids = itertools.count(1000)
        self.apps: dict[int, str] = {int(app_id): app_slug}  # every App known: id -> slug
        # The App-manifest flow: codes waiting for their conversion, and the login a user's
        # new App belongs to.
        self.manifest_codes: dict[str, PendingManifest] = {}
        self.manifest_user = "mona"
        # The OAuth web flow: every App's client credentials (client id -> client), codes
        # waiting for their exchange, issued user access tokens.
        self.oauth_clients: dict[str, OAuthClient] = {}
        self.oauth_codes: dict[str, PendingCode] = {}
        self.user_tokens: dict[str, UserToken] = {}
        self.add_oauth_client(int(app_id), app_slug, f"Iv1.{int(app_id):016x}")
        # GitHub's limits on a file's `patch` in file listings (tests lower them).
        self.patch_limits = PatchLimits()

    # ------------------------------------------------------------ lookups

    def next_id(self) -> int:
        return next(self._ids)

    def find_repo(self, full_name: str) -> Repo | None:
        return self.repos.get(full_name.lower())

    def login_of(self, user: str) -> str:
        """The login as first written to the simulator (GitHub keeps a login's case)."""
        return self.logins.get(user.lower(), user)

    def _repo(self, repo: RepoRef) -> Repo:
        name = repo if isinstance(repo, str) else repo.full_name
        found = self.find_repo(name)
        if found is None:
            raise KeyError(f"no repository {name} in the simulator")
        return found

    @staticmethod
    def _pull(repo: Repo, number: int) -> PullRequest:
        if number not in repo.pulls:
            raise KeyError(f"no pull request #{number} in {repo.full_name}")
        return repo.pulls[number]

    # ------------------------------------------------------------ repositories

    @staticmethod
    def merge_base(repo: Repo, pr: PullRequest) -> str | None:
        base_head = repo.branches.get(pr.base_ref)
        if base_head is None:
            return None
        return repo.objects.merge_base(base_head, pr.current_head())

    def pull_changes(self, repo: Repo, pr: PullRequest) -> list[FileChange]:
        """The PR's files: its head against the merge base with its base branch."""
        base = pr.merge_base_sha or self.merge_base(repo, pr)
        old = repo.objects.files_at(base) if base else {}
        head = repo.objects.files_at(pr.current_head())
        return diff_files(repo.objects, old, head, self.patch_limits)

    def check_push_allowed(
        self, repo: Repo, branch: str, installation_id: int | None, *, via: str
    ) -> None:
        """Raise GitHub's error when the App may not move ``branch`` of ``repo``."""
        if repo.installation_id is not None and repo.installation_id == installation_id:
            if branch in repo.protected:
                raise protected_branch_refusal(branch, via)
            return
        parent = repo.fork_of
        allowed = (
            parent is not None
            and parent.installation_id == installation_id
            and any(
                pr.head_repo is repo
                and pr.head_ref == branch
                and pr.state == "open"
                and pr.maintainer_can_modify
                for pr in parent.pulls.values()
            )
        )
        if not allowed:
            raise ApiError(403, "Resource not accessible by integration")

    def add_label(self, repo: Repo, name: str, color: str, description: str | None) -> Label:
        label = Label(self.next_id(), name, color, description)
        repo.labels[name.lower()] = label
        return label

    def add_comment_object(
        self,
        repo: Repo,
        number: int,
        user: str,
        body: str,
        user_type: str,
        app_id: int | None = None,
    ) -> Comment:
        moment = self.clock.now()
        comment = Comment(self.next_id(), number, user, user_type, body, moment, moment)
        comment.app_id = app_id
        repo.comments[comment.id] = comment
        repo.pulls[number].touch(moment)
        return comment

    def comment_json(self, repo: Repo, comment: Comment) -> dict[str, Any]:
        via = None if comment.app_id is None else self.app_json(comment.app_id)
        association = sim_render.association(repo, comment.user)
        return sim_render.comment_json(repo, comment, self.base_url, association, via)

    # ------------------------------------------------------------ Apps and their credentials

    def app_json(self, app_id: int | None = None) -> dict[str, Any]:
        """An App as GitHub renders it (``app`` on check runs, ``performed_via_github_app``
        on comments); default: the simulated App itself."""
        app_id = int(self.app_id) if app_id is None else app_id
        if app_id != int(self.app_id):
            return sim_render.foreign_app_json(app_id, self.apps[app_id])
        return {
            "id": int(self.app_id),
            "slug": self.app_slug,
            "client_id": f"Iv1.{int(self.app_id):016x}",
            "node_id": f"A_{self.app_id}",
            "name": self.app_slug,
            "owner": {"login": "octo-org", "id": 1, "type": "Organization"},
            "description": "Governs RFC pull requests",
            "external_url": "https://example.org",
            "html_url": f"https://github.com/apps/{self.app_slug}",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "permissions": self.app_permissions(),
            "events": ["pull_request", "issue_comment", "check_run", "check_suite"],
        }

    @staticmethod
    def app_permissions() -> dict[str, str]:
        return {
            "checks": "write",
            "contents": "write",
            "issues": "write",
            "pull_requests": "write",
            "metadata": "read",
            "members": "read",
        }

    def issue_token(self, installation_id: int) -> tuple[str, datetime]:
        token = "ghs_" + secrets.token_urlsafe(27)
        expires = self.clock.now() + TOKEN_LIFETIME
        self.tokens[token] = (installation_id, expires)
        return token, expires

    def register_app(self, slug: str, *, callback_urls: Sequence[str] = ()) -> int:
        """Another GitHub App (e.g. a CI) known to the simulator; returns its id. It gets
        OAuth client credentials too (``oauth_client(app_id)``)."""
        app_id = self.next_id()
        self.apps[app_id] = slug
        client = self.add_oauth_client(app_id, slug, f"Iv1.{secrets.token_hex(8)}")
        self.set_callback_urls(list(callback_urls), app_id=app_id)
        assert client.app_id == app_id
        return app_id

    def oauth_client(self, app_id: int | None = None) -> OAuthClient:
        wanted = int(self.app_id) if app_id is None else app_id
        for client in self.oauth_clients.values():
            if client.app_id == wanted:
                return client
        raise KeyError(f"no App {wanted} in the simulator")

    def set_callback_urls(self, urls: Sequence[str], *, app_id: int | None = None) -> None:
        """The App's "Callback URL" settings (at most 10; the first is the default)."""
        if len(urls) > MAX_CALLBACK_URLS:
            raise ValueError("GitHub keeps at most 10 callback URLs")
        self.oauth_client(app_id).callback_urls = list(urls)

    def add_oauth_client(self, app_id: int, name: str, client_id: str) -> OAuthClient:
        client = OAuthClient(app_id, client_id, secrets.token_hex(20), [], name)
        self.oauth_clients[client_id] = client
        return client

    def issue_user_token(self, login: str, client_id: str) -> tuple[str, str]:
        """A user access token (8 hours) and a refresh token for ``login``."""
        token = USER_TOKEN_PREFIX + secrets.token_urlsafe(27)
        refresh = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(57)
        expires = self.clock.now() + USER_TOKEN_LIFETIME
        self.user_tokens[token] = UserToken(self.login_of(login), client_id, expires)
        return token, refresh


def protected_branch_refusal(branch: str, via: str) -> ApiError:
    """GitHub's answer to a write onto a protected branch (one that requires pull requests).

    The contents API answers 409 "Could not update file: <rule>" (observed; its docs list
    409 Conflict); a ref update answers 422 (its docs list 422) naming the branch, as the
    git protocol's GH006 error does. See docs/simulator.md.
    """
    if via == "contents":
        return ApiError(409, "Could not update file: Changes must be made through a pull request.")
    return ApiError(422, f"Protected branch update failed for refs/heads/{branch}.")
