"""Replicas share the sweep: three Apps (REPLICAS=3) against one simulated GitHub, each
finding the others through their real /healthz. Each repository is swept by exactly one
replica per round, and repaired by it; a replica that stops answering has its repositories
swept by the others in the next round; an idle round of three costs what one replica costs.
A failing sweep says why in one line."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.features.reconcile import Reconciler, SweepReport
from bot.policy.replicas import owner
from bot.serve.app import RECONCILER
from sandbox.harness import LoopbackApp, start_app
from tests.e2e.conftest import WEBHOOK_SECRET
from tests.e2e.helpers import rfc
from tests.e2e.repair_helpers import serving

REPOSITORIES = [f"octo-org/rfcs-{i}" for i in range(8)] + [f"acme/rfcs-{i}" for i in range(8, 12)]
_REPO_PATH = re.compile(r"/repos/([^/]+/[^/]+)/")
BASE_URLS = web.AppKey("base_urls", dict[int, str])


@dataclass
class Replicas:
    """Three running Apps, and the directory their peers' health checks go through."""

    apps: dict[int, LoopbackApp]
    base_urls: dict[int, str] = field(default_factory=dict)  # index -> a live App's address

    def sweeper(self, index: int) -> Reconciler:
        found = self.apps[index].app[RECONCILER]
        found.grace_seconds = 0.0  # the seeded state is as old as it gets
        return found

    async def kill(self, index: int) -> None:
        """The replica stops: its /healthz no longer answers."""
        await self.apps.pop(index).stop()


async def peer_health(request: web.Request) -> web.Response:
    """Replica N's /healthz, asked of that App's own server (502 when it is gone)."""
    base_urls = request.app[BASE_URLS]
    base = base_urls.get(int(request.match_info["index"]), "http://127.0.0.1:9")
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base}/healthz", timeout=aiohttp.ClientTimeout(total=1)) as answer,
        ):
            return web.Response(status=answer.status)
    except (aiohttp.ClientError, TimeoutError):
        return web.Response(status=502)


@pytest.fixture
async def replicas(sim: Any) -> AsyncIterator[Replicas]:
    directory = web.Application()
    base_urls: dict[int, str] = {}
    directory[BASE_URLS] = base_urls
    directory.router.add_get("/replica/{index}/healthz", peer_health)
    server = TestServer(directory, host="127.0.0.1")
    await server.start_server()
    peer_url = f"http://127.0.0.1:{server.port}/replica/{{index}}/healthz"
    running = Replicas({}, base_urls)
    try:
        for index in range(3):
            app = await start_app(
                sim,
                WEBHOOK_SECRET,
                log_format="text",
                replicas=3,
                replica_index=index,
                replica_peer_url=peer_url,
            )
            running.apps[index] = app
            base_urls[index] = app.base_url
        yield running
    finally:
        for app in running.apps.values():
            await app.stop()
        await server.close()


def seed(sim: Any) -> dict[str, Any]:
    """The repositories, each with an open RFC pull request whose delivery never came."""
    pulls = {}
    for name in REPOSITORIES:
        repo = sim.create_repo(name, files={"README.md": "# RFCs\n"})
        pulls[name] = sim.open_pull_request(
            repo, head="rfc/x", files={"rfcs/0000-x.md": rfc("X")}, author="alice"
        )
    return pulls


def app_runs(sim: Any, name: str, pull: Any) -> list[dict[str, Any]]:
    head = sim.pull_request(name, pull.number).current_head()
    return [
        run
        for run in sim.check_runs(name, head_sha=head)
        if run["app"]["id"] == int(sim.app_id) and run["status"] == "completed"
    ]


async def sweep_round(
    sim: Any, replicas: Replicas, order: list[int]
) -> tuple[dict[str, set[int]], dict[int, SweepReport]]:
    """Each replica of ``order`` sweeps once, in turn: who touched each repository, and each
    replica's report."""
    touched: dict[str, set[int]] = defaultdict(set)
    reports = {}
    for index in order:
        start = len(sim.requests)
        reports[index] = await replicas.sweeper(index).sweep()
        for request in sim.requests[start:]:
            if found := _REPO_PATH.match(request.path):
                touched[found.group(1)].add(index)
    return touched, reports


async def test_each_repository_is_swept_by_exactly_one_replica(
    sim: Any, replicas: Replicas
) -> None:
    pulls = seed(sim)

    touched, reports = await sweep_round(sim, replicas, [0, 1, 2])

    assert sorted(touched) == sorted(REPOSITORIES)
    for name in REPOSITORIES:
        assert touched[name] == {owner(name, range(3))}, name
        assert len(app_runs(sim, name, pulls[name])) == 1, name  # repaired by its owner
    for index, report in reports.items():
        owned = [name for name in REPOSITORIES if owner(name, range(3)) == index]
        assert report.errors == 0
        assert report.repositories == len(owned) > 0
        assert report.left == len(REPOSITORIES) - len(owned)
        assert report.repairs == Counter(check=len(owned))
        assert report.share.live == frozenset({0, 1, 2})


async def test_a_silent_replica_s_repositories_are_swept_by_the_others_next_round(
    sim: Any, replicas: Replicas, caplog: pytest.LogCaptureFixture
) -> None:
    pulls = seed(sim)
    await sweep_round(sim, replicas, [0, 1, 2])
    await replicas.kill(2)
    for name in REPOSITORIES:  # a push on every pull request, its delivery lost
        sim.commit(name, "rfc/x", {"rfcs/0000-x.md": rfc("X") + "\nMore.\n"})
    caplog.set_level(logging.INFO)

    touched, reports = await sweep_round(sim, replicas, [0, 1])

    assert sorted(touched) == sorted(REPOSITORIES)
    for name in REPOSITORIES:
        assert touched[name] == {owner(name, {0, 1})}, name
        if owner(name, range(3)) != 2:
            assert touched[name] == {owner(name, range(3))}  # the others' stay where they were
        assert len(app_runs(sim, name, pulls[name])) == 1, name
    assert reports[0].share.missing == reports[1].share.missing == [2]
    assert sum(report.repairs["check"] for report in reports.values()) == len(REPOSITORIES)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.serve.peers"]
    assert sum("replica 2 did not answer" in line for line in said) == 2  # once per replica
    swept = [r.getMessage() for r in caplog.records if "reconcile: swept" in r.getMessage()]
    assert any("as replica 0 of 3" in line and "2 did not answer" in line for line in swept)


async def test_without_peer_urls_a_dead_replica_s_share_waits_for_it(sim: Any) -> None:
    seed(sim)
    apps = [
        await start_app(sim, WEBHOOK_SECRET, log_format="text", replicas=3, replica_index=i)
        for i in range(2)  # replica 2 never started
    ]
    try:
        touched: dict[str, set[int]] = defaultdict(set)
        for index, app in enumerate(apps):
            start = len(sim.requests)
            await app.app[RECONCILER].sweep()
            for request in sim.requests[start:]:
                if found := _REPO_PATH.match(request.path):
                    touched[found.group(1)].add(index)
    finally:
        for app in apps:
            await app.stop()
    waiting = sorted(name for name in REPOSITORIES if owner(name, range(3)) == 2)
    assert sorted(set(REPOSITORIES) - set(touched)) == waiting


def per_repository(requests: list[Any]) -> dict[str, list[tuple[str, str, str, int]]]:
    """Each repository's requests: method, path, query, status (sorted: order is random)."""
    found: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
    for request in requests:
        if match := _REPO_PATH.match(request.path):
            query = "&".join(f"{k}={v}" for k, v in sorted(request.query.items()))
            found[match.group(1)].append((request.method, request.path, query, request.status))
    return {name: sorted(calls) for name, calls in found.items()}


async def test_an_idle_round_of_three_replicas_costs_what_one_replica_costs(
    sim: Any, bot_app: Any, replicas: Replicas
) -> None:
    seed(sim)
    alone = bot_app.app[RECONCILER]
    alone.grace_seconds = 0.0
    for _ in range(2):  # repairs, then the listings they changed, for both arrangements
        await alone.sweep()
        await sweep_round(sim, replicas, [0, 1, 2])
    installations = len(sim.installations)

    start, used = len(sim.requests), sim.api_usage(REPOSITORIES[0]).requests
    idle_alone = await alone.sweep()
    one = sim.requests[start:]
    counted_one = sim.api_usage(REPOSITORIES[0]).requests - used
    start, used = len(sim.requests), sim.api_usage(REPOSITORIES[0]).requests
    _, idle_three = await sweep_round(sim, replicas, [0, 1, 2])
    three = sim.requests[start:]
    counted_three = sim.api_usage(REPOSITORIES[0]).requests - used

    assert counted_one == counted_three == 0
    assert idle_alone.requests == sum(report.requests for report in idle_three.values()) == 0
    assert per_repository(three) == per_repository(one)  # the same calls, once per repository
    assert len(per_repository(one)) == len(REPOSITORIES)
    # Only the installation-wide listings are read by each replica (304s: free).
    listings_one = [r for r in one if not _REPO_PATH.match(r.path)]
    listings_three = [r for r in three if not _REPO_PATH.match(r.path)]
    assert len(listings_three) == 3 * len(listings_one)
    assert {r.status for r in listings_three} == {304}
    assert sum(r.path == "/installation/repositories" for r in listings_one) == installations


# --- one line per failure ---------------------------------------------------------------------


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "bot.features.reconcile" and r.levelno >= logging.INFO
    ]


@pytest.fixture
async def patient_app(sim: Any) -> AsyncIterator[Any]:
    """The App whose retries' waits are simulated: a minute of retries takes no real time."""
    async with serving(sim, simulated_waits=True) as app:
        yield app


AFTER_ATTEMPTS = re.compile(r" after \d+ attempts$")


def one_line(message: str) -> str:
    """The line with its attempt count (which the retry window decides) left out."""
    assert AFTER_ATTEMPTS.search(message), message
    return AFTER_ATTEMPTS.sub(" after N attempts", message)


async def test_a_failed_installation_listing_is_one_line(
    sim: Any, patient_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed(sim)
    sim.fail("GET", r"^/installation/repositories$", 502, times=10**6)  # both installations
    caplog.set_level(logging.DEBUG, logger="bot.features.reconcile")

    report = await patient_app.app[RECONCILER].sweep()

    assert report.errors == 2
    lines = [r for r in warnings_of(caplog) if r.levelno == logging.WARNING]
    assert [
        one_line(re.sub(r"installation \d+", "installation N", r.getMessage())) for r in lines
    ] == [
        "reconcile: installation N failed: GitHub answered 502 on GET "
        "/installation/repositories after N attempts"
    ] * 2
    assert all(r.exc_info is None for r in warnings_of(caplog))  # no traceback above DEBUG
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and r.exc_info]
    assert len(debug) == 2


async def test_a_repository_s_failure_is_one_line_and_the_others_are_swept(
    sim: Any, patient_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pulls = seed(sim)
    sim.fail("GET", r"^/repos/acme/rfcs-9/pulls$", 502, times=10**6)
    caplog.set_level(logging.INFO, logger="bot.features.reconcile")
    sweeper = patient_app.app[RECONCILER]
    sweeper.grace_seconds = 0.0

    report = await sweeper.sweep()

    failed = [one_line(r.getMessage()) for r in warnings_of(caplog) if r.levelno == logging.WARNING]
    listing = "GitHub answered 502 on GET /repos/{owner}/{repo}/pulls after N attempts"
    assert f"reconcile: numbers of acme/rfcs-9 failed: {listing}" in failed
    assert f"reconcile: checks of acme/rfcs-9 failed: {listing}" in failed
    assert all(line.startswith("reconcile: ") and "acme/rfcs-9" in line for line in failed)
    assert report.errors == len(failed)
    assert report.repairs["check"] == len(REPOSITORIES) - 1
    assert app_runs(sim, "acme/rfcs-9", pulls["acme/rfcs-9"]) == []


async def test_refused_credentials_are_named(
    sim: Any, bot_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed(sim)
    sim.fail("GET", r"^/app/installations$", 401)
    caplog.set_level(logging.INFO, logger="bot.features.reconcile")

    report = await bot_app.app[RECONCILER].sweep()

    assert report.errors == 1
    [line] = [r.getMessage() for r in warnings_of(caplog) if r.levelno == logging.WARNING]
    assert line == (
        "reconcile: sweep failed: GitHub refused the App's credentials "
        "(401 on GET /app/installations): check GITHUB_APP_ID and the private key"
    )
