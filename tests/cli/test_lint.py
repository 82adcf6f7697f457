"""`rfc-bot lint`: file discovery, exit codes, formats, the directory's index, I/O errors.

Most tests run on the fake engine (the `engine` fixture), so they pin down the CLI's own logic;
the last ones run the real engine end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.rfc.edits import INDEX_END, INDEX_START
from bot.rfc.rules import RULES
from tests.cli.helpers import FakeEngine, error_line, rfc, write

NOT_UTF8 = b"rules:\n  \xff\xfe: error\n"


def test_exit_codes(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        {"ok.md": rfc("Ok"), "meh.md": rfc("M", body="MEH\n"), "bad.md": rfc("B", body="BAD\n")},
    )
    assert main(["lint", "ok.md"]) == 0
    assert capsys.readouterr().out == "All checks passed: 1 RFC file.\n"
    assert main(["lint", "ok.md", "meh.md"]) == 0
    assert capsys.readouterr().out.endswith("Found 1 warning in 1 of 2 RFC files.\n")
    assert main(["lint", "meh.md", "bad.md"]) == 1
    out = capsys.readouterr().out
    assert "bad.md:9:1: error[fake-error] BAD here\n  |\n9 | BAD\n  | ^~~\n" in out
    assert out.endswith("Found 1 error, 1 warning in 2 RFC files.\n")


def test_missing_path_is_exit_2(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "nope.md"]) == 2
    assert capsys.readouterr().err == "rfc-bot: error: no such file or directory: nope.md\n"


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats_never_colour(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    write(project, {"bad.md": rfc("B", body="BAD\n")})
    assert main(["lint", "--format", fmt, "bad.md"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    if fmt == "json":
        assert json.loads(out)[0]["rule"] == "fake-error"
    if fmt == "github":
        assert out.startswith("::error file=bad.md,line=9,col=1,")


def test_directory_lints_rfc_files_and_checks_the_index(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            "rfcs/0001-a.md": rfc("Alpha"),
            "rfcs/0000-b.md": rfc("Beta"),
            "rfcs/template.md": "BAD template\n",
            "rfcs/notes.txt": "BAD\n",
            "rfcs/README.md": f"# RFCs\n\n{INDEX_START}\nstale\n{INDEX_END}\n",
        },
    )
    assert main(["lint", "rfcs"]) == 0
    assert [path for path, _ in engine.calls] == ["rfcs/0000-b.md", "rfcs/0001-a.md"]
    out = capsys.readouterr().out
    assert "rfcs/README.md:3:1: warning[index-outdated] The RFC index is out of date." in out
    assert "help: run `rfc-bot index rfcs` to regenerate it" in out

    assert main(["index", "rfcs"]) == 0
    assert capsys.readouterr().out == "updated rfcs/README.md\n"
    assert main(["lint", "rfcs"]) == 0
    assert capsys.readouterr().out == (
        "All checks passed: 2 RFC files and the RFC index; 2 other files skipped (not RFCs).\n"
    )


def test_index_rule_severity_follows_config(
    project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"rfcs/0001-a.md": rfc("Alpha"), "rfcs/README.md": "# Old index\n"})
    write(project, {"error.yml": "rules:\n  index-outdated: error\n"})
    write(project, {"off.yml": "rules:\n  index-outdated: off\n"})
    assert main(["lint", "--config", "error.yml", "rfcs"]) == 1
    assert "error[index-outdated]" in capsys.readouterr().out
    assert main(["lint", "--config", "off.yml", "rfcs"]) == 0
    assert "index-outdated" not in capsys.readouterr().out


# --- I/O errors --------------------------------------------------------------------------


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


# --- the real engine ---------------------------------------------------------------------


def test_real_engine_new_rfc_then_lint(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Job retries", "--app", "api", "--author", "Alice (@alice)"]) == 0
    path = capsys.readouterr().out.strip()
    code = main(["lint", "--format", "json", path])
    findings = json.loads(capsys.readouterr().out)
    # The fresh template still holds its prompts, so the engine has something to say.
    assert findings
    assert {item["path"] for item in findings} == {path}
    assert code == (1 if any(item["severity"] == "error" for item in findings) else 0)


def test_real_engine_binary_file_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "blob.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert main(["lint", "--format", "json", "blob.md"]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["severity"] == "error"


def test_real_engine_all_rules_off_passes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "rules:\n" + "".join(f'  {rule.id}: "off"\n' for rule in RULES)
    write(project, {"cfg.yml": config, "rfcs/0000-x.md": "not an RFC at all\n"})
    assert main(["lint", "--config", "cfg.yml", "rfcs/0000-x.md"]) == 0
    assert capsys.readouterr().out == "All checks passed: 1 RFC file.\n"
