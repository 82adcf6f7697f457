"""`rfc-bot lint --base GIT_REF`: old versions read from git, and git's failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.cli.helpers import NO_BASE, FakeEngine, committed_project, error_line, git, rfc, write


def test_base_reads_old_versions_from_git(
    project: Path,
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    git(project, "init", "-q", "-b", "main")
    write(project, {"rfcs/0001-a.md": rfc("Alpha", status="Final")})
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "first")
    write(project, {"rfcs/0001-a.md": rfc("Alpha", status="Draft"), "rfcs/0000-new.md": rfc("N")})
    monkeypatch.chdir(project / "rfcs")  # paths stay relative to the repository root
    assert main(["lint", "--base", "main", "0001-a.md", "0000-new.md"]) == 0
    assert engine.calls == [
        ("rfcs/0001-a.md", rfc("Alpha", status="Final").encode()),
        ("rfcs/0000-new.md", None),
    ]
    engine.calls.clear()
    assert main(["lint", "0001-a.md"]) == 0
    assert engine.calls == [("rfcs/0001-a.md", NO_BASE)]
    assert main(["lint", "--base", "no-such-ref", "0001-a.md"]) == 2
    assert capsys.readouterr().err == "rfc-bot: error: unknown git ref: no-such-ref\n"


def test_base_outside_git_is_exit_2(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"a.md": rfc("A")})
    assert main(["lint", "--base", "HEAD", "a.md"]) == 2
    assert capsys.readouterr().err == "rfc-bot: error: --base needs a git repository\n"


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


def test_changed_lints_only_what_differs_from_the_base(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {"rfcs/0001-a.md": rfc("A"), "rfcs/0002-b.md": rfc("B")})
    write(project, {"rfcs/0002-b.md": rfc("B", status="Final"), "rfcs/0000-new.md": rfc("N")})
    assert main(["lint", "--changed", "--base", "HEAD", "rfcs"]) == 0
    assert [path for path, _ in engine.calls] == ["rfcs/0000-new.md", "rfcs/0002-b.md"]
    assert main(["lint", "--changed", "rfcs"]) == 2
    assert error_line(capsys) == "--changed needs --base GIT_REF"


def test_changed_reports_an_unreadable_file(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {"rfcs/0001-a.md": rfc("A")})
    (project / "rfcs" / "0001-a.md").chmod(0)
    try:
        code = main(["lint", "--changed", "--base", "HEAD", "rfcs/0001-a.md"])
    finally:
        (project / "rfcs" / "0001-a.md").chmod(0o644)
    if os.geteuid() == 0:  # root reads it anyway
        assert code == 0
    else:
        assert code == 2
        assert error_line(capsys).startswith("cannot read rfcs/0001-a.md")
