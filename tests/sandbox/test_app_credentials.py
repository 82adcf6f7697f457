"""The App's credentials as GitHub judges them: ``GET /app`` and its ``installations_count``,
a JWT of the wrong key or the wrong App id, a suspended installation; and GitHub down and
back at the same address."""

from __future__ import annotations

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.sim_state import Repo
from sandbox.simulator import Simulator
from tests.github_api import app_jwt
from tests.sandbox.conftest import Api

NOT_DECODED = "A JSON web token could not be decoded"


def other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


async def test_the_app_asking_about_itself_learns_its_installations(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    sim.create_repo("someone-else/rfcs", files={"README.md": "# RFCs\n"})
    answer = await api.get("/app", auth=f"Bearer {app_jwt(sim)}")
    assert answer.status == 200
    assert (answer.body["id"], answer.body["installations_count"]) == (4242, 2)


@pytest.mark.parametrize(
    ("issuer", "wrong_key", "message"),
    [
        (None, True, NOT_DECODED),  # the right App id, another key
        ("999", False, NOT_DECODED),  # another App's id, this App's key
        ("not-a-number", False, "'Issuer' claim ('iss') must be an Integer"),
    ],
)
async def test_a_jwt_that_does_not_belong_to_the_app_is_refused(
    sim: Simulator, api: Api, issuer: str | None, wrong_key: bool, message: str
) -> None:
    jwt = app_jwt(sim, issuer=issuer, key=other_key() if wrong_key else None)
    answer = await api.get("/app", auth=f"Bearer {jwt}")
    assert (answer.status, answer.message) == (401, message)


async def test_a_suspended_installation_gets_no_token_until_unsuspended(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    assert repo.installation_id is not None
    jwt = f"Bearer {app_jwt(sim)}"
    tokens = f"/app/installations/{repo.installation_id}/access_tokens"
    sim.suspend_installation(repo)
    refused = await api("POST", tokens, auth=jwt)
    assert (refused.status, refused.message) == (403, "This installation has been suspended")
    old = await api.get("/repos/octo-org/rfcs")  # the token issued before the suspension
    assert (old.status, old.message) == (401, "Bad credentials")
    (listed,) = (await api.get("/app/installations", auth=jwt)).body
    assert listed["suspended_at"] is not None and listed["suspended_by"]["login"] == "octo-org"
    sim.unsuspend_installation(repo.installation_id)
    assert (await api("POST", tokens, auth=jwt)).status == 201
    (listed,) = (await api.get("/app/installations", auth=jwt)).body
    assert listed["suspended_at"] is None and listed["suspended_by"] is None


def test_suspending_what_is_not_installed_is_a_mistake_in_the_test(sim: Simulator) -> None:
    with pytest.raises(KeyError, match="no installation 12345"):
        sim.suspend_installation(12345)


async def test_github_down_and_back_at_the_same_address(
    sim: Simulator, repo: Repo, api: Api
) -> None:
    base = sim.base_url
    port = int(base.rsplit(":", 1)[1])
    await sim.stop()
    with pytest.raises(aiohttp.ClientConnectorError):
        await api.get("/repos/octo-org/rfcs")
    assert await sim.start(port) == base
    assert (await api.get("/repos/octo-org/rfcs")).status == 200
