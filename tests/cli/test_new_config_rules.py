"""`rfc-bot new`, `rfc-bot config`, `rfc-bot rules`, and usage errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot import __main__ as cli
from bot.__main__ import main
from bot.rfc.config import default_config_yaml


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2024, 5, 6)
    monkeypatch.setattr(cli, "_today", lambda: today)
    return today


def test_new_writes_a_filled_template(
    project: Path, fixed_today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["new", "Job Retries!", "--app", "api", "--app", "shared", "--author", "Alice (@alice)"]
    )
    assert code == 0
    assert capsys.readouterr().out == "rfcs/0000-job-retries.md\n"
    lines = (project / "rfcs/0000-job-retries.md").read_text().splitlines()
    assert lines[:8] == [
        "# Job Retries!",
        "",
        "**Status:** Draft  ",
        "**Target Application(s):** api, shared  ",
        "**RFC Number:** [Assigned when merged]  ",
        "**Created:** 2024-05-06  ",
        "**Last Updated:** 2024-05-06  ",
        "**Author(s):** Alice (@alice)  ",
    ]


def test_new_never_overwrites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "docs/0000-x.md"
    target.parent.mkdir()
    target.write_text("mine\n")
    assert main(["new", "X", "--dir", "docs"]) == 2
    err = capsys.readouterr().err
    assert err == "rfc-bot: error: docs/0000-x.md already exists; not overwriting it\n"
    assert target.read_text() == "mine\n"


def test_new_checks_apps_against_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".github").mkdir()
    (project / ".github/rfc-bot.yml").write_text("target_apps: [web]\nnumber_width: 3\n")
    assert main(["new", "T", "--app", "api"]) == 2
    assert "unknown application 'api'; known applications: web" in capsys.readouterr().err
    assert main(["new", "T", "--app", "web"]) == 0
    assert (project / "rfcs/000-t.md").is_file()


def test_new_finds_config_from_a_subdirectory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".git").mkdir()
    (project / ".github").mkdir()
    (project / ".github/rfc-bot.yml").write_text("rfc_dir: proposals\n")
    sub = project / "deep/down"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert main(["new", "Deep"]) == 0
    assert (project / "proposals/0000-deep.md").is_file()


def test_new_rejects_a_blank_title(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "   "]) == 2
    assert "one non-empty line" in capsys.readouterr().err


def test_config_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--defaults"]) == 0
    assert capsys.readouterr().out == default_config_yaml()


def test_config_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--check"]) == 0
    assert "defaults apply" in capsys.readouterr().out
    good, bad = project / "good.yml", project / "bad.yml"
    good.write_text("number_width: 5\n")
    bad.write_text("rfc_dir: rfcs\nnumber_width: -1\n")
    assert main(["config", "--check", "good.yml"]) == 0
    assert capsys.readouterr().out == "good.yml: ok\n"
    assert main(["config", "--check", "bad.yml"]) == 1
    assert capsys.readouterr().err == (
        "rfc-bot: bad.yml:2: number_width: must be between 1 and 9, got -1\n"
    )
    assert main(["config", "--check", "missing.yml"]) == 2


def test_invalid_config_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "c.yml").write_text("rfc_dir: [\n")
    assert main(["new", "T", "--config", "c.yml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot: error: c.yml:2: invalid YAML")
    assert err.count("\n") == 1


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.rfc.rules import RULES as rules

    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules, strict=True):
        assert line.split()[:2] == [rule.id, rule.severity.value]
        assert line.endswith(rule.summary)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frob"],
        ["lint"],
        ["lint", "--format", "xml", "x.md"],
        ["config"],
        ["config", "--defaults", "--check"],
        ["new"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot")
    assert ": error: " in err
    assert err.count("\n") == 1


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "lint" in capsys.readouterr().out


def test_serve_and_demo_are_imported_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    calls = []
    for name in ("bot.server", "sandbox.demo"):
        module = types.ModuleType(name)
        module.main = lambda name=name: calls.append(name) or 0  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)
    assert main(["serve"]) == 0
    assert main(["demo"]) == 0
    assert calls == ["bot.server", "sandbox.demo"]
