"""The repository's ``action.yml``: a composite action whose lint steps keep the exit code
policy of docs/cli.md. Its `run:` scripts are run here with bash, as a runner runs them, on a
scratch repository (``rfc-bot`` is this checkout's ``python -m bot``)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.cli.helpers import committed_project, rfc, write
from tests.doc_examples import ROOT


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def step(name: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("name") == name)


def test_install_is_pinned_cached_and_from_the_action_itself() -> None:
    assert action()["runs"]["using"] == "composite"
    python = step("Set up Python")
    assert re.fullmatch(r"actions/setup-python@[0-9a-f]{40}", python["uses"])
    assert python["with"]["cache"] == "pip"
    install = step("Install rfc-bot (this action's own version)")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert step("rfc-bot App")["run"] == "rfc-bot action"


def run_step(
    name: str, project: Path, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "rfc-bot"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    environ = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        **env,
    }
    return subprocess.run(
        ["bash", "-e", "-c", step(name)["run"]],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_lint_steps_annotate_summarise_and_fail_only_on_errors(
    project: Path, tmp_path: Path
) -> None:
    committed_project(project, {"rfcs/0001-a.md": rfc("A", status="Drafty")})  # untouched
    write(project, {"rfcs/0000-new.md": rfc("New").replace("Draft", "Final")})

    sarif = run_step("SARIF", project, tmp_path, BASE="HEAD", SARIF="out.sarif")
    assert sarif.returncode == 0, sarif.stderr  # findings are exit 1: tolerated
    assert '"ruleId"' in (project / "out.sarif").read_text(encoding="utf-8")

    lint = run_step("Lint", project, tmp_path, BASE="HEAD")
    assert lint.returncode == 1
    assert lint.stdout.startswith("::error file=rfcs/0000-new.md,")
    assert "0001-a.md" not in lint.stdout  # not changed by the pull request
    assert (tmp_path / "output").read_text(encoding="utf-8") == "exit-code=1\n"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## RFC lint\n") and "rfcs/0000-new.md:" in summary

    bad = run_step("SARIF", project, tmp_path, BASE="no-such-ref", SARIF="out.sarif")
    assert bad.returncode == 2  # a usage error stops the job
