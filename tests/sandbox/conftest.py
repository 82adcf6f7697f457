"""Fixtures for testing the simulator itself, without the App's server."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest
from gidgethub.aiohttp import GitHubAPI
from multidict import CIMultiDict

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator

API_VERSION = "2022-11-28"


class VersionedGitHubAPI(GitHubAPI):
    """gidgethub's aiohttp client plus the X-GitHub-Api-Version header GitHub expects."""

    async def _request(
        self, method: str, url: str, headers: Any, body: bytes = b""
    ) -> tuple[int, Any, bytes]:
        return await super()._request(
            method, url, {**headers, "x-github-api-version": API_VERSION}, body
        )


def app_jwt(
    sim: Simulator, *, lifetime: int = 540, issuer: str | None = None, key: str | None = None
) -> str:
    issued = int(time.time()) - 30
    claims = {"iat": issued, "exp": issued + lifetime, "iss": issuer or sim.app_id}
    return jwt.encode(claims, key or sim.private_key_pem, algorithm="RS256")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def repo(sim: Simulator) -> Repo:
    return sim.create_repo(
        "octo-org/rfcs", files={"README.md": "# RFCs\n", "rfcs/README.md": "# Index\n"}
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def gh(sim: Simulator, repo: Repo, session: aiohttp.ClientSession) -> VersionedGitHubAPI:
    """A client authenticated as the App's installation on ``repo``."""
    app = VersionedGitHubAPI(session, "rfc-bot-tests", base_url=sim.base_url)
    issued = await app.post(
        f"/app/installations/{repo.installation_id}/access_tokens", data=b"", jwt=app_jwt(sim)
    )
    return VersionedGitHubAPI(
        session, "rfc-bot-tests", oauth_token=issued["token"], base_url=sim.base_url
    )


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
