"""The change rules (a PR against the base): a new RFC numbered by hand, pull-request numbering,
a removed Created or RFC Number line."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.rfc.config.public import Config
from bot.rfc.lint import lint

VALID = (Path(__file__).parent / "golden" / "valid.md").read_text(encoding="utf-8")
TODAY = date(2024, 4, 1)
NEW_PATH = "rfcs/0000-cache-warmup.md"
NUMBERED_PATH = "rfcs/0007-cache-warmup.md"


def findings(path: str, text: str, config: Config, base: str | None) -> list[tuple[str, int]]:
    result = lint(path, text, config, base=base, today=TODAY)
    return [(d.rule, d.line) for d in result.diagnostics]


def test_new_rfc_with_a_number_written_in_is_flagged_at_that_line() -> None:
    text = VALID.replace("[Assigned when merged]", "0042")
    result = lint(NEW_PATH, text, Config(), base=None, today=TODAY)
    [preassigned] = [d for d in result.diagnostics if d.rule == "number-preassigned"]
    assert preassigned.line == 5
    assert preassigned.message == "A new RFC has no number yet; write '[Assigned when merged]'."


def test_pull_request_numbering_lets_a_new_rfc_carry_its_number() -> None:
    config = replace(Config(), numbering="pull-request")
    text = VALID.replace("[Assigned when merged]", "0007")
    rules = {rule for rule, _ in findings(NUMBERED_PATH, text, config, None)}
    assert "number-preassigned" not in rules
    sequential = {rule for rule, _ in findings(NUMBERED_PATH, text, Config(), None)}
    assert "number-preassigned" in sequential


def test_removed_created_line_is_reported_as_missing_not_as_changed() -> None:
    text = VALID.replace("**Created:** 2024-03-04  \n", "")
    rules = [rule for rule, _ in findings(NEW_PATH, text, Config(), VALID)]
    assert "created-changed" not in rules
    assert "metadata-missing" in rules


def test_removing_an_assigned_number_asks_to_restore_it() -> None:
    old = VALID.replace("[Assigned when merged]", "0007")
    new = old.replace("**RFC Number:** 0007  \n", "")
    result = lint(NUMBERED_PATH, new, Config(), base=old, today=TODAY)
    [changed] = [d for d in result.diagnostics if d.rule == "number-changed"]
    assert (changed.line, changed.message) == (
        1,
        "The RFC Number line (0007) was removed; restore it.",
    )
