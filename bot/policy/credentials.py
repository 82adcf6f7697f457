"""Whether GitHub takes the App's credentials: what one probe saw, as a verdict whose reason is
one line saying what is wrong and how to fix it. Pure: ``bot.github.probe`` does the asking.

A verdict is ``transient`` when asking again may succeed without anyone changing anything
(GitHub answering 5xx, a refused or timed-out connection, a rate limit): start-up retries
those for a few seconds, readiness re-checks them sooner. A wrong App id or key, a name that
does not resolve, a certificate this machine does not trust, a suspended installation are
not: only a person fixes them, so the message names what to change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

Step = Literal["app", "installations", "token", "repository"]
TransportKind = Literal["dns", "refused", "tls", "timeout", "connection"]

API_URL_HELP = "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server"
MAX_QUOTED = 160  # characters of GitHub's (or the network's) own words quoted in a reason
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Target:
    """What was checked, for the words: the API root and whose credentials."""

    api_url: str
    app_id: str = ""  # `rfc-bot serve`: the App's JWT
    repository: str = ""  # `rfc-bot action`: the workflow's token, on this repository


@dataclass(frozen=True)
class Installation:
    """One installation of the App, as ``GET /app/installations`` lists it."""

    id: int
    account: str
    suspended: bool = False


# --- what a probe can see ------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    summary: str  # what GitHub said yes to, e.g. "App rfc-bot (id 4242), 3 installations"


@dataclass(frozen=True)
class Unreachable:
    kind: TransportKind
    detail: str  # the error's own words


@dataclass(frozen=True)
class Refused:
    """GitHub answered the request of ``step`` with an error status."""

    step: Step
    status: int
    message: str


@dataclass(frozen=True)
class NotTheApi:
    """Something answered the request of ``step``, but not as GitHub's REST API does."""

    step: Step
    detail: str


@dataclass(frozen=True)
class AllSuspended:
    """The App has installations, and every one of them is suspended."""

    first: Installation
    count: int


Observation = Accepted | Unreachable | Refused | NotTheApi | AllSuspended


@dataclass(frozen=True)
class Verdict:
    ready: bool
    reason: str  # one line: what GitHub accepted, or what is wrong and how to fix it
    transient: bool = False  # may pass without a change: worth asking again soon


def installation_to_try(
    installations: Sequence[Installation],
) -> Installation | AllSuspended | None:
    """The first installation that is not suspended (the one a token is asked for); when every
    one is suspended, that; None when the App has none yet (nothing to check: it serves the
    first installation's events when they come)."""
    for installation in installations:
        if not installation.suspended:
            return installation
    return AllSuspended(installations[0], len(installations)) if installations else None


def verdict(seen: Observation, target: Target) -> Verdict:
    """The verdict on one probe, its reason one line of at most a few hundred characters."""
    target = replace(target, api_url=without_user_info(target.api_url))  # /readyz is public
    match seen:
        case Accepted(summary):
            return Verdict(True, quoted(summary))
        case Unreachable():
            return _unreachable(seen, target)
        case Refused():
            return _refused(seen, target)
        case NotTheApi(step, detail):
            return Verdict(
                False,
                f"GITHUB_API_URL {target.api_url} is not GitHub's REST API: "
                f"{_request(step, target)} answered {quoted(detail)}; {API_URL_HELP}",
            )
        case AllSuspended(first, count):
            others = "" if count == 1 else f" (and its {count - 1} other installations)"
            return Verdict(
                False,
                f"the App's installation on {first.account} (id {first.id}){others} is "
                f"suspended: unsuspend it in {first.account}'s settings "
                "(GitHub Apps, Configure, Unsuspend)",
            )
    raise AssertionError(f"unknown observation {seen!r}")  # pragma: no cover


def _unreachable(seen: Unreachable, target: Target) -> Verdict:
    url = target.api_url
    parts = urlsplit(url)
    where = f"GITHUB_API_URL {url} cannot be reached"
    detail = quoted(seen.detail)
    match seen.kind:
        case "dns":
            return Verdict(
                False,
                f"{where}: the name {parts.hostname} does not resolve ({detail}); check the "
                f"URL ({API_URL_HELP}) and this machine's DNS",
            )
        case "tls":
            return Verdict(
                False,
                f"{where}: the TLS handshake failed ({detail}); check the URL, or give this "
                "machine the CA that signed the server's certificate (SSL_CERT_FILE)",
            )
        case "refused":
            return Verdict(
                False,
                f"{where}: {_address(parts.scheme, parts.netloc)} refused the "
                "connection; check the URL and that nothing in between (a firewall, a proxy, "
                "a network policy) blocks it",
                transient=True,
            )
        case "timeout":
            return Verdict(
                False,
                f"GITHUB_API_URL {url} did not answer in time; check the URL and that this "
                "machine may reach it (a firewall or network policy may drop the packets)",
                transient=True,
            )
    return Verdict(
        False, f"{where} ({detail}); check the URL and the network in between", transient=True
    )


def _refused(seen: Refused, target: Target) -> Verdict:
    status, message, step = seen.status, quoted(seen.message), seen.step
    said = f"{status} {message}"
    if status >= 500:
        return Verdict(
            False,
            f"GitHub at GITHUB_API_URL {target.api_url} answers {said} to "
            f"{_request(step, target)}; it may be down (see https://www.githubstatus.com), "
            "or a proxy in front of it is",
            transient=True,
        )
    if status == 429 or (status == 403 and "rate limit" in seen.message.lower()):
        return Verdict(
            False,
            f"GitHub's rate limit refused {_request(step, target)} ({said}); it lifts within "
            "the hour, or sooner after a secondary limit",
            transient=True,
        )
    if step == "repository":
        return _token_refused(seen, target)
    if status == 401:
        if "'issued at'" in seen.message.lower() or "'expiration time'" in seen.message.lower():
            return Verdict(
                False,
                f"GitHub refused the App's JWT for its times ({said}): this machine's clock "
                "is wrong; synchronise it (NTP)",
            )
        return Verdict(
            False,
            f"GITHUB_APP_ID {target.app_id} and the private key do not belong together: "
            f"GitHub answered {said} to {_request(step, target)}; copy the App ID from the "
            "App's settings page and generate a new private key there (GITHUB_PRIVATE_KEY)",
        )
    if step == "app" and status == 404:
        return Verdict(
            False,
            f"GITHUB_API_URL {target.api_url} is not GitHub's REST API: GET /app answered "
            f"{said}; {API_URL_HELP}",
        )
    if step == "token" and status == 403 and "suspended" in seen.message.lower():
        return Verdict(
            False,
            f"the App's installation is suspended ({said}): unsuspend it in the account's "
            "settings (GitHub Apps, Configure, Unsuspend)",
        )
    if step == "token" and status == 404:
        # Listed a moment ago, gone now: uninstalled while rfc-bot started. Ask again.
        return Verdict(
            False,
            f"the installation rfc-bot asked a token for is gone ({said}): it was "
            "uninstalled meanwhile; start rfc-bot again",
            transient=True,
        )
    return Verdict(
        False,
        f"GitHub answered {said} to {_request(step, target)}: check that GITHUB_APP_ID "
        f"{target.app_id} is this App's and that the App may be used here",
    )


def _token_refused(seen: Refused, target: Target) -> Verdict:
    said = f"{seen.status} {quoted(seen.message)}"
    if seen.status == 401:
        return Verdict(
            False,
            f"GITHUB_TOKEN is not accepted by GitHub at {target.api_url} ({said}): give "
            "the step a live token (the input `token`, by default the workflow's own "
            "`github.token`)",
        )
    return Verdict(
        False,
        f"GITHUB_TOKEN cannot read GITHUB_REPOSITORY {target.repository} ({said}): check the "
        "repository's name and that the token may read it (the workflow's own token does)",
    )


def without_user_info(url: str) -> str:
    """``url`` without a ``user:password@`` part, which must never be shown."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host: show nothing of the authority
        return "(a malformed URL)"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _request(step: Step, target: Target) -> str:
    return {
        "app": "GET /app",
        "installations": "GET /app/installations",
        "token": "POST /app/installations/{id}/access_tokens",
        "repository": f"GET /repos/{target.repository}",
    }[step]


def _address(scheme: str, netloc: str) -> str:
    """host:port of a URL's authority, the port made explicit (no user info is ever there:
    GITHUB_API_URL is a plain URL)."""
    host = netloc.rpartition("@")[2]
    if re.search(r":[0-9]*$", host):
        return host
    return f"{host}:{443 if scheme == 'https' else 80}"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) as one space."""
    return _SPACE.sub(" ", text).strip()


def quoted(text: str) -> str:
    """Someone else's words as a short single line: GitHub's message, an error's text."""
    line = one_line(text)
    return line if len(line) <= MAX_QUOTED else line[: MAX_QUOTED - 1] + "…"
