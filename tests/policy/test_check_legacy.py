"""What the check says about legacy problems: warnings that do not fail it, the summary's
count, why an RFC was held to every line; the patch read from GitHub's files listing."""

from __future__ import annotations

from bot.policy.check import FileResult, RfcChange, build_check_output, select_rfc_changes
from bot.policy.legacy import held_note, legacy_sentence
from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.legacy import HELD_NO_DIFF, LEGACY_NOTE, Legacy

RFC = "rfcs/0007-job-retries.md"


def finding(line: int, severity: Severity, rule: str = "template-prompt") -> Diagnostic:
    return Diagnostic(rule, severity, RFC, line, 1, line, 9, f"{rule} here")


def report(legacy: Legacy) -> FileResult:
    change = RfcChange(RFC, "modified", diff="")
    return FileResult.from_lint(change, (), None, legacy=legacy)


def url(path: str) -> str:
    return f"https://example.com/{path}"


def test_legacy_warnings_do_not_fail_the_check_and_are_counted() -> None:
    lowered = tuple(finding(n, Severity.WARNING) for n in range(10, 20))
    touched = finding(4, Severity.ERROR, "target-apps")
    legacy = Legacy((touched, *lowered), ((Severity.WARNING, 10),))
    output = build_check_output([report(legacy)], rendered_url=url)
    assert output.conclusion == "failure"  # the one error on a touched line
    assert output.title == f"1 error, 10 warnings in {RFC}"
    assert [a["annotation_level"] for a in output.annotations] == ["failure"] + ["warning"] * 10
    assert (
        "10 legacy problems on lines this pull request did not touch (warnings): the base "
        "branch already had them, so they do not block merging" in output.summary
    )
    only_legacy = Legacy(lowered, ((Severity.WARNING, 10),))
    passing = build_check_output([report(only_legacy)], rendered_url=url)
    assert passing.conclusion == "success"
    assert "nothing blocks merging" in passing.summary


def test_the_sentence_names_each_level_when_there_are_several() -> None:
    one = Legacy((), ((Severity.WARNING, 2), (Severity.NOTICE, 1)), hidden=3)
    other = Legacy((), ((Severity.WARNING, 1),))
    sentence = legacy_sentence([one, None, other])
    assert sentence.startswith(
        "\n\n7 legacy problems on lines this pull request did not touch "
        "(3 warnings, 1 notice, 3 not shown):"
    )
    assert legacy_sentence([None, Legacy(())]) == ""
    assert "1 legacy problem on lines this pull request did not touch (not shown)" in (
        legacy_sentence([Legacy((), hidden=1)])
    )
    assert "(warning)" in legacy_sentence([Legacy((), ((Severity.WARNING, 1),))])


def test_an_rfc_held_to_every_line_says_why_in_the_text() -> None:
    errors = tuple(finding(n, Severity.ERROR) for n in (3, 9))
    output = build_check_output([report(Legacy(errors, held=HELD_NO_DIFF))], rendered_url=url)
    assert output.conclusion == "failure"
    assert f"_No problem here counts as legacy: {HELD_NO_DIFF}._" in output.text
    assert output.text.index("counts as legacy") < output.text.index("line 3")
    assert "legacy problem" not in output.summary
    assert held_note(None) == held_note(Legacy(errors)) == ""


def test_the_patch_comes_from_the_files_listing() -> None:
    files = [
        {"filename": "rfcs/0001-a.md", "status": "modified", "changes": 2, "patch": "@@ -1 +1 @@"},
        {"filename": "rfcs/0002-b.md", "status": "modified", "changes": 4000},  # left out
        {"filename": "rfcs/0003-c.md", "status": "renamed", "changes": 0,
         "previous_filename": "rfcs/0003-old.md"},  # a pure rename: nothing changed
        {"filename": "rfcs/0004-d.md", "status": "added", "changes": 3, "patch": "@@ -0,0 +1,3 @@"},
    ]  # fmt: skip
    changes = select_rfc_changes(files, Config())
    assert [(c.path, c.diff) for c in changes] == [
        ("rfcs/0001-a.md", "@@ -1 +1 @@"),
        ("rfcs/0002-b.md", None),
        ("rfcs/0003-c.md", ""),
        ("rfcs/0004-d.md", "@@ -0,0 +1,3 @@"),
    ]
    assert "@@" not in repr(changes[0])  # a diff can be large: logs stay short


def test_a_legacy_finding_says_so_in_its_annotation() -> None:
    message = f"template-prompt here{LEGACY_NOTE}"
    lowered = Diagnostic("template-prompt", Severity.WARNING, RFC, 12, 1, 12, 9, message)
    legacy = Legacy((lowered,), ((Severity.WARNING, 1),))
    [annotation] = build_check_output([report(legacy)], rendered_url=url).annotations
    assert annotation["message"].endswith("(legacy: the base already had this, on lines this "
                                          "change does not touch)")  # fmt: skip
