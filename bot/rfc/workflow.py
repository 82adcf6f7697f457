"""The status workflow as a graph: who may make each move, and what a change may reach.

Pure. Used by the change rules (a status changed by hand must be a move the pull request's
author may make, or one the App proved it made) and by the permission policy of ``/rfc``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from bot.rfc.config.fields import Config

AUTHOR = "author"
MAINTAINERS = "maintainers"

Move = tuple[str, str]  # (from status, to status), spelled as the config spells them


def who_may(current: str, target: str, config: Config) -> tuple[str, ...]:
    """The roles allowed to perform a transition (keys match ignoring case and spacing)."""
    wanted = _transition_key(f"{current} -> {target}")
    for key, roles in config.permissions.items():
        if _transition_key(key) == wanted:
            return tuple(role.strip().lower() for role in roles)
    return (MAINTAINERS,)


def rfc_authors(
    base_authors: Iterable[str] | None, head_authors: Iterable[str], opener: str | None
) -> frozenset[str]:
    """The logins that count as an RFC's authors, lower-cased.

    An RFC that exists on the base branch keeps the authors written there: a pull request
    cannot make its opener, or anyone it adds to the Author(s) line, an author of someone
    else's RFC. Only a new RFC (``base_authors`` None) takes them from the pull request: its
    opener and its Author(s) line.
    """
    if base_authors is not None:
        return frozenset(login.lstrip("@").lower() for login in base_authors)
    logins = {login.lstrip("@").lower() for login in head_authors}
    if opener:
        logins.add(opener.lower())
    return frozenset(logins)


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the App knows about who changed a file's status in a pull request.

    ``opener`` is the pull request's author, the person answerable for its hand edits;
    ``proven`` the moves the App itself committed on authorised commands (proven by their
    signed trailers, see ``bot.policy.provenance``).
    """

    opener: str | None
    opener_is_maintainer: bool = False
    proven: frozenset[Move] = frozenset()

    def moves(self, config: Config, authors: frozenset[str]) -> frozenset[Move]:
        """Every workflow move this change may contain for an RFC with these authors."""
        roles = set()
        if self.opener and self.opener.lower() in authors:
            roles.add(AUTHOR)
        if self.opener_is_maintainer:
            roles.add(MAINTAINERS)
        # A move with a decision rule is never made by hand, whoever edits: only the App makes
        # it, after the decision completes (its proven moves).
        allowed = {
            (current, target)
            for current in config.statuses
            for target in config.allowed_next(current)
            if roles.intersection(who_may(current, target, config))
            and config.decision_rule(current, target) is None
        }
        return frozenset(allowed | self.proven)


def reachable(start: str, goal: str, moves: Iterable[Move]) -> bool:
    """Whether ``goal`` can be reached from ``start`` through ``moves`` (zero moves included)."""
    following: dict[str, list[str]] = {}
    for current, target in moves:
        following.setdefault(current, []).append(target)
    seen, queue = {start}, deque([start])
    while queue:
        status = queue.popleft()
        if status == goal:
            return True
        for target in following.get(status, ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return False


def _transition_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in key.split("->"))
