"""A branch's history through GitHub's REST API, for ``rfc-bot audit --github``.

Its commits, those that touched a directory and what each did to its files, and the files'
versions.

The same values ``bot.local.git.GitHistory`` reads from a checkout (``bot.policy.audit``).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from gidgethub import GitHubException
from gidgethub.abc import GitHubAPI

from bot.github.contents import get_file_item
from bot.github.gitdata import get_branch_head, get_commit_tree, get_directory
from bot.github.repos import get_repository
from bot.policy.audit import CommitInfo, Version
from bot.policy.audit_history import FileTouch, GraphCommit, Touch
from bot.values import timestamp

_READ_CONCURRENCY = 8
# GitHub's file statuses -> git's letters (a copy is a new file here).
_KINDS = {"added": "A", "removed": "D", "renamed": "R", "copied": "A"}


async def default_branch_head(gh: GitHubAPI, repo: str) -> str:
    """The commit the repository's default branch points to."""
    branch = str((await get_repository(gh, repo))["default_branch"])
    return await get_branch_head(gh, repo, branch)


async def branch_graph(gh: GitHubAPI, repo: str, head: str) -> list[GraphCommit]:
    """Every commit reachable from ``head``: its parents and subject."""
    return [
        GraphCommit(
            str(item["sha"]),
            tuple(str(parent["sha"]) for parent in item.get("parents") or ()),
            _message(item).partition("\n")[0],
        )
        for item in await _commits(gh, repo, head)
    ]


async def directory_touches(
    gh: GitHubAPI, repo: str, head: str, directory: str
) -> tuple[list[Touch], dict[str, CommitInfo]]:
    """The commits reachable from ``head`` that changed files in ``directory``, newest first,
    with what each did to them (one request per commit), who made it, when and its message."""
    listed = await _commits(gh, repo, head, directory)
    limit = asyncio.Semaphore(_READ_CONCURRENCY)

    async def files(sha: str) -> tuple[FileTouch, ...]:
        async with limit:
            commit = await gh.getitem(f"/repos/{repo}/commits/{sha}")
        return tuple(_touch(item) for item in commit.get("files") or () if isinstance(item, dict))

    changed = await asyncio.gather(*(files(str(item["sha"])) for item in listed))
    touches = [Touch(str(item["sha"]), found) for item, found in zip(listed, changed, strict=True)]
    return touches, {str(item["sha"]): _commit_info(item) for item in listed}


async def directory_files(gh: GitHubAPI, repo: str, head: str, directory: str) -> list[str] | None:
    """The paths of the files directly in ``directory`` at ``head``; None: no such directory."""
    entries = await get_directory(gh, repo, await get_commit_tree(gh, repo, head), directory)
    return None if entries is None else [entry.path for entry in entries if entry.type == "blob"]


async def file_versions(
    gh: GitHubAPI, repo: str, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], Version | None]:
    """(commit, path) -> the file there (None: no such file), a few requests at a time."""
    limit = asyncio.Semaphore(_READ_CONCURRENCY)

    async def read(sha: str, path: str) -> Version | None:
        async with limit:
            item = await get_file_item(gh, repo, path, sha)
        if item is None:
            return None
        text = base64.b64decode(item.get("content") or "").decode("utf-8", errors="replace")
        return Version(path, text, str(item["sha"]))

    specs = sorted(wanted)
    found = await asyncio.gather(*(read(sha, path) for sha, path in specs))
    return dict(zip(specs, found, strict=True))


async def _commits(
    gh: GitHubAPI, repo: str, head: str, path: str | None = None
) -> list[dict[str, Any]]:
    query = {"sha": head, "per_page": "100"} | ({"path": path} if path else {})
    url = f"/repos/{repo}/commits{{?sha,path,per_page}}"
    return [item async for item in gh.getiter(url, query) if isinstance(item, dict)]


def _touch(item: dict[str, Any]) -> FileTouch:
    path = str(item.get("filename") or "")
    kind = _KINDS.get(str(item.get("status")), "M")
    return FileTouch(kind, str(item.get("previous_filename") or path), path)


def _commit_info(item: dict[str, Any]) -> CommitInfo:
    commit = item.get("commit") or {}
    account = item.get("author") or {}
    author = account.get("login") or (commit.get("author") or {}).get("name") or "unknown"
    date = timestamp(commit.get("committer"), "date") or timestamp(commit.get("author"), "date")
    if date is None:
        raise GitHubException(f"commit {item.get('sha')} has no date")
    return CommitInfo(str(item["sha"]), str(author), date, _message(item))


def _message(item: dict[str, Any]) -> str:
    return str((item.get("commit") or {}).get("message") or "")
