"""REST routes of who may do what: a user's permission on a repository, a team membership,
and the rosters (a repository's collaborators, a team's members) from the same state."""

from __future__ import annotations

from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, paginate, repo_of, validation_failed
from sandbox.sim_state import PERMISSION_LEVELS, not_found

# The ``permission`` filter's names -> the flag each collaborator's ``permissions`` carries.
PERMISSION_FILTERS = ("pull", "triage", "push", "maintain", "admin")
AFFILIATIONS = ("outside", "direct", "all")
TEAM_ROLE_FILTERS = ("member", "maintainer", "all")


def get_permission(sim: GitHub, call: Call) -> Reply:
    repo = repo_of(sim, call)
    user = call.params["username"]
    role = repo.permission_of(user)
    # The legacy "permission" field folds maintain into write and triage into read.
    legacy = {"maintain": "write", "triage": "read"}.get(role, role)
    return Reply(
        200,
        {
            "permission": legacy,
            "role_name": role,
            "user": {**render.user_json(user), "permissions": permission_flags(role)},
        },
    )


def permission_flags(role: str) -> dict[str, bool]:
    rank = PERMISSION_LEVELS.index(role)
    return {
        "admin": rank >= 5,
        "maintain": rank >= 4,
        "push": rank >= 3,
        "triage": rank >= 2,
        "pull": rank >= 1,
    }


def get_team_membership(sim: GitHub, call: Call) -> Reply:
    org, team = call.params["org"].lower(), call.params["team_slug"].lower()
    membership = sim.teams.get((org, team), {}).get(call.params["username"].lower())
    if membership is None:
        raise not_found()
    return Reply(
        200,
        {
            "url": f"{call.base}/teams/{team}/memberships/{membership.login}",
            "role": membership.role,
            "state": membership.state,
        },
    )


def query_choice(
    call: Call, name: str, choices: tuple[str, ...], default: str | None
) -> str | None:
    """The query parameter ``name`` if it is one of ``choices``; an unknown value is 422
    (chosen: GitHub documents the enum, not its answer to a value outside it)."""
    value = call.query.get(name, default)
    if value is not None and value not in choices:
        raise validation_failed("Query", name, "invalid")
    return value


def list_collaborators(sim: GitHub, call: Call) -> Reply:
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


def org_members(sim: GitHub, org: str) -> set[str]:
    """The organisation's members, as far as the simulator knows them: every active member
    of one of its teams (it models no other organisation membership)."""
    return {
        login
        for (team_org, _), members in sim.teams.items()
        if team_org == org.lower()
        for login, membership in members.items()
        if membership.state == "active"
    }


def collaborator_json(sim: GitHub, login: str, role: str) -> dict[str, Any]:
    return {
        **render.user_json(sim.login_of(login)),
        "permissions": permission_flags(role),
        "role_name": role,
    }


def list_team_members(sim: GitHub, call: Call) -> Reply:
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
