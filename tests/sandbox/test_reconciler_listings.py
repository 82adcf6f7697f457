"""What a reconciler sweeps: the App's installations (JWT), an installation's
repositories (token), pull requests by update time, a repository's comments since a time,
and a pull request's reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import app_jwt
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_installations_need_the_jwt_and_come_in_pages(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_repo("someone/notes", owner_type="User")
    sim.create_repo("third-org/x")
    jwt = f"Bearer {app_jwt(sim)}"
    first = await api.get("/app/installations?per_page=2", auth=jwt)
    assert first.status == 200
    assert [i["account"]["login"] for i in first.body] == ["octo-org", "someone"]
    assert first.body[0]["id"] == repo.installation_id
    assert first.body[0]["app_id"] == 4242 and first.body[0]["target_type"] == "Organization"
    assert first.body[1]["account"]["type"] == "User"
    assert 'rel="next"' in first.headers["Link"]
    second = await api.get("/app/installations?per_page=2&page=2", auth=jwt)
    assert [i["account"]["login"] for i in second.body] == ["third-org"]
    refused = await api.get("/app/installations")  # an installation token is not a JWT
    assert refused.status == 401


async def test_installations_since(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.clock.advance(60)
    later = sim.clock.now()
    sim.create_repo("late/comer")
    since = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = await api.get(f"/app/installations?since={since}", auth=f"Bearer {app_jwt(sim)}")
    assert [i["account"]["login"] for i in answer.body] == ["late"]


async def test_installation_repositories_need_a_token(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.create_repo("octo-org/another")
    sim.create_repo("someone/else")  # another installation: not listed
    answer = await api.get("/installation/repositories?per_page=1")
    assert answer.status == 200
    assert answer.body["total_count"] == 2
    assert answer.body["repository_selection"] == "all"
    assert [r["full_name"] for r in answer.body["repositories"]] == ["octo-org/another"]
    nxt = await api.get("/installation/repositories?per_page=1&page=2")
    assert [r["full_name"] for r in nxt.body["repositories"]] == ["octo-org/rfcs"]
    with_jwt = await api.get("/installation/repositories", auth=f"Bearer {app_jwt(sim)}")
    assert with_jwt.status == 401


async def test_pulls_by_state_sorted_by_update(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.clock.freeze()
    one = sim.open_pull_request(repo, "rfc/1", {"rfcs/1.md": "1"})
    sim.clock.advance(10)
    two = sim.open_pull_request(repo, "rfc/2", {"rfcs/2.md": "2"})
    sim.clock.advance(10)
    three = sim.open_pull_request(repo, "rfc/3", {"rfcs/3.md": "3"})
    sim.clock.advance(10)
    sim.add_comment(repo, one.number, "mona", "bump")  # one is now the latest updated
    sim.clock.advance(10)
    sim.merge_pull_request(repo, two.number)  # two: closed, updated last

    async def numbers(query: str) -> list[int]:
        answer = await api.get(f"{REPO}/pulls?{query}")
        assert answer.status == 200
        return [p["number"] for p in answer.body]

    assert await numbers("state=open") == [three.number, one.number]  # created, desc
    assert await numbers("state=open&sort=updated&direction=desc") == [one.number, three.number]
    assert await numbers("state=open&sort=updated") == [three.number, one.number]  # asc
    assert await numbers("state=closed") == [two.number]
    assert await numbers("state=all&sort=updated&direction=desc") == [
        two.number,
        one.number,
        three.number,
    ]
    assert await numbers("state=all&sort=updated&direction=desc&per_page=1&page=2") == [one.number]
    assert await numbers("state=all&sort=popularity&direction=desc") == [
        one.number,
        three.number,
        two.number,
    ]
    listed = (await api.get(f"{REPO}/pulls?state=all&sort=updated&direction=desc")).body
    assert listed[0]["updated_at"] == listed[0]["merged_at"]


async def test_a_push_or_a_label_updates_a_pull(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.clock.freeze()
    one = sim.open_pull_request(repo, "rfc/1", {"rfcs/1.md": "1"})
    two = sim.open_pull_request(repo, "rfc/2", {"rfcs/2.md": "2"})
    sim.clock.advance(30)
    sim.commit(repo, "rfc/1", {"rfcs/1.md": "1b"})
    order = await api.get(f"{REPO}/pulls?sort=updated&direction=desc")
    assert [p["number"] for p in order.body] == [one.number, two.number]
    sim.clock.advance(30)
    await api("POST", f"{REPO}/issues/{two.number}/labels", {"labels": ["rfc: draft"]})
    order = await api.get(f"{REPO}/pulls?sort=updated&direction=desc")
    assert [p["number"] for p in order.body] == [two.number, one.number]


async def test_long_running_pulls(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.clock.freeze()
    old = sim.open_pull_request(repo, "rfc/old", {"rfcs/old.md": "x"})
    stale = sim.open_pull_request(repo, "rfc/stale", {"rfcs/stale.md": "x"})
    sim.clock.advance(timedelta(days=40))
    sim.open_pull_request(repo, "rfc/new", {"rfcs/new.md": "x"})
    sim.add_comment(repo, old.number, "mona", "still alive")
    fresh = await api(
        "POST",
        f"/app/installations/{repo.installation_id}/access_tokens",
        auth=f"Bearer {app_jwt(sim)}",
    )
    answer = await api.get(f"{REPO}/pulls?sort=long-running", auth=f"token {fresh.body['token']}")
    assert [p["number"] for p in answer.body] == [old.number]
    assert stale.number != old.number


async def test_repository_comments_since_and_sorted(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.clock.freeze()
    one = sim.open_pull_request(repo, "rfc/1", {"rfcs/1.md": "1"})
    two = sim.open_pull_request(repo, "rfc/2", {"rfcs/2.md": "2"})
    a = sim.add_comment(repo, one.number, "mona", "/rfc check")
    sim.clock.advance(60)
    middle = sim.clock.now()
    b = sim.add_comment(repo, two.number, "eve", "/rfc status final")
    sim.clock.advance(60)
    sim.edit_comment(repo, a["id"], "/rfc check, edited")

    async def ids(query: str) -> list[int]:
        answer = await api.get(f"{REPO}/issues/comments?{query}")
        assert answer.status == 200
        return [c["id"] for c in answer.body]

    assert await ids("") == [a["id"], b["id"]]  # ascending id by default
    assert await ids("sort=created&direction=desc") == [b["id"], a["id"]]
    assert await ids("sort=updated&direction=desc") == [a["id"], b["id"]]
    assert await ids("sort=updated&direction=asc") == [b["id"], a["id"]]
    since = middle.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await ids(f"since={since}") == [a["id"], b["id"]]  # a was edited after
    later = (middle + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await ids(f"since={later}") == [a["id"]]
    per_issue = await api.get(f"{REPO}/issues/{one.number}/comments?since={later}")
    assert [c["id"] for c in per_issue.body] == [a["id"]]
    body = (await api.get(f"{REPO}/issues/comments")).body[1]
    assert body["issue_url"].endswith(f"/issues/{two.number}")


async def test_reviews_approved_and_changes_requested(sim: Simulator, repo: Repo, api: Api) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"}, author="alice")
    approved = sim.submit_review(repo, pull.number, "mona", "APPROVED")
    head = sim.commit(repo, "rfc/x", {"rfcs/x.md": "y"})
    blocked = sim.submit_review(repo, pull.number, "erin", "CHANGES_REQUESTED", "Not yet.")
    answer = await api.get(f"{REPO}/pulls/{pull.number}/reviews")
    assert answer.status == 200
    assert [(r["id"], r["user"]["login"], r["state"]) for r in answer.body] == [
        (approved.id, "mona", "APPROVED"),
        (blocked.id, "erin", "CHANGES_REQUESTED"),
    ]
    assert answer.body[1]["commit_id"] == head
    assert answer.body[1]["body"] == "Not yet."
    assert answer.body[0]["commit_id"] != head  # reviewed the earlier head
    assert answer.body[0]["submitted_at"] is not None
    assert (await api.get(f"{REPO}/pulls/99/reviews")).status == 404


def test_review_refusals(sim: Simulator, repo: Repo) -> None:
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"}, author="alice")
    with pytest.raises(ValueError, match="state must be one of"):
        sim.submit_review(repo, pull.number, "mona", "LGTM")
    with pytest.raises(ValueError, match="needs a body"):
        sim.submit_review(repo, pull.number, "mona", "CHANGES_REQUESTED")
    with pytest.raises(ValueError, match="own PR"):
        sim.submit_review(repo, pull.number, "Alice", "APPROVED")
    assert sim.submit_review(repo, pull.number, "alice", "COMMENTED", "a note").state == (
        "COMMENTED"
    )
