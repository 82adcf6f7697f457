"""The repair list: what a delivery left undone, retried within seconds. Pure: no I/O.

A delivery whose handler still failed after the client's retries, or one the intake refused
with 503, leaves work undone on one pull request: its check run and labels, the numbers of a
merged pull request, the announcement of numbers, the reply to a comment's commands, a
decision. Each is a ``Repair``; the list keeps one entry per repair (a second failure of the
same work while it waits changes nothing, and one while it runs has it run once more), hands
out the entries that are due, and backs off each failed attempt: 2 s, 4 s, 8 s ... up to
``cap_seconds``, each jittered to between half and all of it, so that entries failing together
spread out. After ``max_attempts`` failed attempts an entry gives up: the reconciler's sweep
finds the same work again. The list is bounded (``max_entries``); past it a new repair is
refused and left to the sweep as well.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

# Deliveries whose handlers validate the pull request (``bot.features.check``).
_CHECKED = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})
_REVIEWED = frozenset({"submitted", "dismissed", "edited"})
_COMMENTED = frozenset({"created", "edited"})
# A re-run is asked for a commit; its payload lists the pull requests of that commit.
_MAX_PULLS_PER_RERUN = 10


class Kind(StrEnum):
    """What to repair, each by the idempotent repair the reconciler also runs."""

    CHECK = "check"  # the check run on the head, and the labels
    NUMBER = "number"  # a merged pull request's numbers, label and announcement
    ANNOUNCEMENT = "announcement"  # numbers this process assigned, not yet announced
    COMMAND = "command"  # the reply to one comment's commands
    DECISION = "decision"  # a running decision: its record, panel and labels


@dataclass(frozen=True, slots=True)
class Repair:
    """One piece of work left undone on pull request ``number`` of ``repo``."""

    kind: Kind
    repo: str
    number: int
    installation_id: int
    comment_id: int | None = None  # the comment whose commands a COMMAND repair answers

    @property
    def key(self) -> tuple[str, int, str, int | None]:
        return self.repo.lower(), self.number, self.kind.value, self.comment_id

    @property
    def ordering_key(self) -> str:
        """The key its pull request's deliveries are ordered by (``bot.serve.intake``)."""
        return f"{self.repo}#{self.number}"

    def __str__(self) -> str:
        comment = f" comment {self.comment_id}" if self.comment_id is not None else ""
        return f"{self.kind.value} of {self.repo}#{self.number}{comment}"


@dataclass(frozen=True)
class Schedule:
    """When an entry is tried again, when it gives up, and how many entries the list holds."""

    base_seconds: float = 2.0
    cap_seconds: float = 120.0
    max_attempts: int = 10  # 2 + 4 + ... + 120: about eight minutes of trying, at most
    max_entries: int = 10_000

    def delay(self, attempt: int, draw: float) -> float:
        """Seconds before attempt ``attempt`` (1: the first), ``draw`` uniform in [0, 1):
        ``base · 2^(attempt-1)``, capped, jittered to between half and all of it."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(max(attempt, 1) - 1, 32))
        return ceiling * (0.5 + draw / 2)


class Added(Enum):
    """What ``RepairList.add`` did."""

    QUEUED = "queued"  # a new entry
    WAITING = "waiting"  # the same repair already waits its turn: nothing changes
    AGAIN = "again"  # the same repair is running: it runs once more after
    FULL = "full"  # refused: the list is full (the sweep repairs it)


@dataclass
class _Entry:
    repair: Repair
    due: float
    attempts: int = 0  # failed attempts so far
    running: bool = False
    again: bool = False  # added again while running: its work may have changed
    ticket: int = 0  # the heap item that stands for it while it waits


@dataclass
class RepairList:
    """Repairs waiting for their time or running, one entry per ``Repair.key``."""

    schedule: Schedule = field(default_factory=Schedule)
    _entries: dict[tuple[str, int, str, int | None], _Entry] = field(default_factory=dict)
    # (due, ticket, key) of each waiting entry: the next due is at the top.
    _heap: list[tuple[float, int, tuple[str, int, str, int | None]]] = field(default_factory=list)
    _tickets: itertools.count[int] = field(default_factory=itertools.count)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, repair: object) -> bool:
        return isinstance(repair, Repair) and repair.key in self._entries

    def add(self, repair: Repair, now: float, draw: float) -> Added:
        """Queue ``repair`` for its first attempt, ``schedule.delay(1)`` from ``now``."""
        entry = self._entries.get(repair.key)
        if entry is not None:
            if not entry.running:
                return Added.WAITING
            entry.again = True
            return Added.AGAIN
        if len(self._entries) >= self.schedule.max_entries:
            return Added.FULL
        entry = self._entries[repair.key] = _Entry(repair, 0.0)
        self._wait(entry, now + self.schedule.delay(1, draw))
        return Added.QUEUED

    def take_due(self, now: float, limit: int) -> list[Repair]:
        """Up to ``limit`` entries due at ``now``, earliest first, now marked running."""
        taken: list[Repair] = []
        while self._heap and len(taken) < limit and self._heap[0][0] <= now:
            _, ticket, key = heapq.heappop(self._heap)
            entry = self._entries.get(key)
            if entry is None or entry.running or entry.ticket != ticket:
                continue  # not waiting under this ticket any more
            entry.running = True
            taken.append(entry.repair)
        return taken

    def next_due(self) -> float | None:
        """When the earliest waiting entry is due (None: none waits)."""
        while self._heap:
            due, ticket, key = self._heap[0]
            entry = self._entries.get(key)
            if entry is not None and not entry.running and entry.ticket == ticket:
                return due
            heapq.heappop(self._heap)
        return None

    def postpone(self, repair: Repair, until: float) -> None:
        """A running entry not tried after all (the App is busy): it waits until ``until``;
        no attempt is counted."""
        entry = self._running(repair)
        entry.running, entry.again = False, False
        self._wait(entry, until)

    def succeeded(self, repair: Repair, now: float, draw: float) -> bool:
        """The repair's attempt did its work. True when it was added again while it ran (its
        work may have changed since it read GitHub): it then waits for one more run."""
        entry = self._running(repair)
        if not entry.again:
            del self._entries[repair.key]
            return False
        entry.running, entry.again, entry.attempts = False, False, 0
        self._wait(entry, now + self.schedule.delay(1, draw))
        return True

    def failed(self, repair: Repair, now: float, draw: float) -> float | None:
        """The attempt failed: when the entry is due again, or None when it gave up (its
        ``max_attempts`` spent; the sweep finds the work again)."""
        entry = self._running(repair)
        entry.attempts += 1
        if entry.attempts >= self.schedule.max_attempts:
            del self._entries[repair.key]
            return None
        entry.running, entry.again = False, False
        due = now + self.schedule.delay(entry.attempts + 1, draw)
        self._wait(entry, due)
        return due

    def attempts(self, repair: Repair) -> int:
        """Failed attempts of ``repair`` so far (0 when it is not on the list)."""
        entry = self._entries.get(repair.key)
        return 0 if entry is None else entry.attempts

    def _running(self, repair: Repair) -> _Entry:
        entry = self._entries.get(repair.key)
        if entry is None or not entry.running:
            raise KeyError(f"{repair} is not running")
        return entry

    def _wait(self, entry: _Entry, due: float) -> None:
        entry.due, entry.ticket = due, next(self._tickets)
        heapq.heappush(self._heap, (due, entry.ticket, entry.repair.key))


# --- what a delivery leaves to repair -------------------------------------------------------


def repairs_for_delivery(event: str, data: Mapping[str, Any]) -> list[Repair]:
    """The repairs that do what a delivery's handlers do, read from its cheapest fields (a
    delivery refused with 503 is never read further; its payload may be of any shape)."""
    repo = _text(_part(data, "repository").get("full_name"))
    installation_id = _number(_part(data, "installation").get("id"))
    action = _text(data.get("action"))
    if not repo or installation_id is None:
        return []
    kinds_and_numbers = _work(event, action, data)
    return [
        Repair(kind, repo, number, installation_id, comment_id)
        for kind, number, comment_id in kinds_and_numbers
    ]


def _work(event: str, action: str, data: Mapping[str, Any]) -> list[tuple[Kind, int, int | None]]:
    if event == "pull_request":
        return _pull_request_work(action, data)
    if event == "pull_request_review" and action in _REVIEWED:
        number = _number(_part(data, "pull_request").get("number"))
        return [] if number is None else [(Kind.DECISION, number, None)]
    if event == "issue_comment" and action in _COMMENTED:
        return _comment_work(data)
    if event in ("check_run", "check_suite") and action == "rerequested":
        pulls = _part(data, event).get("pull_requests")
        numbers = [_number(_part_of(p).get("number")) for p in _items(pulls)]
        found = [n for n in numbers if n is not None][:_MAX_PULLS_PER_RERUN]
        return [(Kind.CHECK, number, None) for number in found]
    return []


def _pull_request_work(action: str, data: Mapping[str, Any]) -> list[tuple[Kind, int, int | None]]:
    pull = _part(data, "pull_request")
    number = _number(pull.get("number"))
    if number is None:
        return []
    if action in _CHECKED or (action == "edited" and "base" in _part(data, "changes")):
        work: list[tuple[Kind, int, int | None]] = [(Kind.CHECK, number, None)]
        if action == "synchronize":
            work.append((Kind.DECISION, number, None))
        return work
    if action == "closed" and pull.get("merged") is True:
        return [(Kind.NUMBER, number, None)]
    return []


def _comment_work(data: Mapping[str, Any]) -> list[tuple[Kind, int, int | None]]:
    issue, comment = _part(data, "issue"), _part(data, "comment")
    number, comment_id = _number(issue.get("number")), _number(comment.get("id"))
    by_bot = _part_of(comment.get("user")).get("type") == "Bot"
    if number is None or comment_id is None or by_bot or not issue.get("pull_request"):
        return []
    return [(Kind.COMMAND, number, comment_id)]


def _part(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return _part_of(data.get(name))


def _part_of(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
