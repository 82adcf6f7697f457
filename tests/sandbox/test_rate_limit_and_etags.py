"""Conditional requests (ETag, If-None-Match, 304) and the primary rate limit per
installation: 5,000 an hour shared by its repositories and tokens, a 304 free."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from sandbox.server.limits import etag, matches
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import app_jwt
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def test_get_carries_a_weak_etag_and_304s_when_it_matches(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    first = await api.get(f"{REPO}/pulls")
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and tag.endswith('"')
    again = await api.get(f"{REPO}/pulls", headers={"If-None-Match": tag})
    assert again.status == 304
    assert again.body is None
    assert again.headers["ETag"] == tag
    assert again.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    usage = sim.api_usage(repo)
    assert (usage.requests, usage.not_modified) == (1, 1)


async def test_a_change_gives_a_new_etag_and_a_full_answer(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    tag = (await api.get(f"{REPO}/pulls")).headers["ETag"]
    sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    changed = await api.get(f"{REPO}/pulls", headers={"If-None-Match": tag})
    assert changed.status == 200
    assert [p["number"] for p in changed.body] == [1]
    assert changed.headers["ETag"] != tag


async def test_a_push_to_a_pull_request_changes_the_list_etag(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    tag = (await api.get(f"{REPO}/pulls")).headers["ETag"]
    assert (await api.get(f"{REPO}/pulls", headers={"If-None-Match": tag})).status == 304
    sim.clock.advance(60)
    sim.commit(repo, "rfc/x", {"rfcs/0000-x.md": "# X, again\n"})
    assert (await api.get(f"{REPO}/pulls", headers={"If-None-Match": tag})).status == 200


async def test_pages_have_their_own_etags(sim: Simulator, repo: Repo, api: Api) -> None:
    for n in range(3):
        sim.open_pull_request(repo, f"rfc/{n}", {f"rfcs/{n}.md": "x"})
    one = await api.get(f"{REPO}/pulls?per_page=1&page=1")
    two = await api.get(f"{REPO}/pulls?per_page=1&page=2")
    assert one.headers["ETag"] != two.headers["ETag"]


async def test_writes_and_errors_carry_no_etag(sim: Simulator, repo: Repo, api: Api) -> None:
    missing = await api.get(f"{REPO}/pulls/99")
    assert missing.status == 404 and "ETag" not in missing.headers
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"})
    made = await api("POST", f"{REPO}/issues/{pull.number}/comments", {"body": "hi"})
    assert made.status == 201 and "ETag" not in made.headers


def test_etag_comparison_is_weak_and_accepts_lists_and_star() -> None:
    tag = etag({"a": 1}, None)
    strong = tag.removeprefix("W/")
    assert matches(tag, tag) and matches(strong, tag)
    assert matches(f'"nope", {tag}', tag)
    assert matches("*", tag)
    assert not matches('"nope"', tag) and not matches(None, tag) and not matches("", tag)
    assert etag({"a": 1}, "<x>; rel=next") != tag


async def test_budget_is_shared_by_every_repository_and_token_of_the_installation(
    sim: Simulator, repo: Repo, api: Api, session: aiohttp.ClientSession
) -> None:
    sim.create_repo("octo-org/other")
    await api.get(REPO)
    await api.get("/repos/octo-org/other")
    fresh = await api(
        "POST",
        f"/app/installations/{repo.installation_id}/access_tokens",
        auth=f"Bearer {app_jwt(sim)}",
    )
    third = await api.get(REPO, auth=f"token {fresh.body['token']}")
    assert third.headers["X-RateLimit-Used"] == "3"
    assert third.headers["X-RateLimit-Remaining"] == "4997"
    assert third.headers["X-RateLimit-Resource"] == "core"
    assert sim.api_usage(repo).requests == 3
    assert sim.api_usage("octo-org/other").requests == 3
    # The App's own (JWT) requests spend another budget: the fixture's token, then this one.
    assert fresh.headers["X-RateLimit-Used"] == "2"


async def test_another_installation_has_its_own_budget(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    other = sim.create_repo("someone/else")
    await api.get(REPO)
    assert other.installation_id != repo.installation_id
    assert sim.api_usage(other).requests == 0
    assert sim.api_usage(other).remaining == 5000


async def test_exhausted_budget_is_403_until_the_window_resets(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.set_rate_remaining(repo, 1)
    last = await api.get(REPO)
    assert (last.status, last.headers["X-RateLimit-Remaining"]) == (200, "0")
    refused = await api.get(REPO)
    assert refused.status == 403
    assert refused.message == f"API rate limit exceeded for installation ID {repo.installation_id}."
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    reset_at = int(refused.headers["X-RateLimit-Reset"])
    assert reset_at == int(sim.api_usage(repo).reset_at.timestamp())
    sim.clock.advance(timedelta(hours=1))  # the token expires too: take a new one
    fresh = await api(
        "POST",
        f"/app/installations/{repo.installation_id}/access_tokens",
        auth=f"Bearer {app_jwt(sim)}",
    )
    back = await api.get(REPO, auth=f"token {fresh.body['token']}")
    assert (back.status, back.headers["X-RateLimit-Remaining"]) == (200, "4999")
    assert int(back.headers["X-RateLimit-Reset"]) > reset_at


async def test_at_zero_even_a_conditional_request_is_refused(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    # Undocumented on GitHub; the simulator refuses first (docs/simulator.md says why).
    tag = (await api.get(REPO)).headers["ETag"]
    sim.set_rate_remaining(repo, 0)
    assert (await api.get(REPO, headers={"If-None-Match": tag})).status == 403


async def test_the_limit_is_configurable(repo: Repo) -> None:
    small = Simulator(rate_limit=2)
    covered = small.create_repo("octo-org/rfcs")
    assert small.api_usage(covered).limit == 2
    assert small.api_usage(covered.installation_id or 0).remaining == 2


async def test_unauthenticated_requests_spend_the_anonymous_budget(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    answer = await api.get(REPO, auth="")
    assert answer.status == 401
    assert answer.headers["X-RateLimit-Limit"] == "60"
    assert sim.api_usage(repo).requests == 0
