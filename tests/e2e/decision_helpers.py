"""What the decision tests share: a repository with a decision rule on a frozen clock, the App,
and the steps people take (a comment, a review) and the App's answers (its comments, the panel,
the Status on the branch, a sweep)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.serve.app import RECONCILER
from tests.e2e.attack_helpers import full_rfc
from tests.e2e.conftest import BotApp
from tests.e2e.helpers import BRANCH, REPO, send

PATH = "rfcs/0001-job-retries.md"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = """\
decisions:
  "Proposed -> Final":
    approvals: 2
    approvers: [maintainers]
    comment_period: 1h
    remind_after: 30m
"""
MONA, NINA, OMAR, ALICE, EVE = "mona", "nina", "omar", "alice", "eve"


@pytest.fixture
def repo(sim: Any) -> Any:
    sim.clock.freeze(START)
    proposed = full_rfc(number="0001", status="Proposed")
    repository = sim.create_repo(
        REPO,
        files={"README.md": "# RFCs\n", PATH: proposed, ".github/rfc-bot.yml": CONFIG},
    )
    for maintainer in (MONA, NINA, OMAR):
        sim.set_permission(repository, maintainer, "write")
    sim.set_permission(repository, EVE, "read")
    return repository


@pytest.fixture
def app(bot_app: BotApp) -> BotApp:
    """The App, on the simulator's clock (``start_app`` builds its Context on it)."""
    return bot_app


def open_edit(sim: Any, repo: Any) -> Any:
    """alice edits her Proposed RFC's text in a pull request."""
    text = full_rfc(number="0001", status="Proposed") + "\nA clarification.\n"
    return sim.open_pull_request(repo, head=BRANCH, files={PATH: text}, author=ALICE)


async def say(sim: Any, app: Any, repo: Any, number: int, user: str, body: str) -> None:
    comment = sim.add_comment(repo, number, user, body)
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, comment))


async def review(sim: Any, app: Any, repo: Any, number: int, user: str, state: str) -> None:
    body = "" if state == "APPROVED" else "Please look again."
    submitted = sim.submit_review(repo, number, user, state, body)
    await send(app, "pull_request_review", sim.event_pull_request_review(repo, number, submitted))


def app_comments(sim: Any, repo: Any, number: int) -> list[str]:
    return [c["body"] for c in sim.comments(repo, number) if c["user"]["login"] == sim.bot_login]


def panel(sim: Any, repo: Any, number: int) -> str:
    [found] = [body for body in app_comments(sim, repo, number) if "rfc-bot:panel" in body]
    return found


def status_on_branch(sim: Any, repo: Any) -> str:
    text = sim.file(repo, PATH, ref=BRANCH) or ""
    return next(line for line in text.splitlines() if line.startswith("**Status:**")).strip()


async def sweep(sim: Any, app: BotApp, repo: Any) -> None:
    """One reconciler sweep (its decisions timer is what ends a comment period)."""
    sweeper = app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    await sweeper.sweep()
