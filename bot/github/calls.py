"""Typed GitHub REST calls used by the features. Every handler's I/O goes through here.

All functions take a gidgethub ``GitHubAPI`` (in production the retrying client of
``bot.github.client``) and plain values; they return plain values.
"""

from __future__ import annotations

import base64
from typing import Any

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI


async def get_file(gh: GitHubAPI, repo: str, path: str, ref: str) -> bytes | None:
    """The file's bytes at ``ref``, or None when it does not exist there."""
    item = await get_file_item(gh, repo, path, ref)
    return None if item is None else base64.b64decode(item["content"])


async def get_file_item(gh: GitHubAPI, repo: str, path: str, ref: str) -> dict[str, Any] | None:
    """The contents API item (has ``sha`` and base64 ``content``), or None on 404."""
    try:
        item = await gh.getitem(f"/repos/{repo}/contents/{path}{{?ref}}", {"ref": ref})
    except BadRequest as error:
        if error.status_code == 404:
            return None
        raise
    return item if isinstance(item, dict) and item.get("type") == "file" else None


async def list_pull_files(gh: GitHubAPI, repo: str, number: int) -> list[dict[str, Any]]:
    """Every file of the pull request (paginated; GitHub caps the list at 3000)."""
    return [
        f
        async for f in gh.getiter(
            f"/repos/{repo}/pulls/{number}/files{{?per_page}}", {"per_page": 100}
        )
    ]


async def comment(gh: GitHubAPI, repo: str, number: int, body: str) -> dict[str, Any]:
    return await gh.post(f"/repos/{repo}/issues/{number}/comments", data={"body": body})


async def react(gh: GitHubAPI, repo: str, comment_id: int, content: str = "+1") -> None:
    await gh.post(
        f"/repos/{repo}/issues/comments/{comment_id}/reactions", data={"content": content}
    )


async def permission(gh: GitHubAPI, repo: str, user: str) -> str:
    """The user's repository permission: admin, maintain, write, triage, read or none."""
    try:
        item = await gh.getitem(f"/repos/{repo}/collaborators/{user}/permission")
    except BadRequest as error:
        if error.status_code == 404:
            return "none"
        raise
    return item.get("role_name") or item.get("permission") or "none"
