"""The command line as users expect it: --version, --color, `lint` with no path, `new
--author` checked as `lint` checks it, shell completion."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot
from bot.cli import main
from bot.cli import new as new_command
from bot.cli.lint import use_colour
from bot.rfc.config.public import Config
from bot.rfc.edits import fill_template
from bot.rfc.lint import lint
from tests.cli.helpers import error_line, rfc, write

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"rfc-bot {bot.__version__}\n"
    # pyproject reads the version from bot.__version__: one place to bump.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bot.__version__"}


# --- --color ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "terminal", "environ", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        ("always", False, {"NO_COLOR": "1"}, True),  # the flag wins over the environment
        ("never", True, {}, False),
    ],
)
def test_colour_mode(mode: str, terminal: bool, environ: dict[str, str], expected: bool) -> None:
    assert use_colour(mode, terminal, environ) is expected


def test_color_flag_reaches_the_text_output(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"rfcs/0000-a.md": rfc("A", status="Drafty")})
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["lint", "--color", "always", "rfcs"]) == 1
    assert "\x1b[1;31merror[" in capsys.readouterr().out
    monkeypatch.delenv("NO_COLOR")
    assert main(["lint", "--color", "never", "rfcs"]) == 1
    assert "\x1b[" not in capsys.readouterr().out
    # Machine formats are never coloured, whatever the flag says.
    assert main(["lint", "--color", "always", "--format", "json", "rfcs"]) == 1
    assert "\x1b[" not in capsys.readouterr().out


def test_color_takes_only_the_three_modes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--color", "sometimes"]) == 2
    assert "invalid choice: 'sometimes'" in error_line(capsys)


# --- lint with no path -------------------------------------------------------------------------


def test_lint_with_no_path_lints_the_configured_rfc_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            ".github/rfc-bot.yml": "rfc_dir: docs/proposals\n",
            "docs/proposals/0000-bad.md": rfc("Bad", status="Drafty"),
            "rfcs/0000-elsewhere.md": rfc("Not the RFC dir", status="Nope"),
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "docs").mkdir(exist_ok=True)
    monkeypatch.chdir(project / "docs")  # from a subdirectory: the root's rfc_dir all the same
    assert main(["lint", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"path": "docs/proposals/0000-bad.md"' in out
    assert "elsewhere" not in out


def test_lint_with_no_path_and_no_rfc_directory(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint"]) == 2
    assert error_line(capsys) == "no such directory: rfcs (the configured rfc_dir); give a PATH"


# --- new --author ----------------------------------------------------------------------------


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    today = date(2024, 5, 6)
    monkeypatch.setattr(new_command, "_today", lambda: today)
    return today


def test_new_refuses_an_author_lint_would_reject(
    project: Path, fixed_today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "T", "--author", "Jane Doe (@jane.doe)"]) == 2
    assert error_line(capsys).startswith(
        "--author: '@jane.doe' is not a valid GitHub username (1-39 letters, digits or single "
        "hyphens, no hyphen at either end); write each author as 'Jane Doe (@jdoe)', '@jdoe',"
    )
    assert not (project / "rfcs").exists()  # nothing written
    assert main(["new", "T", "--author", "Jane Doe (@jdoe)", "--author", "@-bob"]) == 2
    assert error_line(capsys).startswith("--author: '@-bob' is not a valid GitHub username")
    assert main(["new", "T", "--author", "a\nb (@b)"]) == 2
    assert error_line(capsys) == "an --author must be one line"
    assert main(["new", "T", "--author", "Jane Doe (@jdoe)", "--author", "@bob"]) == 0


_AUTHOR_TEXT = st.text(
    alphabet=st.sampled_from(list("ab -@,()<>[]\\*_`|#\t!é")), min_size=0, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(authors=st.lists(_AUTHOR_TEXT, min_size=1, max_size=3))
@example(authors=["Jane Doe"])
@example(authors=["Jane Doe (@jdoe)"])
@example(authors=[""])
@example(authors=["@a\\"])  # a trailing backslash escapes the line break's two spaces
@example(authors=["`@a`"])
@example(authors=["--"])  # a markdown setext underline of the line before, or a rule
def test_new_accepts_exactly_what_lint_accepts(
    authors: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`new` accepts the authors exactly when the `authors` rule passes the file it writes."""
    directory = tmp_path_factory.mktemp("new")
    argv = ["new", "T", "--dir", str(directory)]
    for author in authors:
        argv.append(f"--author={author}")
    accepted = main(argv) == 0
    text = fill_template(
        new_command._bundled_template(),
        title="T",
        status="Draft",
        today=date.today(),
        authors=authors,
    )
    flagged = [d for d in lint("rfcs/0000-t.md", text, Config()).diagnostics if d.rule == "authors"]
    assert accepted == (not flagged)
    if accepted:
        assert next(directory.iterdir()).read_text() == text


# --- completion ------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "tcsh"])
def test_completion_script_knows_the_commands(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for word in ("lint", "index", "--format", "sarif", "--color"):
        assert word in script


def test_bash_completion_script_is_valid_bash(tmp_path: Path) -> None:
    script = tmp_path / "rfc-bot.bash"
    script.write_text(
        subprocess.run(
            [sys.executable, "-m", "bot", "completion", "bash"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
