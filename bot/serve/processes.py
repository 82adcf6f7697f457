"""Process plumbing of the runtime: server sockets, dying with a parent, the usable CPUs.

``rfc-bot serve`` binds its sockets before it says "listening" (and before aiohttp starts),
so a bad ``HOST`` or a port in use ends the start-up with one clear line on stderr and exit
code 2 (``StartupError``, caught by ``bot.serve.supervisor.main``), not a traceback after a
false "listening". Serving workers and lint processes both die with their parent
(``die_with_parent``), each with the signal that suits it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

LISTEN_BACKLOG = 1024  # pending connections per socket (the kernel caps at somaxconn)
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# Why a bind fails, in the words of what to do about it.
_ADVICE = {
    errno.EADDRINUSE: "the port is in use by another program (stop it, or set PORT to a free port)",
    errno.EACCES: "permission denied (ports below 1024 need privileges: set PORT=8000)",
    errno.EADDRNOTAVAIL: (
        "HOST is not an address of this machine (use 0.0.0.0 for every interface, "
        "127.0.0.1 for loopback)"
    ),
}


class StartupError(Exception):
    """The server cannot start: the message is the whole story, for one line on stderr."""


def explain(host: str, port: int, error: OSError) -> StartupError:
    """The one-line reason binding ``host:port`` failed."""
    if isinstance(error, socket.gaierror):
        return StartupError(
            f"cannot serve on HOST={host}: the name does not resolve ({error.strerror}); "
            "use an address such as 0.0.0.0 or 127.0.0.1"
        )
    if isinstance(error, OverflowError):  # pragma: no cover - Settings already bounds PORT
        return StartupError(f"cannot serve on PORT={port}: not a port number")
    advice = _ADVICE.get(error.errno or 0, error.strerror or str(error))
    return StartupError(f"cannot serve on {host}:{port}: {advice}")


@contextmanager
def binding(host: str, port: int) -> Iterator[None]:
    """Turn a failure to resolve or bind ``host:port`` into a ``StartupError``."""
    try:
        yield
    except OSError as error:
        raise explain(host, port, error) from error


def server_socket(
    host: str, port: int, *, reuse_port: bool = False, listen: bool = True
) -> socket.socket:
    """A TCP socket bound to ``(host, port)``: listening and non-blocking unless ``listen`` is
    False. ``reuse_port``: other processes of this user may bind the port as well
    (``SO_REUSEPORT``: the kernel spreads new connections across their sockets)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if listen:
            sock.listen(LISTEN_BACKLOG)
            sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """The listening socket of a server running alone; a failure is a ``StartupError``."""
    with binding(host, port):
        return server_socket(host, port)


def die_with_parent(parent_pid: int, signum: signal.Signals) -> None:
    """Have the kernel send ``signum`` to this process when its parent dies (Linux); a parent
    that died before we asked gets the same answer at once.

    The kernel needs nothing of this process, not even the GIL (a C call such as a slow ``re``
    match can hold it for as long as it runs). The signal is tied to the parent *thread* that
    started us: the supervisor's main thread, the lint pool's event-loop thread."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signum)


def usable_cpus() -> int:
    """The CPUs this process may run on (a container's CPU set, not the host's count)."""
    # sched_getaffinity is missing on macOS and Windows.
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, count or 1)
