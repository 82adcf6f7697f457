"""Fixtures for the tests in a real headless browser (the distribution's Chromium, driven by
Playwright's async API).

- ``new_page(viewport=..., color_scheme=...)`` opens a page in a fresh browser context;
  ``page`` is one with the defaults (1280x800, light). Every page is offline: a request to
  anything but 127.0.0.1 is aborted, and the test fails when one was attempted; it also fails
  on a script error or a console error (a CSP violation, a failed load) in any of its pages.
- ``serve(directory)`` serves a directory over HTTP on 127.0.0.1 and returns its base URL.
- ``screenshot(page, name)`` writes ``docs/screenshots/NAME.png`` with ``UPDATE_SCREENSHOTS=1``,
  else a file in the test's tmp dir.
- ``harness.assert_accessible(page)`` fails on any serious or critical axe-core violation.

Without Chromium (or Playwright) the tests skip, saying what is missing; with ``CI`` set they
fail instead: CI never silently skips them. Each test gets its own browser (a launch costs
about half a second; a shared one would need a module-scoped event loop in every test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NetworkGuard,
    PageProblems,
    require_browser,
    screenshot_path,
    serve_directory,
)

if TYPE_CHECKING:  # pragma: no cover - the types only
    from playwright.async_api import Browser, Page

NewPage = Callable[..., Awaitable["Page"]]
TIMEOUT_MS = 10_000  # a broken page fails in seconds, not after Playwright's 30 s default


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # launch() gives the browser a fresh temporary profile (user-data-dir), removed on close.
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def network_guard() -> NetworkGuard:
    return NetworkGuard()


@pytest.fixture
def page_problems() -> PageProblems:
    """What the pages logged as errors; a test that provokes one (a 403 page) checks it and
    empties ``errors``, else the test fails."""
    return PageProblems()


@pytest.fixture
async def new_page(
    browser: Browser, network_guard: NetworkGuard, page_problems: PageProblems
) -> AsyncIterator[NewPage]:
    problems = page_problems

    async def open_page(
        *, viewport: dict[str, int] | None = None, color_scheme: str = "light", **options: Any
    ) -> Page:
        context = await browser.new_context(
            viewport=viewport or {"width": 1280, "height": 800},
            color_scheme=color_scheme,  # type: ignore[arg-type]
            service_workers="block",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        await context.route("**/*", network_guard.route)
        page = await context.new_page()
        problems.watch(page)
        return page

    yield open_page
    assert not network_guard.blocked, f"pages tried to reach the outside: {network_guard.blocked}"
    assert not problems.errors, "errors in the pages:\n  " + "\n  ".join(problems.errors)


@pytest.fixture
async def page(new_page: NewPage) -> Page:
    return await new_page()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Path], Awaitable[str]]]:
    async with AsyncExitStack() as stack:

        async def start(directory: Path) -> str:
            return await stack.enter_async_context(serve_directory(directory))

        yield start


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Page, str], Awaitable[Path]]:
    async def take(page: Page, name: str) -> Path:
        path = screenshot_path(name, tmp_path)
        await page.screenshot(path=str(path), full_page=False)
        return path

    return take
