"""A failed talk with GitHub in one line: the answer, the request, the attempts; unreachable
and refused credentials named as such; nothing spans two lines."""

from __future__ import annotations

import http
import socket

import aiohttp
import gidgethub
import pytest
from aiohttp.client_reqrep import ConnectionKey

from bot.errors import PayloadError
from bot.github.client import DeadlineExceeded, RateLimited
from bot.github.failures import RequestTrail, failure_line


def status_error(status: int, message: str | None = None) -> gidgethub.HTTPException:
    code = http.HTTPStatus(status)
    if status >= 500:
        return gidgethub.GitHubBroken(code)
    return gidgethub.BadRequest(code, message) if message else gidgethub.BadRequest(code)


def trail_of(*answers: tuple[str, str, int]) -> RequestTrail:
    trail = RequestTrail()
    for answer in answers:
        trail(*answer)
    return trail


def test_a_retried_server_error_names_the_request_and_its_attempts() -> None:
    trail = trail_of(
        ("GET", "/installation/repositories", 200),  # page 1
        *[("GET", "/installation/repositories", 502)] * 4,  # page 2, every attempt
    )
    assert failure_line(status_error(502), trail) == (
        "GitHub answered 502 on GET /installation/repositories after 4 attempts"
    )


def test_a_success_between_failures_starts_the_count_again() -> None:
    trail = trail_of(
        ("GET", "/repos/{owner}/{repo}/pulls", 502),
        ("GET", "/repos/{owner}/{repo}/pulls", 304),
        ("GET", "/repos/{owner}/{repo}/pulls", 502),
    )
    assert failure_line(status_error(502), trail) == (
        "GitHub answered 502 on GET /repos/{owner}/{repo}/pulls"
    )


def test_github_s_message_is_kept_on_one_short_line() -> None:
    trail = trail_of(("POST", "/repos/{owner}/{repo}/check-runs", 422))
    line = failure_line(status_error(422, "Validation\nFailed: " + "x" * 500), trail)
    assert line.startswith("GitHub answered 422 on POST /repos/{owner}/{repo}/check-runs (")
    assert "\n" not in line and len(line) < 300


def test_an_error_the_trail_did_not_see_names_only_the_status() -> None:
    trail = trail_of(("GET", "/repos/{owner}/{repo}/pulls", 502))
    assert failure_line(status_error(404, "Not Found"), trail) == "GitHub answered 404"
    assert failure_line(status_error(500)) == "GitHub answered 500"


def test_refused_app_credentials_are_named() -> None:
    trail = trail_of(("GET", "/app/installations", 401))
    assert failure_line(status_error(401, "Bad credentials"), trail) == (
        "GitHub refused the App's credentials (401 on GET /app/installations):"
        " check GITHUB_APP_ID and the private key"
    )


def test_a_refused_installation_token_is_named() -> None:
    trail = trail_of(("GET", "/repos/{owner}/{repo}/pulls", 401))
    assert failure_line(status_error(401, "Bad credentials"), trail) == (
        "GitHub refused the installation's token (401 on GET /repos/{owner}/{repo}/pulls):"
        " the App may be suspended or uninstalled there"
    )


def test_unreachable_github_is_named() -> None:
    key = ConnectionKey("api.github.com", 443, True, True, None, None, None)
    error = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))
    assert failure_line(error) == (
        "GitHub is unreachable: cannot connect to api.github.com:443 (connection refused)"
    )
    unresolved = aiohttp.ClientConnectorError(key, socket.gaierror(-2, "Name or service not known"))
    assert "(Name or service not known)" in failure_line(unresolved)
    dropped = aiohttp.ServerDisconnectedError()
    assert failure_line(dropped).startswith("GitHub is unreachable: ServerDisconnectedError")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (TimeoutError(), "GitHub did not answer in time (REQUEST_TIMEOUT_SECONDS), after retries"),
        (
            DeadlineExceeded("event time budget spent before GET /x"),
            "ran out of time: event time budget spent before GET /x",
        ),
        (
            PayloadError("pull_request.head.sha: missing"),
            "GitHub answered without what the App relies on: pull_request.head.sha: missing",
        ),
        (
            KeyError("id"),
            "internal error KeyError: 'id' (its traceback is logged at DEBUG)",
        ),
        (RuntimeError(), "internal error RuntimeError (its traceback is logged at DEBUG)"),
    ],
)
def test_other_failures(error: BaseException, line: str) -> None:
    assert failure_line(error) == line


def test_a_rate_limit_past_the_budget_says_so() -> None:
    trail = trail_of(("GET", "/repos/{owner}/{repo}/pulls", 403))
    error = RateLimited(
        http.HTTPStatus(403),
        "GitHub rate limit on GET /repos/{owner}/{repo}/pulls: it lifts in 900 s",
    )
    assert failure_line(error, trail) == (
        "GitHub answered 403 on GET /repos/{owner}/{repo}/pulls"
        " (GitHub rate limit on GET /repos/{owner}/{repo}/pulls: it lifts in 900 s)"
    )


def test_the_trail_passes_every_answer_on() -> None:
    seen: list[tuple[str, str, int]] = []
    trail = RequestTrail(lambda *answer: seen.append(answer))
    trail("GET", "/a", 304)
    trail("GET", "/a", 502)
    assert seen == [("GET", "/a", 304), ("GET", "/a", 502)]


def test_a_cleared_trail_counts_afresh() -> None:
    trail = trail_of(*[("GET", "/a", 502)] * 4)
    trail.clear()
    assert failure_line(status_error(502), trail) == "GitHub answered 502"
    trail("GET", "/a", 502)
    assert failure_line(status_error(502), trail) == "GitHub answered 502 on GET /a"
