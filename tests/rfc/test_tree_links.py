"""``rfc-bot lint`` on a working tree knows the RFC directory's files: a link to an RFC that is
not there is reported, and none is when the directory is not under the root."""

from __future__ import annotations

from pathlib import Path

from bot.rfc.config.public import Config
from bot.rfc.tree import collect_targets, lint_tree, working_tree_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rfcs" / "0000-job-retries.md"


def _rfc_linking(target: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    return text.replace("### Summary\n", f"### Summary\nFollows [retries]({target}).\n", 1)


def test_a_link_to_a_missing_rfc_in_the_working_tree_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "rfcs"
    directory.mkdir()
    (directory / "0001-base.md").write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("[Assigned when merged]", "0001")
    )
    (directory / "0000-good.md").write_text(_rfc_linking("0001-base.md"))
    (directory / "0000-bad.md").write_text(_rfc_linking("0009-gone.md"))
    reports = lint_tree(collect_targets([str(directory)], Config()), tmp_path, Config())
    found = {
        report.path: [d.rule for d in report.diagnostics if d.rule == "rfc-link-target"]
        for report in reports
    }
    assert found["rfcs/0000-bad.md"] == ["rfc-link-target"]
    assert found["rfcs/0000-good.md"] == []


def test_the_files_are_unknown_without_the_rfc_directory(tmp_path: Path) -> None:
    assert working_tree_files(tmp_path, Config()) is None
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "rfcs" / "0001-a.md").write_text("# A\n")
    assert working_tree_files(tmp_path, Config()) == frozenset({"rfcs/0001-a.md"})
