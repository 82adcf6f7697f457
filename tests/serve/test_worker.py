"""One serving process among several, in this process: its role, its sockets, merged
metrics, and how it notices its supervisor is gone."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.serve import processes, worker
from bot.serve.app import create_app
from bot.serve.settings import Settings
from bot.serve.worker import WorkerRole, is_reconcile_leader, merge_metrics

PAGE = b"""# HELP rfcbot_things_total Things.
# TYPE rfcbot_things_total counter
rfcbot_things_total{kind="a"} 2.0
# HELP rfcbot_level Level.
# TYPE rfcbot_level gauge
rfcbot_level 1.0
"""


@pytest.mark.parametrize(
    ("environ", "leader"),
    [
        ({}, True),
        ({"RFC_BOT_RECONCILE_LEADER": "1"}, True),
        ({"RFC_BOT_RECONCILE_LEADER": "0"}, False),
    ],
)
def test_reconcile_leader(environ: dict[str, str], leader: bool) -> None:
    assert is_reconcile_leader(environ) is leader


def test_reconcile_leader_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RFC_BOT_RECONCILE_LEADER", "0")
    assert not is_reconcile_leader()


def role(tmp_path: Path, index: int, count: int = 2) -> WorkerRole:
    return WorkerRole(index, count, os.getppid(), -1, tmp_path)


def test_role_from_the_environment(tmp_path: Path) -> None:
    assert WorkerRole.from_env({}) is None
    environ = {
        "RFC_BOT_WORKER_INDEX": "1",
        "RFC_BOT_WORKER_COUNT": "3",
        "RFC_BOT_PARENT_PID": "42",
        "RFC_BOT_PARENT_PIPE": "7",
        "RFC_BOT_WORKER_SOCKETS": str(tmp_path),
    }
    assert WorkerRole.from_env(environ) == WorkerRole(1, 3, 42, 7, tmp_path)


def test_merged_metrics_label_each_worker_and_keep_families_together() -> None:
    page = merge_metrics({1: PAGE, 0: PAGE.replace(b"2.0", b"5.0")}).decode()
    assert page.count("# TYPE rfcbot_things_total counter") == 1
    assert 'rfcbot_things_total{kind="a",worker="0"} 5.0' in page
    assert 'rfcbot_things_total{kind="a",worker="1"} 2.0' in page
    assert 'rfcbot_level{worker="1"} 1.0' in page
    lines = page.splitlines()
    things = [i for i, line in enumerate(lines) if line.startswith("rfcbot_things_total")]
    assert things == list(range(things[0], things[0] + 2))  # adjacent


async def serve(app: web.Application, sockets: list[socket.socket]) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for sock in sockets:
        await web.SockSite(runner, sock).start()
    return runner


async def test_any_worker_answers_metrics_for_all(settings: Settings, tmp_path: Path) -> None:
    import aiohttp

    stale = tmp_path / "worker-0.sock"
    stale.write_text("")  # left by a previous process of this index: replaced
    runners = []
    port = 0
    for index in (0, 1):
        app = create_app(settings)
        place = role(tmp_path, index, count=3)  # worker 2 never started: left out
        sockets = place.listen("127.0.0.1", port)
        port = sockets[0].getsockname()[1]
        place.attach(app, lambda app=app: app[worker_metrics_key()].render())
        runners.append(await serve(app, sockets))
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            page = await response.text()
        assert 'rfcbot_reconcile_leader{worker="0"} 1.0' in page
        assert 'rfcbot_reconcile_leader{worker="1"} 1.0' in page  # no supervisor env here
        assert 'worker="2"' not in page
    finally:
        for runner in runners:
            await runner.cleanup()
    assert not list(tmp_path.glob("*.sock"))  # each removed its socket


def worker_metrics_key() -> Any:
    from bot.serve.app import METRICS

    return METRICS


def test_die_with_supervisor_asks_the_kernel_and_watches_the_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []

    class Libc:
        def prctl(self, option: int, value: int) -> int:
            asked.append((option, value))
            return 0

    monkeypatch.setattr(processes.ctypes, "CDLL", lambda *args, **kwargs: Libc())
    watched: list[tuple[int, bool]] = []
    monkeypatch.setattr(worker, "_watch_parent", lambda pipe, send: watched.append((pipe, send)))
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(worker.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    monkeypatch.setattr(processes.sys, "platform", "linux")
    WorkerRole(0, 2, os.getppid(), 5, tmp_path).die_with_supervisor()
    assert asked == [(1, signal.SIGTERM)]
    assert killed == []  # the parent is alive
    WorkerRole(0, 2, -1, 5, tmp_path).die_with_supervisor()  # "died" before we asked
    assert killed == [(os.getpid(), signal.SIGTERM)]
    monkeypatch.setattr(processes.sys, "platform", "darwin")
    WorkerRole(0, 2, os.getppid(), 5, tmp_path).die_with_supervisor()
    assert len(asked) == 2  # no prctl off Linux
    for thread in threading.enumerate():
        if thread.name == "parent-watch":
            thread.join(5)
    assert watched == [(5, False), (5, False), (5, True)]


@pytest.mark.parametrize("send_sigterm", [True, False])
def test_the_end_of_the_pipe_stops_the_worker_then_exits_it(
    monkeypatch: pytest.MonkeyPatch, send_sigterm: bool
) -> None:
    read_end, write_end = os.pipe()
    killed: list[int] = []
    exited: list[int] = []
    monkeypatch.setattr(worker.os, "kill", lambda pid, sig: killed.append(sig))
    monkeypatch.setattr(worker.os, "_exit", exited.append)
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)
    os.close(write_end)  # the supervisor is gone
    worker._watch_parent(read_end, send_sigterm)
    os.close(read_end)
    assert killed == ([signal.SIGTERM] if send_sigterm else [])
    assert exited == [1]


def test_a_broken_pipe_counts_as_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    exited: list[int] = []
    monkeypatch.setattr(worker.os, "_exit", exited.append)
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)
    worker._watch_parent(-1, False)  # EBADF
    assert exited == [1]
