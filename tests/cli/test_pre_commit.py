"""The real `pre-commit try-repo` against a scratch repository: .pre-commit-hooks.yaml works
as a user's .pre-commit-config.yaml would use it.

Offline by construction. pre-commit installs a `language: python` hook by making a virtualenv
and running `pip install .` in a clone of this repository. Here the virtualenv sees the test
environment's site-packages (VIRTUALENV_SYSTEM_SITE_PACKAGES), where the `test` extra has
already installed every dependency, so pip has nothing to resolve from an index; PIP_NO_INDEX
forbids it to try, no pip config file is read, and the wheel is built with the setuptools
already there (no build isolation, which would download setuptools). The hook's own package
is installed into the virtualenv from the snapshot, so the hook runs this checkout's code.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "rfcs"

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=_git_env()
    ).stdout


def _git_env() -> dict[str, str]:
    identity = {"NAME": "rfc-bot tests", "EMAIL": "tests@example.invalid"}
    return {
        **os.environ,
        **{
            f"GIT_{who}_{key}": value
            for who in ("AUTHOR", "COMMITTER")
            for key, value in identity.items()
        },
    }


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's files as they are now (edits included), committed once in a snapshot
    repository: every run below uses the same revision, so pre-commit installs the hook once."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, _git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def team_repo(tmp_path: Path) -> Path:
    """A team's repository: a good RFC, a flawed one, a template, and notes outside rfcs/."""
    (tmp_path / "rfcs").mkdir()
    (tmp_path / "docs").mkdir()
    shutil.copy(EXAMPLES / "0000-job-retries.md", tmp_path / "rfcs" / "0000-job-retries.md")
    shutil.copy(EXAMPLES / "0000-flawed-example.md", tmp_path / "rfcs" / "0000-flawed.md")
    (tmp_path / "rfcs" / "0000-template.md").write_text("# [Title]\n")  # excluded
    (tmp_path / "docs" / "notes.md").write_text("not an RFC\n")  # not matched
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    return tmp_path


def try_repo(
    hook_repo: tuple[Path, str], home: Path, cwd: Path, *hook: str
) -> subprocess.CompletedProcess[str]:
    path, rev = hook_repo
    env = {
        **_git_env(),
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling: 0 turns build isolation off
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # Run from a virtual environment (the README's test command), the hook's virtualenv
        # sees the base interpreter's site-packages, not ours: name ours on the path too.
        "PYTHONPATH": os.pathsep.join(site.getsitepackages()),
    }
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(path), *hook]
    return subprocess.run(
        [*command, "--ref", rev, "--all-files", "--verbose"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_manifest_declares_both_hooks() -> None:
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"rfc-lint", "rfc-index"}
    assert hooks["rfc-index"]["pass_filenames"] is False
    assert all(hook["language"] == "python" for hook in hooks.values())


def test_try_repo_rfc_lint_and_rfc_index(
    hook_repo: tuple[Path, str],
    pre_commit_home: Path,
    team_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lint = try_repo(hook_repo, pre_commit_home, team_repo, "rfc-lint")
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "rfcs/0000-flawed.md:" in lint.stdout
    assert "Found 9 errors in 1 of 2 RFC files." in lint.stdout
    for not_linted in ("0000-job-retries.md:", "0000-template.md", "notes.md"):
        assert not_linted not in lint.stdout

    # Day one, drafts only: the hook creates the missing index, and fails once to have it added.
    index = try_repo(hook_repo, pre_commit_home, team_repo, "rfc-index")
    assert index.returncode == 1, index.stdout + index.stderr
    assert "created rfcs/README.md, which was missing: add it to the commit" in index.stdout
    assert (team_repo / "rfcs" / "README.md").is_file()

    # The team fixes both: the flawed RFC goes, the new index is added.
    (team_repo / "rfcs" / "0000-flawed.md").unlink()
    monkeypatch.chdir(team_repo)
    assert main(["index", "--check"]) == 0
    _git(team_repo, "add", "-A")
    both = try_repo(hook_repo, pre_commit_home, team_repo)
    assert both.returncode == 0, both.stdout + both.stderr
    assert both.stdout.count("Passed") == 2
    assert "All checks passed: 1 RFC file." in both.stdout
