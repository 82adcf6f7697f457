"""Faults the simulator injects, per route and count or at random with a seed.

A fault answers in place of GitHub (or after GitHub applied the request, for ``applied``):
a status with GitHub's error body (502, 403 secondary rate limit with ``Retry-After``,
429, ...), a connection reset (the client sees the connection drop with no answer) or a
timeout (no answer until the client gives up; the connection is then dropped).
See docs/simulator.md.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

DOCS = "https://docs.github.com/rest"
SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID."
)
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
DEFAULT_HANG = 30.0
POLL = 0.02

FaultKind = Literal["status", "reset", "timeout"]
# The faults a random soak draws from (see RandomFaults).
RandomKind = Literal["502", "502-applied", "reset", "timeout", "secondary", "429"]
RANDOM_KINDS: tuple[RandomKind, ...] = (
    "502",
    "502-applied",
    "reset",
    "timeout",
    "secondary",
    "429",
)


@dataclass
class Fault:
    """What to do instead of (or after) handling a request."""

    kind: FaultKind = "status"
    status: int = 502
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    applied: bool = False  # GitHub applies the request first, then the fault answers
    hang: float = DEFAULT_HANG  # timeout: seconds without an answer before dropping

    @property
    def label(self) -> str:
        name = str(self.status) if self.kind == "status" else self.kind
        return f"{name}-applied" if self.applied else name


@dataclass
class Injection:
    """A fault for the next ``times`` requests matching ``method`` and ``pattern`` (while
    ``active()`` says so, when given: an outage that ends at a time of the simulator's clock)."""

    method: str
    pattern: re.Pattern[str]
    times: int
    fault: Fault
    active: Callable[[], bool] | None = None

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and self.pattern.search(path) is not None
            and (self.active is None or self.active())
        )


@dataclass
class RandomFaults:
    """Each matching request fails with probability ``rate``, the fault drawn from
    ``kinds``; the same seed and the same sequence of requests give the same faults."""

    rate: float
    seed: int
    kinds: tuple[RandomKind, ...] = RANDOM_KINDS
    method: str = "*"
    pattern: re.Pattern[str] = field(default_factory=lambda: re.compile(""))
    retry_after: int = 1
    hang: float = DEFAULT_HANG
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate is a probability between 0 and 1")
        if not self.kinds:
            raise ValueError("give at least one kind of fault")
        self.rng = random.Random(self.seed)

    def draw(self, method: str, path: str) -> Fault | None:
        if self.method not in ("*", method.upper()) or self.pattern.search(path) is None:
            return None
        if self.rng.random() >= self.rate:
            return None
        return self.fault_of(self.rng.choice(self.kinds), method.upper())

    def fault_of(self, kind: RandomKind, method: str) -> Fault:
        retry = {"Retry-After": str(self.retry_after)}
        if kind == "502-applied":
            # Only a write can be "applied"; a read that fails is a plain 502.
            return Fault(status=502, applied=method in WRITE_METHODS)
        if kind in ("reset", "timeout"):
            return Fault(kind=kind, hang=self.hang)
        if kind == "secondary":
            return Fault(status=403, headers=retry)
        if kind == "429":
            return Fault(status=429, headers=retry)
        return Fault(status=502)


@dataclass
class Faults:
    """Every fault the tests asked for, and a tally of those that fired (by label)."""

    injections: list[Injection] = field(default_factory=list)
    random: RandomFaults | None = None
    fired: Counter[str] = field(default_factory=Counter)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request (counting one use of it), if any."""
        fault = None
        for injection in self.injections:
            if injection.matches(method, path):
                injection.times -= 1
                fault = injection.fault
                break
        if fault is None and self.random is not None:
            fault = self.random.draw(method, path)
        if fault is not None:
            self.fired[fault.label] += 1
        return fault


def status_response(fault: Fault, rate_headers: dict[str, str]) -> web.Response:
    body = fault.body if fault.body is not None else default_body(fault.status, fault.headers)
    return web.json_response(body, status=fault.status, headers={**rate_headers, **fault.headers})


def default_body(status: int, headers: dict[str, str]) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in headers.items()}
    if status in (403, 429) and "retry-after" in lowered:
        message = SECONDARY_RATE_LIMIT_MESSAGE
    elif status in (403, 429) and lowered.get("x-ratelimit-remaining") == "0":
        message = "API rate limit exceeded for installation."
    else:
        message = {
            500: "Internal Server Error",
            502: "Server Error",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }.get(status, "Error")
    return {"message": message, "documentation_url": DOCS, "status": str(status)}


async def drop_connection(request: web.Request, fault: Fault, stopping: asyncio.Event) -> None:
    """Answer nothing: reset now, or (timeout) wait until the client gives up, the hang
    ends or the simulator stops, then reset."""
    if fault.kind == "timeout":
        waited = 0.0
        while waited < fault.hang and not stopping.is_set() and not _client_gone(request):
            await asyncio.sleep(POLL)
            waited += POLL
    reset(request)


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def reset(request: web.Request) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0), as a dropped proxy would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
