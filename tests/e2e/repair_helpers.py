"""What the repair tests share: the App with simulated waits (a minute of retries and backoff
runs in milliseconds, read on the simulator's clock), waiting until its repair list is empty,
and the exactly-once checks of each scenario (one check run per head, one reply per command,
one numbering commit and one announcement per merge)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.serve.app import METRICS, REPAIRER
from sandbox.harness import LoopbackApp, start_app
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.helpers import BRANCH, PATH, bot_comments, numbering_commits, rfc

NUMBERED_PATH = "rfcs/0001-job-retries.md"
REAL_SECONDS = 30.0  # how long a test waits, in real time, for the repair list to empty


@asynccontextmanager
async def serving(sim: Any, **options: Any) -> AsyncIterator[BotApp]:
    """The App on loopback (``sandbox.harness.start_app``) as the e2e tests drive it."""
    options = {
        "log_format": "text",
        "event_budget_seconds": 30.0,
        "request_timeout_seconds": 5.0,
        **options,
    }
    running: LoopbackApp = await start_app(sim, WEBHOOK_SECRET, **options)
    async with aiohttp.ClientSession() as session:
        app = BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
        try:
            yield app
        finally:
            await running.stop()


@pytest.fixture
async def repair_app(sim: Any) -> AsyncIterator[BotApp]:
    """The App whose waits are simulated (``sandbox.harness.SimulatedWaits``); sweeps off."""
    async with serving(sim, simulated_waits=True) as app:
        yield app
        await settled(app)


async def settled(app: BotApp) -> None:
    """Every delivery handled and the repair list empty (fails after ``REAL_SECONDS``)."""
    repairs = app.app[REPAIRER].pending
    give_up = time.monotonic() + REAL_SECONDS
    while True:
        await app.idle()
        if not len(repairs):
            return
        assert time.monotonic() < give_up, f"{len(repairs)} repairs still pending"
        await asyncio.sleep(0.01)


def repair_count(app: BotApp, kind: str, outcome: str) -> float:
    value = app.app[METRICS].registry.get_sample_value(
        "rfcbot_repair_list_total", {"kind": kind, "outcome": outcome}
    )
    return value or 0.0


def delivery_count(app: BotApp, event: str, outcome: str) -> float:
    value = app.app[METRICS].registry.get_sample_value(
        "rfcbot_deliveries_total", {"event": event, "outcome": outcome}
    )
    return value or 0.0


def validation_runs(sim: Any, repo: Any, head_sha: str) -> list[dict[str, Any]]:
    return [r for r in sim.check_runs(repo, head_sha=head_sha) if r["name"] == "RFC validation"]


def assert_checked_once(sim: Any, repo: Any, number: int) -> None:
    """One completed validation run on the head, and the RFC's labels."""
    head = sim.pull_request(repo, number).current_head()
    [run] = validation_runs(sim, repo, head)
    assert run["status"] == "completed"
    assert {"rfc", "rfc: draft"} <= set(sim.pr_labels(repo, number))


# The reply of a command run again after its first reply was lost: the move is done.
DONE_ALREADY = "is already **Proposed**: nothing to change."


def assert_moved_once(
    sim: Any, repo: Any, number: int, comment: dict[str, Any], *, rerun: bool = False
) -> None:
    """The status moved in one commit, one reply says so and one +1 (``rerun``: or one reply
    that it is done, when the command ran again after its reply was lost)."""
    assert "**Status:** Proposed" in (sim.file(repo, PATH, ref=BRANCH) or "")
    history = repo.objects.history(sim.head(repo, BRANCH))
    assert len([c for c in history if "status Draft -> Proposed" in c.message]) == 1
    [reply] = bot_comments(sim, repo, number)
    if rerun and DONE_ALREADY in reply:
        assert sim.reactions(repo, comment["id"]) == []  # nothing was done by that run
    else:
        assert "from **Draft** to **Proposed**" in reply
        assert sim.reactions(repo, comment["id"]) == ["+1"]
    assert "rfc: proposed" in sim.pr_labels(repo, number)


def assert_numbered_once(sim: Any, repo: Any, number: int) -> None:
    """One numbering commit, the file renamed, one announcement, the numbered label."""
    assert sim.file(repo, NUMBERED_PATH) is not None and sim.file(repo, PATH) is None
    assert len(numbering_commits(sim, repo, number)) == 1
    [announcement] = bot_comments(sim, repo, number)
    assert "Assigned RFC 0001" in announcement
    assert "rfc: numbered" in sim.pr_labels(repo, number)


def draft() -> dict[str, str | None]:
    return {PATH: rfc()}
