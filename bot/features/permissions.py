"""Who may move an RFC from one status to another: a pure decision, plus the few GitHub questions
it may need answered.

The config's ``permissions`` map ("From -> To" -> roles) names the roles allowed to perform each
transition; a transition it does not list is for maintainers only. Roles:

- ``author``: the pull request's author, or a login listed in the RFC's Author(s) line;
- ``maintainers``: users with write, maintain or admin permission on the repository, and the
  logins or ``org/team`` names listed in the config's ``maintainers``.

Cheap checks come first; GitHub is asked only when they did not settle the question.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from bot.github.calls import permission
from bot.rfc.config import Config

log = logging.getLogger(__name__)

AUTHOR = "author"
MAINTAINERS = "maintainers"
WRITE_PERMISSIONS = frozenset({"write", "maintain", "admin"})


@dataclass(frozen=True, slots=True)
class Roles:
    """What the actor is, as far as it was worth finding out."""

    author: bool = False
    maintainer: bool = False


@dataclass(frozen=True, slots=True)
class Allowed:
    current: str
    target: str


@dataclass(frozen=True, slots=True)
class Refused:
    """A refusal, with a markdown reason fit to show the user."""

    reason: str


Decision = Allowed | Refused


def canonical_status(status: str | None, config: Config) -> str | None:
    """The config's spelling of a status written in any case, or None when it is not one."""
    if status is None:
        return None
    return {known.lower(): known for known in config.statuses}.get(status.strip().lower())


def check_transition(current: str, target: str, config: Config) -> Refused | None:
    """A refusal when the workflow does not allow ``current -> target``, else None."""
    reachable = config.allowed_next(current)
    if target in reachable:
        return None
    if not reachable:
        return Refused(f"an RFC in **{current}** cannot change status any more.")
    choices = ", ".join(f"**{status}**" for status in reachable)
    return Refused(
        f"**{current} -> {target}** is not an allowed move; from **{current}** an RFC can "
        f"move to {choices}."
    )


def who_may(current: str, target: str, config: Config) -> tuple[str, ...]:
    """The roles allowed to perform a transition (keys match ignoring case and spacing)."""
    wanted = _transition_key(f"{current} -> {target}")
    for key, roles in config.permissions.items():
        if _transition_key(key) == wanted:
            return tuple(role.strip().lower() for role in roles)
    return (MAINTAINERS,)


def needs_maintainer_check(current: str, target: str, is_author: bool, config: Config) -> bool:
    """Whether GitHub must be asked about maintainership (being an author may already do)."""
    roles = who_may(current, target, config)
    return MAINTAINERS in roles and not (is_author and AUTHOR in roles)


def decide(actor: str, current: str, target: str, roles: Roles, config: Config) -> Decision:
    """May ``actor`` (with ``roles``) move an RFC from ``current`` to ``target``?"""
    forbidden = check_transition(current, target, config)
    if forbidden is not None:
        return forbidden
    allowed_roles = who_may(current, target, config)
    if (AUTHOR in allowed_roles and roles.author) or (
        MAINTAINERS in allowed_roles and roles.maintainer
    ):
        return Allowed(current, target)
    return Refused(
        f"**{current} -> {target}** may be done by {describe_roles(allowed_roles)}; "
        f"@{actor} is {_describe_actor(roles, allowed_roles)}."
    )


def describe_roles(roles: Iterable[str]) -> str:
    """Markdown naming who holds the given roles, for replies and the help text."""
    names = {
        AUTHOR: "the RFC's authors (the pull request's author or a login in **Author(s)**)",
        MAINTAINERS: "maintainers (write access to the repository, or listed in the config)",
    }
    parts = [names.get(role, f"`{role}`") for role in roles]
    return " or ".join(parts) if parts else "nobody"


def is_author(actor: str, pull_author: str | None, rfc_authors: Iterable[str]) -> bool:
    logins = {login.lstrip("@").lower() for login in rfc_authors}
    if pull_author:
        logins.add(pull_author.lower())
    return actor.lower() in logins


def listed_maintainer(actor: str, config: Config) -> bool:
    """The actor is named in the config's maintainers (teams need GitHub: see ``teams``)."""
    return actor.lower() in {entry.lower() for entry in config.maintainers if "/" not in entry}


def teams(config: Config) -> list[tuple[str, str]]:
    """(org, team slug) for every ``org/team`` entry of the config's maintainers."""
    pairs = (entry.split("/", 1) for entry in config.maintainers if "/" in entry)
    return [(org.strip(), team.strip()) for org, team in pairs if org.strip() and team.strip()]


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
    pull_author: str | None,
    rfc_authors: Iterable[str],
    config: Config,
) -> Roles:
    """The actor's roles for this transition, asking GitHub only when authorship won't do."""
    author = is_author(actor, pull_author, rfc_authors)
    if not needs_maintainer_check(current, target, author, config):
        return Roles(author=author)
    return Roles(author=author, maintainer=await is_maintainer(gh, repo, actor, config))


async def team_member(gh: GitHubAPI, org: str, team: str, user: str) -> bool:
    """Active membership of ``org/team``; a team the App may not see counts as no membership."""
    try:
        item: Mapping[str, Any] = await gh.getitem(f"/orgs/{org}/teams/{team}/memberships/{user}")
    except BadRequest as error:
        if error.status_code in (403, 404):
            if error.status_code == 403:
                log.warning("cannot read membership of %s/%s (App lacks members:read)", org, team)
            return False
        raise
    return item.get("state") == "active"


def _transition_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in key.split("->"))


def _describe_actor(roles: Roles, allowed_roles: tuple[str, ...]) -> str:
    """Why the actor falls short, naming only the roles that would have allowed it."""
    lacking = []
    if AUTHOR in allowed_roles:
        lacking.append("an author of this RFC")
    if MAINTAINERS in allowed_roles:
        lacking.append("a maintainer of this repository")
    if not lacking:
        return "not in any role allowed to do it"
    held = " (being an author is not enough here)" if roles.author and len(lacking) == 1 else ""
    if len(lacking) == 2:
        return f"neither {lacking[0]} nor {lacking[1]}"
    return f"not {lacking[0]}{held}"
