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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import sim_events
from sandbox.openapi.contract import NO_BODY, Contract
from sandbox.sim_routes import HANDLERS, Call, Reply
from sandbox.sim_state import (
    ApiError,
    Comment,
    FileChange,
    Label,
    ObjectStore,
    PullRequest,
    Repo,
    diff_files,
    now,
)

DOCS = "https://docs.github.com/rest"
TOKEN_LIFETIME = timedelta(hours=1)
JWT_MAX_LIFETIME = 600
JWT_CLOCK_SKEW = 60
RATE_LIMIT = 5000
SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID."
)
PERMISSION_NAMES = ("read", "triage", "write", "maintain", "admin")

RepoRef = Repo | str
BeforeCallback = Callable[["Simulator"], Awaitable[None] | None]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    operation_id: str | None = None


@dataclass
class _Injection:
    method: str
    pattern: re.Pattern[str]
    times: int
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    callback: BeforeCallback | None = None

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and self.pattern.search(path) is not None
        )


class Simulator:
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
        self._public_key = key.public_key()
        self.contract = Contract.load()
        self.repos: dict[str, Repo] = {}  # lower-cased full name -> repo
        self.installations: dict[int, str] = {}  # installation id -> account login
        self.tokens: dict[str, tuple[int, datetime]] = {}
        self.teams: dict[tuple[str, str], set[str]] = {}
        self.latency = 0.0
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.base_url = ""
        self._ids = itertools.count(1000)
        self._failures: list[_Injection] = []
        self._befores: list[_Injection] = []
        self._rate_used: dict[str, int] = {}
        self._rate_reset = int(time.time()) + 3600
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ server lifecycle

    async def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; returns the API base URL."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
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
    ) -> Repo:
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
            ObjectStore(),
        )
        repo.commit(default_branch, dict(files or {}), "Initial commit", owner)
        self.repos[full_name.lower()] = repo
        return repo

    def commit(
        self,
        repo: RepoRef,
        branch: str,
        files: dict[str, str | None],
        message: str = "Update files",
        author: str = "alice",
    ) -> str:
        return self._repo(repo).commit(branch, dict(files), message, author)

    def open_pull_request(
        self,
        repo: RepoRef,
        head: str,
        files: dict[str, str | None] | None = None,
        author: str = "alice",
        title: str = "Add an RFC",
        base: str | None = None,
        body: str = "",
        draft: bool = False,
    ) -> PullRequest:
        target = self._repo(repo)
        if files:
            target.commit(head, files, title, author)
        if head not in target.branches:
            raise ValueError(f"branch {head} does not exist and no files were given")
        pr = PullRequest(
            target.take_number(),
            self.next_id(),
            title,
            body,
            author,
            base or target.default_branch,
            head,
            target,
            target.branches[head],
            now(),
            draft=draft,
        )
        target.pulls[pr.number] = pr
        return pr

    def merge_pull_request(self, repo: RepoRef, number: int, *, merged_by: str = "mona") -> str:
        """Squash the PR's changes onto its base as one commit; the PR becomes merged."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        if pr.state != "open":
            raise ValueError(f"pull request #{number} is not open")
        changes = self.pull_changes(target, pr)
        head_files = target.objects.files_at(pr.current_head())
        pr.merge_base_sha = self._merge_base(target, pr)
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
        moment = now()
        pr.state, pr.merged, pr.merged_at, pr.closed_at = "closed", True, moment, moment
        pr.merged_by, pr.merge_commit_sha = merged_by, sha
        return sha

    def close_pull_request(self, repo: RepoRef, number: int) -> None:
        pr = self._pull(self._repo(repo), number)
        pr.current_head()
        pr.state, pr.closed_at = "closed", now()

    def set_permission(self, repo: RepoRef, user: str, permission: str) -> None:
        if permission not in PERMISSION_NAMES:
            raise ValueError(f"permission must be one of {PERMISSION_NAMES}")
        self._repo(repo).permissions[user.lower()] = permission

    def add_team_member(self, org: str, team_slug: str, user: str) -> None:
        self.teams.setdefault((org.lower(), team_slug.lower()), set()).add(user.lower())

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
        """A comment by a person (as if posted on github.com); returns its GitHub JSON."""
        from sandbox import sim_render

        target = self._repo(repo)
        self._pull(target, number)
        comment = self.add_comment_object(target, number, user, body, user_type)
        return sim_render.comment_json(
            target, comment, self.base_url, sim_render.association(target, user)
        )

    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> dict[str, Any]:
        from sandbox import sim_render

        target = self._repo(repo)
        comment = target.comments[comment_id]
        comment.body, comment.updated_at = body, now()
        return sim_render.comment_json(
            target, comment, self.base_url, sim_render.association(target, comment.user)
        )

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
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead."""
        self._failures.append(
            _Injection(
                method.upper(), re.compile(path_regex), times, status, dict(headers or {}), body
            )
        )

    def before(
        self, method: str, path_regex: str, callback: BeforeCallback, *, times: int = 1
    ) -> None:
        """Run ``callback(sim)`` (sync or async) before handling matching requests."""
        self._befores.append(
            _Injection(method.upper(), re.compile(path_regex), times, callback=callback)
        )

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
        from sandbox import sim_render

        target = self._repo(repo)
        return [
            {
                **sim_render.check_run_json(target, run, self.base_url, self.app_json()),
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
        from sandbox import sim_render

        target = self._repo(repo)
        return [
            sim_render.comment_json(
                target, c, self.base_url, sim_render.association(target, c.user)
            )
            for c in sorted(target.comments.values(), key=lambda c: c.id)
            if c.issue_number == number
        ]

    def reactions(self, repo: RepoRef, comment_id: int) -> list[str]:
        return [content for _, content, _ in self._repo(repo).comments[comment_id].reactions]

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

    def app_json(self) -> dict[str, Any]:
        return {
            "id": int(self.app_id),
            "slug": self.app_slug,
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
        expires = now() + TOKEN_LIFETIME
        self.tokens[token] = (installation_id, expires)
        return token, expires

    def expire_tokens(self) -> None:
        """Make every issued installation token expired (to test token refresh)."""
        self.tokens = {t: (i, now() - timedelta(seconds=1)) for t, (i, _) in self.tokens.items()}

    def add_label(self, repo: Repo, name: str, color: str, description: str | None) -> Label:
        label = Label(self.next_id(), name, color, description)
        repo.labels[name.lower()] = label
        return label

    def add_comment_object(
        self, repo: Repo, number: int, user: str, body: str, user_type: str
    ) -> Comment:
        moment = now()
        comment = Comment(self.next_id(), number, user, user_type, body, moment, moment)
        repo.comments[comment.id] = comment
        return comment

    def pull_changes(self, repo: Repo, pr: PullRequest) -> list[FileChange]:
        """The PR's files: its head against the merge base with its base branch."""
        base = pr.merge_base_sha or self._merge_base(repo, pr)
        old = repo.objects.files_at(base) if base else {}
        return diff_files(repo.objects, old, repo.objects.files_at(pr.current_head()))

    def check_push_allowed(
        self, repo: Repo, branch: str, installation_id: int | None, *, via: str
    ) -> None:
        """Raise GitHub's error when the App may not move ``branch`` of ``repo``."""
        if repo.installation_id is not None and repo.installation_id == installation_id:
            if branch in repo.protected:
                status = 409 if via == "contents" else 422
                raise ApiError(status, f"Protected branch update failed for refs/heads/{branch}.")
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
    def _merge_base(repo: Repo, pr: PullRequest) -> str | None:
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
        return installation_id

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?", 1)[0]
        query = dict(request.query)
        raw = await request.read()
        body = self._parse_body(raw)
        record = RecordedRequest(request.method, path, query, None if body is NO_BODY else body)
        self.requests.append(record)
        response = await self._respond(request, path, query, body, record)
        record.status = response.status
        self._rate_limit_headers(request, response)
        return response

    async def _respond(
        self,
        request: web.Request,
        path: str,
        query: dict[str, str],
        body: Any,
        record: RecordedRequest,
    ) -> web.Response:
        problems = self.contract.check(request.method, path, query, body)
        problems += self._header_problems(request, path)
        self.violations.extend(problems)
        operation = self.contract.match(request.method, path)
        record.operation_id = operation.operation_id if operation else None
        if self.latency:
            await asyncio.sleep(self.latency)
        await self._run_befores(request.method, path)
        injected = self._injected_failure(request.method, path)
        if injected is not None:
            return injected
        if operation is None or operation.operation_id not in HANDLERS:
            return error_response(ApiError(404, "Not Found"))
        try:
            if body is _INVALID_JSON:
                raise ApiError(400, "Problems parsing JSON")
            installation_id = self._authenticate(request, path)
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
            )
            reply = HANDLERS[operation.operation_id](self, call)
        except ApiError as error:
            return error_response(error)
        return json_response(reply)

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

    def _injected_failure(self, method: str, path: str) -> web.Response | None:
        for failure in self._failures:
            if failure.matches(method, path):
                failure.times -= 1
                body = (
                    failure.body
                    if failure.body is not None
                    else default_failure_body(failure.status, failure.headers)
                )
                return web.json_response(body, status=failure.status, headers=failure.headers)
        return None

    def _authenticate(self, request: web.Request, path: str) -> int | None:
        """The installation the request acts for (None for the App itself, via its JWT)."""
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if not credential:
            raise ApiError(401, "Requires authentication")
        if path.startswith("/app"):
            if scheme.lower() != "bearer":
                raise ApiError(401, "A JSON web token could not be decoded")
            self._verify_jwt(credential)
            return None
        if scheme.lower() not in ("token", "bearer") or credential not in self.tokens:
            raise ApiError(401, "Bad credentials")
        installation_id, expires = self.tokens[credential]
        if expires <= now():
            raise ApiError(401, "Bad credentials")
        return installation_id

    def _verify_jwt(self, token: str) -> None:
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                leeway=JWT_CLOCK_SKEW,
                options={"require": ["iat", "exp", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise ApiError(
                401,
                "'Expiration time' claim ('exp') must be a numeric value "
                "representing the future time at which the assertion "
                "expires",
            ) from error
        except jwt.PyJWTError as error:
            raise ApiError(401, "A JSON web token could not be decoded") from error
        if str(claims["iss"]) != self.app_id:
            raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
        if claims["exp"] - claims["iat"] > JWT_MAX_LIFETIME:
            raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")

    def _rate_limit_headers(self, request: web.Request, response: web.Response) -> None:
        identity = request.headers.get("Authorization", "anonymous")
        used = self._rate_used[identity] = self._rate_used.get(identity, 0) + 1
        response.headers.setdefault("X-RateLimit-Limit", str(RATE_LIMIT))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(0, RATE_LIMIT - used)))
        response.headers.setdefault("X-RateLimit-Used", str(used))
        response.headers.setdefault("X-RateLimit-Reset", str(self._rate_reset))
        response.headers.setdefault("X-RateLimit-Resource", "core")


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


def default_failure_body(status: int, headers: dict[str, str]) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in headers.items()}
    if status in (403, 429) and "retry-after" in lowered:
        message = SECONDARY_RATE_LIMIT_MESSAGE
    elif status in (403, 429) and lowered.get("x-ratelimit-remaining") == "0":
        message = "API rate limit exceeded for installation."
    else:
        message = {
            500: "Internal Server Error",
            502: "Server Error",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }.get(status, "Error")
    return {"message": message, "documentation_url": DOCS, "status": str(status)}
