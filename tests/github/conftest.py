"""The typed GitHub calls run against the simulator, authenticated as the installation.

``repo``, ``session`` and ``gh`` come from the simulator's own test fixtures; ``sim`` here
also fails a test whose requests depart from GitHub's REST description.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.simulator import Simulator
from tests.sandbox.conftest import gh, repo, session

__all__ = ["gh", "repo", "session"]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    assert simulator.violations == []
