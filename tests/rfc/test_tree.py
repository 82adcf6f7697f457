"""lint_tree() and its parts: collecting RFC files, one report per file then per index,
earlier versions for the change rules, and the forked workers (same result, same order)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.rfc import tree
from bot.rfc.config.public import Config, load_config
from bot.rfc.edits import update_index
from bot.rfc.rules.index import INDEX_OUTDATED
from bot.rfc.tree import (
    FileJob,
    MissingPath,
    Targets,
    UnreadableFile,
    collect_targets,
    index_entries,
    lint_files,
    lint_tree,
    repo_path,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rfcs"
GOOD = (EXAMPLES / "0000-job-retries.md").read_text(encoding="utf-8")
FLAWED = (EXAMPLES / "0000-flawed-example.md").read_text(encoding="utf-8")
CAN_POOL = tree.can_fork() and (os.cpu_count() or 1) >= 2


def numbered(text: str, number: str) -> str:
    return text.replace("[Assigned when merged]", number)


@pytest.fixture
def rfcs(tmp_path: Path) -> Path:
    """A repository root holding rfcs/ with two numbered RFCs, a draft, and files to skip."""
    directory = tmp_path / "rfcs"
    directory.mkdir()
    (directory / "0002-retries.md").write_text(numbered(GOOD, "0002"))
    (directory / "0001-retries.md").write_text(numbered(GOOD, "0001"))
    (directory / "0000-flawed.md").write_text(FLAWED)
    (directory / "template.md").write_text("# skipped by name\n")
    (directory / "notes.txt").write_text("not markdown\n")
    (directory / "nested.md").mkdir()  # a directory, not a file
    return directory


# --- collecting -----------------------------------------------------------------------------


def test_directories_give_their_rfc_files_by_name(rfcs: Path) -> None:
    targets = collect_targets([str(rfcs)], Config())
    assert [path.name for path in targets.files] == [
        "0000-flawed.md",
        "0001-retries.md",
        "0002-retries.md",
    ]
    assert targets.directories == [rfcs]


def test_files_keep_the_given_order_and_appear_once(rfcs: Path) -> None:
    second = str(rfcs / "0002-retries.md")
    targets = collect_targets([second, str(rfcs), second, str(rfcs / "template.md")], Config())
    assert [path.name for path in targets.files] == [
        "0002-retries.md",
        "0000-flawed.md",
        "0001-retries.md",
        "template.md",  # named explicitly: linted even though a directory would skip it
    ]


def test_the_skip_list_comes_from_the_config(rfcs: Path) -> None:
    config = load_config("skip: [0000-flawed.md]\n")
    names = [path.name for path in collect_targets([str(rfcs)], config).files]
    assert names == ["0001-retries.md", "0002-retries.md", "template.md"]


def test_a_missing_path_names_itself(rfcs: Path) -> None:
    with pytest.raises(MissingPath) as raised:
        collect_targets([str(rfcs), "nowhere/0001-x.md"], Config())
    assert raised.value.path == "nowhere/0001-x.md"


def test_repo_paths_are_relative_to_the_root(tmp_path: Path) -> None:
    assert repo_path(tmp_path / "rfcs" / "a.md", tmp_path) == "rfcs/a.md"
    outside = Path("/elsewhere/a.md")
    assert repo_path(outside, tmp_path) == "/elsewhere/a.md"


# --- linting a tree -------------------------------------------------------------------------


def test_a_report_per_file_then_the_index(rfcs: Path) -> None:
    root = rfcs.parent
    entries = index_entries(rfcs, root, Config())
    (rfcs / "README.md").write_text(update_index(None, entries))
    reports = lint_tree(collect_targets([str(rfcs)], Config()), root, Config())
    assert [report.path for report in reports] == [
        "rfcs/0000-flawed.md",
        "rfcs/0001-retries.md",
        "rfcs/0002-retries.md",
        "rfcs/README.md",
    ]
    assert reports[0].diagnostics  # the flawed example has findings
    assert not reports[1].diagnostics
    assert reports[-1].diagnostics == []  # the index is current
    assert reports[-1].lines == (rfcs / "README.md").read_text().splitlines()


def test_a_stale_index_is_reported_with_the_callers_fix(rfcs: Path) -> None:
    (rfcs / "README.md").write_text("# RFCs\n")
    targets = collect_targets([str(rfcs)], Config())
    [*_, index] = lint_tree(targets, rfcs.parent, Config())
    [finding] = index.diagnostics
    assert (finding.rule, finding.help) == (INDEX_OUTDATED.id, INDEX_OUTDATED.fix)

    [*_, index] = lint_tree(
        targets, rfcs.parent, Config(), index_fix=lambda directory: f"reindex {directory.name}"
    )
    assert index.diagnostics[0].help == "reindex rfcs"


def test_no_index_report_without_an_index_or_with_the_rule_off(rfcs: Path) -> None:
    targets = collect_targets([str(rfcs)], Config())
    assert len(lint_tree(targets, rfcs.parent, Config())) == 3
    (rfcs / "README.md").write_text("# RFCs\n")
    off = load_config("rules:\n  index-outdated: off\n")
    assert len(lint_tree(targets, rfcs.parent, off)) == 3


def test_files_alone_never_check_an_index(rfcs: Path) -> None:
    (rfcs / "README.md").write_text("# RFCs\n")
    targets = collect_targets([str(rfcs / "0001-retries.md")], Config())
    assert [report.path for report in lint_tree(targets, rfcs.parent, Config())] == [
        "rfcs/0001-retries.md"
    ]


def test_an_index_that_is_not_text_is_unreadable(rfcs: Path) -> None:
    (rfcs / "README.md").write_bytes(b"\xff\xfe index")
    with pytest.raises(UnreadableFile) as raised:
        lint_tree(collect_targets([str(rfcs)], Config()), rfcs.parent, Config())
    assert raised.value.path == rfcs / "README.md"
    assert isinstance(raised.value.error, UnicodeDecodeError)


def test_the_index_lists_only_text_files(rfcs: Path) -> None:
    (rfcs / "0003-binary.md").write_bytes(b"\xff\xfe")
    entries = index_entries(rfcs, rfcs.parent, Config())
    assert [(entry.number, entry.path) for entry in entries] == [
        (0, "rfcs/0000-flawed.md"),
        (1, "rfcs/0001-retries.md"),
        (2, "rfcs/0002-retries.md"),
    ]


class OldVersions:
    """Earlier versions by file name; records what it was asked for."""

    def __init__(self, versions: dict[str, bytes | None]) -> None:
        self.versions = versions
        self.asked: list[str] = []

    def old_version(self, path: Path) -> bytes | None:
        self.asked.append(path.name)
        return self.versions[path.name]

    def diff(self, path: Path) -> str | None:
        return None  # unknown: every line counts as touched


def test_earlier_versions_turn_on_the_change_rules(rfcs: Path) -> None:
    final = numbered(GOOD, "0001").replace("**Status:** Draft", "**Status:** Final")
    (rfcs / "0001-retries.md").write_text(final)
    targets = collect_targets([str(rfcs / "0001-retries.md")], Config())

    [without] = lint_tree(targets, rfcs.parent, Config())
    base = OldVersions({"0001-retries.md": None})  # new in this change
    [as_new] = lint_tree(targets, rfcs.parent, Config(), base=base)

    assert base.asked == ["0001-retries.md"]
    assert "status-initial" not in {d.rule for d in without.diagnostics}
    assert "status-initial" in {d.rule for d in as_new.diagnostics}


# --- workers --------------------------------------------------------------------------------


def many_files(directory: Path, count: int) -> list[Path]:
    directory.mkdir()
    paths = []
    for index in range(count):
        path = directory / f"0000-copy-{index:03d}.md"
        shutil.copy(
            EXAMPLES / ("0000-job-retries.md", "0000-flawed-example.md")[index % 3 == 0], path
        )
        paths.append(path)
    return paths


@pytest.mark.skipif(not CAN_POOL, reason="workers are forked only on Linux, with 2+ cores")
def test_workers_return_what_one_process_returns_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = many_files(tmp_path / "rfcs", 24)
    job = FileJob(tmp_path, load_config("rules:\n  file-name: off\n"), None)
    monkeypatch.setattr(tree, "PARALLEL_MIN_FILES", 8)
    pooled = lint_files(files, job)
    monkeypatch.setattr(tree, "PARALLEL_MIN_FILES", 10**6)
    alone = lint_files(files, job)
    assert pooled == alone
    assert [report.path for report, _ in pooled] == [f"rfcs/{path.name}" for path in files]
    assert {d.rule for report, _ in pooled for d in report.diagnostics} - {"file-name"}
    assert tree._worker_job is None  # the job went to the workers, never into a global here


@pytest.mark.skipif(not CAN_POOL, reason="workers are forked only on Linux, with 2+ cores")
def test_a_workers_read_error_arrives_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = many_files(tmp_path / "rfcs", 12)
    read_bytes = Path.read_bytes

    def refuse_one(path: Path) -> bytes:  # root reads anything: refuse like chmod 000 would
        if path.name == "0000-copy-007.md":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse_one)  # the forked workers inherit it
    monkeypatch.setattr(tree, "PARALLEL_MIN_FILES", 4)
    with pytest.raises(UnreadableFile) as raised:
        lint_files(files, FileJob(tmp_path, Config(), None))
    assert raised.value.path == files[7]
    assert isinstance(raised.value.error, PermissionError)
    assert raised.value.error.strerror == "Permission denied"


def test_small_runs_stay_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = many_files(tmp_path / "rfcs", 3)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for 3 files")

    monkeypatch.setattr(tree, "ProcessPoolExecutor", no_pool)
    results = lint_files(files, FileJob(tmp_path, Config(), None))
    assert [report.path for report, _ in results] == [f"rfcs/{path.name}" for path in files]


def test_targets_default_to_nothing(tmp_path: Path) -> None:
    assert lint_tree(Targets(), tmp_path, Config()) == []
