"""Testing the simulator itself: a lenient ``sim``, since these tests send requests GitHub's
REST description does not document on purpose, to see them refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.simulator import Simulator


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    yield simulator
    await simulator.stop()
