"""GitHub App authentication: the App's JWT and per-installation access tokens.

Both are cached: the JWT for 8 minutes (it is valid for 9), an installation token until
5 minutes before GitHub says it expires. Concurrent work for one installation shares a
single token request.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import jwt
from cachetools import LRUCache
from gidgethub.abc import GitHubAPI

from bot.clock import EpochClock

JWT_BACKDATE_SECONDS = 60  # GitHub rejects an `iat` in the future; allow for clock drift.
JWT_LIFETIME_SECONDS = 9 * 60  # GitHub's maximum is 10 minutes.
JWT_REUSE_SECONDS = 8 * 60
TOKEN_REFRESH_MARGIN_SECONDS = 5 * 60


class AuthError(Exception):
    """GitHub did not give an installation token we can use."""


def app_jwt(app_id: str, private_key: str, now: float) -> str:
    """An RS256 App JWT issued at ``now`` (epoch seconds)."""
    issued_at = int(now) - JWT_BACKDATE_SECONDS
    claims = {"iat": issued_at, "exp": int(now) + JWT_LIFETIME_SECONDS, "iss": app_id}
    return jwt.encode(claims, private_key, algorithm="RS256")


class AppAuth:
    """The App's credentials, with cached JWT and installation tokens."""

    def __init__(
        self,
        app_id: str,
        private_key: str,
        *,
        clock: EpochClock,
        max_installations: int = 4096,
    ) -> None:
        self.app_id = app_id
        self._private_key = private_key
        self._clock = clock
        self._jwt: tuple[str, float] | None = None  # (jwt, reuse until)
        self._tokens: LRUCache[int, tuple[str, float]] = LRUCache(maxsize=max_installations)
        self._locks: LRUCache[int, asyncio.Lock] = LRUCache(maxsize=max_installations)

    def __repr__(self) -> str:
        return f"AppAuth(app_id={self.app_id!r})"

    def jwt(self) -> str:
        """The App's JWT, reused for 8 minutes."""
        now = self._clock()
        if self._jwt is None or now >= self._jwt[1]:
            self._jwt = (app_jwt(self.app_id, self._private_key, now), now + JWT_REUSE_SECONDS)
        return self._jwt[0]

    async def installation_token(self, gh: GitHubAPI, installation_id: int) -> str:
        """A token for the installation: cached, refreshed once for all concurrent callers."""
        cached = self._fresh_token(installation_id)
        if cached is not None:
            return cached
        lock = self._locks.get(installation_id)
        if lock is None:
            lock = self._locks[installation_id] = asyncio.Lock()
        async with lock:
            cached = self._fresh_token(installation_id)  # another caller may have refreshed it
            if cached is not None:
                return cached
            token, refresh_at = await self._request_token(gh, installation_id)
            self._tokens[installation_id] = (token, refresh_at)
            return token

    def forget(self, installation_id: int, token: str | None = None) -> None:
        """Drop a cached token GitHub refused (revoked, installation suspended).

        With ``token``, only if it is still the cached one: of several requests refused
        together, the first forces a refresh and the others then reuse the new token.
        """
        entry = self._tokens.get(installation_id)
        if entry is not None and token in (None, entry[0]):
            del self._tokens[installation_id]

    def _fresh_token(self, installation_id: int) -> str | None:
        entry = self._tokens.get(installation_id)
        if entry is None or self._clock() >= entry[1]:
            return None
        return entry[0]

    async def _request_token(self, gh: GitHubAPI, installation_id: int) -> tuple[str, float]:
        response: Any = await gh.post(
            f"/app/installations/{installation_id}/access_tokens", data=b"", jwt=self.jwt()
        )
        try:
            token = str(response["token"])
            expires = datetime.fromisoformat(response["expires_at"]).timestamp()
        except (TypeError, KeyError, ValueError):
            raise AuthError(
                f"unexpected access token response for installation {installation_id}"
            ) from None
        now = self._clock()
        # Normally 5 minutes early; a token that short-lived is kept for half its life.
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, max(expires - now, 0) / 2)
        return token, expires - margin
