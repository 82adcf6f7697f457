"""`rfc-bot lint` and `rfc-bot index`.

Most tests swap the engine for a small fake (through sys.modules) so they pin down the CLI's
own logic: file discovery, --base, exit codes, the index check. The last tests run the real
engine end to end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import parse
from bot.rfc.edits import INDEX_END, INDEX_START

NO_BASE = object()


class FakeEngine:
    """Stands in for bot.rfc.lint: an error per line with BAD, a warning per line with MEH."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def lint(self, path: str, content: bytes, config: object, *, base: object) -> object:
        self.calls.append((path, base))
        text = content.decode()
        diagnostics = [
            Diagnostic(rule, severity, path, number, 1, number, len(line), f"{word} here")
            for number, line in enumerate(text.splitlines(), 1)
            for word, rule, severity in (
                ("BAD", "fake-error", Severity.ERROR),
                ("MEH", "fake-warning", Severity.WARNING),
            )
            if word in line
        ]
        return types.SimpleNamespace(diagnostics=diagnostics, document=parse(text))


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    module = types.ModuleType("bot.rfc.lint")
    module.lint = fake.lint  # type: ignore[attr-defined]
    module.NO_BASE = NO_BASE  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.rfc.lint", module)
    return fake


def rfc(title: str, *, status: str = "Draft", body: str = "") -> str:
    return (
        f"# {title}\n\n**Status:** {status}  \n**Target Application(s):** api  \n"
        f"**Last Updated:** 2024-01-01  \n**Author(s):** @alice  \n\n## Overview\n{body}"
    )


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_exit_codes(project: Path, engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        {"ok.md": rfc("Ok"), "meh.md": rfc("M", body="MEH\n"), "bad.md": rfc("B", body="BAD\n")},
    )
    assert main(["lint", "ok.md"]) == 0
    assert capsys.readouterr().out == "All checks passed: 1 file.\n"
    assert main(["lint", "ok.md", "meh.md"]) == 0
    assert capsys.readouterr().out.endswith("Found 1 warning in 1 file.\n")
    assert main(["lint", "meh.md", "bad.md"]) == 1
    out = capsys.readouterr().out
    assert "bad.md:9:1: error[fake-error] BAD here\n  |\n9 | BAD\n  | ^~~\n" in out
    assert out.endswith("Found 1 error, 1 warning in 2 files.\n")


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
    assert capsys.readouterr().out == "All checks passed: 3 files.\n"


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


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


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


# --- index ---------------------------------------------------------------------------------


def test_index_creates_checks_and_updates(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            "rfcs/0002-b.md": rfc("Beta"),
            "rfcs/0001-a.md": rfc("Alpha"),
            "rfcs/0000-draft.md": rfc("Unnumbered"),
        },
    )
    assert main(["index", "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["index"]) == 0
    assert capsys.readouterr().out == "created rfcs/README.md\n"
    text = (project / "rfcs/README.md").read_text()
    assert "| 0001 | [Alpha](0001-a.md) | Draft | api | @alice | 2024-01-01 |" in text
    assert "Unnumbered" not in text
    assert main(["index", "--check"]) == 0
    assert capsys.readouterr().out == "rfcs/README.md is up to date\n"
    write(project, {"rfcs/0001-a.md": rfc("Alpha", status="Final")})
    assert main(["index", "rfcs", "--check"]) == 1
    assert (project / "rfcs/README.md").read_text() == text  # --check never writes


def test_index_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "nowhere"]) == 2
    assert capsys.readouterr().err == "rfc-bot: error: no such directory: nowhere\n"
    write(project, {"rfcs/README.md": f"{INDEX_START}\nno end marker\n"})
    assert main(["index"]) == 2
    assert "broken" in capsys.readouterr().err


# --- the real engine -----------------------------------------------------------------------


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
    from bot.rfc.rules import RULES as rules

    config = "rules:\n" + "".join(f'  {rule.id}: "off"\n' for rule in rules)
    write(project, {"cfg.yml": config, "rfcs/0000-x.md": "not an RFC at all\n"})
    assert main(["lint", "--config", "cfg.yml", "rfcs/0000-x.md"]) == 0
    assert capsys.readouterr().out == "All checks passed: 1 file.\n"
