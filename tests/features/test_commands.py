"""The command handler's edges without a server: a long comment is parsed in the parser's
thread, never on the event loop; whose +1 on a comment is the App's, asking GitHub about as
few bot users as it can."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

import bot.features.commands as commands
from bot.features.commands import PARSE_ON_LOOP_MAX_CHARS, AppLogin, app_reacted
from bot.features.context import Context
from bot.policy.commands import parse_commands
from bot.rfc.config.public import Config

APP_ID = 4242


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each parse ran on."""
    seen: list[str] = []
    parse = commands.commands_in

    def recorded(*args: Any) -> Any:
        seen.append(threading.current_thread().name)
        return parse(*args)

    monkeypatch.setattr(commands, "commands_in", recorded)
    return seen


async def test_a_short_comment_is_parsed_on_the_loop(threads: list[str]) -> None:
    body = "Ready.\n\n/rfc status proposed"
    found = await commands.commands_to_run(body, Config(), False, None)
    assert found == parse_commands(body)
    assert threads == [threading.current_thread().name]


async def test_a_long_comment_is_parsed_in_the_parsers_thread(threads: list[str]) -> None:
    body = "*a_ " * (PARSE_ON_LOOP_MAX_CHARS // 4) + "\n\n/rfc check"
    found = await commands.commands_to_run(body, Config(), False, None)
    assert found == parse_commands(body)
    assert threads[0].startswith("rfc-command-parser")


async def test_a_long_edit_is_parsed_in_the_thread_and_runs_only_new_lines(
    threads: list[str],
) -> None:
    before = "x" * PARSE_ON_LOOP_MAX_CHARS + "\n\n/rfc check"
    after = before + "\n/rfc help"
    found = await commands.commands_to_run(after, Config(), True, before)
    assert [item.raw for item in found] == ["/rfc help"]
    assert threads[0].startswith("rfc-command-parser")
    assert await commands.commands_to_run(after, Config(), True, None) == []


class Reactions:
    """A GitHub client answering a comment's +1 reactions and which App a bot slug is."""

    def __init__(self, reactions: list[tuple[str, str]], apps: dict[str, int]) -> None:
        self.reactions = [{"content": "+1", "user": {"login": login, "type": kind}}
                          for login, kind in reactions]  # fmt: skip
        self.apps = apps
        self.asked: list[str] = []

    async def getiter(self, url: str, params: Any = None, **_: Any) -> AsyncIterator[Any]:
        assert "/reactions" in url and params["content"] == "+1"
        for reaction in self.reactions:
            yield reaction

    async def getitem(self, url: str, params: Any = None, **_: Any) -> Any:
        assert url == "/apps/{app_slug}"
        self.asked.append(params["app_slug"])
        return {"id": self.apps[params["app_slug"]], "slug": params["app_slug"]}


async def test_the_apps_plus_one_is_proven_once_then_known_by_its_login() -> None:
    ctx = Context(app_id=APP_ID)
    gh = Reactions([("eve", "User"), ("ci[bot]", "Bot"), ("rfc-bot[bot]", "Bot")],
                   {"ci": 77, "rfc-bot": APP_ID})  # fmt: skip
    assert await app_reacted(gh, ctx, "o/r", 1)
    assert gh.asked == ["ci", "rfc-bot"]
    assert ctx.caches.of(AppLogin).login == "rfc-bot[bot]"
    assert await app_reacted(gh, ctx, "o/r", 2)
    assert gh.asked == ["ci", "rfc-bot"]  # known now: nobody asked about again


async def test_plus_ones_of_people_and_other_apps_are_not_the_apps() -> None:
    ctx = Context(app_id=APP_ID)
    gh = Reactions([("rfc-bot", "User"), ("ci[bot]", "Bot")], {"ci": 77})
    assert not await app_reacted(gh, ctx, "o/r", 1)
    assert gh.asked == ["ci"]  # a person is never asked about, whatever their login
    assert ctx.caches.of(AppLogin).login is None


async def test_few_bot_users_are_asked_about() -> None:
    ctx = Context(app_id=APP_ID)
    bots = [(f"bot{n}[bot]", "Bot") for n in range(10)]
    gh = Reactions(bots, {f"bot{n}": 100 + n for n in range(10)})
    assert not await app_reacted(gh, ctx, "o/r", 1)
    assert len(gh.asked) == commands.MAX_BOTS_ASKED


async def test_without_an_app_id_any_bots_plus_one_counts() -> None:
    """A Context made without settings knows no App id: as with its comments, any bot's."""
    gh = Reactions([("ci[bot]", "Bot")], {})
    assert await app_reacted(gh, Context(), "o/r", 1)
    assert not await app_reacted(Reactions([("eve", "User")], {}), Context(), "o/r", 1)
    assert gh.asked == []
