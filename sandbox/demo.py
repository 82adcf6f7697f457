"""`rfc-bot demo`: the whole loop on loopback, with no credentials and no network.

Starts the GitHub simulator and the App side by side, opens a pull request with a flawed RFC,
delivers the signed webhook and prints what a reviewer would see on GitHub: a red check with
annotations on the offending lines, and the labels. Then it pushes a fix and shows the check
turn green. Then `/rfc status proposed`; a decision to make the RFC Final (a maintainer starts
it, another approves in a review, a third raises a concern and resolves it, the one-minute
comment period runs out on the simulator's clock, and the App's sweep makes the move); the
number assigned on merge, with the RFC's tracking issue and the links to it rewritten; and
`rfc-bot audit --github` of the repository: who decided what.

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

from bot.cli.audit_github import read_github_audit
from bot.policy.audit import ProofKey, Verdict
from bot.policy.audit_report import render_text
from bot.policy.provenance import signing_key
from bot.rfc.config.public import CONFIG_PATH
from bot.serve.app import RECONCILER, wait_idle
from sandbox.delivery import deliver
from sandbox.harness import start_app
from sandbox.simulator import Simulator

REPO = "octo-org/rfcs"
RFC_PATH = "rfcs/0000-job-retries.md"
NUMBERED_PATH = "rfcs/0001-job-retries.md"
DOC_PATH = "docs/job-retries.md"  # links to the RFC: the numbering commit rewrites the link
DOC = "# Operating job retries\n\nThe design is [the RFC](../rfcs/0000-job-retries.md).\n"
BRANCH = "rfc/job-retries"
AUTHOR = "alice"
MAINTAINER = "mona"
REVIEWER, OBJECTOR = "nina", "omar"
WEBHOOK_SECRET = "demo-webhook-secret"  # the demo's own App and simulator; nothing real
_ICONS = {"failure": "✗", "warning": "!", "notice": "i"}


def demo_file(name: str) -> str:
    """A text packaged under ``sandbox/demo_rfcs`` (works from an installed wheel)."""
    return resources.files("sandbox.demo_rfcs").joinpath(name).read_text("utf-8")


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


async def run_demo(out: TextIO) -> bool:
    """Run the whole story; True when every step did what it should."""
    term = Terminal(out)
    async with AsyncExitStack() as stack:
        demo = await _start(stack)
        return await _story(demo, term)


async def _start(stack: AsyncExitStack) -> Demo:
    sim = Simulator()
    await sim.start()
    stack.push_async_callback(sim.stop)
    sim.clock.freeze()  # the decision's comment period runs on this clock, moved by the story
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
    sim.set_permission(repo, REVIEWER, "write")
    sim.set_permission(repo, OBJECTOR, "write")
    term.step(f"{AUTHOR} opens a pull request adding {RFC_PATH} (with mistakes)")
    pull = sim.open_pull_request(
        repo,
        head=BRANCH,
        files={RFC_PATH: demo_file("flawed.md"), DOC_PATH: DOC},
        author=AUTHOR,
        title="RFC: Job retries",
        body=f"Retries with backoff.\n\n[Rendered]({_blob(repo, BRANCH, RFC_PATH)})\n",
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

    proposed = await _status_command(demo, term, repo, pull.number)
    final = await _decision(demo, term, repo, pull.number)
    numbered = await _merge(demo, term, repo, pull.number)
    tracked, linked = _follow_up(term, sim, repo, pull.number)
    audited = await _audit(demo, term, repo)
    steps = {
        "red on the flawed RFC": first == "failure",
        "green after the fix": second == "success",
        "/rfc status proposed committed": proposed,
        "decision: approvals, a concern, the comment period, the App's move to Final": final,
        "number assigned on merge": numbered,
        "tracking issue opened once, recorded beside the number, linked both ways": tracked,
        "links to the renamed RFC rewritten (a doc, the Rendered link)": linked,
        "audit: every move proven, the decision's approvers named": audited,
    }
    term.step("Result")
    for step, done in steps.items():
        term.say(term.paint(f"{'ok ' if done else 'FAILED'} {step}", "32" if done else "1;31"))
    return all(steps.values())


def _blob(repo: Any, ref: str, path: str) -> str:
    return f"{repo.web_url}/{REPO}/blob/{ref}/{path}"


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


async def _status_command(demo: Demo, term: Terminal, repo: Any, number: int) -> bool:
    """The author moves the RFC to Proposed with a comment; True when the file says so."""
    sim = demo.sim
    term.step(f"{AUTHOR} comments `/rfc status proposed`")
    comment = sim.add_comment(repo, number, AUTHOR, "/rfc status proposed")
    await demo.deliver("issue_comment", sim.event_issue_comment(repo, number, comment))
    text = sim.file(repo, RFC_PATH, ref=BRANCH) or ""
    status_line = next((ln for ln in text.splitlines() if ln.startswith("**Status:**")), "")
    term.say(f"{RFC_PATH} on {BRANCH}: {status_line.strip()}")
    _show_bot_comments(term, sim, repo, number, after=comment["id"])
    term.say(f"Labels {', '.join(sorted(sim.pr_labels(repo, number)))}")
    return status_line.strip() == "**Status:** Proposed"


async def _say(demo: Demo, repo: Any, number: int, user: str, body: str) -> dict[str, Any]:
    comment = demo.sim.add_comment(repo, number, user, body)
    await demo.deliver("issue_comment", demo.sim.event_issue_comment(repo, number, comment))
    return comment


async def _decision(demo: Demo, term: Terminal, repo: Any, number: int) -> bool:
    """Proposed -> Final needs two maintainers' approval and a comment period; True when the
    App made the move itself once the period ran out."""
    sim = demo.sim
    last = max(c["id"] for c in sim.comments(repo, number))
    term.step(f"{MAINTAINER} comments `/rfc status final`: a decision starts")
    await _say(demo, repo, number, MAINTAINER, "/rfc status final")
    _show_bot_comments(term, sim, repo, number, after=last)
    term.step(f"{REVIEWER} approves the pull request in a review: the comment period starts")
    sim.clock.advance(5)
    review = sim.submit_review(repo, number, REVIEWER, "APPROVED")
    await demo.deliver("pull_request_review", sim.event_pull_request_review(repo, number, review))
    # A review gets no comment of its own: the App answers in the status panel.
    _show_panel(term, sim, repo, number, only=("- [x] ", "**Approvals:**", "**Comment period:**"))
    term.step(f"{OBJECTOR} raises a concern: the comment period stops")
    sim.clock.advance(20)
    concern = await _say(demo, repo, number, OBJECTOR, "/rfc concern naming")
    _show_bot_comments(term, sim, repo, number, after=concern["id"])
    _show_panel(term, sim, repo, number, only=("**Concerns:**", "- `naming`", "**Next step:**"))
    term.step(f"{OBJECTOR} resolves the concern: the period starts again")
    sim.clock.advance(10)
    resolved = await _say(demo, repo, number, OBJECTOR, "/rfc resolve naming")
    _show_bot_comments(term, sim, repo, number, after=resolved["id"])
    _show_panel(term, sim, repo, number)
    term.step("a minute later, the App's sweep ends the comment period")
    last = max(c["id"] for c in sim.comments(repo, number))
    sim.clock.advance(61)
    sweeper = demo.app[RECONCILER]
    sweeper.grace_seconds = 0.0
    await sweeper.sweep()
    text = sim.file(repo, RFC_PATH, ref=BRANCH) or ""
    status_line = next((ln for ln in text.splitlines() if ln.startswith("**Status:**")), "")
    term.say(f"{RFC_PATH} on {BRANCH}: {status_line.strip()}")
    head = sim.head(repo, BRANCH)
    term.say(f"commit on {BRANCH}: {_first_line(sim.commit_message(repo, head))}")
    _show_bot_comments(term, sim, repo, number, after=last)
    return status_line.strip() == "**Status:** Final"


def _show_panel(
    term: Terminal, sim: Simulator, repo: Any, number: int, only: tuple[str, ...] = ()
) -> None:
    """The App's status panel, as the comment reads (its markers left out); ``only``: just
    the lines that start with one of these."""
    for comment in sim.comments(repo, number):
        if comment["user"]["login"] == sim.bot_login and "rfc-bot:panel" in comment["body"]:
            term.say("  status panel:" if not only else "  status panel, in part:")
            for line in comment["body"].splitlines():
                if line.startswith("<!--") or not line.strip():
                    continue
                if not only or line.startswith(only):
                    term.say(f"    {line}")


async def _merge(demo: Demo, term: Terminal, repo: Any, number: int) -> bool:
    """A maintainer merges; True when the RFC got its number, the index and the label."""
    sim = demo.sim
    term.step(f"{MAINTAINER} merges the pull request")
    merge_sha = sim.merge_pull_request(repo, number, merged_by=MAINTAINER)
    last_comment = max((c["id"] for c in sim.comments(repo, number)), default=0)
    await demo.deliver("pull_request", sim.event_pull_request(repo, number, "closed"))
    head = sim.head(repo, "main")
    if head != merge_sha:
        term.say(f"commit on main: {_first_line(sim.commit_message(repo, head))}")
    rfcs = sorted(path for path in sim.tree(repo) if path.startswith("rfcs/"))
    term.say(f"rfcs/ on main: {', '.join(rfcs)}")
    index = sim.file(repo, "rfcs/README.md") or ""
    for row in (ln for ln in index.splitlines() if ln.startswith("| 0")):
        term.say(f"  index row: {row}")
    _show_bot_comments(term, sim, repo, number, after=last_comment)
    term.say(f"Labels {', '.join(sorted(sim.pr_labels(repo, number)))}")
    numbered = NUMBERED_PATH in rfcs and RFC_PATH not in rfcs
    return numbered and "rfc: numbered" in sim.pr_labels(repo, number)


def _follow_up(term: Terminal, sim: Simulator, repo: Any, number: int) -> tuple[bool, bool]:
    """What the merge did besides the number: (the tracking issue opened, recorded and
    linked from the pull request; the links to the RFC rewritten)."""
    term.step("...and, in the same commit and after it: the tracking issue and the links")
    issues = [i for i in sim.issues(repo) if i["user"]["login"] == sim.bot_login]
    for issue in issues:
        people = ", ".join(a["login"] for a in issue["assignees"]) or "nobody"
        term.say(f"issue #{issue['number']}: {issue['title']} (assigned to {people})")
        for line in issue["body"].splitlines()[1:]:
            if line.strip():
                term.say(f"    {line}")
    text = sim.file(repo, NUMBERED_PATH) or ""
    recorded = next((ln.strip() for ln in text.splitlines() if "Tracking Issue" in ln), "")
    term.say(f"{NUMBERED_PATH} on main: {recorded or '(no Tracking Issue line)'}")
    doc = sim.file(repo, DOC_PATH) or ""
    link = next((ln for ln in doc.splitlines() if "](" in ln), "")
    term.say(f"{DOC_PATH} on main: {link}")
    body = sim.pull_request(repo, number).body
    rendered = next((ln for ln in body.splitlines() if ln.startswith("[Rendered]")), "")
    term.say(f"pull request description: {rendered}")
    announced = any(
        issues and f"tracked in #{issues[0]['number']}" in c["body"]
        for c in sim.comments(repo, number)
        if c["user"]["login"] == sim.bot_login
    )
    tracked = len(issues) == 1 and recorded == f"**Tracking Issue:** #{issues[0]['number']}"
    linked = "../rfcs/0001-job-retries.md" in link and f"/blob/main/{NUMBERED_PATH}" in rendered
    return tracked and announced, linked


async def _audit(demo: Demo, term: Terminal, repo: Any) -> bool:
    """The audit of main through the simulator's API, as `rfc-bot audit --github` prints it
    with the App's secret; True when every move was proven and the decision is named."""
    term.step(f"rfc-bot audit --github {REPO}: each RFC's status history, proven or not")
    token, _ = demo.sim.issue_token(repo.installation_id)
    key = ProofKey(signing_key(WEBHOOK_SECRET))
    report = await read_github_audit(REPO, demo.sim.base_url, token, key)
    for line in render_text(report).splitlines():
        term.say(f"  {line}" if line else "")
    proven = [move for move in report.moves if move.verdict is Verdict.PROVEN]
    decided = any(step.decision is not None for move in proven for step in move.steps)
    return report.ok and bool(proven) and decided


def _show_bot_comments(term: Terminal, sim: Simulator, repo: Any, number: int, after: int) -> None:
    for reply in sim.comments(repo, number):
        if reply["id"] > after and reply["user"]["login"] == sim.bot_login:
            body = "\n".join(ln for ln in reply["body"].splitlines() if not ln.startswith("<!--"))
            term.say(f"  comment by {reply['user']['login']}: {_first_line(body)}")


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of `rfc-bot demo`."""
    stream = out or sys.stdout
    started = time.perf_counter()
    ok = asyncio.run(run_demo(stream))
    print(f"\n(demo took {time.perf_counter() - started:.1f} s)", file=stream)
    return 0 if ok else 1
