from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bot.serve.settings import Settings, SettingsError, is_loopback_host


@pytest.fixture
def env(private_key_pem: str) -> dict[str, str]:
    return {
        "GITHUB_APP_ID": "12345",
        "GITHUB_PRIVATE_KEY": private_key_pem,
        "GITHUB_WEBHOOK_SECRET": "hook-secret-of-16+",
    }


def test_defaults(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    assert settings.app_id == "12345"
    assert settings.webhook_secret == "hook-secret-of-16+"
    assert settings.api_url == "https://api.github.com"
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert (settings.log_level, settings.log_format) == ("INFO", "json")
    assert settings.max_concurrency == 16
    assert settings.event_budget_seconds == 60.0


def test_every_variable_read(env: dict[str, str]) -> None:
    env |= {
        "GITHUB_API_URL": "https://github.example.com/api/v3/",
        "HOST": "127.0.0.1",
        "PORT": "9000",
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "TEXT",
        "MAX_CONCURRENCY": "4",
        "EVENT_BUDGET_SECONDS": "30",
        "REQUEST_TIMEOUT_SECONDS": "2.5",
    }
    settings = Settings.from_env(env)
    assert settings.api_url == "https://github.example.com/api/v3"
    assert (settings.host, settings.port) == ("127.0.0.1", 9000)
    assert (settings.log_level, settings.log_format) == ("DEBUG", "text")
    assert settings.max_concurrency == 4
    assert settings.event_budget_seconds == 30.0
    assert settings.request_timeout_seconds == 2.5


@pytest.mark.parametrize("name", ["GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET"])
def test_missing_required(env: dict[str, str], name: str) -> None:
    del env[name]
    with pytest.raises(SettingsError, match=f"^{name} is not set"):
        Settings.from_env(env)


@pytest.mark.parametrize("secret", ["e", "x" * 15, "  fifteen chars  "])
def test_short_webhook_secret_is_refused_and_not_echoed(env: dict[str, str], secret: str) -> None:
    env["GITHUB_WEBHOOK_SECRET"] = secret
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert str(refused.value) == (  # one line, the same whatever the secret: never echoed
        "GITHUB_WEBHOOK_SECRET must be at least 16 characters"
        " (use a random value, e.g. the output of `openssl rand -hex 32`)"
    )


def test_sixteen_characters_is_enough(env: dict[str, str]) -> None:
    env["GITHUB_WEBHOOK_SECRET"] = "  0123456789abcdef  "
    assert Settings.from_env(env).webhook_secret == "0123456789abcdef"


def test_blank_counts_as_missing(env: dict[str, str]) -> None:
    env["GITHUB_WEBHOOK_SECRET"] = "   "
    with pytest.raises(SettingsError, match="GITHUB_WEBHOOK_SECRET is not set"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GITHUB_APP_ID", "my app"),
        ("GITHUB_API_URL", "api.github.com"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("PORT", "0"),
        ("LOG_LEVEL", "loud"),
        ("LOG_FORMAT", "xml"),
        ("MAX_CONCURRENCY", "0"),
        ("EVENT_BUDGET_SECONDS", "nan"),
        ("REQUEST_TIMEOUT_SECONDS", "-1"),
    ],
)
def test_malformed_values_named(env: dict[str, str], name: str, value: str) -> None:
    env[name] = value
    with pytest.raises(SettingsError, match=f"^{name} "):
        Settings.from_env(env)


def test_escaped_newlines_in_key(env: dict[str, str], private_key_pem: str) -> None:
    env["GITHUB_PRIVATE_KEY"] = private_key_pem.strip().replace("\n", "\\n")
    assert Settings.from_env(env).private_key == private_key_pem


def test_key_from_path(env: dict[str, str], private_key_pem: str, tmp_path: Path) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(private_key_pem)
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(key_file)
    assert Settings.from_env(env).private_key == private_key_pem


def test_unreadable_key_path(env: dict[str, str], tmp_path: Path) -> None:
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(tmp_path / "absent.pem")
    with pytest.raises(SettingsError, match=r"^GITHUB_PRIVATE_KEY_PATH cannot be read"):
        Settings.from_env(env)


def test_both_key_sources_refused(env: dict[str, str], tmp_path: Path) -> None:
    env["GITHUB_PRIVATE_KEY_PATH"] = str(tmp_path / "app.pem")
    with pytest.raises(SettingsError, match="only one of"):
        Settings.from_env(env)


def test_bad_key_named_not_echoed(env: dict[str, str]) -> None:
    garbage = "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key-zzzz\n-----END RSA PRIVATE KEY-----"
    env["GITHUB_PRIVATE_KEY"] = garbage
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert message.startswith("GITHUB_PRIVATE_KEY is not a PEM-encoded private key")
    assert "not-a-key-zzzz" not in message


def test_non_rsa_key_refused(env: dict[str, str]) -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    env["GITHUB_PRIVATE_KEY"] = ec_pem
    with pytest.raises(SettingsError, match="not an RSA private key"):
        Settings.from_env(env)


def test_repr_hides_secrets(env: dict[str, str]) -> None:
    shown = repr(Settings.from_env(env))
    assert "hook-secret-of-16+" not in shown
    assert "PRIVATE KEY" not in shown


def test_lint_pool_defaults(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    assert settings.lint_workers is None  # the pool starts one worker per usable CPU
    assert settings.lint_timeout_seconds == 5.0


def test_lint_pool_settings_read(env: dict[str, str]) -> None:
    env |= {"LINT_WORKERS": "3", "LINT_TIMEOUT_SECONDS": "0.5"}
    settings = Settings.from_env(env)
    assert (settings.lint_workers, settings.lint_timeout_seconds) == (3, 0.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LINT_WORKERS", "0"),  # linting on the event loop is for tests, not a setting
        ("LINT_WORKERS", "-2"),
        ("LINT_WORKERS", "many"),
        ("LINT_WORKERS", "1000"),
        ("LINT_TIMEOUT_SECONDS", "0"),
        ("LINT_TIMEOUT_SECONDS", "nan"),
        ("LINT_TIMEOUT_SECONDS", "inf"),
    ],
)
def test_malformed_lint_pool_settings_named(env: dict[str, str], name: str, value: str) -> None:
    env[name] = value
    with pytest.raises(SettingsError, match=f"^{name} must be a number"):
        Settings.from_env(env)


def test_reconciler_settings(env: dict[str, str]) -> None:
    defaults = Settings.from_env(env)
    assert (defaults.reconcile_interval_seconds, defaults.reconcile_window_days) == (600.0, 7)
    chosen = Settings.from_env({**env, "RECONCILE_INTERVAL": "0", "RECONCILE_WINDOW_DAYS": "30"})
    assert (chosen.reconcile_interval_seconds, chosen.reconcile_window_days) == (0.0, 30)
    for name, value in (("RECONCILE_INTERVAL", "-1"), ("RECONCILE_WINDOW_DAYS", "0")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({**env, name: value})


# --- the dashboard's sign-in --------------------------------------------------------------

SIGN_IN = {
    "GITHUB_CLIENT_ID": "Iv1.0123456789abcdef",
    "GITHUB_CLIENT_SECRET": "client-secret-0123456789abcdef0123456789",
    "PUBLIC_URL": "https://rfc-bot.example.com/",
}


def test_dashboard_off_by_default(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    assert not settings.dashboard_enabled
    assert settings.dashboard_off_reason == (
        "set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and PUBLIC_URL: docs/dashboard.md"
    )
    assert settings.web_url == "https://github.com"
    assert settings.dashboard_session_minutes == 60
    assert settings.oauth_callback_url == ""


def test_dashboard_on_with_the_client_and_public_url(env: dict[str, str]) -> None:
    settings = Settings.from_env(env | SIGN_IN | {"DASHBOARD_SESSION_MINUTES": "15"})
    assert settings.dashboard_enabled and settings.dashboard_off_reason == ""
    assert settings.client_id == "Iv1.0123456789abcdef"
    assert settings.public_url == "https://rfc-bot.example.com"
    assert settings.oauth_callback_url == "https://rfc-bot.example.com/dashboard/callback"
    assert settings.dashboard_session_minutes == 15


@pytest.mark.parametrize(
    ("given", "missing"),
    [("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"), ("GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID")],
)
def test_one_half_of_the_client_names_the_other(
    env: dict[str, str], given: str, missing: str
) -> None:
    env |= {given: SIGN_IN[given], "PUBLIC_URL": SIGN_IN["PUBLIC_URL"]}
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert str(refused.value).startswith(given) and missing in str(refused.value)
    assert SIGN_IN["GITHUB_CLIENT_SECRET"] not in str(refused.value)


def test_client_without_public_url_refused(env: dict[str, str]) -> None:
    env |= {k: v for k, v in SIGN_IN.items() if k != "PUBLIC_URL"}
    with pytest.raises(SettingsError, match=r"^PUBLIC_URL is not set .*GITHUB_CLIENT_ID"):
        Settings.from_env(env)


@pytest.mark.parametrize("name", ["GITHUB_WEB_URL", "PUBLIC_URL"])
@pytest.mark.parametrize(
    "value",
    [
        "github.com",
        "http://github.example.com",  # plain http off loopback: a sign-in in clear
        "http://10.0.0.1:8000",
        "ftp://github.com",
        "https://host/path?next=x",
        "https://host#frag",
        "https://",
        "http://localhost.evil.example",
    ],
)
def test_web_addresses_https_or_loopback(env: dict[str, str], name: str, value: str) -> None:
    env[name] = value
    with pytest.raises(SettingsError, match=f"^{name} must be"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "value",
    ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:8000", "https://ghe.example.com"],
)
def test_web_address_loopback_http_accepted(env: dict[str, str], value: str) -> None:
    settings = Settings.from_env(env | {"GITHUB_WEB_URL": value + "/", "PUBLIC_URL": value})
    assert settings.web_url == value and settings.public_url == value


@pytest.mark.parametrize("value", ["4", "1441", "sixty"])
def test_session_minutes_bounded(env: dict[str, str], value: str) -> None:
    env["DASHBOARD_SESSION_MINUTES"] = value
    with pytest.raises(SettingsError, match=r"^DASHBOARD_SESSION_MINUTES must be .* 5 and 1440"):
        Settings.from_env(env)


def test_client_secret_hidden_and_redacted(env: dict[str, str]) -> None:
    settings = Settings.from_env(env | SIGN_IN)
    assert SIGN_IN["GITHUB_CLIENT_SECRET"] not in repr(settings)
    assert settings.secrets == (
        settings.webhook_secret,
        settings.private_key,
        SIGN_IN["GITHUB_CLIENT_SECRET"],
    )
    assert Settings.from_env(env).secrets == (settings.webhook_secret, settings.private_key)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        (None, False),
        ("", False),
        ("LOCALHOST", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback_host(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# --- replicas sharing the sweep ---


def test_one_replica_by_default(env: dict[str, str]) -> None:
    settings = Settings.from_env(env | {"HOSTNAME": "laptop"})
    assert (settings.replicas, settings.replica_index, settings.replica_peer_url) == (1, 0, "")


def test_replica_settings_read(env: dict[str, str]) -> None:
    env |= {
        "REPLICAS": "3",
        "REPLICA_INDEX": "2",
        "REPLICA_PEER_URL": "http://rfc-bot-{index}.rfc-bot:8000/healthz",
    }
    settings = Settings.from_env(env)
    assert (settings.replicas, settings.replica_index) == (3, 2)
    assert settings.replica_peer_url == "http://rfc-bot-{index}.rfc-bot:8000/healthz"


@pytest.mark.parametrize(
    ("hostname", "index"),
    [("rfc-bot-0", 0), ("rfc-bot-2", 2), ("rfc-bot-1.rfc-bot.default.svc", 1)],
)
def test_replica_index_from_a_statefulset_hostname(
    env: dict[str, str], hostname: str, index: int
) -> None:
    settings = Settings.from_env(env | {"REPLICAS": "3", "HOSTNAME": hostname})
    assert settings.replica_index == index


def test_replica_index_beats_the_hostname(env: dict[str, str]) -> None:
    env |= {"REPLICAS": "3", "HOSTNAME": "rfc-bot-2", "REPLICA_INDEX": "0"}
    assert Settings.from_env(env).replica_index == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"HOSTNAME": "web"}, r"^REPLICA_INDEX is not set and HOSTNAME 'web' does not end in"),
        ({}, r"^REPLICA_INDEX is not set and HOSTNAME '' does not end in -<ordinal>"),
        ({"HOSTNAME": "rfc-bot-x"}, r"set REPLICA_INDEX to 0\.\.2$"),
        ({"HOSTNAME": "rfc-bot-٣"}, r"does not end in -<ordinal>"),  # a non-ASCII digit
        ({"HOSTNAME": "rfc-bot-3"}, r"^HOSTNAME 'rfc-bot-3' gives replica index 3, but REPLICAS"),
        ({"REPLICA_INDEX": "3"}, r"^REPLICA_INDEX must be a number between 0 and 2$"),
        ({"REPLICA_INDEX": "-1"}, r"^REPLICA_INDEX must be a number between 0 and 2$"),
    ],
)
def test_replica_index_errors_are_one_line(
    env: dict[str, str], extra: dict[str, str], message: str
) -> None:
    env.pop("HOSTNAME", None)
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_env(env | {"REPLICAS": "3"} | extra)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("replicas", ["0", "65", "two"])
def test_replicas_must_be_a_sane_number(env: dict[str, str], replicas: str) -> None:
    with pytest.raises(SettingsError, match=r"^REPLICAS must be a number between 1 and 64$"):
        Settings.from_env(env | {"REPLICAS": replicas})


@pytest.mark.parametrize(
    "url",
    [
        "http://rfc-bot-0.rfc-bot:8000/healthz",  # no {index}: every probe asks one peer
        "http://rfc-bot-{index}.rfc-bot:8000/{path}",
        "http://rfc-bot-{0}.rfc-bot/healthz",
        "rfc-bot-{index}:8000/healthz",
        "ftp://rfc-bot-{index}/healthz",
        "http://rfc bot-{index}/healthz",
    ],
)
def test_peer_url_must_be_a_template(env: dict[str, str], url: str) -> None:
    with pytest.raises(SettingsError, match=r"^REPLICA_PEER_URL must be an http\(s\) URL with"):
        Settings.from_env(env | {"REPLICA_PEER_URL": url})


def test_a_password_in_the_api_url_is_refused_and_not_echoed(env: dict[str, str]) -> None:
    """A request cannot carry both the URL's user info and the App's token: said at start-up,
    without the password."""
    env["GITHUB_API_URL"] = "https://proxy:s3cret@ghe.example.com/api/v3"
    with pytest.raises(SettingsError, match="user name or password") as raised:
        Settings.from_env(env)
    assert "s3cret" not in str(raised.value)
