"""Finding the live replicas: each peer's /healthz asked at once, with a short timeout; a
peer that answers anything but 200, hangs, or is gone is not alive."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.policy.replicas import ALONE, Share
from bot.serve.peers import Peers


class Directory:
    """Replicas' /healthz at /replica/<index>/healthz, each told how to answer."""

    def __init__(self) -> None:
        self.answers: dict[int, str] = {}  # "ok", "hang", "500", "redirect"; absent: 404
        self.asked: list[int] = []

    async def healthz(self, request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        self.asked.append(index)
        answer = self.answers.get(index)
        if answer == "hang":
            await asyncio.sleep(30)
        if answer == "ok":
            return web.json_response({"status": "ok"})
        if answer == "redirect":
            raise web.HTTPFound("/replica/0/healthz")
        if answer == "500":
            return web.Response(status=500)
        return web.Response(status=404)


@pytest.fixture
async def directory() -> AsyncIterator[tuple[Directory, str]]:
    found = Directory()
    app = web.Application()
    app.router.add_get("/replica/{index}/healthz", found.healthz)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield found, f"http://127.0.0.1:{server.port}/replica/{{index}}/healthz"
    finally:
        await server.close()


async def test_one_replica_is_alone_and_asks_nobody() -> None:
    assert await Peers(1, 0, "http://127.0.0.1:9/{index}").share() is ALONE


async def test_without_a_peer_url_every_replica_is_taken_to_be_alive() -> None:
    assert await Peers(3, 1).share() == Share(1, frozenset({0, 1, 2}), 3)


async def test_peers_that_answer_200_are_alive(directory: tuple[Directory, str]) -> None:
    found, url = directory
    found.answers = {0: "ok", 2: "ok"}

    share = await Peers(3, 1, url).share()

    assert share == Share(1, frozenset({0, 1, 2}), 3)
    assert sorted(found.asked) == [0, 2]  # never itself


async def test_silent_peers_are_not_alive_and_are_named_once(
    directory: tuple[Directory, str], caplog: pytest.LogCaptureFixture
) -> None:
    found, url = directory
    found.answers = {0: "ok", 2: "500", 3: "redirect", 4: "hang"}  # 5: 404
    peers = Peers(6, 1, url, timeout=0.5)
    caplog.set_level(logging.INFO, logger="bot.serve.peers")

    started = time.monotonic()
    share = await peers.share()
    waited = time.monotonic() - started
    again = await peers.share()

    assert share == again == Share(1, frozenset({0, 1}), 6)
    assert share.missing == [2, 3, 4, 5]
    assert waited < 5  # asked together: one timeout, not one per peer
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4  # once each, not once per sweep
    assert any("replica 2 did not answer at" in w and "(answered 500)" in w for w in warnings)
    assert any("replica 3" in w and "(answered 302)" in w for w in warnings)
    assert any("replica 4" in w and "(no answer within 0.5 s)" in w for w in warnings)
    found.answers[2] = "ok"
    assert (await peers.share()).live == frozenset({0, 1, 2})
    assert "replica 2 answers again" in caplog.records[-1].getMessage()


async def test_a_peer_that_is_gone_is_not_alive(unused_tcp_port: int) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}/{{index}}/healthz"  # nothing listens there
    share = await Peers(2, 0, url).share()
    assert share == Share(0, frozenset({0}), 2)
    assert share.owns("any/repository")


def test_the_template_takes_only_the_index() -> None:
    peers = Peers(3, 0, "http://rfc-bot-{index}.rfc-bot:8000/healthz")
    assert peers.url(2) == "http://rfc-bot-2.rfc-bot:8000/healthz"
