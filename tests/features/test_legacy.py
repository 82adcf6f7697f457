"""The check's legacy pass: the base is linted (in the lint runner, like the head) only when
some error could be legacy, and under the path it had on the base."""

from __future__ import annotations

from typing import Any

from bot.features.context import Context, lint_inline
from bot.features.legacy import legacy_pass
from bot.policy.check import RfcChange
from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Severity
from bot.rfc.legacy import HELD_STATUS
from bot.rfc.lint_summary import LintSummary
from tests.legacy_rfcs import GOOD, OLD, ONE_BAD_LINE, PATH, PROPOSED, TODAY, unified

RENAMED = "rfcs/0000-job-retry-policy.md"


class Runner:
    """The lint runner, recording each path it lints."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, path: str, content: bytes, config: Config, **options: Any) -> Any:
        self.paths.append(path)
        return await lint_inline(path, content, config, **options)


async def run(base: str, head: str, change: RfcChange) -> tuple[Any, list[str]]:
    runner = Runner()
    ctx = Context(lint=runner)
    result = await runner(change.path, head.encode(), Config(), base=base.encode(), today=TODAY)
    assert isinstance(result, LintSummary)
    legacy = await legacy_pass(ctx, change, head.encode(), base.encode(), Config(), TODAY, result)
    return legacy, runner.paths[1:]  # the head's own lint is not the pass's


async def test_the_base_is_linted_once_under_its_old_path() -> None:
    change = RfcChange(RENAMED, "renamed", PATH, unified(OLD, ONE_BAD_LINE))
    legacy, linted = await run(OLD, ONE_BAD_LINE, change)
    assert linted == [PATH]
    assert legacy.count == 10
    assert [d.rule for d in legacy.diagnostics if d.severity is Severity.ERROR] == ["target-apps"]


async def test_nothing_to_lower_lints_nothing_more() -> None:
    edited = GOOD.replace("Jane Doe", "Jane Q. Doe")
    change = RfcChange(PATH, "modified", None, unified(GOOD, edited))
    legacy, linted = await run(GOOD, edited, change)
    assert linted == []
    assert legacy.count == 0 and legacy.held == ""


async def test_a_status_change_lints_nothing_more() -> None:
    change = RfcChange(PATH, "modified", None, unified(OLD, PROPOSED))
    legacy, linted = await run(OLD, PROPOSED, change)
    assert linted == []
    assert legacy.held == HELD_STATUS


async def test_every_error_on_touched_lines_lints_nothing_more() -> None:
    """A patch that touches every line (GitHub's own, for a rewritten file) decides alone."""
    rewritten = "".join(f"{line}  \n" for line in OLD.split("\n")[:-1])
    change = RfcChange(PATH, "modified", None, unified(OLD, rewritten))
    legacy, linted = await run(OLD, rewritten, change)
    assert linted == []
    assert legacy.count == 0
