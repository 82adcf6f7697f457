"""A lint function the pool's tests inject into lint processes (it must be importable there).

The first line of the content says what to do; anything else is linted for real:

- ``HANG <flag path>``: touch the flag file, then run a regex match that never ends, holding
  the GIL (the worst case: no other thread of the worker runs).
- ``WAIT <flag path>``: spin until the flag file exists (at most a minute), then lint the rest.
- ``MARK <directory>``: drop a marker file named by pid, count the markers for a while, remove
  ours; the pid and the most markers seen come back as the message of one diagnostic.
- ``CRASH``: the worker process dies.  ``RAISE``: the lint function raises ``ValueError``.
- ``PRINT``: write junk to stdout (where results travel), then lint the rest.
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import date
from pathlib import Path

from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.lint import NO_BASE, LintResult, lint
from bot.rfc.rules.base import NoBase
from bot.rfc.workflow import Provenance

REFERENCE = "tests.lint_pool.helpers:scripted_lint"
_PATIENCE_SECONDS = 60.0


def scripted_lint(
    path: str,
    content: str | bytes,
    config: Config,
    *,
    base: str | bytes | NoBase | None = NO_BASE,
    today: date | None = None,
    provenance: Provenance | None = None,
    known_files: frozenset[str] | None = None,
) -> LintResult:
    if isinstance(content, bytes):
        return lint(path, content, config, base=base, today=today, known_files=known_files)
    command, _, rest = content.partition("\n")
    verb, _, argument = command.partition(" ")
    if verb == "HANG":
        Path(argument).touch()
        # Catastrophic backtracking: one C call that holds the GIL for longer than anyone waits.
        re.match(r"(a+)+$", "a" * 64 + "!")
    if verb == "WAIT":
        _spin_until(lambda: Path(argument).exists())
        return lint(path, rest, config, base=base, today=today)
    if verb == "MARK":
        return _marked(path, Path(argument))
    if verb == "CRASH":
        os._exit(3)
    if verb == "RAISE":
        raise ValueError(f"scripted failure for {path}")
    if verb == "PRINT":
        print("junk that is not a result frame" * 100)
        sys.stdout.flush()
        return lint(path, rest, config, base=base, today=today)
    return lint(path, content, config, base=base, today=today)


def _marked(path: str, directory: Path) -> LintResult:
    marker = directory / f"{os.getpid()}.running"
    marker.touch()
    most = 0
    try:
        for _ in range(40):  # look around for a while: who else is running now?
            most = max(most, len(list(directory.glob("*.running"))))
            time.sleep(0.005)
    finally:
        marker.unlink()
    message = f"pid {os.getpid()} saw {most} running"
    finding = Diagnostic("marker", Severity.NOTICE, path, 1, 1, 1, 1, message)
    return LintResult(path, [finding], None)


def _spin_until(condition: object) -> None:
    assert callable(condition)
    deadline = time.monotonic() + _PATIENCE_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
