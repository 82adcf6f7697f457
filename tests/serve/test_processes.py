"""Sockets and start-up failures: ``rfc-bot serve`` that cannot bind says so in one line on
stderr and exits 2, in real processes.

Alone (``--workers 1``) and supervised (``--workers 2``): a port in use, a host that does not
resolve, an address not on this machine, a bad setting. And "listening" is logged only once
the port is bound, with the port actually bound.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.serve.processes import explain, listening_socket, server_socket
from bot.serve.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "0123456789abcdef0123456789abcdef"
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on (no SO_REUSEPORT: nobody may share it)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        yield int(holder.getsockname()[1])
    finally:
        holder.close()


def serve(settings: Settings, workers: int, **overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_APP_ID": settings.app_id,
        "GITHUB_PRIVATE_KEY": settings.private_key,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "LOG_FORMAT": "json",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--workers", str(workers)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "listening" not in result.stderr + result.stdout
    # The supervisor may log that a worker stopped it; the error itself is one line.
    errors = [line for line in lines if line.startswith("rfc-bot: error: ")]
    assert len(errors) == 1, lines
    for phrase in phrases:
        assert phrase in errors[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_in_use_is_one_line_and_exit_2(
    settings: Settings, taken_port: int, workers: int
) -> None:
    result = serve(settings, workers, PORT=str(taken_port))
    assert_one_line_exit_2(result, f"127.0.0.1:{taken_port}", "in use", "PORT")
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("rfc-bot: error")
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_host_that_does_not_resolve_is_one_line_and_exit_2(
    settings: Settings, workers: int
) -> None:
    result = serve(settings, workers, HOST="no-such-host.invalid")
    assert_one_line_exit_2(result, "HOST=no-such-host.invalid", "does not resolve")


@pytest.mark.parametrize("workers", [1, 2])
def test_an_address_not_on_this_machine_is_one_line_and_exit_2(
    settings: Settings, workers: int
) -> None:
    # TEST-NET-1 (RFC 5737): never assigned to a machine.
    result = serve(settings, workers, HOST="192.0.2.1")
    assert_one_line_exit_2(result, "192.0.2.1", "not an address of this machine")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_setting_is_one_line_and_exit_2(settings: Settings, workers: int) -> None:
    result = serve(settings, workers, GITHUB_WEBHOOK_SECRET="short")
    assert_one_line_exit_2(result, "GITHUB_WEBHOOK_SECRET")
    assert result.stderr.count("\n") == 1


def test_listening_is_logged_after_binding(settings: Settings) -> None:
    """When "listening" is logged, the port accepts connections and answers /healthz."""
    wanted = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_APP_ID": settings.app_id,
        "GITHUB_PRIVATE_KEY": settings.private_key,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(wanted),
        "LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--workers", "1"],
        cwd=ROOT,
        env=environ,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        record = _first_listening_record(process)
        port = int(record["port"])
        assert port == wanted
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            assert client.recv(64).startswith(b"HTTP/1.")
    finally:
        process.terminate()
        process.wait(timeout=START_SECONDS)


def _first_listening_record(process: subprocess.Popen[str]) -> dict[str, object]:
    assert process.stderr is not None and process.stdout is not None
    # Read whichever stream carries the log record.
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    selector.register(process.stdout, selectors.EVENT_READ)
    while True:
        ready = selector.select(timeout=START_SECONDS)
        assert ready, "no log line in time"
        for key, _ in ready:
            line = key.fileobj.readline()  # type: ignore[union-attr]
            assert line, "the server exited before listening"
            if "listening" in line:
                return dict(json.loads(line))


def test_explain_names_what_to_do_for_each_failure() -> None:
    import errno

    assert "privileges" in str(explain("0.0.0.0", 80, OSError(errno.EACCES, "denied")))
    assert "boom" in str(explain("0.0.0.0", 80, OSError(errno.EIO, "boom")))


def test_listening_socket_listens_on_the_port_it_reports() -> None:
    sock = listening_socket("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass
    finally:
        sock.close()


def test_binding_errors_in_process() -> None:
    from bot.serve.processes import StartupError

    with pytest.raises(StartupError, match="does not resolve"):
        listening_socket("no-such-host.invalid", 8000)
    holder = listening_socket("127.0.0.1", 0)
    try:
        with pytest.raises(StartupError, match="in use"):
            listening_socket("127.0.0.1", holder.getsockname()[1])
    finally:
        holder.close()


def test_reuse_port_sockets_share_a_port() -> None:
    first = server_socket("127.0.0.1", 0, reuse_port=True)
    port = first.getsockname()[1]
    second = server_socket("127.0.0.1", port, reuse_port=True)
    try:
        assert second.getsockname()[1] == port
        with pytest.raises(OSError), socket.socket() as plain:
            plain.bind(("127.0.0.1", port))  # without the option: refused
    finally:
        first.close()
        second.close()


def test_a_failed_bind_closes_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))  # no SO_REUSEPORT: nobody may join
    try:
        with pytest.raises(OSError):
            server_socket("127.0.0.1", holder.getsockname()[1], reuse_port=True, listen=False)
    finally:
        holder.close()
