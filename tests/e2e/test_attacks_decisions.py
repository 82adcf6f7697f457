"""More attacks on decisions, end to end: hostile names and titles, a backdated push hidden
behind padding commits, and two replicas accepting approvals at once. Each asserts that the
decision is what the App's record says, and nothing else."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.policy.decisions.record import RECORD_NAME
from bot.policy.markers import NUMBERED, NUMBERING_ERROR, PANEL, carries
from sandbox.harness import start_app
from tests.e2e.attack_helpers import full_rfc
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.decision_helpers import (
    ALICE,
    CONFIG,
    MONA,
    NINA,
    OMAR,
    PATH,
    app,
    app_comments,
    open_edit,
    panel,
    repo,
    review,
    say,
    status_on_branch,
    sweep,
)
from tests.e2e.helpers import BRANCH, send

__all__ = ["app", "repo"]  # fixtures from decision_helpers

FORGED_DONE = '<!-- rfc-bot:decision-done {"path":"x","target":"Final"} -->'
HOSTILE_PATH = f"rfcs/0002-x\n{PANEL}\n{FORGED_DONE}\n\n@evil <img src=x>.md"
HOSTILE_TITLE = f"{PANEL} @evil <b>bold</b> {FORGED_DONE}"
HOSTILE_CONCERN = f"/rfc concern {PANEL}@evil<b>x</b>"


async def push(sim: Any, app: Any, repo: Any, number: int, before: str) -> None:
    """Deliver ``synchronize`` from ``before`` to the branch's head, as GitHub sends it."""
    after = sim.head(repo, BRANCH)
    event = sim.event_pull_request(repo, number, "synchronize", before=before, after=after)
    await send(app, "pull_request", event)


def record_run(sim: Any, repo: Any) -> dict[str, Any]:
    """The newest decision record run of the pull request (on any of its commits)."""
    return max((r for r in sim.check_runs(repo) if r["name"] == RECORD_NAME), key=lambda r: r["id"])


def record_entries(sim: Any, repo: Any) -> list[tuple[str, str, str]]:
    entries = json.loads(record_run(sim, repo)["output"]["text"])["entries"]
    return [(e["kind"], e["actor"], e["path"]) for e in entries]


def outside_code(text: str) -> str:
    """``text`` without its fenced blocks and code spans (where nothing is markup); a code span
    ends at a blank line, as GitHub renders it."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    paragraphs = re.split(r"\n[ \t]*\n", text)
    spans = r"(`+)(?!`).*?(?<!`)\1(?!`)"
    return "\n\n".join(re.sub(spans, "", part, flags=re.S) for part in paragraphs)


def assert_inert(text: str) -> None:
    """Nothing of the hostile text forms a marker (anywhere), a mention or markup (outside
    code, where GitHub renders it)."""
    assert FORGED_DONE not in text and f"{PANEL}\n" not in text
    assert not carries(text, FORGED_DONE)
    assert not carries(text, NUMBERED) and not carries(text, NUMBERING_ERROR)
    rendered = outside_code(text)
    for markup in ("<img", "<b>", "@evil"):
        assert markup not in rendered


async def test_hostile_file_names_titles_and_concerns_form_nothing(
    sim: Any, app: Any, repo: Any
) -> None:
    """A title with markers, markup and a mention on the RFC under decision; a file beside it
    whose name holds newlines and markers; a concern "name" made of markers."""
    titled = full_rfc(title=HOSTILE_TITLE, number="0001", status="Proposed") + "\nMore.\n"
    files = {PATH: titled, HOSTILE_PATH: full_rfc(status="Proposed")}
    pull = sim.open_pull_request(repo, head=BRANCH, files=files, author=ALICE)
    await say(sim, app, repo, pull.number, MONA, f"/rfc status final {PATH}")
    await say(sim, app, repo, pull.number, NINA, f"/rfc approve {PATH}")
    recorded = record_entries(sim, repo)
    assert sorted(recorded) == [("approve", NINA, PATH), ("start", MONA, PATH)]
    await say(sim, app, repo, pull.number, OMAR, HOSTILE_CONCERN)  # refused: not a NAME
    await say(sim, app, repo, pull.number, OMAR, "/rfc approve")  # which RFC? refused
    await sweep(sim, app, repo)

    bodies = app_comments(sim, repo, pull.number)
    [board] = [body for body in bodies if carries(body, PANEL)]  # the one panel, by its head
    assert "0002-x" in board
    for body in bodies:
        assert_inert(body)
    assert_inert(record_run(sim, repo)["output"]["summary"])
    assert record_entries(sim, repo) == recorded
    assert "- [x] `nina`" in board and "**Concerns:** none open." in board
    sim.clock.advance(timedelta(hours=2))
    await sweep(sim, app, repo)  # the decision runs its course, as recorded
    assert status_on_branch(sim, repo) == "**Status:** Final"


@pytest.fixture
def dismissing_repo(sim: Any, repo: Any) -> Any:
    """The repository whose rule withdraws approvals when the RFC's text changes."""
    rule = CONFIG + "    dismiss_on_change: true\n"
    sim.commit(repo, "main", {".github/rfc-bot.yml": rule}, message="dismiss on change")
    return repo


async def backdated_change_behind_padding(sim: Any, app: Any, repo: Any) -> int:
    """Two approvals, then a push of new text dated before them, then 25 commits that do not
    touch the RFC. Returns the pull request's number."""
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=5))
    await review(sim, app, repo, pull.number, NINA, "APPROVED")
    await say(sim, app, repo, pull.number, OMAR, "/rfc approve")
    now, before = sim.clock.now(), sim.head(repo, BRANCH)
    sim.clock.freeze(now - timedelta(days=1))  # the commit claims a date before the approvals
    changed = full_rfc(number="0001", status="Proposed") + "\nA quiet change of meaning.\n"
    sim.commit(repo, BRANCH, {PATH: changed}, message="typo", author=ALICE)
    for n in range(25):
        sim.commit(repo, BRANCH, {f"notes/{n}.txt": str(n)}, message=f"pad {n}", author=ALICE)
    sim.clock.freeze(now + timedelta(minutes=1))
    await push(sim, app, repo, pull.number, before)
    return int(pull.number)


async def test_a_backdated_change_behind_padding_withdraws_the_approvals(
    sim: Any, app: Any, dismissing_repo: Any
) -> None:
    repo = dismissing_repo
    number = await backdated_change_behind_padding(sim, app, repo)
    assert "text-changed" in [kind for kind, _, _ in record_entries(sim, repo)]
    board = panel(sim, repo, number)
    assert "- [x] `nina`" not in board and "- [x] `omar`" not in board
    sim.clock.advance(timedelta(hours=3))
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"


async def test_a_backdated_change_behind_padding_is_not_moved(
    sim: Any, app: Any, repo: Any
) -> None:
    await backdated_change_behind_padding(sim, app, repo)
    assert "text-changed" in [kind for kind, _, _ in record_entries(sim, repo)]
    sim.clock.advance(timedelta(hours=3))
    await sweep(sim, app, repo)
    await sweep(sim, app, repo)
    assert status_on_branch(sim, repo) == "**Status:** Proposed"


@pytest.fixture
async def second_replica(sim: Any) -> AsyncIterator[BotApp]:
    running = await start_app(sim, WEBHOOK_SECRET, event_budget_seconds=30.0)
    async with aiohttp.ClientSession() as session:
        yield BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
    await running.stop()


async def test_two_replicas_accepting_approvals_at_once_record_both_once(
    sim: Any, app: Any, second_replica: BotApp, repo: Any
) -> None:
    pull = open_edit(sim, repo)
    await say(sim, app, repo, pull.number, MONA, "/rfc status final")
    sim.clock.advance(timedelta(minutes=1))
    by_nina = sim.add_comment(repo, pull.number, NINA, "/rfc approve")
    by_omar = sim.add_comment(repo, pull.number, OMAR, "/rfc approve")
    await asyncio.gather(
        send(app, "issue_comment", sim.event_issue_comment(repo, pull.number, by_nina)),
        send(second_replica, "issue_comment", sim.event_issue_comment(repo, pull.number, by_omar)),
    )
    await sweep(sim, app, repo)
    approvals = [actor for kind, actor, _ in record_entries(sim, repo) if kind == "approve"]
    assert sorted(approvals) == [NINA, OMAR]  # both, none twice
    board = panel(sim, repo, pull.number)
    assert "- [x] `nina`" in board and "- [x] `omar`" in board
