"""The simulator's clock drives every timestamp it writes, so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.sim_state import CLOCK_OFFSET_VARIABLE, Clock, Repo, iso
from sandbox.simulator import Simulator
from tests.sandbox.conftest import Api

REPO = "/repos/octo-org/rfcs"
START = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_clock_follows_the_wall_until_told_otherwise() -> None:
    clock = Clock(timedelta(0))
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= clock.now() <= datetime.now(UTC)
    moved = clock.advance(timedelta(days=2))
    assert moved - before >= timedelta(days=2)


def test_a_new_clock_starts_at_the_configured_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLOCK_OFFSET_VARIABLE, str(86400 * 400))
    before = datetime.now(UTC).replace(microsecond=0)
    assert Clock().now() - before >= timedelta(days=400)
    monkeypatch.setenv(CLOCK_OFFSET_VARIABLE, "")
    assert Clock().now() - before < timedelta(days=1)
    monkeypatch.setenv(CLOCK_OFFSET_VARIABLE, "tomorrow")
    with pytest.raises(ValueError, match="whole seconds"):
        Clock()


def test_a_clock_can_be_put_on_the_machines_time() -> None:
    clock = Clock(timedelta(days=900))
    clock.follow_the_machine()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=2)


def test_frozen_clock_moves_only_when_advanced() -> None:
    clock = Clock()
    assert clock.freeze(START) == START
    assert clock.now() == START
    assert clock.advance(90) == START + timedelta(seconds=90)
    clock.resume()
    assert clock.now() >= START + timedelta(seconds=90)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="aware"):
        clock.freeze(datetime(2030, 1, 1))
    clock.resume()  # resuming a running clock is harmless


async def test_every_timestamp_comes_from_the_clock(sim: Simulator, repo: Repo, api: Api) -> None:
    start = sim.clock.freeze()  # not START: the fixture's token would have expired by then
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"})
    sim.clock.advance(60)
    made = await api("POST", f"{REPO}/check-runs", {"name": "RFC", "head_sha": pull.head_sha})
    sim.clock.advance(60)
    done = await api("PATCH", f"{REPO}/check-runs/{made.body['id']}", {"conclusion": "success"})
    sim.clock.advance(60)
    comment = await api("POST", f"{REPO}/issues/{pull.number}/comments", {"body": "hi"})
    sim.clock.advance(60)
    sim.merge_pull_request(repo, pull.number)
    merged = (await api.get(f"{REPO}/pulls/{pull.number}")).body
    commit = (await api.get(f"{REPO}/commits/{pull.head_sha}")).body

    assert merged["created_at"] == iso(start)
    assert commit["commit"]["author"]["date"] == iso(start)
    assert done.body["started_at"] == iso(start + timedelta(seconds=120))
    assert done.body["completed_at"] == iso(start + timedelta(seconds=120))
    assert comment.body["created_at"] == iso(start + timedelta(seconds=180))
    assert merged["merged_at"] == merged["closed_at"] == iso(start + timedelta(seconds=240))
    assert merged["updated_at"] == merged["merged_at"]


async def test_tokens_expire_by_the_clock(sim: Simulator, repo: Repo, api: Api) -> None:
    assert (await api.get(REPO)).status == 200
    sim.clock.advance(timedelta(minutes=59))
    assert (await api.get(REPO)).status == 200
    sim.clock.advance(timedelta(minutes=2))
    expired = await api.get(REPO)
    assert (expired.status, expired.message) == (401, "Bad credentials")


async def test_payload_times_follow_the_clock(sim: Simulator, repo: Repo) -> None:
    sim.clock.freeze(START)
    pull = sim.open_pull_request(repo, "rfc/x", {"rfcs/x.md": "x"})
    payload = sim.event_pull_request(repo, pull.number, "opened")
    assert payload["pull_request"]["created_at"] == iso(START)
    sim.clock.advance(5)
    said = sim.add_comment(repo, pull.number, "mona", "/rfc check")
    event = sim.event_issue_comment(repo, pull.number, said)
    assert event["comment"]["created_at"] == iso(START + timedelta(seconds=5))
