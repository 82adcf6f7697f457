"""What the end-to-end tests share: seeding the repository, RFC texts, opening and merging
pull requests, delivering a webhook and waiting until the App is idle, reading back what the
App did on the simulated GitHub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot.clock import epoch_seconds
from bot.github.auth import AppAuth
from bot.github.client import ClientFactory, GitHubClient

REPO = "octo-org/rfcs"
BRANCH = "rfc/job-retries"
PATH = "rfcs/0000-job-retries.md"


def rfc(
    title: str = "Job Retries",
    number: str = "[Assigned when merged]",
    *,
    status: str = "Draft",
    authors: str = "@alice",
) -> str:
    """A short RFC that lints clean (with the default config)."""
    return (
        f"# {title}\n\n"
        f"**Status:** {status}  \n"
        "**Target Application(s):** api  \n"
        f"**RFC Number:** {number}  \n"
        "**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-01  \n"
        f"**Author(s):** Alice Example ({authors})  \n\n"
        "## Overview\n\n### Summary\nRetry failed jobs with backoff.\n"
    )


def seed_repo(sim: Any, files: dict[str, str]) -> Any:
    """``REPO`` on the simulator with a README and ``files`` on its default branch."""
    return sim.create_repo(REPO, files={"README.md": "# RFCs\n", **files})


def open_pull(sim: Any, repo: Any, files: dict[str, str | None], **kw: Any) -> Any:
    """A pull request by alice from ``BRANCH`` (or ``head=``); None in ``files`` deletes."""
    kw.setdefault("head", BRANCH)
    kw.setdefault("title", "RFC: job retries")
    return sim.open_pull_request(repo, files=files, author="alice", **kw)


async def send(
    app: Any, event: str, payload: dict[str, Any], delivery_id: str | None = None
) -> None:
    """Deliver a signed webhook, expect it accepted, wait until the App has handled it."""
    assert await app.deliver(event, payload, delivery_id=delivery_id) == 202
    await app.idle()


async def opened(sim: Any, app: Any, repo: Any, files: dict[str, str | None], **kw: Any) -> Any:
    """Open a pull request and deliver its `opened` event."""
    pull = open_pull(sim, repo, files, **kw)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    return pull


def merged_pull(sim: Any, repo: Any, files: dict[str, str | None], *, head: str) -> Any:
    """Open and merge a pull request (no event delivered)."""
    pull = open_pull(sim, repo, files, head=head)
    sim.merge_pull_request(repo, pull.number)
    return pull


async def merge(
    sim: Any,
    app: Any,
    repo: Any,
    files: dict[str, str | None],
    *,
    head: str = "rfc/new",
    delivery_id: str | None = None,
) -> Any:
    """Open and merge a pull request, deliver its `closed` event, wait until handled."""
    pull = merged_pull(sim, repo, files, head=head)
    event = sim.event_pull_request(repo, pull.number, "closed")
    await send(app, "pull_request", event, delivery_id=delivery_id)
    return pull


def bot_comments(sim: Any, repo: Any, number: int) -> list[str]:
    """Bodies of the App's comments on the pull request, without a reply's hidden marker line
    (tests of the marker read ``sim.comments``)."""
    return [
        _without_reply_marker(c["body"])
        for c in sim.comments(repo, number)
        if c["user"]["login"] == sim.bot_login
    ]


def _without_reply_marker(body: str) -> str:
    first, newline, rest = body.partition("\n")
    return rest if newline and first.startswith("<!-- rfc-bot:reply:") else body


def operations(sim: Any, start: int = 0) -> list[str]:
    """The operation ids of the App's requests since ``start`` (an index in sim.requests)."""
    return [r.operation_id or f"{r.method} {r.path}" for r in sim.requests[start:]]


def numbering_commits(sim: Any, repo: Any, number: int) -> list[str]:
    """Messages of default-branch commits carrying the pull request's ``RFC-PR`` trailer."""
    history = repo.objects.history(sim.head(repo, "main"))
    return [c.message for c in history if f"RFC-PR: #{number}" in c.message]


@asynccontextmanager
async def installation_client(sim: Any, repo: Any, **extra: Any) -> AsyncIterator[GitHubClient]:
    """A GitHub client acting as the App's installation on ``repo``, like the server's
    (``extra``: ``GitHubClient`` options, e.g. ``max_attempts``)."""
    async with aiohttp.ClientSession() as session:
        auth = AppAuth(sim.app_id, sim.private_key_pem, clock=epoch_seconds(sim.clock.now))
        factory = ClientFactory(session, auth, base_url=sim.base_url, clock=sim.clock.now)
        yield factory.installation_client(repo.installation_id, **extra)
