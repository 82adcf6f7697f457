"""Who may approve: a repository's collaborators by permission and affiliation, and a
team's active members by role, from the same state as the single-user answers."""

from __future__ import annotations

import pytest

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

COLLABORATORS = "/repos/octo-org/rfcs/collaborators"
EDITORS = "/orgs/octo-org/teams/rfc-editors"


def give(sim: Simulator, repo: Repo) -> None:
    for login, level in (
        ("Reader", "read"),
        ("trina", "triage"),
        ("Wendy", "write"),
        ("mona", "maintain"),
        ("ada", "admin"),
    ):
        sim.set_permission(repo, login, level)


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (None, ["Reader", "trina", "Wendy", "mona", "ada"]),
        ("pull", ["Reader", "trina", "Wendy", "mona", "ada"]),
        ("triage", ["trina", "Wendy", "mona", "ada"]),
        ("push", ["Wendy", "mona", "ada"]),
        ("maintain", ["mona", "ada"]),
        ("admin", ["ada"]),
    ],
)
async def test_the_permission_filter_answers_at_least_that_permission(
    sim: Simulator, repo: Repo, api: Api, permission: str | None, expected: list[str]
) -> None:
    give(sim, repo)
    query = f"?permission={permission}" if permission else ""
    answer = await api.get(COLLABORATORS + query)
    assert answer.status == 200
    assert [user["login"] for user in answer.body] == expected
    assert sim.violations == []


async def test_a_collaborator_has_flags_and_role_name_agreeing_with_the_single_answer(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    give(sim, repo)
    listed = {user["login"]: user for user in (await api.get(COLLABORATORS)).body}
    for login, user in listed.items():
        single = (await api.get(f"{COLLABORATORS}/{login}/permission")).body
        assert user["role_name"] == single["role_name"]
        assert user["permissions"] == single["user"]["permissions"]
        assert user["id"] == single["user"]["id"] and user["type"] == "User"
    assert listed["mona"]["permissions"] == {
        "admin": False,
        "maintain": True,
        "push": True,
        "triage": True,
        "pull": True,
    }
    assert listed["Reader"]["role_name"] == "read"


async def test_permission_changes_and_removals_show_at_once(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    give(sim, repo)
    sim.set_permission(repo, "wendy", "read")  # demoted: no longer pushes
    sim.remove_permission(repo, "ada")
    pushers = await api.get(COLLABORATORS + "?permission=push")
    assert [user["login"] for user in pushers.body] == ["mona"]
    assert (await api.get(f"{COLLABORATORS}/ada/permission")).body["role_name"] == "read"


async def test_collaborators_come_in_pages(sim: Simulator, repo: Repo, api: Api) -> None:
    for index in range(5):
        sim.set_permission(repo, f"user{index}", "write")
    first = await api.get(COLLABORATORS + "?permission=push&per_page=2")
    assert [user["login"] for user in first.body] == ["user0", "user1"]
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    last = await api.get(COLLABORATORS + "?permission=push&per_page=2&page=3")
    assert [user["login"] for user in last.body] == ["user4"]
    assert 'rel="next"' not in last.headers["Link"]


async def test_outside_collaborators_are_those_in_no_team_of_the_org(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    give(sim, repo)
    sim.add_team_member("octo-org", "rfc-editors", "mona")
    sim.add_team_member("octo-org", "docs", "ada")
    sim.add_team_member("other-org", "x", "wendy")  # another org's member is still outside
    sim.add_team_member("octo-org", "docs", "trina", state="pending")  # not a member yet
    outside = await api.get(COLLABORATORS + "?affiliation=outside&permission=triage")
    assert [user["login"] for user in outside.body] == ["trina", "Wendy"]
    for affiliation in ("direct", "all"):
        every = await api.get(f"{COLLABORATORS}?affiliation={affiliation}")
        assert len(every.body) == 5
    assert sim.violations == []


async def test_a_users_repository_has_no_members_so_all_are_outside(
    sim: Simulator, api: Api
) -> None:
    personal = sim.create_repo("someone/notes", owner_type="User")
    sim.set_permission(personal, "pal", "write")
    answer = await api.get("/repos/someone/notes/collaborators?affiliation=outside")
    assert [user["login"] for user in answer.body] == ["pal"]


async def test_hostile_filters_and_unknown_repositories(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    give(sim, repo)
    wrong = await api.get(COLLABORATORS + "?permission=write")  # a role name, not a filter
    assert wrong.status == 422 and wrong.message == "Validation Failed"
    assert any("permission" in violation for violation in sim.violations)
    sim.violations.clear()
    assert (await api.get(COLLABORATORS + "?affiliation=everyone")).status == 422
    sim.violations.clear()
    assert (await api.get("/repos/octo-org/nope/collaborators")).status == 404
    assert sim.violations == []


async def test_team_members_are_the_active_ones_by_role(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.add_team_member("octo-org", "rfc-editors", "Mona")
    sim.add_team_member("octo-org", "RFC-Editors", "lead", role="maintainer")
    sim.add_team_member("octo-org", "rfc-editors", "invitee", state="pending")
    every = await api.get(f"{EDITORS}/members")
    assert every.status == 200
    assert [user["login"] for user in every.body] == ["Mona", "lead"]
    assert every.body[0]["type"] == "User" and isinstance(every.body[0]["id"], int)
    members = await api.get(f"{EDITORS}/members?role=member")
    assert [user["login"] for user in members.body] == ["Mona"]
    maintainers = await api.get(f"{EDITORS}/members?role=maintainer")
    assert [user["login"] for user in maintainers.body] == ["lead"]
    assert sim.violations == []


async def test_team_membership_answers_role_and_pending_state(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.add_team_member("octo-org", "rfc-editors", "lead", role="maintainer")
    sim.add_team_member("octo-org", "rfc-editors", "invitee", state="pending")
    lead = (await api.get(f"{EDITORS}/memberships/LEAD")).body
    assert (lead["role"], lead["state"]) == ("maintainer", "active")
    invitee = (await api.get(f"{EDITORS}/memberships/invitee")).body
    assert invitee["state"] == "pending"
    sim.add_team_member("octo-org", "rfc-editors", "invitee")  # accepts the invitation
    assert (await api.get(f"{EDITORS}/memberships/invitee")).body["state"] == "active"
    sim.remove_team_member("octo-org", "rfc-editors", "lead")
    assert (await api.get(f"{EDITORS}/memberships/lead")).status == 404
    listed = await api.get(f"{EDITORS}/members")
    assert [user["login"] for user in listed.body] == ["invitee"]


async def test_team_members_come_in_pages_and_unknown_teams_are_404(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    for index in range(3):
        sim.add_team_member("octo-org", "rfc-editors", f"m{index}")
    page = await api.get(f"{EDITORS}/members?per_page=2&page=2")
    assert [user["login"] for user in page.body] == ["m2"]
    assert (await api.get("/orgs/octo-org/teams/ghosts/members")).status == 404
    assert (await api.get(f"{EDITORS}/members?role=owner")).status == 422
    assert any("role" in violation for violation in sim.violations)


def test_bad_team_roles_and_states_are_refused(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="role"):
        sim.add_team_member("octo-org", "t", "x", role="owner")
    with pytest.raises(ValueError, match="state"):
        sim.add_team_member("octo-org", "t", "x", state="invited")
