"""Fixtures for testing the simulator itself, without the App's server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from sandbox.simulator import Simulator
from tests.github_api import API_VERSION, VersionedGitHubAPI


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@dataclass
class Answer:
    """What a GitHub client sees: status, parsed JSON body (None when empty), headers."""

    status: int
    body: Any
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are

    @property
    def message(self) -> str:
        return str(self.body["message"])


class Api:
    """A raw HTTP client for the simulator, authenticated as the installation of ``repo``
    (``auth=`` overrides: e.g. ``f"Bearer {app_jwt(sim)}"``, or "" for none)."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession, token: str) -> None:
        self.sim, self.session, self.token = sim, session, token

    async def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        auth: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Answer:
        sent = {
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "rfc-bot-tests",
            **(headers or {}),
        }
        credential = f"token {self.token}" if auth is None else auth
        if credential:
            sent["Authorization"] = credential
        async with self.session.request(
            method,
            self.sim.base_url + path,
            json=body,
            headers=sent,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            raw = await response.read()
            parsed = json.loads(raw) if raw else None
            return Answer(response.status, parsed, CIMultiDict(response.headers))

    async def get(self, path: str, **options: Any) -> Answer:
        return await self("GET", path, **options)


@pytest.fixture
async def api(sim: Simulator, gh: VersionedGitHubAPI, session: aiohttp.ClientSession) -> Api:
    assert gh.oauth_token is not None
    return Api(sim, session, gh.oauth_token)
