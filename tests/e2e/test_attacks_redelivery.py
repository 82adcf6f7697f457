"""A comment answered exactly once, end to end: the same `issue_comment` delivered again under
new delivery ids (GitHub's "Redeliver", a replay), at once, after a restart; its reply deleted
by hand; a forged reply marker; reactions by people and other Apps; a deleted command; an edit
delivered twice. Each test counts the replies and the status moves on the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.harness import start_app
from tests.e2e.conftest import WEBHOOK_SECRET, BotApp
from tests.e2e.helpers import BRANCH, bot_comments, operations, send
from tests.e2e.status_helpers import app, open_pull, repo

__all__ = ["app", "repo"]  # fixtures from status_helpers

PROPOSE = "/rfc status proposed"


@pytest.fixture
async def restarted(sim: Any, app: Any) -> AsyncIterator[BotApp]:
    """The App again in a new process's shoes: nothing remembered, GitHub holds it all."""
    running = await start_app(sim, WEBHOOK_SECRET, event_budget_seconds=30.0)
    async with aiohttp.ClientSession() as session:
        yield BotApp(running.app, running.webhook_url, WEBHOOK_SECRET, running.context, session)
    await running.stop()


def moves(sim: Any, repo: Any) -> int:
    history = repo.objects.history(sim.head(repo, BRANCH))
    return len([c for c in history if "status Draft -> Proposed" in c.message])


def app_reply_ids(sim: Any, repo: Any, number: int) -> list[int]:
    return [c["id"] for c in sim.comments(repo, number) if c["user"]["login"] == sim.bot_login]


async def commented(sim: Any, repo: Any, number: int, user: str, body: str) -> Any:
    """A comment on the simulator and its `created` payload (not delivered yet)."""
    comment = sim.add_comment(repo, number, user, body)
    return comment, sim.event_issue_comment(repo, number, comment)


async def test_three_deliveries_under_new_ids_get_one_reply_and_one_move(
    sim: Any, app: Any, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", PROPOSE)

    for delivery in ("first", "redelivered", "replayed"):
        await send(app, "issue_comment", event, delivery_id=delivery)

    [reply] = bot_comments(sim, repo, pull.number)
    assert "from **Draft** to **Proposed**" in reply
    assert moves(sim, repo) == 1
    assert sim.reactions(repo, comment["id"]) == ["+1"]


async def test_deliveries_at_once_get_one_reply(sim: Any, app: Any, repo: Any) -> None:
    pull = open_pull(sim, repo)
    _, event = await commented(sim, repo, pull.number, "alice", PROPOSE)

    statuses = await asyncio.gather(*(app.deliver("issue_comment", event) for _ in range(3)))
    await app.idle()

    assert statuses == [202, 202, 202]
    assert len(bot_comments(sim, repo, pull.number)) == 1
    assert moves(sim, repo) == 1


async def test_a_restarted_app_does_not_answer_again(
    sim: Any, app: Any, restarted: BotApp, repo: Any
) -> None:
    pull = open_pull(sim, repo)
    _, event = await commented(sim, repo, pull.number, "alice", PROPOSE)
    await send(app, "issue_comment", event)

    start = len(sim.requests)
    await send(restarted, "issue_comment", event)

    assert len(bot_comments(sim, repo, pull.number)) == 1
    assert moves(sim, repo) == 1
    # Only reads: the config's ref and the look for an earlier answer.
    assert "issues/create-comment" not in operations(sim, start)
    assert operations(sim, start).count("issues/list-comments") == 1


@pytest.mark.parametrize("again", ["same App", "restarted App"])
async def test_a_deleted_reply_is_not_posted_again_when_the_app_reacted(
    sim: Any, app: Any, restarted: BotApp, repo: Any, again: str
) -> None:
    """Someone with write access deletes the App's reply and the delivery comes again: the
    App's +1 on the comment says its commands were done, so nothing is run or said again."""
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", PROPOSE)
    await send(app, "issue_comment", event)
    [reply_id] = app_reply_ids(sim, repo, pull.number)
    sim.delete_comment(repo, reply_id)

    receiver = app if again == "same App" else restarted
    start = len(sim.requests)
    await send(receiver, "issue_comment", event)

    assert bot_comments(sim, repo, pull.number) == []
    assert moves(sim, repo) == 1
    assert sim.reactions(repo, comment["id"]) == ["+1"]
    # A restarted App proves the +1 is its own by asking GitHub which App the bot user is.
    asked = operations(sim, start).count("apps/get-by-slug")
    assert asked == (1 if again == "restarted App" else 0)


async def test_a_deleted_reply_of_a_refused_command_is_answered_again(
    sim: Any, app: Any, repo: Any
) -> None:
    """No +1 marks a refused command done, so with its reply deleted it is unanswered, as a
    sweep would find it too: it is answered again (and refused again)."""
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "eve", PROPOSE)
    await send(app, "issue_comment", event)
    [reply_id] = app_reply_ids(sim, repo, pull.number)
    sim.delete_comment(repo, reply_id)

    await send(app, "issue_comment", event)

    [reply] = bot_comments(sim, repo, pull.number)
    assert "I can't do that" in reply
    assert moves(sim, repo) == 0
    assert sim.reactions(repo, comment["id"]) == []


async def test_plus_ones_of_people_and_other_apps_do_not_stop_the_answer(
    sim: Any, restarted: BotApp, repo: Any
) -> None:
    """Anyone can react +1 before the App answers; only the App's own +1 means "done", and a
    restarted App asks GitHub which App each reacting bot is before it trusts one."""
    sim.register_app("ci-bot")
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", PROPOSE)
    sim.add_reaction(repo, comment["id"], "eve", "+1")
    sim.add_reaction(repo, comment["id"], "ci-bot[bot]", "+1", user_type="Bot")
    sim.add_reaction(repo, comment["id"], "rfc-bot", "+1")  # a person named like the App

    start = len(sim.requests)
    await send(restarted, "issue_comment", event)

    [reply] = bot_comments(sim, repo, pull.number)
    assert "from **Draft** to **Proposed**" in reply
    assert moves(sim, repo) == 1
    assert operations(sim, start).count("apps/get-by-slug") == 1  # ci-bot's, not ours


async def test_a_forged_reply_marker_does_not_count_as_an_answer(
    sim: Any, app: Any, repo: Any
) -> None:
    """eve pastes the App's reply marker for alice's comment before the App answers it: only
    a comment GitHub says the App wrote is an answer."""
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", PROPOSE)
    marker = f"<!-- rfc-bot:reply:{comment['id']} -->"
    sim.add_comment(repo, pull.number, "eve", f"{marker}\nAlready done, nothing to see.")
    sim.add_comment(repo, pull.number, "eve", f"{marker}", user_type="Bot")

    await send(app, "issue_comment", event)

    [reply] = bot_comments(sim, repo, pull.number)
    assert "from **Draft** to **Proposed**" in reply
    assert moves(sim, repo) == 1


async def test_a_command_deleted_before_it_was_answered_is_not_run(
    sim: Any, app: Any, repo: Any
) -> None:
    """Posted and deleted (an outage held its delivery, or a replay came later): nothing is
    left to answer, and its commands do not run."""
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", PROPOSE)
    sim.delete_comment(repo, comment["id"])

    await send(app, "issue_comment", event)

    assert bot_comments(sim, repo, pull.number) == []
    assert moves(sim, repo) == 0


async def test_an_edit_delivered_twice_gets_one_reply_of_its_own(
    sim: Any, app: Any, repo: Any
) -> None:
    """The comment's first commands were answered (and +1'd); an edit adds a command: its
    reply is its own, and a second delivery of the edit finds it."""
    pull = open_pull(sim, repo)
    comment, event = await commented(sim, repo, pull.number, "alice", "/rfc check")
    await send(app, "issue_comment", event)
    before = comment["body"]
    edited = sim.edit_comment(repo, comment["id"], f"{before}\n{PROPOSE}")
    changes = {"body": {"from": before}}
    edit = sim.event_issue_comment(repo, pull.number, edited, "edited", changes)

    await send(app, "issue_comment", edit)
    await send(app, "issue_comment", edit)

    replies = bot_comments(sim, repo, pull.number)
    assert len(replies) == 2
    assert "Validation ran again" in replies[0]
    assert "from **Draft** to **Proposed**" in replies[1]
    assert moves(sim, repo) == 1
