from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MiJ9.c2lnbmF0dXJl"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxyz\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("Authorization: token ghs_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F"),
        ("authorization: bearer " + JWT, "eyJpc3MiOiI0MiJ9"),
        ("token=v1.1f699f1069f60xxx1234", "1f699f1069f60"),
        ("got ghs_abcdefghijklmnop in a message", "abcdefghijklmnop"),
        ("personal github_pat_11ABCDEFG_xyz", "11ABCDEFG"),
        ("a bare jwt " + JWT, "c2lnbmF0dXJl"),
        ("key:\n" + PEM + "\ntrailing", "MIIEowIBAAKCAQEAxyz"),
        ("truncated " + PEM.split("\n-----END")[0], "MIIEowIBAAKCAQEAxyz"),
        ("TOKEN abcdefgh12345678 in capitals", "abcdefgh12345678"),
        ("Authorization: Bearer abcdefgh12345678", "abcdefgh12345678"),
    ],
)
def test_redact_patterns(text: str, leaked: str) -> None:
    cleaned = redact(text)
    assert leaked not in cleaned
    assert "REDACTED" in cleaned


def test_redact_keeps_ordinary_text() -> None:
    text = "delivery 1234 for octo-org/rfcs#5: the token count is 3"
    assert redact(text) == text


def test_redact_named_secrets() -> None:
    assert redact("secret is hunter22!", ["hunter22"]) == f"secret is {REDACTED}!"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_extra_fields_and_hide_secrets(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", secrets=["webhook-secret-value"], stream=stream)
    log = logging.getLogger("bot.test")
    log.info(
        "calling with %s", "token ghs_aaaaaaaaaaaaaaaaaaaa", extra={"delivery_id": "d-1", "pr": 5}
    )
    try:
        raise RuntimeError("failed with webhook-secret-value and " + JWT)
    except RuntimeError:
        log.exception("boom")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "info"
    assert first["logger"] == "bot.test"
    assert (first["delivery_id"], first["pr"]) == ("d-1", 5)
    assert first["message"] == f"calling with token {REDACTED}"
    assert "RuntimeError" in second["traceback"]
    output = stream.getvalue()
    assert "webhook-secret-value" not in output
    assert "ghs_aaaa" not in output
    assert "c2lnbmF0dXJl" not in output


def test_text_lines(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream=stream)
    logging.getLogger("bot.test").debug("hello", extra={"outcome": "handled"})
    line = stream.getvalue().strip()
    assert line.endswith("DEBUG bot.test hello outcome=handled")


def test_json_time_is_utc_iso_with_milliseconds(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    logging.getLogger("bot.test").info("tick")
    line = json.loads(stream.getvalue())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
