"""The backlog: order per key, oldest first within a group, round-robin across groups,
admission by time and the caps, drain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.serve.admission import MIN_COMPLETIONS
from bot.serve.scheduler import Limits, Refusal, Scheduler

WIDE = Limits(concurrency=2, max_pending=1000, max_pending_per_key=1000, max_pending_bytes=10**9)


class Gate:
    """A run function whose items start when scheduled and finish when released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.cancelled: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def run(self, item: str) -> None:
        self.started.append(item)
        event = self.release.setdefault(item, asyncio.Event())
        await event.wait()
        self.finished.append(item)

    def never_ran(self, item: str) -> None:
        self.cancelled.append(item)

    async def finish(self, item: str) -> None:
        self.release.setdefault(item, asyncio.Event()).set()
        for _ in range(5):  # the task finishes, frees its slot, the next one starts
            await asyncio.sleep(0)


@pytest.fixture
async def made() -> AsyncIterator[list[Scheduler[str]]]:
    """Schedulers a test made, drained at its end so no task outlives the loop."""
    schedulers: list[Scheduler[str]] = []
    yield schedulers
    for backlog in schedulers:
        await backlog.drain(0)


def scheduler(gate: Gate, limits: Limits = WIDE) -> Scheduler[str]:
    return Scheduler(limits, gate.run, gate.never_ran)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def measured(gate: Gate, limits: Limits, clock: Clock, backlog_size: int) -> Scheduler[str]:
    """A one-slot scheduler that has finished 20 items, one every 0.1 s with the slot busy
    (10 a second), and holds ``backlog_size`` more (one running, the rest queued)."""
    backlog = Scheduler(limits, gate.run, gate.never_ran, clock)
    for n in range(20 + backlog_size):
        backlog.submit(f"i{n}", f"i{n}", "g")
    await settle()
    for n in range(20):
        clock.now += 0.1
        await gate.finish(f"i{n}")
    return backlog


async def test_a_flood_for_one_repository_delays_another_by_at_most_one_slot(
    made: list[Scheduler[str]],
) -> None:
    gate = Gate()
    backlog = scheduler(gate)
    made.append(backlog)
    flood = [f"flood#{n}" for n in range(50)]
    for item in flood:
        backlog.submit(item, key=item, group="octo/flood")
    backlog.submit("quiet#1", key="quiet#1", group="octo/quiet")
    await settle()
    assert gate.started == ["flood#0", "flood#1"]  # both slots taken before it arrived
    await gate.finish("flood#0")
    await gate.finish("flood#1")
    # One flood item took the first free slot; the quiet repository got the second.
    assert gate.started == ["flood#0", "flood#1", "flood#2", "quiet#1"]
    # FIFO across all deliveries would have started it 51st.


async def test_groups_take_turns_but_a_lone_group_uses_every_slot(
    made: list[Scheduler[str]],
) -> None:
    gate = Gate()
    backlog = scheduler(gate, Limits(3, 100, 100, 10**9))
    made.append(backlog)
    for n in range(3):
        backlog.submit(f"a{n}", key=f"a{n}", group="a")
    await settle()
    assert gate.started == ["a0", "a1", "a2"]  # work-conserving: no cap per group
    for n in range(3, 6):
        backlog.submit(f"a{n}", key=f"a{n}", group="a")
        backlog.submit(f"b{n}", key=f"b{n}", group="b")
    for n in range(3):
        await gate.finish(f"a{n}")
    assert gate.started[3:] == ["a3", "b3", "a4"]


async def test_items_of_one_key_run_one_after_another_in_order() -> None:
    gate = Gate()
    backlog = scheduler(gate)
    for n in range(3):
        backlog.submit(f"pr#{n}", key="o/r#1", group="o/r")
    backlog.submit("other", key="o/r#2", group="o/r")
    await settle()
    assert gate.started == ["pr#0", "other"]  # one per key at a time, the slot is shared
    await gate.finish("pr#0")
    assert gate.started[-1] == "pr#1"
    await gate.finish("pr#1")
    await gate.finish("pr#2")
    await gate.finish("other")
    assert gate.finished == ["pr#0", "pr#1", "pr#2", "other"]
    assert backlog.pending == backlog.running == 0


async def test_limits_refuse_past_pending_per_key_and_bytes(made: list[Scheduler[str]]) -> None:
    gate = Gate()
    backlog = scheduler(gate, Limits(1, 4, 2, 100))
    made.append(backlog)
    assert backlog.refusal("k", 10**6) is None  # a lone item may be larger than the limit
    backlog.submit("k0", "k", "g", size=60)
    backlog.submit("k1", "k", "g", size=10)
    assert backlog.refusal("k", 1) is Refusal.PER_KEY
    assert backlog.refusal("j", 31) is Refusal.BYTES
    assert backlog.refusal("j", 30) is None
    backlog.submit("j0", "j", "g", size=10)
    backlog.submit("i0", "i", "g", size=10)
    assert backlog.refusal("h", 0) is Refusal.PENDING
    assert (backlog.pending, backlog.running, backlog.queued, backlog.pending_bytes) == (
        4,
        1,
        3,
        90,
    )
    await gate.finish("k0")
    assert backlog.refusal("h", 0) is None
    assert backlog.pending_bytes == 30


async def test_refused_by_time_once_the_expected_wait_passes_the_bound(
    made: list[Scheduler[str]],
) -> None:
    gate, clock = Gate(), Clock()
    backlog = await measured(gate, Limits(1, 1000, 1000, 10**9, max_wait_seconds=1.0), clock, 9)
    made.append(backlog)
    assert backlog.per_second() == pytest.approx(10.0, rel=0.05)
    # 8 queued: a new item starts after 9 completions, 0.9 s at 10 a second.
    assert backlog.expected_wait() == pytest.approx(0.9, rel=0.05)
    assert backlog.refusal("new", 0) is None
    backlog.submit("i29", "i29", "g")
    backlog.submit("i30", "i30", "g")  # 10 queued: 1.1 s
    assert backlog.expected_wait() == pytest.approx(1.1, rel=0.05)
    assert backlog.refusal("new", 0) is Refusal.WAIT
    clock.now += 0.1
    await gate.finish("i20")  # one fewer ahead: under the bound again
    assert backlog.refusal("new", 0) is None


async def test_a_free_slot_means_no_wait_whatever_the_rate(made: list[Scheduler[str]]) -> None:
    gate, clock = Gate(), Clock()
    limits = Limits(2, 1000, 1000, 10**9, max_wait_seconds=0.1)
    backlog = Scheduler(limits, gate.run, gate.never_ran, clock)
    made.append(backlog)
    backlog.rate.observe(clock.now, True)
    for _ in range(MIN_COMPLETIONS):  # a slow rate, measured
        clock.now += 10.0
        backlog.rate.completed(clock.now, 10.0)
    backlog.rate.observe(clock.now, False)
    backlog.submit("one", "one", "g")
    await settle()
    assert backlog.expected_wait() == 0.0 and backlog.refusal("two", 0) is None
    backlog.submit("two", "two", "g")
    await settle()
    assert backlog.refusal("three", 0) is Refusal.WAIT  # both slots busy, 10 s each


async def test_a_flood_on_one_pull_request_is_refused_for_it_alone(
    made: list[Scheduler[str]],
) -> None:
    """Its deliveries run one after another: past the bound's worth of them (at the mean
    service time) that pull request is refused, while others, and the process, have room."""
    gate, clock = Gate(), Clock()
    backlog = Scheduler(Limits(4, 1000, 1000, 10**9, 1.0), gate.run, gate.never_ran, clock)
    made.append(backlog)
    for n in range(MIN_COMPLETIONS):  # items that each ran 0.1 s, a slot always free
        backlog.submit(f"warm{n}", f"warm{n}", "g")
        await settle()
        clock.now += 0.1
        await gate.finish(f"warm{n}")
    assert backlog.rate.service_seconds() == pytest.approx(0.1)
    for n in range(11):
        if n < 10:  # at most 9 ahead of it: 0.9 s
            assert backlog.refusal("flood", 0) is None
        backlog.submit(f"flood{n}", "flood", "g")
    assert backlog.refusal("flood", 0) is Refusal.WAIT  # 11 ahead: 1.1 s
    assert backlog.refusal("other", 0) is None
    assert backlog.expected_wait() == 0.0  # three slots free


async def test_cold_start_refuses_only_at_the_caps(made: list[Scheduler[str]]) -> None:
    gate, clock = Gate(), Clock()
    backlog = Scheduler(Limits(1, 50, 1000, 10**9, 0.001), gate.run, gate.never_ran, clock)
    made.append(backlog)
    for n in range(50):
        assert backlog.refusal(f"k{n}", 0) is None
        backlog.submit(f"k{n}", f"k{n}", "g")
    await settle()
    assert backlog.expected_wait() is None
    assert backlog.refusal("over", 0) is Refusal.PENDING


async def test_a_cap_is_named_before_the_wait(made: list[Scheduler[str]]) -> None:
    """Both passed: the cap is the reason (it says the memory bound, not the rate, refused)."""
    gate, clock = Gate(), Clock()
    backlog = await measured(gate, Limits(1, 15, 1000, 10**9, 0.5), clock, 15)
    made.append(backlog)
    assert backlog.refusal("new", 0) is Refusal.PENDING


async def test_within_a_repository_the_oldest_delivery_runs_first(
    made: list[Scheduler[str]],
) -> None:
    """A busy pull request's next delivery is not overtaken by later ones for others."""
    gate = Gate()
    backlog = scheduler(gate, Limits(1, 100, 100, 10**9))
    made.append(backlog)
    for item, key in (("x0", "x"), ("a1", "a"), ("b1", "b"), ("a2", "a"), ("c1", "c")):
        backlog.submit(item, key, "o/r")
    for item in ("x0", "a1", "b1", "a2"):
        await gate.finish(item)
    # A round-robin over pull requests would have run c1 before a2.
    assert gate.started == ["x0", "a1", "b1", "a2", "c1"]


@settings(max_examples=50, deadline=None)
@given(keys=st.lists(st.integers(0, 4), min_size=1, max_size=30))
def test_one_slot_and_one_repository_run_in_submission_order(keys: list[int]) -> None:
    async def scenario() -> None:
        ran: list[int] = []

        async def run(index: int) -> None:
            ran.append(index)
            await asyncio.sleep(0)

        backlog: Scheduler[int] = Scheduler(Limits(1, 100, 100, 10**9), run, lambda i: None)
        for index, key in enumerate(keys):
            backlog.submit(index, f"o/r#{key}", "o/r")
        await backlog.idle()
        assert ran == list(range(len(keys)))

    asyncio.run(scenario())


async def test_drain_waits_then_cancels_running_and_reports_queued() -> None:
    gate = Gate()
    backlog = scheduler(gate, Limits(1, 10, 10, 10**9))
    backlog.submit("running", "a", "g")
    backlog.submit("queued", "a", "g")
    backlog.submit("other", "b", "h")
    await settle()
    unfinished = await backlog.drain(0.01)
    assert unfinished == 3
    assert gate.started == ["running"] and gate.finished == []
    assert sorted(gate.cancelled) == ["other", "queued"]
    assert backlog.pending == backlog.pending_bytes == 0
    await backlog.idle()  # returns at once: nothing left


async def test_drain_returns_zero_when_everything_finishes_in_time() -> None:
    gate = Gate()
    backlog = scheduler(gate)
    backlog.submit("one", "a", "g")
    backlog.submit("two", "a", "g")
    await settle()
    draining = asyncio.create_task(backlog.drain(5.0))
    await gate.finish("one")  # queued items keep starting while draining
    await gate.finish("two")
    assert await draining == 0
    assert gate.finished == ["one", "two"] and gate.cancelled == []


async def test_a_failing_item_frees_its_slot_and_its_key() -> None:
    ran: list[str] = []

    async def run(item: str) -> None:
        ran.append(item)
        if item == "bad":
            raise RuntimeError("boom")

    backlog: Scheduler[str] = Scheduler(Limits(1, 10, 10, 10**9), run, ran.append)
    backlog.submit("bad", "k", "g")
    backlog.submit("good", "k", "g")
    await backlog.idle()
    assert ran == ["bad", "good"] and backlog.pending == 0


@settings(max_examples=60, deadline=None)
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 5), st.booleans()), min_size=1, max_size=40
    ),
    concurrency=st.integers(1, 4),
)
def test_every_item_runs_once_in_key_order_within_the_concurrency(
    plan: list[tuple[int, int, bool]], concurrency: int
) -> None:
    """Submissions interleaved with completions in any order keep every invariant."""

    async def scenario() -> None:
        running: set[str] = set()
        most = 0
        order: dict[str, list[int]] = {}
        release: dict[int, asyncio.Event] = {}

        async def run(item: tuple[str, int]) -> None:
            nonlocal most
            key, index = item
            assert key not in running  # one item per key at a time
            running.add(key)
            most = max(most, len(running))
            order.setdefault(key, []).append(index)
            await release.setdefault(index, asyncio.Event()).wait()
            running.discard(key)

        backlog: Scheduler[tuple[str, int]] = Scheduler(
            Limits(concurrency, 1000, 1000, 10**9), run, lambda item: None
        )
        for index, (group, key, settle_one) in enumerate(plan):
            backlog.submit((f"{group}/{key}", index), f"{group}/{key}", str(group))
            if settle_one:  # let the oldest started item finish
                await asyncio.sleep(0)
                for waiting in sorted(release):
                    if not release[waiting].is_set():
                        release[waiting].set()
                        break
                await asyncio.sleep(0)
        while backlog.pending:
            for event in list(release.values()):
                event.set()
            await asyncio.sleep(0)
        assert most <= concurrency
        assert sorted(i for indices in order.values() for i in indices) == list(range(len(plan)))
        for indices in order.values():
            assert indices == sorted(indices)
        assert backlog.pending_bytes == 0 and backlog.running == 0

    asyncio.run(scenario())
