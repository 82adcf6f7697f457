"""docs/action.md's workflows, verbatim, on the emulated runner (tests/action_runner.py).

Lint mode runs end to end here on scratch repositories: checkout, setup-python, the action's
own files installed from its folder, the lint, the SARIF upload. App mode runs against the
GitHub simulator in tests/e2e/test_action_workflow.py; its concurrency is checked here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.action_runner import ROOT, Home, Runner, Trigger, make_home
from tests.action_scenes import make_pull, surviving_runs
from tests.doc_snippets import workflow

EXAMPLES = ROOT / "examples" / "rfcs"
GOOD = (EXAMPLES / "0000-job-retries.md").read_text(encoding="utf-8")
FLAWED = (EXAMPLES / "0000-flawed-example.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("home"))


def lint_workflow() -> dict[str, Any]:
    return workflow("docs/action.md", "rfc-lint.yml")


def test_a_flawed_rfc_gets_annotations_a_summary_sarif_and_a_red_job(
    home: Home, tmp_path: Path
) -> None:
    pull = make_pull(
        tmp_path / "origin",
        {"rfcs/0000-job-retries.md": GOOD, "rfcs/0001-old.md": FLAWED},  # untouched: not linted
        {"rfcs/0000-flawed.md": FLAWED},
    )
    runner = Runner(tmp_path / "runner", home, pull.trigger(), origin=pull.origin)
    run = runner.run(lint_workflow())

    assert run is not None
    job = run.jobs["lint"]
    assert job.outcomes == ["success", "failure", "success"]  # checkout, rfc-bot, upload
    action = job.step("octo-org/rfc-bot@main")
    assert [s.outcome for s in action.children] == [
        "success",  # the mode
        "success",  # setup-python
        "success",  # install from the action's folder
        "success",  # SARIF: findings are not a failure of this step
        "failure",  # annotations: errors fail the job
        "skipped",  # app mode
    ]
    assert action.outputs == {"exit-code": "1"}
    files = {a.properties["file"] for a in job.annotations}
    assert files == {"rfcs/0000-flawed.md"}
    assert {a.properties["title"] for a in job.annotations} >= {"authors", "rfc-number"}
    assert job.summary.startswith("## RFC lint\n\n```\nrfcs/0000-flawed.md:")
    sarif = json.loads((runner.workspace / "rfc-lint.sarif").read_text(encoding="utf-8"))
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    } == {"rfcs/0000-flawed.md"}
    assert sarif["runs"][0]["tool"]["driver"]["informationUri"] == home.url


def test_a_pull_request_without_rfcs_passes_and_leaves_the_jobs_path_alone(
    home: Home, tmp_path: Path
) -> None:
    """No `paths:` filter, so the check reports; the action's Python and rfc-bot stay its own."""
    pull = make_pull(tmp_path / "origin", {"rfcs/0000-job-retries.md": GOOD}, {"src/app.py": "x"})
    flow = lint_workflow()
    flow["jobs"]["lint"]["steps"].append(
        {"name": "After", "run": "command -v rfc-bot || command -v python3"}
    )
    run = Runner(tmp_path / "runner", home, pull.trigger(), origin=pull.origin).run(flow)

    assert run is not None
    job = run.jobs["lint"]
    assert job.outcomes == ["success", "success", "success", "success"], job.log
    assert "All checks passed: 0 RFC files." in job.summary
    assert job.step("After").log == "/usr/bin/python3\n"


def test_a_forks_pull_request_is_linted_without_an_upload(home: Home, tmp_path: Path) -> None:
    pull = make_pull(tmp_path / "origin", {}, {"rfcs/0000-flawed.md": FLAWED})
    trigger = pull.trigger(head_repo="someone/rfcs")
    assert trigger.from_fork
    run = Runner(tmp_path / "runner", home, trigger, origin=pull.origin).run(lint_workflow())

    assert run is not None
    assert run.jobs["lint"].outcomes == ["success", "failure", "skipped"]


def test_without_the_whole_history_the_base_is_unknown(home: Home, tmp_path: Path) -> None:
    """Why the checkout says `fetch-depth: 0`: a shallow clone lacks the base commit."""
    pull = make_pull(tmp_path / "origin", {"rfcs/0000-job-retries.md": GOOD}, {"rfcs/a.md": GOOD})
    flow = lint_workflow()
    del flow["jobs"]["lint"]["steps"][0]["with"]
    run = Runner(tmp_path / "runner", home, pull.trigger(), origin=pull.origin).run(flow)

    assert run is not None
    sarif = run.jobs["lint"].step("SARIF")
    assert sarif.outcome == "failure"  # exit 2 is a usage error, not findings
    assert sarif.log == f"rfc-bot: error: unknown git ref: {pull.base_sha}\n"
    assert run.jobs["lint"].step("Lint").outcome == "skipped"


# --- app mode's concurrency -----------------------------------------------------------------------


def comment(number: int, body: str) -> Trigger:
    payload = {
        "action": "created",
        "issue": {"number": number, "pull_request": {"url": "u"}},
        "comment": {"body": body},
        "repository": {"full_name": "octo-org/rfcs", "default_branch": "main"},
    }
    return Trigger.on_default_branch("issue_comment", payload, "0" * 40)


def sweep() -> Trigger:
    repository = {"full_name": "octo-org/rfcs", "default_branch": "main"}
    return Trigger.on_default_branch("schedule", {"repository": repository}, "0" * 40)


def test_a_burst_of_commands_on_one_pull_request_loses_none() -> None:
    burst = [comment(7, "/rfc approve"), comment(7, "/rfc approve"), comment(7, "/rfc approve")]
    assert surviving_runs(workflow("docs/action.md", "rfc-bot.yml"), burst) == [0, 1, 2]


def test_a_group_per_pull_request_would_lose_the_middle_command() -> None:
    """The check can fail: the group this documentation used to show."""
    flow = workflow("docs/action.md", "rfc-bot.yml")
    flow["concurrency"]["group"] = (
        "rfc-bot-${{ github.event.pull_request.number || github.event.issue.number || 'sweep' }}"
    )
    burst = [comment(7, "/rfc approve"), comment(7, "/rfc approve"), comment(7, "/rfc approve")]
    assert surviving_runs(flow, burst) == [0, 2]


def test_sweeps_queue_behind_each_other() -> None:
    flow = workflow("docs/action.md", "rfc-bot.yml")
    assert surviving_runs(flow, [sweep(), sweep(), sweep(), comment(7, "/rfc check")]) == [0, 2, 3]
