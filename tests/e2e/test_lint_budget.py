"""The App lints in worker processes, each file under a hard time budget: a file that takes too
long is one `lint-timeout` error on the check, never a hang, and the App goes on working."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.demo import demo_file
from sandbox.harness import start_app
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.helpers import PATH, opened, seed_repo

GOOD = demo_file("fixed.md")


@pytest.fixture
async def pooled_app(sim: Any) -> AsyncIterator[BotApp]:
    # One real worker process and a budget far below what a 1 MB RFC takes to lint.
    running = await start_app(
        sim, WEBHOOK_SECRET, lint_workers=1, lint_timeout_seconds=0.05, event_budget_seconds=30.0
    )
    async with aiohttp.ClientSession() as session:
        bot = BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
        try:
            yield bot
            await bot.idle()
        finally:
            await running.stop()


async def test_a_file_over_the_budget_is_one_error_and_the_app_goes_on(
    sim: Any, pooled_app: BotApp
) -> None:
    repo = seed_repo(sim, {"rfcs/README.md": "# Index\n"})
    huge = GOOD + "\n".join(f"- item {n} [x]" for n in range(50_000)) + "\n"
    assert len(huge) < 1_000_000
    pull = await opened(sim, pooled_app, repo, {PATH: huge}, head="rfc/huge")

    [run] = [r for r in sim.check_runs(repo, head_sha=pull.head_sha)]
    assert run["conclusion"] == "failure"
    assert [a["title"] for a in run["annotations"]] == ["lint-timeout"]

    # The worker was replaced: the next pull request is checked as usual.
    small = await opened(sim, pooled_app, repo, {"rfcs/0000-other.md": GOOD}, head="rfc/small")
    [ok] = [r for r in sim.check_runs(repo, head_sha=small.head_sha)]
    assert "lint-timeout" not in [a["title"] for a in ok["annotations"]]
