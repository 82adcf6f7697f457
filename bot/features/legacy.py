"""The legacy pass of the check (``bot.rfc.legacy``): problems an old RFC already had, on
lines the pull request did not touch, reported below their severity.

The touched lines come from the ``patch`` of GitHub's files listing, already fetched (no
request of its own). Only when some error could be legacy is the base's own text linted (in
the lint pool, like the head) to tell the problems the pull request brought from those the
base already had.
"""

from __future__ import annotations

from datetime import date

from bot.features.context import Context
from bot.policy.check import RfcChange
from bot.rfc.config.public import Config
from bot.rfc.legacy import Legacy, Pending, review
from bot.rfc.lint_summary import LintSummary


async def legacy_pass(
    ctx: Context,
    change: RfcChange,
    head: bytes,
    base: bytes | None,
    config: Config,
    today: date,
    result: LintSummary,
) -> Legacy:
    """``result`` (the head's lint, with ``base`` compared) after the legacy pass."""
    step = review(
        result.diagnostics,
        patch=change.diff,
        status_before=result.status_before,
        status_after=result.document.status if result.document else None,
        head=head,
        base=base,
        config=config,
    )
    if isinstance(step, Pending) and base is not None:
        own = await ctx.lint(change.previous_path or change.path, base, config, today=today)
        return step.finish(own.diagnostics)
    assert isinstance(step, Legacy)  # review is Pending only with a base
    return step
