"""Structured logging: JSON or text lines, with secrets redacted from every line.

Redaction happens in the formatters (so it covers messages, arguments, extra fields and
tracebacks alike) and is also available as a ``logging.Filter`` for other handlers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TextIO

REDACTED = "[REDACTED]"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys, including a truncated one with no END line.
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)",
            re.DOTALL,
        ),
        "[REDACTED PRIVATE KEY]",
    ),
    # Authorization header values: "token ghs_...", "Bearer eyJ...".
    (re.compile(r"(?i)\b(token|bearer)(\s+|=)[A-Za-z0-9._~+/=-]{8,}"), r"\1\2" + REDACTED),
    # GitHub tokens (installation ghs_, personal ghp_/github_pat_, OAuth gho_/ghu_, refresh ghr_).
    (re.compile(r"\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]+"), REDACTED),
    # JWTs (the App's own bearer).
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
)

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}


# Cheap first pass: most lines hold none of these, and then no substitution needs to run.
# Substring tests on the lowered line are about 6x faster than one case-insensitive regex,
# which matters because every log line (one per delivery at least) goes through here.
_SUSPECT_WORDS = (
    "token",
    "bearer",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "eyj",
    "private key",
)


def _suspect(text: str) -> bool:
    """Whether any redaction pattern could match (a superset of the patterns' matches)."""
    lowered = text.lower()
    return any(word in lowered for word in _SUSPECT_WORDS)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with tokens, JWTs, private keys and the given secret values replaced."""
    if _suspect(text):
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactFilter(logging.Filter):
    """Rewrites a record's message (and traceback) with secrets redacted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}


# One encoder for every line: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


@lru_cache(maxsize=2)
def _utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def utc_time(record: logging.LogRecord) -> str:
    """The record's time as ISO 8601 UTC with milliseconds; the date part is formatted once
    a second, not once a line."""
    return f"{_utc_second(int(record.created))}.{int(record.msecs):03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(extra_fields(record))
        if record.exc_info or record.exc_text:
            entry["traceback"] = record.exc_text or self.formatException(record.exc_info)
        return redact(_ENCODER.encode(entry), self.secrets)


class TextFormatter(logging.Formatter):
    """Human-readable lines: ``time level logger message key=value ...``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in extra_fields(record).items())
        if fields:
            head, sep, tail = line.partition("\n")
            line = f"{head} {fields}{sep}{tail}"
        return redact(line, self.secrets)


def configure_logging(
    level: str = "INFO",
    fmt: str = "json",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route the root logger to one stream handler in the chosen format; returns it.

    The formatters redact every line they write, so the handler needs no ``RedactFilter``.
    """
    secrets = tuple(secrets)
    # Neither format shows thread or process names: don't look them up for every record.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if fmt == "json" else TextFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
