"""The repair list's loop (``bot.features.repairs.Repairer``) without a server: each entry
tried when due, backed off when it fails, given up after its attempts, held back while the
App is busy, one log line per failure with its cause; and what a delivery puts on it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from typing import Any

import gidgethub
import pytest

import bot.features.repairs as repairs_module
from bot.features.context import Context
from bot.features.repairs import NotDone, Repairer
from bot.github.client import Waiting
from bot.policy.repairs import Kind, Repair, Schedule

REPAIR = Repair(Kind.CHECK, "octo-org/rfcs", 3, 7)


class VirtualTime:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class Clients:
    """The client factory as the repairer uses it: its waiting, and a client per attempt."""

    def __init__(self, waiting: Waiting) -> None:
        self.waiting = waiting
        self.built: list[tuple[int, float]] = []

    def installation_client(self, installation_id: int, deadline: float) -> object:
        self.built.append((installation_id, deadline))
        return object()


class Counts:
    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()

    def count_repair(self, kind: str, outcome: str) -> None:
        self.seen[(kind, outcome)] += 1


class Script:
    """The repair of a kind: raises the scripted errors in turn, then succeeds."""

    def __init__(self, time: VirtualTime, errors: list[BaseException]) -> None:
        self.time = time
        self.errors = errors
        self.at: list[float] = []

    async def __call__(self, gh: Any, ctx: Context, repair: Repair) -> None:
        self.at.append(self.time.now)
        if self.errors:
            raise self.errors.pop(0)


@pytest.fixture
def time_() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def counts() -> Counts:
    return Counts()


@pytest.fixture
async def repairer(time_: VirtualTime, counts: Counts) -> AsyncIterator[Repairer]:
    waiting = Waiting(time_.monotonic, time_.sleep)
    clients = Clients(waiting)
    made = Repairer(
        lambda: clients,  # type: ignore[arg-type,return-value]
        budget_seconds=60.0,
        waiting=waiting,
        metrics=counts,
        schedule=Schedule(max_attempts=4),
    )
    task = asyncio.create_task(made.run(Context()))
    yield made
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def script(monkeypatch: pytest.MonkeyPatch, time_: VirtualTime, *errors: BaseException) -> Script:
    run = Script(time_, list(errors))
    monkeypatch.setitem(repairs_module.REPAIRS, Kind.CHECK, run)  # type: ignore[arg-type]
    return run


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def broken() -> gidgethub.GitHubBroken:
    return gidgethub.GitHubBroken(HTTPStatus.BAD_GATEWAY)


async def test_a_failing_repair_backs_off_and_is_done_within_seconds(
    repairer: Repairer,
    time_: VirtualTime,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run = script(monkeypatch, time_, broken(), broken())
    start = time_.now
    with caplog.at_level(logging.INFO, logger="bot.features.repairs"):
        repairer.record(REPAIR, "delivery x: error")
        await until(lambda: counts.seen[("check", "repaired")] == 1)

    offsets = [at - start for at in run.at]
    assert len(offsets) == 3
    assert 1.0 <= offsets[0] <= 2.0  # the first attempt 1-2 s after the failure
    assert 2.0 <= offsets[1] - offsets[0] <= 4.0  # then 2-4 s
    assert 4.0 <= offsets[2] - offsets[1] <= 8.0  # then 4-8 s
    assert len(repairer.pending) == 0
    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split(";")[0] for r in failures] == [
        "repair: check of octo-org/rfcs#3 attempt 1: GitHubBroken: Bad Gateway",
        "repair: check of octo-org/rfcs#3 attempt 2: GitHubBroken: Bad Gateway",
    ]
    assert all(r.exc_info is None for r in caplog.records if r.levelno > logging.DEBUG)
    assert counts.seen == Counter(
        {("check", "queued"): 1, ("check", "failed"): 2, ("check", "repaired"): 1}
    )


async def test_a_repair_that_keeps_failing_gives_up_after_its_attempts(
    repairer: Repairer,
    time_: VirtualTime,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run = script(monkeypatch, time_, *(broken() for _ in range(10)))
    with caplog.at_level(logging.ERROR, logger="bot.features.repairs"):
        repairer.record(REPAIR, "delivery x: error")
        await until(lambda: counts.seen[("check", "given_up")] == 1)
    assert len(run.at) == 4 and len(repairer.pending) == 0
    [gave_up] = caplog.records
    assert gave_up.getMessage() == (
        "repair: check of octo-org/rfcs#3 given up after 4 attempts (GitHubBroken: Bad Gateway)"
    )


async def test_a_repair_waits_while_the_app_is_busy_with_its_pull_request(
    repairer: Repairer, time_: VirtualTime, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = script(monkeypatch, time_)
    busy = True
    repairer.admit = lambda repair: not busy
    repairer.record(REPAIR, "refused")
    await until(lambda: time_.now > 1_020.0)  # due long since, held back
    assert run.at == [] and repairer.pending.attempts(REPAIR) == 0
    busy = False
    await until(lambda: counts.seen[("check", "repaired")] == 1)
    assert len(run.at) == 1


async def test_work_that_waits_for_another_writer_is_asked_again_quietly(
    repairer: Repairer,
    time_: VirtualTime,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    script(monkeypatch, time_, NotDone("the announcement is the writer's for now"))
    with caplog.at_level(logging.INFO, logger="bot.features.repairs"):
        repairer.record(REPAIR, "x")
        await until(lambda: counts.seen[("check", "repaired")] == 1)
    assert counts.seen[("check", "waiting")] == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_repair_recorded_again_while_it_runs_runs_once_more(
    repairer: Repairer, time_: VirtualTime, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs: list[float] = []

    async def slow(gh: Any, ctx: Context, repair: Repair) -> None:
        runs.append(time_.now)
        started.set()
        await release.wait()

    monkeypatch.setitem(repairs_module.REPAIRS, Kind.CHECK, slow)  # type: ignore[arg-type]
    repairer.record(REPAIR, "first failure")
    await started.wait()
    repairer.record(REPAIR, "second failure while it runs")
    release.set()
    await until(lambda: counts.seen[("check", "repaired")] == 2)
    assert len(runs) == 2 and counts.seen[("check", "queued")] == 1


async def test_a_flood_of_failures_is_bounded(time_: VirtualTime, counts: Counts) -> None:
    waiting = Waiting(time_.monotonic, time_.sleep)
    repairer = Repairer(
        lambda: None,
        budget_seconds=60.0,
        waiting=waiting,
        metrics=counts,
        schedule=Schedule(max_entries=100),
    )
    for number in range(1, 10_001):
        repairer.record(Repair(Kind.CHECK, "octo-org/rfcs", number, 7), "flood")
    assert len(repairer.pending) == 100
    assert counts.seen == Counter({("check", "queued"): 100, ("check", "dropped"): 9_900})


def test_a_failed_delivery_records_what_its_handlers_do(time_: VirtualTime, counts: Counts) -> None:
    repairer = Repairer(
        lambda: None,
        budget_seconds=60.0,
        waiting=Waiting(time_.monotonic, time_.sleep),
        metrics=counts,
    )
    payload = {
        "action": "synchronize",
        "repository": {"full_name": "octo-org/rfcs"},
        "installation": {"id": 7},
        "pull_request": {"number": 3},
    }
    repairer.record_delivery("pull_request", payload, "delivery d: timeout")
    repairer.record_delivery("pull_request", payload, "delivery e: refused, backlog full")
    assert len(repairer.pending) == 2  # check and decision, each once
    assert counts.seen == Counter({("check", "queued"): 1, ("decision", "queued"): 1})
