"""Structured logging: JSON or text lines, with secrets redacted from every value.

Redaction is a step of its own, between the record and the formatter: ``LogLine.of`` takes a
record's message (its arguments merged in), extra fields and traceback and returns them with
secrets replaced; only then is the line serialised. The serialised line is never rewritten, so
no secret, however short or odd (a quote, a backslash), can break a line's JSON or touch its
keys, timestamps or level.

``log_fields`` writes a line of fixed fields (the per-delivery line): when only this module's
handlers would see it, it is redacted and written without a ``LogRecord``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, TextIO, cast

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


# Cheap first pass: most values hold none of these, and then no substitution needs to run.
# Substring tests on the lowered text are about 6x faster than one case-insensitive regex,
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
    # A loop, not any(generator): 0.27 against 0.57 µs on a short value, for every value logged.
    for word in _SUSPECT_WORDS:  # noqa: SIM110
        if word in lowered:
            return True
    return False


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with tokens, JWTs, private keys and the given secret values replaced."""
    if _suspect(text):
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


_PLAIN = (bool, int, float, type(None))  # values that cannot hold a secret, written as they are
_MAX_DEPTH = 8  # nested deeper than this (or cyclic): written as its redacted str()


class Redactor:
    """Redacts values, not lines: strings, the strings inside containers, and the ``str()``
    of anything else (which is what the JSON line would have shown of it)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s)

    def text(self, text: str) -> str:
        return redact(text, self.secrets)

    def value(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, _PLAIN):
            return value
        if depth < _MAX_DEPTH:
            if isinstance(value, Mapping):
                return {self._key(k): self.value(v, depth + 1) for k, v in value.items()}
            if isinstance(value, list | tuple | set | frozenset):
                return [self.value(item, depth + 1) for item in value]
        return redact(str(value), self.secrets)

    def fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self.value(value) for key, value in fields.items()}

    def _key(self, key: Any) -> Any:
        return key if isinstance(key, _PLAIN) else self.text(str(key))


class LogLine(NamedTuple):  # a tuple: built once per line, cheaper than a frozen dataclass
    """The values of one log line, redacted, not yet serialised."""

    created: float
    level: int
    logger: str
    message: str
    fields: Mapping[str, Any]
    traceback: str = ""  # exception and stack text, "" when there is none

    @classmethod
    def of(cls, record: logging.LogRecord, redactor: Redactor) -> LogLine:
        """The redaction step: the record's message (arguments merged in), extra fields and
        traceback, each value redacted. The record itself is left as it was."""
        return cls(
            record.created,
            record.levelno,
            record.name,
            redactor.text(record.getMessage()),
            redactor.fields(extra_fields(record)),
            redactor.text(_traceback(record)),
        )


def _traceback(record: logging.LogRecord) -> str:
    parts = []
    if record.exc_text:
        parts.append(record.exc_text)
    elif record.exc_info:
        parts.append(_TRACEBACKS.formatException(record.exc_info))
    if record.stack_info:
        parts.append(_TRACEBACKS.formatStack(record.stack_info))
    return "\n".join(parts)


_TRACEBACKS = logging.Formatter()


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
    """ISO 8601 UTC with milliseconds; the date part is formatted once a second, not once a
    line."""
    return f"{_utc_second(int(created))}.{_msecs(created):03d}+00:00"


class _LineFormatter(logging.Formatter, ABC):
    """A formatter that redacts a record's values (``LogLine.of``), then serialises them."""

    def __init__(self, secrets: Iterable[str] = (), fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.redactor = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.serialise(LogLine.of(record, self.redactor))

    def format_fields(
        self, created: float, level: int, name: str, message: str, fields: Mapping[str, Any]
    ) -> str:
        """The line ``format`` writes for such a record with ``fields`` as extra fields."""
        redactor = self.redactor
        line = LogLine(created, level, name, redactor.text(message), redactor.fields(fields))
        return self.serialise(line)

    @abstractmethod
    def serialise(self, line: LogLine) -> str:
        """The written line for these (already redacted) values."""


class JsonFormatter(_LineFormatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback."""

    def serialise(self, line: LogLine) -> str:
        entry: dict[str, Any] = {
            "time": _utc_time(line.created),
            "level": logging.getLevelName(line.level).lower(),
            "logger": line.logger,
            "message": line.message,
        }
        entry.update(line.fields)
        if line.traceback:
            entry["traceback"] = line.traceback
        return _json(entry)


class TextFormatter(_LineFormatter):
    """Human-readable lines: ``time level logger message key=value ...``, then the traceback."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(secrets, "%(asctime)s %(levelname)s %(name)s %(message)s")

    def serialise(self, line: LogLine) -> str:
        # formatTime reads nothing of the record but these two attributes.
        stamp = SimpleNamespace(created=line.created, msecs=_msecs(line.created))
        asctime = self.formatTime(cast(logging.LogRecord, stamp))
        text = f"{asctime} {logging.getLevelName(line.level)} {line.logger} {line.message}"
        if line.traceback:
            text += ("" if text.endswith("\n") else "\n") + line.traceback
        return _with_fields(text, line.fields)


def _with_fields(line: str, fields: Mapping[str, Any]) -> str:
    """``line`` with ``key=value`` pairs at the end of its first line (before a traceback)."""
    if not fields:
        return line
    head, sep, tail = line.partition("\n")
    pairs = " ".join(f"{k}={v}" for k, v in fields.items())
    return f"{head} {pairs}{sep}{tail}"


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stream handler ``configure_logging`` installs; ``log_fields`` writes through it
    directly."""

    def write_fields(
        self, created: float, level: int, name: str, message: str, fields: Mapping[str, Any]
    ) -> None:
        """Write what ``emit`` would for such a record, without building one."""
        formatter = cast(_LineFormatter, self.formatter)  # checked by _direct_handlers
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
            if not isinstance(handler.formatter, _LineFormatter):
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

    Where only ``configure_logging``'s handler would see the line, it is redacted and written
    without a ``LogRecord`` (the same bytes); where another handler or a filter is in the way
    (a test's log capture, say), an ordinary record goes through ``logger.handle``.
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

    The formatter redacts every value of every line it writes (``LogLine.of``).
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
