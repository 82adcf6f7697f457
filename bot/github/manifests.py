"""GitHub's App-manifest flow, the one request of ``rfc-bot register``: the code GitHub hands
back after the user confirms the new App, exchanged for its credentials
(``POST /app-manifests/{code}/conversions``: no authentication, good once, for an hour)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from bot.github.client import API_VERSION, USER_AGENT

CONVERSION_TIMEOUT_SECONDS = 30


class CodeRefused(Exception):
    """GitHub did not convert the code (used, expired or unknown); ``status`` is its answer."""

    def __init__(self, status: int) -> None:
        super().__init__(f"GitHub refused the manifest code ({status})")
        self.status = status


async def convert_manifest_code(
    api_url: str, code: str, *, timeout: float = CONVERSION_TIMEOUT_SECONDS
) -> Any:
    """The new App's id, slug, private key, webhook secret and OAuth client, as GitHub's JSON."""
    url = f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions"
    headers = {
        "Accept": "application/vnd.github+json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Api-Version": API_VERSION,
    }
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.post(url, headers=headers) as response,
    ):
        if response.status != 201:
            raise CodeRefused(response.status)
        return await response.json()
