"""check_index(): the index-outdated rule over an index's text and the RFC files' entries."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.rfc.config.public import Config, load_config
from bot.rfc.diagnostics import Severity
from bot.rfc.edits import INDEX_END, INDEX_START, IndexEntry, update_index
from bot.rfc.index_check import MESSAGE, check_index, index_check_enabled
from bot.rfc.rules.index import INDEX_OUTDATED

PATH = "rfcs/README.md"
ENTRIES = [
    IndexEntry(1, "rfcs/0001-audit-log.md", "Audit Log", "Final", ["api"], ["alice"], "2024-01-01"),
    IndexEntry(2, "rfcs/0002-retries.md", "Retries", "Draft", ["api"], ["bob"], "2024-02-01"),
]
PIECES = ["a", " ", "\n", "\r", "|", INDEX_START, INDEX_END]
CURRENT = update_index("# RFCs\n\nHand-written intro.\n", ENTRIES)


def rules(setting: str) -> Config:
    return load_config(f"rules:\n  index-outdated: {setting}\n")


def test_a_current_index_has_no_finding() -> None:
    assert check_index(PATH, CURRENT, ENTRIES, Config()) == []


def test_a_stale_index_is_reported_on_the_start_marker() -> None:
    stale = CURRENT.replace("| Final |", "| Draft |")
    [finding] = check_index(PATH, stale, ENTRIES, Config())
    lines = stale.splitlines()
    marker = lines.index(INDEX_START) + 1
    assert (finding.rule, finding.severity) == (INDEX_OUTDATED.id, INDEX_OUTDATED.severity)
    assert (finding.path, finding.line, finding.end_line) == (PATH, marker, marker)
    assert (finding.column, finding.end_column) == (1, len(INDEX_START))
    assert finding.message == MESSAGE
    assert finding.help == INDEX_OUTDATED.fix  # the rule's own fix text by default


def test_the_caller_words_the_fix() -> None:
    [finding] = check_index(PATH, CURRENT, ENTRIES[:1], Config(), fix="run `make index`")
    assert finding.help == "run `make index`"


@pytest.mark.parametrize(
    ("text", "end_column"),
    [("", 1), ("# RFCs\n", len("# RFCs")), ("\n\nno table here\n", 1)],
)
def test_an_index_without_markers_is_reported_on_its_first_line(text: str, end_column: int) -> None:
    [finding] = check_index(PATH, text, ENTRIES, Config())
    assert (finding.line, finding.end_line, finding.end_column) == (1, 1, end_column)


def test_broken_markers_are_outdated_not_a_crash() -> None:
    broken = f"{INDEX_END}\n{INDEX_START}\n"
    [finding] = check_index(PATH, broken, ENTRIES, Config())
    assert finding.line == 2


@pytest.mark.parametrize(
    ("setting", "severity"), [("error", Severity.ERROR), ("notice", Severity.NOTICE)]
)
def test_the_config_sets_the_severity(setting: str, severity: Severity) -> None:
    [finding] = check_index(PATH, "", ENTRIES, rules(setting))
    assert finding.severity is severity


def test_the_config_turns_it_off() -> None:
    off = rules("off")
    assert not index_check_enabled(off)
    assert index_check_enabled(Config())
    assert check_index(PATH, "stale", ENTRIES, off) == []


def test_an_oversized_index_is_checked_in_one_pass() -> None:
    """Hostile size: 200,000 lines before the marker; one finding, on the marker's line."""
    text = "x\n" * 200_000 + CURRENT
    assert check_index(PATH, text, ENTRIES, Config()) == []
    [finding] = check_index(PATH, text, ENTRIES[1:], Config())
    assert finding.line == 200_000 + CURRENT.splitlines().index(INDEX_START) + 1


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES)).map("".join))
@example(text="0\r")
@example(text=f"{INDEX_START}\r\n{INDEX_END}")
def test_a_finding_exactly_when_regenerating_would_change_the_text(text: str) -> None:
    findings = check_index(PATH, text, ENTRIES, Config())
    try:
        current = update_index(text, ENTRIES) == text
    except ValueError:  # broken markers: never current
        current = False
    assert len(findings) == (0 if current else 1)
    for finding in findings:
        assert 1 <= finding.line <= max(1, len(text.splitlines()))
        assert finding.end_column >= finding.column
