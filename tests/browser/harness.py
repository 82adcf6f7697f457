"""The browser test harness: a served directory, a network guard, axe, screenshots.

Reused by every browser test (the site's, the dashboard's). Playwright is imported lazily so
that collecting the suite works on a machine without it (the tests then skip, or fail under CI;
see ``conftest.py``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web

if TYPE_CHECKING:  # pragma: no cover - the types only
    from playwright.async_api import Page, Route

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")  # the distribution's build: nothing is ever downloaded
# --headless: no display; --no-sandbox: CI runs as root; the rest: no traffic of its own
# (updates, sync, field trials, QUIC probes), so the only requests are the page's.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1"})
SERIOUS = frozenset({"serious", "critical"})


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium chromium-driver)"
    for module in ("playwright", "axe_playwright_python"):
        if find_spec(module) is None:
            return f"the Python package {module} is missing (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip the test when the browser cannot run here; under CI, fail it instead: CI must never
    silently skip the browser tests."""
    reason = missing_browser()
    if reason is None:
        return
    if "CI" in os.environ:
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def serve_directory(directory: Path) -> AsyncIterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL, with ``/``."""
    app = web.Application()
    app.router.add_static("/", directory, show_index=False, follow_symlinks=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        await runner.cleanup()


@dataclass
class NetworkGuard:
    """Aborts every request a page makes to anything but 127.0.0.1, and remembers it: a test
    fails when its pages tried to reach the outside (the pages must work offline)."""

    blocked: list[str] = field(default_factory=list)

    async def route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort("blockedbyclient")


@dataclass
class PageProblems:
    """Script errors and console errors (a CSP violation, a failed load) seen on a page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )


def serious_violations(response: dict[str, Any]) -> list[str]:
    """axe's violations of impact serious or critical, one line each (rule, impact, help, nodes)."""
    lines = []
    for violation in response.get("violations", []):
        if violation.get("impact") not in SERIOUS:
            continue
        targets = ", ".join(
            " ".join(str(part) for part in node.get("target", [])) for node in violation["nodes"]
        )
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return lines


async def assert_accessible(page: Page) -> None:
    """Run axe-core (shipped inside axe-playwright-python: no network) on the page as it is now;
    fail listing every serious or critical violation."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    problems = serious_violations(results.response)
    assert not problems, f"axe on {page.url}:\n  " + "\n  ".join(problems)


def screenshot_path(name: str, tmp_dir: Path) -> Path:
    """docs/screenshots/NAME.png with UPDATE_SCREENSHOTS=1, else a file in the test's tmp dir
    (a test run never changes the checkout)."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / f"{name}.png"
    return tmp_dir / f"{name}.png"
