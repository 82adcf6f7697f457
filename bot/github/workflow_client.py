"""The GitHub client of ``rfc-bot action``: the workflow's ``GITHUB_TOKEN``, and a note of
every commit the App's own writes made to a branch.

Why the note: a commit made with ``GITHUB_TOKEN`` starts no new workflow run (GitHub's rule
against recursive runs), so the ``pull_request: synchronize`` event that validates a hosted
App's status commit never comes. ``bot.cli.action`` reads the note and validates those branches'
pull requests itself, in the same run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from gidgethub.abc import GitHubAPI

from bot.github.client import GitHubClient, route_template
from bot.values import Pull

CONTENTS_ROUTE = "/repos/{owner}/{repo}/contents/{path}"


@dataclass(frozen=True)
class BranchCommit:
    """A commit the App made to ``branch`` of ``repo`` (owner/name)."""

    repo: str
    branch: str
    sha: str


class WorkflowClient(GitHubClient):
    """``GitHubClient`` that notes each successful contents-API commit in ``commits``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commits: list[BranchCommit] = []

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        response = await super()._request(method, url, headers, body)
        status, _, answer = response
        if method == "PUT" and 200 <= status < 300:
            commit = branch_commit(url, self.base_url, body, answer)
            if commit is not None:
                self.commits.append(commit)
        return response


def branch_commit(url: str, base_url: str, sent: bytes, answer: bytes) -> BranchCommit | None:
    """The commit a contents-API PUT made, from its URL, request and answer; None for any
    other request (or an answer without a commit)."""
    if route_template(url, base_url) != CONTENTS_ROUTE:
        return None
    path = url[len(base_url) :] if url.startswith(base_url) else url
    parts = path.split("?", 1)[0].strip("/").split("/")
    branch = _field(sent, "branch")
    commit = _field(answer, "commit")
    sha = commit.get("sha") if isinstance(commit, dict) else None
    if len(parts) < 3 or not isinstance(branch, str) or not isinstance(sha, str):
        return None
    return BranchCommit(f"{unquote(parts[1])}/{unquote(parts[2])}", branch, sha)


def _field(raw: bytes, name: str) -> Any:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


async def open_pulls_from(gh: GitHubAPI, repo: str, head: BranchCommit) -> list[Pull]:
    """The open pull requests of ``repo`` whose head is ``head``'s branch."""
    owner = head.repo.split("/", 1)[0]
    return [
        Pull.from_json(item)
        async for item in gh.getiter(
            f"/repos/{repo}/pulls{{?state,head,per_page}}",
            {"state": "open", "head": f"{owner}:{head.branch}", "per_page": 100},
        )
    ]
