"""Golden tests: each tests/rfc/golden/<case>.md linted, compared with <case>.expected.json."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.rfc.config.public import Config
from bot.rfc.lint import NO_BASE, LintResult, lint
from bot.rfc.rules import RULES
from bot.rfc.workflow import Provenance

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.name.removesuffix(".expected.json") for path in GOLDEN.glob("*.expected.json"))


def _load(case: str) -> tuple[dict, str]:
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text(encoding="utf-8"))
    return expected, (GOLDEN / f"{case}.md").read_text(encoding="utf-8")


def _provenance(expected: dict) -> Provenance | None:
    """The App's view of who changed the status, for cases of status-unauthorised."""
    given = expected.get("provenance")
    if given is None:
        return None
    proven = frozenset((a, b) for a, b in given["proven"])
    return Provenance(given["opener"], given["maintainer"], proven)


def _base(expected: dict) -> str | object | None:
    base = expected["base"]
    if base == "none":
        return NO_BASE
    if base == "new":
        return None
    return (GOLDEN / base).read_text(encoding="utf-8")


def _lint_case(case: str) -> tuple[dict, LintResult]:
    expected, text = _load(case)
    result = lint(
        expected["path"],
        text,
        Config(),
        base=_base(expected),
        today=date.fromisoformat(expected["today"]),
        provenance=_provenance(expected),
    )
    return expected, result


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str) -> None:
    expected, result = _lint_case(case)
    found = Counter((d.rule, d.severity.value, d.line) for d in result.diagnostics)
    wanted = Counter((d["rule"], d["severity"], d["line"]) for d in expected["diagnostics"])
    assert found == wanted, [f"{d.line}: {d.rule}: {d.message}" for d in result.diagnostics]
    # Where a case pins a message, some diagnostic of that rule and line says exactly that.
    said = {(d.rule, d.line, d.message) for d in result.diagnostics}
    for pinned in expected["diagnostics"]:
        if "message" in pinned:
            assert (pinned["rule"], pinned["line"], pinned["message"]) in said, sorted(said)


def test_every_rule_has_a_failing_golden_case() -> None:
    failing = {d["rule"] for case in CASES for d in _load(case)[0]["diagnostics"]}
    # file-unreadable needs bytes, so it is covered in test_lint.py instead; index-outdated
    # looks at a whole directory, so tests/cli/test_lint_index.py covers it; lint-timeout is
    # reported by the App's lint pool when a file runs out of time (tests/lint_pool/test_pool.py);
    # the supersession rules that need both files are covered by tests/rfc/test_supersession.py;
    # rfc-link-target needs the repository's files (tests/rfc/test_follow_up_rules.py).
    uncovered = {
        "rfc-link-target",
        "file-unreadable",
        "index-outdated",
        "lint-timeout",
        "supersession-target",
        "supersession-mismatch",
    }
    assert {rule.id for rule in RULES} - failing == uncovered


def test_passing_cases_exist() -> None:
    clean = [case for case in CASES if not _load(case)[0]["diagnostics"]]
    assert {"valid", "valid-new-file", "valid-numbered", "last-updated-bumped"} <= set(clean)


def test_a_gated_move_by_hand_names_the_decision_to_start() -> None:
    _, result = _lint_case("status-gated-by-hand")
    [diagnostic] = result.diagnostics
    assert "needs a decision" in diagnostic.message
    assert "'/rfc status final'" in diagnostic.message
