"""Issues that are not pull requests: created by the App with labels and assignees (an
unassignable one refused as GitHub refuses it), listed with their filters beside the pull
requests, updated; who can be assigned; reactions to an issue or pull request itself; a pull
request's body updated."""

from __future__ import annotations

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_an_issue_shares_the_numbers_and_is_the_apps(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    sim.set_permission(repo, "alice", "write")
    made = await api(
        "POST",
        f"{REPO}/issues",
        {"title": "Track X", "body": "b", "labels": ["tracking"], "assignees": ["alice"]},
    )
    assert made.status == 201
    assert made.body["number"] == pull.number + 1
    assert made.body["user"]["login"] == sim.bot_login
    assert made.body["performed_via_github_app"]["id"] == int(sim.app_id)
    assert [label["name"] for label in made.body["labels"]] == ["tracking"]
    assert sim.repo_labels(repo)["tracking"]["color"] == "ededed"  # made on the way
    assert [a["login"] for a in made.body["assignees"]] == ["alice"]
    assert made.body["html_url"].endswith(f"/octo-org/rfcs/issues/{pull.number + 1}")
    assert [issue["title"] for issue in sim.issues(repo)] == ["Track X"]
    assert sim.violations == []


async def test_an_assignee_who_cannot_be_assigned_refuses_the_whole_issue(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.set_permission(repo, "alice", "write")
    sim.set_permission(repo, "rita", "read")  # a reader outside the organisation's teams
    refused = await api(
        "POST", f"{REPO}/issues", {"title": "T", "assignees": ["alice", "rita", "ghost"]}
    )
    assert refused.status == 422 and refused.message == "Validation Failed"
    assert refused.body["errors"] == [
        {"value": "rita", "resource": "Issue", "field": "assignees", "code": "invalid"},
        {"value": "ghost", "resource": "Issue", "field": "assignees", "code": "invalid"},
    ]
    assert sim.issues(repo) == []


async def test_who_can_be_assigned(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.set_permission(repo, "alice", "write")
    sim.set_permission(repo, "rita", "read")
    sim.set_permission(repo, "tom", "triage")
    sim.add_team_member("octo-org", "readers", "tom")
    answers = {
        login: (await api.get(f"{REPO}/assignees/{login}")).status
        for login in ("alice", "rita", "tom", "ghost")
    }
    assert answers == {"alice": 204, "rita": 404, "tom": 204, "ghost": 404}


async def test_the_listing_filters_and_holds_pull_requests(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    first = await api("POST", f"{REPO}/issues", {"title": "one", "labels": ["tracking"]})
    second = await api("POST", f"{REPO}/issues", {"title": "two", "labels": ["other"]})
    await api("PATCH", f"{REPO}/issues/{first.body['number']}", {"state": "closed"})

    everything = await api.get(f"{REPO}/issues?state=all")
    assert [i["number"] for i in everything.body] == [
        second.body["number"],
        first.body["number"],
        pull.number,
    ]
    assert "pull_request" in everything.body[-1]
    open_only = await api.get(f"{REPO}/issues")
    assert [i["number"] for i in open_only.body] == [second.body["number"], pull.number]
    tracked = await api.get(f"{REPO}/issues?state=all&labels=Tracking&creator=rfc-bot[bot]")
    assert [i["title"] for i in tracked.body] == ["one"]
    assert tracked.body[0]["state"] == "closed" and tracked.body[0]["state_reason"] == "completed"
    oldest_first = await api.get(f"{REPO}/issues?state=all&direction=asc")
    assert oldest_first.body[0]["number"] == pull.number
    assert sim.violations == []


async def test_an_issue_is_updated(sim: Simulator, repo: Repo, api: Api) -> None:
    made = await api("POST", f"{REPO}/issues", {"title": "old", "body": "old body"})
    number = made.body["number"]
    updated = await api("PATCH", f"{REPO}/issues/{number}", {"title": "new", "body": "new body"})
    assert (updated.status, updated.body["title"], updated.body["body"]) == (
        200,
        "new",
        "new body",
    )
    missing = await api("PATCH", f"{REPO}/issues/{number + 50}", {"title": "x"})
    assert missing.status == 404


async def test_a_pull_requests_body_is_updated(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}, body="before")
    updated = await api("PATCH", f"{REPO}/pulls/{pull.number}", {"body": "after"})
    assert (updated.status, updated.body["body"]) == (200, "after")
    sim.edit_pull_body(repo, pull.number, "by the author")
    assert (await api.get(f"{REPO}/pulls/{pull.number}")).body["body"] == "by the author"
    sim.merge_pull_request(repo, pull.number)
    reopen = await api("PATCH", f"{REPO}/pulls/{pull.number}", {"state": "open"})
    assert reopen.status == 422
    assert sim.violations == []


async def test_a_ref_outside_branches_is_made_once(sim: Simulator, repo: Repo, api: Api) -> None:
    head = sim.head(repo, "main")
    made = await api("POST", f"{REPO}/git/refs", {"ref": "refs/rfc-bot/claims/7", "sha": head})
    again = await api("POST", f"{REPO}/git/refs", {"ref": "refs/rfc-bot/claims/7", "sha": head})
    assert (made.status, again.status, again.message) == (201, 422, "Reference already exists")
    read = await api.get(f"{REPO}/git/ref/rfc-bot/claims/7")
    assert (read.body["ref"], read.body["object"]["sha"]) == ("refs/rfc-bot/claims/7", head)
    assert "rfc-bot/claims/7" not in repo.branches
    bad = await api("POST", f"{REPO}/git/refs", {"ref": "refs/x", "sha": head})
    missing = await api("POST", f"{REPO}/git/refs", {"ref": "refs/a/b", "sha": "0" * 40})
    assert (bad.status, missing.status, missing.message) == (422, 422, "Object does not exist")
    branch = await api("POST", f"{REPO}/git/refs", {"ref": "refs/heads/topic", "sha": head})
    assert branch.status == 201 and repo.branches["topic"] == head
    assert sim.violations == []
