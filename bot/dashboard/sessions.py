"""The dashboard's sign-in state, kept in signed cookies: sessions, CSRF tokens, OAuth state.

Nothing is stored on the server: a session cookie holds who signed in (login and numeric
id), a random session id and the time it was issued, signed with a key every replica derives
from the webhook secret. It never holds a GitHub token (the sign-in drops it at once, see
``bot.github.oauth``). Every reader here takes hostile input (a browser sends what it likes)
and answers None or False to anything it did not sign itself, in time linear in the input,
after a size cap: no exception escapes. See docs/dashboard.md.

Signing is itsdangerous' job: the well-kept library (Pallets, the signer behind Flask's
sessions) for exactly this, with constant-time checks and a key derivation per purpose
(its ``salt``), which a hand-written HMAC format would have to re-invent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from itsdangerous import BadData, URLSafeSerializer

from bot.clock import EpochClock
from bot.serve.settings import is_loopback_host
from bot.values import Viewer

# --- what the lead's routes must use when setting the cookies --------------------------------
COOKIE_NAME = "rfcbot_session"
STATE_COOKIE_NAME = "rfcbot_oauth_state"  # the login-CSRF nonce, for one sign-in only
COOKIE_PATH = "/dashboard"  # the browser sends neither cookie anywhere else
COOKIE_HTTPONLY = True  # no script reads them
COOKIE_SAMESITE = "Lax"  # sent on the top-level GET back from GitHub, not on foreign POSTs
STATE_MAX_AGE_SECONDS = 600  # as long as GitHub keeps an authorization code
DASHBOARD_PATH = "/dashboard"

# A cookie we issue is about 200 characters; anything much longer is not ours, and is refused
# before any decoding.
MAX_COOKIE_CHARS = 1024
MAX_TOKEN_CHARS = 128  # a CSRF token or an OAuth state (ours are 64 and 43 characters)
MAX_NEXT_CHARS = 512
MAX_LOGIN_CHARS = 39  # GitHub's limit on a login
CLOCK_SKEW_SECONDS = 60  # replicas' clocks may differ a little; a later issue time is forged

# The key is derived from the webhook secret with its own label, so it differs from the
# RFC-Proof key (bot.policy.provenance) and from the secret itself, and every replica has it.
_KEY_LABEL = b"rfc-bot dashboard cookies v1"
_SESSION_SALT = "rfc-bot dashboard session"
_STATE_SALT = "rfc-bot oauth state"
_CSRF_LABEL = b"rfc-bot dashboard csrf v1"


@dataclass(frozen=True, slots=True)
class ViewerSession:
    """A signed-in viewer's session, as its cookie holds it."""

    viewer: Viewer
    sid: str  # random, per sign-in: what CSRF tokens are bound to
    issued_at: float  # seconds since the epoch


def cookie_key(webhook_secret: str) -> bytes:
    """The cookies' signing key, derived from the App's webhook secret."""
    return hmac.new(webhook_secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()


def cookie_secure(public_url: str) -> bool:
    """``Secure`` unless the App is reached over plain http on loopback (a local trial)."""
    parts = urlsplit(public_url)
    return not (parts.scheme == "http" and is_loopback_host(parts.hostname))


def cookie_options(public_url: str, max_age_seconds: int) -> dict[str, Any]:
    """Keyword arguments for aiohttp's ``response.set_cookie(name, value, **...)``."""
    return {
        "path": COOKIE_PATH,
        "httponly": COOKIE_HTTPONLY,
        "samesite": COOKIE_SAMESITE,
        "secure": cookie_secure(public_url),
        "max_age": max_age_seconds,
    }


def safe_next(path: str | None) -> str:
    """``path`` if it is a local path under /dashboard, else /dashboard: never another site
    (``//evil``, ``https:``, ``/\\evil``), never a control character or a ``..`` segment,
    written plainly or percent-encoded (``%2e%2e``, ``%2f``, ``%5c``, or encoded twice)."""
    if not path or len(path) > MAX_NEXT_CHARS or not path.isascii():
        return DASHBOARD_PATH
    rest = path.removeprefix(DASHBOARD_PATH)
    if rest == path or rest[:1] not in ("", "/", "?", "#"):
        return DASHBOARD_PATH
    route = rest.split("?", 1)[0].split("#", 1)[0]
    if _unsafe(path) or _unsafe(unquote(route)) or "%" in unquote(route):
        return DASHBOARD_PATH
    return path


def _unsafe(text: str) -> bool:
    """A backslash, a control or non-ASCII character, ``//``, or a ``.``/``..`` segment."""
    if not text.isascii() or any(c == "\\" or ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        return True
    route = text.split("?", 1)[0].split("#", 1)[0]
    return "//" in text or any(segment in (".", "..") for segment in route.split("/"))


def _readable(value: object, limit: int) -> str | None:
    """``value`` if it could be one of ours: a short printable ASCII string."""
    if not isinstance(value, str) or not value or len(value) > limit or not value.isascii():
        return None
    return value if value.isprintable() else None


class SessionCodec:
    """Issues and reads the dashboard's cookies.

    ``secret`` is the App's webhook secret (the codec derives its own key from it);
    ``max_age_seconds`` is a session's lifetime (``DASHBOARD_SESSION_MINUTES``); ``clock`` is
    the App's clock in epoch seconds."""

    def __init__(
        self,
        secret: str,
        max_age_seconds: int,
        *,
        clock: EpochClock,
    ) -> None:
        key = cookie_key(secret)
        signer = {"digest_method": hashlib.sha256}
        self._sessions = URLSafeSerializer(key, salt=_SESSION_SALT, signer_kwargs=signer)
        self._states = URLSafeSerializer(key, salt=_STATE_SALT, signer_kwargs=signer)
        self._csrf_key = hmac.new(key, _CSRF_LABEL, hashlib.sha256).digest()
        self.max_age_seconds = max_age_seconds
        self._clock = clock

    # --- sessions ---------------------------------------------------------------------------

    def issue(self, viewer: Viewer) -> str:
        """A new session's cookie value: the viewer, a fresh session id, the time now."""
        claims = {
            "l": viewer.login,
            "i": viewer.user_id,
            "s": secrets.token_urlsafe(16),
            "t": int(self._clock()),
        }
        return self._sessions.dumps(claims)

    def read(self, value: str | None) -> ViewerSession | None:
        """The session in a cookie value; None when missing, tampered, expired or malformed."""
        claims = self._load(self._sessions, value, MAX_COOKIE_CHARS)
        if claims is None:
            return None
        login, user_id, sid, issued = (claims.get(k) for k in ("l", "i", "s", "t"))
        if (
            _readable(login, MAX_LOGIN_CHARS) is None
            or _readable(sid, MAX_TOKEN_CHARS) is None
            or type(user_id) is not int
            or user_id <= 0
            or not self._fresh(issued, self.max_age_seconds)
        ):
            return None
        assert isinstance(login, str) and isinstance(sid, str) and isinstance(issued, int)
        return ViewerSession(Viewer(login, user_id), sid, float(issued))

    # --- CSRF -------------------------------------------------------------------------------

    def csrf_token(self, session: ViewerSession) -> str:
        """The token the session's forms carry: an HMAC of its session id."""
        return hmac.new(self._csrf_key, session.sid.encode("ascii"), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: ViewerSession | None, token: str | None) -> bool:
        """Whether a form's token belongs to this session (compared in constant time)."""
        given = _readable(token, MAX_TOKEN_CHARS)
        if session is None or given is None:
            return False
        return hmac.compare_digest(given, self.csrf_token(session))

    # --- OAuth state (login CSRF) ------------------------------------------------------------

    def new_state(self, next_path: str | None = None) -> tuple[str, str]:
        """``(cookie_value, state)`` for one sign-in: ``state`` goes to GitHub in the
        authorize URL, ``cookie_value`` into the short-lived ``STATE_COOKIE_NAME`` cookie; the
        callback must see both match. The cookie also remembers where to go afterwards."""
        state = secrets.token_urlsafe(32)
        claims = {"n": state, "t": int(self._clock()), "p": safe_next(next_path)}
        return self._states.dumps(claims), state

    def state_ok(self, cookie_value: str | None, state: str | None) -> bool:
        return self.state_next(cookie_value, state) is not None

    def state_next(self, cookie_value: str | None, state: str | None) -> str | None:
        """Where the sign-in was going (a safe local path) when ``state`` matches the state
        cookie and that cookie is less than 10 minutes old; else None."""
        given = _readable(state, MAX_TOKEN_CHARS)
        claims = self._load(self._states, cookie_value, MAX_COOKIE_CHARS)
        if given is None or claims is None:
            return None
        nonce, issued, path = claims.get("n"), claims.get("t"), claims.get("p")
        if _readable(nonce, MAX_TOKEN_CHARS) is None or not isinstance(path, str):
            return None
        if not self._fresh(issued, STATE_MAX_AGE_SECONDS):
            return None
        assert isinstance(nonce, str)
        if not hmac.compare_digest(given, nonce):
            return None
        return safe_next(path)

    # --- internals --------------------------------------------------------------------------

    @staticmethod
    def _load(
        serializer: URLSafeSerializer, value: str | None, limit: int
    ) -> dict[str, Any] | None:
        text = _readable(value, limit)
        if text is None:
            return None
        try:
            claims = serializer.loads(text)
        except (BadData, ValueError, TypeError):  # a bad signature, or unreadable after all
            return None
        # Base64 leaves spare bits in a segment's last character: flipping them decodes to
        # the same bytes, so a changed cookie would pass the signature. Only the exact text
        # we would write for these claims is ours.
        if not isinstance(claims, dict) or serializer.dumps(claims) != text:
            return None
        return claims

    def _fresh(self, issued: object, max_age: int) -> bool:
        if type(issued) is not int:
            return False
        age = self._clock() - issued
        return -CLOCK_SKEW_SECONDS <= age <= max_age
