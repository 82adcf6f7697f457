"""The repository's ``action.yml`` on an emulated runner (tests/action_runner.py): what a real
runner does with it, including what broke the old one. The whole documented workflows run in
tests/cli/test_action_workflows.py and tests/e2e/test_action_workflow.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.action_runner import ROOT, Home, JobRun, Runner, Trigger, make_home
from tests.action_scenes import make_pull
from tests.doc_snippets import workflow

OLD_SETUP_PYTHON = {  # action.yml's step before the fix: a pip cache keyed outside the workspace
    "name": "Set up Python",
    "id": "python",
    "uses": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065",
    "with": {
        "python-version": "${{ inputs.python-version }}",
        "cache": "pip",
        "cache-dependency-path": "${{ github.action_path }}/pyproject.toml",
        "update-environment": "false",
    },
}


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def step(name: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return next(s for s in (metadata or action())["runs"]["steps"] if s.get("name") == name)


def test_every_action_it_uses_is_pinned_by_commit() -> None:
    uses = [s["uses"] for s in action()["runs"]["steps"] if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_its_python_is_kept_off_the_jobs_path_and_uncached() -> None:
    python = step("Set up Python")
    assert python["with"] == {
        "python-version": "${{ inputs.python-version }}",
        "update-environment": False,
    }
    install = step("Install rfc-bot (this action's own version)")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert step("rfc-bot App")["run"] == '"$RFC_BOT" action'


def old_action(where: Path) -> None:
    metadata = yaml.safe_load((where / "action.yml").read_text(encoding="utf-8"))
    steps = metadata["runs"]["steps"]
    steps[steps.index(step("Set up Python", metadata))] = OLD_SETUP_PYTHON
    (where / "action.yml").write_text(yaml.safe_dump(metadata, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def old_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("old-home"), edit=old_action)


def expect_setup_python_error(job: JobRun, workspace: Path, action_path: Path) -> None:
    failed = job.step("Set up Python")
    assert failed.outcome == "failure"
    assert failed.log == (
        f"Error: No file in {workspace} matched to [{action_path}/pyproject.toml or "
        "**/pyproject.toml], make sure you have checked out the target repository\n"
    )
    assert job.result == "failure"


def test_the_old_action_fails_in_app_mode(old_home: Home, tmp_path: Path) -> None:
    """The documented app workflow has no checkout: nothing in the workspace to hash."""
    payload = {
        "action": "created",
        "issue": {"number": 1, "pull_request": {"url": "u"}},
        "comment": {"body": "/rfc check"},
        "repository": {"full_name": "octo-org/rfcs", "default_branch": "main"},
    }
    trigger = Trigger.on_default_branch("issue_comment", payload, "0" * 40)
    runner = Runner(tmp_path, old_home, trigger)
    run = runner.run(workflow("docs/action.md", "rfc-bot.yml"))

    assert run is not None
    action_path = runner.actions / old_home.slug / "main"
    expect_setup_python_error(run.jobs["rfc-bot"], runner.workspace, action_path)
    assert run.jobs["rfc-bot"].step("rfc-bot App").outcome == "skipped"


def test_the_old_action_fails_in_lint_mode_too(old_home: Home, tmp_path: Path) -> None:
    """With a checkout, the action's own pyproject.toml is still outside the workspace."""
    pull = make_pull(tmp_path / "origin", {"rfcs/README.md": "# RFCs\n"}, {"rfcs/x.md": "x\n"})
    runner = Runner(tmp_path / "runner", old_home, pull.trigger(), origin=pull.origin)
    run = runner.run(workflow("docs/action.md", "rfc-lint.yml"))

    assert run is not None
    job = run.jobs["lint"]
    expect_setup_python_error(job, runner.workspace, runner.actions / old_home.slug / "main")
    assert [s.outcome for s in job.steps] == ["success", "failure", "skipped"]


def test_a_wrong_mode_stops_before_installing(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    pull = make_pull(tmp_path / "origin", {}, {"rfcs/x.md": "x\n"})
    flow = workflow("docs/action.md", "rfc-lint.yml")
    flow["jobs"]["lint"]["steps"][1]["with"]["mode"] = "serve"
    run = Runner(tmp_path / "runner", home, pull.trigger(), origin=pull.origin).run(flow)

    assert run is not None
    [mode, *rest] = run.jobs["lint"].steps[1].children
    assert mode.outcome == "failure"
    assert "::error title=rfc-bot::mode must be lint or app, not 'serve'" in mode.log
    assert {s.outcome for s in rest} == {"skipped"}
