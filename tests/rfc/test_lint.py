"""lint(): unreadable input, severity overrides, the raw template, the examples, configuration."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Severity
from bot.rfc.lint import MAX_BYTES, NO_BASE, lint
from bot.rfc.rules import RULES
from bot.rfc.rules.docs import render

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "rfcs"
VALID = (Path(__file__).parent / "golden" / "valid.md").read_text(encoding="utf-8")
TEMPLATE = (ROOT / "bot" / "rfc" / "template.md").read_text(encoding="utf-8")
TODAY = date(2024, 4, 1)
PATH = "rfcs/0000-cache-warmup.md"


def _with_rules(**settings: str) -> Config:
    return Config(rules=MappingProxyType({k.replace("_", "-"): v for k, v in settings.items()}))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"# Title\n\xff\xfe broken", "not valid UTF-8"),
        (b"#" * (MAX_BYTES + 1), "limit"),
        ("# Title\x00", "binary"),
    ],
)
def test_unusable_content_gives_one_diagnostic(content: str | bytes, reason: str) -> None:
    result = lint(PATH, content, Config(), today=TODAY)
    assert result.document is None
    (diagnostic,) = result.diagnostics
    assert (diagnostic.rule, diagnostic.line, diagnostic.severity) == (
        "file-unreadable",
        1,
        Severity.ERROR,
    )
    assert reason in diagnostic.message


def test_utf8_bytes_with_bom_lint_like_text() -> None:
    as_bytes = lint(PATH, b"\xef\xbb\xbf" + VALID.encode(), Config(), today=TODAY)
    assert as_bytes.document is not None
    assert as_bytes.diagnostics == []


def test_rule_turned_off_is_dropped_and_overrides_change_severity() -> None:
    text = VALID.replace("**Status:** Draft", "**Status:** draft")
    default = lint(PATH, text, Config(), today=TODAY).diagnostics
    assert [(d.rule, d.severity) for d in default] == [("status-case", Severity.WARNING)]
    raised = lint(PATH, text, _with_rules(status_case="error"), today=TODAY).diagnostics
    assert [(d.rule, d.severity) for d in raised] == [("status-case", Severity.ERROR)]
    assert lint(PATH, text, _with_rules(status_case="off"), today=TODAY).diagnostics == []


def test_diagnostics_are_sorted_and_carry_help() -> None:
    text = VALID.replace("**Status:** Draft", "**Status:** Done").replace("@jdoe", "@j.doe")
    diagnostics = lint("rfcs/Bad.md", text, Config(), today=TODAY).diagnostics
    assert diagnostics == sorted(diagnostics, key=lambda d: d.sort_key)
    assert all(d.help for d in diagnostics)
    assert [d.rule for d in diagnostics] == ["file-name", "status-invalid", "authors"]


def test_raw_template_prompts_are_all_flagged() -> None:
    result = lint("rfcs/0000-template-copy.md", TEMPLATE, Config(), today=TODAY)
    flagged = {d.line for d in result.diagnostics if d.rule == "template-prompt"}
    # Independently: every template line holding [...] text that is not a task box or the
    # RFC Number placeholder must be flagged.
    with_prompts = {
        number
        for number, line in enumerate(TEMPLATE.splitlines(), start=1)
        if re.search(r"\[[^\]]{2,}\]", line) and "RFC Number" not in line
    }
    assert flagged == with_prompts
    rules = {d.rule for d in result.diagnostics}
    assert {"title-template", "risks-table", "success-metrics", "changelog-entry"} <= rules
    assert "rfc-number" not in rules  # the placeholder is the right value on a 0000 file


def test_complete_example_lints_clean_as_a_new_rfc() -> None:
    text = (EXAMPLES / "0000-job-retries.md").read_bytes()
    assert lint("rfcs/0000-job-retries.md", text, Config(), base=None).diagnostics == []


def test_flawed_example_reports_its_defects() -> None:
    text = (EXAMPLES / "0000-flawed-example.md").read_text(encoding="utf-8")
    rules = {d.rule for d in lint("rfcs/0000-flawed-example.md", text, Config()).diagnostics}
    assert rules == {
        "target-apps",
        "rfc-number",
        "date-order",
        "authors",
        "section-empty",
        "section-missing",
        "template-prompt",
        "risks-rating",
        "changelog-date",
    }


def test_unusable_base_skips_change_rules() -> None:
    changed = VALID.replace("**Status:** Draft", "**Status:** Final")
    assert lint(PATH, changed, Config(), base=b"\x00", today=TODAY).diagnostics == []
    assert lint(PATH, changed, Config(), base=NO_BASE, today=TODAY).diagnostics == []
    with_base = lint(PATH, changed, Config(), base=VALID.encode(), today=TODAY).diagnostics
    assert {d.rule for d in with_base} == {"status-transition", "last-updated-stale"}


def test_configured_required_sections_replace_the_template_list() -> None:
    config = replace(Config(), required_sections=("Overview", "Summary", "Motivation"))
    text = VALID.replace("## Scope\n", "## Motivation\nWhy.\n\n## Scope\n")
    assert lint(PATH, text, config, today=TODAY).diagnostics == []
    missing = lint(PATH, VALID, config, today=TODAY).diagnostics
    assert [(d.rule, d.line) for d in missing] == [("section-missing", len(VALID.split("\n")))]


def test_optional_sections_may_be_left_out() -> None:
    text = VALID.replace("### API Design\nNo API changes.\n\n", "")
    assert lint(PATH, text, Config(), today=TODAY).diagnostics == []
    strict = replace(Config(), optional_sections=())
    missing = lint(PATH, text, strict, today=TODAY).diagnostics
    assert {d.rule for d in missing} == {"section-missing"}
    named = [re.search(r"'#+ ([^']+)'", d.message)[1] for d in missing]
    assert named == [
        "API Design",
        "Appendices",
        "Appendix A: Technical Details",
        "Appendix B: References",
    ]


def test_configured_apps_and_statuses() -> None:
    config = replace(Config(), target_apps=("billing",), statuses=("Draft", "Accepted"))
    text = VALID.replace("api, shared", "billing")
    assert lint(PATH, text, config, today=TODAY).diagnostics == []
    diagnostics = lint(PATH, VALID, config, today=TODAY).diagnostics
    assert [d.rule for d in diagnostics] == ["target-apps", "target-apps"]


def test_near_miss_messages_suggest_the_fix() -> None:
    text = VALID.replace("api, shared", "jobmaster gui").replace(
        "**Status:** Draft", "**Status:** Proposd"
    )
    messages = [d.message for d in lint(PATH, text, Config(), today=TODAY).diagnostics]
    assert any("did you mean 'jobmaster-gui'" in m for m in messages)
    assert any("did you mean 'Proposed'" in m for m in messages)


def test_target_app_columns_span_the_bad_name() -> None:
    text = VALID.replace("api, shared", "api, scheduler")
    (diagnostic,) = lint(PATH, text, Config(), today=TODAY).diagnostics
    line = text.split("\n")[diagnostic.line - 1]
    assert line[diagnostic.column - 1 : diagnostic.end_column] == "scheduler"


def test_registry_rules_are_documented_and_well_formed() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.id)
        assert rule.summary and rule.doc and rule.bad and rule.good and rule.fix


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"### {rule.id}\n" in docs
    assert docs == render(), "regenerate: python3 -m bot.rfc.rules.docs > docs/rules.md"


def test_an_emptied_rfc_is_told_to_restore_and_a_new_empty_one_to_start_from_the_template() -> None:
    emptied = lint("rfcs/0042-cache-warmup.md", "\n", Config(), base=VALID, today=TODAY)
    [diagnostic] = emptied.diagnostics  # no change rule fires on the missing Status
    assert diagnostic.rule == "file-empty"
    assert "has content on the base branch: restore it" in diagnostic.message
    new = lint(PATH, "", Config(), base=None, today=TODAY)
    [diagnostic] = new.diagnostics
    assert '`rfc-bot new "Cache warmup"`' in diagnostic.message
    assert new.document is not None and new.document.title is None  # the index still lists it
    assert lint(PATH, "", _with_rules(file_empty="off"), today=TODAY).diagnostics == []
