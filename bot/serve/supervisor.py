"""``rfc-bot serve``: one serving process, or a supervisor of N of them on one port.

One process (``--workers 1``, or a worker the supervisor started) runs the app (``run``):
its sockets bound before it says "listening", then aiohttp until SIGTERM, then the drain.

With more than one worker (``--workers N``, else ``WEB_CONCURRENCY``, else one per CPU the
process may use) the supervisor:

- reserves the port with a ``SO_REUSEPORT`` socket it binds but never listens on (so a port
  taken by another program fails at once, and port 0 picks one port for all workers);
- starts N fresh interpreters running ``rfc-bot serve``, each with its index in the
  environment (``bot.serve.worker``): each binds its own socket on the port, and the kernel
  spreads new connections across them;
- gives worker 0 ``RFC_BOT_RECONCILE_LEADER=1`` and the others ``0``, so a restarted server
  reconciles once, not once per worker (``bot.serve.worker.is_reconcile_leader``);
- gives each worker ``LINT_WORKERS = max(1, cpus // N)`` unless set, so N workers do not each
  start a lint process per CPU;
- restarts a worker that dies (backoff), passes SIGTERM/SIGINT on, and waits for the drain.

Why not gunicorn with aiohttp's worker class: see docs/operations.md ("Several processes").
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from aiohttp import web

from bot.serve.app import DRAIN_SECONDS, METRICS, create_app
from bot.serve.logs import configure_logging
from bot.serve.processes import StartupError, binding, listening_socket, server_socket, usable_cpus
from bot.serve.readiness import check_github
from bot.serve.settings import Settings, SettingsError
from bot.serve.worker import (
    ENV_COUNT,
    ENV_INDEX,
    ENV_PARENT_PID,
    ENV_PARENT_PIPE,
    ENV_SOCKETS,
    RECONCILE_LEADER,
    WorkerRole,
)

log = logging.getLogger(__name__)

EXIT_BAD_SETTINGS = 2  # what ``serve`` exits with when it cannot start: a worker's too
# A worker gets this long after SIGTERM (its drain is 25 s) before it is killed.
STOP_GRACE_SECONDS = 35.0
RESTART_BACKOFF_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
STABLE_SECONDS = 60.0  # a worker that lived this long starts its backoff over
POLL_SECONDS = 0.2
GC_YOUNG_THRESHOLD = 10_000  # CPython's default is 700


def lint_processes_per_worker(cpu_count: int, workers: int) -> int:
    """Lint processes per serving worker when ``LINT_WORKERS`` is unset: the CPUs shared
    out, at least one each (N workers x cpus lint processes would oversubscribe N-fold)."""
    return max(1, cpu_count // max(1, workers))


def main(workers: int | None = None, environ: Mapping[str, str] | None = None) -> int:
    """``rfc-bot serve [--workers N]``: exit 2, with one line on stderr, when it cannot start
    (a bad setting, a bad ``HOST``, a port in use, credentials GitHub refuses or a GitHub it
    cannot reach)."""
    environ = os.environ if environ is None else environ
    try:
        settings = Settings.from_env(environ)
        role = WorkerRole.from_env(environ)
        count = workers or settings.web_workers or usable_cpus()
        if role is not None or count == 1:
            run(settings, role)
            return 0
        configure_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
        return Supervisor(settings, count, dict(environ)).run()
    except (SettingsError, StartupError) as error:
        print(f"rfc-bot: error: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS


def run(settings: Settings, worker: WorkerRole | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then drain. ``worker``: one of several processes on the
    port, which listens with its own SO_REUSEPORT socket (its supervisor checked GitHub)."""
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
    app = create_app(settings)
    # Bound, then GitHub checked, before "listening"; a failure raises StartupError.
    github = ""
    if worker is None:
        sockets = [listening_socket(settings.host, settings.port)]
        github = check_github(settings)
    else:
        worker.die_with_supervisor()
        sockets = worker.listen(settings.host, settings.port)
        worker.attach(app, app[METRICS].render)
    log.info(
        "rfc-bot listening",
        extra={
            "host": settings.host,
            "port": sockets[0].getsockname()[1],
            "api_url": settings.api_url,
            **({"github": github} if github else {}),
        },
    )
    tune_gc()
    web.run_app(
        app,
        sock=sockets,
        access_log=None,
        print=None,
        shutdown_timeout=DRAIN_SECONDS,
    )


def tune_gc() -> None:
    """Process-wide garbage-collector settings for serving (``run`` applies them).

    Work after the 202 keeps each delivery's objects (payload, task, coroutines, client)
    alive across loop iterations, so at CPython's default threshold a young-generation
    collection runs every few deliveries and traverses the ones still queued; with a larger
    threshold most are freed by reference counting before any collection sees them. Freezing
    what start-up allocated (modules, the app) keeps full collections from traversing it
    again and again (bench/bench_intake.py measures both with and without).
    """
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


@dataclass
class _Child:
    index: int
    process: subprocess.Popen[bytes]
    started: float
    failures: int = 0  # quick deaths in a row: indexes the backoff


@dataclass
class Supervisor:
    """Starts, watches and stops the serving processes."""

    settings: Settings
    count: int
    environ: dict[str, str]
    command: Sequence[str] = (sys.executable, "-m", "bot", "serve", "--workers", "1")
    # Once, before any worker starts (the workers do not check again); None: no check.
    startup_check: Callable[[Settings], str] | None = check_github
    children: dict[int, _Child] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _exit_code: int = 0

    def run(self) -> int:
        settings = self.settings
        with binding(settings.host, settings.port):
            reserved = server_socket(settings.host, settings.port, reuse_port=True, listen=False)
        port = int(reserved.getsockname()[1])
        try:
            github = self.startup_check(settings) if self.startup_check else ""
        except StartupError:
            reserved.close()
            raise
        sockets = Path(tempfile.mkdtemp(prefix="rfc-bot-workers-"))  # mode 0700
        read_end, write_end = os.pipe()  # never written: its end tells the workers we died
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        log.info(
            "rfc-bot supervisor listening",
            extra={"host": settings.host, "port": port, "workers": self.count, "github": github},
        )
        try:
            base = self._worker_environment(port, read_end, sockets)
            for index in range(self.count):
                self._start(index, base)
            while not self._stop.wait(POLL_SECONDS):
                self._reap(base)
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(write_end)
            os.close(read_end)
            reserved.close()
            shutil.rmtree(sockets, ignore_errors=True)
        return self._exit_code

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self, exit_code: int = 0) -> None:
        self._exit_code = self._exit_code or exit_code
        self._stop.set()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("supervisor: %s, stopping the workers", signal.Signals(signum).name)
        self.stop()

    def _worker_environment(self, port: int, pipe: int, sockets: Path) -> dict[str, str]:
        environ = {
            **self.environ,
            "PORT": str(port),
            ENV_COUNT: str(self.count),
            ENV_PARENT_PID: str(os.getpid()),
            ENV_PARENT_PIPE: str(pipe),
            ENV_SOCKETS: str(sockets),
        }
        if not environ.get("LINT_WORKERS", "").strip():
            environ["LINT_WORKERS"] = str(lint_processes_per_worker(usable_cpus(), self.count))
        return environ

    def _start(self, index: int, base: Mapping[str, str], failures: int = 0) -> None:
        environ = {
            **base,
            ENV_INDEX: str(index),
            RECONCILE_LEADER: "1" if index == 0 else "0",
        }
        pipe = int(base[ENV_PARENT_PIPE])
        # Its own process group: a Ctrl-C reaches the supervisor alone, which passes one
        # SIGTERM on (a second signal would cut a worker's drain short).
        process = subprocess.Popen(
            list(self.command), env=environ, pass_fds=(pipe,), process_group=0
        )
        self.children[index] = _Child(index, process, time.monotonic(), failures)
        log.info("worker %d started (pid %d)", index, process.pid)

    def _reap(self, base: Mapping[str, str]) -> None:
        """Restart each worker that exited, after a backoff that grows while it keeps dying."""
        now = time.monotonic()
        for index, child in list(self.children.items()):
            code = child.process.poll()
            if code is None:
                continue
            if code == EXIT_BAD_SETTINGS:
                log.error("worker %d could not start (see its error): stopping", index)
                self.stop(EXIT_BAD_SETTINGS)
                return
            lived = now - child.started
            failures = 0 if lived >= STABLE_SECONDS else child.failures + 1
            delay = RESTART_BACKOFF_SECONDS[min(failures, len(RESTART_BACKOFF_SECONDS) - 1)]
            log.error(
                "worker %d (pid %d) exited with %s after %.1f s; restarting in %.1f s",
                index,
                child.process.pid,
                code,
                lived,
                delay,
            )
            del self.children[index]
            if self._stop.wait(delay):
                return
            self._start(index, base, failures)

    def _stop_all(self) -> None:
        """SIGTERM every worker (they drain), SIGKILL any still there after the grace."""
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children.values():
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not stop in time: killed", child.index)
                child.process.kill()
                child.process.wait()


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
