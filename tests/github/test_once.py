"""``create_once`` and ``answer_lost``: a write whose answer was lost is looked for before it
is made again, with backoff, until the client's retry deadline; a refusal is never retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import aiohttp
import gidgethub
import pytest

from bot.github.client import RETRY_WINDOW_SECONDS, DeadlineExceeded, GitHubClient
from bot.github.once import answer_lost, create_once

ROUTE = "/repos/{owner}/{repo}/issues/{id}/comments"


class Time:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 500.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Script:
    """``create`` fails with the scripted errors, then answers ``made``; ``find`` answers
    what was applied so far."""

    def __init__(self, errors: list[BaseException], applied: bool = False) -> None:
        self.errors = errors
        self.applied = applied  # a failed create still landed
        self.creates = 0
        self.finds = 0
        self.landed = 0

    async def create(self) -> str:
        self.creates += 1
        if self.errors:
            error = self.errors.pop(0)
            if self.applied:
                self.landed += 1
            raise error
        self.landed += 1
        return "made"

    async def find(self) -> str | None:
        self.finds += 1
        return "found" if self.landed else None


def broken(status: int = 502) -> gidgethub.GitHubBroken:
    return gidgethub.GitHubBroken(HTTPStatus(status))


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def time_() -> Time:
    return Time()


def client(session: aiohttp.ClientSession, time_: Time, **kwargs: Any) -> GitHubClient:
    return GitHubClient(
        session,
        base_url="http://127.0.0.1:9",
        sleep=time_.sleep,
        clock=time_.clock,
        rand=lambda: 0.5,
        wall_clock=lambda: 1_700_000_000.0,
        **kwargs,
    )


@pytest.mark.parametrize(
    "error", [broken(502), broken(504), TimeoutError(), aiohttp.ServerDisconnectedError()]
)
async def test_an_applied_write_whose_answer_was_lost_is_found_not_made_again(
    session: aiohttp.ClientSession, time_: Time, error: BaseException
) -> None:
    script = Script([error], applied=True)
    assert await create_once(client(session, time_), ROUTE, script.create, script.find) == "found"
    assert (script.creates, script.finds, script.landed) == (1, 1, 1)


async def test_five_lost_answers_of_writes_not_applied_make_it_once(
    session: aiohttp.ClientSession, time_: Time
) -> None:
    script = Script([broken()] * 5)
    assert await create_once(client(session, time_), ROUTE, script.create, script.find) == "made"
    assert (script.creates, script.finds, script.landed) == (6, 5, 1)
    assert time_.slept == [0.25, 0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("error", [gidgethub.BadRequest(HTTPStatus(422)), DeadlineExceeded("x")])
async def test_a_refusal_or_a_spent_deadline_is_raised_without_looking(
    session: aiohttp.ClientSession, time_: Time, error: BaseException
) -> None:
    script = Script([error])
    with pytest.raises(type(error)):
        await create_once(client(session, time_), ROUTE, script.create, script.find)
    assert (script.creates, script.finds) == (1, 0)


async def test_it_gives_up_at_the_retry_deadline_with_the_last_error(
    session: aiohttp.ClientSession, time_: Time
) -> None:
    script = Script([broken()] * 1000)
    start = time_.now
    with pytest.raises(gidgethub.GitHubBroken):
        await create_once(client(session, time_), ROUTE, script.create, script.find)
    assert time_.now - start < RETRY_WINDOW_SECONDS <= time_.now - start + time_.slept[-1]
    assert script.creates == script.finds == len(time_.slept) + 1
    assert script.landed == 0


async def test_it_stops_before_the_reserve_of_the_event_deadline(
    session: aiohttp.ClientSession, time_: Time
) -> None:
    script = Script([broken()] * 1000)
    gh = client(session, time_, deadline=time_.now + 30.0, reserve=10.0)
    with pytest.raises(gidgethub.GitHubBroken):
        await create_once(gh, ROUTE, script.create, script.find)
    assert time_.now < gh.deadline - gh.reserve  # type: ignore[operator]


async def test_a_plain_client_gets_one_more_attempt() -> None:
    script = Script([broken(), broken()])
    with pytest.raises(gidgethub.GitHubBroken):
        await create_once(object(), ROUTE, script.create, script.find)  # type: ignore[arg-type]
    assert (script.creates, script.finds) == (2, 2)


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (broken(500), True),
        (broken(503), True),
        (gidgethub.BadRequest(HTTPStatus(404)), False),
        (gidgethub.BadRequest(HTTPStatus(403)), False),
        (TimeoutError(), True),
        (aiohttp.ClientOSError(), True),
        (DeadlineExceeded("spent"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_answers_are_lost(error: BaseException, lost: bool) -> None:
    assert answer_lost(error) is lost
