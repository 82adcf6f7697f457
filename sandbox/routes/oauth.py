"""GitHub's OAuth web flow for a GitHub App (user-to-server), as the dashboard's sign-in meets it.

Three parts, as on GitHub:

- the web pages ``GET /login/oauth/authorize`` (the sign-in page: a login field and an
  "Authorize" button) and its ``POST``, which redirects (302) to ``redirect_uri`` with a
  one-time ``code`` and the ``state`` passed back verbatim;
- ``POST /login/oauth/access_token``: client id + client secret + code (+ the same
  ``redirect_uri``) for a user access token (``ghu_``, 8 hours) and a refresh token (``ghr_``).
  Refusals are HTTP 200 with ``{"error", "error_description", "error_uri"}``, as GitHub does;
- the REST operation ``GET /user`` (``users/get-authenticated``), which only a user access
  token may call (see ``sandbox/server/auth.py``).

``sim.authorize`` (the scenario API) fills the sign-in form through :func:`authorize`, without
a browser. See docs/simulator.md, "OAuth sign-in".
"""

from __future__ import annotations

import html
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from aiohttp import web

from sandbox import sim_render as render
from sandbox.github import USER_TOKEN_LIFETIME, GitHub, OAuthClient, PendingCode
from sandbox.routes.call import Call, Reply
from sandbox.sim_state import ApiError, iso

CODE_LIFETIME = timedelta(minutes=10)  # documented: "The code will expire after 10 minutes"
REFRESH_TOKEN_LIFETIME = timedelta(days=183)  # documented: refresh_token_expires_in 15811200
TROUBLESHOOTING = (
    "https://docs.github.com/apps/managing-oauth-apps/"
    "troubleshooting-oauth-app-access-token-request-errors/"
)
# GitHub logins: letters, digits and single hyphens, at most 39 characters (linear check).
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


class AuthorizeRefused(ValueError):
    """GitHub shows an error page instead of redirecting (the message is the page's text)."""


# ---------------------------------------------------------------- deciding


def redirect_allowed(redirect_uri: str, callback_url: str) -> bool:
    """``redirect_uri`` is the callback URL or under it: the same scheme, host and port,
    and a path at or below the callback's path (GitHub's rule for OAuth redirect URLs)."""
    given, registered = urlsplit(redirect_uri), urlsplit(callback_url)
    if (given.scheme, given.netloc.lower()) != (registered.scheme, registered.netloc.lower()):
        return False
    if given.fragment or ".." in given.path.split("/"):
        return False
    base = registered.path.rstrip("/")
    return given.path == registered.path or given.path.startswith(base + "/")


def redirect_for(client: OAuthClient, redirect_uri: str | None) -> str:
    """Where the sign-in goes back to, or :class:`AuthorizeRefused` with GitHub's page."""
    if not client.callback_urls:
        raise AuthorizeRefused("This GitHub App has no callback URL: set one in its settings.")
    if not redirect_uri:
        return client.callback_urls[0]  # documented: the first callback URL is used
    if any(redirect_allowed(redirect_uri, url) for url in client.callback_urls):
        return redirect_uri
    raise AuthorizeRefused("The redirect_uri is not associated with this application.")


def with_query(url: str, params: dict[str, str]) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode(params)


def authorize(
    sim: GitHub, login: str, client_id: str, redirect_uri: str | None, state: str | None
) -> str:
    """The user ``login`` authorizes the App: the URL GitHub redirects the browser to."""
    client = sim.oauth_clients.get(client_id)
    if client is None:
        raise AuthorizeRefused("The client_id is not known to GitHub.")
    target = redirect_for(client, redirect_uri)
    if not _LOGIN.fullmatch(login) or "--" in login or login.endswith("-"):
        raise AuthorizeRefused("That is not a GitHub login.")
    code = secrets.token_hex(10)  # GitHub's codes are 20 hex characters
    sim.logins.setdefault(login.lower(), login)
    sim.oauth_codes[code] = PendingCode(client_id, sim.login_of(login), target, sim.clock.now())
    params = {"code": code}
    if state is not None:
        params["state"] = state  # verbatim, as GitHub passes it back
    return with_query(target, params)


def exchange(sim: GitHub, form: dict[str, str]) -> dict[str, Any]:
    """The access-token answer for this request's parameters (an error object on refusal)."""
    client = sim.oauth_clients.get(form.get("client_id", ""))
    if client is None or not secrets.compare_digest(
        form.get("client_secret", "").encode(), client.client_secret.encode()
    ):
        return token_error(
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
            "incorrect-client-credentials",
        )
    pending = sim.oauth_codes.get(form.get("code", ""))
    if (
        pending is None
        or pending.client_id != client.client_id
        or sim.clock.now() - pending.issued > CODE_LIFETIME
    ):
        return token_error(
            "bad_verification_code",
            "The code passed is incorrect or expired.",
            "bad-verification-code",
        )
    given = form.get("redirect_uri")
    if given and given != pending.redirect_uri:
        return token_error(
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch",
        )
    del sim.oauth_codes[form["code"]]  # good once
    token, refresh = sim.issue_user_token(pending.login, client.client_id)
    return {
        "access_token": token,
        "expires_in": int(USER_TOKEN_LIFETIME.total_seconds()),
        "refresh_token": refresh,
        "refresh_token_expires_in": int(REFRESH_TOKEN_LIFETIME.total_seconds()),
        "token_type": "bearer",
        "scope": "",
    }


def token_error(error: str, description: str, anchor: str) -> dict[str, str]:
    return {
        "error": error,
        "error_description": description,
        "error_uri": f"{TROUBLESHOOTING}#{anchor}",
    }


# ---------------------------------------------------------------- pages


def authorize_page(client: OAuthClient, params: dict[str, str], problem: str = "") -> str:
    """The sign-in page: one labelled field, Authorize and Cancel; every value escaped."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params[name], quote=True)}">\n'
        for name in ("client_id", "redirect_uri", "state")
        if name in params
    )
    name = html.escape(client.name or "the App")
    alert = f'<p role="alert">{html.escape(problem)}</p>\n' if problem else ""
    login = html.escape(params.get("login", ""), quote=True)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Authorize {name}</title></head>\n<body><main>\n"
        f"<h1>Authorize {name}</h1>\n"
        f"<p>{name} wants to know who you are (your login and user id).</p>\n{alert}"
        '<form method="post" action="/login/oauth/authorize">\n'
        f"{hidden}"
        '<label for="login">Your GitHub login</label>\n'
        f'<input id="login" name="login" type="text" autocomplete="username" required '
        f'value="{login}">\n'
        '<button type="submit" name="authorize" value="1">Authorize</button>\n'
        '<button type="submit" name="cancel" value="1" formnovalidate>Cancel</button>\n'
        "</form>\n</main></body></html>\n"
    )


def error_page(message: str, status: int = 400) -> web.Response:
    body = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Sign-in error</title></head>\n"
        f'<body><main><h1>Sign-in error</h1><p role="alert">{html.escape(message)}</p>'
        "</main></body></html>\n"
    )
    return web.Response(status=status, text=body, content_type="text/html")


async def authorize_get(sim: GitHub, request: web.Request) -> web.StreamResponse:
    params = dict(request.query)
    client = sim.oauth_clients.get(params.get("client_id", ""))
    if client is None:
        return error_page("The client_id is not known to GitHub.")
    try:
        redirect_for(client, params.get("redirect_uri"))
    except AuthorizeRefused as refused:
        return error_page(str(refused))
    return web.Response(text=authorize_page(client, params), content_type="text/html")


async def authorize_post(sim: GitHub, request: web.Request) -> web.StreamResponse:
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    client = sim.oauth_clients.get(form.get("client_id", ""))
    if client is None:
        return error_page("The client_id is not known to GitHub.")
    try:
        target = redirect_for(client, form.get("redirect_uri"))
        if "cancel" in form:  # documented: the user denied access
            params = {
                "error": "access_denied",
                "error_description": "The user has denied your application access.",
                "error_uri": TROUBLESHOOTING,
            }
            if "state" in form:
                params["state"] = form["state"]
            raise web.HTTPFound(with_query(target, params))
        location = authorize(
            sim, form.get("login", "").strip(), client.client_id, target, form.get("state")
        )
    except AuthorizeRefused as refused:
        if str(refused) == "That is not a GitHub login.":
            page = authorize_page(client, form, str(refused))
            return web.Response(status=422, text=page, content_type="text/html")
        return error_page(str(refused))
    raise web.HTTPFound(location)


async def access_token(sim: GitHub, request: web.Request) -> web.StreamResponse:
    """The code exchange: parameters in the query, a form body or a JSON body."""
    raw = await request.read()
    form: dict[str, str] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            form |= {k: v for k, v in body.items() if isinstance(v, str)}
    else:
        form |= dict(parse_qsl(raw.decode("utf-8", "replace")))
    answer = exchange(sim, form)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response(answer)
    # GitHub's default answer is form-encoded.
    return web.Response(text=urlencode(answer), content_type="application/x-www-form-urlencoded")


# ---------------------------------------------------------------- REST


def get_authenticated_user(sim: GitHub, call: Call) -> Reply:
    if call.user is None:  # only a user access token gets here (sandbox/server/auth.py)
        raise ApiError(401, "Bad credentials")
    login = sim.login_of(call.user)
    created = iso(datetime(2020, 1, 1, tzinfo=sim.clock.now().tzinfo))
    return Reply(
        200,
        {
            **render.user_json(login),
            "name": login,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "bio": None,
            "public_repos": 0,
            "followers": 0,
            "following": 0,
            "created_at": created,
            "updated_at": created,
        },
    )
