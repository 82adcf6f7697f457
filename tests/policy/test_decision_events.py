"""The decision history's events (``bot.policy.decisions.events``): the latest start per
path. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.policy.decisions.events import Reminded, Started, latest_starts

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PATH = "rfcs/0000-retries.md"
OTHER = "rfcs/0000-audit-log.md"


def test_the_latest_start_per_path() -> None:
    first = Started(T0, "alice", PATH, "Proposed", "Final")
    second = Started(T0 + timedelta(hours=1), "bob", PATH, "Proposed", "Final")
    other = Started(T0, "carol", OTHER, "Proposed", "Final")
    assert latest_starts([second, first, other, Reminded(T0, PATH)]) == {
        PATH: second,
        OTHER: other,
    }
