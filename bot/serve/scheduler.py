"""Accepted deliveries waiting for their turn: admitted by time, ordered per key, fair across
groups.

``Scheduler`` holds what the webhook accepted and runs it under four rules:

- **Ordered per key.** Items with one ordering key (a pull request) run one after another,
  in the order they were submitted.
- **Oldest first within a group.** Of a group's keys with an item ready to run, the one whose
  item was submitted first runs first: a busy pull request's next item is not overtaken by
  later arrivals for other pull requests of its repository, so the wait the admission
  expects (the backlog ahead over the service rate) is the wait it gets.
- **Fair across groups.** A group (a repository) with a ready key waits its turn in a
  round-robin: when a slot frees, the next group in the ring gets it, so a flood of work for
  one repository delays another repository's item by at most one slot. A lone group may
  still use every slot (the scheduler is work-conserving).
- **Admitted by time, capped by count.** ``refusal()`` says why a new item must be refused:
  its expected wait passes ``max_wait_seconds`` (the backlog over the service rate measured
  while every slot was busy, or its key's pending items times the mean service time:
  ``bot.serve.admission``), or a memory cap would be passed (items pending in all, for its
  key, body bytes). The webhook answers those with 503, so an accepted item runs soon and
  memory does not grow with a backlog.

Only running items have a task; a queued item is a tuple in a deque, so a backlog costs its
payloads and nothing more.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, NamedTuple, TypeVar

from bot.serve.admission import ServiceRate, expected_wait, too_long

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How much may run at once and how much may wait."""

    concurrency: int  # items running at once
    max_pending: int  # items accepted and not finished (running or queued)
    max_pending_per_key: int  # of those, for one ordering key
    max_pending_bytes: int  # the summed sizes (request bodies) of pending items
    max_wait_seconds: float = math.inf  # a new item's expected wait to start (inf: no bound)


class Refusal(Enum):
    """Why an item was refused: the limit it would have passed."""

    PENDING = "pending"
    PER_KEY = "per_key"
    BYTES = "bytes"
    WAIT = "wait"


class _Entry(NamedTuple, Generic[T]):
    item: T
    size: int
    number: int  # submission order
    submitted: float  # the clock's time
    ahead: int | None  # queued before it with every slot busy (None: a slot or its key)


class Scheduler(Generic[T]):
    """Runs ``run(item)`` for each submitted item, at most ``limits.concurrency`` at a time."""

    def __init__(
        self,
        limits: Limits,
        run: Callable[[T], Awaitable[None]],
        cancelled: Callable[[T], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self.rate = ServiceRate()  # measured: the rate with every slot busy, the service time
        self._run = run
        self._cancelled = cancelled  # told of each queued item that never ran (shutdown)
        self._queues: dict[str, deque[_Entry[T]]] = {}  # key -> its items not yet finished
        self._group_of: dict[str, str] = {}  # key -> its group, while the key has items
        # group -> its keys with an item ready to run, a heap by that item's submission number
        self._ready: dict[str, list[tuple[int, str]]] = {}
        self._numbers = itertools.count()
        self._ring: deque[str] = deque()  # groups with a ready key, in turn order
        self._tasks: set[asyncio.Task[None]] = set()  # for cancelling at shutdown
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self.pending = 0
        self.pending_bytes = 0

    @property
    def running(self) -> int:
        return self._running

    @property
    def queued(self) -> int:
        return self.pending - self.running

    @property
    def saturated(self) -> bool:
        """Every slot is busy: a new item for a new key waits for a completion."""
        return self._running >= self.limits.concurrency

    def per_second(self) -> float | None:
        """The rate a wait for a slot is reckoned at (None until measured:
        ``bot.serve.admission``)."""
        return self.rate.slot_rate(self._clock())

    def expected_wait(self, key: str | None = None) -> float | None:
        """Seconds a new item (for ``key``) would wait to start; None while nothing is known."""
        ahead = len(self._queues.get(key, ())) if key is not None else 0
        service = self.rate.service_seconds()
        return expected_wait(self.queued, self.saturated, self.per_second(), ahead, service)

    def refusal(self, key: str, size: int) -> Refusal | None:
        """The limit a new item of ``size`` bytes for ``key`` would pass, or None."""
        limits = self.limits
        if self.pending >= limits.max_pending:
            return Refusal.PENDING
        queue = self._queues.get(key)
        if queue is not None and len(queue) >= limits.max_pending_per_key:
            return Refusal.PER_KEY
        # One item alone may pass the byte limit (else a big payload could never run).
        if self.pending and self.pending_bytes + size > limits.max_pending_bytes:
            return Refusal.BYTES
        if too_long(self.expected_wait(key), limits.max_wait_seconds):
            return Refusal.WAIT
        return None

    def quiet(self, key: str) -> bool:
        """No item of ``key`` is queued or running, and one would be admitted now: work of
        that key done outside the scheduler (the repair list) neither races nor overloads."""
        return key not in self._queues and self.refusal(key, 0) is None

    def submit(self, item: T, key: str, group: str, size: int = 0) -> None:
        """Queue ``item`` behind ``key``'s earlier items; start it if a slot is free.

        Call ``refusal()`` first: ``submit`` does not check the limits.
        """
        self.pending += 1
        self.pending_bytes += size
        self._idle.clear()
        queue = self._queues.get(key)
        # What its wait will say of the backlog's drain: only a wait for a slot says anything.
        ahead = self.queued if self.saturated and queue is None else None
        entry = _Entry(item, size, next(self._numbers), self._clock(), ahead)
        if queue is not None:  # the key is running or ready: the item waits behind it
            queue.append(entry)
            return
        self._queues[key] = deque((entry,))
        self._group_of[key] = group
        self._make_ready(key, group)
        self._start_ready()

    async def idle(self) -> None:
        """Return once every item submitted so far (and any they submitted) has finished."""
        await self._idle.wait()

    async def drain(self, timeout: float) -> int:
        """Stop starting items; wait up to ``timeout`` s for pending ones, then cancel the rest.

        Returns how many items were left unfinished (cancelled while running or never run).
        Until the timeout, queued items keep starting as slots free.
        """
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return 0
        except TimeoutError:
            pass
        unfinished = self.pending
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        for key, queue in list(self._queues.items()):
            for entry in queue:
                self._forget(entry.size)
                self._cancelled(entry.item)
            self._drop_key(key)
        self._ring.clear()
        self._ready.clear()
        return unfinished

    # --- internals --------------------------------------------------------------------------

    def _make_ready(self, key: str, group: str) -> None:
        ready = self._ready.get(group)
        if ready is None:
            ready = self._ready[group] = []
            self._ring.append(group)
        heapq.heappush(ready, (self._queues[key][0].number, key))

    def _start_ready(self) -> None:
        """Start ready keys, one group's turn at a time, while slots are free."""
        while self._ring and self._running < self.limits.concurrency and not self._closed:
            group = self._ring.popleft()
            ready = self._ready[group]
            _, key = heapq.heappop(ready)
            if ready:
                self._ring.append(group)  # its next key waits for the group's next turn
            else:
                del self._ready[group]
            entry = self._queues[key][0]
            self.rate.started(self._clock() - entry.submitted, entry.ahead)
            self._running += 1
            task = asyncio.create_task(self._one(key, entry.item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self.rate.observe(self._clock(), self.saturated)

    async def _one(self, key: str, item: T) -> None:
        started = self._clock()
        try:
            await self._run(item)
        finally:
            now = self._clock()
            self.rate.completed(now, now - started)
            self._running -= 1
            queue = self._queues[key]
            self._forget(queue.popleft().size)
            if queue:
                self._make_ready(key, self._group_of[key])
            else:
                self._drop_key(key)
            self._start_ready()

    def _forget(self, size: int) -> None:
        self.pending -= 1
        self.pending_bytes -= size
        if not self.pending:
            self._idle.set()

    def _drop_key(self, key: str) -> None:
        del self._queues[key]
        del self._group_of[key]
