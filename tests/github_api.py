"""A GitHub client for tests that call the simulator as the App would: gidgethub with the API
version header GitHub expects, and the App's JWT."""

from __future__ import annotations

from typing import Any

import aiohttp
import jwt
from gidgethub.aiohttp import GitHubAPI

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
    issued = int(sim.clock.now().timestamp()) - 30  # GitHub's clock: the simulator's
    claims = {"iat": issued, "exp": issued + lifetime, "iss": issuer or sim.app_id}
    return jwt.encode(claims, key or sim.private_key_pem, algorithm="RS256")


async def installation_token(sim: Simulator, installation_id: int) -> str:
    """An installation token of the simulator, as the App would get one (the stand-in for a
    workflow's ``GITHUB_TOKEN`` in the Action's tests)."""
    async with aiohttp.ClientSession() as session:
        app = VersionedGitHubAPI(session, "rfc-bot-tests", base_url=sim.base_url)
        issued = await app.post(
            f"/app/installations/{installation_id}/access_tokens", data=b"", jwt=app_jwt(sim)
        )
    return str(issued["token"])
