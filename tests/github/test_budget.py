"""The rate budget: what GitHub last said is left, per installation, until the window resets."""

from __future__ import annotations

from bot.github.budget import RateBudget, budget_low


def test_low_only_below_the_reserve_and_within_the_window() -> None:
    now = [1_000.0]
    budget = RateBudget(500, wall_clock=lambda: now[0])
    assert not budget.low(1)  # never seen: nothing is known, nothing is put off
    budget.observe(1, 499, 2_000.0)
    budget.observe(2, 500, 2_000.0)
    assert budget.low(1) and not budget.low(2)
    now[0] = 2_000.0  # the window reset: the old reading no longer says anything
    assert not budget.low(1) and budget.reading(1) is None


def test_readings_are_bounded() -> None:
    budget = RateBudget(10, wall_clock=lambda: 0.0, installations=2)
    for key in range(5):
        budget.observe(key, 0, 60.0)
    assert [budget.reading(key) is not None for key in range(5)] == [False] * 3 + [True] * 2


def test_a_client_without_a_budget_is_never_low() -> None:
    assert budget_low(object()) is False
