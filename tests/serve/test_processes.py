"""Sockets and start-up failures: ``rfc-bot serve`` that cannot bind says so in one line on
stderr and exits 2, in real processes.

Alone (``--workers 1``) and supervised (``--workers 2``): a port in use, a host that does not
resolve, an address not on this machine, a bad setting. And "listening" is logged only once
the port is bound, with the port actually bound, and GitHub has accepted the credentials.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.serve.processes import explain, listening_socket, server_socket
from bot.serve.settings import Settings
from sandbox.simulator import Simulator

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


async def test_listening_is_logged_after_binding(sim: Simulator) -> None:
    """When "listening" is logged, the port accepts connections and answers /healthz (and
    GitHub, the simulator here, has accepted the App's credentials: the record says so)."""
    sim.clock.follow_the_machine()  # the process signs its JWTs with the machine's clock
    sim.create_repo("octo-org/rfcs", files={"README.md": "# RFCs\n"})
    wanted = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_APP_ID": sim.app_id,
        "GITHUB_PRIVATE_KEY": sim.private_key_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": sim.base_url,
        "HOST": "127.0.0.1",
        "PORT": str(wanted),
        "LOG_FORMAT": "json",
        "RECONCILE_INTERVAL": "0",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "serve", "--workers", "1"),
        cwd=ROOT,
        env=environ,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        record = await asyncio.wait_for(_first_listening_record(process), START_SECONDS)
        port = int(record["port"])
        assert port == wanted
        assert str(record["github"]).startswith("App rfc-bot (id 4242), a token for its")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.0\r\n\r\n")
        assert (await reader.read(64)).startswith(b"HTTP/1.")
        writer.close()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), START_SECONDS)


async def _first_listening_record(process: asyncio.subprocess.Process) -> dict[str, object]:
    assert process.stderr is not None
    while line := await process.stderr.readline():
        if b"listening" in line:
            return dict(json.loads(line))
    raise AssertionError("the server exited before listening")


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
