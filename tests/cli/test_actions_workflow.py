"""The by-hand GitHub Actions workflow in docs/cli.md, verbatim, on the emulated runner
(tests/action_runner.py): checkout, setup-python, `pip install` of this project from its URL
(served offline from a local repository of this checkout), the SARIF step, the upload (checked
against the official SARIF 2.1.0 schema and the job's permissions), the annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.action_runner import ROOT, Home, JobRun, Runner, make_home
from tests.action_scenes import make_pull
from tests.doc_snippets import workflow

EXAMPLES = ROOT / "examples" / "rfcs"
GOOD = (EXAMPLES / "0000-job-retries.md").read_text(encoding="utf-8")
FLAWED = (EXAMPLES / "0000-flawed-example.md").read_text(encoding="utf-8")


def documented() -> dict[str, Any]:
    return workflow("docs/cli.md", "rfc-lint.yml")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("home"))


def run_lint(home: Home, tmp_path: Path, head_repo: str = "") -> tuple[JobRun, Runner]:
    pull = make_pull(
        tmp_path / "origin", {"rfcs/0000-job-retries.md": GOOD}, {"rfcs/0000-flawed.md": FLAWED}
    )
    trigger = pull.trigger(head_repo=head_repo)
    runner = Runner(tmp_path / "runner", home, trigger, origin=pull.origin)
    run = runner.run(documented())
    assert run is not None
    return run.jobs["lint"], runner


def test_permissions_cover_the_sarif_upload() -> None:
    permissions = documented()["permissions"]
    assert permissions == {"contents": "read", "security-events": "write", "actions": "read"}


def test_a_pull_request_with_errors_gets_alerts_annotations_and_a_red_job(
    home: Home, tmp_path: Path
) -> None:
    job, runner = run_lint(home, tmp_path)

    assert job.outcomes == [
        "success",  # checkout
        "success",  # setup-python
        "success",  # pip install from the project's URL
        "success",  # SARIF: findings are not a failure of this step
        "success",  # upload-sarif ran, with a valid log
        "failure",  # annotations, last: the job is red
    ], job.log
    sarif = json.loads((runner.workspace / "rfc-lint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"authors", "rfc-number"}
    assert job.step("Lint").log.startswith("::error file=rfcs/0000-flawed.md,")
    assert {a.properties["file"] for a in job.annotations} == {"rfcs/0000-flawed.md"}


def test_a_fork_skips_only_the_upload(home: Home, tmp_path: Path) -> None:
    job, _ = run_lint(home, tmp_path, head_repo="someone/rfcs")
    assert job.outcomes[3:] == ["success", "skipped", "failure"]
