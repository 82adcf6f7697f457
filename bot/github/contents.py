"""Reading and writing one file: ``/repos/{owner}/{repo}/contents/{path}``.

A config file is read with ``read_file``: a refusal is a value, and the read may be
conditional (``cache``), so an unchanged file costs a 304.

A write sends the blob sha of the version that was read, so GitHub refuses it when the file
changed in between (optimistic concurrency) instead of silently overwriting someone's push.
A write whose answer was lost may have been applied: the branch is read back (does the file
hold what we wrote?) before it is written again (``bot.github.once``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest, RateLimitExceeded
from gidgethub.abc import GitHubAPI

from bot.github.client import RateLimited
from bot.github.gitdata import list_commits
from bot.github.once import create_once


async def get_file(gh: GitHubAPI, repo: str, path: str, ref: str) -> bytes | None:
    """The file's bytes at ``ref``, or None when it does not exist there."""
    item = await get_file_item(gh, repo, path, ref)
    return None if item is None else base64.b64decode(item.get("content") or "")


async def get_file_item(gh: GitHubAPI, repo: str, path: str, ref: str) -> dict[str, Any] | None:
    """The contents API item (has ``sha`` and base64 ``content``), or None on 404."""
    try:
        item = await gh.getitem(f"/repos/{repo}/contents/{quote(path)}{{?ref}}", {"ref": ref})
    except BadRequest as error:
        if error.status_code == 404:
            return None
        raise
    return item if isinstance(item, dict) and item.get("type") == "file" else None


@dataclass(frozen=True, slots=True)
class FileRead:
    """A file GitHub served: its bytes and its blob sha (the same sha, the same bytes)."""

    content: bytes
    sha: str


@dataclass(frozen=True, slots=True)
class NotRead:
    """Why GitHub served no file: 404 (no such file, or a repository the token cannot see:
    GitHub does not tell them apart), 403, or a directory, or a file too large to serve."""

    status: int
    message: str


# gidgethub's conditional-request cache: URL -> (ETag, Last-Modified, body, next page).
ConditionalCache = MutableMapping[str, Any]


async def read_file(
    gh: GitHubAPI,
    repo: str,
    path: str,
    ref: str | None = None,
    *,
    cache: ConditionalCache | None = None,
) -> FileRead | NotRead:
    """The file at ``ref`` (default: the default branch); a refusal is a value, not an
    exception (a rate limit still raises: the file may well be there).

    With ``cache``, the request is conditional: gidgethub sends the ETag of the answer it
    kept and GitHub answers an unchanged file with a 304, free of the rate limit.
    """
    url = f"/repos/{repo}/contents/{quote(path)}" + ("{?ref}" if ref else "")
    client = gh if cache is None else _answering_from(gh, cache)
    try:
        item = await client.getitem(url, {"ref": ref} if ref else {})
    except (RateLimitExceeded, RateLimited):
        raise
    except BadRequest as error:
        if error.status_code in (403, 404):
            return NotRead(int(error.status_code), str(error) or "Not Found")
        raise
    if not isinstance(item, dict) or item.get("type") != "file":
        return NotRead(404, f"{path} is not a file")
    if item.get("encoding") != "base64":  # GitHub serves no content past 1 MB
        return NotRead(413, f"{path} is {item.get('size', 0):,} bytes, too large to serve")
    return FileRead(base64.b64decode(item.get("content") or ""), str(item.get("sha") or ""))


def _answering_from(gh: GitHubAPI, cache: ConditionalCache) -> GitHubAPI:
    """The same client (session, token, retries, deadline), its conditional requests made
    with ``cache``: gidgethub keeps that cache per client, and a delivery's client has none."""
    view = copy.copy(gh)
    view._cache = cache
    return view


class ContentConflict(Exception):
    """The file on the branch is no longer the version that was read (HTTP 409)."""


class WriteRefused(Exception):
    """GitHub refused the write: no permission, protected branch, unknown fork branch, ..."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(f"{status}: {message}")


async def put_file(
    gh: GitHubAPI,
    repo: str,
    path: str,
    content: bytes,
    *,
    sha: str,
    branch: str,
    message: str,
) -> dict[str, Any]:
    """Replace ``path`` on ``branch`` with ``content``; returns GitHub's answer (has "commit").

    Raises ContentConflict when ``sha`` is no longer the file's blob on the branch, and
    WriteRefused when GitHub does not let the App write there (403, 404 or 422).
    """
    body = {
        "message": message,
        "content": base64.b64encode(content).decode("ascii"),
        "sha": sha,
        "branch": branch,
    }
    url = f"/repos/{repo}/contents/{quote(path)}"

    async def written() -> dict[str, Any] | None:
        """The commit that wrote ``content`` there, if the branch holds it (a lost answer)."""
        item = await get_file_item(gh, repo, path, branch)
        if item is None or item.get("sha") != _blob_sha(content):
            return None
        [latest] = await list_commits(gh, repo, branch, path, limit=1)
        return {"commit": {"sha": latest["sha"]}, "content": item}

    try:
        return await create_once(
            gh, "/repos/{owner}/{repo}/contents/{path}", lambda: gh.put(url, data=body), written
        )
    except BadRequest as error:
        status = int(error.status_code)
        if status == 409:
            raise ContentConflict(str(error)) from error
        if status in (403, 404, 422):
            raise WriteRefused(status, str(error)) from error
        raise


def _blob_sha(content: bytes) -> str:
    """The sha git gives ``content`` (GitHub lists it as the file's ``sha``)."""
    header = f"blob {len(content)}\0".encode("ascii")
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()
