"""What a probe of GitHub saw, as a verdict: one line that says what is wrong and how to fix
it, and whether asking again may help."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.credentials import (
    MAX_QUOTED,
    Accepted,
    AllSuspended,
    Installation,
    NotTheApi,
    Observation,
    Refused,
    Target,
    Unreachable,
    installation_to_try,
    verdict,
)

APP = Target("https://api.github.com", app_id="123")
GHES = Target("https://ghe.example.com/api/v3", app_id="123")
ACTION = Target("https://api.github.com", repository="octo-org/rfcs")
NOT_DECODED = "A JSON web token could not be decoded"


def test_accepted_is_ready_and_says_what() -> None:
    found = verdict(Accepted("App rfc-bot (id 123)"), APP)
    assert (found.ready, found.reason, found.transient) == (True, "App rfc-bot (id 123)", False)


@pytest.mark.parametrize("step", ["app", "installations", "token"])
def test_a_wrong_app_id_or_key_names_both_and_the_fix(step: str) -> None:
    found = verdict(Refused(step, 401, NOT_DECODED), APP)  # type: ignore[arg-type]
    assert not found.ready and not found.transient
    assert found.reason.startswith(
        "GITHUB_APP_ID 123 and the private key do not belong together: GitHub answered 401 "
        f"{NOT_DECODED} to "
    )
    assert "generate a new private key" in found.reason


@pytest.mark.parametrize(
    "message",
    [
        "'Issued at' claim ('iat') must be an Integer representing the time that the "
        "assertion was issued",
        "'Expiration time' claim ('exp') must be a numeric value representing the future time",
    ],
)
def test_a_jwt_refused_for_its_times_blames_the_clock(message: str) -> None:
    found = verdict(Refused("app", 401, message), APP)
    assert "this machine's clock is wrong; synchronise it (NTP)" in found.reason
    assert "GITHUB_APP_ID" not in found.reason


def test_an_unknown_host_is_a_dns_failure_that_waits_for_a_person() -> None:
    found = verdict(Unreachable("dns", "Name or service not known"), GHES)
    assert found.reason == (
        "GITHUB_API_URL https://ghe.example.com/api/v3 cannot be reached: the name "
        "ghe.example.com does not resolve (Name or service not known); check the URL (use "
        "https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server) and "
        "this machine's DNS"
    )
    assert not found.transient


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://ghe.example.com/api/v3", "ghe.example.com:443"),
        ("http://127.0.0.1:9", "127.0.0.1:9"),
        ("http://[::1]", "[::1]:80"),
        ("http://host:notaport", "host:notaport:80"),  # never raises on a malformed port
    ],
)
def test_a_refused_connection_names_the_address_and_may_pass(url: str, address: str) -> None:
    found = verdict(Unreachable("refused", "[Errno 111] Connect call failed"), Target(url))
    assert f": {address} refused the connection;" in found.reason
    assert found.transient


def test_tls_failures_name_the_certificate_fix() -> None:
    found = verdict(Unreachable("tls", "certificate verify failed: self-signed"), GHES)
    assert "the TLS handshake failed (certificate verify failed: self-signed)" in found.reason
    assert "SSL_CERT_FILE" in found.reason and not found.transient


@pytest.mark.parametrize("kind", ["timeout", "connection"])
def test_timeouts_and_dropped_connections_may_pass(kind: str) -> None:
    found = verdict(Unreachable(kind, "Server disconnected"), APP)  # type: ignore[arg-type]
    assert found.transient and "GITHUB_API_URL https://api.github.com" in found.reason


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_github_5xx_may_pass(status: int) -> None:
    found = verdict(Refused("app", status, "Server Error"), APP)
    assert found.transient
    assert f"answers {status} Server Error to GET /app; it may be down" in found.reason


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "You have exceeded a secondary rate limit. Please wait a few minutes"),
        (403, "API rate limit exceeded for app ID 123."),
        (429, "Too Many Requests"),
    ],
)
def test_rate_limits_may_pass(status: int, message: str) -> None:
    found = verdict(Refused("installations", status, message), APP)
    assert found.transient and "GitHub's rate limit refused GET /app/installations" in found.reason


def test_a_404_for_get_app_means_the_url_is_not_the_api() -> None:
    found = verdict(Refused("app", 404, "Not Found"), Target("https://ghe.example.com"))
    assert found.reason.startswith(
        "GITHUB_API_URL https://ghe.example.com is not GitHub's REST API: GET /app answered 404"
    )
    assert "https://HOST/api/v3" in found.reason and not found.transient


def test_a_page_instead_of_json_means_the_url_is_not_the_api() -> None:
    found = verdict(NotTheApi("app", "a page that is not JSON"), Target("https://ghe.example.com"))
    assert "GET /app answered a page that is not JSON" in found.reason


def test_a_suspended_installation_says_where_to_unsuspend() -> None:
    refused = verdict(Refused("token", 403, "This installation has been suspended"), APP)
    assert refused.reason.startswith("the App's installation is suspended (403 This installation")
    assert not refused.transient
    every = verdict(AllSuspended(Installation(7, "octo-org", True), 3), APP)
    assert every.reason == (
        "the App's installation on octo-org (id 7) (and its 2 other installations) is "
        "suspended: unsuspend it in octo-org's settings (GitHub Apps, Configure, Unsuspend)"
    )


def test_an_installation_gone_meanwhile_is_asked_again() -> None:
    found = verdict(Refused("token", 404, "Not Found"), APP)
    assert found.transient and "uninstalled meanwhile" in found.reason


def test_another_refusal_quotes_github_and_the_request() -> None:
    found = verdict(Refused("app", 403, "the org has an IP allow list enabled"), APP)
    assert found.reason.startswith(
        "GitHub answered 403 the org has an IP allow list enabled to GET /app: check that "
        "GITHUB_APP_ID 123"
    )


def test_the_workflow_token_refused_or_blind() -> None:
    refused = verdict(Refused("repository", 401, "Bad credentials"), ACTION)
    assert refused.reason.startswith(
        "GITHUB_TOKEN is not accepted by GitHub at https://api.github.com (401 Bad credentials)"
    )
    blind = verdict(Refused("repository", 404, "Not Found"), ACTION)
    assert blind.reason.startswith(
        "GITHUB_TOKEN cannot read GITHUB_REPOSITORY octo-org/rfcs (404 Not Found)"
    )
    assert "GET /repos/octo-org/rfcs" in verdict(Refused("repository", 502, "x"), ACTION).reason


def test_the_installation_to_try_is_the_first_not_suspended() -> None:
    first, second = Installation(1, "a", suspended=True), Installation(2, "b")
    assert installation_to_try([first, second]) == second
    assert installation_to_try([first]) == AllSuspended(first, 1)
    assert installation_to_try([]) is None


observations = st.one_of(
    st.builds(Accepted, st.text()),
    st.builds(
        Unreachable,
        st.sampled_from(["dns", "refused", "tls", "timeout", "connection"]),
        st.text(),
    ),
    st.builds(
        Refused,
        st.sampled_from(["app", "installations", "token", "repository"]),
        st.integers(min_value=400, max_value=599),
        st.text(),
    ),
    st.builds(NotTheApi, st.sampled_from(["app", "token"]), st.text()),
)


@given(observations, st.text(alphabet="abc:/.", max_size=40))
@example(Refused("app", 401, "line one\nline two\r\n" + "x" * 5000), "https://h")
@example(Unreachable("dns", "\u2028 tabs\tand\nnewlines\x1c\x85"), "h:xx")
@example(Accepted("long " * 100), "h")
def test_every_reason_is_one_bounded_line(seen: Observation, url: str) -> None:
    found = verdict(seen, Target("https://" + url, app_id="1", repository="o/r"))
    assert len(found.reason.splitlines()) <= 1  # no newline, nor any other line break
    assert len(found.reason) <= 2 * MAX_QUOTED + 400 + 2 * len(url)
    assert found.ready == isinstance(seen, Accepted)


@pytest.mark.parametrize(
    "seen",
    [
        Unreachable("dns", "Name or service not known"),
        Unreachable("refused", "[Errno 111] Connect call failed"),
        Unreachable("timeout", "no answer in time"),
        NotTheApi("app", "a body that is not JSON"),
        Refused("app", 502, "Bad Gateway"),
    ],
)
def test_a_password_in_the_api_url_never_reaches_a_reason(seen: Observation) -> None:
    """``/readyz`` answers anyone: user info in GITHUB_API_URL is left out of its reason."""
    found = verdict(seen, Target("https://proxy:s3cret@ghe.example.com/api/v3", app_id="1"))
    assert "s3cret" not in found.reason and "proxy:" not in found.reason
    assert "https://ghe.example.com/api/v3" in found.reason
