"""Linting off the event loop: a bounded pool of worker processes, each file under a time budget.

Linting is CPU-bound Python, so on the event loop one big or crafted RFC would stall every
webhook acknowledgement and ``/healthz``. ``LintPool`` runs ``bot.rfc.lint.lint`` in at most
``workers`` processes and hands back a ``LintSummary`` (the diagnostics, plus the few facts the
App reads of the document). A file that takes longer than ``timeout`` seconds has its worker
killed and replaced, and comes back as one ``lint-timeout`` diagnostic: never a hang.

    pool = LintPool(workers=settings.lint_workers, timeout=settings.lint_timeout_seconds)
    await pool.start()                      # at start-up: the workers import the engine once
    summary = await pool.lint(path, content, config, base=base, today=today)
    await pool.close()                      # at shutdown: workers told to exit, then reaped

``LintPool(workers=0)`` lints inline, on the caller's loop and without a budget: for tests.

Workers are fresh interpreters (what ``multiprocessing`` calls *spawn*), never forks: forking
a process that runs an event loop and threads would copy locks other threads hold and every
open socket. asyncio's own subprocess support starts them, so the parent reads and writes their
pipes without blocking the loop. A worker lives exactly as long as its parent: a thread in the
worker blocks on the job pipe, and the end of that pipe (parent closed it, exited or was
killed, even by SIGKILL) ends the worker at once, even in the middle of a lint.
"""

from __future__ import annotations

import asyncio
import contextlib
import copyreg
import ctypes
import importlib
import io
import logging
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO, Protocol

import bot
from bot.rfc.config import Config
from bot.rfc.diagnostics import Diagnostic
from bot.rfc.lint import NO_BASE, LintResult, apply_overrides
from bot.rfc.lint_summary import DocumentSummary, LintSummary
from bot.rfc.rules.base import NoBase
from bot.rfc.rules.structure import LINT_TIMEOUT
from bot.rfc.workflow import Provenance

__all__ = [
    "DEFAULT_LINT_FUNCTION",
    "DocumentSummary",
    "LintPool",
    "LintPoolClosed",
    "LintPoolError",
    "LintSummary",
    "LintWorkerFailed",
    "default_workers",
]

log = logging.getLogger(__name__)

DEFAULT_LINT_FUNCTION = "bot.rfc.lint:lint"
# Waiting jobs per worker before `lint()` callers wait for room (back-pressure).
WAITING_PER_WORKER = 4
# A worker that has not imported the engine within this long is reported as failed.
START_TIMEOUT_SECONDS = 60.0
# How long `close()` lets a worker exit by itself before killing it.
STOP_GRACE_SECONDS = 2.0
# Results larger than this are unpickled in a thread, so a diagnostic-heavy file cannot stall
# the loop while its result is read (the GIL is still shared, but switched every 5 ms).
_UNPICKLE_IN_THREAD_BYTES = 256 * 1024

_HEADER = struct.Struct(">Q")  # each frame: its length, then a pickle
_WORKER_MAIN = "from bot.lint_pool import serve; serve()"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class LintFunction(Protocol):
    def __call__(
        self,
        path: str,
        content: str | bytes,
        config: Config,
        *,
        base: str | bytes | NoBase | None = ...,
        today: date | None = ...,
        provenance: Provenance | None = ...,
    ) -> LintResult: ...


class LintPoolError(Exception):
    """The pool could not lint a file (not a finding about the file)."""


class LintPoolClosed(LintPoolError):
    """``lint()`` after ``close()``, or a job still pending when the pool closed."""


class LintWorkerFailed(LintPoolError):
    """A worker could not start, died, or the lint function raised (the message says which)."""


def default_workers() -> int:
    """The CPUs this process may run on (a container's CPU set, not the host's count)."""
    # sched_getaffinity is missing on macOS and Windows.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cpus or 1)


def timed_out(path: str, config: Config, budget: float) -> LintSummary:
    """The result for a file whose lint exceeded ``budget`` seconds: one diagnostic, line 1."""
    finding = Diagnostic(
        rule=LINT_TIMEOUT.id,
        severity=LINT_TIMEOUT.severity,
        path=path,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        message=f"Linting {path} took longer than {budget:g} s and was stopped; "
        "the file was not checked.",
        help=LINT_TIMEOUT.fix,
    )
    return LintSummary(path, apply_overrides([finding], config), None)


@dataclass(eq=False)
class _Job:
    path: str
    config: Config
    payload: bytes
    result: asyncio.Future[LintSummary]


class LintPool:
    """At most ``workers`` lint processes and ``max_waiting`` queued files; see the module doc.

    ``lint_function`` names an importable function with ``lint``'s signature ("module:name");
    tests inject slow or failing ones. ``timeout`` is the budget per file, in seconds.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout: float = 5.0,
        max_waiting: int | None = None,
        lint_function: str = DEFAULT_LINT_FUNCTION,
    ) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 0 or timeout <= 0:
            raise ValueError("workers must be >= 0 and timeout > 0")
        self.timeout = timeout
        default_waiting = max(1, WAITING_PER_WORKER * self.workers)
        self.max_waiting = default_waiting if max_waiting is None else max_waiting
        if self.max_waiting < 1:
            raise ValueError("max_waiting must be >= 1")
        self.lint_function = lint_function
        self._inline: LintFunction | None = None
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(self.max_waiting)
        self._slots: list[_Slot] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self._closed = False

    async def __aenter__(self) -> LintPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def busy(self) -> int:
        """Workers linting a file right now."""
        return sum(1 for slot in self._slots if slot.job is not None)

    @property
    def waiting(self) -> int:
        """Files queued for a free worker (at most ``max_waiting``)."""
        return self._queue.qsize()

    @property
    def worker_pids(self) -> list[int]:
        return [slot.worker.pid for slot in self._slots if slot.worker is not None]

    async def start(self) -> None:
        """Start every worker and wait until each has imported the engine.

        Raises ``LintWorkerFailed`` (and leaves nothing running) if one cannot start."""
        if self._started or self._closed:
            raise LintPoolError("a LintPool starts once")
        self._started = True
        if self.workers == 0:
            self._inline = _resolve(self.lint_function)
            return
        started = await asyncio.gather(
            *(_Worker.start(self.lint_function) for _ in range(self.workers)),
            return_exceptions=True,
        )
        workers = [worker for worker in started if isinstance(worker, _Worker)]
        failures = [error for error in started if isinstance(error, BaseException)]
        if failures:
            await asyncio.gather(*(worker.stop() for worker in workers))
            self._closed = True
            raise failures[0]
        self._slots = [_Slot(self, worker) for worker in workers]
        self._tasks = [asyncio.create_task(slot.serve()) for slot in self._slots]

    async def lint(
        self,
        path: str,
        content: str | bytes,
        config: Config,
        *,
        base: str | bytes | NoBase | None = NO_BASE,
        today: date | None = None,
        provenance: Provenance | None = None,
    ) -> LintSummary:
        """``lint()`` of one file in a worker; waits while ``max_waiting`` files are queued.

        Exceeding the time budget gives one ``lint-timeout`` diagnostic, not an exception.
        Raises ``LintPoolClosed`` after ``close()``, ``LintWorkerFailed`` if a worker died or
        the lint function raised."""
        if self._closed or not self._started:
            raise LintPoolClosed("the lint pool is closed" if self._closed else "call start()")
        if self._inline is not None:
            result = self._inline(
                path, content, config, base=base, today=today, provenance=provenance
            )
            return LintSummary.of(result)
        payload = _dumps((path, content, config, base, today, provenance))
        job = _Job(path, config, payload, asyncio.get_running_loop().create_future())
        await self._queue.put(job)
        if self._closed:  # closed while this caller waited for room in the queue
            _settle(job, LintPoolClosed("the lint pool closed"))
        return await job.result

    async def close(self) -> None:
        """Stop taking files, fail queued ones, tell every worker to exit and reap it."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        while not self._queue.empty():
            _settle(self._queue.get_nowait(), LintPoolClosed("the lint pool closed"))
        await asyncio.gather(*(slot.stop() for slot in self._slots))


@dataclass(eq=False)
class _Slot:
    """One worker process and the job it runs; replaces the process when it has to die."""

    pool: LintPool
    worker: _Worker | None
    job: _Job | None = field(default=None)

    async def serve(self) -> None:
        try:
            while True:
                job = await self.pool._queue.get()
                if job.result.done():  # its caller gave up (cancelled) while it waited
                    continue
                self.job = job
                await self._run(job)
                self.job = None
        finally:
            if self.job is not None:
                _settle(self.job, LintPoolClosed("the lint pool closed"))

    async def _run(self, job: _Job) -> None:
        if self.worker is None:
            try:
                self.worker = await _Worker.start(self.pool.lint_function)
            except LintWorkerFailed as error:
                _settle(job, error)
                return
        worker, budget = self.worker, self.pool.timeout
        try:
            async with asyncio.timeout(budget):
                kind, value = await worker.run(job.payload)
        except TimeoutError:
            log.warning("lint of %s exceeded %g s; its worker is replaced", job.path, budget)
            _settle(job, timed_out(job.path, job.config, budget))
            await self._replace(worker)
        except Exception as error:  # the worker died (OOM killer, a crash) or spoke garbage
            log.error("lint worker %s failed linting %s: %r", worker.pid, job.path, error)
            _settle(job, LintWorkerFailed(f"the lint worker died linting {job.path}"))
            await self._replace(worker)
        else:
            _settle(job, value if kind == "ok" else LintWorkerFailed(f"{job.path}: {value}"))

    async def _replace(self, worker: _Worker) -> None:
        """Kill the worker and start another (outside any file's budget); if that fails, the
        next job tries again."""
        await worker.kill()
        self.worker = None
        with contextlib.suppress(LintWorkerFailed):
            self.worker = await _Worker.start(self.pool.lint_function)

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None


class _Worker:
    """The parent's end of one worker process: frames in on stdin, frames out on stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        assert process.stdin is not None and process.stdout is not None
        self._jobs = process.stdin
        self._results = process.stdout

    @classmethod
    async def start(cls, lint_function: str) -> _Worker:
        try:
            process = await asyncio.create_subprocess_exec(
                *_worker_command(lint_function),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=_worker_environment(),
            )
        except OSError as error:
            raise LintWorkerFailed(f"cannot start a lint worker: {error}") from error
        worker = cls(process)
        try:
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                ready = await worker._read()
        except (TimeoutError, OSError, EOFError):
            ready = None
        except BaseException:  # cancelled while starting (the pool closed): leave nothing behind
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
        if ready != ("ready", worker.pid):
            await worker.kill()
            raise LintWorkerFailed(
                f"a lint worker did not start (exit status {process.returncode}; "
                "its error, if any, is on stderr)"
            )
        return worker

    async def run(self, payload: bytes) -> tuple[str, Any]:
        self._jobs.write(_HEADER.pack(len(payload)) + payload)
        await self._jobs.drain()
        kind, value = await self._read()
        return kind, value

    async def _read(self) -> Any:
        try:
            (size,) = _HEADER.unpack(await self._results.readexactly(_HEADER.size))
            payload = await self._results.readexactly(size)
        except asyncio.IncompleteReadError as error:
            raise EOFError("the lint worker exited") from error
        if size > _UNPICKLE_IN_THREAD_BYTES:
            return await asyncio.to_thread(pickle.loads, payload)
        return pickle.loads(payload)

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        """Close the job pipe (the worker exits on its end), then reap; kill if it lingers."""
        self._jobs.close()
        try:
            async with asyncio.timeout(STOP_GRACE_SECONDS):
                await self.process.wait()
        except TimeoutError:
            await self.kill()


def _settle(job: _Job, outcome: LintSummary | BaseException) -> None:
    if job.result.done():
        return
    if isinstance(outcome, BaseException):
        job.result.set_exception(outcome)
    else:
        job.result.set_result(outcome)


def _worker_command(lint_function: str) -> list[str]:
    # -P: no current directory on sys.path; the worker imports the parent's `bot` (see below).
    return [sys.executable, "-P", "-c", _WORKER_MAIN, lint_function, str(os.getpid())]


def _worker_environment() -> dict[str, str]:
    """The parent's environment without the App's credentials (``GITHUB_*``: a process that
    parses untrusted text has no use for them), and with the directory holding the parent's
    ``bot`` package first on the path, so both run the same code, installed or from a checkout.
    """
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("GITHUB_")
    }
    package_root = str(Path(bot.__file__).resolve().parent.parent)
    paths = [package_root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


# --- pickling -----------------------------------------------------------------------------
#
# Config holds MappingProxyType values, which pickle refuses. A private dispatch table sends
# them as dicts without changing how anything else in the process pickles.


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return _mapping_proxy, (dict(proxy),)


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[MappingProxyType] = _reduce_mapping_proxy


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


# --- the worker process ---------------------------------------------------------------------


def _resolve(reference: str) -> LintFunction:
    """``"module:name"`` -> the function."""
    module, _, name = reference.partition(":")
    function: LintFunction = getattr(importlib.import_module(module), name)
    return function


def _read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _write_frame(stream: BinaryIO, value: object) -> None:
    payload = _dumps(value)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def run_job(lint_function: LintFunction, payload: bytes) -> tuple[str, object]:
    """One job: ("ok", LintSummary) or ("error", the traceback as text)."""
    try:
        path, content, config, base, today, provenance = pickle.loads(payload)
        result = lint_function(path, content, config, base=base, today=today, provenance=provenance)
        return "ok", LintSummary.of(result)
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
    while a lint runs: ``on_end_of_jobs`` is called at once (the worker passes ``os._exit``).
    """
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read_jobs() -> None:
        while (payload := _read_frame(jobs)) is not None:
            inbox.put(payload)
        on_end_of_jobs()
        inbox.put(None)  # reached when on_end_of_jobs returns (in tests): finish the queue

    threading.Thread(target=read_jobs, name="lint-jobs", daemon=True).start()
    _write_frame(results, ("ready", os.getpid()))
    while (payload := inbox.get()) is not None:
        _write_frame(results, run_job(lint_function, payload))


def die_with_parent(parent: int) -> None:
    """Linux: have the kernel SIGKILL this process when ``parent`` dies.

    The job pipe's reader thread needs the GIL to act on the end of its pipe, and a C call
    (a slow ``re`` match) can hold the GIL for as long as it runs; the kernel needs nothing.
    The signal is tied to the parent *thread* that started us: the pool starts its workers
    from the event loop's thread, which lives as long as the App."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before we asked
        os._exit(0)


def serve() -> None:
    """The worker's main: jobs on stdin, results on the original stdout.

    argv: the lint function ("module:name"), the parent's pid."""
    die_with_parent(int(sys.argv[2]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; it stops us
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from lint code land on stderr, not in the result frames
    serve_jobs(sys.stdin.buffer, results, _resolve(sys.argv[1]), lambda: os._exit(0))
