"""What the `/rfc` command tests share: the App on a fixed day, a repository with a writer
(mona) and a reader (eve), an RFC pull request, and a comment delivered as its webhook."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.helpers import BRANCH, PATH, rfc, seed_repo, send
from tests.e2e.helpers import open_pull as open_pull_with

TODAY = datetime(2024, 6, 12, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(bot_app: Any, sim: Any) -> Any:
    sim.clock.freeze(TODAY)  # GitHub's clock, which the App reads too
    return bot_app


@pytest.fixture
def repo(sim: Any) -> Any:
    repository = seed_repo(sim, {})
    sim.set_permission(repository, "mona", "write")
    sim.set_permission(repository, "eve", "read")
    return repository


def open_pull(sim: Any, repo: Any, files: dict[str, str | None] | None = None) -> Any:
    return open_pull_with(sim, repo, files or {PATH: rfc()})


async def say(sim: Any, app: Any, repo: Any, number: int, user: str, body: str,
              user_type: str = "User") -> dict[str, Any]:  # fmt: skip
    """Post a comment in the simulator and deliver its webhook; wait until it is handled."""
    comment = sim.add_comment(repo, number, user, body, user_type=user_type)
    await send(app, "issue_comment", sim.event_issue_comment(repo, number, comment))
    return comment


def on_branch(sim: Any, repo: Any, path: str = PATH) -> str | None:
    return sim.file(repo, path, ref=BRANCH)
