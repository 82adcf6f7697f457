"""Who a request acts for, checked as GitHub checks it: an App's JWT, an installation token or
a user access token; and whose primary rate limit the request spends."""

from __future__ import annotations

import jwt
from aiohttp import web

from sandbox.github import GitHub
from sandbox.server.limits import ANONYMOUS, Payer
from sandbox.sim_state import ApiError

JWT_MAX_LIFETIME = 600
JWT_CLOCK_SKEW = 60
USER_PATHS = frozenset({"/user"})  # the only REST paths a user access token may call


def authenticate(sim: GitHub, request: web.Request, path: str) -> int | None:
    """The installation the request acts for (None for the App itself, via its JWT)."""
    if path.startswith("/app-manifests/"):
        return None  # the code is the credential: no authentication
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if not credential:
        raise ApiError(401, "Requires authentication")
    if path.startswith("/apps/") and credential not in sim.tokens:
        verify_jwt(sim, credential)  # an App by its slug: asked with a JWT or a token
        return None
    if path == "/app" or path.startswith("/app/"):  # the App itself: its JWT only
        if scheme.lower() != "bearer":
            raise ApiError(401, "A JSON web token could not be decoded")
        verify_jwt(sim, credential)
        return None
    if path in USER_PATHS:
        # Only a live user access token: an installation token or a JWT is refused.
        if user_of(sim, request) is None:
            raise ApiError(401, "Bad credentials")
        return None
    if scheme.lower() not in ("token", "bearer") or credential not in sim.tokens:
        # A user access token is no installation token (chosen: see docs/simulator.md).
        raise ApiError(401, "Bad credentials")
    installation_id, expires = sim.tokens[credential]
    if expires <= sim.clock.now():
        raise ApiError(401, "Bad credentials")
    return installation_id


def user_of(sim: GitHub, request: web.Request) -> str | None:
    """The login of the request's live user access token, if it carries one."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    token = sim.user_tokens.get(credential)
    if scheme.lower() not in ("token", "bearer") or token is None:
        return None
    return token.login if token.expires > sim.clock.now() else None


def verify_jwt(sim: GitHub, token: str) -> None:
    """GitHub checks an App's JWT against its own clock: here, the simulator's."""
    try:
        claims = jwt.decode(
            token,
            sim.public_key,
            algorithms=["RS256"],
            options={
                "require": ["iat", "exp", "iss"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        issued, expires = int(claims["iat"]), int(claims["exp"])
    except (jwt.PyJWTError, TypeError, ValueError) as error:
        raise ApiError(401, "A JSON web token could not be decoded") from error
    now = sim.clock.now().timestamp()
    if expires < now - JWT_CLOCK_SKEW:
        raise ApiError(
            401,
            "'Expiration time' claim ('exp') must be a numeric value "
            "representing the future time at which the assertion "
            "expires",
        )
    if issued > now + JWT_CLOCK_SKEW:
        raise ApiError(
            401,
            "'Issued at' claim ('iat') must be an Integer representing the time that the "
            "assertion was issued",
        )
    if str(claims["iss"]) != sim.app_id:
        if str(claims["iss"]).isdigit():
            # Another App's id with this App's key: GitHub cannot tell it from a bad signature.
            raise ApiError(401, "A JSON web token could not be decoded")
        raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
    if expires - issued > JWT_MAX_LIFETIME:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")


def payer(sim: GitHub, request: web.Request, path: str) -> Payer:
    """Whose primary rate limit the request spends: its installation, the App, or the
    anonymous budget when it does not authenticate."""
    if path.startswith("/app-manifests/"):
        return ANONYMOUS
    try:
        installation_id = authenticate(sim, request, path)
    except ApiError:
        return ANONYMOUS
    if path in USER_PATHS:  # a user access token spends the user's own budget
        return ("user", user_of(sim, request) or "")
    if installation_id is None:
        return ("app", int(sim.app_id))
    return ("installation", installation_id)
