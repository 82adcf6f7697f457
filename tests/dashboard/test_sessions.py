"""The dashboard's signed cookies: sessions, CSRF tokens, OAuth state and the next path."""

from __future__ import annotations

import base64
import json
import posixpath
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.dashboard.sessions import (
    COOKIE_HTTPONLY,
    COOKIE_NAME,
    COOKIE_PATH,
    COOKIE_SAMESITE,
    MAX_COOKIE_CHARS,
    STATE_MAX_AGE_SECONDS,
    SessionCodec,
    ViewerSession,
    cookie_key,
    cookie_options,
    cookie_secure,
    safe_next,
)
from bot.policy.provenance import signing_key
from bot.values import Viewer

SECRET = "webhook-secret-0123456789"
MONA = Viewer("mona", 583231)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def codec(clock: Clock) -> SessionCodec:
    return SessionCodec(SECRET, 3600, clock=clock)


def fixed_codec() -> SessionCodec:  # for hypothesis tests (no function-scoped fixtures)
    return SessionCodec(SECRET, 3600, clock=Clock())


# --- sessions ------------------------------------------------------------------------------


def test_issue_then_read(codec: SessionCodec, clock: Clock) -> None:
    value = codec.issue(MONA)
    session = codec.read(value)
    assert session is not None
    assert session.viewer == MONA and session.issued_at == clock.now
    assert len(session.sid) >= 20
    assert len(value) < 300  # well within MAX_COOKIE_CHARS and a browser's 4 KB


def test_each_sign_in_gets_its_own_session_id(codec: SessionCodec) -> None:
    first, second = codec.read(codec.issue(MONA)), codec.read(codec.issue(MONA))
    assert first is not None and second is not None and first.sid != second.sid


def test_the_cookie_holds_who_and_when_only(codec: SessionCodec, clock: Clock) -> None:
    payload = codec.issue(MONA).split(".")[0]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims.keys() == {"l", "i", "s", "t"}  # login, id, session id, issue time: no token
    assert (claims["l"], claims["i"], claims["t"]) == ("mona", 583231, int(clock.now))


def test_expired_session_refused(codec: SessionCodec, clock: Clock) -> None:
    value = codec.issue(MONA)
    clock.now += 3600
    assert codec.read(value) is not None
    clock.now += 1
    assert codec.read(value) is None


def test_session_from_the_future_refused(codec: SessionCodec, clock: Clock) -> None:
    value = codec.issue(MONA)
    clock.now -= 61  # issued more than the allowed skew after "now": not by us
    assert codec.read(value) is None


@pytest.mark.parametrize("value", [None, "", "x" * (MAX_COOKIE_CHARS + 1), "a.b", "é"])
def test_missing_or_junk_is_none(codec: SessionCodec, value: str | None) -> None:
    assert codec.read(value) is None


def test_other_key_refused(codec: SessionCodec) -> None:
    other = SessionCodec("another-secret-0123456789", 3600, clock=Clock())
    assert codec.read(other.issue(MONA)) is None


def test_state_cookie_is_not_a_session(codec: SessionCodec) -> None:
    cookie, _ = codec.new_state()
    assert codec.read(cookie) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"l": "mona", "i": True, "s": "sid-sid-sid", "t": 1_800_000_000},  # bool is no id
        {"l": "mona", "i": 0, "s": "sid-sid-sid", "t": 1_800_000_000},
        {"l": "", "i": 1, "s": "sid-sid-sid", "t": 1_800_000_000},
        {"l": "m" * 40, "i": 1, "s": "sid-sid-sid", "t": 1_800_000_000},
        {"l": "mona", "i": 1, "s": None, "t": 1_800_000_000},
        {"l": "mona", "i": 1, "s": "sid", "t": "1800000000"},
        {"l": "mona\n", "i": 1, "s": "sid", "t": 1_800_000_000},
        ["mona", 1],
    ],
)
def test_signed_but_malformed_claims_refused(codec: SessionCodec, claims: object) -> None:
    # Signed with the right key (as a bug of ours might), still refused by shape.
    forged = codec._sessions.dumps(claims)
    assert codec.read(forged) is None


def test_key_derived_with_its_own_label() -> None:
    assert cookie_key(SECRET) != signing_key(SECRET)
    assert cookie_key(SECRET) != SECRET.encode()
    assert cookie_key(SECRET) == cookie_key(SECRET) != cookie_key(SECRET + "x")


# --- CSRF ----------------------------------------------------------------------------------


def test_csrf_bound_to_the_session(codec: SessionCodec) -> None:
    one, two = codec.read(codec.issue(MONA)), codec.read(codec.issue(MONA))
    assert one is not None and two is not None
    token = codec.csrf_token(one)
    assert codec.csrf_ok(one, token)
    assert not codec.csrf_ok(two, token)
    assert not codec.csrf_ok(None, token)
    assert not codec.csrf_ok(one, None)
    assert not codec.csrf_ok(one, token.upper())


def test_csrf_needs_the_key() -> None:
    session = ViewerSession(MONA, "same-session-id", 0.0)
    other = SessionCodec("another-secret-0123456789", 3600, clock=Clock())
    assert not fixed_codec().csrf_ok(session, other.csrf_token(session))


# --- OAuth state ---------------------------------------------------------------------------


def test_state_round_trip(codec: SessionCodec) -> None:
    cookie, state = codec.new_state("/dashboard/waiting")
    assert codec.state_ok(cookie, state)
    assert codec.state_next(cookie, state) == "/dashboard/waiting"
    other_cookie, other_state = codec.new_state()
    assert other_state != state
    assert not codec.state_ok(cookie, other_state)  # login CSRF: someone else's state
    assert not codec.state_ok(other_cookie, state)
    assert codec.state_next(other_cookie, other_state) == "/dashboard"


def test_state_expires_after_ten_minutes(codec: SessionCodec, clock: Clock) -> None:
    cookie, state = codec.new_state()
    clock.now += STATE_MAX_AGE_SECONDS
    assert codec.state_ok(cookie, state)
    clock.now += 1
    assert not codec.state_ok(cookie, state)


def test_state_keeps_no_unsafe_next(codec: SessionCodec) -> None:
    cookie, state = codec.new_state("//evil.example/")
    assert codec.state_next(cookie, state) == "/dashboard"


@pytest.mark.parametrize(
    "claims",
    [
        {"n": "nonce", "t": 1_800_000_000},  # no next path
        {"n": 5, "t": 1_800_000_000, "p": "/dashboard"},
        {"n": "nonce", "t": "1800000000", "p": "/dashboard"},
        {"n": "nonce", "t": 1_800_000_000, "p": "//evil.example"},  # signed, still made safe
    ],
)
def test_signed_but_malformed_state_refused(codec: SessionCodec, claims: dict[str, object]) -> None:
    forged = codec._states.dumps(claims)
    assert codec.state_next(forged, "nonce") in (None, "/dashboard")
    assert codec.state_next(forged, "nonce") != "//evil.example"


def test_session_cookie_is_not_a_state(codec: SessionCodec) -> None:
    assert not codec.state_ok(codec.issue(MONA), "anything")


@pytest.mark.parametrize("state", [None, "", "x" * 200, "\x00"])
def test_junk_state_refused(codec: SessionCodec, state: str | None) -> None:
    cookie, _ = codec.new_state()
    assert not codec.state_ok(cookie, state)
    assert not codec.state_ok(None, state)


# --- next path -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/dashboard", "/dashboard/", "/dashboard/waiting", "/dashboard?repo=o%2Fr", "/dashboard#x"],
)
def test_local_dashboard_paths_kept(path: str) -> None:
    assert safe_next(path) == path


@pytest.mark.parametrize(
    "path",
    [
        None,
        "",
        "/",
        "//evil.example",
        "//evil.example/dashboard",
        "/dashboard//evil.example",
        "https://evil.example/dashboard",
        "javascript:alert(1)",
        "/\\evil.example",
        "/dashboard\\..\\evil",
        "/dashboardx",
        "/dashboard/../admin",
        "/dashboard/./x",
        "/dashboard/%2e%2e/admin",
        "/dashboard/%2E%2E/%2E%2E/admin",
        "/dashboard/.%2e/admin",
        "/dashboard/%2f%2fevil.example",
        "/dashboard/%5c..%5cevil",
        "/dashboard/%252e%252e/admin",
        "/dashboard/%0d%0aSet-Cookie:x=1",
        "/dashboard\r\nSet-Cookie: x=1",
        "/dashboard\t",
        "/dashboard/\x7f",
        "/dashboard/é",
        "/dashboard/" + "x" * 600,
        "dashboard",
        " /dashboard",
    ],
)
def test_anything_else_is_the_dashboard(path: str | None) -> None:
    assert safe_next(path) == "/dashboard"


# --- cookie attributes ---------------------------------------------------------------------


def test_cookie_attributes() -> None:
    assert (COOKIE_NAME, COOKIE_PATH, COOKIE_SAMESITE, COOKIE_HTTPONLY) == (
        "rfcbot_session",
        "/dashboard",
        "Lax",
        True,
    )
    assert cookie_options("https://rfc.example.com", 60) == {
        "path": "/dashboard",
        "httponly": True,
        "samesite": "Lax",
        "secure": True,
        "max_age": 60,
    }


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://rfc.example.com", True),
        ("https://127.0.0.1:8443", True),
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://[::1]:8000", False),
        ("http://127.0.0.2:8000", False),
        ("http://localhost.evil.example", True),
    ],
)
def test_secure_unless_plain_http_on_loopback(url: str, secure: bool) -> None:
    assert cookie_secure(url) is secure


# --- hostile input never raises; any change is refused -------------------------------------


@given(st.one_of(st.none(), st.text(), st.text(alphabet=st.characters(codec="ascii"))))
@example("\ud800")  # a lone surrogate: cannot even be encoded to UTF-8
@example(".eJwLyc9L")  # itsdangerous' compressed-payload marker, unsigned
@example("e30.bad")
def test_read_never_raises(value: str | None) -> None:
    codec = fixed_codec()
    assert codec.read(value) is None
    assert not codec.state_ok(value, value)
    assert not codec.state_ok(codec.new_state()[0], value)


@given(st.one_of(st.none(), st.text()))
@example("\ud800")  # compare_digest refuses non-ASCII str: must be caught before it
@example("é" * 64)
def test_csrf_ok_never_raises(token: str | None) -> None:
    codec = fixed_codec()
    session = codec.read(codec.issue(MONA))
    assert session is not None
    assert not codec.csrf_ok(session, token)


URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def altered(value: str, position: int, flip: int) -> str:
    """``value`` with one character changed: at ``position`` (from the end when negative),
    another base64 character whose 6 bits differ by ``flip`` (a dot becomes an "A")."""
    where = position % len(value)
    old = value[where]
    new = URLSAFE[URLSAFE.index(old) ^ flip] if old in URLSAFE else "A"
    return value[:where] + new + value[where + 1 :]


@given(st.integers(-400, 400), st.integers(1, 63))
@example(-1, 1)  # the signature's last character: its 2 spare bits decoded to the same bytes
@example(-1, 3)
def test_any_altered_character_refused(position: int, flip: int) -> None:
    codec = fixed_codec()
    value = codec.issue(MONA)
    cookie, state = codec.new_state()
    assert codec.read(altered(value, position, flip)) is None
    assert not codec.state_ok(altered(cookie, position, flip), state)


@given(st.text(min_size=1, max_size=40), st.integers(1, 2**40))
def test_other_key_never_accepted(other_secret: str, user_id: int) -> None:
    if other_secret == SECRET:
        return
    foreign = SessionCodec(other_secret, 3600, clock=Clock())
    codec = fixed_codec()
    assert codec.read(foreign.issue(Viewer("mona", user_id))) is None
    cookie, state = foreign.new_state()
    assert not codec.state_ok(cookie, state)


@given(st.one_of(st.none(), st.text()))
@example("/dashboard/\u2028")
@example("/dashboard/%2e%2e/admin")
def test_safe_next_is_always_local(path: str | None) -> None:
    result = safe_next(path)
    assert result == "/dashboard" or result == path
    assert result.startswith("/dashboard") and not result.startswith("//")
    assert "\\" not in result and result.isascii() and result.isprintable()
    route = unquote(result.split("?", 1)[0].split("#", 1)[0])
    assert posixpath.normpath(route).startswith("/dashboard")
