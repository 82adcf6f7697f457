"""Fixtures for testing the simulator itself, without the App's server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from gidgethub.aiohttp import GitHubAPI

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
