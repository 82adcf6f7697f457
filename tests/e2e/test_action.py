"""``rfc-bot action`` end to end, as GitHub Actions runs it: a subprocess ``python -m bot
action`` with the workflow's environment (event name, event file, token, API URL, repository)
against the GitHub simulator. The token is an installation token the simulator issued, standing
in for the workflow's ``GITHUB_TOKEN`` (and its App for the ``github-actions`` App)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.policy.check import CHECK_NAME
from sandbox.demo import demo_file
from tests.e2e.helpers import (
    BRANCH,
    PATH,
    REPO,
    bot_comments,
    merged_pull,
    open_pull,
    rfc,
    seed_repo,
)
from tests.github_api import installation_token

GOOD = demo_file("fixed.md")  # lints clean: Draft, orchestrator + jobmaster
ROOT = Path(__file__).resolve().parents[2]
INDEX = "rfcs/README.md"


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def repo(sim: Any) -> Any:
    sim.clock.follow_the_machine()  # the Action's process reads the machine's clock
    repository = seed_repo(sim, {"rfcs/0001-audit-log.md": rfc("Audit Log", "0001")})
    sim.set_permission(repository, "mona", "write")
    return repository


@pytest.fixture
async def token(sim: Any, repo: Any) -> str:
    """An installation token of the simulator: the stand-in for ``GITHUB_TOKEN``."""
    return await installation_token(sim, repo.installation_id)


async def run_action(
    sim: Any, tmp_path: Path, token: str, event_name: str, payload: dict[str, Any], **env: str
) -> Ran:
    """``python -m bot action`` with the environment a workflow job has."""
    event_file = tmp_path / f"{event_name}.json"
    event_file.write_text(json.dumps(payload), encoding="utf-8")
    environ = {
        **os.environ,
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_TOKEN": token,
        "GITHUB_API_URL": sim.base_url,
        "GITHUB_REPOSITORY": REPO,
        "RFC_BOT_SECRET": "a-repository-secret",
        "RFC_BOT_ACTIONS_APP_ID": str(sim.app_id),  # the token's App stands in for github-actions
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "action",
        cwd=ROOT,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


def runs_on(sim: Any, repo: Any, sha: str) -> list[dict[str, Any]]:
    return [run for run in sim.check_runs(repo, sha) if run["name"] == CHECK_NAME]


async def test_opened_pull_request_gets_its_check_run_and_labels(
    sim: Any, repo: Any, token: str, tmp_path: Path
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    event = sim.event_pull_request(repo, pull.number, "opened")

    ran = await run_action(sim, tmp_path, token, "pull_request_target", event)

    assert ran.code == 0, ran.stderr
    [run] = runs_on(sim, repo, pull.head_sha)
    assert (run["status"], run["conclusion"]) == ("completed", "success"), run["annotations"]
    assert {"rfc", "rfc: draft", "app: orchestrator"} <= set(sim.pr_labels(repo, pull.number))


async def test_status_command_commits_replies_and_validates_the_new_head(
    sim: Any, repo: Any, token: str, tmp_path: Path
) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    first_head = pull.head_sha
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    event = sim.event_issue_comment(repo, pull.number, comment)

    ran = await run_action(sim, tmp_path, token, "issue_comment", event)

    assert ran.code == 0, ran.stderr
    head = sim.head(repo, BRANCH)
    assert head != first_head
    assert "**Status:** Proposed  \n" in (sim.file(repo, PATH, ref=BRANCH) or "")
    [reply] = bot_comments(sim, repo, pull.number)
    assert f"from **Draft** to **Proposed** in {head[:7]}" in reply
    # No workflow run follows a GITHUB_TOKEN commit: this run validated the new head itself.
    [run] = runs_on(sim, repo, head)
    assert (run["status"], run["conclusion"]) == ("completed", "success")
    assert "rfc: proposed" in sim.pr_labels(repo, pull.number)


async def test_merged_pull_request_is_numbered(
    sim: Any, repo: Any, token: str, tmp_path: Path
) -> None:
    pull = merged_pull(sim, repo, {"rfcs/0000-job-retries.md": rfc("Job Retries")}, head="rfc/new")
    event = sim.event_pull_request(repo, pull.number, "closed")

    ran = await run_action(sim, tmp_path, token, "pull_request_target", event)

    assert ran.code == 0, ran.stderr
    paths = sorted(p for p in sim.tree(repo) if re.fullmatch(r"rfcs/\d+-[a-z-]+\.md", p))
    assert paths == ["rfcs/0001-audit-log.md", "rfcs/0002-job-retries.md"]
    assert "**RFC Number:** 0002" in (sim.file(repo, "rfcs/0002-job-retries.md") or "")
    assert any("RFC 0002" in body for body in bot_comments(sim, repo, pull.number))


async def test_missing_environment_is_a_usage_error(tmp_path: Path, sim: Any, token: str) -> None:
    ran = await run_action(sim, tmp_path, "", "pull_request", {})

    assert ran.code == 2
    assert ran.stderr.startswith("rfc-bot: error: missing GITHUB_TOKEN:")
