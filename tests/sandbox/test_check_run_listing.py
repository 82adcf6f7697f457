"""Check runs for a ref: external_id kept, filters (check_name, app_id, status,
filter=latest|all) and pages as GitHub answers them."""

from __future__ import annotations

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


async def create(api: Api, head: str, name: str, **extra: object) -> int:
    made = await api("POST", f"{REPO}/check-runs", {"name": name, "head_sha": head, **extra})
    assert made.status == 201, made.body
    return int(made.body["id"])


async def test_external_id_is_stored_returned_and_updatable(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    head = sim.head(repo, "main")
    run = await create(api, head, "RFC", external_id="delivery-1:abc")
    got = await api.get(f"{REPO}/check-runs/{run}")
    assert got.body["external_id"] == "delivery-1:abc"
    await api("PATCH", f"{REPO}/check-runs/{run}", {"external_id": "delivery-2"})
    listed = await api.get(f"{REPO}/commits/{head}/check-runs")
    assert listed.body["check_runs"][0]["external_id"] == "delivery-2"


async def test_filters_by_name_app_and_latest(sim: Simulator, repo: Repo, api: Api) -> None:
    head = sim.head(repo, "main")
    ci = sim.register_app("ci")
    first = await create(api, head, "RFC validation")
    second = await create(api, head, "RFC validation", status="in_progress")
    theirs = sim.add_check_run(repo, head, "RFC validation", app_id=ci)
    build = sim.add_check_run(repo, head, "build", app_id=ci)

    async def ids(query: str) -> list[int]:
        answer = await api.get(f"{REPO}/commits/main/check-runs?{query}")
        assert answer.status == 200
        assert answer.body["total_count"] == len(answer.body["check_runs"])
        return [r["id"] for r in answer.body["check_runs"]]

    # latest (the default): one run per App and name, newest first.
    assert await ids("") == [build, theirs, second]
    assert await ids("filter=all") == [build, theirs, second, first]
    assert await ids("check_name=RFC%20validation") == [theirs, second]
    assert await ids(f"check_name=RFC%20validation&app_id={sim.app_id}") == [second]
    assert await ids(f"app_id={sim.app_id}&filter=all") == [second, first]
    assert await ids(f"app_id={ci}") == [build, theirs]
    # status filters what "latest" kept: the older completed run does not come back.
    assert await ids(f"app_id={sim.app_id}&status=completed") == []
    assert await ids(f"app_id={sim.app_id}&status=in_progress") == [second]
    assert sim.violations == []


async def test_pages_keep_the_total(sim: Simulator, repo: Repo, api: Api) -> None:
    head = sim.head(repo, "main")
    for n in range(5):
        await create(api, head, f"check {n}")
    page = await api.get(f"{REPO}/commits/{head}/check-runs?per_page=2&page=3")
    assert page.body["total_count"] == 5
    assert [r["name"] for r in page.body["check_runs"]] == ["check 0"]
    assert 'rel="prev"' in page.headers["Link"]


async def test_unknown_ref_is_404(api: Api) -> None:
    answer = await api.get(f"{REPO}/commits/no-such-branch/check-runs")
    assert answer.status == 404
