"""Git Data API calls: refs, commits, trees, blobs, and the fast-forward-only ref update.

The ref update with ``force: false`` is the lock of the numbering feature: GitHub moves the
branch only if our commit's parent is still its head, so concurrent writers cannot both win.
Its answer may be lost after GitHub moved the branch: the client sends it again (moving a
branch to where it already points is a fast-forward), and when no answer comes at all the
branch is read back, so the writer knows it won.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from bot.github.once import answer_lost
from bot.values import timestamp

BLOB_MODE = "100644"


class NotFastForward(Exception):
    """The branch moved since we read it: re-read and try again."""


class TreeTooLarge(RuntimeError):
    """GitHub truncated a recursive tree listing: the tree holds too many entries."""


class RefUpdateRefused(Exception):
    """GitHub refused to move the branch (branch protection, rulesets or missing permission)."""

    def __init__(self, branch: str, status: int, message: str) -> None:
        self.branch, self.status, self.message = branch, status, message
        super().__init__(f"update of {branch} refused ({status}): {message}")


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str
    mode: str
    type: str  # "blob", "tree" or "commit"
    sha: str


def _ref_path(repo: str, branch: str) -> str:
    return f"/repos/{repo}/git/refs/heads/{quote(branch, safe='/')}"


async def get_branch_head(gh: GitHubAPI, repo: str, branch: str) -> str:
    """The commit sha the branch points to."""
    ref = await gh.getitem(f"/repos/{repo}/git/ref/heads/{quote(branch, safe='/')}")
    return str(ref["object"]["sha"])


async def get_commit_tree(gh: GitHubAPI, repo: str, commit_sha: str) -> str:
    """The root tree sha of a commit."""
    commit = await gh.getitem(f"/repos/{repo}/git/commits/{commit_sha}")
    return str(commit["tree"]["sha"])


async def get_tree(
    gh: GitHubAPI, repo: str, tree_sha: str, *, recursive: bool = False
) -> list[TreeEntry]:
    """The tree's entries; paths are relative to that tree. Refuses truncated listings."""
    url = f"/repos/{repo}/git/trees/{tree_sha}"
    tree = await gh.getitem(url + "{?recursive}", {"recursive": "1"} if recursive else {})
    if tree.get("truncated"):
        raise TreeTooLarge(f"tree {tree_sha} of {repo} is too large to list in one request")
    return [
        TreeEntry(item["path"], item["mode"], item["type"], item["sha"]) for item in tree["tree"]
    ]


async def get_directory(
    gh: GitHubAPI, repo: str, root_tree_sha: str, directory: str
) -> list[TreeEntry] | None:
    """The direct entries of ``directory`` (full paths), walking one level at a time so a
    huge repository never hits the recursive listing's size cap; None if it doesn't exist."""
    tree_sha = root_tree_sha
    parts = [part for part in directory.strip("/").split("/") if part]
    for part in parts:
        entries = await get_tree(gh, repo, tree_sha)
        match = next((e for e in entries if e.path == part and e.type == "tree"), None)
        if match is None:
            return None
        tree_sha = match.sha
    prefix = "/".join(parts)
    return [
        TreeEntry(f"{prefix}/{e.path}" if prefix else e.path, e.mode, e.type, e.sha)
        for e in await get_tree(gh, repo, tree_sha)
    ]


async def get_subtree(
    gh: GitHubAPI, repo: str, root_tree_sha: str, directory: str
) -> list[TreeEntry]:
    """Every entry under ``directory``, its subfolders' included (full paths): the walk to it,
    then one recursive listing; [] when it does not exist. Raises TreeTooLarge."""
    parts = [part for part in directory.strip("/").split("/") if part]
    tree_sha = root_tree_sha
    for part in parts:
        match = next(
            (e for e in await get_tree(gh, repo, tree_sha) if e.path == part and e.type == "tree"),
            None,
        )
        if match is None:
            return []
        tree_sha = match.sha
    prefix = "/".join(parts)
    return [
        TreeEntry(f"{prefix}/{e.path}" if prefix else e.path, e.mode, e.type, e.sha)
        for e in await get_tree(gh, repo, tree_sha, recursive=True)
    ]


async def files_in(gh: GitHubAPI, repo: str, commit_sha: str, directory: str) -> frozenset[str]:
    """The paths of the files directly in ``directory`` at a commit (none if it is missing)."""
    listing = await get_directory(gh, repo, await get_commit_tree(gh, repo, commit_sha), directory)
    return frozenset(entry.path for entry in listing or [] if entry.type == "blob")


async def create_blob(gh: GitHubAPI, repo: str, content: bytes) -> str:
    """Store bytes exactly (base64, so line endings and encoding survive); returns the sha."""
    blob = await gh.post(
        f"/repos/{repo}/git/blobs",
        data={"content": base64.b64encode(content).decode("ascii"), "encoding": "base64"},
    )
    return str(blob["sha"])


async def create_tree(
    gh: GitHubAPI,
    repo: str,
    base_tree: str,
    changes: Mapping[str, str | None],
    modes: Mapping[str, str] | None = None,
) -> str:
    """A tree equal to ``base_tree`` with ``changes`` applied: path -> blob sha, or None to
    delete the path. ``modes`` keeps a file's mode (e.g. executable) when it is rewritten."""
    modes = modes or {}
    entries: list[dict[str, Any]] = [
        {"path": path, "mode": modes.get(path, BLOB_MODE), "type": "blob", "sha": sha}
        for path, sha in sorted(changes.items())
    ]
    tree = await gh.post(f"/repos/{repo}/git/trees", data={"base_tree": base_tree, "tree": entries})
    return str(tree["sha"])


async def create_commit(
    gh: GitHubAPI, repo: str, message: str, tree_sha: str, parents: Iterable[str]
) -> str:
    """A commit authored by the App itself (GitHub fills in author and committer)."""
    commit = await gh.post(
        f"/repos/{repo}/git/commits",
        data={"message": message, "tree": tree_sha, "parents": list(parents)},
    )
    return str(commit["sha"])


async def update_branch(gh: GitHubAPI, repo: str, branch: str, commit_sha: str) -> None:
    """Fast-forward ``branch`` to ``commit_sha``; never forces.

    Raises NotFastForward when the branch moved meanwhile, RefUpdateRefused when branch
    protection, a ruleset or the App's permissions forbid the update.
    """
    try:
        await gh.patch(_ref_path(repo, branch), data={"sha": commit_sha, "force": False})
    except BadRequest as error:
        message = str(error.args[0]) if error.args else str(error)
        status = int(error.status_code)
        if status == 422 and "fast forward" in message.lower():
            raise NotFastForward(message) from error
        if status in (403, 422):
            raise RefUpdateRefused(branch, status, message) from error
        raise
    except Exception as error:
        # Applied or not? The branch says: it points at our commit only if we moved it.
        if not answer_lost(error) or await get_branch_head(gh, repo, branch) != commit_sha:
            raise


async def create_ref(gh: GitHubAPI, repo: str, ref: str, sha: str) -> bool:
    """Create ``ref`` (``refs/...``) at ``sha``; False when it exists already (GitHub's 422
    "Reference already exists": creating a ref is atomic, so this is a claim)."""
    try:
        await gh.post(f"/repos/{repo}/git/refs", data={"ref": ref, "sha": sha})
    except BadRequest as error:
        message = str(error.args[0]) if error.args else str(error)
        if int(error.status_code) == 422 and "already exists" in message.lower():
            return False
        raise
    return True


async def ref_target(gh: GitHubAPI, repo: str, ref: str) -> str | None:
    """The commit ``ref`` (``refs/...``) points at; None when it does not exist."""
    try:
        found = await gh.getitem(f"/repos/{repo}/git/ref/{quote(ref.removeprefix('refs/'))}")
    except BadRequest as error:
        if int(error.status_code) == 404:
            return None
        raise
    return str(found["object"]["sha"])


async def commit_time(gh: GitHubAPI, repo: str, commit_sha: str) -> datetime | None:
    """When a commit was made (its committer's date, GitHub's clock)."""
    commit = await gh.getitem(f"/repos/{repo}/git/commits/{commit_sha}")
    return timestamp(commit.get("committer"), "date")


async def list_commits(
    gh: GitHubAPI, repo: str, sha: str, path: str, *, limit: int = 100
) -> list[dict[str, Any]]:
    """The most recent commits reachable from ``sha`` touching ``path`` (newest first)."""
    query = {"sha": sha, "per_page": str(min(limit, 100))}
    if path:
        query["path"] = path
    commits = await gh.getitem(f"/repos/{repo}/commits{{?sha,path,per_page}}", query)
    return list(commits)
