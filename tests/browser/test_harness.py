"""The harness itself: it blocks the outside, it catches page errors, axe's verdict fails a
test, screenshots stay out of the checkout, and a missing browser fails under CI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from tests.browser import harness
from tests.browser.harness import (
    NetworkGuard,
    PageProblems,
    assert_accessible,
    require_browser,
    screenshot_path,
    serious_violations,
    serve_directory,
)

if TYPE_CHECKING:  # pragma: no cover - collecting works without Playwright (then: skip)
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    (tmp_path / "ok.html").write_text(
        '<!doctype html><html lang="en"><title>ok</title><main><h1>ok</h1></main></html>',
        encoding="utf-8",
    )
    (tmp_path / "outside.html").write_text(
        '<!doctype html><html lang="en"><title>out</title>'
        '<img alt="" src="https://example.com/tracker.png"></html>',
        encoding="utf-8",
    )
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html><title>bad</title><img src="ok.html"><input></html>', encoding="utf-8"
    )
    (tmp_path / "broken.html").write_text(
        "<!doctype html><html lang='en'><title>b</title><script>nosuchfunction()</script></html>",
        encoding="utf-8",
    )
    return tmp_path


async def test_serves_a_directory_on_the_loopback_only(pages: Path) -> None:
    async with serve_directory(pages) as base, aiohttp.ClientSession() as client:
        assert base.startswith("http://127.0.0.1:")
        async with client.get(base + "ok.html") as response:
            assert response.status == 200 and "<h1>ok</h1>" in await response.text()
        async with client.get(base) as listing:
            assert listing.status in (403, 404)  # no directory listing


async def watched_page(browser: Browser, guard: NetworkGuard, problems: PageProblems) -> Page:
    """A page outside the ``page`` fixture: these tests provoke what that fixture fails on."""
    context = await browser.new_context()
    await context.route("**/*", guard.route)
    page = await context.new_page()
    problems.watch(page)
    return page


async def test_a_request_to_the_outside_is_blocked_and_reported(
    browser: Browser, serve: Callable[[Path], Awaitable[str]], pages: Path
) -> None:
    guard, problems = NetworkGuard(), PageProblems()
    page = await watched_page(browser, guard, problems)
    base = await serve(pages)
    await page.goto(base + "outside.html")
    assert guard.blocked == ["https://example.com/tracker.png"]
    assert any("ERR_BLOCKED_BY_CLIENT" in error for error in problems.errors)
    from playwright.async_api import Error as PlaywrightError

    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        await page.goto("http://example.com/")
    assert guard.blocked[-1] == "http://example.com/"
    local = await page.context.new_page()  # the loopback still answers
    await local.goto(base + "ok.html")
    assert await local.locator("h1").inner_text() == "ok"


async def test_script_errors_are_collected(
    browser: Browser, serve: Callable[[Path], Awaitable[str]], pages: Path
) -> None:
    guard, problems = NetworkGuard(), PageProblems()
    page = await watched_page(browser, guard, problems)
    await page.goto(await serve(pages) + "broken.html")
    assert any("script error" in e and "nosuchfunction" in e for e in problems.errors)
    assert guard.blocked == []


async def test_assert_accessible_lists_serious_violations(
    page: Page, serve: Callable[[Path], Awaitable[str]], pages: Path
) -> None:
    base = await serve(pages)
    await page.goto(base + "ok.html")
    await assert_accessible(page)
    await page.goto(base + "bad.html")
    with pytest.raises(AssertionError) as failure:
        await assert_accessible(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message and "-> img" in message
    assert "label (critical)" in message  # every violation is listed, not only the first


def test_serious_violations_keeps_serious_and_critical_only() -> None:
    def violation(rule: str, impact: str) -> dict[str, object]:
        return {"id": rule, "impact": impact, "help": f"fix {rule}", "nodes": [{"target": ["#a"]}]}

    response = {
        "violations": [
            violation("a", "minor"),
            violation("b", "moderate"),
            violation("c", "serious"),
            violation("d", "critical"),
        ]
    }
    assert serious_violations(response) == [
        "c (serious): fix c -> #a",
        "d (critical): fix d -> #a",
    ]


def test_screenshots_go_to_the_docs_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDATE_SCREENSHOTS", raising=False)
    assert screenshot_path("x", tmp_path) == tmp_path / "x.png"
    monkeypatch.setenv("UPDATE_SCREENSHOTS", "0")
    assert screenshot_path("x", tmp_path) == tmp_path / "x.png"
    monkeypatch.setenv("UPDATE_SCREENSHOTS", "1")
    monkeypatch.setattr(harness, "SCREENSHOTS", tmp_path / "docs")
    assert screenshot_path("x", tmp_path) == tmp_path / "docs" / "x.png"


def test_a_missing_browser_skips_but_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium at"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI: no Chromium"):
        require_browser()


async def test_an_expected_error_can_be_acknowledged(
    page: Page, serve: Callable[[Path], Awaitable[str]], pages: Path, page_problems: PageProblems
) -> None:
    (pages / "gone.html").write_text(
        '<!doctype html><html lang="en"><title>g</title><img alt="" src="gone.png"></html>',
        encoding="utf-8",
    )
    await page.goto(await serve(pages) + "gone.html")
    assert any("404" in error for error in page_problems.errors)
    page_problems.errors.clear()  # expected here; left in, the fixture fails the test
