"""The GitHub questions behind a permission decision (``bot.policy.permissions`` decides)."""

from __future__ import annotations

from collections.abc import Iterable

from gidgethub.abc import GitHubAPI

from bot.github.repos import permission, team_member
from bot.policy.permissions import (
    WRITE_PERMISSIONS,
    Roles,
    is_author,
    listed_maintainer,
    needs_maintainer_check,
    teams,
)
from bot.rfc.config.public import Config


async def is_maintainer(gh: GitHubAPI, repo: str, actor: str, config: Config) -> bool:
    """Listed in the config, or write access to the repository, or in a listed team."""
    if listed_maintainer(actor, config):
        return True
    if await permission(gh, repo, actor) in WRITE_PERMISSIONS:
        return True
    for org, team in teams(config):
        if await team_member(gh, org, team, actor):
            return True
    return False


async def actor_roles(
    gh: GitHubAPI,
    repo: str,
    actor: str,
    *,
    current: str,
    target: str,
    authors: Iterable[str],
    config: Config,
) -> Roles:
    """The actor's roles for this transition, asking GitHub only when authorship won't do."""
    author = is_author(actor, authors)
    if not needs_maintainer_check(current, target, author, config):
        return Roles(author=author)
    return Roles(author=author, maintainer=await is_maintainer(gh, repo, actor, config))
