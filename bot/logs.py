"""Structured logging: JSON or text lines, with secrets redacted from every line.

Redaction happens in the formatters (so it covers messages, arguments, extra fields and
tracebacks alike) and is also available as a ``logging.Filter`` for other handlers.

``log_fields`` is the cheap way to write a line of fixed fields (the per-delivery line): when
only this module's handlers would see it, it is formatted and written without a ``LogRecord``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, TextIO, cast

import orjson

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


# For the rare line orjson refuses (an integer beyond 64 bits): one encoder, built once.
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def _json(entry: Mapping[str, Any]) -> str:
    """``entry`` as one line of compact JSON; what it cannot encode is written as ``str()``."""
    try:
        return orjson.dumps(entry, default=str, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return _ENCODER.encode(entry)


@lru_cache(maxsize=2)
def _utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def _msecs(created: float) -> int:
    """Milliseconds of ``created`` as ``LogRecord`` computes them."""
    return int((created - int(created)) * 1000)


def _utc_time(created: float) -> str:
    return f"{_utc_second(int(created))}.{_msecs(created):03d}+00:00"


def utc_time(record: logging.LogRecord) -> str:
    """The record's time as ISO 8601 UTC with milliseconds; the date part is formatted once
    a second, not once a line."""
    return _utc_time(record.created)


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
            entry["traceback"] = record.exc_text or (
                self.formatException(record.exc_info) if record.exc_info else ""
            )
        return redact(_json(entry), self.secrets)

    def format_fields(
        self, created: float, level: int, name: str, message: str, fields: Mapping[str, Any]
    ) -> str:
        """The line ``format`` writes for such a record with ``fields`` as extra fields.

        Only the message is redacted: ``fields`` are, by ``log_fields``' contract, values
        that never hold a secret.
        """
        entry = {
            "time": _utc_time(created),
            "level": logging.getLevelName(level).lower(),
            "logger": name,
            "message": redact(message, self.secrets),
            **fields,
        }
        return _json(entry)


class TextFormatter(logging.Formatter):
    """Human-readable lines: ``time level logger message key=value ...``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(_with_fields(super().format(record), extra_fields(record)), self.secrets)

    def format_fields(
        self, created: float, level: int, name: str, message: str, fields: Mapping[str, Any]
    ) -> str:
        """The line ``format`` writes for such a record with ``fields`` as extra fields
        (only the message redacted, as in ``JsonFormatter.format_fields``)."""
        # formatTime reads nothing of the record but these two attributes.
        stamp = cast(logging.LogRecord, SimpleNamespace(created=created, msecs=_msecs(created)))
        asctime = self.formatTime(stamp)
        line = f"{asctime} {logging.getLevelName(level)} {name} {redact(message, self.secrets)}"
        return _with_fields(line, fields)


def _with_fields(line: str, fields: Mapping[str, Any]) -> str:
    """``line`` with ``key=value`` pairs at the end of its first line (before a traceback)."""
    if not fields:
        return line
    head, sep, tail = line.partition("\n")
    pairs = " ".join(f"{k}={v}" for k, v in fields.items())
    return f"{head} {pairs}{sep}{tail}"


_Formatter = JsonFormatter | TextFormatter


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stream handler ``configure_logging`` installs; ``log_fields`` writes through it
    directly."""

    def write_fields(
        self, created: float, level: int, name: str, message: str, fields: Mapping[str, Any]
    ) -> None:
        """Write what ``emit`` would for such a record, without building one."""
        formatter = cast(_Formatter, self.formatter)  # checked by _direct_handlers
        try:
            line = formatter.format_fields(created, level, name, message, fields)
            self.acquire()
            try:
                self.stream.write(line + self.terminator)
                self.flush()
            finally:
                self.release()
        except RecursionError:
            raise
        except Exception:  # as emit does: report on stderr, never fail the caller
            self.handleError(_record(logging.getLogger(name), level, message, fields))


def _direct_handlers(logger: logging.Logger, level: int) -> list[LineHandler] | None:
    """The handlers a record at ``level`` from ``logger`` would reach, if writing to them
    directly is equivalent (all are ``LineHandler``s with our formatters, no filters); else
    None (a test's capture handler, a filter, or no handler at all: logging's last resort)."""
    if logger.filters or logger.disabled:
        return None
    found: list[LineHandler] = []
    reached = False
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if type(handler) is not LineHandler or handler.filters:
                return None
            if not isinstance(handler.formatter, _Formatter):
                return None
            reached = True
            if level >= handler.level:
                found.append(handler)
        current = current.parent if current.propagate else None
    return found if reached else None


def _record(
    logger: logging.Logger, level: int, message: str, fields: Mapping[str, Any]
) -> logging.LogRecord:
    # No caller lookup (a stack walk per line): neither format shows the source location.
    return logger.makeRecord(logger.name, level, "", 0, message, (), None, extra=dict(fields))


def log_fields(logger: logging.Logger, level: int, message: str, fields: Mapping[str, Any]) -> None:
    """Log ``message`` with ``fields`` as extra fields, as ``logger.log`` would.

    ``fields`` must never hold a secret (ids, names, numbers, outcomes): on the direct path
    only the message is redacted. Where another handler or a filter is in the way (a test's
    log capture, say), an ordinary ``LogRecord`` goes through ``logger.handle``.
    """
    if not logger.isEnabledFor(level):
        return
    handlers = _direct_handlers(logger, level)
    if handlers is None:
        logger.handle(_record(logger, level, message, fields))
        return
    created = time.time()
    for handler in handlers:
        handler.write_fields(created, level, logger.name, message, fields)


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
    handler = LineHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if fmt == "json" else TextFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
