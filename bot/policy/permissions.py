"""Who may move an RFC from one status to another: a pure decision.

The config's ``permissions`` map ("From -> To" -> roles) names the roles allowed to perform each
transition; a transition it does not list is for maintainers only. Roles:

- ``author``: a login in the RFC's Author(s) line on the base branch; for a new RFC, the pull
  request's author or a login in its Author(s) line (``bot.rfc.workflow.rfc_authors``);
- ``maintainers``: users with write, maintain or admin permission on the repository, and the
  logins or ``org/team`` names listed in the config's ``maintainers``.

``needs_maintainer_check`` tells the caller whether GitHub must be asked about maintainership at
all (``bot.features.roles`` asks); cheap checks come first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.rfc.config.public import Config
from bot.rfc.workflow import AUTHOR, MAINTAINERS, who_may

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
        AUTHOR: "the RFC's authors (its **Author(s)** on the base branch; for a new RFC, also the "
        "pull request's author)",
        MAINTAINERS: "maintainers (write access to the repository, or listed in the config)",
    }
    parts = [names.get(role, f"`{role}`") for role in roles]
    return " or ".join(parts) if parts else "nobody"


def is_author(actor: str, authors: Iterable[str]) -> bool:
    return actor.lower() in {login.lower() for login in authors}


def listed_maintainer(actor: str, config: Config) -> bool:
    """The actor is named in the config's maintainers (teams need GitHub: see ``teams``)."""
    return actor.lower() in {entry.lower() for entry in config.maintainers if "/" not in entry}


def teams(config: Config) -> list[tuple[str, str]]:
    """(org, team slug) for every ``org/team`` entry of the config's maintainers."""
    pairs = (entry.split("/", 1) for entry in config.maintainers if "/" in entry)
    return [(org.strip(), team.strip()) for org, team in pairs if org.strip() and team.strip()]


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
