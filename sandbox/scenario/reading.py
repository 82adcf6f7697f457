"""The scenario API for reading state: files, heads, pull requests, check runs, labels,
comments and reactions, as a test checks what the App did."""

from __future__ import annotations

from typing import Any

from sandbox import sim_render
from sandbox.github import GitHub, RepoRef
from sandbox.routes.plain_issues import issue_json
from sandbox.sim_state import PullRequest


class StateReading(GitHub):
    """What a test reads back from the simulated GitHub."""

    def file(self, repo: RepoRef, path: str, ref: str = "main") -> str | None:
        target = self._repo(repo)
        sha = target.objects.files_at(target.resolve(ref)).get(path)
        return None if sha is None else target.objects.blobs[sha].decode("utf-8", "replace")

    def tree(self, repo: RepoRef, ref: str = "main") -> dict[str, str]:
        target = self._repo(repo)
        files = target.objects.files_at(target.resolve(ref))
        return {p: target.objects.blobs[s].decode("utf-8", "replace") for p, s in files.items()}

    def head(self, repo: RepoRef, branch: str) -> str:
        return self._repo(repo).branches[branch]

    def commit_message(self, repo: RepoRef, sha: str) -> str:
        return self._repo(repo).objects.commits[sha].message

    def pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        return self._pull(self._repo(repo), number)

    def check_runs(self, repo: RepoRef, head_sha: str | None = None) -> list[dict[str, Any]]:
        target = self._repo(repo)
        return [
            {
                **sim_render.check_run_json(target, run, self.base_url, self.app_json(run.app_id)),
                "annotations": [dict(a) for a in run.annotations],
            }
            for run in sorted(target.check_runs.values(), key=lambda r: r.id)
            if head_sha is None or run.head_sha == head_sha
        ]

    def pr_labels(self, repo: RepoRef, number: int) -> list[str]:
        return list(self._pull(self._repo(repo), number).labels)

    def repo_labels(self, repo: RepoRef) -> dict[str, dict[str, Any]]:
        return {
            label.name: {"color": label.color, "description": label.description}
            for label in self._repo(repo).labels.values()
        }

    def comments(self, repo: RepoRef, number: int) -> list[dict[str, Any]]:
        target = self._repo(repo)
        return [
            self.comment_json(target, c)
            for c in sorted(target.comments.values(), key=lambda c: c.id)
            if c.issue_number == number
        ]

    def reactions(self, repo: RepoRef, comment_id: int) -> list[str]:
        return [r.content for r in self._repo(repo).comments[comment_id].reactions]

    def issues(self, repo: RepoRef) -> list[dict[str, Any]]:
        """The repository's issues that are not pull requests, in number order, as GitHub
        renders them (``labels`` and ``assignees`` as objects)."""
        target = self._repo(repo)
        return [
            issue_json(self, target, issue, self.base_url)
            for issue in sorted(target.issues.values(), key=lambda i: i.number)
        ]
