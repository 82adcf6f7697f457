"""GitHub's primary rate limit and conditional requests, as the simulator models them.

- Primary rate limit: one budget per installation (5,000 requests an hour by default,
  shared by every repository of the installation and every token issued for it), one for
  the App itself (JWT) and one for unauthenticated callers (60). Every answered request
  spends one unit, except a 304 to a conditional request. At zero, GitHub answers 403
  with the primary-limit message until the window resets.
- Conditional requests: a GET's 200 answer carries a weak ``ETag`` computed from its body
  and Link header; the same GET with a matching ``If-None-Match`` gets a bodiless 304.

Sources: docs.github.com, "Rate limits for the REST API" and "Best practices for using the
REST API" (conditional requests). See docs/simulator.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.sim_state import Clock

INSTALLATION_LIMIT = 5000
APP_LIMIT = 5000
USER_LIMIT = 5000  # a user access token's own budget
ANONYMOUS_LIMIT = 60
WINDOW = timedelta(hours=1)
RATE_LIMIT_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
    "#about-primary-rate-limits"
)

# Who pays for a request: ("installation", id), ("app", app id), ("user", login) or
# ("anonymous", "").
Payer = tuple[str, int | str]
ANONYMOUS: Payer = ("anonymous", "")


@dataclass
class Budget:
    limit: int
    reset_at: datetime
    used: int = 0
    requests: int = 0  # spent over the simulator's life (all windows)
    not_modified: int = 0  # 304s answered to conditional requests (free)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class Usage:
    """What tests and benchmarks read about one installation's budget."""

    requests: int  # requests that counted against the primary limit
    not_modified: int  # 304s to conditional requests (did not count)
    limit: int
    remaining: int
    reset_at: datetime


@dataclass
class RateLimits:
    clock: Clock
    installation_limit: int = INSTALLATION_LIMIT
    budgets: dict[Payer, Budget] = field(default_factory=dict)

    def budget(self, payer: Payer) -> Budget:
        """The payer's budget in the current window (a new window starts at reset)."""
        now = self.clock.now()
        budget = self.budgets.get(payer)
        if budget is None:
            budget = Budget(self._limit_for(payer), now + WINDOW)
            self.budgets[payer] = budget
        elif now >= budget.reset_at:
            budget.used, budget.reset_at = 0, now + WINDOW
        return budget

    def exhausted(self, payer: Payer) -> bool:
        return self.budget(payer).remaining == 0

    def spend(self, payer: Payer) -> None:
        budget = self.budget(payer)
        budget.used += 1
        budget.requests += 1

    def record_not_modified(self, payer: Payer) -> None:
        self.budget(payer).not_modified += 1

    def headers(self, payer: Payer) -> dict[str, str]:
        budget = self.budget(payer)
        return {
            "X-RateLimit-Limit": str(budget.limit),
            "X-RateLimit-Remaining": str(budget.remaining),
            "X-RateLimit-Used": str(budget.used),
            "X-RateLimit-Reset": str(int(budget.reset_at.timestamp())),
            "X-RateLimit-Resource": "core",
        }

    def exceeded_message(self, payer: Payer) -> str:
        kind, who = payer
        if kind == "installation":
            return f"API rate limit exceeded for installation ID {who}."
        if kind == "app":
            return f"API rate limit exceeded for app ID {who}."
        if kind == "user":
            return f"API rate limit exceeded for user {who}."
        return "API rate limit exceeded for 127.0.0.1."

    def usage(self, payer: Payer) -> Usage:
        budget = self.budget(payer)
        return Usage(
            budget.requests, budget.not_modified, budget.limit, budget.remaining, budget.reset_at
        )

    def _limit_for(self, payer: Payer) -> int:
        return {
            "installation": self.installation_limit,
            "app": APP_LIMIT,
            "user": USER_LIMIT,
        }.get(payer[0], ANONYMOUS_LIMIT)


def etag(body: Any, link: str | None) -> str:
    """A weak validator over what the client would see: the JSON body and its Link header."""
    data = json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n" + (link or "")
    return f'W/"{hashlib.sha256(data.encode()).hexdigest()}"'


def matches(if_none_match: str | None, current: str) -> bool:
    """RFC 9110 weak comparison: ``W/`` prefixes are ignored; ``*`` matches anything."""
    if not if_none_match:
        return False
    wanted = current.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False
