"""`rfc-bot lint --base`: legacy problems lowered as the App lowers them, the touched lines
read from `git diff` (the real engine, a real repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.cli.helpers import committed_project, write
from tests.legacy_rfcs import APPS, OLD, ONE_BAD_LINE, PATH, PROPOSED

LEGACY = "(legacy: the base already had this, on lines this change does not touch)"


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", "--color", "never", *args, PATH])
    return code, capsys.readouterr().out


def test_an_old_rfc_edited_on_one_line_passes_with_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {PATH: OLD})
    write(project, {PATH: OLD.replace(APPS, APPS + ", api")})
    code, out = lint(capsys, "--base", "main")
    assert code == 0
    assert out.count("warning[template-prompt]") == 10
    assert out.count(LEGACY) == 10
    code, out = lint(capsys)  # no base: nothing to compare with, every line counts
    assert code == 1
    assert out.count("error[template-prompt]") == 10


def test_an_error_on_an_edited_line_fails_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {PATH: OLD})
    write(project, {PATH: ONE_BAD_LINE})
    code, out = lint(capsys, "--base", "main", "--format", "github")
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "target-apps" in errors[0]
    assert sum(line.startswith("::warning ") for line in out.splitlines()) >= 10


def test_a_status_change_holds_the_whole_rfc(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_project(project, {PATH: OLD})
    write(project, {PATH: PROPOSED})
    code, out = lint(capsys, "--base", "main")
    assert code == 1
    assert out.count("error[template-prompt]") == 10


def test_the_config_can_turn_it_off(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = "legacy:\n  untouched_lines: error\n"
    committed_project(project, {PATH: OLD, ".github/rfc-bot.yml": config})
    write(project, {PATH: OLD.replace(APPS, APPS + ", api")})
    code, out = lint(capsys, "--base", "main")
    assert code == 1
    assert out.count("error[template-prompt]") == 10
