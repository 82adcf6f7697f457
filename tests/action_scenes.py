"""Scenes for the emulated runner (tests/action_runner.py): a repository as GitHub holds it
for a pull request (what ``actions/checkout`` fetches), and GitHub's ``concurrency`` groups,
which decide which runs of a burst run at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.action_expressions import Scope
from tests.action_runner import Trigger, git

# --- a repository for actions/checkout ------------------------------------------------------------


@dataclass(frozen=True)
class PullFixture:
    """A repository as GitHub holds it for a pull request: ``main`` at the base commit, the
    head branch, and ``refs/pull/N/head`` and ``refs/pull/N/merge`` (GitHub's test merge)."""

    origin: Path
    number: int
    base_sha: str
    head_sha: str
    merge_sha: str
    changed: tuple[str, ...]

    def payload(
        self, repository: str = "octo-org/rfcs", *, action: str = "opened", head_repo: str = ""
    ) -> dict[str, Any]:
        def side(ref: str, sha: str, repo: str) -> dict[str, Any]:
            return {"ref": ref, "sha": sha, "repo": {"full_name": repo}}

        repo = {"full_name": repository, "default_branch": "main", "private": False}
        return {
            "action": action,
            "number": self.number,
            "pull_request": {
                "number": self.number,
                "base": side("main", self.base_sha, repository),
                "head": side("rfc/change", self.head_sha, head_repo or repository),
            },
            "repository": repo,
            "sender": {"login": "mona"},
        }

    def trigger(self, event_name: str = "pull_request", **payload: str) -> Trigger:
        return Trigger.pull_request(
            self.payload(**payload),
            event_name=event_name,
            merge_sha=self.merge_sha,
            changed=self.changed,
        )


def make_pull(
    origin: Path, base: Mapping[str, str], change: Mapping[str, str | None], number: int = 7
) -> PullFixture:
    """``base`` committed on ``main``; ``change`` (None deletes a file) on the head branch."""
    origin.mkdir(parents=True, exist_ok=True)
    git(origin, "init", "-q", "-b", "main")
    write_files(origin, base)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "--allow-empty", "-m", "base")
    base_sha = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "checkout", "-q", "-b", "rfc/change")
    write_files(origin, change)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "--allow-empty", "-m", "change")
    head_sha = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "checkout", "-q", "main")
    tree = git(origin, "rev-parse", f"{head_sha}^{{tree}}").strip()
    merge = git(origin, "commit-tree", tree, "-p", base_sha, "-p", head_sha, "-m", "merge").strip()
    git(origin, "update-ref", f"refs/pull/{number}/head", head_sha)
    git(origin, "update-ref", f"refs/pull/{number}/merge", merge)
    return PullFixture(origin, number, base_sha, head_sha, merge, tuple(sorted(change)))


def write_files(where: Path, files: Mapping[str, str | None]) -> None:
    for name, text in files.items():
        path = where / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --- concurrency ----------------------------------------------------------------------------------


def concurrency_group(workflow: Mapping[str, Any], trigger: Trigger, run_id: int) -> str | None:
    """The workflow's ``concurrency`` group for this trigger (None: no group)."""
    spec = workflow.get("concurrency")
    if spec is None:
        return None
    group = spec if isinstance(spec, str) else spec["group"]
    github = {
        "event_name": trigger.event_name,
        "event": trigger.payload,
        "repository": trigger.repository,
        "ref": trigger.ref,
        "run_id": str(run_id),
    }
    return Scope({"github": github, "inputs": {}, "vars": {}}, {}).interpolate(str(group))


def surviving_runs(workflow: Mapping[str, Any], burst: list[Trigger]) -> list[int]:
    """Which runs of a burst GitHub lets run, all arriving while the first run of their group
    is still in progress: a group holds one running and one pending run, and a newcomer
    cancels the pending one (with ``cancel-in-progress``, the running one too)."""
    spec = workflow.get("concurrency") or {}
    cancel_running = isinstance(spec, dict) and spec.get("cancel-in-progress") is True
    running: dict[str, int] = {}
    pending: dict[str, int] = {}
    cancelled: set[int] = set()
    for run_id, trigger in enumerate(burst):
        group = concurrency_group(workflow, trigger, run_id)
        if group is None:
            continue
        if group in pending:
            cancelled.add(pending.pop(group))
        if group not in running:
            running[group] = run_id
        elif cancel_running:
            cancelled.add(running[group])
            running[group] = run_id
        else:
            pending[group] = run_id
    return [run_id for run_id in range(len(burst)) if run_id not in cancelled]
