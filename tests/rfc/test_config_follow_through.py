"""The follow-through keys: ``stale_after`` per status, the optional ``digest`` table and its
dashboard address, the stale, keep and digest labels."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.rfc.config.public import ConfigError, DigestConfig, load_config


def test_stale_after_reads_durations_per_status() -> None:
    config = load_config("stale_after: {Proposed: 60d, Draft: 12h, Final: 0}\n")
    assert dict(config.stale_after) == {
        "Proposed": timedelta(days=60),
        "Draft": timedelta(hours=12),
        "Final": timedelta(0),
    }
    assert dict(load_config("").stale_after) == {}


def test_stale_after_names_only_known_statuses() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config("stale_after: {Proposd: 60d}\n")
    assert "unknown status 'Proposd' (did you mean 'Proposed'?)" in str(raised.value)


def test_stale_after_wants_a_duration() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config("stale_after: {Proposed: sixty days}\n")
    assert "stale_after.Proposed" in str(raised.value)


def test_the_digest_is_off_until_written() -> None:
    assert load_config("").digest is None
    assert load_config("digest: {}\n").digest == DigestConfig()
    digest = load_config(
        "digest: {issue_title: Weekly RFCs, weekday: friday,"
        " dashboard_url: 'https://rfc-bot.example.com/dashboard/'}\n"
    ).digest
    assert digest == DigestConfig("Weekly RFCs", "friday", "https://rfc-bot.example.com/dashboard")


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "https://example.com/a b",
        "https://example.com/)[x](https://evil.example",
        "ftp://example.com",
        "https://",
    ],
)
def test_a_dashboard_address_that_is_no_web_address_is_refused(address: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(f"digest: {{dashboard_url: {address!r}}}\n")
    assert "is not a web address" in str(raised.value)


def test_a_misspelt_weekday_is_named() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config("digest: {weekday: mondey}\n")
    assert "did you mean 'monday'" in str(raised.value)
