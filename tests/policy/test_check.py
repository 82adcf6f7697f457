"""The check run's content: title wording, summary tables, annotations, batching, size caps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.check import (
    ANNOTATIONS_PER_REQUEST,
    CHECK_NAME,
    MAX_OUTPUT_BYTES,
    FileResult,
    RfcChange,
    annotation,
    batches,
    blob_url,
    build_check_output,
    config_diagnostic,
    config_diagnostics,
    deleted_rfc,
    fit,
    select_rfc_changes,
)
from bot.policy.labels import desired_labels, is_owned_label, label_style
from bot.rfc.config.public import Config, ConfigError, ConfigProblem
from bot.rfc.diagnostics import Diagnostic, Severity

RFC = "rfcs/0000-job-retries.md"
URL = blob_url("https://github.example.com/octo-org/rfcs", "abc123")


def diag(
    severity: Severity = Severity.ERROR,
    *,
    path: str = RFC,
    line: int = 3,
    end_line: int | None = None,
    column: int = 5,
    end_column: int = 9,
    rule: str = "metadata-status",
    help: str = "",
) -> Diagnostic:
    return Diagnostic(
        rule=rule,
        severity=severity,
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=end_column,
        message=f"{rule} at line {line}",
        help=help,
    )


def result(path: str = RFC, *diagnostics: Diagnostic, kind: str = "added") -> FileResult:
    return FileResult(
        RfcChange(path, kind),  # type: ignore[arg-type]
        diagnostics,
        title="Job retries",
        status="Draft",
        target_apps=("api", "orchestrator"),
    )


# --- title ----------------------------------------------------------------------------------


def test_no_rfc_files_is_a_success_so_the_check_can_be_required() -> None:
    output = build_check_output([], rendered_url=URL)
    assert CHECK_NAME == "RFC validation"
    assert output.conclusion == "success"
    assert output.title == "No RFC files changed"
    assert "does not add, change or delete any RFC" in output.summary
    assert output.annotations == []


def test_title_counts_severities_for_one_file() -> None:
    diagnostics = [diag(), diag(line=7), diag(Severity.WARNING, line=9)]
    output = build_check_output([result(RFC, *diagnostics)], rendered_url=URL)
    assert output.title == f"2 errors, 1 warning in {RFC}"
    assert output.conclusion == "failure"


def test_title_names_the_count_of_rfcs_when_several() -> None:
    results = [
        result("rfcs/0000-a.md", diag(Severity.NOTICE, path="rfcs/0000-a.md")),
        result("rfcs/0000-b.md"),
        result("rfcs/0000-c.md"),
    ]
    output = build_check_output(results, rendered_url=URL)
    assert output.title == "1 notice in 3 RFCs"
    assert output.conclusion == "success"


def test_clean_rfc_reads_no_problems() -> None:
    output = build_check_output([result()], rendered_url=URL)
    assert output.title == f"No problems in {RFC}"
    assert output.conclusion == "success"
    assert "nothing blocks merging" in output.summary


def test_warnings_alone_do_not_fail() -> None:
    output = build_check_output([result(RFC, diag(Severity.WARNING))], rendered_url=URL)
    assert output.conclusion == "success"
    assert output.title == f"1 warning in {RFC}"


# --- summary --------------------------------------------------------------------------------


def test_summary_has_a_table_per_rfc_with_rendered_link_on_the_web_host() -> None:
    results = [result("rfcs/0000-a.md", diag(path="rfcs/0000-a.md")), result("rfcs/0000-b.md")]
    summary = build_check_output(results, rendered_url=URL).summary
    assert summary.count("| Title | Status | Target applications |") == 2
    assert "| Job retries | Draft | api, orchestrator | added | 1 | 0 |" in summary
    assert "[Rendered](https://github.example.com/octo-org/rfcs/blob/abc123/rfcs/0000-b.md)" in (
        summary
    )
    assert summary.startswith("1 RFC of 2 must be fixed before merging.")


def test_summary_escapes_pipes_and_marks_missing_values() -> None:
    odd = FileResult(RfcChange(RFC, "modified"), (), title="A | B", status=None)
    summary = build_check_output([odd], rendered_url=URL).summary
    assert "| A \\| B | — | — | modified |" in summary


def test_renamed_and_deleted_rfcs_are_described() -> None:
    renamed = FileResult(RfcChange("rfcs/0000-new.md", "renamed", "rfcs/0000-old.md"), ())
    deleted = deleted_rfc(RfcChange("rfcs/0001-gone.md", "removed"))
    output = build_check_output([renamed, deleted], rendered_url=URL)
    assert "(renamed from `rfcs/0000-old.md`)" in output.summary
    assert deleted.diagnostics[0].severity is Severity.NOTICE
    assert output.annotations[-1]["title"] == "rfc-deleted"
    assert output.annotations[-1]["path"] == "rfcs/0001-gone.md"
    assert output.conclusion == "success"


def test_config_error_is_an_error_annotation_on_the_config_line() -> None:
    error = ConfigError(".github/rfc-bot.yml", 4, "numbering", "must be sequential or pull-request")
    output = build_check_output(
        [result()], rendered_url=URL, config_diagnostics=[config_diagnostic(error)]
    )
    first = output.annotations[0]
    assert first["path"] == ".github/rfc-bot.yml"
    assert (first["start_line"], first["end_line"]) == (4, 4)
    assert first["annotation_level"] == "failure"
    assert first["message"] == "numbering: must be sequential or pull-request"
    assert output.conclusion == "failure"
    assert output.title == "1 error in 1 RFC and .github/rfc-bot.yml"
    assert "the defaults were" in output.summary


def test_config_error_alone_names_the_config_file() -> None:
    error = ConfigError(".github/rfc-bot.yml", None, None, "not a mapping")
    output = build_check_output([], rendered_url=URL, config_diagnostics=[config_diagnostic(error)])
    assert output.title == "1 error in .github/rfc-bot.yml"
    assert output.annotations[0]["start_line"] == 1


ORG = "octo-org/.github:.github/rfc-bot.yml"


def test_a_problem_in_an_extended_file_is_annotated_at_the_extends_line() -> None:
    problems = ConfigError.of(
        [
            ConfigProblem(ORG, 7, "numbering", "'sometimes' is not one of: sequential"),
            ConfigProblem(ORG, None, None, "the file is 70,000 bytes"),
            ConfigProblem(".github/rfc-bot.yml", 3, "rfc_dir", "must be relative"),
        ]
    )
    diagnostics = config_diagnostics(problems, extends_line=2)
    assert [(d.path, d.line) for d in diagnostics] == [(".github/rfc-bot.yml", 2)] * 2 + [
        (".github/rfc-bot.yml", 3)
    ]
    assert [d.message for d in diagnostics] == [
        f"{ORG}:7: numbering: 'sometimes' is not one of: sequential",
        f"{ORG}: the file is 70,000 bytes",
        "rfc_dir: must be relative",
    ]
    assert "The files without problems were used" in diagnostics[0].help
    output = build_check_output(
        [result()],
        rendered_url=URL,
        config_diagnostics=diagnostics,
        config_sources=[".github/rfc-bot.yml"],
    )
    assert "Only part of the configuration could be used: `.github/rfc-bot.yml`." in (
        output.summary
    )
    assert "Configuration: `.github/rfc-bot.yml`." in output.summary


def test_the_summary_names_the_files_a_config_extends() -> None:
    sources = [".github/rfc-bot.yml", ORG]
    output = build_check_output([result()], rendered_url=URL, config_sources=sources)
    assert f"Configuration: `.github/rfc-bot.yml` extends `{ORG}`." in output.summary
    plain = build_check_output([result()], rendered_url=URL)
    assert "Configuration:" not in plain.summary


# --- annotations ----------------------------------------------------------------------------


def test_annotation_maps_levels_and_keeps_columns_on_one_line() -> None:
    levels = {
        severity: annotation(diag(severity))["annotation_level"]
        for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
    }
    assert levels == {
        Severity.ERROR: "failure",
        Severity.WARNING: "warning",
        Severity.NOTICE: "notice",
    }
    single = annotation(diag(help="Use one of Draft, Proposed"))
    assert single == {
        "path": RFC,
        "start_line": 3,
        "end_line": 3,
        "start_column": 5,
        "end_column": 9,
        "annotation_level": "failure",
        "title": "metadata-status",
        "message": "metadata-status at line 3",
        "raw_details": "Use one of Draft, Proposed",
    }


def test_annotation_spanning_lines_has_no_columns_and_no_empty_details() -> None:
    spanning = annotation(diag(line=10, end_line=14))
    assert (spanning["start_line"], spanning["end_line"]) == (10, 14)
    assert "start_column" not in spanning
    assert "end_column" not in spanning
    assert "raw_details" not in spanning


def test_annotations_are_sorted_by_file_then_line() -> None:
    results = [
        result("rfcs/0000-b.md", diag(path="rfcs/0000-b.md", line=2)),
        result("rfcs/0000-a.md", diag(path="rfcs/0000-a.md", line=9), diag(path="rfcs/0000-a.md")),
    ]
    output = build_check_output(results, rendered_url=URL)
    places = [(a["path"], a["start_line"]) for a in output.annotations]
    assert places == [("rfcs/0000-a.md", 3), ("rfcs/0000-a.md", 9), ("rfcs/0000-b.md", 2)]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, [0]), (1, [1]), (50, [50]), (51, [50, 1]), (120, [50, 50, 20]), (150, [50, 50, 50])],
)
def test_batches_of_fifty(count: int, sizes: list[int]) -> None:
    items = list(range(count))
    parts = batches(items)
    assert [len(part) for part in parts] == sizes
    assert [item for part in parts for item in part] == items
    assert ANNOTATIONS_PER_REQUEST == 50


def test_batches_refuse_a_zero_size() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        batches([1], 0)


def test_output_body_carries_one_batch() -> None:
    many = [diag(line=n) for n in range(1, 121)]
    output = build_check_output([result(RFC, *many)], rendered_url=URL)
    bodies = [output.output(batch) for batch in batches(output.annotations)]
    assert [len(body["annotations"]) for body in bodies] == [50, 50, 20]
    assert all(body["title"] == output.title for body in bodies)
    assert output.output([]).keys() == {"title", "summary", "text"}


# --- size caps ------------------------------------------------------------------------------


def test_huge_output_is_truncated_with_a_count_of_what_was_left_out() -> None:
    paths = [f"rfcs/0000-{'x' * 60}-{n}.md" for n in range(2_000)]
    results = [
        result(path, *(diag(path=path, line=n, rule="r" * 40) for n in range(1, 4)))
        for path in paths
    ]
    output = build_check_output(results, rendered_url=URL)
    assert len(output.summary.encode()) < MAX_OUTPUT_BYTES
    assert len(output.text.encode()) < MAX_OUTPUT_BYTES
    assert len(output.annotations) == 6_000  # every diagnostic still becomes an annotation
    shown = output.summary.count("| Title |")
    assert f"_{2_000 - shown} RFCs left out here" in output.summary
    listed = output.text.count("- **error**")
    assert f"{6_000 - listed} diagnostics left out here" in output.text


def test_the_cap_counts_bytes_as_github_does() -> None:
    # Titles of four-byte characters: within 65,535 characters, far beyond 65,535 bytes.
    results = [
        FileResult(RfcChange(f"rfcs/0000-x{n}.md", "added"), (), title="𝔘" * 150)
        for n in range(120)
    ]
    output = build_check_output(results, rendered_url=URL)
    assert len(output.summary.encode()) < MAX_OUTPUT_BYTES
    assert "RFCs left out here" in output.summary


@given(
    blocks=st.lists(st.text(min_size=0, max_size=300), max_size=60),
    limit=st.integers(min_value=400, max_value=5_000),
)
def test_fit_never_exceeds_the_limit_and_keeps_a_prefix(blocks: list[str], limit: int) -> None:
    text = fit("intro", blocks, noun="block", limit=limit)
    assert len(text) < limit
    kept = text.split("\n\n")
    assert kept[0] == "intro"
    if "left out here" in kept[-1]:
        left_out = int(kept[-1].lstrip("_").split(" ", 1)[0])
        assert left_out >= 1
        assert "\n\n".join(kept[1:-1]) == "\n\n".join(blocks[: len(blocks) - left_out])
    else:
        assert text == "\n\n".join(["intro", *blocks])


# --- choosing files -------------------------------------------------------------------------


def test_select_rfc_changes_maps_github_statuses() -> None:
    files = [
        {"filename": "rfcs/0000-a.md", "status": "added"},
        {"filename": "rfcs/0001-b.md", "status": "modified"},
        {"filename": "rfcs/0002-c.md", "status": "removed"},
        {"filename": "rfcs/0000-d.md", "status": "renamed", "previous_filename": "rfcs/0000-e.md"},
        {"filename": "rfcs/0000-f.md", "status": "renamed", "previous_filename": "drafts/f.md"},
        {"filename": "old/g.md", "status": "renamed", "previous_filename": "rfcs/0003-g.md"},
        {"filename": "rfcs/README.md", "status": "modified"},
        {"filename": "src/app.py", "status": "modified"},
        {"filename": "rfcs/0004-h.md", "status": "unchanged"},
    ]
    assert select_rfc_changes(files, Config()) == [
        RfcChange("rfcs/0000-a.md", "added"),
        RfcChange("rfcs/0000-d.md", "renamed", "rfcs/0000-e.md"),
        RfcChange("rfcs/0000-f.md", "added"),
        RfcChange("rfcs/0001-b.md", "modified"),
        RfcChange("rfcs/0002-c.md", "removed"),
        RfcChange("rfcs/0003-g.md", "removed"),
    ]


def test_select_rfc_changes_follows_the_configured_directory() -> None:
    files = [{"filename": "docs/rfcs/0000-a.md", "status": "added"}]
    assert select_rfc_changes(files, Config(rfc_dir="docs/rfcs")) == [
        RfcChange("docs/rfcs/0000-a.md", "added")
    ]
    assert select_rfc_changes(files, Config()) == []


def test_blob_url_quotes_the_path() -> None:
    url = blob_url("https://github.com/octo-org/rfcs/", "f00")
    assert url("rfcs/0000-a b.md") == "https://github.com/octo-org/rfcs/blob/f00/rfcs/0000-a%20b.md"


# --- labels (pure helpers) ------------------------------------------------------------------


class Doc:
    def __init__(self, status: str | None, apps: list[str]) -> None:
        self.status, self.target_apps = status, apps


def test_desired_labels_cover_each_rfc() -> None:
    documents = [Doc("Draft", ["api", "Orchestrator"]), Doc("proposed", ["unknown-app"]), None]
    assert desired_labels(Config(), documents) == {
        "rfc",
        "rfc: draft",
        "rfc: proposed",
        "app: api",
        "app: orchestrator",
    }
    assert desired_labels(Config(), []) == set()
    assert desired_labels(Config(), [Doc("Bogus", [])]) == {"rfc"}


def test_ownership_excludes_foreign_and_numbered_labels() -> None:
    config = Config()
    for name in ("rfc", "rfc: draft", "rfc: deprecated", "app: jobmaster-gui"):
        assert is_owned_label(config, name), name
    for name in ("rfc: numbered", "rfc: wontfix", "app: other", "bug", "RFC"):
        assert not is_owned_label(config, name), name


def test_label_styles_have_colours_and_descriptions() -> None:
    config = Config()
    assert label_style(config, "rfc: final") == ("0e8a16", "RFC status: final")
    color, description = label_style(config, "app: api")
    assert len(color) == 6
    assert "api" in description
    assert label_style(config, "rfc")[1]
