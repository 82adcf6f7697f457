"""Pull requests: one pull request, its files and its commits."""

from __future__ import annotations

from typing import Any

from gidgethub.abc import GitHubAPI

from bot.values import Pull

# GitHub lists at most this many files of a pull request, and this many commits.
MAX_LISTED_FILES = 3000
MAX_LISTED_COMMITS = 250


async def get_pull(gh: GitHubAPI, repo: str, number: int) -> Pull:
    return Pull.from_json(await gh.getitem(f"/repos/{repo}/pulls/{number}"))


async def update_pull_body(gh: GitHubAPI, repo: str, number: int, body: str) -> Pull:
    """Replace the pull request's description (the caller read it just before)."""
    return Pull.from_json(await gh.patch(f"/repos/{repo}/pulls/{number}", data={"body": body}))


async def pull_body(gh: GitHubAPI, repo: str, number: int) -> str:
    """The pull request's description as it is now ("" when it has none)."""
    data = await gh.getitem(f"/repos/{repo}/pulls/{number}")
    body = data.get("body") if isinstance(data, dict) else None
    return body if isinstance(body, str) else ""


async def list_pull_files(gh: GitHubAPI, repo: str, number: int) -> list[dict[str, Any]]:
    """Every file of the pull request (paginated; GitHub caps the list at 3,000)."""
    return [
        f
        async for f in gh.getiter(
            f"/repos/{repo}/pulls/{number}/files{{?per_page}}", {"per_page": 100}
        )
    ]


async def list_pull_commits(gh: GitHubAPI, repo: str, number: int) -> list[dict[str, Any]]:
    """The pull request's commits, oldest first (GitHub lists at most 250)."""
    return [
        c
        async for c in gh.getiter(
            f"/repos/{repo}/pulls/{number}/commits{{?per_page}}", {"per_page": 100}
        )
    ]


async def list_reviews(gh: GitHubAPI, repo: str, number: int) -> list[dict[str, Any]]:
    """The pull request's reviews, oldest first."""
    return [
        r
        async for r in gh.getiter(
            f"/repos/{repo}/pulls/{number}/reviews{{?per_page}}", {"per_page": 100}
        )
    ]


async def commit_files(gh: GitHubAPI, repo: str, sha: str) -> list[str]:
    """The paths one commit changed (GitHub lists at most 300 per page; the first page
    is enough to tell whether an RFC file is among them for an RFC pull request)."""
    commit = await gh.getitem(f"/repos/{repo}/commits/{sha}")
    return [str(f.get("filename")) for f in commit.get("files") or [] if isinstance(f, dict)]
