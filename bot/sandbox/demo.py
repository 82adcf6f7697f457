"""`rfc-bot demo`: the whole loop on loopback, with no credentials and no network.

Starts the GitHub simulator and the App side by side, opens a pull request with a flawed RFC,
delivers the signed webhook and prints what a reviewer would see on GitHub: a red check with
annotations on the offending lines, and the labels. Then it pushes a fix and shows the check
turn green. When the status and numbering features are present it also shows
`/rfc status proposed` and the number assigned on merge.

Exit status 0 when the loop behaved (red, then green), 1 otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from contextlib import AsyncExitStack
from importlib import resources
from typing import Any, TextIO

import aiohttp
from aiohttp import web
from gidgethub import sansio

from bot.rfc.config import CONFIG_PATH
from bot.sandbox.delivery import deliver
from bot.sandbox.harness import start_app
from bot.sandbox.simulator import Simulator
from bot.server import wait_idle

REPO = "octo-org/rfcs"
RFC_PATH = "rfcs/0000-job-retries.md"
BRANCH = "rfc/job-retries"
AUTHOR = "alice"
MAINTAINER = "mona"
WEBHOOK_SECRET = "demo-webhook-secret"  # the demo's own App and simulator; nothing real
_ICONS = {"failure": "✗", "warning": "!", "notice": "i"}


def demo_file(name: str) -> str:
    """A text packaged under ``bot/sandbox/demo_rfcs`` (works from an installed wheel)."""
    return resources.files("bot.sandbox.demo_rfcs").joinpath(name).read_text("utf-8")


class Terminal:
    """Plain output, with colour only on a terminal that wants it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        is_tty = hasattr(out, "isatty") and out.isatty()
        self.colour = is_tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def step(self, text: str) -> None:
        self.say()
        self.say(self.paint(f"==> {text}", "1;36"))

    def conclusion(self, value: str | None) -> str:
        code = {"success": "1;32", "failure": "1;31"}.get(value or "", "1;33")
        return self.paint((value or "none").upper(), code)


class Demo:
    """The simulator, the App on a loopback port, and a signed-delivery helper."""

    def __init__(self, sim: Simulator, app: web.Application, url: str, session: Any) -> None:
        self.sim, self.app, self.url, self.session = sim, app, url, session

    async def deliver(self, event: str, payload: dict[str, Any]) -> None:
        status = await deliver(self.session, self.url, event, payload, WEBHOOK_SECRET)
        if status != 202:
            raise RuntimeError(f"the App answered {status} to the {event} delivery")
        await wait_idle(self.app)

    def handles(self, event: str, payload: dict[str, Any]) -> bool:
        """True when some feature is registered for this event (the lead may add more)."""
        from bot.features import router

        return bool(router.fetch(sansio.Event(payload, event=event, delivery_id="probe")))


async def run_demo(out: TextIO) -> bool:
    """Run the whole story; True when the check went red, then green."""
    term = Terminal(out)
    async with AsyncExitStack() as stack:
        demo = await _start(stack)
        return await _story(demo, term)


async def _start(stack: AsyncExitStack) -> Demo:
    sim = Simulator()
    await sim.start()
    stack.push_async_callback(sim.stop)
    running = await start_app(sim, WEBHOOK_SECRET, log_level="WARNING")
    stack.push_async_callback(running.stop)
    session = await stack.enter_async_context(aiohttp.ClientSession())
    return Demo(sim, running.app, running.webhook_url, session)


async def _story(demo: Demo, term: Terminal) -> bool:
    sim = demo.sim
    term.say(term.paint("rfc-bot demo: a simulated GitHub and the App, on loopback", "1"))
    repo = sim.create_repo(
        REPO,
        files={CONFIG_PATH: demo_file("rfc-bot.yml"), "rfcs/README.md": demo_file("index.md")},
    )
    sim.set_permission(repo, AUTHOR, "write")
    sim.set_permission(repo, MAINTAINER, "admin")
    term.step(f"{AUTHOR} opens a pull request adding {RFC_PATH} (with mistakes)")
    pull = sim.open_pull_request(
        repo,
        head=BRANCH,
        files={RFC_PATH: demo_file("flawed.md")},
        author=AUTHOR,
        title="RFC: Job retries",
    )
    await demo.deliver("pull_request", sim.event_pull_request(repo, pull.number, "opened"))
    first = show_check(term, sim, repo, pull.number, sim.head(repo, BRANCH))

    term.step(f"{AUTHOR} pushes a fix to {BRANCH}")
    before = sim.head(repo, BRANCH)
    after = sim.commit(
        repo,
        BRANCH,
        files={RFC_PATH: demo_file("fixed.md")},
        message="Fix the RFC's metadata and sections",
        author=AUTHOR,
    )
    await demo.deliver(
        "pull_request",
        sim.event_pull_request(repo, pull.number, "synchronize", before=before, after=after),
    )
    second = show_check(term, sim, repo, pull.number, after)

    await _optional_status_and_merge(demo, term, repo, pull.number)
    ok = first == "failure" and second == "success"
    term.step("Result")
    verdict = "red, then green: the loop works" if ok else f"unexpected: {first} then {second}"
    term.say(term.paint(verdict, "1;32" if ok else "1;31"))
    return ok


def show_check(term: Terminal, sim: Simulator, repo: Any, number: int, head_sha: str) -> str | None:
    """Print the latest `RFC validation` run on ``head_sha`` as GitHub would show it."""
    runs = [r for r in sim.check_runs(repo, head_sha=head_sha) if r.get("name") == "RFC validation"]
    if not runs:
        term.say(term.paint("No check run was posted.", "1;31"))
        return None
    run = runs[-1]
    output = run.get("output") or {}
    term.say(f"Check  RFC validation: {term.conclusion(run.get('conclusion'))}")
    term.say(f"Title  {output.get('title')}")
    term.say()
    for line in (output.get("summary") or "").splitlines():
        term.say(f"    {line}")
    _show_annotations(term, sim, repo, head_sha, run.get("annotations") or [])
    labels = sorted(sim.pr_labels(repo, number))
    term.say()
    term.say(f"Labels {', '.join(labels) if labels else '(none)'}")
    return run.get("conclusion")


def _show_annotations(
    term: Terminal, sim: Simulator, repo: Any, head_sha: str, annotations: list[dict[str, Any]]
) -> None:
    if not annotations:
        return
    term.say()
    term.say(f"Annotations ({len(annotations)}):")
    sources: dict[str, list[str]] = {}
    for item in annotations:
        path, line = item["path"], item["start_line"]
        if path not in sources:
            sources[path] = (sim.file(repo, path, ref=head_sha) or "").splitlines()
        level = item.get("annotation_level", "notice")
        icon = term.paint(_ICONS.get(level, "?"), "31" if level == "failure" else "33")
        term.say(f"  {icon} {path}:{line} [{item.get('title')}] {item.get('message')}")
        source = sources[path]
        if 0 < line <= len(source):
            term.say(term.paint(f"      {line:>4} | {source[line - 1]}", "2"))
            _show_caret(term, item, source[line - 1])


def _show_caret(term: Terminal, item: dict[str, Any], source_line: str) -> None:
    start, end = item.get("start_column"), item.get("end_column")
    if not start or not end or start > len(source_line) + 1:
        return
    caret = " " * (start - 1) + "^" * max(1, end - start + 1)
    term.say(term.paint(f"           | {caret}", "31"))


async def _optional_status_and_merge(demo: Demo, term: Terminal, repo: Any, number: int) -> None:
    """`/rfc status proposed` and numbering on merge, shown only when those features exist."""
    sim = demo.sim
    comment = sim.add_comment(repo, number, AUTHOR, "/rfc status proposed")
    status_event = sim.event_issue_comment(repo, number, comment)
    if demo.handles("issue_comment", status_event):
        term.step(f"{AUTHOR} comments `/rfc status proposed`")
        await demo.deliver("issue_comment", status_event)
        text = sim.file(repo, RFC_PATH, ref=BRANCH) or ""
        status_line = next((ln for ln in text.splitlines() if ln.startswith("**Status:**")), "")
        term.say(f"{RFC_PATH} on {BRANCH}: {status_line.strip()}")
        for reply in sim.comments(repo, number)[1:]:
            term.say(f"  comment by {reply['user']['login']}: {_first_line(reply['body'])}")
        term.say(f"Labels {', '.join(sorted(sim.pr_labels(repo, number)))}")
    merge_sha = sim.merge_pull_request(repo, number, merged_by=MAINTAINER)
    closed = sim.event_pull_request(repo, number, "closed")
    if not demo.handles("pull_request", closed):
        return
    term.step(f"{MAINTAINER} merges the pull request")
    await demo.deliver("pull_request", closed)
    rfcs = sorted(path for path in sim.tree(repo) if path.startswith("rfcs/"))
    term.say(f"rfcs/ on main: {', '.join(rfcs)}")
    head = sim.head(repo, "main")
    if head != merge_sha:
        term.say(f"numbering commit: {_first_line(sim.commit_message(repo, head))}")


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of `rfc-bot demo`."""
    stream = out or sys.stdout
    started = time.perf_counter()
    ok = asyncio.run(run_demo(stream))
    print(f"\n(demo took {time.perf_counter() - started:.1f} s)", file=stream)
    return 0 if ok else 1
