"""An in-memory GitHub for end-to-end tests, benchmarks and the demo.

``Simulator`` is an aiohttp server on loopback that answers the REST operations the App
uses with GitHub's semantics and error shapes, checks every request against GitHub's
official OpenAPI description (``sim.violations``) and builds webhook payloads from real
examples whose fields match its state. See docs/simulator.md.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import (  # noqa: F401
    sim_events,
    sim_render,
    sim_routes,
    sim_routes_listing,
    sim_routes_manifest,
    sim_routes_oauth,
    sim_routes_roster,
)
from sandbox.openapi.contract import NO_BODY, Contract, Operation
from sandbox.server.faults import (
    RANDOM_KINDS,
    Fault,
    Faults,
    Injection,
    RandomFaults,
    RandomKind,
    drop_connection,
    status_response,
)
from sandbox.server.limits import (
    ANONYMOUS,
    RATE_LIMIT_DOCS,
    Payer,
    RateLimits,
    Usage,
    etag,
    matches,
)
from sandbox.sim_routes import HANDLERS, Call, Reply
from sandbox.sim_routes_oauth import (
    REFRESH_TOKEN_PREFIX,
    USER_TOKEN_LIFETIME,
    USER_TOKEN_PREFIX,
    OAuthClient,
    PendingCode,
    UserToken,
)
from sandbox.sim_state import (
    ApiError,
    CheckRun,
    Clock,
    Comment,
    FileChange,
    Label,
    ObjectStore,
    PullRequest,
    Reaction,
    Repo,
    Review,
    TeamMembership,
    diff_files,
)

DOCS = "https://docs.github.com/rest"
TOKEN_LIFETIME = timedelta(hours=1)
JWT_MAX_LIFETIME = 600
JWT_CLOCK_SKEW = 60
PERMISSION_NAMES = ("read", "triage", "write", "maintain", "admin")
USER_PATHS = frozenset({"/user"})  # the only REST paths a user access token may call
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED")
TEAM_ROLES = ("member", "maintainer")
TEAM_STATES = ("active", "pending")

RepoRef = Repo | str
BeforeCallback = Callable[["Simulator"], Awaitable[None] | None]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0  # 0: no answer (an injected reset or timeout)
    operation_id: str | None = None
    fault: str | None = None  # the injected fault's label, if one fired


@dataclass
class _Before:
    method: str
    pattern: re.Pattern[str]
    times: int
    callback: BeforeCallback

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and self.pattern.search(path) is not None
        )


class Simulator:
    def __init__(
        self, *, app_id: str = "4242", app_slug: str = "rfc-bot", rate_limit: int = 5000
    ) -> None:
        self.app_id = app_id
        self.app_slug = app_slug
        self.bot_login = f"{app_slug}[bot]"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self._public_key = key.public_key()
        self.contract = Contract.load()
        self.clock = Clock()
        self.repos: dict[str, Repo] = {}  # lower-cased full name -> repo
        self.installations: dict[int, str] = {}  # installation id -> account login
        self.installed_at: dict[int, datetime] = {}
        self.tokens: dict[str, tuple[int, datetime]] = {}
        # (org, team slug), lower-cased -> lower-cased login -> membership
        self.teams: dict[tuple[str, str], dict[str, TeamMembership]] = {}
        self.logins: dict[str, str] = {}  # lower-cased login -> as first written
        self.latency = 0.0
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.base_url = ""
        self._ids = itertools.count(1000)
        self.faults = Faults()
        self.rate_limits = RateLimits(self.clock, rate_limit)
        self.apps: dict[int, str] = {int(app_id): app_slug}  # every App known: id -> slug
        self._befores: list[_Before] = []
        # The App-manifest flow (sandbox/sim_routes_manifest.py): codes waiting for their
        # conversion, and the login a user's new App belongs to.
        self.manifest_codes: dict[str, sim_routes_manifest.PendingManifest] = {}
        self.manifest_user = "mona"
        # The OAuth web flow (sandbox/sim_routes_oauth.py): every App's client credentials
        # (client id -> client), codes waiting for their exchange, issued user access tokens.
        self.oauth_clients: dict[str, OAuthClient] = {}
        self.oauth_codes: dict[str, PendingCode] = {}
        self.user_tokens: dict[str, UserToken] = {}
        self._add_oauth_client(int(app_id), app_slug, f"Iv1.{int(app_id):016x}")
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ server lifecycle

    async def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; returns the API base URL."""
        self.faults.stopping.clear()
        app = web.Application(client_max_size=16 * 1024 * 1024)
        form = partial(sim_routes_manifest.new_app_form, self)
        app.router.add_post("/settings/apps/new", form)
        app.router.add_post("/organizations/{org}/settings/apps/new", form)
        app.router.add_get("/login/oauth/authorize", partial(sim_routes_oauth.authorize_get, self))
        app.router.add_post(
            "/login/oauth/authorize", partial(sim_routes_oauth.authorize_post, self)
        )
        app.router.add_post(
            "/login/oauth/access_token", partial(sim_routes_oauth.access_token, self)
        )
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.faults.stopping.set()  # hung requests give up at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------ test-facing API: setup

    def create_repo(
        self,
        full_name: str,
        files: dict[str, str] | None = None,
        *,
        default_branch: str = "main",
        owner_type: str = "Organization",
        private: bool = False,
    ) -> Repo:
        """A repository covered by the App. ``private``: a user with no explicit
        permission has none (on a public one, everyone may read)."""
        owner, name = full_name.split("/")
        if full_name.lower() in self.repos:
            raise ValueError(f"repository {full_name} already exists")
        repo = Repo(
            self.next_id(),
            owner,
            name,
            owner_type,
            default_branch,
            self._installation_for(owner),
            ObjectStore(clock=self.clock),
            private=private,
        )
        repo.commit(default_branch, dict(files or {}), "Initial commit", owner)
        self.repos[full_name.lower()] = repo
        return repo

    def commit(
        self,
        repo: RepoRef,
        branch: str,
        files: Mapping[str, str | None],
        message: str = "Update files",
        author: str = "alice",
    ) -> str:
        return self._repo(repo).commit(branch, dict(files), message, author)

    def open_pull_request(
        self,
        repo: RepoRef,
        head: str,
        files: Mapping[str, str | None] | None = None,
        author: str = "alice",
        title: str = "Add an RFC",
        base: str | None = None,
        body: str = "",
        draft: bool = False,
        *,
        fork: bool = False,
        maintainer_can_modify: bool = False,
    ) -> PullRequest:
        """Open a pull request from ``head`` (committing ``files`` there first) into
        ``base`` (default: the default branch). Any branch may be the head, the default
        branch included (``head="main", base="old"``), as on GitHub. ``fork``: the head
        lives in the author's fork, see :meth:`make_fork_pr`."""
        target = self._repo(repo)
        base = base or target.default_branch
        if files:
            target.commit(head, files, title, author)
        if head not in target.branches:
            raise ValueError(f"branch {head} does not exist and no files were given")
        if head == base:
            raise ValueError(f"head and base are both {base}: no commits between them")
        moment = self.clock.now()
        pr = PullRequest(
            target.take_number(),
            self.next_id(),
            title,
            body,
            author,
            base,
            head,
            target,
            target.branches[head],
            moment,
            moment,
            draft=draft,
            maintainer_can_modify=False,
        )
        target.pulls[pr.number] = pr
        if fork:
            self.make_fork_pr(target, pr.number, maintainer_can_modify=maintainer_can_modify)
        return pr

    def create_branch(self, repo: RepoRef, name: str, from_ref: str | None = None) -> str:
        """A new branch at ``from_ref`` (a branch or sha; default: the default branch)."""
        target = self._repo(repo)
        if name in target.branches:
            raise ValueError(f"branch {name} already exists")
        sha = target.resolve(from_ref or target.default_branch)
        target.branches[name] = sha
        return sha

    def merge_pull_request(self, repo: RepoRef, number: int, *, merged_by: str = "mona") -> str:
        """Squash the PR's changes onto its base as one commit; the PR becomes merged."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        if pr.state != "open":
            raise ValueError(f"pull request #{number} is not open")
        changes = self.pull_changes(target, pr)
        head_files = target.objects.files_at(pr.current_head())
        pr.merge_base_sha = self.merge_base(target, pr)
        edits: dict[str, str | bytes | None] = {}
        for change in changes:
            if change.previous_filename:
                edits[change.previous_filename] = None
            edits[change.filename] = (
                None
                if change.status == "removed"
                else target.objects.blobs[head_files[change.filename]]
            )
        sha = target.commit(pr.base_ref, edits, f"{pr.title} (#{pr.number})", merged_by)
        moment = self.clock.now()
        pr.state, pr.merged, pr.merged_at, pr.closed_at = "closed", True, moment, moment
        pr.merged_by, pr.merge_commit_sha = merged_by, sha
        pr.touch(moment)
        return sha

    def close_pull_request(self, repo: RepoRef, number: int) -> None:
        pr = self._pull(self._repo(repo), number)
        pr.current_head()
        pr.state, pr.closed_at = "closed", self.clock.now()
        pr.touch(pr.closed_at)

    def set_permission(self, repo: RepoRef, user: str, permission: str) -> None:
        if permission not in PERMISSION_NAMES:
            raise ValueError(f"permission must be one of {PERMISSION_NAMES}")
        self._repo(repo).permissions[user.lower()] = permission
        self.logins.setdefault(user.lower(), user)

    def remove_permission(self, repo: RepoRef, user: str) -> None:
        """``user`` is no longer a collaborator (as if removed on github.com)."""
        self._repo(repo).permissions.pop(user.lower(), None)

    def add_team_member(
        self,
        org: str,
        team_slug: str,
        user: str,
        *,
        role: str = "member",
        state: str = "active",
    ) -> None:
        """``user`` joins the team (``state="pending"``: invited, not yet accepted); a second
        call for the same user replaces the role and state. An unknown team is created."""
        if role not in TEAM_ROLES:
            raise ValueError(f"team role must be one of {TEAM_ROLES}")
        if state not in TEAM_STATES:
            raise ValueError(f"membership state must be one of {TEAM_STATES}")
        self.logins.setdefault(user.lower(), user)
        members = self.teams.setdefault((org.lower(), team_slug.lower()), {})
        members[user.lower()] = TeamMembership(self.login_of(user), role, state)

    def remove_team_member(self, org: str, team_slug: str, user: str) -> None:
        self.teams.get((org.lower(), team_slug.lower()), {}).pop(user.lower(), None)

    def login_of(self, user: str) -> str:
        """The login as first written to the simulator (GitHub keeps a login's case)."""
        return self.logins.get(user.lower(), user)

    def protect_branch(self, repo: RepoRef, branch: str) -> None:
        self._repo(repo).protected.add(branch)

    def make_fork_pr(
        self, repo: RepoRef, number: int, *, maintainer_can_modify: bool = False
    ) -> Repo:
        """Move the PR's head into a fork owned by its author (not covered by the App)."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        fork_name = f"{pr.user}/{target.name}"
        fork = self.repos.get(fork_name.lower())
        if fork is None:
            fork = Repo(
                self.next_id(),
                pr.user,
                target.name,
                "User",
                target.default_branch,
                None,
                target.objects,
                fork_of=target,
            )
            fork.branches[target.default_branch] = target.branches[target.default_branch]
            self.repos[fork_name.lower()] = fork
        fork.branches[pr.head_ref] = pr.current_head()
        target.branches.pop(pr.head_ref, None)
        pr.head_repo, pr.maintainer_can_modify = fork, maintainer_can_modify
        return fork

    def add_comment(
        self, repo: RepoRef, number: int, user: str, body: str, user_type: str = "User"
    ) -> dict[str, Any]:
        """A comment by a person (as if posted on github.com, so not through an App:
        ``performed_via_github_app`` is null); returns its GitHub JSON."""
        target = self._repo(repo)
        self._pull(target, number)
        comment = self.add_comment_object(target, number, user, body, user_type)
        return self.comment_json(target, comment)

    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> dict[str, Any]:
        target = self._repo(repo)
        comment = target.comments[comment_id]
        comment.body, comment.updated_at = body, self.clock.now()
        return self.comment_json(target, comment)

    def add_reaction(self, repo: RepoRef, comment_id: int, user: str, content: str) -> int:
        """A person reacts to a comment (as on github.com); returns the reaction id."""
        if content not in sim_routes.REACTIONS:
            raise ValueError(f"reaction must be one of {sim_routes.REACTIONS}")
        comment = self._repo(repo).comments[comment_id]
        reaction = Reaction(self.next_id(), user, "User", content, self.clock.now())
        comment.reactions.append(reaction)
        return reaction.id

    def submit_review(
        self, repo: RepoRef, number: int, user: str, state: str, body: str = ""
    ) -> Review:
        """A person submits a review on the PR's current head: APPROVED,
        CHANGES_REQUESTED or COMMENTED (GitHub requires a body for the last two)."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        if state not in REVIEW_STATES:
            raise ValueError(f"review state must be one of {REVIEW_STATES}")
        if state != "APPROVED" and not body:
            raise ValueError(f"a {state} review needs a body")
        if user.lower() == pr.user.lower() and state != "COMMENTED":
            raise ValueError("GitHub does not let authors approve or block their own PR")
        moment = self.clock.now()
        review = Review(self.next_id(), number, user, state, body, pr.current_head(), moment)
        target.reviews[review.id] = review
        pr.touch(moment)
        return review

    def dismiss_review(
        self, repo: RepoRef, review_id: int, message: str, *, by: str = "mona"
    ) -> Review:
        """``by`` (someone with write access, on github.com) dismisses an APPROVED or
        CHANGES_REQUESTED review: its state becomes DISMISSED. GitHub refuses to dismiss a
        comment review, and a dismissal needs a message."""
        target = self._repo(repo)
        review = target.reviews[review_id]
        if review.state not in ("APPROVED", "CHANGES_REQUESTED"):
            raise ValueError(f"GitHub cannot dismiss a {review.state} review")
        if not message:
            raise ValueError("a dismissal needs a message")
        review.state, review.dismissed_by, review.dismissal_message = "DISMISSED", by, message
        self._pull(target, review.pull_number).touch(self.clock.now())
        return review

    def register_app(self, slug: str, *, callback_urls: Sequence[str] = ()) -> int:
        """Another GitHub App (e.g. a CI) known to the simulator; returns its id. It gets
        OAuth client credentials too (``oauth_client(app_id)``)."""
        app_id = self.next_id()
        self.apps[app_id] = slug
        client = self._add_oauth_client(app_id, slug, f"Iv1.{secrets.token_hex(8)}")
        self.set_callback_urls(list(callback_urls), app_id=app_id)
        assert client.app_id == app_id
        return app_id

    # ------------------------------------------------------------ test-facing API: OAuth

    @property
    def client_id(self) -> str:
        """The simulated App's OAuth client id (``GITHUB_CLIENT_ID``)."""
        return self.oauth_client().client_id

    @property
    def client_secret(self) -> str:
        """The simulated App's OAuth client secret (``GITHUB_CLIENT_SECRET``)."""
        return self.oauth_client().client_secret

    def oauth_client(self, app_id: int | None = None) -> OAuthClient:
        wanted = int(self.app_id) if app_id is None else app_id
        for client in self.oauth_clients.values():
            if client.app_id == wanted:
                return client
        raise KeyError(f"no App {wanted} in the simulator")

    def set_callback_urls(self, urls: Sequence[str], *, app_id: int | None = None) -> None:
        """The App's "Callback URL" settings (at most 10; the first is the default)."""
        if len(urls) > sim_routes_oauth.MAX_CALLBACK_URLS:
            raise ValueError("GitHub keeps at most 10 callback URLs")
        self.oauth_client(app_id).callback_urls = list(urls)

    def authorize(
        self,
        login: str,
        client_id: str | None = None,
        redirect_uri: str | None = None,
        state: str | None = None,
    ) -> str:
        """``login`` signs in and authorizes the App (the page's form, without a browser);
        returns the one-time code. Raises ``AuthorizeRefused`` where GitHub shows an
        error page instead of redirecting."""
        location = sim_routes_oauth.authorize(
            self, login, client_id or self.client_id, redirect_uri, state
        )
        return dict(parse_qsl(urlsplit(location).query))["code"]

    def issue_user_token(self, login: str, client_id: str) -> tuple[str, str]:
        """A user access token (8 hours) and a refresh token for ``login``."""
        token = USER_TOKEN_PREFIX + secrets.token_urlsafe(27)
        refresh = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(57)
        expires = self.clock.now() + USER_TOKEN_LIFETIME
        self.user_tokens[token] = UserToken(self.login_of(login), client_id, expires)
        return token, refresh

    def expire_user_tokens(self) -> None:
        """Make every issued user access token expired."""
        expired = self.clock.now() - timedelta(seconds=1)
        for token in self.user_tokens.values():
            token.expires = expired

    def _add_oauth_client(self, app_id: int, name: str, client_id: str) -> OAuthClient:
        client = OAuthClient(app_id, client_id, secrets.token_hex(20), [], name)
        self.oauth_clients[client_id] = client
        return client

    def add_check_run(
        self,
        repo: RepoRef,
        head_sha: str,
        name: str,
        *,
        app_id: int,
        status: str = "completed",
        conclusion: str | None = "success",
        external_id: str | None = None,
    ) -> int:
        """A check run made by another App (see :meth:`register_app`); returns its id."""
        target = self._repo(repo)
        if app_id not in self.apps:
            raise ValueError(f"no App {app_id}: register it first")
        sha = target.resolve(head_sha)
        suite = target.check_suites.setdefault(sha, self.next_id())
        moment = self.clock.now()
        done = status == "completed"
        run = CheckRun(
            self.next_id(),
            name,
            sha,
            status,
            conclusion if done else None,
            moment,
            moment if done else None,
            {},
            external_id,
            None,
            suite,
            app_id,
        )
        target.check_runs[run.id] = run
        return run.id

    # ------------------------------------------------------------ test-facing API: faults

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        applied: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead (GitHub's
        error body unless ``body`` is given). ``applied``: GitHub carries the request out
        first (a write lands) and still answers ``status``."""
        fault = Fault(status=status, headers=dict(headers or {}), body=body, applied=applied)
        self._inject(method, path_regex, times, fault)

    def reset_connection(
        self, method: str, path_regex: str, *, times: int = 1, applied: bool = False
    ) -> None:
        """Drop the connection of the next matching requests with a TCP reset, no answer."""
        self._inject(method, path_regex, times, Fault(kind="reset", applied=applied))

    def time_out(
        self,
        method: str,
        path_regex: str,
        *,
        times: int = 1,
        hang: float = 30.0,
        applied: bool = False,
    ) -> None:
        """Give the next matching requests no answer: the connection stays silent until
        the client gives up (or ``hang`` seconds pass, or the simulator stops)."""
        self._inject(method, path_regex, times, Fault(kind="timeout", hang=hang, applied=applied))

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int,
        kinds: tuple[RandomKind, ...] = RANDOM_KINDS,
        method: str = "*",
        path_regex: str = "",
        retry_after: int = 1,
        hang: float = 30.0,
    ) -> None:
        """Fail each matching request with probability ``rate``, drawing the fault from
        ``kinds`` ("502", "502-applied", "reset", "timeout", "secondary", "429") with a
        seeded generator. Injections set with ``fail`` and friends take precedence.
        ``rate=0`` turns it off; ``sim.faults.fired`` tallies what fired."""
        self.faults.random = RandomFaults(
            rate,
            seed,
            tuple(kinds),
            method.upper(),
            re.compile(path_regex),
            retry_after,
            hang,
        )

    def _inject(self, method: str, path_regex: str, times: int, fault: Fault) -> None:
        self.faults.injections.append(
            Injection(method.upper(), re.compile(path_regex), times, fault)
        )

    def before(
        self, method: str, path_regex: str, callback: BeforeCallback, *, times: int = 1
    ) -> None:
        """Run ``callback(sim)`` (sync or async) before handling matching requests."""
        self._befores.append(_Before(method.upper(), re.compile(path_regex), times, callback))

    # ------------------------------------------------------------ test-facing API: rate limit

    def api_usage(self, installation: int | RepoRef) -> Usage:
        """The primary rate-limit budget of an installation (or of a repository's):
        requests counted, 304s answered for free, limit, remaining and reset time."""
        return self.rate_limits.usage(("installation", self._installation_id(installation)))

    def set_rate_remaining(self, installation: int | RepoRef, remaining: int) -> None:
        """Spend an installation's budget down to ``remaining`` in the current window."""
        budget = self.rate_limits.budget(("installation", self._installation_id(installation)))
        budget.used = max(0, budget.limit - remaining)

    def _installation_id(self, installation: int | RepoRef) -> int:
        if isinstance(installation, int):
            return installation
        found = self._repo(installation).installation_id
        if found is None:
            raise ValueError("that repository is not covered by the App")
        return found

    # ------------------------------------------------------------ test-facing API: reading

    def file(self, repo: RepoRef, path: str, ref: str = "main") -> str | None:
        target = self._repo(repo)
        sha = target.objects.files_at(target.resolve(ref)).get(path)
        return None if sha is None else target.objects.blobs[sha].decode("utf-8", "replace")

    def tree(self, repo: RepoRef, ref: str = "main") -> dict[str, str]:
        target = self._repo(repo)
        files = target.objects.files_at(target.resolve(ref))
        return {p: target.objects.blobs[s].decode("utf-8", "replace") for p, s in files.items()}

    def head(self, repo: RepoRef, branch: str) -> str:
        return self._repo(repo).branches[branch]

    def commit_message(self, repo: RepoRef, sha: str) -> str:
        return self._repo(repo).objects.commits[sha].message

    def pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        return self._pull(self._repo(repo), number)

    def check_runs(self, repo: RepoRef, head_sha: str | None = None) -> list[dict[str, Any]]:
        target = self._repo(repo)
        return [
            {
                **sim_render.check_run_json(target, run, self.base_url, self.app_json(run.app_id)),
                "annotations": [dict(a) for a in run.annotations],
            }
            for run in sorted(target.check_runs.values(), key=lambda r: r.id)
            if head_sha is None or run.head_sha == head_sha
        ]

    def pr_labels(self, repo: RepoRef, number: int) -> list[str]:
        return list(self._pull(self._repo(repo), number).labels)

    def repo_labels(self, repo: RepoRef) -> dict[str, dict[str, Any]]:
        return {
            label.name: {"color": label.color, "description": label.description}
            for label in self._repo(repo).labels.values()
        }

    def comments(self, repo: RepoRef, number: int) -> list[dict[str, Any]]:
        target = self._repo(repo)
        return [
            self.comment_json(target, c)
            for c in sorted(target.comments.values(), key=lambda c: c.id)
            if c.issue_number == number
        ]

    def reactions(self, repo: RepoRef, comment_id: int) -> list[str]:
        return [r.content for r in self._repo(repo).comments[comment_id].reactions]

    # ------------------------------------------------------------ webhook payloads

    def event_pull_request(
        self, repo: RepoRef, number: int, action: str, **extra: Any
    ) -> dict[str, Any]:
        return sim_events.pull_request(self, self._repo(repo), number, action, extra)

    def event_issue_comment(
        self,
        repo: RepoRef,
        number: int,
        comment: dict[str, Any],
        action: str = "created",
        changes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return sim_events.issue_comment(self, self._repo(repo), number, comment, action, changes)

    def event_pull_request_review(
        self,
        repo: RepoRef,
        number: int,
        review: Review,
        action: str = "submitted",
        changes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A ``pull_request_review`` payload (``submitted``, ``edited`` or ``dismissed``)
        for a review made by ``submit_review`` (and ``dismiss_review``)."""
        return sim_events.pull_request_review(
            self, self._repo(repo), number, review, action, changes
        )

    def event_check_run(
        self, repo: RepoRef, check_run_id: int, action: str = "rerequested"
    ) -> dict[str, Any]:
        return sim_events.check_run(self, self._repo(repo), check_run_id, action)

    def event_check_suite(
        self, repo: RepoRef, head_sha: str, action: str = "rerequested"
    ) -> dict[str, Any]:
        return sim_events.check_suite(self, self._repo(repo), head_sha, action)

    def event_installation(self, action: str = "created") -> dict[str, Any]:
        return sim_events.installation(self, action)

    # ------------------------------------------------------------ used by the handlers

    def next_id(self) -> int:
        return next(self._ids)

    def find_repo(self, full_name: str) -> Repo | None:
        return self.repos.get(full_name.lower())

    def comment_json(self, repo: Repo, comment: Comment) -> dict[str, Any]:
        via = None if comment.app_id is None else self.app_json(comment.app_id)
        association = sim_render.association(repo, comment.user)
        return sim_render.comment_json(repo, comment, self.base_url, association, via)

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

    def expire_tokens(self) -> None:
        """Make every issued installation token expired (to test token refresh)."""
        expired = self.clock.now() - timedelta(seconds=1)
        self.tokens = {t: (i, expired) for t, (i, _) in self.tokens.items()}

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

    def pull_changes(self, repo: Repo, pr: PullRequest) -> list[FileChange]:
        """The PR's files: its head against the merge base with its base branch."""
        base = pr.merge_base_sha or self.merge_base(repo, pr)
        old = repo.objects.files_at(base) if base else {}
        return diff_files(repo.objects, old, repo.objects.files_at(pr.current_head()))

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

    # ------------------------------------------------------------ internals

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

    @staticmethod
    def merge_base(repo: Repo, pr: PullRequest) -> str | None:
        base_head = repo.branches.get(pr.base_ref)
        if base_head is None:
            return None
        return repo.objects.merge_base(base_head, pr.current_head())

    def _installation_for(self, owner: str) -> int:
        for installation_id, account in self.installations.items():
            if account.lower() == owner.lower():
                return installation_id
        installation_id = self.next_id()
        self.installations[installation_id] = owner
        self.installed_at[installation_id] = self.clock.now()
        return installation_id

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.raw_path.split("?", 1)[0]
        query = dict(request.query)
        raw = await request.read()
        body = self._parse_body(raw)
        record = RecordedRequest(request.method, path, query, None if body is NO_BODY else body)
        self.requests.append(record)
        problems = self.contract.check(request.method, path, query, body)
        problems += self._header_problems(request, path)
        self.violations.extend(problems)
        operation = self.contract.match(request.method, path)
        record.operation_id = operation.operation_id if operation else None
        if self.latency:
            await asyncio.sleep(self.latency)
        await self._run_befores(request.method, path)
        fault = self.faults.take(request.method, path)
        if fault is not None:
            record.fault = fault.label
        if fault is None or fault.applied:
            answer = self._answer(request, path, query, body, operation, problems)
            record.status = answer.status
            if fault is None:
                return answer
        assert fault is not None
        if fault.kind == "status":
            response = status_response(fault, self.rate_limits.headers(self._payer(request, path)))
            record.status = response.status
            return response
        record.status = 0
        await drop_connection(request, fault, self.faults.stopping)
        return web.Response(status=499)  # never sent: the connection is gone

    def _answer(
        self,
        request: web.Request,
        path: str,
        query: dict[str, str],
        body: Any,
        operation: Operation | None,
        problems: list[str],
    ) -> web.Response:
        """GitHub's answer: authenticate, charge the rate limit, handle, make conditional."""
        payer = self._payer(request, path)
        try:
            if operation is None or operation.operation_id not in HANDLERS:
                raise ApiError(404, "Not Found")
            if body is _INVALID_JSON:
                raise ApiError(400, "Problems parsing JSON")
            installation_id = self._authenticate(request, path)
            if self.rate_limits.exhausted(payer):
                return self._rate_limited(payer)
            if any("request body" in p for p in problems):
                raise ApiError(422, "Invalid request.\n\n" + "\n".join(problems))
            call = Call(
                request.method,
                operation.path_params(path) or {},
                query,
                None if body is NO_BODY else body,
                self.base_url,
                request.url,
                installation_id,
                self._user_of(request) if path in USER_PATHS else None,
            )
            reply = HANDLERS[operation.operation_id](self, call)
        except ApiError as error:
            response = error_response(error)
        else:
            if request.method == "GET" and reply.status == 200:
                tag = etag(reply.body, reply.headers.get("Link"))
                if matches(request.headers.get("If-None-Match"), tag):
                    return self._not_modified(payer, tag)
                reply.headers["ETag"] = tag
            response = json_response(reply)
        self.rate_limits.spend(payer)
        response.headers.update(self.rate_limits.headers(payer))
        return response

    def _not_modified(self, payer: Payer, tag: str) -> web.Response:
        # A 304 to a conditional request does not count against the primary rate limit.
        self.rate_limits.record_not_modified(payer)
        return web.Response(status=304, headers={"ETag": tag, **self.rate_limits.headers(payer)})

    def _rate_limited(self, payer: Payer) -> web.Response:
        body = {
            "message": self.rate_limits.exceeded_message(payer),
            "documentation_url": RATE_LIMIT_DOCS,
        }
        return web.json_response(body, status=403, headers=self.rate_limits.headers(payer))

    def _payer(self, request: web.Request, path: str) -> Payer:
        """Whose primary rate limit the request spends: its installation, the App, or the
        anonymous budget when it does not authenticate."""
        if path.startswith("/app-manifests/"):
            return ANONYMOUS
        try:
            installation_id = self._authenticate(request, path)
        except ApiError:
            return ANONYMOUS
        if path in USER_PATHS:  # a user access token spends the user's own budget
            return ("user", self._user_of(request) or "")
        if installation_id is None:
            return ("app", int(self.app_id))
        return ("installation", installation_id)

    @staticmethod
    def _parse_body(raw: bytes) -> Any:
        if not raw.strip():
            return NO_BODY
        try:
            return json.loads(raw)
        except ValueError:
            return _INVALID_JSON

    @staticmethod
    def _header_problems(request: web.Request, path: str) -> list[str]:
        where = f"{request.method} {path}"
        problems = []
        if not request.headers.get("User-Agent"):
            problems.append(f"{where}: no User-Agent header (GitHub rejects such requests)")
        if not request.headers.get("X-GitHub-Api-Version"):
            problems.append(f"{where}: no X-GitHub-Api-Version header")
        return problems

    async def _run_befores(self, method: str, path: str) -> None:
        for hook in self._befores:
            if hook.matches(method, path) and hook.callback is not None:
                hook.times -= 1
                result = hook.callback(self)
                if inspect.isawaitable(result):
                    await result

    def _authenticate(self, request: web.Request, path: str) -> int | None:
        """The installation the request acts for (None for the App itself, via its JWT)."""
        if path.startswith("/app-manifests/"):
            return None  # the code is the credential: no authentication
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if not credential:
            raise ApiError(401, "Requires authentication")
        if path.startswith("/app"):
            if scheme.lower() != "bearer":
                raise ApiError(401, "A JSON web token could not be decoded")
            self._verify_jwt(credential)
            return None
        if path in USER_PATHS:
            # Only a live user access token: an installation token or a JWT is refused.
            if self._user_of(request) is None:
                raise ApiError(401, "Bad credentials")
            return None
        if scheme.lower() not in ("token", "bearer") or credential not in self.tokens:
            # A user access token is no installation token (chosen: see docs/simulator.md).
            raise ApiError(401, "Bad credentials")
        installation_id, expires = self.tokens[credential]
        if expires <= self.clock.now():
            raise ApiError(401, "Bad credentials")
        return installation_id

    def _user_of(self, request: web.Request) -> str | None:
        """The login of the request's live user access token, if it carries one."""
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        token = self.user_tokens.get(credential)
        if scheme.lower() not in ("token", "bearer") or token is None:
            return None
        return token.login if token.expires > self.clock.now() else None

    def _verify_jwt(self, token: str) -> None:
        """GitHub checks an App's JWT against its own clock: here, the simulator's."""
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={
                    "require": ["iat", "exp", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
            issued, expires = int(claims["iat"]), int(claims["exp"])
        except (jwt.PyJWTError, TypeError, ValueError) as error:
            raise ApiError(401, "A JSON web token could not be decoded") from error
        now = self.clock.now().timestamp()
        if expires < now - JWT_CLOCK_SKEW:
            raise ApiError(
                401,
                "'Expiration time' claim ('exp') must be a numeric value "
                "representing the future time at which the assertion "
                "expires",
            )
        if issued > now + JWT_CLOCK_SKEW:
            raise ApiError(
                401,
                "'Issued at' claim ('iat') must be an Integer representing the time that the "
                "assertion was issued",
            )
        if str(claims["iss"]) != self.app_id:
            raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
        if expires - issued > JWT_MAX_LIFETIME:
            raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")


_INVALID_JSON = object()


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "message": error.message,
        "documentation_url": DOCS,
        "status": str(error.status),
    }
    if error.errors:
        body["errors"] = error.errors
    return web.json_response(body, status=error.status, headers=error.headers)


def json_response(reply: Reply) -> web.Response:
    return web.json_response(reply.body, status=reply.status, headers=reply.headers)


def protected_branch_refusal(branch: str, via: str) -> ApiError:
    """GitHub's answer to a write onto a protected branch (one that requires pull requests).

    The contents API answers 409 "Could not update file: <rule>" (observed; its docs list
    409 Conflict); a ref update answers 422 (its docs list 422) naming the branch, as the
    git protocol's GH006 error does. See docs/simulator.md.
    """
    if via == "contents":
        return ApiError(409, "Could not update file: Changes must be made through a pull request.")
    return ApiError(422, f"Protected branch update failed for refs/heads/{branch}.")
