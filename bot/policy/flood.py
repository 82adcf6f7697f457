"""How many commands one person, and one pull request, may run in a while. Pure.

A fixed window per key: the first command opens a window of ``seconds``; within it at most
``limit`` units are spent. ``/rfc check`` costs more than other commands because it re-runs a
whole validation (file reads, a check run, labels), all on the installation's shared rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMAND_COST = {"check": 5}
PER_USER = (30, 600.0)  # units per window, window seconds: per person and repository
PER_PULL = (50, 600.0)  # per pull request, whoever comments


@dataclass(frozen=True, slots=True)
class Window:
    opened: float
    spent: int


def cost(name: str) -> int:
    return COMMAND_COST.get(name, 1)


def admit(
    window: Window | None, now: float, units: int, limit: int, seconds: float
) -> tuple[bool, Window]:
    """(allowed, the window after this request). A refused request spends nothing."""
    if window is None or now - window.opened >= seconds:
        window = Window(now, 0)
    if window.spent + units > limit:
        return False, window
    return True, Window(window.opened, window.spent + units)


def retry_after(window: Window, now: float, seconds: float) -> float:
    return max(0.0, window.opened + seconds - now)
