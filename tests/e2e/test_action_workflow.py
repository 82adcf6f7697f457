"""docs/action.md's app-mode workflow, verbatim, on the emulated runner (tests/action_runner.py)
against the GitHub simulator: the action's own files installed from its folder, then
``rfc-bot action`` with the job's environment. The simulator's installation token stands in
for ``GITHUB_TOKEN`` and its App for the ``github-actions`` App (set as a runner would set a
machine's variable); the runner's clock is the machine's, so the simulator follows it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.policy.check import CHECK_NAME
from sandbox.demo import demo_file
from tests.action_runner import Home, JobRun, Runner, Trigger, make_home
from tests.doc_snippets import workflow
from tests.e2e.helpers import BRANCH, PATH, bot_comments, open_pull, rfc, seed_repo
from tests.github_api import installation_token

GOOD = demo_file("fixed.md")  # lints clean: Draft, orchestrator + jobmaster


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("home"))


@pytest.fixture
def repo(sim: Any) -> Any:
    sim.clock.follow_the_machine()
    repository = seed_repo(sim, {"rfcs/0001-audit-log.md": rfc("Audit Log", "0001")})
    sim.set_permission(repository, "mona", "write")
    return repository


async def run_app_workflow(
    sim: Any, repo: Any, home: Home, tmp_path: Path, trigger: Trigger
) -> JobRun:
    runner = Runner(
        tmp_path,
        home,
        trigger,
        token=await installation_token(sim, repo.installation_id),
        api_url=sim.base_url,
        secrets={"RFC_BOT_SECRET": "a-repository-secret"},
        extra_env={"RFC_BOT_ACTIONS_APP_ID": str(sim.app_id)},
    )
    # The runner blocks on its steps; the simulator answers on this event loop meanwhile.
    run = await asyncio.to_thread(runner.run, workflow("docs/action.md", "rfc-bot.yml"))
    assert run is not None, "the workflow's `on:` does not select this event"
    return run.jobs["rfc-bot"]


async def test_an_opened_pull_request_gets_its_check_run_and_labels(
    sim: Any, repo: Any, home: Home, tmp_path: Path
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    payload = sim.event_pull_request(repo, pull.number, "opened")
    trigger = Trigger.pull_request(payload, event_name="pull_request_target")

    job = await run_app_workflow(sim, repo, home, tmp_path, trigger)

    assert job.result == "success", job.log
    app = job.step("rfc-bot App")
    assert app.outcome == "success"
    [run] = [r for r in sim.check_runs(repo, pull.head_sha) if r["name"] == CHECK_NAME]
    assert (run["status"], run["conclusion"]) == ("completed", "success")
    assert {"rfc", "rfc: draft", "app: orchestrator"} <= set(sim.pr_labels(repo, pull.number))


async def test_a_status_command_commits_replies_and_validates_the_new_head(
    sim: Any, repo: Any, home: Home, tmp_path: Path
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    first_head = pull.head_sha
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    payload = sim.event_issue_comment(repo, pull.number, comment)
    trigger = Trigger.on_default_branch("issue_comment", payload, sim.head(repo, "main"))

    job = await run_app_workflow(sim, repo, home, tmp_path, trigger)

    assert job.result == "success", job.log
    head = sim.head(repo, BRANCH)
    assert head != first_head
    assert "**Status:** Proposed  \n" in (sim.file(repo, PATH, ref=BRANCH) or "")
    [reply] = bot_comments(sim, repo, pull.number)
    assert f"from **Draft** to **Proposed** in {head[:7]}" in reply
    [run] = [r for r in sim.check_runs(repo, head) if r["name"] == CHECK_NAME]
    assert run["conclusion"] == "success"


async def test_a_comment_on_a_plain_issue_starts_no_job(
    sim: Any, repo: Any, home: Home, tmp_path: Path
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    payload = sim.event_issue_comment(repo, pull.number, comment)
    del payload["issue"]["pull_request"]  # what GitHub sends for an issue's comment
    trigger = Trigger.on_default_branch("issue_comment", payload, sim.head(repo, "main"))

    job = await run_app_workflow(sim, repo, home, tmp_path, trigger)

    assert job.result == "skipped" and job.steps == []
    assert bot_comments(sim, repo, pull.number) == []
