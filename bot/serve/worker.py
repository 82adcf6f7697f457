"""One serving process among several (``rfc-bot serve --workers N``): its place and its duties.

``bot.serve.supervisor`` starts each worker as a fresh ``rfc-bot serve`` with a few environment
variables; this module reads them (``WorkerRole.from_env``) and does what a worker must:

- listen on the shared port with its own ``SO_REUSEPORT`` socket (the kernel spreads new
  connections across the workers' sockets);
- die with its parent, even when the parent is killed with SIGKILL: on Linux the kernel sends
  SIGTERM (``PR_SET_PDEATHSIG``), and everywhere a thread sees the parent's pipe close. SIGTERM
  is aiohttp's graceful stop: the listening socket closes at once (no orphan keeps the port),
  accepted deliveries drain, then the process exits;
- answer ``/metrics`` for all workers, each sample labelled ``worker``: a scrape reaches one
  worker at random, so the worker asks its siblings over their Unix sockets;
- know whether it is the reconcile leader (``is_reconcile_leader``): one worker of a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.serve.processes import binding, die_with_parent, server_socket

log = logging.getLogger(__name__)

# The environment a supervisor gives each worker (names are the project's, not the platform's).
ENV_INDEX = "RFC_BOT_WORKER_INDEX"
ENV_COUNT = "RFC_BOT_WORKER_COUNT"
ENV_PARENT_PID = "RFC_BOT_PARENT_PID"
ENV_PARENT_PIPE = "RFC_BOT_PARENT_PIPE"  # a file descriptor: the read end of the parent's pipe
ENV_SOCKETS = "RFC_BOT_WORKER_SOCKETS"  # a private directory: worker-<i>.sock, one per worker
RECONCILE_LEADER = "RFC_BOT_RECONCILE_LEADER"

SIBLING_TIMEOUT_SECONDS = 2.0
# After SIGTERM for a dead parent, how long the worker may drain before it exits regardless.
ORPHAN_EXIT_SECONDS = 40.0

MergedMetrics = Callable[[web.Request], Awaitable[bytes]]
MERGED_METRICS: web.AppKey[MergedMetrics] = web.AppKey("merged_metrics")


def is_reconcile_leader(environ: Mapping[str, str] | None = None) -> bool:
    """True in the one process of a server that runs the start-up reconciliation (and the
    periodic sweep): worker 0 under a supervisor, and a server running alone.

    The supervisor sets ``RFC_BOT_RECONCILE_LEADER=1`` for worker 0 and ``0`` for the others;
    unset (a single process, or a test) means leader. Several replicas of the App each have
    a leader: sweeps must be idempotent across replicas anyway.
    """
    environ = os.environ if environ is None else environ
    return environ.get(RECONCILE_LEADER, "1").strip() != "0"


@dataclass(frozen=True)
class WorkerRole:
    """What a worker knows of its place: its index, how many there are, where they talk."""

    index: int
    count: int
    parent_pid: int
    parent_pipe: int
    sockets: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WorkerRole | None:
        """The role a supervisor gave this process, or None when it runs alone."""
        if ENV_INDEX not in environ:
            return None
        return cls(
            index=int(environ[ENV_INDEX]),
            count=int(environ[ENV_COUNT]),
            parent_pid=int(environ[ENV_PARENT_PID]),
            parent_pipe=int(environ[ENV_PARENT_PIPE]),
            sockets=Path(environ[ENV_SOCKETS]),
        )

    def socket_path(self, index: int) -> Path:
        return self.sockets / f"worker-{index}.sock"

    def listen(self, host: str, port: int) -> list[socket.socket]:
        """The shared port (its own SO_REUSEPORT socket) and this worker's Unix socket."""
        unix_path = self.socket_path(self.index)
        with contextlib.suppress(FileNotFoundError):
            unix_path.unlink()  # left by this index's previous process
        local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        local.bind(str(unix_path))
        local.listen(64)
        with binding(host, port):  # a failure is one line and exit 2 (bot.serve.processes)
            shared = server_socket(host, port, reuse_port=True)
        return [shared, local]

    def die_with_supervisor(self) -> None:
        """Stop gracefully (SIGTERM to ourselves) when the supervisor dies, however it dies.

        Two guards, because each has a gap: the kernel's parent-death signal needs Linux (and
        is tied to the parent thread that started us: the supervisor has one); the pipe's end
        is seen everywhere, by a thread. On Linux the kernel's SIGTERM is the one sent (a
        second SIGTERM would cut aiohttp's drain short) and the pipe only arms the deadline: a
        worker orphaned either way exits after ORPHAN_EXIT_SECONDS even if its drain hangs.
        """
        kernel_signals = sys.platform.startswith("linux")
        die_with_parent(self.parent_pid, signal.SIGTERM)
        threading.Thread(
            target=_watch_parent,
            args=(self.parent_pipe, not kernel_signals),
            name="parent-watch",
            daemon=True,
        ).start()

    def attach(self, app: web.Application, own_metrics: Callable[[], bytes]) -> None:
        """Serve merged metrics from this app; remove the Unix socket at cleanup."""
        app[MERGED_METRICS] = lambda request: self.metrics(request, own_metrics)

        async def remove_socket(app: web.Application) -> None:
            with contextlib.suppress(FileNotFoundError):
                self.socket_path(self.index).unlink()

        app.on_cleanup.append(remove_socket)

    async def metrics(self, request: web.Request, own_metrics: Callable[[], bytes]) -> bytes:
        """Every worker's metrics with a ``worker`` label; ``?scope=process``: only ours."""
        own = own_metrics()
        if request.query.get("scope") == "process":
            return own
        pages: dict[int, bytes] = {self.index: own}
        others = [i for i in range(self.count) if i != self.index]
        fetched = await asyncio.gather(*(self._sibling_metrics(i) for i in others))
        pages.update((i, page) for i, page in zip(others, fetched, strict=True) if page)
        return merge_metrics(pages)

    async def _sibling_metrics(self, index: int) -> bytes | None:
        connector = aiohttp.UnixConnector(path=str(self.socket_path(index)))
        timeout = aiohttp.ClientTimeout(total=SIBLING_TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
                session.get("http://worker/metrics?scope=process") as response,
            ):
                return await response.read() if response.status == 200 else None
        except (aiohttp.ClientError, TimeoutError, OSError):
            log.info("worker %d did not answer for /metrics (restarting?)", index)
            return None


def merge_metrics(pages: Mapping[int, bytes]) -> bytes:
    """Prometheus text pages of several workers as one page, each sample labelled ``worker``.

    Families are merged by name, so each family's lines stay together as the format requires.
    """
    families: dict[str, Metric] = {}
    for index, page in sorted(pages.items()):
        for family in text_string_to_metric_families(page.decode("utf-8")):
            merged = families.get(family.name)
            if merged is None:
                merged = families[family.name] = Metric(
                    family.name, family.documentation, family.type, family.unit
                )
            merged.samples.extend(_labelled(family.samples, str(index)))
    registry = CollectorRegistry()
    registry.register(_Fixed(list(families.values())))
    return generate_latest(registry)


def _labelled(samples: Iterable[Sample], worker: str) -> Iterator[Sample]:
    for sample in samples:
        yield sample._replace(labels={**sample.labels, "worker": worker})


class _Fixed:
    """A collector that yields the families it was given."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> list[Metric]:
        return self._families


def _watch_parent(pipe: int, send_sigterm: bool) -> None:
    while True:
        try:
            if not os.read(pipe, 1):  # the parent never writes: this returns at its end
                break
        except InterruptedError:  # pragma: no cover - Python retries reads itself (PEP 475)
            continue
        except OSError:
            break
    log.error("the supervisor is gone: this worker stops accepting and drains")
    if send_sigterm:
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_EXIT_SECONDS)
    os._exit(1)
