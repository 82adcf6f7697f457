"""The repair list (``bot.policy.repairs``): one entry per repair, due in backoff order, given
up after its attempts, bounded; and the repairs a delivery's cheap fields name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bot.policy.repairs import (
    Added,
    Kind,
    Repair,
    RepairList,
    Schedule,
    repairs_for_delivery,
)

REPO = "octo-org/rfcs"


def repair(kind: Kind = Kind.CHECK, number: int = 1, comment_id: int | None = None) -> Repair:
    return Repair(kind, REPO, number, 7, comment_id)


# --- the schedule ---------------------------------------------------------------------------


def test_delays_double_from_two_seconds_up_to_the_cap_jittered() -> None:
    schedule = Schedule(base_seconds=2.0, cap_seconds=120.0)
    assert [schedule.delay(n, 0.999999) for n in range(1, 9)] == pytest.approx(
        [2, 4, 8, 16, 32, 64, 120, 120], rel=1e-5
    )
    assert [schedule.delay(n, 0.0) for n in range(1, 4)] == [1.0, 2.0, 4.0]


@given(st.integers(min_value=-5, max_value=10_000), st.floats(min_value=0.0, max_value=0.999))
def test_a_delay_is_between_half_and_all_of_its_capped_step(attempt: int, draw: float) -> None:
    schedule = Schedule()
    step = min(schedule.cap_seconds, schedule.base_seconds * 2 ** min(max(attempt, 1) - 1, 32))
    assert step / 2 <= schedule.delay(attempt, draw) <= step


# --- the list -------------------------------------------------------------------------------


def test_a_repair_is_due_within_seconds_then_backs_off_then_gives_up() -> None:
    repairs = RepairList(Schedule(max_attempts=3))
    item = repair()
    assert repairs.add(item, now=100.0, draw=0.0) is Added.QUEUED
    assert repairs.next_due() == 101.0
    assert repairs.take_due(100.5, limit=5) == []
    assert repairs.take_due(101.0, limit=5) == [item]
    assert repairs.failed(item, now=101.0, draw=0.0) == 103.0  # second attempt: 2-4 s later
    assert repairs.take_due(103.0, limit=5) == [item]
    assert repairs.failed(item, now=103.0, draw=0.0) == 107.0
    assert repairs.take_due(107.0, limit=5) == [item]
    assert repairs.failed(item, now=107.0, draw=0.0) is None  # three attempts: given up
    assert len(repairs) == 0 and repairs.next_due() is None


def test_the_same_repair_twice_is_one_entry_and_keeps_its_place() -> None:
    repairs = RepairList()
    first = repair()
    assert repairs.add(first, 0.0, 0.0) is Added.QUEUED
    assert repairs.add(repair(), 50.0, 0.0) is Added.WAITING
    assert len(repairs) == 1 and repairs.next_due() == 1.0
    # Another kind, pull request or comment is other work.
    assert repairs.add(repair(Kind.NUMBER), 0.0, 0.0) is Added.QUEUED
    assert repairs.add(repair(number=2), 0.0, 0.0) is Added.QUEUED
    assert repairs.add(repair(Kind.COMMAND, comment_id=5), 0.0, 0.0) is Added.QUEUED
    assert repairs.add(repair(Kind.COMMAND, comment_id=6), 0.0, 0.0) is Added.QUEUED
    assert len(repairs) == 5


def test_a_repair_added_while_it_runs_runs_once_more() -> None:
    repairs = RepairList()
    item = repair()
    repairs.add(item, 0.0, 0.0)
    [running] = repairs.take_due(1.0, 1)
    # A new failure of the same work while its repair reads GitHub: what it read may be old.
    assert repairs.add(item, 1.5, 0.0) is Added.AGAIN
    assert repairs.succeeded(running, now=2.0, draw=0.0) is True
    assert repairs.take_due(3.0, 1) == [item]
    assert repairs.succeeded(item, now=3.0, draw=0.0) is False
    assert len(repairs) == 0


def test_a_postponed_repair_counts_no_attempt() -> None:
    repairs = RepairList(Schedule(max_attempts=1))
    item = repair()
    repairs.add(item, 0.0, 0.0)
    repairs.take_due(1.0, 1)
    repairs.postpone(item, until=9.0)
    assert repairs.attempts(item) == 0 and repairs.next_due() == 9.0
    assert repairs.take_due(9.0, 1) == [item]


def test_the_list_is_bounded() -> None:
    repairs = RepairList(Schedule(max_entries=3))
    assert [repairs.add(repair(number=n), 0.0, 0.5) for n in range(1, 6)] == [
        Added.QUEUED,
        Added.QUEUED,
        Added.QUEUED,
        Added.FULL,
        Added.FULL,
    ]
    assert len(repairs) == 3


def test_take_due_hands_out_the_earliest_first_up_to_its_limit() -> None:
    repairs = RepairList()
    late, early, middle = repair(number=1), repair(number=2), repair(number=3)
    repairs.add(late, 10.0, 0.0)
    repairs.add(early, 0.0, 0.0)
    repairs.add(middle, 5.0, 0.0)
    assert repairs.take_due(100.0, limit=2) == [early, middle]
    assert repairs.take_due(100.0, limit=2) == [late]


def test_only_a_running_repair_can_succeed_or_fail() -> None:
    repairs = RepairList()
    item = repair()
    repairs.add(item, 0.0, 0.0)
    with pytest.raises(KeyError):
        repairs.failed(item, 0.0, 0.0)
    with pytest.raises(KeyError):
        repairs.succeeded(repair(number=9), 0.0, 0.0)


class RepairListMachine(RuleBasedStateMachine):
    """Any sequence of adds, hand-outs, successes, failures and postponements, compared with
    a plain model: the list never holds more than its bound, never hands out what is not due
    or already running, and every entry ends (done or given up) within its attempts."""

    def __init__(self) -> None:
        super().__init__()
        self.schedule = Schedule(max_attempts=4, max_entries=6)
        self.repairs = RepairList(self.schedule)
        self.now = 0.0
        self.waiting: dict[Repair, float] = {}  # the model: repair -> due
        self.running: set[Repair] = set()
        self.again: set[Repair] = set()
        self.failures: dict[Repair, int] = {}

    repairs_drawn = st.builds(
        repair,
        st.sampled_from(list(Kind)),
        st.integers(min_value=1, max_value=4),
        st.sampled_from([None, 1]),
    )

    @rule(item=repairs_drawn, draw=st.floats(min_value=0.0, max_value=0.999))
    def add(self, item: Repair, draw: float) -> None:
        added = self.repairs.add(item, self.now, draw)
        if item in self.waiting:
            assert added is Added.WAITING
        elif item in self.running:
            assert added is Added.AGAIN
            self.again.add(item)
        elif len(self.waiting) + len(self.running) >= self.schedule.max_entries:
            assert added is Added.FULL
        else:
            assert added is Added.QUEUED
            self.waiting[item] = self.now + self.schedule.delay(1, draw)
            self.failures[item] = 0

    @rule(seconds=st.floats(min_value=0.0, max_value=300.0))
    def wait(self, seconds: float) -> None:
        self.now += seconds

    @rule(limit=st.integers(min_value=1, max_value=4))
    def take_due(self, limit: int) -> None:
        taken = self.repairs.take_due(self.now, limit)
        assert len(taken) <= limit
        for item in taken:
            assert self.waiting.pop(item) <= self.now
            self.running.add(item)
        due = sorted(d for d in self.waiting.values() if d <= self.now)
        assert not due or len(taken) == limit  # nothing due was left while there was room

    @precondition(lambda self: self.running)
    @rule(data=st.data(), draw=st.floats(min_value=0.0, max_value=0.999))
    def succeed(self, data: st.DataObject, draw: float) -> None:
        item = data.draw(st.sampled_from(sorted(self.running, key=str)))
        again = self.repairs.succeeded(item, self.now, draw)
        assert again == (item in self.again)
        self.running.discard(item)
        self.again.discard(item)
        if again:
            self.waiting[item] = self.now + self.schedule.delay(1, draw)
            self.failures[item] = 0

    @precondition(lambda self: self.running)
    @rule(data=st.data(), draw=st.floats(min_value=0.0, max_value=0.999))
    def fail(self, data: st.DataObject, draw: float) -> None:
        item = data.draw(st.sampled_from(sorted(self.running, key=str)))
        due = self.repairs.failed(item, self.now, draw)
        self.running.discard(item)
        self.again.discard(item)
        self.failures[item] += 1
        if self.failures[item] >= self.schedule.max_attempts:
            assert due is None
        else:
            assert due is not None and due > self.now
            self.waiting[item] = due

    @precondition(lambda self: self.running)
    @rule(data=st.data(), seconds=st.floats(min_value=0.0, max_value=10.0))
    def postpone(self, data: st.DataObject, seconds: float) -> None:
        item = data.draw(st.sampled_from(sorted(self.running, key=str)))
        self.repairs.postpone(item, self.now + seconds)
        self.running.discard(item)
        self.again.discard(item)
        self.waiting[item] = self.now + seconds

    @invariant()
    def matches_the_model(self) -> None:
        assert len(self.repairs) == len(self.waiting) + len(self.running)
        assert len(self.repairs) <= self.schedule.max_entries
        expected = min(self.waiting.values(), default=None)
        assert self.repairs.next_due() == expected
        for item in self.waiting:
            assert self.repairs.attempts(item) == self.failures[item] < self.schedule.max_attempts


TestRepairList = RepairListMachine.TestCase


# --- what a delivery names ------------------------------------------------------------------


def payload(**parts: Any) -> dict[str, Any]:
    return {"repository": {"full_name": REPO}, "installation": {"id": 7}, **parts}


@pytest.mark.parametrize(
    ("event", "data", "expected"),
    [
        (
            "pull_request",
            payload(action="opened", pull_request={"number": 3}),
            [repair(Kind.CHECK, 3)],
        ),
        (
            "pull_request",
            payload(action="synchronize", pull_request={"number": 3}),
            [repair(Kind.CHECK, 3), repair(Kind.DECISION, 3)],
        ),
        (
            "pull_request",
            payload(action="edited", pull_request={"number": 3}, changes={"base": {}}),
            [repair(Kind.CHECK, 3)],
        ),
        ("pull_request", payload(action="edited", pull_request={"number": 3}), []),
        (
            "pull_request",
            payload(action="closed", pull_request={"number": 3, "merged": True}),
            [repair(Kind.NUMBER, 3)],
        ),
        ("pull_request", payload(action="closed", pull_request={"number": 3, "merged": False}), []),
        (
            "issue_comment",
            payload(
                action="created",
                issue={"number": 4, "pull_request": {"url": "x"}},
                comment={"id": 99, "user": {"type": "User"}},
            ),
            [repair(Kind.COMMAND, 4, 99)],
        ),
        (
            "issue_comment",
            payload(action="created", issue={"number": 4}, comment={"id": 99}),
            [],  # on an issue, not a pull request: commands are not run there
        ),
        (
            "issue_comment",
            payload(
                action="created",
                issue={"number": 4, "pull_request": {"url": "x"}},
                comment={"id": 99, "user": {"type": "Bot"}},
            ),
            [],
        ),
        ("issue_comment", payload(action="deleted", issue={"number": 4}, comment={"id": 9}), []),
        (
            "pull_request_review",
            payload(action="submitted", pull_request={"number": 5}),
            [repair(Kind.DECISION, 5)],
        ),
        (
            "check_suite",
            payload(action="rerequested", check_suite={"pull_requests": [{"number": 6}]}),
            [repair(Kind.CHECK, 6)],
        ),
        ("installation", payload(action="created"), []),
        ("pull_request", {"action": "opened", "pull_request": {"number": 3}}, []),
    ],
)
def test_the_repairs_a_delivery_names(
    event: str, data: dict[str, Any], expected: list[Repair]
) -> None:
    assert repairs_for_delivery(event, data) == expected


field_names = st.sampled_from(
    ["repository", "installation", "action", "pull_request", "issue", "comment", "changes",
     "check_run", "check_suite", "number", "merged", "id", "full_name", "pull_requests"]
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2, max_value=9) | st.sampled_from(["", "x"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(field_names, inner, max_size=3),
    max_leaves=8,
)


@given(
    st.sampled_from(["pull_request", "issue_comment", "pull_request_review", "check_run", "x"]),
    st.dictionaries(field_names, json_values, max_size=6),
)
def test_any_payload_shape_names_repairs_or_none_and_never_raises(
    event: str, data: dict[str, Any]
) -> None:
    for found in repairs_for_delivery(event, data):
        assert found.number > 0 and found.installation_id > 0 and found.repo
