from __future__ import annotations

import logging

import pytest
from gidgethub import sansio

from bot.deliveries import delivery_of
from bot.features.context import Context
from bot.features.installation import router


class NoCalls:
    """A GitHub client that fails the test if a handler uses it."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"installation handlers make no GitHub calls (tried {name})")


async def test_installation_created_logged(caplog: pytest.LogCaptureFixture) -> None:
    event = sansio.Event(
        {
            "action": "created",
            "installation": {"id": 5, "account": {"login": "octo-org"}},
            "repositories": [{"full_name": "octo-org/rfcs"}],
            "sender": {"login": "mona"},
        },
        event="installation",
        delivery_id="i-1",
    )
    with caplog.at_level(logging.INFO, logger="bot.features.installation"):
        await router.dispatch(delivery_of(event), NoCalls(), Context())
    [record] = caplog.records
    assert record.getMessage() == "installation created on octo-org"
    assert (record.installation_id, record.repositories, record.sender) == (
        5,
        ["octo-org/rfcs"],
        "mona",
    )


async def test_repositories_added_and_removed_logged(caplog: pytest.LogCaptureFixture) -> None:
    event = sansio.Event(
        {
            "action": "added",
            "installation": {"id": 5, "account": {"login": "octo-org"}},
            "repositories_added": [{"full_name": "octo-org/a"}, {"full_name": "octo-org/b"}],
            "repositories_removed": [],
        },
        event="installation_repositories",
        delivery_id="i-2",
    )
    with caplog.at_level(logging.INFO, logger="bot.features.installation"):
        await router.dispatch(delivery_of(event), NoCalls(), Context())
    [record] = caplog.records
    assert record.getMessage() == "installation repositories added on octo-org: +2 -0"
    assert record.added == ["octo-org/a", "octo-org/b"]
    assert record.removed == []
