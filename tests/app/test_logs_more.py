"""Redaction as a ``logging.Filter`` for other handlers, and text lines without extra fields."""

from __future__ import annotations

import logging

from bot.logs import REDACTED, RedactFilter, TextFormatter

TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"


def record(message: str, *args: object, failure: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(failure), failure, failure.__traceback__) if failure else None
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_filter_redacts_arguments_and_named_secrets() -> None:
    line = record("token %s and webhook secret %s", TOKEN, "s3cret-webhook")
    assert RedactFilter(["s3cret-webhook", "abc"]).filter(line) is True
    assert line.getMessage() == f"token {REDACTED} and webhook secret {REDACTED}"
    assert line.args is None


def test_filter_ignores_secrets_too_short_to_redact_safely() -> None:
    """A 3-character "secret" would blank out ordinary words all over the log."""
    line = record("abc is not a secret")
    RedactFilter(["abc"]).filter(line)
    assert line.getMessage() == "abc is not a secret"


def test_filter_redacts_the_traceback() -> None:
    try:
        raise RuntimeError(f"GitHub said 401 for {TOKEN}")
    except RuntimeError as error:
        line = record("request failed", failure=error)
    RedactFilter().filter(line)
    assert line.exc_text is not None
    assert "RuntimeError: GitHub said 401 for " + REDACTED in line.exc_text
    assert TOKEN not in line.exc_text
    formatted = logging.Formatter().format(line)
    assert TOKEN not in formatted


def test_filter_redacts_an_already_formatted_traceback() -> None:
    line = record("request failed")
    line.exc_text = f"Traceback ...\nValueError: {TOKEN}"
    RedactFilter().filter(line)
    assert line.exc_text == f"Traceback ...\nValueError: {REDACTED}"


def test_text_line_without_extra_fields_ends_with_the_message() -> None:
    line = TextFormatter(["hunter22"]).format(record("password hunter22 leaked"))
    assert line.endswith(f"ERROR bot.test password {REDACTED} leaked")
