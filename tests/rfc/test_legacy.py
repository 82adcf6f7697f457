"""The legacy pass: problems an old RFC already had, on lines a change did not touch, lowered;
everything the change brought, or a status change, still counts in full."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.rfc.config.public import Config, load_config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.legacy import (
    HELD_BAD_DIFF,
    HELD_BASE_MOVED,
    HELD_BASE_UNREADABLE,
    HELD_CARRIAGE,
    HELD_HEAD_MOVED,
    HELD_NO_DIFF,
    HELD_STATUS,
    LEGACY_NOTE,
    Legacy,
    Pending,
    could_be_legacy,
    never_legacy,
    review,
)
from bot.rfc.lint import lint
from tests.legacy_rfcs import (
    APPS,
    GOOD,
    OLD,
    ONE_BAD_LINE,
    PATH,
    PROMPT,
    PROPOSED,
    TODAY,
    unified,
    without_section,
)


def legacy_pass(
    base: str,
    head: str,
    *,
    patch: str | bool | None = True,
    config: Config | None = None,
    path: str = PATH,
    base_path: str = PATH,
) -> Legacy:
    """The pass as the App and the CLI run it: lint the head against the base, review, and
    lint the base when asked. ``patch=True``: the texts' own diff."""
    config = config or Config()
    result = lint(path, head, config, base=base, today=TODAY)
    assert result.document is not None
    step = review(
        result.diagnostics,
        patch=unified(base, head) if patch is True else (patch or None),
        status_before=result.status_before,
        status_after=result.document.status,
        head=head,
        base=base,
        config=config,
    )
    if isinstance(step, Pending):
        return step.finish(lint(base_path, base, config, today=TODAY).diagnostics)
    return step


def levels(legacy: Legacy) -> dict[str, list[tuple[int, str]]]:
    """severity -> (line, rule) of each finding."""
    found: dict[str, list[tuple[int, str]]] = {}
    for d in legacy.diagnostics:
        found.setdefault(d.severity.value, []).append((d.line, d.rule))
    return found


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def test_one_touched_error_and_ten_legacy_ones() -> None:
    legacy = legacy_pass(OLD, ONE_BAD_LINE)
    errors = [(d.line, d.rule) for d in legacy.diagnostics if d.severity is Severity.ERROR]
    assert errors == [(line_of(ONE_BAD_LINE, APPS[:20]), "target-apps")]
    prompts = [d for d in legacy.diagnostics if d.rule == "template-prompt"]
    assert len(prompts) == 10
    assert all(d.severity is Severity.WARNING and d.message.endswith(LEGACY_NOTE) for d in prompts)
    assert legacy.lowered == ((Severity.WARNING, 10),) and legacy.count == 10
    assert legacy.held == ""


def test_a_status_change_brings_every_error_back() -> None:
    legacy = legacy_pass(OLD, PROPOSED)
    assert legacy.held == HELD_STATUS
    assert legacy.count == 0
    assert [d.rule for d in legacy.diagnostics if d.severity is Severity.ERROR].count(
        "template-prompt"
    ) == 10


def test_an_edit_that_leaves_the_status_as_it_was_spelled_otherwise_is_no_status_change() -> None:
    respelled = ONE_BAD_LINE.replace("**Status:** Draft", "**Status:** draft")
    legacy = legacy_pass(OLD, respelled)
    assert legacy.count == 10


def test_a_diff_github_left_out_holds_every_line() -> None:
    legacy = legacy_pass(OLD, ONE_BAD_LINE, patch=None)
    assert legacy.held == HELD_NO_DIFF
    assert sum(d.severity is Severity.ERROR for d in legacy.diagnostics) == 11


def test_a_diff_that_does_not_add_up_holds_every_line() -> None:
    legacy = legacy_pass(OLD, ONE_BAD_LINE, patch="@@ -1,3 +1,3 @@\n-x\n")
    assert legacy.held == HELD_BAD_DIFF and legacy.count == 0


def test_patch_like_text_inside_the_rfc_changes_nothing() -> None:
    """The RFC may quote a diff: its lines reach the patch prefixed, never as headers."""
    quoted = "```diff\n@@ -1,400 +1,400 @@\n-**Status:** Draft\n+**Status:** Final\n```\n"
    base = OLD.replace("## Overview\n", "## Overview\n\n" + quoted, 1)
    head = base.replace(APPS, APPS.replace("jobmaster", "job master"))
    head = head.replace("@@ -1,400 +1,400 @@", "@@ -1,1 +1,900 @@")  # an edit of the quote
    legacy = legacy_pass(base, head)
    assert levels(legacy)["error"] == [(line_of(head, APPS[:20]), "target-apps")]
    assert legacy.count == 10


def test_a_deleted_required_section_is_an_error_wherever_its_finding_lands() -> None:
    """A deletion touches no head line; the missing section's finding lands on an untouched
    line, but the base had the section, so the finding is the change's own."""
    head = without_section(OLD, "### Dependencies")
    legacy = legacy_pass(OLD, head)
    missing = [d for d in legacy.diagnostics if d.rule == "section-missing"]
    assert [d.severity for d in missing] == [Severity.ERROR]
    assert "Dependencies" in missing[0].message
    assert legacy.count == 10  # the prompts are still legacy


def test_a_section_missing_on_the_base_already_is_legacy() -> None:
    base = without_section(OLD, "### Dependencies")
    head = base.replace(APPS, APPS + ", api")
    legacy = legacy_pass(base, head)
    missing = [d for d in legacy.diagnostics if d.rule == "section-missing"]
    assert [d.severity for d in missing] == [Severity.WARNING]
    assert legacy.count == 11


def test_a_problem_the_change_causes_on_an_untouched_line_stays_an_error() -> None:
    """Moving a section up leaves the headings it passed untouched, yet out of order: the
    base had no order problem there, so none of it is legacy."""
    section = "### Dependencies\nNone.\n\n"
    assert section in OLD
    head = OLD.replace(section, "").replace("## Scope\n\n", "## Scope\n\n" + section)
    legacy = legacy_pass(OLD, head)
    order = [d for d in legacy.diagnostics if d.rule == "section-order"]
    assert order and all(d.severity is Severity.ERROR for d in order)


def test_a_rename_with_edits_is_compared_with_the_old_path() -> None:
    renamed = "rfcs/0000-job-retry-policy.md"
    legacy = legacy_pass(OLD, ONE_BAD_LINE, path=renamed)
    assert levels(legacy)["error"] == [(line_of(ONE_BAD_LINE, APPS[:20]), "target-apps")]
    assert legacy.count == 10


def test_a_new_rfc_has_no_legacy() -> None:
    result = lint(PATH, OLD, Config(), base=None, today=TODAY)
    step = review(
        result.diagnostics,
        patch=unified("", OLD),
        status_before=result.status_before,
        status_after="Draft",
        head=OLD,
        base=None,
        config=Config(),
    )
    assert step == Legacy(tuple(result.diagnostics))


def test_change_rules_and_unchecked_files_are_never_legacy() -> None:
    assert {"status-transition", "created-changed", "number-changed"} <= never_legacy()
    assert {"file-unreadable", "file-empty", "lint-timeout"} <= never_legacy()
    # Last Updated is left as it was (untouched), and the change should have bumped it.
    config = load_config("rules:\n  last-updated-stale: error\n")
    legacy = legacy_pass(OLD, OLD.replace(APPS, APPS + ", api"), config=config)
    stale = [d for d in legacy.diagnostics if d.rule == "last-updated-stale"]
    assert [d.severity for d in stale] == [Severity.ERROR]
    assert legacy.count == 10


def test_the_base_moving_on_or_the_head_holds_every_line() -> None:
    patch = unified(OLD, ONE_BAD_LINE)
    moved = OLD.replace("**Created:** 2024-05-01", "**Created:** 2024-05-02")
    assert legacy_pass(moved, ONE_BAD_LINE, patch=patch).held == HELD_BASE_MOVED
    newer = ONE_BAD_LINE.replace("## Overview", "## Overview\n\nMore.")
    assert legacy_pass(OLD, newer, patch=patch).held == HELD_HEAD_MOVED


def test_lone_carriage_returns_hold_every_line() -> None:
    """Markdown breaks a line at a lone \\r and git does not: line numbers would disagree."""
    base = OLD.replace("## Overview\n", "## Overview\r\r\n")
    legacy = legacy_pass(base, base.replace(APPS, APPS + ", api"))
    assert legacy.held == HELD_CARRIAGE


def test_an_unreadable_base_holds_every_line() -> None:
    config = Config()
    result = lint(PATH, ONE_BAD_LINE, config, base=OLD, today=TODAY)
    step = review(
        result.diagnostics,
        patch="",
        status_before="Draft",
        status_after="Draft",
        head=ONE_BAD_LINE,
        base=b"\xff\xfe",
        config=config,
    )
    assert isinstance(step, Legacy) and step.held == HELD_BASE_UNREADABLE


def test_configured_per_rule_and_off() -> None:
    strict_prompts = load_config("legacy:\n  rules:\n    template-prompt: error\n")
    assert legacy_pass(OLD, ONE_BAD_LINE, config=strict_prompts).count == 0
    hidden = legacy_pass(OLD, ONE_BAD_LINE, config=load_config("legacy:\n  untouched_lines: off\n"))
    assert hidden.hidden == 10 and not any(d.rule == "template-prompt" for d in hidden.diagnostics)
    notices = load_config("legacy:\n  untouched_lines: notice\n")
    assert legacy_pass(OLD, ONE_BAD_LINE, config=notices).lowered == ((Severity.NOTICE, 10),)
    strict = load_config("legacy:\n  untouched_lines: error\n")
    assert not could_be_legacy(lint(PATH, OLD, strict, today=TODAY).diagnostics, strict)
    assert legacy_pass(OLD, ONE_BAD_LINE, config=strict).count == 0


def test_a_clean_head_needs_no_base_lint() -> None:
    result = lint(PATH, GOOD, Config(), base=GOOD, today=TODAY)
    assert not could_be_legacy(result.diagnostics, Config())


def test_each_base_finding_excuses_one_head_finding() -> None:
    """Two identical findings at one place on the head, one on the base: one is legacy."""
    finding = Diagnostic("template-prompt", Severity.ERROR, PATH, 3, 1, 3, 5, "prompt")
    step = Pending((finding, finding), frozenset({0, 1}), _unchanged(), Config())
    assert step.finish([finding]).count == 1


def _unchanged() -> object:
    from bot.rfc.touched import Touched

    return Touched()


# --- properties -----------------------------------------------------------------------------

LINES = OLD.split("\n")
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.integers(0, len(LINES) - 1),
    st.sampled_from([PROMPT, "", "## Overview", "**Created:** 2024-13-01", "text", "# Title"]),
)


def _apply(lines: list[str], edits: list[tuple[str, int, str]]) -> list[str]:
    out = list(lines)
    for kind, at, text in edits:
        at = min(at, len(out) - 1)
        if kind == "insert":
            out.insert(at, text)
        elif kind == "delete" and len(out) > 1:
            del out[at]
        else:
            out[at] = text
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(EDIT, max_size=4))
@example([("replace", 3, "**Target Application(s):** orchestrator, job master")])
@example([("delete", 10, "")])
def test_the_pass_only_lowers_findings_on_untouched_lines_the_base_had(
    edits: list[tuple[str, int, str]],
) -> None:
    head = "\n".join(_apply(LINES, edits))
    config = Config()
    before = lint(PATH, head, config, base=OLD, today=TODAY).diagnostics
    after = legacy_pass(OLD, head).diagnostics
    from bot.rfc.touched import parse_patch

    touched = parse_patch(unified(OLD, head))
    assert touched is not None
    assert len(after) == len(before)  # nothing hidden by default, nothing added
    base_rules = {(d.rule, d.line) for d in lint(PATH, OLD, config, today=TODAY).diagnostics}
    for old, new in zip(before, after, strict=True):
        assert new.rule == old.rule and new.line == old.line
        assert new.severity.rank <= old.severity.rank
        if new.severity is not old.severity:
            assert not touched.touches(old.line, old.end_line)
            assert (old.rule, touched.base_line(old.line)) in base_rules
            assert old.rule not in never_legacy()
