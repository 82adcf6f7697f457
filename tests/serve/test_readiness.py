"""``/readyz``: a cached verdict on GitHub, refreshed one check at a time, never a GitHub call
per probe request; ``/healthz`` answers whatever GitHub does (tests/e2e/test_readiness.py:
against the simulator, down and back)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from aiohttp import web

from bot.policy.credentials import Verdict
from bot.serve import readiness
from bot.serve.processes import StartupError
from bot.serve.readiness import (
    NOT_YET,
    READINESS,
    STARTING,
    Readiness,
    add_readiness,
    ask_github,
    check_github,
)
from bot.serve.settings import Settings
from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.serve.helpers import Bot

READY = Verdict(True, "App rfc-bot (id 4242)")
DOWN = Verdict(False, "GitHub answers 502", transient=True)
BAD_KEY = Verdict(False, "GITHUB_APP_ID 4242 and the private key do not belong together")


class Script:
    """A probe that answers the next verdict of a script, and counts its calls; with a gate,
    each call waits for it first."""

    def __init__(self, *verdicts: Verdict, gate: asyncio.Event | None = None) -> None:
        self.verdicts = list(verdicts)
        self.calls = 0
        self.gate = gate

    async def __call__(self) -> Verdict:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        return self.verdicts.pop(0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_ready_verdict_is_reused_for_30_seconds() -> None:
    probe, clock = Script(READY, DOWN), Clock()
    readiness = Readiness(probe, clock=clock)
    assert await readiness.current() == READY
    clock.now += 29.9
    assert await readiness.current() == READY
    assert probe.calls == 1
    clock.now += 0.1
    assert await readiness.current() == DOWN
    assert probe.calls == 2


async def test_a_transient_failure_is_checked_again_after_5_seconds() -> None:
    probe, clock = Script(DOWN, READY), Clock()
    readiness = Readiness(probe, clock=clock)
    assert await readiness.current() == DOWN
    clock.now += 4.9
    assert await readiness.current() == DOWN
    clock.now += 0.1
    assert await readiness.current() == READY  # recovered: within seconds
    assert probe.calls == 2


async def test_credentials_refused_are_not_asked_again_sooner_than_30_seconds() -> None:
    probe, clock = Script(BAD_KEY, BAD_KEY), Clock()
    readiness = Readiness(probe, clock=clock)
    assert await readiness.current() == BAD_KEY
    clock.now += 29
    assert await readiness.current() == BAD_KEY
    assert probe.calls == 1


async def test_a_slow_check_is_shared_and_does_not_hold_the_probe_requests() -> None:
    gate = asyncio.Event()
    probe = Script(READY, gate=gate)
    readiness = Readiness(probe, answer_within=0.05)
    answers = await asyncio.gather(*(readiness.current() for _ in range(20)))
    assert set(answers) == {NOT_YET} and probe.calls == 1  # one check for all of them
    gate.set()
    await asyncio.sleep(0)
    assert await readiness.current() == READY
    assert probe.calls == 1


async def test_a_check_that_raises_is_a_transient_failure(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> Verdict:
        raise RuntimeError("a bug")

    found = await Readiness(broken).current()
    assert (found.ready, found.transient) == (False, True)
    assert found.reason == "checking GitHub failed (see the log)"
    assert "checking GitHub for /readyz failed" in caplog.text


async def test_closing_cancels_a_check_under_way() -> None:
    probe = Script(READY, gate=asyncio.Event())
    readiness = Readiness(probe, answer_within=0.01)
    assert await readiness.current() == NOT_YET
    await readiness.close()
    assert readiness.verdict is None


async def test_readyz_is_503_with_the_reason_while_healthz_is_ok(bot: Bot) -> None:
    # The settings point GITHUB_API_URL at a closed port: GitHub cannot be reached.
    response = await bot.client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "not ready"
    assert body["reason"].startswith("GITHUB_API_URL http://127.0.0.1:9 cannot be reached")
    assert isinstance(body["checked_seconds_ago"], float)
    assert (await bot.client.get("/healthz")).status == 200


async def test_before_the_github_session_opens_it_is_starting() -> None:
    app = web.Application()
    add_readiness(app, lambda: None)
    assert await app[READINESS].current() == STARTING


async def test_the_start_up_verdict_on_the_simulator(sim: Simulator, repo: Repo) -> None:
    settings = Settings(
        app_id=sim.app_id,
        private_key=sim.private_key_pem,
        webhook_secret="x" * 16,
        api_url=sim.base_url,
    )
    found = await ask_github(settings, clock=sim.clock.now)
    assert found.ready and found.reason.startswith("App rfc-bot (id 4242), a token for its")
    refused = await ask_github(dataclasses.replace(settings, app_id="999"), clock=sim.clock.now)
    assert refused.reason.startswith("GITHUB_APP_ID 999 and the private key do not belong")


def test_the_start_up_check_raises_the_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readiness, "STARTUP_BUDGET_SECONDS", 0.0)  # one attempt, no wait
    with pytest.raises(StartupError) as raised:
        check_github(settings)  # GITHUB_API_URL: a closed port on this machine
    assert str(raised.value).startswith("GITHUB_API_URL http://127.0.0.1:9 cannot be reached")
