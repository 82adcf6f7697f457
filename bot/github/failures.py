"""A failed talk with GitHub told in one line: what GitHub answered, to which request, after
how many attempts; or that GitHub could not be reached, or refused the App's credentials.

``RequestTrail`` is a client's response observer (``GitHubClient(observer=...)``) that
remembers the last request that failed and how many attempts it took in a row, which the
exception gidgethub raises does not carry; ``failure_line`` reads both.
"""

from __future__ import annotations

import aiohttp
import gidgethub

from bot.errors import PayloadError
from bot.github.client import DeadlineExceeded, ResponseObserver

_MAX_DETAIL = 200  # characters of GitHub's own message kept in the line


class RequestTrail:
    """Observes a client's answers; passes each on to ``then`` (the sweep's counting)."""

    def __init__(self, then: ResponseObserver | None = None) -> None:
        self._then = then
        self.method = self.route = ""
        self.status = 0
        self.attempts = 0  # answers in a row that failed with the same method and route

    def clear(self) -> None:
        """Forget the failures seen so far (a new piece of work starts on the same client)."""
        self.method = self.route = ""
        self.status = self.attempts = 0

    def __call__(self, method: str, route: str, status: int) -> None:
        if self._then is not None:
            self._then(method, route, status)
        if status < 400:
            self.attempts = 0
            return
        same = (method, route, status) == (self.method, self.route, self.status)
        self.attempts = self.attempts + 1 if same else 1
        self.method, self.route, self.status = method, route, status


def failure_line(error: BaseException, trail: RequestTrail | None = None) -> str:
    """What went wrong, in one line that names the cause (never a traceback)."""
    if isinstance(error, gidgethub.HTTPException):
        return _answered(error, trail)
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
        reason = (
            "connection refused"
            if isinstance(cause, ConnectionRefusedError)
            else cause.strerror or type(cause).__name__
        )
        return f"GitHub is unreachable: cannot connect to {error.host}:{error.port} ({reason})"
    if isinstance(error, DeadlineExceeded):
        return f"ran out of time: {_one_line(str(error))}"
    if isinstance(error, TimeoutError):
        return "GitHub did not answer in time (REQUEST_TIMEOUT_SECONDS), after retries"
    if isinstance(error, aiohttp.ClientError):
        return f"GitHub is unreachable: {type(error).__name__}: {_one_line(str(error))}"
    if isinstance(error, PayloadError):
        return f"GitHub answered without what the App relies on: {_one_line(str(error))}"
    detail = _one_line(str(error))
    said = f": {detail}" if detail else ""
    return f"internal error {type(error).__name__}{said} (its traceback is logged at DEBUG)"


def _answered(error: gidgethub.HTTPException, trail: RequestTrail | None) -> str:
    status = error.status_code
    known = trail is not None and trail.status == int(status)
    request = f"{trail.method} {trail.route}" if trail is not None and known else ""
    if int(status) == 401:
        if request and not trail_is_app_route(request):
            return (
                f"GitHub refused the installation's token (401 on {request}):"
                " the App may be suspended or uninstalled there"
            )
        where = f" on {request}" if request else ""
        return (
            f"GitHub refused the App's credentials (401{where}):"
            " check GITHUB_APP_ID and the private key"
        )
    attempts = trail.attempts if trail is not None and known else 1
    line = f"GitHub answered {int(status)}"
    line += f" on {request}" if request else ""
    line += f" after {attempts} attempts" if attempts > 1 else ""
    detail = _one_line(str(error))
    # A 4xx says what was wrong ("Resource not accessible by integration"); a 5xx says
    # nothing more than its status.
    if int(status) < 500 and detail and detail not in (str(int(status)), status.phrase):
        line += f" ({detail})"
    return line


def trail_is_app_route(request: str) -> bool:
    """A request of the App itself (signed with its JWT), not of an installation."""
    return request.partition(" ")[2].startswith("/app")


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"
