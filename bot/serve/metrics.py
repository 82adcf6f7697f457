"""Prometheus metrics, one registry per app so several apps can live in one process."""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from bot import __version__

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
# Label sets whose child metric is kept at hand; beyond this, ``labels()`` is called each time
# (the series still exist, only the shortcut is bounded).
_CACHED_CHILDREN = 4096


class ReadGauge(Collector):
    """A gauge read at scrape time from ``read()``; its series is absent while that is None
    (a rate not yet measured is unknown, not 0)."""

    def __init__(
        self,
        name: str,
        documentation: str,
        registry: CollectorRegistry,
        read: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.read = read
        registry.register(self)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.documentation)
        value = self.read()
        if value is not None:
            family.add_metric([], value)
        yield family


class ObservedGauge(ReadGauge):
    """A gauge with no value until one is observed: its series is absent, not 0.

    A plain ``Gauge`` starts at 0, which for a budget reads as "exhausted": an alert such as
    ``rfcbot_github_rate_limit_remaining < 500`` would fire on every process that has not yet
    called GitHub. An absent series makes such a comparison empty instead.
    """

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry) -> None:
        self.value: float | None = None
        super().__init__(name, documentation, registry, lambda: self.value)

    def set(self, value: float) -> None:
        self.value = float(value)


class Backlog(Protocol):
    """What the backlog gauges read (``bot.serve.scheduler.Scheduler``)."""

    @property
    def pending(self) -> int: ...
    @property
    def running(self) -> int: ...
    @property
    def queued(self) -> int: ...
    @property
    def pending_bytes(self) -> int: ...
    def per_second(self) -> float | None: ...
    def expected_wait(self) -> float | None: ...


class Metrics:
    """Every metric the App exports, registered on its own ``CollectorRegistry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.deliveries = Counter(
            "rfcbot_deliveries",
            "Webhook deliveries by event and outcome.",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.delivery_seconds = Histogram(
            "rfcbot_delivery_seconds",
            "Time from accepting a delivery to having handled it.",
            ["event"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "rfcbot_deliveries_in_flight",
            "Accepted deliveries not yet fully handled (queued or running).",
            registry=self.registry,
        )
        self.api_calls = Counter(
            "rfcbot_github_api_calls",
            "GitHub REST calls by method, route template and status ('error' = no response).",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.api_retries = Counter(
            "rfcbot_github_api_retries",
            "GitHub REST calls retried, by route template and reason.",
            ["route", "reason"],
            registry=self.registry,
        )
        self.rate_limit_remaining = ObservedGauge(
            "rfcbot_github_rate_limit_remaining",
            "x-ratelimit-remaining of the latest GitHub response; absent until the first.",
            self.registry,
        )
        self.build = Info(
            "rfcbot_build",
            "The running rfc-bot: version and Python, as labels of a constant 1.",
            registry=self.registry,
        )
        self.build.info({"version": __version__, "python": platform.python_version()})
        self.lint_busy = Gauge(
            "rfcbot_lint_workers_busy",
            "Lint worker processes linting a file now.",
            registry=self.registry,
        )
        self.lint_waiting = Gauge(
            "rfcbot_lint_files_waiting",
            "Files queued for a free lint worker.",
            registry=self.registry,
        )
        self.deferred = Counter(
            "rfcbot_deferred",
            "Work put off because the installation's GitHub rate budget is low, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.rate_limit_by_installation = Gauge(
            "rfcbot_github_rate_limit_remaining_by_installation",
            "x-ratelimit-remaining of the latest response to each installation's requests.",
            ["installation"],
            registry=self.registry,
        )
        # --- the reconciler (bot.features.reconcile) ---
        self.sweeps = Counter(
            "rfcbot_sweeps",
            "Reconciliation sweeps by outcome (ok, or error when a repository failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.sweep_seconds = Histogram(
            "rfcbot_sweep_seconds",
            "Duration of one reconciliation sweep over every installation.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sweep_requests = Counter(
            "rfcbot_sweep_requests",
            "GitHub requests made by sweeps, by kind: rate_limited (counted by GitHub) or "
            "not_modified (a 304 to a conditional request, free).",
            ["kind"],
            registry=self.registry,
        )
        self.repairs = Counter(
            "rfcbot_repairs",
            "What sweeps repaired, by kind: check, number, command.",
            ["kind"],
            registry=self.registry,
        )
        # --- the repair list (bot.features.repairs) ---
        self.repair_list = Counter(
            "rfcbot_repair_list",
            "Repair-list entries by kind and outcome: queued, repaired, failed (tried again "
            "later), waiting (done but for another writer's part), given_up, dropped (full).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.repair_list_size = Gauge(
            "rfcbot_repair_list_entries",
            "Entries on the repair list now (waiting or running).",
            registry=self.registry,
        )
        self.backlog = Gauge(
            "rfcbot_backlog",
            "Accepted deliveries not yet handled, by state (queued, running).",
            ["state"],
            registry=self.registry,
        )
        self.backlog_bytes = Gauge(
            "rfcbot_backlog_bytes",
            "Request bodies of the accepted deliveries not yet handled, in bytes.",
            registry=self.registry,
        )
        self.refused = Counter(
            "rfcbot_deliveries_refused",
            "Deliveries answered 503, by limit: wait (the expected wait passed "
            "MAX_WAIT_SECONDS), or a memory cap (pending, per_key, bytes).",
            ["limit"],
            registry=self.registry,
        )
        self.service_rate = ReadGauge(
            "rfcbot_service_rate",
            "Deliveries handled per second while every slot was busy (exponentially weighted); "
            "absent until measured.",
            self.registry,
        )
        self.expected_wait = ReadGauge(
            "rfcbot_expected_wait_seconds",
            "How long a new delivery would wait for a slot now; absent while the rate is unknown.",
            self.registry,
        )
        self.reconcile_leader = Gauge(
            "rfcbot_reconcile_leader",
            "1 in the one process of a server that runs the reconciler, else 0.",
            registry=self.registry,
        )
        self._children: dict[tuple[str, ...], Any] = {}

    def count_api_call(self, method: str, route: str, status: str) -> None:
        """One more GitHub call (``status``: the answer's, or 'error' when there was none)."""
        self._child(self.api_calls, "a", method, route, status).inc()

    def count_api_retry(self, route: str, reason: str) -> None:
        self.api_retries.labels(route, reason).inc()

    def observe_rate_limit(self, installation_id: int | None, remaining: float) -> None:
        """The budget as the latest answer told it: the process's, and the installation's when
        the answer was to an installation's token."""
        self.rate_limit_remaining.set(remaining)
        if installation_id is not None:
            self._child(self.rate_limit_by_installation, "r", str(installation_id)).set(remaining)

    def count_delivery(self, event: str, outcome: str) -> None:
        """One more delivery of ``event`` that ended with ``outcome``."""
        self._child(self.deliveries, "d", event, outcome).inc()

    def observe_delivery(self, event: str, seconds: float) -> None:
        """A delivery of ``event`` took ``seconds`` from acceptance to being handled."""
        self._child(self.delivery_seconds, "s", event).observe(seconds)

    def track_lint_pool(self, busy: Callable[[], float], waiting: Callable[[], float]) -> None:
        """Report the lint pool's busy lint processes and queued files at scrape time."""
        self.lint_busy.set_function(busy)
        self.lint_waiting.set_function(waiting)

    def count_deferred(self, kind: str) -> None:
        """One piece of work of ``kind`` put off for the rate budget (the Context's
        ``deferred``)."""
        self.deferred.labels(kind).inc()

    def track_in_flight(self, current: Callable[[], float]) -> None:
        """Report ``current()`` as the in-flight gauge at scrape time (no per-delivery update)."""
        self.in_flight.set_function(current)

    def track_backlog(self, backlog: Backlog) -> None:
        """Report the backlog's sizes at scrape time (and the in-flight total)."""
        self.track_in_flight(lambda: backlog.pending)
        self.backlog.labels("queued").set_function(lambda: backlog.queued)
        self.backlog.labels("running").set_function(lambda: backlog.running)
        self.backlog_bytes.set_function(lambda: backlog.pending_bytes)
        self.service_rate.read = backlog.per_second
        self.expected_wait.read = backlog.expected_wait

    def count_repair(self, kind: str, outcome: str) -> None:
        """One repair-list entry of ``kind`` reached ``outcome``."""
        self._child(self.repair_list, "p", kind, outcome).inc()

    def track_repairs(self, entries: Callable[[], float]) -> None:
        """Report the repair list's size at scrape time."""
        self.repair_list_size.set_function(entries)

    def count_refusal(self, limit: str) -> None:
        """One more delivery refused with 503 because ``limit`` was reached (``wait``: its
        expected wait passed the bound)."""
        self.refused.labels(limit).inc()

    def _child(self, metric: Any, kind: str, *labels: str) -> Any:
        # ``labels()`` validates, takes a lock and builds a key on every call: about as much
        # as the increment itself, on the path of every delivery.
        key = (kind, *labels)
        child = self._children.get(key)
        if child is None:
            child = metric.labels(*labels)
            if len(self._children) < _CACHED_CHILDREN:
                self._children[key] = child
        return child

    def render(self) -> bytes:
        """The registry in Prometheus' text exposition format."""
        return generate_latest(self.registry)
