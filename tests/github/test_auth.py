from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.github.auth import AppAuth, AuthError, app_jwt


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeGitHub:
    """Answers the access-token request; counts requests; can be held to test concurrency."""

    def __init__(self, clock: Clock, lifetime: float = 3600.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.requests: list[tuple[str, str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def post(self, url: str, *, data: Any, jwt: str) -> dict[str, str]:
        self.requests.append((url, jwt))
        await self.release.wait()
        expires = datetime.fromtimestamp(self.clock.now + self.lifetime, UTC)
        return {
            "token": f"ghs_token{len(self.requests)}",
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def decode(token: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    return jwt.decode(
        token,
        key.public_key(),
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False},
    )


def test_jwt_claims(private_key_pem: str, rsa_key: rsa.RSAPrivateKey) -> None:
    now = 1_700_000_000
    claims = decode(app_jwt("4242", private_key_pem, now), rsa_key)
    assert claims["iss"] == "4242"
    assert claims["iat"] == now - 60  # backdated for clock drift
    assert now < claims["exp"] <= now + 600
    assert claims["exp"] - claims["iat"] <= 600


def test_jwt_reused_for_eight_minutes(private_key_pem: str, rsa_key: rsa.RSAPrivateKey) -> None:
    clock = Clock()
    auth = AppAuth("4242", private_key_pem, clock=clock)
    first = auth.jwt()
    clock.now += 7 * 60
    assert auth.jwt() == first
    clock.now += 61
    renewed = auth.jwt()
    assert renewed != first
    assert decode(renewed, rsa_key)["iat"] == int(clock.now) - 60


def test_repr_hides_key(private_key_pem: str) -> None:
    assert "PRIVATE" not in repr(AppAuth("1", private_key_pem, clock=time.time))


async def test_token_cached_until_five_minutes_before_expiry(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock, lifetime=3600)
    auth = AppAuth("4242", private_key_pem, clock=clock)
    assert await auth.installation_token(gh, 7) == "ghs_token1"
    clock.now += 3600 - 301
    assert await auth.installation_token(gh, 7) == "ghs_token1"
    clock.now += 2
    assert await auth.installation_token(gh, 7) == "ghs_token2"
    assert [url for url, _ in gh.requests] == ["/app/installations/7/access_tokens"] * 2


async def test_token_request_signed_with_app_jwt(
    private_key_pem: str, rsa_key: rsa.RSAPrivateKey
) -> None:
    clock = Clock()
    gh = FakeGitHub(clock)
    await AppAuth("4242", private_key_pem, clock=clock).installation_token(gh, 7)
    assert decode(gh.requests[0][1], rsa_key)["iss"] == "4242"


async def test_tokens_per_installation(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock)
    auth = AppAuth("4242", private_key_pem, clock=clock)
    assert await auth.installation_token(gh, 1) == "ghs_token1"
    assert await auth.installation_token(gh, 2) == "ghs_token2"
    assert await auth.installation_token(gh, 1) == "ghs_token1"


async def test_concurrent_callers_share_one_refresh(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock)
    gh.release.clear()
    auth = AppAuth("4242", private_key_pem, clock=clock)
    callers = [asyncio.create_task(auth.installation_token(gh, 7)) for _ in range(10)]
    await asyncio.sleep(0)
    gh.release.set()
    assert set(await asyncio.gather(*callers)) == {"ghs_token1"}
    assert len(gh.requests) == 1


async def test_forget_forces_a_new_token(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock)
    auth = AppAuth("4242", private_key_pem, clock=clock)
    await auth.installation_token(gh, 7)
    auth.forget(7)
    assert await auth.installation_token(gh, 7) == "ghs_token2"


async def test_forgetting_a_stale_token_keeps_the_fresh_one(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock)
    auth = AppAuth("4242", private_key_pem, clock=clock)
    stale = await auth.installation_token(gh, 7)
    auth.forget(7, stale)
    fresh = await auth.installation_token(gh, 7)
    auth.forget(7, stale)  # a second request refused with the old token, answered late
    assert await auth.installation_token(gh, 7) == fresh == "ghs_token2"
    assert len(gh.requests) == 2


async def test_short_lived_token_kept_half_its_life(private_key_pem: str) -> None:
    clock = Clock()
    gh = FakeGitHub(clock, lifetime=120)
    auth = AppAuth("4242", private_key_pem, clock=clock)
    await auth.installation_token(gh, 7)
    clock.now += 59
    assert await auth.installation_token(gh, 7) == "ghs_token1"
    clock.now += 2
    assert await auth.installation_token(gh, 7) == "ghs_token2"


async def test_unexpected_token_response(private_key_pem: str) -> None:
    class Broken:
        async def post(self, url: str, *, data: Any, jwt: str) -> dict[str, str]:
            return {"message": "nope"}

    with pytest.raises(AuthError, match="installation 7"):
        await AppAuth("4242", private_key_pem, clock=time.time).installation_token(Broken(), 7)
