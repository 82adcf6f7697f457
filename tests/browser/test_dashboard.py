"""The live dashboard in headless Chromium: sign-in through the simulator's OAuth page, only
the readable repositories, the "waiting on me" tab by keyboard, sign-out, a phone's width,
axe-core in light and dark, and the docs' screenshots. The scene is the one
`rfc-bot demo --dashboard` serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sandbox.dashboard_demo import PRIVATE_REPO, PUBLIC_REPO, Scene
from tests.browser.conftest import NewPage
from tests.browser.harness import assert_accessible

if TYPE_CHECKING:  # pragma: no cover - collecting works without Playwright (then: skip)
    from playwright.async_api import Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def sign_in(page: Page, scene: Scene, login: str, path: str = "/dashboard") -> None:
    """Open the dashboard signed out, sign in on the simulator's page, land back."""
    await page.goto(scene.app.base_url + path)
    assert page.url.startswith(scene.sim.base_url + "/login/oauth/authorize")
    await page.get_by_label("Login").fill(login)  # the simulator's labelled field
    await page.get_by_role("button", name="Authorize").click()
    await page.wait_for_url(scene.app.base_url + path)


async def cards(page: Page) -> list[str]:
    return [text.strip() for text in await page.locator("li.card h2").all_inner_texts()]


async def test_signed_out_goes_to_sign_in_and_comes_back_to_the_view_asked_for(
    new_page: NewPage, scene: Scene
) -> None:
    page = await new_page()
    await sign_in(page, scene, "mona", "/dashboard?view=mine")
    assert await page.locator("h1").inner_text() == "Waiting on you"
    assert len(await cards(page)) == 1


async def test_a_maintainer_sees_every_rfc_and_what_waits_on_her(
    new_page: NewPage, scene: Scene, screenshot
) -> None:
    page = await new_page()
    await sign_in(page, scene, "mona")
    shown = await cards(page)
    assert len(shown) == 6
    assert any(PRIVATE_REPO in card for card in shown)
    # The row waiting on her comes first, marked "you".
    assert shown[0].startswith(f"{PRIVATE_REPO}#")
    assert await page.locator("li.card.mine .you").count() == 1
    await assert_accessible(page)
    await screenshot(page, "dashboard")


async def test_the_waiting_on_me_tab_by_keyboard(new_page: NewPage, scene: Scene) -> None:
    page = await new_page()
    await sign_in(page, scene, "nina")
    tab = page.get_by_role("link", name="Waiting on me (1)")
    for _ in range(12):  # Tab through the page until the tab link has the focus
        await page.keyboard.press("Tab")
        if await tab.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("the 'Waiting on me' tab cannot be reached with Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dashboard?view=mine")
    assert await page.locator('nav a[aria-current="page"]').inner_text() == "Waiting on me (1)"
    assert [card.split(": ", 1)[1] for card in await cards(page)] == ["RFC: Job retries"]


async def test_an_author_never_sees_the_private_repository(new_page: NewPage, scene: Scene) -> None:
    page = await new_page()
    await sign_in(page, scene, "alice")
    shown = await cards(page)
    assert len(shown) == 5 and all(card.startswith(f"{PUBLIC_REPO}#") for card in shown)
    assert PRIVATE_REPO not in await page.content()


async def test_sign_out_ends_the_session(new_page: NewPage, scene: Scene) -> None:
    page = await new_page()
    await sign_in(page, scene, "mona")
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(scene.app.base_url + "/dashboard/logout")
    assert await page.locator("h1").inner_text() == "Signed out"
    await page.goto(scene.app.base_url + "/dashboard")
    assert page.url.startswith(scene.sim.base_url + "/login/oauth/authorize")


async def test_on_a_phone_in_the_dark_it_fits_and_stays_accessible(
    new_page: NewPage, scene: Scene, screenshot
) -> None:
    page = await new_page(viewport=PHONE, color_scheme="dark")
    await sign_in(page, scene, "mona")
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    background = await page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"  # the dark scheme applied
    await assert_accessible(page)
    await screenshot(page, "dashboard-phone")


async def test_the_page_is_light(new_page: NewPage, scene: Scene) -> None:
    """A few tens of KB at most: the page and its one stylesheet, no script, no font."""
    page = await new_page()
    sizes: dict[str, int] = {}

    async def record(response) -> None:
        redirect = 300 <= response.status < 400
        if response.url.startswith(scene.app.base_url) and not redirect:
            sizes[response.url] = len(await response.body())

    page.on("response", record)
    await sign_in(page, scene, "mona")
    await page.wait_for_load_state("networkidle")
    assert await page.locator("script").count() == 0
    loaded = {url: size for url, size in sizes.items() if "/dashboard" in url}
    assert sum(loaded.values()) < 40_000, loaded
