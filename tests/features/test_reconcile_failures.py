"""A sweep that cannot reach GitHub says so in one line, and tries again at the next sweep."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.clock import epoch_seconds, system_clock
from bot.features.context import Context
from bot.features.reconcile import Reconciler
from bot.github.auth import AppAuth
from bot.github.client import ClientFactory
from tests.keys import private_key_pem, rsa_key

__all__ = ["private_key_pem", "rsa_key"]


@pytest.fixture
async def nowhere(private_key_pem: str, unused_tcp_port: int) -> AsyncIterator[ClientFactory]:
    """Clients of a GitHub at a loopback port where nothing listens."""
    async with aiohttp.ClientSession() as session:
        yield ClientFactory(
            session,
            AppAuth("4242", private_key_pem, clock=epoch_seconds(system_clock)),
            base_url=f"http://127.0.0.1:{unused_tcp_port}",
            clock=system_clock,
            request_timeout=1.0,
        )


async def test_unreachable_github_is_one_line(
    nowhere: ClientFactory, unused_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    sweeper = Reconciler(lambda: nowhere, Context())
    caplog.set_level(logging.INFO, logger="bot.features.reconcile")

    report = await sweeper.sweep()

    assert report.errors == 1 and report.repositories == 0
    [failure] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert failure.getMessage() == (
        "reconcile: sweep failed: GitHub is unreachable: cannot connect to "
        f"127.0.0.1:{unused_tcp_port} (connection refused)"
    )
    assert failure.exc_info is None
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_sweep_before_the_server_started_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.features.reconcile")
    report = await Reconciler(lambda: None, Context()).sweep()
    assert report.errors == 1
    assert caplog.records[0].getMessage() == (
        "reconcile: sweep failed: internal error RuntimeError: the GitHub session is not open"
        " (app not started) (its traceback is logged at DEBUG)"
    )
