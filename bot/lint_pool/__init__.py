"""Linting off the event loop: the pool (``pool``), its wire (``frames``), its processes
(``child``)."""

from bot.lint_pool.pool import (
    DEFAULT_LINT_FUNCTION,
    LintPool,
    LintPoolClosed,
    LintPoolError,
    LintProcessFailed,
)

__all__ = [
    "DEFAULT_LINT_FUNCTION",
    "LintPool",
    "LintPoolClosed",
    "LintPoolError",
    "LintProcessFailed",
]
