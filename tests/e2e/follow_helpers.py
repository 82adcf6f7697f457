"""What the staleness and digest tests share: a repository with ``stale_after`` (and, for the
digest, ``digest:``) on a frozen clock, a second replica, one sweep of each replica at once,
and the App's reminders, panel and digest issues read back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from sandbox.harness import start_app
from tests.e2e.attack_helpers import full_rfc
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.decision_helpers import sweep
from tests.e2e.helpers import BRANCH, REPO, send

PATH = "rfcs/0001-job-retries.md"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
STALE_CONFIG = """\
stale_after:
  Proposed: 60d
decisions:
  "Proposed -> Final":
    approvals: 2
    approvers: [maintainers]
    comment_period: 1h
"""
MONA, NINA, OMAR, ALICE, EVE = "mona", "nina", "omar", "alice", "eve"


def seeded(sim: Any, config: str) -> Any:
    sim.clock.freeze(START)
    proposed = full_rfc(number="0001", status="Proposed")
    repository = sim.create_repo(
        REPO, files={"README.md": "# RFCs\n", PATH: proposed, ".github/rfc-bot.yml": config}
    )
    for maintainer in (MONA, NINA, OMAR):
        sim.set_permission(repository, maintainer, "write")
    sim.set_permission(repository, EVE, "read")
    return repository


@pytest.fixture
async def second_replica(sim: Any) -> AsyncIterator[BotApp]:
    """Another App on the same simulated GitHub: a replica, or the App restarted."""
    running = await start_app(sim, WEBHOOK_SECRET, event_budget_seconds=30.0)
    async with aiohttp.ClientSession() as session:
        yield BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
    await running.stop()


async def opened_edit(sim: Any, app: BotApp, repo: Any) -> Any:
    """alice edits her Proposed RFC in a pull request; the App checks and labels it."""
    text = full_rfc(number="0001", status="Proposed") + "\nA clarification.\n"
    pull = sim.open_pull_request(repo, head=BRANCH, files={PATH: text}, author=ALICE)
    await send(app, "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    return pull


async def sweeps(sim: Any, repo: Any, *apps: BotApp) -> None:
    """One sweep of every replica, all at once."""
    await asyncio.gather(*(sweep(sim, app, repo) for app in apps))


def app_bodies(sim: Any, repo: Any, number: int) -> list[str]:
    return [c["body"] for c in sim.comments(repo, number) if c["user"]["login"] == sim.bot_login]


def reminders(sim: Any, repo: Any, number: int) -> list[str]:
    return [b for b in app_bodies(sim, repo, number) if b.startswith("<!-- rfc-bot:stale -->")]


def panel_of(sim: Any, repo: Any, number: int) -> str:
    """The App's one status panel ("" before it writes one)."""
    found = [b for b in app_bodies(sim, repo, number) if b.startswith("<!-- rfc-bot:panel -->")]
    assert len(found) <= 1, "two panels"
    return found[0] if found else ""


def digests(sim: Any, repo: Any) -> list[dict[str, Any]]:
    """The App's issues that carry the digest marker, open or closed."""
    return [
        issue
        for issue in sim.issues(repo)
        if issue["user"]["login"] == sim.bot_login
        and issue["body"].startswith("<!-- rfc-bot:digest -->")
    ]
