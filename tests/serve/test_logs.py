"""Log lines: JSON and text, secrets redacted from every value before a line is serialised,
and the direct delivery line that writes the same bytes without a ``LogRecord``."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.serve.logs import (
    REDACTED,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    log_fields,
    redact,
)

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


def test_json_lines_take_any_extra_value(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    extra = {"path": Path("a/b.md"), "counts": {1: 2}, "big": 2**70}
    logging.getLogger("bot.test").info("odd values", extra=extra)
    line = json.loads(stream.getvalue())
    assert (line["path"], line["counts"], line["big"]) == ("a/b.md", {"1": 2}, 2**70)


# --- redaction happens on values, before a line is serialised --------------------------------

TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"


def record(
    message: str, *args: object, failure: BaseException | None = None, **extra: object
) -> logging.LogRecord:
    exc_info = (type(failure), failure, failure.__traceback__) if failure else None
    line = logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)
    line.__dict__.update(extra)
    return line


@pytest.mark.parametrize("secret", ["e", '"', "\\", 'se"cr\\et-with-a-quote', "level", "time"])
def test_no_secret_can_break_a_json_line(secret: str) -> None:
    """A secret is replaced inside values only: keys, time and level stay, the JSON stays."""
    line = record("the secret: %s", secret, extra_field=f"[{secret}]", nested={"k": [secret]})
    written = JsonFormatter([secret]).format(line)
    entry = json.loads(written)
    assert list(entry)[:4] == ["time", "level", "logger", "message"]
    assert (entry["level"], entry["logger"]) == ("error", "bot.test")
    assert entry["message"].startswith("th") and entry["message"].endswith(REDACTED)
    assert (entry["extra_field"], entry["nested"]) == (f"[{REDACTED}]", {"k": [REDACTED]})


def test_arguments_fields_and_objects_are_redacted_before_serialising() -> None:
    class Opaque:
        def __str__(self) -> str:
            return f"Opaque({TOKEN})"

    line = record(
        "token %s and webhook secret %s",
        TOKEN,
        "s3cret-webhook",
        headers={"Authorization": f"token {TOKEN}", TOKEN: 1},
        seen=(TOKEN, 5, None, True, 1.5),
        thing=Opaque(),
    )
    for formatter in (JsonFormatter(["s3cret-webhook"]), TextFormatter(["s3cret-webhook"])):
        written = formatter.format(line)
        assert TOKEN not in written and "s3cret-webhook" not in written
        assert f"token {REDACTED} and webhook secret {REDACTED}" in written
    entry = json.loads(JsonFormatter().format(line))
    assert entry["headers"] == {"Authorization": f"token {REDACTED}", REDACTED: 1}
    assert entry["seen"] == [REDACTED, 5, None, True, 1.5]
    assert entry["thing"] == f"Opaque({REDACTED})"
    assert line.args == (TOKEN, "s3cret-webhook")  # the record itself is left as it was


def test_deep_or_cyclic_values_are_written_as_redacted_text() -> None:
    cyclic: dict[str, object] = {"token": TOKEN}
    cyclic["self"] = cyclic
    entry = json.loads(JsonFormatter().format(record("cyclic", value=cyclic)))
    assert TOKEN not in json.dumps(entry)
    depth, inner = 0, entry["value"]
    while isinstance(inner, dict):
        depth, inner = depth + 1, inner["self"]
    assert depth == 8 and isinstance(inner, str) and "{...}" in inner


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_tracebacks_are_redacted(formatter: logging.Formatter) -> None:
    try:
        raise RuntimeError(f"GitHub said 401 for {TOKEN}")
    except RuntimeError as error:
        line = record("request failed", failure=error)
    written = formatter.format(line)
    assert f"RuntimeError: GitHub said 401 for {REDACTED}" in written
    assert TOKEN not in written
    line.exc_info, line.exc_text = None, f"Traceback ...\nValueError: {TOKEN}"
    assert f"ValueError: {REDACTED}" in formatter.format(line)
    line.exc_text, line.stack_info = None, f"Stack (most recent call last):\n  {TOKEN}"
    written = formatter.format(line)
    assert "Stack (most recent call last):" in written and TOKEN not in written


def test_text_line_without_extra_fields_ends_with_the_message() -> None:
    line = TextFormatter(["hunter22"]).format(record("password hunter22 leaked"))
    assert line.endswith(f"ERROR bot.test password {REDACTED} leaked")


# --- log_fields: the direct path writes what the record path would ---------------------------

FIELDS = {"delivery_id": "d-1", "event": "pull_request", "pr": 5, "outcome": "handled"}


def written(fmt: str, *, direct: bool, message: str = "delivery handled") -> str:
    """What ``log_fields`` writes through a configured handler; ``direct=False`` adds a second
    handler, which makes it build an ordinary record instead."""
    stream = io.StringIO()
    configure_logging("INFO", fmt, secrets=["hunter22"], stream=stream)
    if not direct:
        logging.getLogger().addHandler(logging.NullHandler())
    log_fields(logging.getLogger("bot.delivery"), logging.INFO, message, FIELDS)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("message", ["delivery handled", "two\nlines"])
def test_log_fields_direct_line_equals_the_record_line(
    fmt: str, message: str, restore_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.25)
    through_a_record = written(fmt, direct=False, message=message)
    monkeypatch.setattr(logging.Logger, "makeRecord", None)  # the direct path builds none
    direct = written(fmt, direct=True, message=message)
    assert direct == through_a_record
    if fmt == "json" and message == "delivery handled":
        assert json.loads(direct) == {
            "time": "2023-11-14T22:13:20.250+00:00",
            "level": "info",
            "logger": "bot.delivery",
            "message": "delivery handled",
            **FIELDS,
        }


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("direct", [True, False])
def test_log_fields_redacts_the_message_and_the_fields(
    fmt: str, direct: bool, restore_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(FIELDS, "repository", "hunter22/ghs_abcdefghijklmnop")
    output = written(fmt, direct=direct, message="saw hunter22 and token ghs_abcdefghijklmnop")
    assert "hunter22" not in output
    assert "ghs_abcdefghijklmnop" not in output
    assert output.count(REDACTED) == 4


def test_log_fields_honours_levels_and_filters(restore_root: None) -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", stream=stream)
    log = logging.getLogger("bot.test.fields")
    log_fields(log, logging.DEBUG, "below the root level", FIELDS)
    handler.setLevel(logging.ERROR)
    log_fields(log, logging.WARNING, "below the handler level", FIELDS)
    handler.setLevel(logging.INFO)
    handler.addFilter(lambda record: record.getMessage() != "filtered out")
    log_fields(log, logging.INFO, "filtered out", FIELDS)
    log_fields(log, logging.INFO, "kept", FIELDS)
    messages = [json.loads(line)["message"] for line in stream.getvalue().splitlines()]
    assert messages == ["kept"]


def test_log_fields_reaches_other_handlers_as_records(
    restore_root: None, caplog: pytest.LogCaptureFixture
) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    logging.getLogger().addHandler(caplog.handler)  # configure_logging removed it
    log_fields(logging.getLogger("bot.delivery"), logging.INFO, "delivery handled", FIELDS)
    [record] = caplog.records
    assert (record.getMessage(), record.delivery_id, record.pr) == ("delivery handled", "d-1", 5)
    assert json.loads(stream.getvalue())["delivery_id"] == "d-1"  # and the stream its line


def test_a_failing_stream_is_reported_not_raised(
    restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    configure_logging("INFO", "json", stream=Broken())
    log_fields(logging.getLogger("bot.delivery"), logging.INFO, "delivery handled", FIELDS)
    assert "OSError: disk full" in capsys.readouterr().err
