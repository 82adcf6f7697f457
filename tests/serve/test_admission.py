"""Admission by time (``bot.serve.admission``): the measured service rate and the refusal it
drives, against a model process whose true waits are known."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.serve.admission import (
    LONG_HORIZON_SECONDS,
    MIN_COMPLETIONS,
    SHORT_HORIZON_SECONDS,
    ServiceRate,
    expected_wait,
    too_long,
)
from tests.serve.service_model import Arrival, ModelProcess, steady

# Past this many horizons of steady service an average has forgotten what came before: the
# short one for a slowdown (and for a first busy stretch, where both averages see the same),
# the long one for a speed-up.
SETTLE_SECONDS = 4 * SHORT_HORIZON_SECONDS
SETTLE_AFTER_SPEED_UP = 4 * LONG_HORIZON_SECONDS
# The band around the bound where either answer is right: the estimate follows a rate that
# jitters (service times vary by +-50 %) and lags a change by a few horizons.
BAND = 1.5


def saturated_for(
    rate: ServiceRate, start: float, seconds: float, per_second: float, took: float = 0.1
) -> float:
    """Completions at ``per_second`` with every slot busy, from ``start``, each item having
    run ``took`` seconds; returns the end."""
    rate.observe(start, True)
    now = start
    for _ in range(int(seconds * per_second)):
        now += 1 / per_second
        rate.completed(now, took)
    return now


def test_cold_start_knows_nothing_until_enough_completions() -> None:
    rate = ServiceRate()
    rate.observe(0.0, True)
    for n in range(1, MIN_COMPLETIONS):
        rate.completed(n * 0.01, 0.5)
        assert rate.per_second(n * 0.01) is None and rate.service_seconds() is None
    # Unknown: nothing is refused by time, whatever the backlog (the caps decide).
    wait = expected_wait(10**6, True, rate.per_second(1.0))
    assert wait is None and not too_long(wait, 10.0)
    rate.completed(0.5, 0.5)
    assert rate.per_second(0.5) is not None and rate.service_seconds() == 0.5


def test_completions_while_a_slot_was_free_say_nothing_of_the_rate() -> None:
    """A process given 5 deliveries a second finishes 5 a second, whatever it could do."""
    rate = ServiceRate()
    rate.observe(0.0, False)
    for n in range(100):
        rate.completed(n * 0.2, 0.05)
    assert rate.per_second(20.0) is None and rate.seen == 0
    assert rate.service_seconds() == pytest.approx(0.05)  # how long each took still counts


def test_the_rate_is_completions_per_saturated_second() -> None:
    rate = ServiceRate()
    end = saturated_for(rate, 0.0, 10.0, 40.0)
    assert rate.per_second(end) == pytest.approx(40.0, rel=0.02)


def test_idle_time_neither_counts_nor_ages_the_rate() -> None:
    rate = ServiceRate()
    end = saturated_for(rate, 0.0, 10.0, 40.0)
    before = rate.per_second(end)
    rate.observe(end, False)
    assert rate.per_second(end + 3600.0) == before


def test_a_stall_pulls_the_rate_down_until_the_backlog_is_refused() -> None:
    """Every slot busy and nothing finishing (GitHub hanging): the rate decays towards 0."""
    rate = ServiceRate()
    end = saturated_for(rate, 0.0, 10.0, 40.0)
    assert not too_long(expected_wait(100, True, rate.per_second(end)), 10.0)  # 2.5 s
    stalled = rate.per_second(end + 3 * SHORT_HORIZON_SECONDS)
    assert stalled is not None and stalled < 40.0 * 0.06
    assert too_long(expected_wait(100, True, stalled), 10.0)


def test_a_burst_is_believed_slowly_and_a_slowdown_at_once() -> None:
    bursting, slowing = ServiceRate(), ServiceRate()
    burst = saturated_for(bursting, saturated_for(bursting, 0.0, 30.0, 20.0), 2.0, 100.0)
    assert bursting.short.per_second() > 70.0  # quick completions for 2 s
    assert (bursting.per_second(burst) or 0) < 40.0  # the long average: still about 30
    slow = saturated_for(slowing, saturated_for(slowing, 0.0, 30.0, 20.0), 3.0, 5.0)
    assert slowing.long.per_second() > 15.0
    assert (slowing.per_second(slow) or 0) < 10.0  # the short average has it after 3 s


def test_the_slot_rate_is_the_slower_of_the_measured_rate_and_the_drain_items_saw() -> None:
    """A burst of quick completions says 40 a second; items admitted behind 99 others waited
    10 s for a slot: the backlog drains at 10 a second, and a new wait is reckoned at that."""
    rate = ServiceRate()
    end = saturated_for(rate, 0.0, 10.0, 40.0)
    assert rate.slot_rate(end) == pytest.approx(40.0, rel=0.02)
    for _ in range(200):
        rate.started(10.0, 99)
    assert rate.slot_rate(end) == pytest.approx(10.0)
    for _ in range(200):  # items now drain faster than the completions say: the completions
        rate.started(0.5, 99)
    assert rate.slot_rate(end) == pytest.approx(40.0, rel=0.02)
    rate.started(5.0, None)  # it had a slot at once, or waited behind its own key: no news
    rate.started(0.0, 10)
    assert rate.drain == pytest.approx(200.0, rel=0.01)


def test_expected_wait_counts_the_completion_that_frees_a_slot() -> None:
    assert expected_wait(0, False, 10.0) == 0.0  # a slot is free: it starts at once
    assert expected_wait(0, False, None) == 0.0
    assert expected_wait(0, True, 10.0) == pytest.approx(0.1)
    assert expected_wait(19, True, 10.0) == pytest.approx(2.0)
    assert expected_wait(5, True, 0.0) == math.inf
    assert expected_wait(5, True, None) is None  # the rate is not known yet


def test_expected_wait_behind_its_own_key_is_the_longer_when_it_is() -> None:
    """A pull request's deliveries run one after another, slots free or not."""
    assert expected_wait(0, False, 10.0, ahead_of_key=30, service_seconds=0.5) == 15.0
    assert expected_wait(99, True, 10.0, ahead_of_key=2, service_seconds=0.5) == 10.0
    assert expected_wait(0, True, None, ahead_of_key=4, service_seconds=0.5) == 2.0
    assert expected_wait(0, True, None, ahead_of_key=4, service_seconds=None) is None


def test_the_mean_service_time_follows_recent_items() -> None:
    rate = ServiceRate()
    for n in range(100):
        rate.completed(float(n), 0.2)
    for n in range(100, 200):
        rate.completed(float(n), 1.0)
    assert rate.service_seconds() == pytest.approx(1.0, rel=0.01)


@given(
    queued=st.integers(0, 10**6),
    saturated=st.booleans(),
    per_second=st.none() | st.floats(0.0, 1e6),
    ahead_of_key=st.integers(0, 1000),
    service=st.none() | st.floats(0.0, 100.0),
    bound=st.floats(0.1, 3600.0),
)
def test_refused_exactly_when_a_known_wait_passes_the_bound(
    queued: int,
    saturated: bool,
    per_second: float | None,
    ahead_of_key: int,
    service: float | None,
    bound: float,
) -> None:
    refused = too_long(expected_wait(queued, saturated, per_second, ahead_of_key, service), bound)
    for_a_slot = saturated and per_second is not None and (queued + 1) > bound * per_second
    behind_its_key = service is not None and ahead_of_key * service > bound
    assert refused == (for_a_slot or behind_its_key)


def check_band(arrivals: list[Arrival], bound: float, after: float) -> None:
    """From ``after`` on, a true wait well under the bound is admitted, one well over it is
    refused."""
    judged = [a for a in arrivals if a.at >= after]
    assert judged, "the scenario judged nothing"
    for arrival in judged:
        if arrival.true_wait < bound / BAND:
            assert arrival.admitted, arrival
        if arrival.true_wait > bound * BAND:
            assert not arrival.admitted, arrival


# The bound spans several service times and many completions, as in production (10 s against
# 0.1-0.5 s, hundreds of completions): a wait of a few completions depends on when the running
# items started and how long these few take, not on a rate.
services = st.floats(4.0, 30.0)
COMPLETIONS_IN_BOUND = 20


def bound_of(service: float, services_in_bound: float, capacity: float) -> float:
    return max(service * services_in_bound, COMPLETIONS_IN_BOUND / capacity)


@settings(max_examples=40, deadline=None)
@given(
    slots=st.integers(1, 16),
    capacity=st.floats(10.0, 60.0),  # completions per second with every slot busy
    overload=st.floats(1.3, 3.0),  # arrivals over capacity
    services_in_bound=services,
    seed=st.integers(0, 2**32 - 1),
)
@example(slots=16, capacity=10.0, overload=3.0, services_in_bound=4.0, seed=0)
@example(slots=1, capacity=60.0, overload=1.3, services_in_bound=4.0, seed=0)
def test_steady_overload_admits_under_the_bound_and_refuses_beyond(
    slots: int, capacity: float, overload: float, services_in_bound: float, seed: int
) -> None:
    service = slots / capacity
    bound = bound_of(service, services_in_bound, capacity)
    model = ModelProcess(slots, bound, lambda t: service, seed)
    filled = bound / (overload - 1.0)  # when the backlog holds a bound's worth
    arrivals = model.run(steady(capacity * overload, SETTLE_SECONDS + filled + bound))
    assert any(not a.admitted for a in arrivals)  # it was overloaded, and refused
    check_band(arrivals, bound, after=SETTLE_SECONDS)


@settings(max_examples=40, deadline=None)
@given(
    slots=st.integers(1, 16),
    capacity=st.floats(10.0, 40.0),
    factor=st.sampled_from([0.25, 0.5, 2.0, 4.0]),  # < 1: a speed-up, > 1: a slowdown
    services_in_bound=services,
    seed=st.integers(0, 2**32 - 1),
)
@example(slots=16, capacity=10.0, factor=4.0, services_in_bound=4.0, seed=1)
@example(slots=16, capacity=10.0, factor=0.25, services_in_bound=4.0, seed=1)
def test_the_estimate_follows_a_slowdown_and_a_speed_up(
    slots: int, capacity: float, factor: float, services_in_bound: float, seed: int
) -> None:
    """Service times change by ``factor`` at ``change``; once the estimate has settled again
    the decisions match the new rate (arrivals outpace the faster of the two)."""
    service = slots / capacity
    bound = bound_of(service * max(1.0, factor), services_in_bound, capacity / max(1.0, factor))
    change = SETTLE_SECONDS + 3 * bound  # room to judge waits that end before it

    def service_time(t: float) -> float:
        return service * (factor if t >= change else 1.0)

    model = ModelProcess(slots, bound, service_time, seed)
    fastest = capacity * max(1.0, 1.0 / factor)
    # The long average settles after a speed-up; the drain, once items admitted after the
    # change have started (a wait later).
    settled = change + (SETTLE_AFTER_SPEED_UP if factor < 1.0 else SETTLE_SECONDS) + bound
    arrivals = model.run(steady(fastest * 1.5, settled + bound + 4.0))
    # Before the change, judge only waits that ended before it: no estimate foresees it.
    before = [a for a in arrivals if a.at + a.true_wait < change]
    check_band(before, bound, after=SETTLE_SECONDS)
    check_band(arrivals, bound, after=settled)


def poisson(rate: float, seconds: float, seed: int) -> list[float]:
    """Arrival times of a Poisson process: bursts come by chance."""
    chance, at, times = random.Random(seed), 0.0, []
    while (at := at + chance.expovariate(rate)) < seconds:
        times.append(at)
    return times


@settings(max_examples=40, deadline=None)
@given(
    slots=st.integers(1, 16),
    capacity=st.floats(10.0, 60.0),
    load=st.floats(0.3, 0.95),  # arrivals over capacity: the process keeps up, on average
    services_in_bound=services,
    seed=st.integers(0, 2**32 - 1),
)
@example(slots=1, capacity=10.0, load=0.95, services_in_bound=4.0, seed=3)
def test_a_process_that_keeps_up_refuses_only_waits_near_the_bound(
    slots: int, capacity: float, load: float, services_in_bound: float, seed: int
) -> None:
    """Random arrivals under capacity: a burst may queue, and only a delivery that would truly
    wait near the bound (or the cold start's unknowns, which are admitted) is refused."""
    service = slots / capacity
    bound = bound_of(service, services_in_bound, capacity)
    model = ModelProcess(slots, bound, lambda t: service, seed)
    arrivals = model.run(poisson(capacity * load, 60.0, seed))
    for arrival in arrivals:
        if not arrival.admitted:
            assert arrival.true_wait > bound / BAND, arrival


@settings(max_examples=30, deadline=None)
@given(
    slots=st.integers(1, 16),
    per_second=st.floats(1.0, 200.0),
    count=st.integers(0, MIN_COMPLETIONS - 1),
    queued=st.integers(0, 100_000),
)
def test_before_the_rate_is_known_nothing_is_refused_by_time(
    slots: int, per_second: float, count: int, queued: int
) -> None:
    rate = ServiceRate()
    end = saturated_for(rate, 0.0, count / per_second, per_second)
    assert not too_long(expected_wait(queued, True, rate.per_second(end + 60.0)), 0.1)
