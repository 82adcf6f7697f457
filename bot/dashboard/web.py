"""The dashboard's routes (docs/dashboard.md), each a few lines: cookie → fetch → decide → page.

- ``GET /dashboard`` (``?view=mine``: waiting on me): signed in, the page; signed out, a
  redirect to the sign-in; with no OAuth client configured, a page saying how to turn it on.
- ``GET /dashboard/login``: off to GitHub's authorize page, with a fresh state in a
  short-lived cookie (login CSRF).
- ``GET /dashboard/callback``: GitHub's way back; the state must match that cookie, the code
  is exchanged for a user token, the token names the user and is dropped. The session cookie
  holds the login and id only.
- ``POST /dashboard/logout``: with the session's CSRF token; clears the cookie.
- ``GET /dashboard/dashboard.css``: the page's one stylesheet.

Every answer carries a Content-Security-Policy that allows no script at all and forms only to
this App, and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote

from aiohttp import web
from cachetools import TTLCache

from bot.clock import epoch_seconds
from bot.dashboard.page import Notes, render_dashboard, render_message
from bot.dashboard.sessions import (
    COOKIE_NAME,
    COOKIE_PATH,
    STATE_COOKIE_NAME,
    STATE_MAX_AGE_SECONDS,
    SessionCodec,
    ViewerSession,
    cookie_options,
)
from bot.features.context import Context
from bot.features.dashboard import Cards, open_cards
from bot.github.client import ClientFactory
from bot.github.oauth import (
    SignInFailed,
    SignInRefused,
    authorize_url,
    exchange_code,
    signed_in_user,
)
from bot.policy.dashboard import build_view
from bot.serve.settings import Settings

log = logging.getLogger(__name__)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
MAX_FORM_BYTES = 4096
VIEW_SECONDS = 15  # a viewer's reload within this reuses what the last view read
STYLESHEET = resources.files("bot.dashboard").joinpath("static/dashboard.css").read_bytes()


@dataclass
class Dashboard:
    settings: Settings
    codec: SessionCodec
    context: Context
    clients: Callable[[], ClientFactory | None]
    views: TTLCache[str, Cards]


DASHBOARD = web.AppKey("dashboard", Dashboard)


def add_dashboard(
    app: web.Application,
    settings: Settings,
    context: Context,
    clients: Callable[[], ClientFactory | None],
) -> None:
    """Serve the dashboard from ``app`` (off, with a page that says so, until configured)."""
    codec = SessionCodec(
        settings.webhook_secret,
        settings.dashboard_session_minutes * 60,
        clock=epoch_seconds(context.clock),
    )
    views: TTLCache[str, Cards] = TTLCache(maxsize=1024, ttl=VIEW_SECONDS)
    app[DASHBOARD] = Dashboard(settings, codec, context, clients, views)
    app.router.add_get("/dashboard", show)
    app.router.add_get("/dashboard/login", login)
    app.router.add_get("/dashboard/callback", callback)
    app.router.add_post("/dashboard/logout", logout)
    app.router.add_get("/dashboard/dashboard.css", stylesheet)


async def show(request: web.Request) -> web.Response:
    dash = request.app[DASHBOARD]
    off = _off(dash)
    if off is not None:
        return off
    session = _session(request)
    if session is None:
        return _redirect(f"/dashboard/login?next={quote(request.path_qs, safe='')}")
    clients = dash.clients()
    if clients is None:
        return _page(render_message("Starting", "The App is starting: reload in a moment."), 503)
    login = session.viewer.login
    found = dash.views.get(login.lower())
    if found is None:
        found = dash.views[login.lower()] = await open_cards(clients, dash.context, login)
    view = build_view(
        found.cards,
        login,
        found.readable.__contains__,
        dash.context.clock(),
        mine_only=request.query.get("view") == "mine",
    )
    notes = Notes(found.loading, found.unavailable, found.rate_limited)
    return _page(render_dashboard(view, dash.codec.csrf_token(session), notes))


async def login(request: web.Request) -> web.Response:
    dash = request.app[DASHBOARD]
    off = _off(dash)
    if off is not None:
        return off
    cookie, state = dash.codec.new_state(request.query.get("next"))
    settings = dash.settings
    url = authorize_url(settings.web_url, settings.client_id, settings.oauth_callback_url, state)
    response = _redirect(url, 302)
    options = cookie_options(settings.public_url, STATE_MAX_AGE_SECONDS)
    response.set_cookie(STATE_COOKIE_NAME, cookie, **options)
    return response


async def callback(request: web.Request) -> web.Response:
    dash = request.app[DASHBOARD]
    off = _off(dash)
    if off is not None:
        return off
    if request.query.get("error"):  # the user pressed "Cancel" on GitHub
        return _message("Sign-in cancelled", "GitHub did not sign you in.", 403)
    next_path = dash.codec.state_next(
        request.cookies.get(STATE_COOKIE_NAME), request.query.get("state")
    )
    code = request.query.get("code", "")
    if next_path is None or not code or len(code) > 256:
        return _message(
            "Sign-in link not valid",
            "This sign-in was not started from this browser, or it is more than 10 minutes "
            "old. Start again.",
            400,
        )
    clients = dash.clients()
    if clients is None:
        return _page(render_message("Starting", "The App is starting: try again."), 503)
    settings = dash.settings
    try:
        token = await exchange_code(
            clients.session,
            settings.web_url,
            settings.client_id,
            settings.client_secret,
            code,
            settings.oauth_callback_url,
        )
        viewer = await signed_in_user(
            clients.session, settings.api_url, token, wall_clock=clients.wall_clock
        )
    except SignInRefused as refused:
        return _message("Sign-in refused", f"GitHub refused the sign-in: {refused}", 403)
    except SignInFailed:
        log.warning("dashboard: GitHub's sign-in did not answer")
        return _message("GitHub did not answer", "The sign-in could not finish. Try again.", 502)
    del token  # who signed in is all the App keeps
    log.info("dashboard: %s signed in", viewer.login)
    response = _redirect(next_path)
    options = cookie_options(settings.public_url, dash.codec.max_age_seconds)
    response.set_cookie(COOKIE_NAME, dash.codec.issue(viewer), **options)
    response.del_cookie(STATE_COOKIE_NAME, path=COOKIE_PATH)
    return response


async def logout(request: web.Request) -> web.Response:
    dash = request.app[DASHBOARD]
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _message("Form too large", "That is not a sign-out form.", 413)
    form = await request.post()
    session = _session(request)
    token = form.get("csrf")
    if not dash.codec.csrf_ok(session, token if isinstance(token, str) else None):
        return _message("Not signed out", "That sign-out form was not this session's.", 403)
    response = _message("Signed out", "You are signed out of the dashboard.", 200)
    response.del_cookie(COOKIE_NAME, path=COOKIE_PATH)
    return response


async def stylesheet(request: web.Request) -> web.Response:
    headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
    return web.Response(body=STYLESHEET, content_type="text/css", headers=headers)


def _session(request: web.Request) -> ViewerSession | None:
    return request.app[DASHBOARD].codec.read(request.cookies.get(COOKIE_NAME))


def _off(dash: Dashboard) -> web.Response | None:
    if dash.settings.dashboard_enabled:
        return None
    reason = dash.settings.dashboard_off_reason
    text = f"The dashboard needs GitHub sign-in, which is not configured: {reason}."
    return _page(render_message("The dashboard is off", text), 503)


def _message(title: str, text: str, status: int) -> web.Response:
    return _page(render_message(title, text, link=("/dashboard", "Back to the dashboard")), status)


def _page(html: str, status: int = 200) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html", headers=HEADERS)


def _redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={**HEADERS, "Location": location})
