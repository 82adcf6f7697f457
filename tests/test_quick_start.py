"""The README's Quick start and CI agree: CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def ci_commands() -> list[str]:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line for line in script.splitlines() if line and not line.startswith("#")]


def test_the_quick_start_is_two_one_line_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    test_command = quick_start_commands()[1]
    assert "pytest" in test_command
    assert test_command in ci_commands()


def test_ci_fails_when_a_test_fails_and_keeps_its_hypothesis_profile() -> None:
    lines = ci_commands()
    assert "set -euo pipefail" in lines  # the && chain's status is the script's
    assert "export CI=true" in lines
    assert lines.index("export CI=true") < lines.index(quick_start_commands()[1])


def test_no_command_installs_into_the_systems_python() -> None:
    """Debian's and Ubuntu's Python refuse ``pip install`` (externally managed)."""
    for command in [*quick_start_commands(), *ci_commands()]:
        assert "python3 -m pip" not in command
        if "pip install" in command:
            assert command.startswith("python3 -m venv .venv && .venv/bin/pip install")
