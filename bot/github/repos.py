"""Repository questions: the repository itself, its branches and who may do what."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

log = logging.getLogger(__name__)


async def get_repository(gh: GitHubAPI, repo: str) -> dict[str, Any]:
    """The repository ``owner/name`` (raw JSON: a ``Repository`` and more)."""
    return await gh.getitem(f"/repos/{repo}")


@dataclass(frozen=True, slots=True)
class BranchInfo:
    name: str
    sha: str
    protected: bool


async def get_branch(gh: GitHubAPI, repo: str, branch: str) -> BranchInfo:
    item = await gh.getitem(f"/repos/{repo}/branches/{quote(branch, safe='')}")
    return BranchInfo(str(item["name"]), str(item["commit"]["sha"]), bool(item.get("protected")))


async def permission(gh: GitHubAPI, repo: str, user: str) -> str:
    """The user's repository permission: admin, maintain, write, triage, read or none."""
    try:
        item = await gh.getitem(f"/repos/{repo}/collaborators/{quote(user, safe='')}/permission")
    except BadRequest as error:
        if error.status_code == 404:
            return "none"
        raise
    return item.get("role_name") or item.get("permission") or "none"


async def team_member(gh: GitHubAPI, org: str, team: str, user: str) -> bool:
    """Active membership of ``org/team``; a team the App may not see counts as no membership."""
    org_q, team_q, user_q = (quote(part, safe="") for part in (org, team, user))
    try:
        item = await gh.getitem(f"/orgs/{org_q}/teams/{team_q}/memberships/{user_q}")
    except BadRequest as error:
        if error.status_code in (403, 404):
            if error.status_code == 403:
                log.warning("cannot read membership of %s/%s (App lacks members:read)", org, team)
            return False
        raise
    return item.get("state") == "active"


async def collaborators_with_push(gh: GitHubAPI, repo: str) -> list[str]:
    """Logins with write (push), maintain or admin access to the repository."""
    return [
        str(user["login"])
        async for user in gh.getiter(
            f"/repos/{repo}/collaborators{{?permission,per_page}}",
            {"permission": "push", "per_page": 100},
        )
        if isinstance(user, dict) and user.get("login")
    ]


async def team_members(gh: GitHubAPI, org: str, team: str) -> list[str]:
    """Logins of the team's members; a team the App may not see has none."""
    org_q, team_q = quote(org, safe=""), quote(team, safe="")
    try:
        return [
            str(user["login"])
            async for user in gh.getiter(
                f"/orgs/{org_q}/teams/{team_q}/members{{?per_page}}", {"per_page": 100}
            )
            if isinstance(user, dict) and user.get("login")
        ]
    except BadRequest as error:
        if error.status_code in (403, 404):
            log.warning("cannot list members of %s/%s", org, team)
            return []
        raise
