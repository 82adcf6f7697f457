"""`rfc-bot` error paths: unreadable inputs, git trouble, interruptions; one stderr line each."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.rfc.edits import INDEX_END, INDEX_START
from tests.cli.test_lint_index import git, rfc, write

NOT_UTF8 = b"rules:\n  \xff\xfe: error\n"


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.removeprefix("rfc-bot: error: ").rstrip("\n")


def test_config_that_is_not_utf8_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "cfg.yml").write_bytes(NOT_UTF8)
    write(project, {"a.md": rfc("A")})
    assert main(["lint", "--config", "cfg.yml", "a.md"]) == 2
    assert error_line(capsys).startswith("cannot read cfg.yml: 'utf-8' codec can't decode")


def test_explicit_config_must_exist(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"a.md": rfc("A")})
    assert main(["lint", "--config", "missing.yml", "a.md"]) == 2
    assert error_line(capsys) == "config file not found: missing.yml"


def test_config_check_of_a_missing_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--check", "missing.yml"]) == 2
    assert error_line(capsys) == "config file not found: missing.yml"


def test_file_outside_the_project_keeps_its_own_path(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "0000-x.md"
    elsewhere.write_text("not an RFC\n")
    main(["lint", "--format", "json", str(elsewhere)])
    out = capsys.readouterr().out
    assert f'"path": "{elsewhere.as_posix()}"' in out


def test_unreadable_rfc_is_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"a.md": rfc("A")})

    def failing_read(self: Path) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", failing_read)
    assert main(["lint", "a.md"]) == 2
    assert error_line(capsys) == "cannot read a.md: Input/output error"


# --- --base --------------------------------------------------------------------------------


def committed_project(project: Path, files: dict[str, str]) -> None:
    git(project, "init", "-q", "-b", "main")
    write(project, files)
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "first")


def test_base_without_git_installed_is_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".git").mkdir()
    write(project, {"a.md": rfc("A")})
    monkeypatch.setenv("PATH", str(project / "no-bin"))
    assert main(["lint", "--base", "main", "a.md"]) == 2
    assert error_line(capsys) == "cannot run git: No such file or directory"


def test_base_refuses_files_outside_the_repository(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {"a.md": rfc("A")})
    outside = tmp_path_factory.mktemp("outside") / "b.md"
    outside.write_text(rfc("B"))
    assert main(["lint", "--base", "main", str(outside)]) == 2
    assert error_line(capsys) == f"{outside.as_posix()} is outside the git repository"


def test_base_where_the_path_was_a_directory(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {"a.md/inner.md": rfc("Inner")})
    git(project, "rm", "-q", "-r", "a.md")
    write(project, {"a.md": rfc("A")})
    assert main(["lint", "--base", "main", "a.md"]) == 2
    assert error_line(capsys).startswith("git cannot read main:a.md: ")


# --- new, index ----------------------------------------------------------------------------


def test_new_into_a_path_that_is_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not "already exists": the RFC does not; a file stands where its directory should."""
    write(project, {"taken": "a file, not a directory\n"})
    assert main(["new", "Job retries", "--dir", "taken"]) == 2
    assert error_line(capsys) == "cannot write taken/0000-job-retries.md: taken is a file"
    assert main(["new", "Job retries", "--dir", "taken/below"]) == 2
    assert error_line(capsys) == "cannot write taken/below/0000-job-retries.md: Not a directory"


def test_index_skips_files_that_are_not_text(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"rfcs/0001-a.md": rfc("Alpha")})
    (project / "rfcs/0002-b.md").write_bytes(b"\xff\xfe binary")
    assert main(["index"]) == 0
    text = (project / "rfcs/README.md").read_text()
    assert "[Alpha](0001-a.md)" in text
    assert "0002-b.md" not in text
    assert INDEX_START in text
    assert INDEX_END in text


def test_index_that_cannot_be_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"rfcs/0001-a.md": rfc("Alpha")})
    (project / "rfcs/README.md").mkdir()
    assert main(["index"]) == 2
    assert error_line(capsys).startswith("cannot write rfcs/README.md: ")


# --- interruptions and the module entry point ---------------------------------------------


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.__main__.cmd_rules", interrupted)
    assert main(["rules"]) == 130


def test_closed_pipe_stops_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rfc-bot rules | head -1`: exit 1 with no traceback, and later output goes nowhere."""
    with (tmp_path / "stdout").open("w") as stand_in:

        def reader_went_away(args: object) -> int:
            raise BrokenPipeError

        monkeypatch.setattr(sys, "stdout", stand_in)
        monkeypatch.setattr("bot.__main__.cmd_rules", reader_went_away)
        assert main(["rules"]) == 1
        os.write(stand_in.fileno(), b"flushed at exit")
    assert (tmp_path / "stdout").read_text() == ""
    assert capsys.readouterr().err == ""


def test_module_entry_point_exits_with_mains_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["rfc-bot", "config", "--defaults"])
    monkeypatch.delitem(sys.modules, "bot.__main__")
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("bot", run_name="__main__")
    assert exited.value.code == 0
    assert "rules:" in capsys.readouterr().out
