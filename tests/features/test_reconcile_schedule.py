"""When sweeps run: soon after start-up, then every interval ± 10%, or never again at 0."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.features.reconcile import run_periodically


class Sweeps:
    def __init__(self, stop_after: int) -> None:
        self.count, self.stop_after = 0, stop_after

    async def sweep(self) -> None:
        self.count += 1
        if self.count >= self.stop_after:
            raise asyncio.CancelledError


async def test_periodic_sweeps_are_jittered() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    sweeps = Sweeps(stop_after=3)
    with pytest.raises(asyncio.CancelledError):
        await run_periodically(sweeps, 600, draw=lambda: 0.5, sleep=sleep)  # type: ignore[arg-type]
    assert sweeps.count == 3
    assert slept == [15.0, 600.0, 600.0]  # half of min(30 s, 60 s), then 600 ± 0


async def test_zero_interval_sweeps_once_at_start_up() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    sweeps: Any = Sweeps(stop_after=99)
    await run_periodically(sweeps, 0, draw=lambda: 1.0, sleep=sleep)
    assert sweeps.count == 1 and slept == [30.0]
