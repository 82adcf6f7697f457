"""``bot.cli.action`` in this process (the subprocess runs are in tests/e2e/test_action.py): the
environment it reads, the exit status it gives, the sweep, and what it does when GitHub fails."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli.action import (
    ACTIONS_APP_ID,
    ActionEnv,
    ActionError,
    action_context,
    actions_app_id,
    read_event,
    run_action,
)
from bot.github.workflow_client import BranchCommit, branch_commit
from bot.policy.commands import parse_commands
from bot.policy.provenance import signing_key
from bot.policy.replies import reply_marker
from sandbox.demo import demo_file
from tests.e2e.helpers import BRANCH, PATH, REPO, open_pull, seed_repo
from tests.github_api import installation_token

GOOD = demo_file("fixed.md")


@pytest.fixture
def repo(sim: Any) -> Any:
    return seed_repo(sim, {})


@pytest.fixture
async def token(sim: Any, repo: Any) -> str:
    return await installation_token(sim, repo.installation_id)


def env(sim: Any, token: str, name: str, event: dict[str, Any]) -> ActionEnv:
    return ActionEnv(name, event, token, REPO, sim.base_url, "secret", app_id=int(sim.app_id))


async def run_on_sim(sim: Any, token: str, name: str, event: dict[str, Any]) -> int:
    """The Action run in this process, on the simulator's clock (GitHub's, and the runner's)."""
    return await run_action(env(sim, token, name, event), clock=sim.clock.now)


def test_environment_is_read_with_defaults(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"action": "opened"}', encoding="utf-8")
    read = ActionEnv.from_environ(
        {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_TOKEN": "t",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "7",
            "GITHUB_RUN_ATTEMPT": "2",
        }
    )
    assert read == ActionEnv("pull_request", {"action": "opened"}, "t", "o/r", run_id="7-2")
    assert read.api_url == "https://api.github.com"


def test_the_app_is_github_actions_unless_the_environment_names_another() -> None:
    assert actions_app_id("") == ACTIONS_APP_ID
    assert actions_app_id("42") == 42
    assert action_context("s", app_id=42).app_id == 42
    for written in ("x", "-1", "4 2", "\u0664"):
        with pytest.raises(ActionError, match="must be a number"):
            actions_app_id(written)


async def test_another_bots_comment_with_the_apps_reply_marker_is_not_the_apps(
    sim: Any, repo: Any, token: str
) -> None:
    """Another bot "answers" alice's command with the App's reply marker, before any run: the
    sweep does not take that for the App's reply, and runs the command."""
    pull = open_pull(sim, repo, {PATH: GOOD})
    command = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    marker = reply_marker(command["id"], parse_commands("/rfc status proposed"))
    forged = sim.add_comment(repo, pull.number, "other-bot[bot]", f"{marker}\ndone.", "Bot")
    repo.comments[forged["id"]].app_id = sim.register_app("other-bot")  # through another App
    sim.clock.advance(timedelta(minutes=10))  # past the reconciler's grace period for new work
    event = {"schedule": "*/30 * * * *"}
    assert await run_action(env(sim, token, "schedule", event), clock=sim.clock.now) == 0
    assert "**Status:** Proposed" in (sim.file(repo, PATH, ref=BRANCH) or "")
    ours = [
        c for c in sim.comments(repo, pull.number) if c["id"] not in (command["id"], forged["id"])
    ]
    assert any(f"rfc-bot:reply:{command['id']} " in c["body"] for c in ours)


def test_missing_variables_are_named() -> None:
    with pytest.raises(ActionError, match="missing GITHUB_EVENT_PATH, GITHUB_TOKEN"):
        ActionEnv.from_environ({"GITHUB_EVENT_NAME": "x", "GITHUB_REPOSITORY": "o/r"})


@pytest.mark.parametrize("content", [b"[1]", b"{not json", b"\xff\xfe"])
def test_an_unreadable_event_file_is_refused(tmp_path: Path, content: bytes) -> None:
    event = tmp_path / "event.json"
    event.write_bytes(content)
    with pytest.raises(ActionError, match="event file"):
        read_event(event)
    with pytest.raises(ActionError, match="cannot read"):
        read_event(tmp_path / "absent.json")


def test_without_the_secret_the_key_is_random_and_a_warning_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        first, second = action_context(""), action_context("")
    assert first.signing_key != second.signing_key
    assert "RFC_BOT_SECRET is not set" in caplog.text
    assert action_context("s").signing_key == signing_key("s")


def test_only_a_contents_commit_is_noted() -> None:
    base = "https://api.example"
    sent = json.dumps({"branch": "rfc/x"}).encode()
    answer = json.dumps({"commit": {"sha": "abc"}}).encode()
    url = f"{base}/repos/octo/r%C3%A9po/contents/rfcs/0000-a.md"
    assert branch_commit(url, base, sent, answer) == BranchCommit("octo/répo", "rfc/x", "abc")
    assert branch_commit(f"{base}/repos/o/r/issues/1/labels", base, sent, answer) is None
    assert branch_commit(url, base, b"not json", answer) is None
    assert branch_commit(url, base, sent, b"[]") is None


async def test_an_opened_pull_request_is_validated(sim: Any, repo: Any, token: str) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    event = sim.event_pull_request(repo, pull.number, "opened")
    assert await run_on_sim(sim, token, "pull_request_target", event) == 0
    [run] = sim.check_runs(repo, pull.head_sha)
    assert run["conclusion"] == "success"


async def test_an_event_with_no_handler_does_nothing(sim: Any, repo: Any, token: str) -> None:
    assert await run_on_sim(sim, token, "push", {"ref": "refs/heads/main"}) == 0
    assert sim.check_runs(repo) == []


async def test_a_malformed_payload_is_ignored(sim: Any, repo: Any, token: str) -> None:
    event = {"action": "opened", "pull_request": {"number": "one"}}
    assert await run_on_sim(sim, token, "pull_request", event) == 0


async def test_a_refused_token_stops_the_run_before_any_handler(sim: Any, repo: Any) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    event = sim.event_pull_request(repo, pull.number, "opened")
    with pytest.raises(ActionError, match="GITHUB_TOKEN is not accepted by GitHub"):
        await run_on_sim(sim, "ghs_forged", "pull_request", event)
    assert sim.check_runs(repo) == []
    assert [r.path for r in sim.requests] == [f"/repos/{REPO}"]  # the check, nothing more


async def test_schedule_sweeps_the_repository(sim: Any, repo: Any, token: str) -> None:
    pull = open_pull(sim, repo, {PATH: GOOD})
    sim.clock.advance(timedelta(minutes=10))  # past the reconciler's grace period for new work
    assert (
        await run_action(
            env(sim, token, "schedule", {"schedule": "*/30 * * * *"}), clock=sim.clock.now
        )
        == 0
    )
    [run] = sim.check_runs(repo, pull.head_sha)  # the missing check was repaired
    assert run["conclusion"] == "success"


async def test_schedule_with_a_refused_token_fails(sim: Any, repo: Any) -> None:
    with pytest.raises(ActionError, match="GITHUB_TOKEN is not accepted by GitHub"):
        await run_on_sim(sim, "ghs_forged", "workflow_dispatch", {})


async def test_a_failed_validation_after_a_commit_fails_the_run(
    sim: Any, repo: Any, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.cli.action

    async def broken(*args: Any) -> None:
        raise RuntimeError("GitHub went away")

    monkeypatch.setattr(bot.cli.action, "validate", broken)
    sim.set_permission(repo, "alice", "write")
    pull = open_pull(sim, repo, {PATH: GOOD})
    comment = sim.add_comment(repo, pull.number, "alice", "/rfc status proposed")
    event = sim.event_issue_comment(repo, pull.number, comment)
    assert await run_on_sim(sim, token, "issue_comment", event) == 1
    assert "Proposed" in (sim.file(repo, PATH, ref=BRANCH) or "")


def test_the_command_runs_once_and_exits_with_its_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["action"]) == 2
    assert capsys.readouterr().err.startswith("rfc-bot: error: missing GITHUB_EVENT_NAME, ")
    event = tmp_path / "event.json"
    event.write_text('{"ref": "refs/heads/main"}', encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")  # no handler, but the token is checked
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("bot.cli.action.STARTUP_BUDGET_SECONDS", 0.0)  # one attempt, no wait
    assert main(["action"]) == 2
    (error,) = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert error.startswith("rfc-bot: error: GITHUB_API_URL http://127.0.0.1:9 cannot be reached")
