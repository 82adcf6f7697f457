"""`rfc-bot demo --dashboard`: the live dashboard on loopback, with no credentials and no
network.

Starts the GitHub simulator (with its OAuth sign-in page) and the App with the dashboard on,
opens RFC pull requests in every state a dashboard shows (approvals wanted, a concern, a
comment period running, a failing check, an idle draft) in a public repository and a private
one, and serves until interrupted. Sign in as ``mona`` (a maintainer of both repositories)
or ``alice`` (who cannot read the private one) and compare. The browser tests drive this very
scene (``start_scene``).

The simulated GitHub keeps its own clock, frozen at ``START`` and moved a minute per step of
the scene, so that the comment periods the page shows end at the same times on every run; the
output says so. Its repositories link to the simulator's own pages (``sim.link_here``): a
row's pull request, check and concern open there, never on github.com.
"""

from __future__ import annotations

import asyncio
import re
import sys
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import aiohttp

from bot.policy.decisions import utc
from bot.rfc.config.public import CONFIG_PATH
from bot.serve.app import RECONCILER
from sandbox.delivery import deliver
from sandbox.demo import WEBHOOK_SECRET, demo_file
from sandbox.harness import LoopbackApp, start_app
from sandbox.simulator import Simulator

PUBLIC_REPO = "octo-org/rfcs"
PRIVATE_REPO = "octo-org/internal-rfcs"
MAINTAINERS = ("mona", "nina", "omar")
AUTHOR = "alice"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    """The simulator and the App, populated; ``dashboard_url`` is where a browser goes."""

    sim: Simulator
    app: LoopbackApp
    dashboard_url: str
    session: aiohttp.ClientSession

    async def deliver(self, event: str, payload: dict[str, Any]) -> None:
        status = await deliver(self.session, self.app.webhook_url, event, payload, WEBHOOK_SECRET)
        if status != 202:
            raise RuntimeError(f"the App answered {status} to the {event} delivery")
        await self.app.idle()


async def start_scene(stack: AsyncExitStack, *, port: int = 0) -> Scene:
    """The simulator and the App with its dashboard on, every RFC state in place."""
    sim = Simulator()
    await sim.start()
    stack.push_async_callback(sim.stop)
    sim.clock.freeze(START)  # the comment period shown ends at a fixed time
    sim.link_here()  # rows link to the simulator's pull request pages, not github.com
    app = await start_app(
        sim,
        WEBHOOK_SECRET,
        log_level="WARNING",
        port=port,
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        web_url=sim.base_url,
    )
    stack.push_async_callback(app.stop)
    sim.set_callback_urls([app.base_url + "/dashboard/callback"])
    session = await stack.enter_async_context(aiohttp.ClientSession())
    scene = Scene(sim, app, app.base_url + "/dashboard", session)
    await populate(scene)
    return scene


def rfc_text(title: str, *, flawed: bool = False) -> str:
    """The demo RFC under another title (``flawed``: with the demo's mistakes)."""
    text = demo_file("flawed.md" if flawed else "fixed.md")
    return re.sub(r"\A# [^\n]*", f"# {title}", text, count=1)


async def populate(scene: Scene) -> None:
    sim = scene.sim
    # A week's comment period (the story demo's is a minute): the dashboard shows it running.
    config = demo_file("rfc-bot.yml").replace("comment_period: 1m", "comment_period: 7d")
    files = {CONFIG_PATH: config, "rfcs/README.md": demo_file("index.md")}
    public = sim.create_repo(PUBLIC_REPO, files=files)
    private = sim.create_repo(PRIVATE_REPO, files=files, private=True)
    for login in MAINTAINERS:
        sim.set_permission(public, login, "admin" if login == "mona" else "write")
    sim.set_permission(public, AUTHOR, "triage")
    sim.set_permission(private, "mona", "admin")
    sim.set_permission(private, "nina", "write")

    waiting = await _open(scene, public, "job-retries", "Job retries", AUTHOR)
    await _propose_and_start(scene, public, waiting, AUTHOR)
    blocked = await _open(scene, public, "audit-log", "Audit log", AUTHOR)
    await _propose_and_start(scene, public, blocked, AUTHOR)
    await _say(scene, public, blocked, "omar", "/rfc concern storage-cost")
    period = await _open(scene, public, "rate-limits", "Rate limits", AUTHOR)
    await _propose_and_start(scene, public, period, AUTHOR)
    await _say(scene, public, period, "nina", "/rfc approve")
    await _open(scene, public, "plugin-api", "Plugin API", AUTHOR, flawed=True)
    await _open(scene, public, "dark-mode", "Dark mode", AUTHOR)
    billing = await _open(scene, private, "billing-export", "Billing export", "nina")
    await _propose_and_start(scene, private, billing, "nina", starter="nina")
    # The App's status commits moved the heads; GitHub would send "synchronize" for them. Here
    # the reconciler's sweep repairs what no delivery said: every head gets its check run.
    sweeper = scene.app.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    await sweeper.sweep()


async def _open(
    scene: Scene, repo: Any, slug: str, title: str, author: str, *, flawed: bool = False
) -> int:
    sim = scene.sim
    sim.clock.advance(60)
    pull = sim.open_pull_request(
        repo,
        head=f"rfc/{slug}",
        files={f"rfcs/0000-{slug}.md": rfc_text(title, flawed=flawed)},
        author=author,
        title=f"RFC: {title}",
    )
    await scene.deliver("pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    return pull.number


async def _propose_and_start(
    scene: Scene, repo: Any, number: int, author: str, *, starter: str = "mona"
) -> None:
    await _say(scene, repo, number, author, "/rfc status proposed")
    await _say(scene, repo, number, starter, "/rfc status final")


async def _say(scene: Scene, repo: Any, number: int, user: str, body: str) -> None:
    scene.sim.clock.advance(60)
    comment = scene.sim.add_comment(repo, number, user, body)
    await scene.deliver("issue_comment", scene.sim.event_issue_comment(repo, number, comment))


async def serve(out: TextIO, port: int) -> None:
    async with AsyncExitStack() as stack:
        scene = await start_scene(stack, port=port)
        print(
            "rfc-bot dashboard demo: a simulated GitHub and the App, on loopback\n\n"
            f"  Open {scene.dashboard_url}\n"
            "  and sign in on the simulator's page as one of:\n"
            "    mona   a maintainer of both repositories (one decision waits on her)\n"
            "    nina   a maintainer (an approval is wanted from her)\n"
            f"    alice  an author; cannot read {PRIVATE_REPO}, so never sees it\n\n"
            f"{clock_note(scene.sim)}\n"
            "A row's links open the simulator's own pull request and check pages (a private\n"
            "repository's answer 404 there, as GitHub's do to a visitor not signed in).\n\n"
            "Press Ctrl-C to stop.",
            file=out,
            flush=True,
        )
        await asyncio.Event().wait()


def clock_note(sim: Simulator) -> str:
    """Why the page's dates are not today's: the simulated GitHub's clock."""
    return (
        f"The simulated GitHub's clock stands still at {utc(sim.clock.now())}, whatever the\n"
        f"date today: it started at {utc(START)} and moved a minute per step of the scene,\n"
        "so that the comment periods on the page end at the same times on every run. The\n"
        "page's footer shows the time it was read at, on that clock.\n"
    )


def main(port: int = 8000, out: TextIO | None = None) -> int:
    """Entry point of `rfc-bot demo --dashboard`: 0 when stopped with Ctrl-C, 2 when the
    port cannot be had."""
    stream = out or sys.stdout
    try:
        with suppress(KeyboardInterrupt):
            asyncio.run(serve(stream, port))
    except OSError as error:
        print(
            f"rfc-bot demo: cannot serve on port {port} ({error.strerror or error}): "
            "pass --port N, or --port 0 for any free port",
            file=sys.stderr,
        )
        return 2
    return 0
