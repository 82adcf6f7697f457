"""The App's side of GitHub's OAuth web flow (user-to-server): the dashboard's sign-in.

1. ``authorize_url``: where the browser goes to sign in on GitHub, with a ``state`` nonce
   (``bot.dashboard.sessions.SessionCodec.new_state``) and the callback URL.
2. ``exchange_code``: the callback's one-time code, with the App's client id and secret,
   for a user access token (``POST {web}/login/oauth/access_token``).
3. ``signed_in_user``: who that token belongs to (``GET /user``).

The token is used once, to learn who signed in, then dropped: it is never stored, returned
to a browser or logged, nor is the code. The exchange is never retried: a code is good once,
and a request that timed out may have spent it. See docs/dashboard.md, "Sign-in".
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import aiohttp
import gidgethub
from gidgethub.abc import GitHubAPI

from bot.clock import EpochClock
from bot.errors import UserError
from bot.github.client import USER_AGENT, GitHubClient
from bot.values import Viewer

log = logging.getLogger(__name__)

AUTHORIZE_PATH = "/login/oauth/authorize"
ACCESS_TOKEN_PATH = "/login/oauth/access_token"
EXCHANGE_TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024  # a token answer is a few hundred bytes
MAX_DESCRIPTION_CHARS = 200


class SignInRefused(UserError):
    """GitHub refused the sign-in (a used or expired code, wrong client credentials, a
    redirect URL that does not match): the message is GitHub's description, fit to show."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error  # GitHub's code, e.g. "bad_verification_code"


class SignInFailed(Exception):
    """The sign-in could not be finished: GitHub unreachable, too slow, or an answer that
    is not what GitHub documents. Internal: log it, show a generic "try again"."""


def authorize_url(web_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """GitHub's sign-in page for this App, returning to ``redirect_uri`` with ``state``."""
    query = urlencode({"client_id": client_id, "redirect_uri": redirect_uri, "state": state})
    return f"{web_url.rstrip('/')}{AUTHORIZE_PATH}?{query}"


async def exchange_code(
    session: aiohttp.ClientSession,
    web_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    *,
    timeout: float = EXCHANGE_TIMEOUT_SECONDS,
) -> str:
    """The user access token for the callback's ``code`` (raises ``SignInRefused`` with
    GitHub's description, or ``SignInFailed``)."""
    form = {
        "client_id": client_id,
        "client_secret": client_secret,
        "code": code,
        "redirect_uri": redirect_uri,
    }
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    try:
        async with session.post(
            f"{web_url.rstrip('/')}{ACCESS_TOKEN_PATH}",
            data=form,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            status = response.status
            raw = await response.content.read(MAX_ANSWER_BYTES + 1)
    except TimeoutError as error:
        raise SignInFailed(f"GitHub did not answer the sign-in within {timeout:g} s") from error
    except aiohttp.ClientError as error:
        raise SignInFailed(f"could not reach GitHub to finish the sign-in ({error})") from error
    return token_from(status, raw)


def token_from(status: int, raw: bytes) -> str:
    """The access token in GitHub's answer to the code exchange (pure)."""
    if status != 200:
        raise SignInFailed(f"GitHub answered the code exchange with HTTP {status}")
    if len(raw) > MAX_ANSWER_BYTES:
        raise SignInFailed("GitHub's answer to the code exchange is too large")
    try:
        answer: Any = json.loads(raw)
    except ValueError as not_json:
        raise SignInFailed("GitHub's answer to the code exchange is not JSON") from not_json
    if not isinstance(answer, dict):
        raise SignInFailed("GitHub's answer to the code exchange is not a JSON object")
    if "error" in answer:
        error = _plain(answer.get("error"), 64) or "unknown_error"
        description = _plain(answer.get("error_description"), MAX_DESCRIPTION_CHARS)
        raise SignInRefused(error, description or f"GitHub refused the sign-in ({error}).")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token or not token.isascii() or not token.isprintable():
        raise SignInFailed("GitHub's answer to the code exchange holds no access token")
    return token


def _plain(value: object, limit: int) -> str:
    """Printable text from GitHub, shortened: safe to show (HTML escaping is the page's job)."""
    if not isinstance(value, str):
        return ""
    text = "".join(c if c.isprintable() else " " for c in value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def signed_in_user(
    session_or_gh: aiohttp.ClientSession | GitHubAPI,
    api_url: str,
    token: str,
    *,
    wall_clock: EpochClock,
    timeout: float = EXCHANGE_TIMEOUT_SECONDS,
) -> Viewer:
    """Who holds ``token`` (``GET /user``): login and numeric id (``wall_clock``: the App's
    clock, for a client made from a session). Raises ``SignInFailed``
    when GitHub refuses the token or answers something else."""
    if isinstance(session_or_gh, GitHubAPI):
        gh = session_or_gh
    else:
        gh = GitHubClient(
            session_or_gh,
            base_url=api_url,
            request_timeout=timeout,
            max_attempts=2,
            wall_clock=wall_clock,
        )
    try:
        user = await gh.getitem(f"{api_url.rstrip('/')}/user", oauth_token=token)
    except gidgethub.BadRequest as error:
        raise SignInFailed(
            f"GitHub refused the new user token (HTTP {error.status_code})"
        ) from error
    except (gidgethub.GitHubException, aiohttp.ClientError, TimeoutError) as error:
        raise SignInFailed(
            f"could not ask GitHub who signed in ({type(error).__name__})"
        ) from error
    return viewer_from(user)


def viewer_from(user: Any) -> Viewer:
    """The ``Viewer`` in a ``GET /user`` answer (pure)."""
    login = user.get("login") if isinstance(user, dict) else None
    user_id = user.get("id") if isinstance(user, dict) else None
    if (
        not isinstance(login, str)
        or not login
        or len(login) > 39
        or not login.isascii()
        or not login.isprintable()
        or type(user_id) is not int
        or user_id <= 0
    ):
        raise SignInFailed("GitHub's answer to GET /user has no login and id")
    log.info("signed in to the dashboard", extra={"login": login, "user_id": user_id})
    return Viewer(login, user_id)
