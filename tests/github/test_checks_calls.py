"""The check-run calls against the simulator: runs by name on a commit, including one GitHub
no longer knows (a force-push's ``before``)."""

from __future__ import annotations

from bot.github.checks import named_check_runs
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import VersionedGitHubAPI


async def test_a_commit_github_does_not_know_has_no_runs(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    assert await named_check_runs(gh, repo.full_name, "0" * 40, "RFC decision record", None) == []


async def test_runs_are_found_by_name_on_their_commit(
    sim: Simulator, repo: Repo, gh: VersionedGitHubAPI
) -> None:
    head = sim.head(repo, "main")
    body = {"name": "RFC decision record", "head_sha": head, "status": "completed",
            "conclusion": "neutral"}  # fmt: skip
    await gh.post(f"/repos/{repo.full_name}/check-runs", data=body)
    found = await named_check_runs(gh, repo.full_name, head, "RFC decision record", None)
    assert [run["name"] for run in found] == ["RFC decision record"]
    assert await named_check_runs(gh, repo.full_name, head, "another", None) == []
