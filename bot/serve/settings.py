"""Runtime settings, read once from the environment at start-up.

Every problem is reported as one ``SettingsError`` naming the variable, so that start-up
fails with a single readable line. Secret values are never echoed in errors or reprs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
# Shorter secrets can be guessed, and would be redacted inside ordinary words in every log line.
MIN_WEBHOOK_SECRET_LENGTH = 16
# Numeric App IDs, or the newer client IDs ("Iv1.abc...", "Iv23li...") GitHub accepts as `iss`.
_APP_ID = re.compile(r"[0-9]+|Iv[0-9A-Za-z.]+")

# The dashboard's sign-in (docs/dashboard.md): its path under PUBLIC_URL, and the reason
# shown while it is off.
DASHBOARD_CALLBACK_PATH = "/dashboard/callback"
DASHBOARD_OFF_REASON = (
    "set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and PUBLIC_URL: docs/dashboard.md"
)
_LOOPBACK_NAMES = frozenset({"localhost"})
MAX_REPLICAS = 64

T = TypeVar("T", int, float)


class SettingsError(Exception):
    """A missing or malformed setting; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    app_id: str
    private_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_url: str = "https://api.github.com"
    host: str = "0.0.0.0"
    port: int = 8000
    log_level: str = "INFO"
    log_format: str = "json"
    max_concurrency: int = 16
    event_budget_seconds: float = 60.0
    request_timeout_seconds: float = 10.0
    # None: one lint process per CPU the App may use; 0: lint inside the App's own process,
    # with no time budget (tests; never from the environment, which takes 1 to 256).
    lint_workers: int | None = None
    lint_timeout_seconds: float = 5.0
    # Below this many requests left in the hour, work that can wait is put off.
    rate_budget_reserve: int = 500
    # The reconciler (bot.features.reconcile): a sweep at start-up, then one every interval
    # (jittered; 0: start-up only), looking back this many days for merges and commands.
    reconcile_interval_seconds: float = 600.0
    reconcile_window_days: int = 7
    reconcile: bool = True  # not from the environment: embedders and tests turn sweeps off
    # --- replicas sharing the sweep (docs/operations.md, "Several replicas") ---
    replicas: int = 1
    replica_index: int = 0
    replica_peer_url: str = ""  # a peer's /healthz, "{index}" standing for its index
    # --- serving processes and backlog (docs/operations.md) ---
    web_workers: int | None = None  # None: one serving process per CPU the App may use
    # A delivery is refused (503) when its expected wait for a slot passes this: GitHub waits
    # 10 s for the answer, and an accepted delivery should be handled about as soon.
    max_wait_seconds: float = 10.0
    max_pending: int = 1000  # accepted deliveries not yet handled, per process; then 503
    max_pending_per_pr: int = 100  # of those, for one pull request (one ordering key)
    max_pending_mb: int = 32  # their request bodies, in MB (parsed, about twice that)
    # --- the dashboard's GitHub sign-in (docs/dashboard.md); empty: the dashboard is off ---
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    web_url: str = "https://github.com"
    public_url: str = ""  # where browsers reach the App; the OAuth callback lives under it
    dashboard_session_minutes: int = 60

    @property
    def dashboard_enabled(self) -> bool:
        """The App's OAuth client is configured (``from_env`` then insists on PUBLIC_URL)."""
        return bool(self.client_id and self.client_secret and self.public_url)

    @property
    def dashboard_off_reason(self) -> str:
        """One line saying how to turn the dashboard on ("" when it is on)."""
        return "" if self.dashboard_enabled else DASHBOARD_OFF_REASON

    @property
    def oauth_callback_url(self) -> str:
        """The redirect_uri of the sign-in: register it as the App's callback URL."""
        return self.public_url + DASHBOARD_CALLBACK_PATH if self.public_url else ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for the log redaction (``configure_logging(secrets=...)``)."""
        return tuple(s for s in (self.webhook_secret, self.private_key, self.client_secret) if s)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read every setting; raise ``SettingsError`` for the first bad one."""
        return cls(
            app_id=_app_id(environ),
            private_key=_private_key(environ),
            webhook_secret=_webhook_secret(environ),
            api_url=_api_url(environ),
            host=_value(environ, "HOST") or "0.0.0.0",
            port=_number(environ, "PORT", int, 8000, low=1, high=65535),
            log_level=_choice(environ, "LOG_LEVEL", LOG_LEVELS, "INFO", upper=True),
            log_format=_choice(environ, "LOG_FORMAT", LOG_FORMATS, "json"),
            max_concurrency=_number(environ, "MAX_CONCURRENCY", int, 16, low=1, high=1024),
            event_budget_seconds=_number(
                environ, "EVENT_BUDGET_SECONDS", float, 60.0, low=1.0, high=3600.0
            ),
            request_timeout_seconds=_number(
                environ, "REQUEST_TIMEOUT_SECONDS", float, 10.0, low=0.1, high=600.0
            ),
            # Unset reads as 0 (never a valid value), stored as None: one per CPU.
            lint_workers=_number(environ, "LINT_WORKERS", int, 0, low=1, high=256) or None,
            lint_timeout_seconds=_number(
                environ, "LINT_TIMEOUT_SECONDS", float, 5.0, low=0.1, high=600.0
            ),
            rate_budget_reserve=_number(environ, "RATE_BUDGET_RESERVE", int, 500, low=0, high=5000),
            reconcile_interval_seconds=_number(
                environ, "RECONCILE_INTERVAL", float, 600.0, low=0.0, high=86400.0
            ),
            reconcile_window_days=_number(environ, "RECONCILE_WINDOW_DAYS", int, 7, low=1, high=90),
            **_serving(environ),
            **_dashboard(environ),
            **_replicas(environ),
        )


class _Serving(TypedDict):
    web_workers: int | None
    max_wait_seconds: float
    max_pending: int
    max_pending_per_pr: int
    max_pending_mb: int


def _serving(environ: Mapping[str, str]) -> _Serving:
    """The serving processes and backlog limits (kept apart: the supervisor reads them)."""
    return {
        # WEB_CONCURRENCY is the Procfile platforms' name; unset (0) means one per CPU.
        "web_workers": _number(environ, "WEB_CONCURRENCY", int, 0, low=1, high=64) or None,
        "max_wait_seconds": _number(environ, "MAX_WAIT_SECONDS", float, 10.0, low=0.1, high=3600.0),
        "max_pending": _number(environ, "MAX_PENDING", int, 1000, low=1, high=1_000_000),
        "max_pending_per_pr": _number(
            environ, "MAX_PENDING_PER_PR", int, 100, low=1, high=1_000_000
        ),
        "max_pending_mb": _number(environ, "MAX_PENDING_MB", int, 32, low=1, high=65536),
    }


class _Dashboard(TypedDict):
    client_id: str
    client_secret: str
    web_url: str
    public_url: str
    dashboard_session_minutes: int


def _dashboard(environ: Mapping[str, str]) -> _Dashboard:
    """The OAuth client of the dashboard's sign-in: both of its halves or neither, and a
    PUBLIC_URL to come back to once it is set."""
    client_id = _value(environ, "GITHUB_CLIENT_ID")
    client_secret = _value(environ, "GITHUB_CLIENT_SECRET")
    if client_id and not client_secret:
        raise SettingsError("GITHUB_CLIENT_ID is set but GITHUB_CLIENT_SECRET is not: set both")
    if client_secret and not client_id:
        raise SettingsError("GITHUB_CLIENT_SECRET is set but GITHUB_CLIENT_ID is not: set both")
    public_url = _web_address(environ, "PUBLIC_URL", "", "https://rfc-bot.example.com")
    if client_id and not public_url:
        raise SettingsError(
            "PUBLIC_URL is not set (the dashboard's sign-in returns to PUBLIC_URL"
            f"{DASHBOARD_CALLBACK_PATH}; it is required with GITHUB_CLIENT_ID)"
        )
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "web_url": _web_address(
            environ, "GITHUB_WEB_URL", "https://github.com", "https://github.example.com"
        ),
        "public_url": public_url,
        "dashboard_session_minutes": _number(
            environ, "DASHBOARD_SESSION_MINUTES", int, 60, low=5, high=1440
        ),
    }


class _Replicas(TypedDict):
    replicas: int
    replica_index: int
    replica_peer_url: str


def _replicas(environ: Mapping[str, str]) -> _Replicas:
    """How many replicas share the sweep, which one this is, and where its peers answer."""
    replicas = _number(environ, "REPLICAS", int, 1, low=1, high=MAX_REPLICAS)
    if _value(environ, "REPLICA_INDEX"):
        index = _number(environ, "REPLICA_INDEX", int, 0, low=0, high=replicas - 1)
    elif replicas > 1:
        index = _index_from_hostname(_value(environ, "HOSTNAME"), replicas)
    else:
        index = 0
    return {
        "replicas": replicas,
        "replica_index": index,
        "replica_peer_url": _peer_url(environ),
    }


def _index_from_hostname(hostname: str, replicas: int) -> int:
    """The ordinal a Kubernetes StatefulSet puts at the end of its pods' names (rfc-bot-2)."""
    _, dash, ordinal = hostname.split(".", 1)[0].rpartition("-")
    if not dash or not ordinal.isascii() or not ordinal.isdigit():
        raise SettingsError(
            f"REPLICA_INDEX is not set and HOSTNAME {hostname!r} does not end in -<ordinal>"
            f" (as a StatefulSet's rfc-bot-0): set REPLICA_INDEX to 0..{replicas - 1}"
        )
    if int(ordinal) >= replicas:
        raise SettingsError(
            f"HOSTNAME {hostname!r} gives replica index {int(ordinal)}, but REPLICAS is"
            f" {replicas}: raise REPLICAS or set REPLICA_INDEX to 0..{replicas - 1}"
        )
    return int(ordinal)


def _peer_url(environ: Mapping[str, str]) -> str:
    """An http(s) URL template with ``{index}`` (and no other braces), e.g. a StatefulSet's
    ``http://rfc-bot-{index}.rfc-bot:8000/healthz``."""
    value = _value(environ, "REPLICA_PEER_URL")
    if not value:
        return ""
    rest = value.replace("{index}", "")
    if rest == value or "{" in rest or "}" in rest or not re.fullmatch(r"https?://\S+", value):
        raise SettingsError(
            "REPLICA_PEER_URL must be an http(s) URL with {index} where a peer's index goes,"
            " e.g. http://rfc-bot-{index}.rfc-bot:8000/healthz"
        )
    return value


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _web_address(environ: Mapping[str, str], name: str, default: str, example: str) -> str:
    """An https URL with no query or fragment (plain http only on loopback, for the
    simulator and local trials: a browser's sign-in must not cross the network in clear)."""
    value = _value(environ, name)
    if not value:
        return default
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise SettingsError(f"{name} must be an http(s) URL with no query, e.g. {example}")
    parts = urlsplit(value)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise SettingsError(
            f"{name} must be an https URL (plain http only on 127.0.0.1 or localhost)"
        )
    return value.rstrip("/")


def _value(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def _required(environ: Mapping[str, str], name: str) -> str:
    value = _value(environ, name)
    if not value:
        raise SettingsError(f"{name} is not set")
    return value


def _webhook_secret(environ: Mapping[str, str]) -> str:
    value = _required(environ, "GITHUB_WEBHOOK_SECRET")
    if len(value) < MIN_WEBHOOK_SECRET_LENGTH:
        raise SettingsError(
            f"GITHUB_WEBHOOK_SECRET must be at least {MIN_WEBHOOK_SECRET_LENGTH} characters"
            " (use a random value, e.g. the output of `openssl rand -hex 32`)"
        )
    return value


def _app_id(environ: Mapping[str, str]) -> str:
    value = _required(environ, "GITHUB_APP_ID")
    if not _APP_ID.fullmatch(value):
        raise SettingsError("GITHUB_APP_ID must be the App's numeric ID (or its client ID)")
    return value


def _api_url(environ: Mapping[str, str]) -> str:
    value = _value(environ, "GITHUB_API_URL") or "https://api.github.com"
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise SettingsError(
            "GITHUB_API_URL must be an http(s) URL, e.g. https://github.example.com/api/v3"
        )
    return value.rstrip("/")


def _private_key(environ: Mapping[str, str]) -> str:
    inline = _value(environ, "GITHUB_PRIVATE_KEY")
    path = _value(environ, "GITHUB_PRIVATE_KEY_PATH")
    if inline and path:
        raise SettingsError("set only one of GITHUB_PRIVATE_KEY and GITHUB_PRIVATE_KEY_PATH")
    if inline:
        # Platforms that store one-line variables keep the PEM's newlines as literal "\n".
        return _checked_key(inline.replace("\\n", "\n"), "GITHUB_PRIVATE_KEY")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise SettingsError(
                f"GITHUB_PRIVATE_KEY_PATH cannot be read ({reason}): {path}"
            ) from None
        return _checked_key(text, "GITHUB_PRIVATE_KEY_PATH")
    raise SettingsError("GITHUB_PRIVATE_KEY is not set (or set GITHUB_PRIVATE_KEY_PATH)")


def _checked_key(pem: str, name: str) -> str:
    """The PEM if it holds an RSA private key; the error never quotes the key."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("utf-8"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise SettingsError(
            f"{name} is not a PEM-encoded private key (download one from the App's settings)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SettingsError(f"{name} is not an RSA private key (GitHub Apps use RSA keys)")
    return pem.strip() + "\n"


def _choice(
    environ: Mapping[str, str],
    name: str,
    choices: tuple[str, ...],
    default: str,
    *,
    upper: bool = False,
) -> str:
    value = _value(environ, name)
    if not value:
        return default
    value = value.upper() if upper else value.lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")
    return value


def _number(
    environ: Mapping[str, str],
    name: str,
    kind: Callable[[str], T],
    default: T,
    *,
    low: T,
    high: T,
) -> T:
    raw = _value(environ, name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number between {low} and {high}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a number between {low} and {high}")
    return value
