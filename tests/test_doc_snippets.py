"""Every snippet a user copies from README.md and docs/*.md works as written (tests/doc_snippets.py
finds them): workflows on the emulated runner (tests/action_runner.py), pre-commit
configurations through pre-commit itself, ``pip install`` lines through pip. The project's URL
is reached offline: git's ``insteadOf`` sends it to a local repository of this checkout.

docs/action.md's two workflows run in tests/cli/test_action_workflows.py and
tests/e2e/test_action_workflow.py, docs/cli.md's lint workflow in
tests/cli/test_actions_workflow.py; the others run here.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.project import project_url
from tests.action_runner import ROOT, Home, Runner, Trigger, git, make_home, offline_network
from tests.action_scenes import write_files
from tests.action_standins import ACTIONS
from tests.doc_snippets import (
    PRE_COMMIT_CONFIG,
    Snippet,
    install_lines,
    pre_commit_configs,
    snippets,
    workflow,
    workflows,
)

EXAMPLES = ROOT / "examples" / "rfcs"
GOOD = (EXAMPLES / "0000-job-retries.md").read_text(encoding="utf-8")
FLAWED = (EXAMPLES / "0000-flawed-example.md").read_text(encoding="utf-8")
# Where a snippet names the project: a URL on GitHub, or a `uses:` of its action.
PROJECT_MENTION = re.compile(
    r"(?:github\.com/|raw\.githubusercontent\.com/|uses:\s*)(?P<slug>[\w.-]+/rfc-bot)\b"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("home"))


def ids(found: list[Snippet]) -> list[str]:
    return [snippet.where for snippet in found]


# --- what counts as a snippet ---------------------------------------------------------------


def test_every_workflow_and_pre_commit_config_says_which_file_it_is() -> None:
    """A block that is a workflow or a pre-commit configuration names its file on its first
    line, so the tests below find it."""
    unmarked = []
    for snippet in snippets():
        if snippet.lang not in ("yaml", "yml") or snippet.file_name:
            continue
        try:
            parsed = snippet.yaml()
        except yaml.YAMLError:
            continue  # a fragment, not a file
        if isinstance(parsed, dict) and ({"jobs", "repos"} & set(parsed)):
            unmarked.append(snippet.where)
    assert unmarked == []
    assert len(workflows()) >= 5 and len(pre_commit_configs()) >= 2


def test_every_snippet_names_the_projects_home() -> None:
    """pyproject.toml's [project.urls] is the one place: a fork changes it, and this lists
    every line that still names another home (app.yml's `url` is checked in test_sarif)."""
    home_slug = project_url().removeprefix("https://github.com/")
    wrong = [
        f"{snippet.where}: {match[0]}"
        for snippet in snippets()
        for match in PROJECT_MENTION.finditer(snippet.body)
        if match["slug"] != home_slug
    ]
    assert wrong == []
    assert not [s.where for s in snippets() if re.search(r"\bOWNER/rfc-bot\b|@v0\.1\.0", s.body)]


@pytest.mark.parametrize("snippet", workflows(), ids=ids(workflows()))
def test_every_action_a_workflow_uses_exists(snippet: Snippet, home: Home) -> None:
    for job in snippet.yaml()["jobs"].values():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses is None:
                continue
            ref = home.ref_of(uses)
            if ref is not None:
                assert home.commit(ref)  # a ref the project has (a missing tag fails here)
            else:
                assert uses.partition("@")[0] in ACTIONS, f"{snippet.where}: {uses}"


# --- workflows ----------------------------------------------------------------------------------


def pushed_repository(where: Path, files: dict[str, str | None]) -> tuple[Path, str]:
    """A repository whose ``main`` holds ``files``: the origin of a push to main."""
    where.mkdir(parents=True)
    git(where, "init", "-q", "-b", "main")
    write_files(where, files)
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "RFCs")
    return where, git(where, "rev-parse", "HEAD").strip()


def push(sha: str, changed: tuple[str, ...]) -> Trigger:
    repository = {"full_name": "octo-org/rfcs", "default_branch": "main", "private": False}
    payload = {"ref": "refs/heads/main", "after": sha, "repository": repository}
    return Trigger("push", payload, "octo-org/rfcs", "refs/heads/main", sha, changed)


def test_the_audit_workflow_audits_the_default_branch(home: Home, tmp_path: Path) -> None:
    origin, sha = pushed_repository(tmp_path / "origin", {"rfcs/0000-job-retries.md": GOOD})
    trigger = push(sha, ("rfcs/0000-job-retries.md",))
    runner = Runner(
        tmp_path / "runner", home, trigger, origin=origin, secrets={"RFC_BOT_SECRET": "s"}
    )
    run = runner.run(workflow("docs/cli.md", "rfc-audit.yml"))

    assert run is not None
    job = run.jobs["audit"]
    assert job.outcomes == ["success"] * 4, job.log
    assert "rfcs/0000-job-retries.md" in job.step("Audit").log


def test_a_push_outside_rfcs_starts_no_audit(home: Home, tmp_path: Path) -> None:
    trigger = push("0" * 40, ("README.md",))
    assert Runner(tmp_path, home, trigger).run(workflow("docs/cli.md", "rfc-audit.yml")) is None


def test_the_site_workflow_builds_and_deploys(home: Home, tmp_path: Path) -> None:
    origin, sha = pushed_repository(tmp_path / "origin", {"rfcs/0000-job-retries.md": GOOD})
    runner = Runner(tmp_path / "runner", home, push(sha, ()), origin=origin)
    run = runner.run(workflow("docs/site.md", "rfc-site.yml"))

    assert run is not None
    assert run.jobs["build"].outcomes == ["success"] * 5, run.jobs["build"].log
    assert run.jobs["deploy"].outcomes == ["success"]
    assert "github-pages" in runner.artifacts


# --- pre-commit ---------------------------------------------------------------------------------


def pre_commit(
    home: Home, cwd: Path, pre_commit_home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **offline_network(home),
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PRE_COMMIT_COLOR": "never",
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("snippet", pre_commit_configs(), ids=ids(pre_commit_configs()))
def test_pre_commit_accepts_the_configuration(snippet: Snippet, home: Home, tmp_path: Path) -> None:
    (tmp_path / PRE_COMMIT_CONFIG).write_text(snippet.body, encoding="utf-8")
    done = pre_commit(home, tmp_path, tmp_path / "cache", "validate-config", PRE_COMMIT_CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_pre_commit_configuration_pins_and_runs(home: Home, tmp_path: Path) -> None:
    """The user's journey: copy the block, `pre-commit autoupdate` pins the commit, the
    hooks run on the repository's RFCs."""
    [snippet, *_] = pre_commit_configs()
    team = tmp_path / "team"
    team.mkdir()
    write_files(team, {PRE_COMMIT_CONFIG: snippet.body, "rfcs/0000-flawed.md": FLAWED})
    git(team, "init", "-q")
    git(team, "add", "-A")
    cache = tmp_path / "cache"

    pinned = pre_commit(home, team, cache, "autoupdate", "--repo", home.url)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    config: dict[str, Any] = yaml.safe_load((team / PRE_COMMIT_CONFIG).read_text())
    assert config["repos"][0]["rev"] == home.commit("main")

    ran = pre_commit(home, team, cache, "run", "--all-files")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "rfcs/0000-flawed.md:" in ran.stdout
    assert "created rfcs/README.md, which was missing: add it to the commit" in ran.stdout


# --- pip install lines --------------------------------------------------------------------------


def pip_arguments(command: str) -> list[str]:
    """What follows ``pip install`` in a shell line, up to its end or a ``&&``."""
    words = shlex.split(command, comments=True)
    start = next(i for i, word in enumerate(words) if word.endswith("pip") and i + 1 < len(words))
    arguments = words[start + 2 :]
    return arguments[: arguments.index("&&")] if "&&" in arguments else arguments


INSTALLS = install_lines()


@pytest.mark.parametrize(
    ("snippet", "command"), INSTALLS, ids=[f"{s.where}:{c[:40]}" for s, c in INSTALLS]
)
def test_every_pip_install_line_resolves(
    snippet: Snippet, command: str, home: Home, tmp_path: Path
) -> None:
    """In a checkout of the project (for ``.``) or anywhere (for its URL): pip builds it and
    resolves every dependency, changing nothing (``--dry-run``)."""
    arguments = pip_arguments(command)
    checkout = home.export("main", tmp_path / "checkout")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", *arguments],
        cwd=checkout,
        env={**os.environ, **offline_network(home)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Would install" in done.stdout and "rfc-bot-0.1.0" in done.stdout


def test_the_install_lines_are_found() -> None:
    commands = [command for _, command in INSTALLS]
    assert any("git+https://github.com/" in command for command in commands)
    assert any(pip_arguments(command) == ["."] for command in commands)
    assert pip_arguments(".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest") == [
        "-e",
        ".[test]",
    ]
