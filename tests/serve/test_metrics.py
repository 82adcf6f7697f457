"""/metrics without false alarms at start-up, and the build it comes from."""

from __future__ import annotations

import threading

from prometheus_client.parser import text_string_to_metric_families

import bot
from bot.serve.metrics import Metrics

REMAINING = "rfcbot_github_rate_limit_remaining"


def _samples(metrics: Metrics, name: str) -> list[tuple[dict[str, str], float]]:
    families = text_string_to_metric_families(metrics.render().decode())
    return [
        (sample.labels, sample.value)
        for family in families
        for sample in family.samples
        if sample.name == name
    ]


def test_no_rate_limit_value_before_github_has_told_one() -> None:
    """A fresh process has no budget figure: absent, so `remaining < 500` selects nothing
    (a 0 here fired the documented alert on every start)."""
    metrics = Metrics()
    assert _samples(metrics, REMAINING) == []
    assert metrics.registry.get_sample_value(REMAINING) is None
    assert f"# TYPE {REMAINING} gauge" in metrics.render().decode()  # still declared


def test_rate_limit_value_once_observed_including_a_real_zero() -> None:
    metrics = Metrics()
    metrics.rate_limit_remaining.set(4999)
    assert _samples(metrics, REMAINING) == [({}, 4999.0)]
    metrics.rate_limit_remaining.set(0)  # exhausted for real: now the alert must fire
    assert _samples(metrics, REMAINING) == [({}, 0.0)]


def test_two_apps_in_one_process_keep_their_own_figures() -> None:
    first, second = Metrics(), Metrics()
    first.rate_limit_remaining.set(10)
    assert _samples(second, REMAINING) == []


def test_scrapes_during_updates_see_whole_values() -> None:
    metrics = Metrics()
    values = {float(n) for n in range(200)}
    seen: list[float] = []

    def scrape() -> None:
        for _ in range(50):
            seen.extend(value for _, value in _samples(metrics, REMAINING))

    reader = threading.Thread(target=scrape)
    reader.start()
    for value in sorted(values):
        metrics.rate_limit_remaining.set(value)
    reader.join()
    assert set(seen) <= values


def test_build_info_names_the_version() -> None:
    samples = _samples(Metrics(), "rfcbot_build_info")
    assert len(samples) == 1
    labels, value = samples[0]
    assert value == 1.0
    assert labels["version"] == bot.__version__
    assert labels["python"].count(".") == 2


def test_api_calls_counted_by_their_labels_through_the_cached_children() -> None:
    metrics = Metrics()
    for status in ("200", "200", "502", "200"):
        metrics.count_api_call("GET", "/repos/{owner}/{repo}/pulls/{id}", status)
    metrics.count_api_call("POST", "/repos/{owner}/{repo}/check-runs", "201")
    calls = sorted(
        (labels["method"], labels["route"], labels["status"], value)
        for labels, value in _samples(metrics, "rfcbot_github_api_calls_total")
    )
    assert calls == [
        ("GET", "/repos/{owner}/{repo}/pulls/{id}", "200", 3.0),
        ("GET", "/repos/{owner}/{repo}/pulls/{id}", "502", 1.0),
        ("POST", "/repos/{owner}/{repo}/check-runs", "201", 1.0),
    ]
