"""A lint process's main: lint jobs in on stdin, results out on the original stdout.

The pool starts it as a fresh interpreter (``python -P -c "...; main()" FUNCTION PARENT_PID``).
It lives exactly as long as its parent: the kernel kills it when the parent dies (Linux), and
a thread blocked on the job pipe sees the pipe's end (the parent closed it, exited or was
killed, even by SIGKILL) and ends the process at once, even in the middle of a lint.
"""

from __future__ import annotations

import gc
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import BinaryIO

from bot.lint_pool.frames import LintCall, LintFunction, read_frame, resolve, write_frame
from bot.rfc.lint_summary import LintSummary
from bot.serve.processes import die_with_parent

# CPython's default is 700. One lint of a 20 KB RFC allocates tens of thousands of objects
# (markdown-it's tokens), nearly all freed by reference counting when it ends.
GC_YOUNG_THRESHOLD = 20_000


def run_job(lint_function: LintFunction, payload: bytes) -> tuple[str, object]:
    """One job: ("ok", LintSummary) or ("error", the traceback as text)."""
    try:
        return "ok", LintSummary.of(LintCall.from_payload(payload).run(lint_function))
    except Exception:
        return "error", traceback.format_exc(limit=-8)


def serve_jobs(
    jobs: BinaryIO,
    results: BinaryIO,
    lint_function: LintFunction,
    on_end_of_jobs: Callable[[], None],
) -> None:
    """Answer every job frame on ``jobs`` with a result frame on ``results``.

    A reader thread waits on ``jobs`` the whole time, so the end of that stream is seen even
    while a lint runs: ``on_end_of_jobs`` is called at once (the process passes ``os._exit``).
    """
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read_jobs() -> None:
        while (payload := read_frame(jobs)) is not None:
            inbox.put(payload)
        on_end_of_jobs()
        inbox.put(None)  # reached when on_end_of_jobs returns (in tests): finish the queue

    threading.Thread(target=read_jobs, name="lint-jobs", daemon=True).start()
    write_frame(results, ("ready", os.getpid()))
    while (payload := inbox.get()) is not None:
        write_frame(results, run_job(lint_function, payload))


def settle_garbage_collector() -> None:
    """Freeze what the imports made and collect the young generation less often: at the
    default settings every lint ran young collections, and older ones that walked every
    module object again; together about a tenth of a lint's CPU (bench/bench_cpu.py)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def main() -> None:
    """argv: the lint function ("module:name"), the parent's pid."""
    # SIGKILL: the job pipe's reader thread needs the GIL to act on the end of its pipe, and a
    # C call (a slow ``re`` match) can hold the GIL for as long as it runs.
    die_with_parent(int(sys.argv[2]), signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; it stops us
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from lint code land on stderr, not in the result frames
    lint_function = resolve(sys.argv[1])
    settle_garbage_collector()
    serve_jobs(sys.stdin.buffer, results, lint_function, lambda: os._exit(0))
