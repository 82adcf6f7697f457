"""The generated RFC site in headless Chromium: filters, search, the URL fragment, keyboard,
the Deprecated banner, the lint badge, a phone's width, axe-core, and the docs' screenshots."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.rfc.config.public import Config
from bot.site.build import SiteOptions, build_site
from tests.browser.conftest import NewPage
from tests.browser.harness import assert_accessible

if TYPE_CHECKING:  # pragma: no cover - collecting works without Playwright (then: skip)
    from playwright.async_api import Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "rfcs" / "0000-job-retries.md").read_text(encoding="utf-8")
PHONE = {"width": 390, "height": 844}
LONG_PATH = "/api/v1/orchestrator/jobs/{job_id}/attempts/{attempt_id}/rendered-pages/cache-entries"


def clean_rfc(
    number: int, title: str, *, status: str, authors: str, apps: str, summary: str, extra: str = ""
) -> str:
    """The lint-clean example RFC with another header and summary."""
    _, rest = EXAMPLE.split("## Overview", 1)
    before, after = rest.split("### Summary\n", 1)
    header = (
        f"# {title}\n\n**Status:** {status}  \n**Target Application(s):** {apps}  \n"
        f"**RFC Number:** {number:04d}  \n**Created:** 2024-05-02  \n"
        f"**Last Updated:** 2024-05-20  \n**Author(s):** {authors}  \n{extra}\n"
    )
    return f"{header}## Overview{before}### Summary\n{summary}\n\n{after.split(chr(10) * 2, 1)[1]}"


RFCS = {
    "0001-old-queue.md": clean_rfc(
        1,
        "Old job queue",
        status="Deprecated",
        authors="Alice Example (@alice)",
        apps="api",
        summary="Jobs run from a cron table.",
        extra="**Superseded By:** RFC 0002  \n",
    ),
    "0002-new-queue.md": clean_rfc(
        2,
        "New job queue",
        status="Final",
        authors="Bo Builder (@bo), Alice Example (@alice)",
        apps="api, shared",
        summary="Jobs run from a durable queue.",
        extra="**Replaces:** RFC 0001  \n",
    ),
    "0003-cache.md": clean_rfc(
        3,
        "Response cache",
        status="Draft",
        authors="Carol (@carol)",
        apps="orchestrator",
        # An unbreakable path: a phone must wrap it, not scroll sideways.
        summary=f"Cache rendered pages for a minute under {LONG_PATH}.",
    ),
    "0004-webhook-backoff.md": clean_rfc(
        4,
        "Webhook deliveries",
        status="Draft",
        authors="Alice Example (@alice)",
        apps="shared",
        summary="Deliveries wait with backoff before each retry.",
    ),
    "0042-retry.md": clean_rfc(
        42,
        "Retry with backoff",
        status="Proposed",
        authors="Dan (@dan)",
        apps="jobmaster",
        summary="Retry failed jobs with exponential backoff.",
    ),
    "0000-broken.md": "no title, no metadata\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    rfcs = root / "rfcs"
    rfcs.mkdir()
    for name, text in RFCS.items():
        (rfcs / name).write_text(text, encoding="utf-8")
    out = root / "_site"
    out.mkdir()
    build_site(rfcs, out, Config(), root, SiteOptions(repo_url="https://github.com/o/r"))
    return out


@pytest.fixture
async def base(site: Path, serve: Callable[[Path], Awaitable[str]]) -> str:
    return await serve(site)


async def open_index(page: Page, base: str, fragment: str = "") -> None:
    # goto waits for "load": site.js (deferred) has run and applied the fragment by then.
    await page.goto(f"{base}index.html{fragment}")


async def shown(page: Page) -> list[str]:
    """The labels of the visible rows, in order."""
    return await page.locator("li.rfc:visible .num").all_inner_texts()


async def shown_statuses(page: Page) -> set[str]:
    return set(
        await page.locator("li.rfc:visible").evaluate_all("rows => rows.map(r => r.dataset.status)")
    )


async def fragment(page: Page) -> str:
    return str(await page.evaluate("location.hash"))


# --- filters and search --------------------------------------------------------------------


async def test_a_status_pill_shows_only_that_status_and_its_count(page: Page, base: str) -> None:
    await open_index(page, base)
    assert len(await shown(page)) == len(RFCS)
    pill = page.locator('button[data-status-pill="Draft"]')
    assert (await pill.locator(".count").inner_text()) == "2"
    await pill.click()
    assert await shown(page) == ["RFC 0003", "RFC 0004"]
    assert await pill.get_attribute("aria-pressed") == "true"
    assert await page.locator("#shown").inner_text() == f"2 of {len(RFCS)} shown"
    assert await page.locator("#f-status").input_value() == "Draft"
    await pill.click()  # again: every RFC
    assert len(await shown(page)) == len(RFCS)
    assert await pill.get_attribute("aria-pressed") == "false"


async def test_every_pills_count_is_the_number_of_rows_it_shows(page: Page, base: str) -> None:
    await open_index(page, base)
    pills = page.locator("button[data-status-pill]")
    for position in range(await pills.count()):
        pill = pills.nth(position)
        status = await pill.get_attribute("data-status-pill")
        count = int(await pill.locator(".count").inner_text())
        await pill.click()
        assert len(await shown(page)) == count, status
        assert await shown_statuses(page) == {status}
        await pill.click()


async def test_the_no_status_pill_filters_and_round_trips(page: Page, base: str) -> None:
    """Regression: its value was "", the select's "All", so pressing it showed every RFC."""
    await open_index(page, base)
    await page.get_by_role("button", name="no status 1").click()
    assert await shown(page) == ["0000-broken.md"]
    address = await page.evaluate("location.href")
    assert address.endswith("#status=+")
    await page.goto("about:blank")
    await page.goto(address)
    assert await shown(page) == ["0000-broken.md"]
    assert await page.locator("#f-status option:checked").inner_text() == "no status"


async def test_the_application_and_author_filters(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.select_option("#f-app", "shared")
    assert await shown(page) == ["RFC 0002", "RFC 0004"]
    await page.select_option("#f-author", "alice")  # both filters at once
    assert await shown(page) == ["RFC 0002", "RFC 0004"]
    await page.select_option("#f-app", "api")
    assert await shown(page) == ["RFC 0001", "RFC 0002"]
    await page.select_option("#f-author", "dan")
    assert await shown(page) == []
    assert await page.locator("#shown").inner_text() == f"0 of {len(RFCS)} shown"
    await page.select_option("#f-app", "")
    assert await shown(page) == ["RFC 0042"]


async def test_search_ignores_word_order_and_finds_numbers(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.fill("#f-q", "retry backoff")
    one_order = await shown(page)
    await page.fill("#f-q", "backoff retry")
    assert await shown(page) == one_order == ["RFC 0004", "RFC 0042"]
    await page.fill("#f-q", "  RETRY   jobs ")  # case and spaces do not matter
    assert await shown(page) == ["RFC 0042"]
    await page.fill("#f-q", "42")
    assert await shown(page) == ["RFC 0042"]
    await page.fill("#f-q", "bo")  # an author's login
    assert "RFC 0002" in await shown(page)
    await page.fill("#f-q", "retry nosuchword")
    assert await shown(page) == []


# --- the URL fragment ----------------------------------------------------------------------


async def test_opening_a_fragment_restores_the_view(page: Page, base: str) -> None:
    await open_index(page, base, "#status=Draft&q=cache")
    assert await page.locator("#f-status").input_value() == "Draft"
    assert await page.locator("#f-q").input_value() == "cache"
    assert await shown(page) == ["RFC 0003"]
    assert await page.locator('[data-status-pill="Draft"]').get_attribute("aria-pressed") == "true"


async def test_a_forged_fragment_selects_nothing_that_is_not_offered(page: Page, base: str) -> None:
    await open_index(page, base, "#status=%3Cscript%3E&app=nope&author=dan")
    assert await page.locator("#f-status").input_value() == ""
    assert await page.locator("#f-app").input_value() == ""
    assert await shown(page) == ["RFC 0042"]  # what is offered still applies
    assert await page.locator("script:not([src])").count() == 0


async def test_changing_filters_updates_the_fragment(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.select_option("#f-app", "shared")
    assert await fragment(page) == "#app=shared"
    await page.fill("#f-q", "retry backoff")
    assert await fragment(page) == "#q=retry+backoff&app=shared"
    await page.locator('[data-status-pill="Draft"]').click()
    assert await fragment(page) == "#q=retry+backoff&status=Draft&app=shared"
    reopened = await page.evaluate("location.href")
    await page.fill("#f-q", "")
    await page.select_option("#f-app", "")
    await page.locator('[data-status-pill="Draft"]').click()
    assert await fragment(page) == ""
    await page.goto("about:blank")
    await page.goto(reopened)  # the shared address opens the same view
    assert await shown(page) == ["RFC 0004"]


async def test_a_new_fragment_on_an_open_page_restores_its_view(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.evaluate("location.hash = 'author=carol'")
    await page.wait_for_function("document.getElementById('f-author').value === 'carol'")
    assert await shown(page) == ["RFC 0003"]


# --- keyboard ------------------------------------------------------------------------------


async def focused(page: Page) -> str:
    return str(
        await page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.id || e.dataset.statusPill || e.textContent.trim(); })()"
        )
    )


async def tab_to(page: Page, target: str, limit: int = 20) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await focused(page) == target:
            return
    pytest.fail(f"Tab never reached {target!r}")


async def test_the_controls_are_reachable_and_operable_by_keyboard(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.keyboard.press("Tab")
    assert await focused(page) == "Skip to content"
    await tab_to(page, "Final")
    await page.keyboard.press("Enter")
    assert await shown(page) == ["RFC 0002"]
    await page.keyboard.press("Space")
    assert len(await shown(page)) == len(RFCS)
    await tab_to(page, "Proposed")
    await page.keyboard.press("Space")
    assert await shown(page) == ["RFC 0042"]
    await page.keyboard.press("Enter")
    await tab_to(page, "f-q")
    await page.keyboard.type("cache")
    assert await shown(page) == ["RFC 0003"]
    await page.keyboard.press("Enter")  # submitting the search form does not reload the page
    assert await page.locator("#f-q").input_value() == "cache"
    await page.fill("#f-q", "")
    for control in ("f-status", "f-app", "f-author"):
        await tab_to(page, control)
        await page.keyboard.press("ArrowDown")  # the first value after "All"
        assert await page.locator(f"#{control}").input_value() != ""
        assert len(await shown(page)) < len(RFCS)
        await page.keyboard.press("ArrowUp")
    assert len(await shown(page)) == len(RFCS)


async def test_the_focus_is_visible(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.keyboard.press("Tab")
    await tab_to(page, "Draft")
    style = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style == "solid"


# --- RFC pages -----------------------------------------------------------------------------


async def test_a_deprecated_rfc_links_its_successor(page: Page, base: str) -> None:
    await open_index(page, base)
    await page.get_by_role("link", name="RFC 0001 Old job queue").click()
    banner = page.get_by_role("note")
    assert "This RFC is Deprecated." in await banner.inner_text()
    await banner.get_by_role("link", name="RFC 0002: New job queue").click()
    await page.wait_for_url(f"{base}rfcs/0002-new-queue.html")
    assert await page.locator("h1").inner_text() == "New job queue"
    assert await page.get_by_role("note").count() == 0  # a Final RFC has no banner


async def test_a_document_with_lint_errors_is_listed_with_its_badge(page: Page, base: str) -> None:
    await open_index(page, base)
    row = page.locator("li.rfc", has_text="0000-broken.md")
    badge = row.locator("a.badge.error")
    assert "lint errors" in await badge.inner_text()
    await badge.click()
    await page.wait_for_url(f"{base}rfcs/0000-broken.html#lint")
    assert await page.locator("#lint li").count() >= 1
    assert await page.locator("#lint").is_visible()


async def test_the_table_of_contents_jumps_to_its_heading(page: Page, base: str) -> None:
    await page.goto(f"{base}rfcs/0042-retry.html")
    link = page.locator("nav.toc a").nth(1)
    anchor = str(await link.get_attribute("href"))
    await link.click()
    assert await fragment(page) == anchor
    assert await page.locator(anchor).is_visible()


# --- a phone, accessibility, screenshots ---------------------------------------------------


async def no_horizontal_scroll(page: Page) -> None:
    # clientWidth is the layout viewport; a mobile viewport's innerWidth grows with the content
    # (the page is zoomed out to fit), so comparing with it could never fail.
    content, viewport = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert viewport == PHONE["width"]
    assert content <= viewport, f"{page.url}: content {content}px wide in {viewport}px"


@pytest.mark.parametrize(
    "path",
    ["index.html", "rfcs/0001-old-queue.html", "rfcs/0003-cache.html", "rfcs/0000-broken.html"],
)
async def test_a_phone_never_scrolls_sideways(new_page: NewPage, base: str, path: str) -> None:
    page = await new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    await page.goto(base + path)
    await no_horizontal_scroll(page)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
async def test_axe_finds_no_serious_violation(
    new_page: NewPage, base: str, color_scheme: str
) -> None:
    page = await new_page(color_scheme=color_scheme)
    await open_index(page, base)
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(13, 17, 23)"}[color_scheme]
    await assert_accessible(page)
    await page.locator('[data-status-pill="Draft"]').click()  # a pressed pill, hidden rows
    await assert_accessible(page)
    for path in ("rfcs/0001-old-queue.html", "rfcs/0000-broken.html"):
        await page.goto(base + path)
        await assert_accessible(page)


async def test_screenshots(
    new_page: NewPage,
    base: str,
    screenshot: Callable[[Page, str], Awaitable[Path]],
) -> None:
    """The docs' pictures (UPDATE_SCREENSHOTS=1 writes them to docs/screenshots)."""
    page = await new_page(viewport={"width": 1000, "height": 760})
    await open_index(page, base)
    taken = [await screenshot(page, "site-index")]
    await page.goto(f"{base}rfcs/0001-old-queue.html")
    taken.append(await screenshot(page, "site-rfc"))
    phone = await new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    await open_index(phone, base, "#q=queue")
    taken.append(await screenshot(phone, "site-index-phone"))
    for path in taken:
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
