"""Binding the server's port, with start-up failures told in one line.

``rfc-bot serve`` binds its sockets before it says "listening" (and before aiohttp starts),
so a bad ``HOST`` or a port in use ends the start-up with one clear line on stderr and exit
code 2 (``StartupError``, caught by ``bot.supervisor.main``), not a traceback after a false
"listening".
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager

LISTEN_BACKLOG = 1024  # pending connections (the kernel caps at somaxconn)

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


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket on ``(host, port)`` for a server running alone."""
    with binding(host, port):
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(LISTEN_BACKLOG)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock
