"""The simulator's roster routes: who may approve (a repository's collaborators, a team's
members), from the same state as the single-user permission and membership answers.

Registered into :data:`sim_routes.HANDLERS` on import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import sim_render as render
from sandbox.sim_routes import (
    Call,
    Reply,
    handles,
    paginate,
    permission_flags,
    repo_of,
    validation_failed,
)
from sandbox.sim_state import not_found

if TYPE_CHECKING:
    from sandbox.simulator import Simulator

# The ``permission`` filter's names -> the flag each collaborator's ``permissions`` carries.
PERMISSION_FILTERS = ("pull", "triage", "push", "maintain", "admin")
AFFILIATIONS = ("outside", "direct", "all")
TEAM_ROLE_FILTERS = ("member", "maintainer", "all")


def query_choice(
    call: Call, name: str, choices: tuple[str, ...], default: str | None
) -> str | None:
    """The query parameter ``name`` if it is one of ``choices``; an unknown value is 422
    (chosen: GitHub documents the enum, not its answer to a value outside it)."""
    value = call.query.get(name, default)
    if value is not None and value not in choices:
        raise validation_failed("Query", name, "invalid")
    return value


@handles("repos/list-collaborators")
def list_collaborators(sim: Simulator, call: Call) -> Reply:
    repo = repo_of(sim, call)
    wanted = query_choice(call, "permission", PERMISSION_FILTERS, None)
    affiliation = query_choice(call, "affiliation", AFFILIATIONS, "all")
    members = org_members(sim, repo.owner) if repo.owner_type == "Organization" else set()
    collaborators = [
        collaborator_json(sim, login, role)
        for login, role in repo.permissions.items()  # in the order they were given access
        if role != "none"
        and (wanted is None or permission_flags(role)[wanted])
        and (affiliation != "outside" or login not in members)
    ]
    return paginate(call, collaborators)


def org_members(sim: Simulator, org: str) -> set[str]:
    """The organisation's members, as far as the simulator knows them: every active member
    of one of its teams (it models no other organisation membership)."""
    return {
        login
        for (team_org, _), members in sim.teams.items()
        if team_org == org.lower()
        for login, membership in members.items()
        if membership.state == "active"
    }


def collaborator_json(sim: Simulator, login: str, role: str) -> dict[str, Any]:
    return {
        **render.user_json(sim.login_of(login)),
        "permissions": permission_flags(role),
        "role_name": role,
    }


@handles("teams/list-members-in-org")
def list_team_members(sim: Simulator, call: Call) -> Reply:
    org, team = call.params["org"].lower(), call.params["team_slug"].lower()
    role = query_choice(call, "role", TEAM_ROLE_FILTERS, "all")
    members = sim.teams.get((org, team))
    if members is None:
        raise not_found()
    return paginate(
        call,
        [
            render.user_json(membership.login)
            for membership in members.values()  # in the order they joined
            if membership.state == "active" and role in ("all", membership.role)
        ],
    )
