"""Output formats: text, json, github workflow commands, SARIF 2.1.0."""

from __future__ import annotations

import json

import pytest

from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.report import FileReport, render, sarif_log
from bot.rfc.rules import RULES
from tests.sarif_schema import assert_valid_sarif

LINES = ["# Title", "", "**Status:** Drafty  ", "\tindented value"]
STATUS = Diagnostic(
    "metadata-status",
    Severity.ERROR,
    "rfcs/0001-a.md",
    3,
    13,
    3,
    18,
    "unknown status 'Drafty'",
    "use one of: Draft, Proposed",
)
TAB = Diagnostic("some-rule", Severity.WARNING, "rfcs/0001-a.md", 4, 2, 4, 9, "tabbed", "")
NOTE = Diagnostic(
    "other-rule", Severity.NOTICE, "rfcs/0002-b.md", 9, 1, 9, 1, "past the end, 50% sure", ""
)
REPORTS = [
    FileReport("rfcs/0001-a.md", [STATUS, TAB], LINES),
    FileReport("rfcs/0002-b.md", [NOTE], ["short"]),
    FileReport("rfcs/0003-c.md", [], ["fine"]),
]


def test_text_reads_like_a_compiler() -> None:
    assert render(REPORTS, "text").splitlines() == [
        "rfcs/0001-a.md:3:13: error[metadata-status] unknown status 'Drafty'",
        "  |",
        "3 | **Status:** Drafty  ",
        "  |             ^~~~~~",
        "  = help: use one of: Draft, Proposed",
        "",
        "rfcs/0001-a.md:4:2: warning[some-rule] tabbed",
        "  |",
        "4 | \tindented value",
        "  | \t^~~~~~~~",
        "",
        "rfcs/0002-b.md:9:1: notice[other-rule] past the end, 50% sure",
        "",
        "Found 1 error, 1 warning, 1 notice in 2 of 3 RFC files.",
    ]


def test_text_summary_when_clean() -> None:
    assert render(REPORTS[2:], "text") == "All checks passed: 1 RFC file.\n"
    assert render([], "text") == "All checks passed: 0 RFC files.\n"


def test_text_summary_counts_rfc_files_names_the_index_and_tells_skipped_files() -> None:
    index = FileReport("rfcs/README.md", [], ["# RFCs"], is_index=True)
    clean = [REPORTS[2], index]
    assert render(clean, "text") == "All checks passed: 1 RFC file and the RFC index.\n"
    assert render(clean, "text", skipped=2) == (
        "All checks passed: 1 RFC file and the RFC index; 2 other files skipped (not RFCs).\n"
    )
    stale = FileReport("rfcs/README.md", [NOTE], ["# RFCs"], is_index=True)
    assert render([REPORTS[2], stale], "text").endswith("Found 1 notice in the RFC index.\n")
    both = render([*REPORTS, stale, index], "text", skipped=1)
    assert both.endswith(
        "Found 1 error, 1 warning, 2 notices in 2 of 3 RFC files and 1 of 2 RFC indexes; "
        "1 other file skipped (not RFCs).\n"
    )


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in render(REPORTS, "text")
    coloured = render(REPORTS, "text", color=True)
    assert "\x1b[1;31merror[metadata-status]\x1b[0m" in coloured


def test_multi_line_span_underlines_to_end_of_first_line() -> None:
    span = Diagnostic("r", Severity.ERROR, "p", 1, 3, 3, 1, "m", "")
    lines = render([FileReport("p", [span], LINES)], "text").splitlines()
    assert lines[3] == "  |   ^~~~~"


def test_json_has_the_documented_keys() -> None:
    data = json.loads(render(REPORTS, "json"))
    assert data[0] == {
        "path": "rfcs/0001-a.md",
        "line": 3,
        "column": 13,
        "end_line": 3,
        "end_column": 18,
        "severity": "error",
        "rule": "metadata-status",
        "message": "unknown status 'Drafty'",
        "help": "use one of: Draft, Proposed",
    }
    assert [item["severity"] for item in data] == ["error", "warning", "notice"]
    assert json.loads(render([], "json")) == []


def test_github_workflow_commands_are_escaped() -> None:
    odd = Diagnostic("r-1", Severity.WARNING, "dir,x/a:b.md", 2, 1, 2, 4, "100%\r\ndone", "")
    lines = render([*REPORTS, FileReport("dir,x/a:b.md", [odd])], "github").splitlines()
    assert lines[0] == (
        "::error file=rfcs/0001-a.md,line=3,col=13,endLine=3,endColumn=18,"
        "title=metadata-status::unknown status 'Drafty'%0Ahelp: use one of: Draft, Proposed"
    )
    assert lines[2].startswith("::notice file=rfcs/0002-b.md,")
    assert lines[3] == (
        "::warning file=dir%2Cx/a%3Ab.md,line=2,col=1,endLine=2,endColumn=4,"
        "title=r-1::100%25%0D%0Adone"
    )


def test_sarif_is_valid_and_maps_levels() -> None:
    log = json.loads(render(REPORTS, "sarif"))
    assert_valid_sarif(log)
    run = log["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert set(rule_ids) >= {rule.id for rule in RULES}
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 13, "endLine": 3, "endColumn": 19}
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "rfcs/0001-a.md"


def test_sarif_without_results_still_lists_rules() -> None:
    log = sarif_log([])
    assert_valid_sarif(log)
    assert log["runs"][0]["results"] == []  # type: ignore[index]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(REPORTS, "xml")
