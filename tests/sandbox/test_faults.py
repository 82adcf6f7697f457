"""Injected faults: per route and count, or at random with a seed, as GitHub fails."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
import pytest

from sandbox.server.faults import RANDOM_KINDS, RandomFaults
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"


@pytest.fixture
def pull(sim: Simulator, repo: Repo) -> int:
    return sim.open_pull_request(repo, "rfc/x", {"rfcs/0000-x.md": "# X\n"}).number


async def test_applied_write_lands_and_still_answers_502(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.fail("POST", r"/comments$", 502, applied=True)
    answer = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "hello"})
    assert answer.status == 502
    assert answer.message == "Server Error"
    assert [c["body"] for c in sim.comments(repo, pull)] == ["hello"]  # it landed anyway
    assert sim.requests[-1].fault == "502-applied"
    again = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "hello"})
    assert again.status == 201  # the injection was for one request
    assert len(sim.comments(repo, pull)) == 2  # a blind retry duplicates, as on GitHub


async def test_plain_502_applies_nothing(sim: Simulator, repo: Repo, api: Api, pull: int) -> None:
    sim.fail("POST", r"/comments$", 502, times=2)
    for _ in range(2):
        assert (await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})).status == 502
    assert sim.comments(repo, pull) == []
    assert sim.faults.fired == Counter({"502": 2})


async def test_an_outage_lasts_its_seconds_of_the_simulators_clock(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.clock.freeze()
    sim.fail_for("POST", r"/comments$", 503, 30.0)
    for _ in range(3):
        assert (await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})).status == 503
    sim.clock.advance(29)
    assert (await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})).status == 503
    sim.clock.advance(1)  # over: GitHub answers again
    assert (await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})).status == 201
    assert len(sim.comments(repo, pull)) == 1 and sim.faults.fired == Counter({"503": 4})


async def test_fault_answers_carry_the_rate_limit_headers_without_spending(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.fail("GET", r"/rfcs$", 502)
    failed = await api.get(REPO)
    assert failed.headers["X-RateLimit-Limit"] == "5000"
    assert sim.api_usage(repo).requests == 0
    await api.get(REPO)
    assert sim.api_usage(repo).requests == 1


async def test_connection_reset_gives_no_answer(sim: Simulator, repo: Repo, api: Api) -> None:
    # aiohttp's client retries an idempotent request once after a disconnect: two resets.
    sim.reset_connection("GET", r"/pulls$", times=2)
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get(f"{REPO}/pulls")
    assert (await api.get(f"{REPO}/pulls")).status == 200
    assert [(r.status, r.fault) for r in sim.requests[-3:]] == [
        (0, "reset"),
        (0, "reset"),
        (200, None),
    ]


async def test_one_reset_of_a_read_is_retried_by_the_client(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.reset_connection("GET", r"/pulls$")
    assert (await api.get(f"{REPO}/pulls")).status == 200
    assert [r.status for r in sim.requests[-2:]] == [0, 200]


async def test_applied_reset_lands_the_write(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.reset_connection("POST", r"/comments$", applied=True)
    with pytest.raises(aiohttp.ClientConnectionError):
        await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "landed"})
    assert [c["body"] for c in sim.comments(repo, pull)] == ["landed"]


async def test_timeout_never_answers(sim: Simulator, repo: Repo, api: Api, pull: int) -> None:
    sim.time_out("POST", r"/check-runs$", applied=True)
    head = sim.head(repo, "rfc/x")
    with pytest.raises(asyncio.TimeoutError):
        await api("POST", f"{REPO}/check-runs", {"name": "RFC", "head_sha": head}, timeout=0.3)
    assert len(sim.check_runs(repo, head)) == 1  # applied, answer lost
    assert sim.requests[-1].status == 0


async def test_stopping_ends_a_hung_request(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.time_out("GET", r"/rfcs$", hang=60)
    waiting = asyncio.create_task(api.get(REPO, timeout=30))
    await asyncio.sleep(0.1)
    await asyncio.wait_for(sim.stop(), timeout=5)
    with pytest.raises(aiohttp.ClientError):
        await waiting


async def test_hang_ends_on_its_own(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.time_out("GET", r"/rfcs$", hang=0.1, times=2)
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get(REPO, timeout=5)


async def test_secondary_limit_and_429_carry_retry_after(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.fail("POST", r"/comments$", 403, headers={"Retry-After": "7"})
    sim.fail("POST", r"/comments$", 429, headers={"Retry-After": "3"})
    secondary = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})
    too_many = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})
    assert (secondary.status, secondary.headers["Retry-After"]) == (403, "7")
    assert secondary.message.startswith("You have exceeded a secondary rate limit")
    assert (too_many.status, too_many.headers["Retry-After"]) == (429, "3")
    assert sim.comments(repo, pull) == []


async def test_random_faults_hit_about_the_rate_and_repeat_with_the_seed(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.fail_randomly(0.2, seed=7, kinds=("502", "secondary", "429"))
    statuses = [(await api.get(REPO)).status for _ in range(200)]
    failed = [s for s in statuses if s != 200]
    assert 20 <= len(failed) <= 60  # 20% of 200, loosely
    assert set(failed) == {502, 403, 429}
    sim.fail_randomly(0.2, seed=7, kinds=("502", "secondary", "429"))
    again = [(await api.get(REPO)).status for _ in range(200)]
    assert again == statuses
    sim.fail_randomly(0.0, seed=7)
    assert {(await api.get(REPO)).status for _ in range(20)} == {200}


async def test_random_faults_only_on_matching_routes(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.fail_randomly(1.0, seed=1, kinds=("502",), method="POST", path_regex=r"/comments$")
    assert (await api.get(f"{REPO}/pulls")).status == 200
    assert (await api("POST", f"{REPO}/issues/{pull}/comments", {"body": "x"})).status == 502


async def test_explicit_injection_wins_over_random(sim: Simulator, repo: Repo, api: Api) -> None:
    sim.fail_randomly(1.0, seed=1, kinds=("429",))
    sim.fail("GET", r"/rfcs$", 418, body={"message": "teapot"})
    assert (await api.get(REPO)).status == 418
    assert (await api.get(REPO)).status == 429


def test_random_kinds_become_github_faults() -> None:
    faults = RandomFaults(1.0, seed=3)
    post = {kind: faults.fault_of(kind, "POST") for kind in RANDOM_KINDS}
    assert post["502-applied"].applied and post["502-applied"].status == 502
    assert not faults.fault_of("502-applied", "GET").applied  # a read is not "applied"
    assert (post["secondary"].status, post["secondary"].headers) == (403, {"Retry-After": "1"})
    assert (post["429"].status, post["429"].headers) == (429, {"Retry-After": "1"})
    assert post["reset"].kind == "reset" and post["timeout"].kind == "timeout"
    assert post["502"].status == 502 and not post["502"].applied


def test_random_faults_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="probability"):
        RandomFaults(1.5, seed=1)
    with pytest.raises(ValueError, match="at least one"):
        RandomFaults(0.5, seed=1, kinds=())


async def test_a_soak_mix_fails_every_way_and_lands_some_writes(
    sim: Simulator, repo: Repo, api: Api, pull: int
) -> None:
    sim.fail_randomly(0.5, seed=11, hang=0.05)
    outcomes: Counter[str] = Counter()
    for n in range(60):
        try:
            answer = await api("POST", f"{REPO}/issues/{pull}/comments", {"body": f"{n}"})
            outcomes[str(answer.status)] += 1
        except (TimeoutError, aiohttp.ClientError):
            outcomes["dropped"] += 1
    assert set(sim.faults.fired) == {"502", "502-applied", "reset", "timeout", "403", "429"}
    assert sum(outcomes.values()) == 60
    assert set(outcomes) == {"201", "502", "dropped", "403", "429"}
    landed = len(sim.comments(repo, pull))
    assert landed == outcomes["201"] + sim.faults.fired["502-applied"]
