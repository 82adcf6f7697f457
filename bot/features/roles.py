"""The GitHub questions behind a permission decision (``bot.policy.permissions`` decides), and
behind a decision's roster (``bot.policy.decisions.eligibility``)."""

from __future__ import annotations

from collections.abc import Iterable

from cachetools import TTLCache
from gidgethub.abc import GitHubAPI

from bot.features.context import Context
from bot.github.repos import collaborators_with_push, permission, team_member, team_members
from bot.policy.decisions.eligibility import Roster
from bot.policy.permissions import (
    WRITE_PERMISSIONS,
    Roles,
    is_author,
    listed_maintainer,
    needs_maintainer_check,
    teams,
)
from bot.rfc.config.public import MAINTAINERS_GROUP, Config, DecisionRule

# A decision's roster (who may approve) is asked of GitHub again after this long.
ROSTER_SECONDS = 300
RosterKey = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


class RosterCache(TTLCache[RosterKey, Roster]):
    """(repository, approvers, resolvers, maintainers config) -> the roster resolved then."""

    def __init__(self) -> None:
        super().__init__(maxsize=1024, ttl=ROSTER_SECONDS)


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


async def roster_for(
    gh: GitHubAPI, repo: str, rule: DecisionRule, config: Config, ctx: Context
) -> Roster:
    """The rule's approvers, its resolvers and the maintainers, resolved now (cached a few
    minutes)."""
    key = (repo, rule.approvers, rule.resolvers, config.maintainers)
    rosters = ctx.caches.of(RosterCache)
    cached = rosters.get(key)
    if cached is not None:
        return cached
    maintainers = await _maintainers(gh, repo, config)
    approvers = await _members(gh, rule.approvers, maintainers)
    # The default (maintainers alone) stays None, so refusals say "a maintainer".
    default = rule.resolvers == (MAINTAINERS_GROUP,)
    resolvers = None if default else await _members(gh, rule.resolvers, maintainers)
    roster = Roster.of(approvers, maintainers, resolvers)
    rosters[key] = roster
    return roster


async def _members(gh: GitHubAPI, entries: Iterable[str], maintainers: set[str]) -> set[str]:
    """The logins a config list names: ``maintainers``, org/team names and logins."""
    logins: set[str] = set()
    for entry in entries:
        if entry == MAINTAINERS_GROUP:
            logins |= maintainers
        elif "/" in entry:
            org, _, team = entry.partition("/")
            logins |= {login.lower() for login in await team_members(gh, org, team)}
        else:
            logins.add(entry.lstrip("@").lower())
    return logins


async def _maintainers(gh: GitHubAPI, repo: str, config: Config) -> set[str]:
    logins = {login.lower() for login in await collaborators_with_push(gh, repo)}
    logins |= {entry.lower() for entry in config.maintainers if "/" not in entry}
    for org, team in teams(config):
        logins |= {login.lower() for login in await team_members(gh, org, team)}
    return logins
