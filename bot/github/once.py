"""Writes made once although their answers may be lost.

A POST that GitHub applied may still answer 5xx, time out or lose its connection; sent again,
it would make a second comment or check run. ``create_once`` looks first for what the lost
attempt may have made (a check run by its ``external_id``, a comment by its hidden marker) and
creates again only if it is not there, with the client's backoff, until its retry deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import gidgethub
from gidgethub.abc import GitHubAPI

from bot.github.client import DeadlineExceeded, GitHubClient

T = TypeVar("T")


def answer_lost(error: BaseException) -> bool:
    """GitHub may have applied the request this error answered: a 5xx, a timeout or a dropped
    connection. Not a refusal (4xx), and not this event's own deadline."""
    if isinstance(error, DeadlineExceeded):
        return False
    if isinstance(error, gidgethub.GitHubException):
        return int(getattr(error, "status_code", 500)) >= 500
    return isinstance(error, TimeoutError | aiohttp.ClientError)


async def create_once(
    gh: GitHubAPI,
    route: str,
    create: Callable[[], Awaitable[T]],
    find: Callable[[], Awaitable[T | None]],
) -> T:
    """What must exist once (a comment, a check run), created by ``create``. When an answer is
    lost the write may have been applied: ``find`` it, and create again only if it is not
    there, with backoff, until the client's retry deadline. A POST that creates is never
    re-sent blindly."""
    until = gh.retry_deadline() if isinstance(gh, GitHubClient) else 0.0
    attempt = 0
    while True:
        attempt += 1
        try:
            return await create()
        except Exception as error:
            if not answer_lost(error):
                raise
            found = await find()
            if found is not None:
                return found
            if not await _pause(gh, route, attempt, until):
                raise


async def _pause(gh: GitHubAPI, route: str, attempt: int, until: float) -> bool:
    if isinstance(gh, GitHubClient):
        return await gh.pause(route, attempt, until)
    return attempt < 2  # a plain client (tests, the Action's): one more attempt, no backoff
