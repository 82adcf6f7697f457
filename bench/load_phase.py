"""What one timed load phase sent, how it was answered, what it cost; its figures."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from bench.figure import Figure, at_most

SUSTAINED_RATE = 100.0  # up to this rate (on 2 CPUs) nothing may be refused
COMPLETION_P99_MS = 2000.0
ANSWER_P99_MS = 100.0
TREE_MB = 300.0
DONE = frozenset({"handled", "ignored", "user_error"})


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Sent:
    kind: str
    event: str
    scheduled: float
    started: float = 0.0
    answered: float | None = None
    status: int = 0


@dataclass
class Phase:
    """One timed run at one rate: what was sent, how it was answered, what it cost."""

    rate: float
    sent: dict[str, Sent] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, float]] = field(default_factory=dict)  # id -> (outcome, s)
    seconds: float = 0.0  # sending
    elapsed: float = 0.0  # sending, then until every accepted delivery was handled
    cpu_seconds: float = 0.0
    api_calls: int = 0
    api_errors: int = 0
    simulator_cpu_seconds: float = 0.0
    driver_cpu_seconds: float = 0.0
    tree_peak_mb: float = 0.0
    roles_at_peak: Counter[str] = field(default_factory=Counter)
    tree_mb_first_quarter: float = 0.0
    refused_by_reason: Counter[str] = field(default_factory=Counter)
    machine_load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before, after

    def answers(self, status: int | None = None) -> list[float]:
        """Send to answer, in seconds (of one status, or of every answer)."""
        return [
            s.answered - s.started
            for s in self.sent.values()
            if s.answered is not None and s.status and (status is None or s.status == status)
        ]

    @property
    def refused(self) -> int:
        return sum(1 for s in self.sent.values() if s.status == 503)

    @property
    def handled(self) -> int:
        return sum(1 for d in self.sent if self.outcomes.get(d, ("",))[0] in DONE)

    @property
    def lost(self) -> int:
        """Not refused and not handled: accepted and never finished, or no answer at all."""
        return sum(
            1
            for d, s in self.sent.items()
            if s.status != 503 and self.outcomes.get(d, ("",))[0] not in DONE
        )

    def completions(self) -> list[float]:
        return [
            (s.answered or s.started) - s.started + self.outcomes[d][1]
            for d, s in self.sent.items()
            if s.status == 202 and d in self.outcomes
        ]

    def in_app(self) -> list[float]:
        """Accepted to handled, by the App's own clock (its wait for a slot, then the work)."""
        return [
            self.outcomes[d][1]
            for d, s in self.sent.items()
            if s.status == 202 and d in self.outcomes
        ]

    def lateness(self) -> list[float]:
        """How late this script sent each delivery (its own share of the CPUs)."""
        return [s.started - s.scheduled for s in self.sent.values()]

    def passes(self) -> bool:
        """The ceiling's criterion: nothing refused or lost, completion p99 under 2 s."""
        p99 = percentile(self.completions(), 0.99) * 1000
        return not self.refused and not self.lost and p99 < COMPLETION_P99_MS


def phase_figures(label: str, phase: Phase, workers: int) -> list[Figure]:
    sustained = phase.rate <= SUSTAINED_RATE
    sent, handled = len(phase.sent), phase.handled
    answers = phase.answers()
    statuses = Counter(s.status for s in phase.sent.values())
    reasons = dict(+phase.refused_by_reason) or "none"
    roles = ", ".join(f"{role} {mb:.0f}" for role, mb in sorted(phase.roles_at_peak.items()))
    return [
        Figure(
            f"{label}: refused (503)",
            phase.refused,
            "",
            target=at_most(0) if sustained else None,
            note=f"{sent} sent in {phase.seconds:.1f} s; answers {dict(statuses)}; refused by "
            f"reason {reasons}",
        ),
        Figure(
            f"{label}: lost",
            phase.lost,
            "",
            target=at_most(0),
            note="accepted and never handled, or not answered",
        ),
        Figure(f"{label}: answer p50", percentile(answers, 0.5) * 1000, "ms"),
        Figure(
            f"{label}: answer p99 (202 and 503)",
            percentile(answers, 0.99) * 1000,
            "ms",
            target=at_most(ANSWER_P99_MS),
            note=f"202 p99 {percentile(phase.answers(202), 0.99) * 1000:.0f} ms, 503 p99 "
            f"{percentile(phase.answers(503), 0.99) * 1000:.0f} ms; this script sent "
            f"late by p99 {percentile(phase.lateness(), 0.99) * 1000:.0f} ms; load "
            f"average {phase.machine_load[0]:.1f} before, {phase.machine_load[1]:.1f} after",
        ),
        Figure(f"{label}: completion p50", percentile(phase.completions(), 0.5) * 1000, "ms"),
        Figure(
            f"{label}: completion p99",
            percentile(phase.completions(), 0.99) * 1000,
            "ms",
            target=at_most(COMPLETION_P99_MS) if sustained else None,
        ),
        Figure(
            f"{label}: in the App p99 (accepted to handled)",
            percentile(phase.in_app(), 0.99) * 1000,
            "ms",
            note="the admission bounds the wait for a slot (MAX_WAIT_SECONDS); the rest of a "
            "completion is the answer's own latency",
        ),
        Figure(
            f"{label}: API calls per handled delivery",
            phase.api_calls / max(1, handled),
            "calls",
            note=f"{phase.api_calls} calls, {phase.api_errors} answered >= 400",
        ),
        Figure(
            f"{label}: App CPU per handled delivery",
            phase.cpu_seconds / max(1, handled) * 1000,
            "ms",
            note=f"the whole tree (supervisor, {workers} workers, lint processes), user + "
            f"system: {phase.cpu_seconds / max(phase.elapsed, 1e-9):.2f} CPUs over the "
            f"{phase.elapsed:.0f} s until all was handled; "
            f"simulator {phase.simulator_cpu_seconds / max(1, handled) * 1000:.2f} ms,"
            f" this script {phase.driver_cpu_seconds / max(1, sent) * 1000:.2f} ms "
            "per delivery",
        ),
        Figure(
            f"{label}: App tree peak RSS",
            phase.tree_peak_mb,
            "MB",
            target=at_most(TREE_MB),
            note=f"at the peak: {roles} MB; {phase.tree_mb_first_quarter:.0f} MB after the "
            "first quarter",
        ),
    ]


def pull_request_figure(phase: Phase, workers: int) -> Figure:
    handled = sum(1 for d in phase.sent if phase.outcomes.get(d, ("",))[0] == "handled")
    return Figure(
        f"load: CPU per pull_request delivery (x{workers})",
        phase.cpu_seconds / max(1, handled) * 1000,
        "ms",
        note=f"{handled} synchronize deliveries at {phase.rate:g}/s, "
        f"{phase.api_calls / max(1, handled):.1f} API calls each",
    )
