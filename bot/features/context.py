"""What every handler gets besides the event and the GitHub client: the App's ``Context``.

Handlers have the signature ``async def handler(delivery: PullDelivery, gh: GitHubAPI,
ctx: Context) -> None`` (a typed delivery of ``bot.deliveries``, read once at dispatch) and are
run by ``bot.features.handling``.

Whoever runs the App (the server's ``create_app``, the Action runner, the simulator's harness,
tests) builds its Context once, complete, and nothing changes it afterwards (it is frozen): the
App's identity and settings (clock, signing key, app id, announce delay), its services (the
lint runner, the deferred-work counter) and its caches. The caches are owned by the features
that use them: each feature defines its cache type and reaches its value through
``ctx.caches.of(ThatType)`` (``bot.features.caches``). The App keeps no state beyond these
bounded caches: GitHub is the database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock, system_clock
from bot.features.caches import Caches
from bot.policy.provenance import signing_key
from bot.policy.repairs import Repair
from bot.rfc.config.public import Config
from bot.rfc.lint import lint
from bot.rfc.lint_summary import LintSummary

# A replica that finds RFCs numbered by another writer announces them only once the numbering
# commit is this old (the writer died before announcing); until then the writer announces.
ANNOUNCE_AFTER_SECONDS = 120.0

LintRunner = Callable[..., Awaitable[LintSummary]]


async def lint_inline(path: str, content: bytes, config: Config, **options: Any) -> LintSummary:
    """Runs the lint engine in this process (tests; the server uses ``bot.lint_pool``)."""
    return LintSummary.of(lint(path, content, config, **options))


def count_nothing(kind: str) -> None:
    """The deferred-work counter of an App without metrics."""


def repair_nothing(repair: Repair) -> None:
    """The repair list of an App without one (the Action: its next run is the repair)."""


def random_signing_key() -> bytes:
    """A key only this Context knows: it proves its own writes and nobody can forge them."""
    return signing_key(os.urandom(32).hex())


@dataclass(frozen=True, eq=False)
class Context:
    # The App's one clock (``bot.clock``): the simulator's in tests.
    clock: Clock = system_clock
    # Keys the proofs of the App's own commits (``bot.policy.provenance``). The server derives
    # it from the App's secret, so every replica proves the same; the default is random.
    signing_key: bytes = field(default_factory=random_signing_key)
    # The App's id: comments it wrote carry it (``performed_via_github_app``), which nobody
    # else can set, so only they count when the App looks for its own earlier comments.
    app_id: int | None = None
    announce_after_seconds: float = ANNOUNCE_AFTER_SECONDS
    # Why decisions may not start here (the Action without ``RFC_BOT_SECRET``: its record could
    # not be proven); empty when they may.
    decisions_refused: str = ""
    monotonic: Callable[[], float] = time.monotonic
    # Runs the lint engine: ``lint_inline`` here, the lint pool's ``lint`` in the server (the
    # pool object exists before the Context and starts with the server).
    lint: LintRunner = lint_inline
    # Counts work put off for the rate budget (the server points it at /metrics).
    deferred: Callable[[str], None] = count_nothing
    # Puts work a handler knows it left undone on the repair list (``bot.features.repairs``);
    # failed deliveries get there without it.
    needs_repair: Callable[[Repair], None] = repair_nothing
    # Each feature's bounded cache, made on first use (see the module doc).
    caches: Caches = field(default_factory=Caches, repr=False)
