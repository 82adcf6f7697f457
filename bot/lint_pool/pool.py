"""Linting off the event loop: a bounded pool of lint processes, each file under a time budget.

Linting is CPU-bound Python, so on the event loop one big or crafted RFC would stall every
webhook acknowledgement and ``/healthz``. ``LintPool`` runs ``bot.rfc.lint.lint`` in at most
``processes`` lint processes and hands back a ``LintSummary`` (the diagnostics, plus the few
facts the App reads of the document). A file that takes longer than ``timeout`` seconds has its
lint process killed and replaced, and comes back as one ``lint-timeout`` diagnostic: never a
hang.

    pool = LintPool(processes=settings.lint_workers, timeout=settings.lint_timeout_seconds)
    await pool.start()                      # at start-up: each process imports the engine once
    summary = await pool.lint(path, content, config, base=base, today=today)
    await pool.close()                      # at shutdown: processes told to exit, then reaped

``LintPool(processes=0)`` lints inline, on the caller's loop and without a budget: for tests.

Lint processes are fresh interpreters (what ``multiprocessing`` calls *spawn*), never forks:
forking a process that runs an event loop and threads would copy locks other threads hold and
every open socket. asyncio's own subprocess support starts them, so the parent reads and writes
their pipes without blocking the loop. What runs in them is ``bot.lint_pool.child``; what
travels between is ``bot.lint_pool.frames``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bot
from bot.lint_pool.frames import HEADER, LintCall, LintFunction, resolve
from bot.rfc.config.public import Config
from bot.rfc.diagnostics import Diagnostic
from bot.rfc.lint import apply_overrides
from bot.rfc.lint_summary import LintSummary
from bot.rfc.rules.structure import LINT_TIMEOUT
from bot.serve.processes import usable_cpus

__all__ = [
    "DEFAULT_LINT_FUNCTION",
    "LintPool",
    "LintPoolClosed",
    "LintPoolError",
    "LintProcessFailed",
]

log = logging.getLogger(__name__)

DEFAULT_LINT_FUNCTION = "bot.rfc.lint:lint"
# Waiting jobs per lint process before `lint()` callers wait for room (back-pressure).
WAITING_PER_PROCESS = 4
# A lint process that has not imported the engine within this long is reported as failed.
START_TIMEOUT_SECONDS = 60.0
# How long `close()` lets a lint process exit by itself before killing it.
STOP_GRACE_SECONDS = 2.0
# Results larger than this are unpickled in a thread, so a diagnostic-heavy file cannot stall
# the loop while its result is read (the GIL is still shared, but switched every 5 ms).
UNPICKLE_IN_THREAD_BYTES = 256 * 1024

_CHILD_MAIN = "from bot.lint_pool.child import main; main()"
# Log lines and errors say "lint worker", the word operators know from LINT_WORKERS and the
# rfcbot_lint_workers_* metrics; in the code a worker is a serving process.


class LintPoolError(Exception):
    """The pool could not lint a file (not a finding about the file)."""


class LintPoolClosed(LintPoolError):
    """``lint()`` after ``close()``, or a job still pending when the pool closed."""


class LintProcessFailed(LintPoolError):
    """A lint process could not start, died, or the lint function raised (the message says
    which)."""


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
    call: LintCall
    payload: bytes
    result: asyncio.Future[LintSummary]


class LintPool:
    """At most ``processes`` lint processes and ``max_waiting`` queued files; see the module
    doc.

    ``lint_function`` names an importable function with ``lint``'s signature ("module:name");
    tests inject slow or failing ones. ``timeout`` is the budget per file, in seconds.
    """

    def __init__(
        self,
        processes: int | None = None,
        *,
        timeout: float = 5.0,
        max_waiting: int | None = None,
        lint_function: str = DEFAULT_LINT_FUNCTION,
    ) -> None:
        self.processes = usable_cpus() if processes is None else processes
        if self.processes < 0 or timeout <= 0:
            raise ValueError("processes must be >= 0 and timeout > 0")
        self.timeout = timeout
        default_waiting = max(1, WAITING_PER_PROCESS * self.processes)
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
        """Lint processes linting a file right now."""
        return sum(1 for slot in self._slots if slot.job is not None)

    @property
    def waiting(self) -> int:
        """Files queued for a free lint process (at most ``max_waiting``)."""
        return self._queue.qsize()

    @property
    def pids(self) -> list[int]:
        """The lint processes running now."""
        return [slot.process.pid for slot in self._slots if slot.process is not None]

    async def start(self) -> None:
        """Start every lint process and wait until each has imported the engine.

        Raises ``LintProcessFailed`` (and leaves nothing running) if one cannot start."""
        if self._started or self._closed:
            raise LintPoolError("a LintPool starts once")
        self._started = True
        if self.processes == 0:
            self._inline = resolve(self.lint_function)
            return
        started = await asyncio.gather(
            *(_LintProcess.start(self.lint_function) for _ in range(self.processes)),
            return_exceptions=True,
        )
        processes = [process for process in started if isinstance(process, _LintProcess)]
        failures = [error for error in started if isinstance(error, BaseException)]
        if failures:
            await asyncio.gather(*(process.stop() for process in processes))
            self._closed = True
            raise failures[0]
        self._slots = [_Slot(self, process) for process in processes]
        self._tasks = [asyncio.create_task(slot.serve()) for slot in self._slots]

    async def lint(
        self, path: str, content: str | bytes, config: Config, **options: Any
    ) -> LintSummary:
        """``lint()`` of one file in a lint process (``options``: ``lint``'s keywords, see
        ``LintCall``); waits while ``max_waiting`` files are queued.

        Exceeding the time budget gives one ``lint-timeout`` diagnostic, not an exception.
        Raises ``LintPoolClosed`` after ``close()``, ``LintProcessFailed`` if a lint process
        died or the lint function raised."""
        if self._closed or not self._started:
            raise LintPoolClosed("the lint pool is closed" if self._closed else "call start()")
        call = LintCall(path, content, config, **options)
        if self._inline is not None:
            return LintSummary.of(call.run(self._inline))
        job = _Job(call, call.frame_payload(), asyncio.get_running_loop().create_future())
        await self._queue.put(job)
        if self._closed:  # closed while this caller waited for room in the queue
            _settle(job, LintPoolClosed("the lint pool closed"))
        return await job.result

    async def close(self) -> None:
        """Stop taking files, fail queued ones, tell every lint process to exit and reap it."""
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
    """One lint process and the job it runs; replaces the process when it has to die."""

    pool: LintPool
    process: _LintProcess | None
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
        if self.process is None:
            try:
                self.process = await _LintProcess.start(self.pool.lint_function)
            except LintProcessFailed as error:
                _settle(job, error)
                return
        process, budget, path = self.process, self.pool.timeout, job.call.path
        try:
            async with asyncio.timeout(budget):
                kind, value = await process.run(job.payload)
        except TimeoutError:
            log.warning("lint of %s exceeded %g s; its worker is replaced", path, budget)
            _settle(job, timed_out(path, job.call.config, budget))
            await self._replace(process)
        except Exception as error:  # the process died (OOM killer, a crash) or spoke garbage
            log.error("lint worker %s failed linting %s: %r", process.pid, path, error)
            _settle(job, LintProcessFailed(f"the lint worker died linting {path}"))
            await self._replace(process)
        else:
            _settle(job, value if kind == "ok" else LintProcessFailed(f"{path}: {value}"))

    async def _replace(self, process: _LintProcess) -> None:
        """Kill the process and start another (outside any file's budget); if that fails, the
        next job tries again."""
        await process.kill()
        self.process = None
        with contextlib.suppress(LintProcessFailed):
            self.process = await _LintProcess.start(self.pool.lint_function)

    async def stop(self) -> None:
        if self.process is not None:
            await self.process.stop()
            self.process = None


class _LintProcess:
    """The parent's end of one lint process: frames in on stdin, frames out on stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        assert process.stdin is not None and process.stdout is not None
        self._jobs = process.stdin
        self._results = process.stdout

    @classmethod
    async def start(cls, lint_function: str) -> _LintProcess:
        try:
            process = await asyncio.create_subprocess_exec(
                *_child_command(lint_function),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=_child_environment(),
            )
        except OSError as error:
            raise LintProcessFailed(f"cannot start a lint worker: {error}") from error
        child = cls(process)
        try:
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                ready = await child._read()
        except (TimeoutError, OSError, EOFError):
            ready = None
        except BaseException:  # cancelled while starting (the pool closed): leave nothing behind
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
        if ready != ("ready", child.pid):
            await child.kill()
            raise LintProcessFailed(
                f"a lint worker did not start (exit status {process.returncode}; "
                "its error, if any, is on stderr)"
            )
        return child

    async def run(self, payload: bytes) -> tuple[str, Any]:
        self._jobs.write(HEADER.pack(len(payload)) + payload)
        await self._jobs.drain()
        kind, value = await self._read()
        return kind, value

    async def _read(self) -> Any:
        try:
            (size,) = HEADER.unpack(await self._results.readexactly(HEADER.size))
            payload = await self._results.readexactly(size)
        except asyncio.IncompleteReadError as error:
            raise EOFError("the lint worker exited") from error
        if size > UNPICKLE_IN_THREAD_BYTES:
            return await asyncio.to_thread(pickle.loads, payload)
        return pickle.loads(payload)

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        """Close the job pipe (the process exits on its end), then reap; kill if it lingers."""
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


def _child_command(lint_function: str) -> list[str]:
    # -P: no current directory on sys.path; the child imports the parent's `bot` (see below).
    return [sys.executable, "-P", "-c", _CHILD_MAIN, lint_function, str(os.getpid())]


def _child_environment() -> dict[str, str]:
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
