"""The follow-up rules: relative links to RFC files that point nowhere (only when the
repository's files are known), and a Tracking Issue line written by hand."""

from __future__ import annotations

from datetime import date

from bot.rfc.config.public import Config, load_config
from bot.rfc.lint import lint
from tests.rfc.golden.generate import VALID

PATH = "rfcs/0000-cache-warmup.md"
KNOWN = frozenset({PATH, "rfcs/0041-job-retries.md", "rfcs/README.md", "docs/guide.md"})
TODAY = date(2024, 4, 1)


def _with(text: str) -> str:
    return VALID.replace("Two weeks.", f"Two weeks. {text}")


def _found(text: str, known: frozenset[str] | None = KNOWN, config: Config | None = None) -> list:
    result = lint(PATH, text, config or Config(), today=TODAY, known_files=known)
    return [d for d in result.diagnostics if d.rule == "rfc-link-target"]


def test_a_link_to_a_missing_rfc_is_reported_where_it_is_written() -> None:
    text = _with("See [retries](0041-job-retry.md) and [ok](0041-job-retries.md).")
    [diagnostic] = _found(text)
    line = text.splitlines()[diagnostic.line - 1]
    assert line[diagnostic.column - 1 : diagnostic.end_column] == "0041-job-retry.md"
    assert "`rfcs/0041-job-retry.md`" in diagnostic.message
    assert diagnostic.severity.value == "error"


def test_without_the_repositorys_files_the_rule_is_silent() -> None:
    assert _found(_with("See [retries](0041-job-retry.md)."), known=None) == []


def test_links_elsewhere_in_code_or_to_other_files_are_not_its_business() -> None:
    text = _with(
        "See `[a](0099-nope.md)`, [guide](../docs/missing.md), [site](https://x.org/0099-a.md), "
        "[index](README.md), [top](#overview), [self](0000-cache-warmup.md#goals)."
    )
    assert _found(text) == []


def test_code_blocks_and_spans_over_lines_hold_no_links() -> None:
    text = VALID.replace(
        "Two weeks.",
        "Two weeks. `a code span\n[x](0098-nope.md) still code`\n\n"
        "```\n[y](0097-nope.md)\n```\n\n    [z](0096-nope.md)\n\nA [real](0095-gone.md) one.",
    )
    [diagnostic] = _found(text)
    assert "0095-gone.md" in diagnostic.message
    assert text.splitlines()[diagnostic.line - 1].startswith("A [real]")


def test_reference_definitions_and_the_configured_directory_count() -> None:
    text = _with("See [old][r].") + "\n[r]: ../proposals/0007-gone.md\n"
    config = load_config("rfc_dir: proposals\n")
    [diagnostic] = _found(text, frozenset({"proposals/0000-cache-warmup.md"}), config)
    assert "`proposals/0007-gone.md`" in diagnostic.message
    assert _found(text) == []  # with rfcs/ as the directory, proposals/ is elsewhere


def test_a_tracking_issue_line_changed_by_hand_is_reported() -> None:
    base = VALID.replace("@bob-smith  \n", "@bob-smith  \n**Tracking Issue:** #12  \n")
    edited = base.replace("#12", "#99")
    result = lint("rfcs/0042-cache-warmup.md", edited, Config(), base=base, today=TODAY)
    [diagnostic] = [d for d in result.diagnostics if d.rule == "tracking-issue-by-app"]
    assert "changed from '#12'" in diagnostic.message
    unchanged = lint("rfcs/0042-cache-warmup.md", base, Config(), base=base, today=TODAY)
    assert not [d for d in unchanged.diagnostics if d.rule == "tracking-issue-by-app"]
    assert not [d for d in unchanged.diagnostics if d.rule == "metadata-unknown"]
