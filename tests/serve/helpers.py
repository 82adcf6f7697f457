"""Signed deliveries for the runtime's tests, and ``Bot``: the real app behind a test client."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from gidgethub import sansio

from bot.features.context import Context
from bot.serve.app import wait_idle
from bot.serve.settings import Settings

Handler = Callable[[sansio.Event, Any, Context], Awaitable[None]]


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": delivery_id,
        "X-Hub-Signature-256": sign(body, secret),
    }


def repository_json(repo: str = "octo-org/rfcs") -> dict[str, Any]:
    """A repository with the fields a delivery must carry (``bot.deliveries``)."""
    return {"full_name": repo, "default_branch": "main", "html_url": f"https://github.com/{repo}"}


def pr_payload(number: int, repo: str = "octo-org/rfcs", **extra: Any) -> dict[str, Any]:
    repository = repository_json(repo)
    return {
        "action": "opened",
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "user": {"login": "alice", "type": "User"},
            "head": {"ref": f"rfc/{number}", "sha": "a" * 40, "repo": repository},
            "base": {"ref": "main", "sha": "b" * 40, "repo": repository},
        },
        "repository": repository,
        "installation": {"id": 99},
        **extra,
    }


def comment_payload(number: int, repo: str = "octo-org/rfcs", **extra: Any) -> dict[str, Any]:
    """An ``issue_comment`` on pull request ``number``."""
    return {
        "action": "created",
        "issue": {"number": number, "pull_request": {}},
        "comment": {"id": 1000 + number, "body": "", "user": {"login": "alice"}},
        "repository": repository_json(repo),
        "installation": {"id": 99},
        **extra,
    }


def check_run_payload(head_sha: str, number: int, **extra: Any) -> dict[str, Any]:
    """A ``check_run`` on ``head_sha``, the head of pull request ``number``."""
    return {
        "action": "rerequested",
        "check_run": {"head_sha": head_sha, "pull_requests": [{"number": number}]},
        "repository": repository_json(),
        "installation": {"id": 99},
        **extra,
    }


class Bot:
    """The real app on a loopback test server, with a router the test fills in."""

    def __init__(self, client: TestClient, app: web.Application, settings: Settings) -> None:
        self.client = client
        self.app = app
        self.secret = settings.webhook_secret
        self.seen: list[tuple[str, sansio.Event, Any, Context]] = []

    async def post(
        self,
        event: str,
        payload: Any,
        *,
        delivery_id: str = "d-1",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, Any]:
        raw = body if body is not None else json.dumps(payload).encode()
        sent = signed_headers(raw, self.secret, delivery_id) | {"X-GitHub-Event": event}
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v}
        response = await self.client.post("/webhook", data=raw, headers=sent)
        return response.status, await response.json()

    async def idle(self) -> None:
        await wait_idle(self.app)


def recorder(bot_ref: list[Bot], name: str = "h") -> Handler:
    async def handler(event: sansio.Event, gh: Any, ctx: Context) -> None:
        bot_ref[0].seen.append((name, event, gh, ctx))

    return handler
