"""Fixtures for every test: ``sim``, a started GitHub simulator that fails the test when the
App made a request GitHub's REST description does not document (tests/sandbox, which sends
such requests on purpose, overrides it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.simulator import Simulator


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    if simulator.violations:
        listed = "\n  ".join(simulator.violations)
        pytest.fail(
            f"requests that do not match GitHub's REST description:\n  {listed}", pytrace=False
        )
