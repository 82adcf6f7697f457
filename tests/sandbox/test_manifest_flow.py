"""The simulator's App-manifest flow: the new-App form and the code conversion."""

from __future__ import annotations

import json
from datetime import timedelta

import aiohttp

from sandbox.simulator import Simulator

HEADERS = {"User-Agent": "test", "X-GitHub-Api-Version": "2022-11-28"}
MANIFEST = {"name": "My RFC Bot", "url": "https://example.org", "redirect_url": "http://x/cb"}


async def submit(sim: Simulator, manifest: object, path: str = "/settings/apps/new") -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.base_url}{path}?state=s1",
            data={"manifest": json.dumps(manifest)},
            allow_redirects=False,
        ) as response,
    ):
        assert response.status == 302, await response.text()
        return response.headers["Location"]


async def convert(sim: Simulator, code: str) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/app-manifests/{code}/conversions", headers=HEADERS) as r,
    ):
        return r.status, await r.json()


async def test_the_form_redirects_with_a_code_good_once(sim: Simulator) -> None:
    location = await submit(sim, MANIFEST, "/organizations/octo-org/settings/apps/new")
    assert location.startswith("http://x/cb?code=") and location.endswith("&state=s1")
    code = location.split("code=")[1].split("&")[0]
    status, app = await convert(sim, code)
    assert status == 201
    assert app["slug"] == "my-rfc-bot" and app["owner"] == {  # type: ignore[comparison-overlap]
        "login": "octo-org",
        "id": app["owner"]["id"],  # type: ignore[index]
        "type": "Organization",
    }
    assert str(app["pem"]).startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert sim.apps[int(app["id"])] == "my-rfc-bot"  # type: ignore[call-overload]
    assert (await convert(sim, code))[0] == 404  # spent
    assert not sim.violations


async def test_a_code_expires_after_an_hour(sim: Simulator) -> None:
    location = await submit(sim, MANIFEST)
    sim.clock.advance(timedelta(hours=1, seconds=1))
    assert (await convert(sim, location.split("code=")[1].split("&")[0]))[0] == 404


async def test_a_manifest_github_would_refuse_is_refused(sim: Simulator) -> None:
    for manifest in (
        ["not an object"],
        {"name": "x" * 35, "url": "https://e.org", "redirect_url": "http://x/cb"},
        {"url": "", "redirect_url": "javascript:alert(1)", "hook_attributes": {"url": 3}},
    ):
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{sim.base_url}/settings/apps/new", data={"manifest": json.dumps(manifest)}
            ) as response,
        ):
            assert response.status == 422
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/settings/apps/new", data={"manifest": "{"}) as response,
    ):
        assert response.status == 422
    assert not sim.manifest_codes
