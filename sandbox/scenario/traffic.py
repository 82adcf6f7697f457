"""The scenario API for traffic: faults per route or at random, hooks before requests, and the
primary rate limit's budgets."""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Self

from sandbox.github import RepoRef
from sandbox.server.faults import RANDOM_KINDS, Fault, Injection, RandomFaults, RandomKind
from sandbox.server.limits import Usage
from sandbox.server.pipeline import BeforeHook, Server


class TrafficControls(Server):
    """How a test shapes the simulator's answers: failures, delays, hooks and budgets."""

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        applied: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead (GitHub's
        error body unless ``body`` is given). ``applied``: GitHub carries the request out
        first (a write lands) and still answers ``status``."""
        fault = Fault(status=status, headers=dict(headers or {}), body=body, applied=applied)
        self._inject(method, path_regex, times, fault)

    def fail_for(
        self,
        method: str,
        path_regex: str,
        status: int,
        seconds: float,
        *,
        applied: bool = False,
    ) -> None:
        """An outage of a route: answer ``status`` (GitHub's error body) to every matching
        request for the next ``seconds`` of the simulator's clock. ``applied``: each request
        is carried out first, as with ``fail``."""
        ends = self.clock.now() + timedelta(seconds=seconds)
        fault = Fault(status=status, applied=applied)
        self.faults.injections.append(
            Injection(
                method.upper(),
                re.compile(path_regex),
                sys.maxsize,
                fault,
                active=lambda: self.clock.now() < ends,
            )
        )

    def reset_connection(
        self, method: str, path_regex: str, *, times: int = 1, applied: bool = False
    ) -> None:
        """Drop the connection of the next matching requests with a TCP reset, no answer."""
        self._inject(method, path_regex, times, Fault(kind="reset", applied=applied))

    def time_out(
        self,
        method: str,
        path_regex: str,
        *,
        times: int = 1,
        hang: float = 30.0,
        applied: bool = False,
    ) -> None:
        """Give the next matching requests no answer: the connection stays silent until
        the client gives up (or ``hang`` seconds pass, or the simulator stops)."""
        self._inject(method, path_regex, times, Fault(kind="timeout", hang=hang, applied=applied))

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int,
        kinds: tuple[RandomKind, ...] = RANDOM_KINDS,
        method: str = "*",
        path_regex: str = "",
        retry_after: int = 1,
        hang: float = 30.0,
    ) -> None:
        """Fail each matching request with probability ``rate``, drawing the fault from
        ``kinds`` ("502", "502-applied", "reset", "timeout", "secondary", "429") with a
        seeded generator. Injections set with ``fail`` and friends take precedence.
        ``rate=0`` turns it off; ``sim.faults.fired`` tallies what fired."""
        self.faults.random = RandomFaults(
            rate,
            seed,
            tuple(kinds),
            method.upper(),
            re.compile(path_regex),
            retry_after,
            hang,
        )

    def _inject(self, method: str, path_regex: str, times: int, fault: Fault) -> None:
        self.faults.injections.append(
            Injection(method.upper(), re.compile(path_regex), times, fault)
        )

    def before(
        self,
        method: str,
        path_regex: str,
        callback: Callable[[Self], Awaitable[None] | None],
        *,
        times: int = 1,
    ) -> None:
        """Run ``callback(sim)`` (sync or async) before handling matching requests."""
        self._befores.append(BeforeHook(method.upper(), re.compile(path_regex), times, callback))

    def api_usage(self, installation: int | RepoRef) -> Usage:
        """The primary rate-limit budget of an installation (or of a repository's):
        requests counted, 304s answered for free, limit, remaining and reset time."""
        return self.rate_limits.usage(("installation", self._installation_id(installation)))

    def set_rate_remaining(self, installation: int | RepoRef, remaining: int) -> None:
        """Spend an installation's budget down to ``remaining`` in the current window."""
        budget = self.rate_limits.budget(("installation", self._installation_id(installation)))
        budget.used = max(0, budget.limit - remaining)

    def _installation_id(self, installation: int | RepoRef) -> int:
        if isinstance(installation, int):
            return installation
        found = self._repo(installation).installation_id
        if found is None:
            raise ValueError("that repository is not covered by the App")
        return found
