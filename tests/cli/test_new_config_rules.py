"""`rfc-bot new`, `rfc-bot config`, `rfc-bot rules`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.cli import new as new_command
from bot.rfc.config.public import default_config_yaml
from bot.rfc.paths import parse_name
from bot.rfc.rules import RULES
from tests.cli.helpers import error_line, write


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2024, 5, 6)
    monkeypatch.setattr(new_command, "_today", lambda: today)
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
    assert err == (
        "rfc-bot: error: docs/0000-x.md already exists; not overwriting it: give the RFC another "
        "title, or move that file away first\n"
    )
    assert target.read_text() == "mine\n"


def test_new_into_a_path_that_is_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not "already exists": the RFC does not; a file stands where its directory should."""
    write(project, {"taken": "a file, not a directory\n"})
    assert main(["new", "Job retries", "--dir", "taken"]) == 2
    assert error_line(capsys) == "cannot write taken/0000-job-retries.md: taken is a file"
    assert main(["new", "Job retries", "--dir", "taken/below"]) == 2
    assert error_line(capsys) == "cannot write taken/below/0000-job-retries.md: Not a directory"


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


def test_config_check_prefixes_every_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every problem at once, each on its own line with the program's name, as compilers do
    (an editor or CI log parser reads them one per line)."""
    (project / "bad.yml").write_text("skip: 3\nnumber_width: 0\nrules:\n  no-such: off\n")
    assert main(["config", "--check", "bad.yml"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("rfc-bot: bad.yml:") for line in lines)
    assert [line.split(":")[2] for line in lines] == ["1", "2", "4"]


def test_an_invalid_config_is_one_error_line_per_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "c.yml").write_text("number_width: 0\nskip: 3\n")
    assert main(["new", "T", "--config", "c.yml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("rfc-bot: error: c.yml:") for line in lines)


def test_config_check_of_a_missing_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--check", "missing.yml"]) == 2
    assert error_line(capsys) == "config file not found: missing.yml"


def test_invalid_config_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "c.yml").write_text("rfc_dir: [\n")
    assert main(["new", "T", "--config", "c.yml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfc-bot: error: c.yml:2: invalid YAML")
    assert err.count("\n") == 1


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES, strict=True):
        assert line.split()[:2] == [rule.id, rule.severity.value]
        assert line.endswith(rule.summary)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Ünïcode title", "0000-unicode-title.md"),
        ("Straße & Çedilla", "0000-strasse-cedilla.md"),
        ("中文标题", "0000-zhong-wen-biao-ti.md"),  # CJK: its romanisation
        ("Привет мир", "0000-privet-mir.md"),
        ("Don’t retry", "0000-dont-retry.md"),
        ("🚀 🎉", "0000-rfc.md"),  # nothing to spell: the lint rule's own fallback
    ],
)
def test_new_spells_any_title_in_ascii(
    project: Path, title: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", title]) == 0
    assert capsys.readouterr().out == f"rfcs/{name}\n"
    assert (project / "rfcs" / name).read_text().startswith(f"# {title}\n")
    assert main(["lint", f"rfcs/{name}"]) in (0, 1)
    assert "file-name" not in capsys.readouterr().out


def test_new_prints_the_path_from_where_it_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".git").mkdir()
    sub = project / "services" / "api"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert main(["new", "Job retries"]) == 0
    assert capsys.readouterr().out == "../../rfcs/0000-job-retries.md\n"
    assert (project / "rfcs/0000-job-retries.md").is_file()
    assert main(["new", "Job retries"]) == 2
    assert "../../rfcs/0000-job-retries.md already exists" in capsys.readouterr().err


@given(st.text(max_size=300))
@example("Ünïcode title")  # the accents were dropped: 0000-n-code-title.md
@example("x" * 300)  # past a file system's 255-byte name
@settings(max_examples=300, deadline=None)
def test_every_title_gives_a_file_name_the_lint_rule_accepts(title: str) -> None:
    name = new_command.file_name(title, 4)
    parsed = parse_name(name)
    assert parsed is not None and parsed.number == 0 and parsed.width == 4
    assert len(name.encode()) <= 4 + 1 + new_command.MAX_SLUG + 3


def test_config_check_refuses_a_decision_on_a_move_that_is_not_a_transition(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule for "Draft -> Final" when Draft may only become Proposed could never start: the
    file said what the team wanted, and nothing would ever happen."""
    (project / "c.yml").write_text(
        "transitions:\n"
        "  Draft: [Proposed]\n"
        "  Proposed: [Final]\n"
        "decisions:\n"
        "  Proposed -> Final: {approvals: 1}\n"
        "  Draft->Final:\n"
        "    approvals: 2\n"
    )
    assert main(["config", "--check", "c.yml"]) == 1
    assert capsys.readouterr().err == (
        "rfc-bot: c.yml:6: decisions.Draft -> Final: 'Draft -> Final' is not one of the "
        "transitions, so this decision could never start (add the move to transitions, or "
        "remove the rule); the transitions allow: Draft -> Proposed, Proposed -> Final\n"
    )
    (project / "c.yml").write_text(
        "transitions:\n  Draft: [Proposed, Final]\n" + "decisions:\n"
        "  Draft -> Final: {approvals: 1}\n"
    )
    assert main(["config", "--check", "c.yml"]) == 0


def test_a_decision_on_a_default_move_the_transitions_dropped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "c.yml").write_text(
        'transitions: {Draft: [Final]}\ndecisions:\n  "Proposed -> Final": {}\n'
    )
    assert main(["config", "--check", "c.yml"]) == 1
    assert capsys.readouterr().err.endswith("the transitions allow: Draft -> Final\n")
    # Without a decisions key, the default rule on Proposed -> Final is simply unused.
    (project / "c.yml").write_text("transitions: {Draft: [Final]}\n")
    assert main(["config", "--check", "c.yml"]) == 0
