"""``--env-file``: ``serve`` and ``action`` read the ``.env`` that ``register`` writes; the
environment wins; values are never printed; a checkout's ``.env`` never steers ``action``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import bot.cli.action
import bot.serve.supervisor
from bot.cli import main
from bot.cli.commands import CliError
from bot.cli.env_file import read_env_file, settings_environ
from bot.cli.register import NewApp, env_text
from bot.serve.settings import Settings
from bot.serve.worker import ENV_INDEX
from tests.cli.helpers import error_line
from tests.keys import private_key_pem, rsa_key  # noqa: F401 (fixtures)

SECRET = "0123456789abcdef0123456789abcdef"


def new_app(pem: str) -> NewApp:
    return NewApp(42, "rfc-bot-acme", pem, SECRET, "https://github.com/apps/x", "Iv1.abc", "cs$x")


def registered_env(folder: Path, pem: str, public_url: str | None = None) -> Path:
    """The very text ``rfc-bot register`` writes, where it writes it."""
    path = folder / ".env"
    path.write_text(env_text(new_app(pem), "https://api.github.com", None, public_url))
    return path


def test_serve_reads_the_env_register_wrote(
    project: Path,
    private_key_pem: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bug: in the folder `register` wrote to, `serve` said GITHUB_APP_ID is not set."""
    registered_env(project, private_key_pem, "https://rfcs.acme.dev")
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    served: list[Settings] = []
    monkeypatch.setattr(bot.serve.supervisor, "run", lambda settings, role: served.append(settings))
    before = dict(os.environ)
    assert main(["serve", "--workers", "1"]) == 0
    (settings,) = served
    assert settings.app_id == "42"
    assert settings.private_key == private_key_pem  # the \n escapes became the PEM's lines
    assert settings.webhook_secret == SECRET
    assert settings.client_secret == "cs$x"  # nothing interpolated
    assert settings.dashboard_enabled
    assert dict(os.environ) == before  # the file's values went into a mapping of their own
    err = capsys.readouterr().err
    assert err == "rfc-bot: read 7 settings from .env\n"


def test_a_multi_line_quoted_key_and_export_lines(
    tmp_path: Path,
    private_key_pem: str,  # noqa: F811
) -> None:
    env = tmp_path / "app.env"
    env.write_text(
        "# written by hand\n"
        "export GITHUB_APP_ID=7\n"
        f'GITHUB_PRIVATE_KEY="{private_key_pem}"\n'
        f"GITHUB_WEBHOOK_SECRET='{SECRET}'\n"
        "NO_VALUE\n"
    )
    source = settings_environ(str(env), {})
    assert source.path == env and "NO_VALUE" not in source.environ
    settings = Settings.from_env(source.environ)
    assert (settings.app_id, settings.private_key) == ("7", private_key_pem)


def test_the_environment_wins_and_is_named_never_its_values(
    tmp_path: Path,
    private_key_pem: str,  # noqa: F811
) -> None:
    env = registered_env(tmp_path, private_key_pem)
    source = settings_environ(str(env), {"GITHUB_APP_ID": "99", "PORT": "9000"})
    assert source.environ["GITHUB_APP_ID"] == "99"  # the platform's setting, not the file's
    assert source.environ["GITHUB_WEBHOOK_SECRET"] == SECRET
    assert source.overridden == ("GITHUB_APP_ID",)
    notice = source.notice()
    assert "GITHUB_APP_ID" in notice and str(env) in notice
    told = notice.replace(str(env), "FILE")  # the file's path may hold any digits (pytest-42)
    for value in (SECRET, "99", "42", "PRIVATE KEY", "cs$x"):
        assert value not in told


def test_without_a_file_nothing_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {"GITHUB_APP_ID": "1"}
    source = settings_environ(None, environ)
    assert source.environ is environ and source.path is None and source.notice() == ""
    seen: list[Mapping[str, str] | None] = []
    monkeypatch.setattr(bot.serve.supervisor, "main", lambda _, env=None: seen.append(env) or 0)
    assert main(["serve"]) == 0
    assert seen[0] is os.environ and capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["serve", "action"])
def test_a_named_file_that_does_not_exist_is_one_line_and_exit_2(
    project: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--env-file", "prod.env"]) == 2
    assert error_line(capsys).startswith("--env-file prod.env does not exist: name the .env")
    (project / "a-folder").mkdir()
    assert main([command, "--env-file", "a-folder"]) == 2
    assert "a-folder is not a file" in error_line(capsys)


def test_an_unreadable_file_is_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "bad.env").write_bytes(b"GITHUB_APP_ID=\xff\n")
    with pytest.raises(CliError, match=r"cannot read --env-file bad\.env"):
        read_env_file(project / "bad.env")
    assert main(["serve", "--env-file", "bad.env"]) == 2
    assert error_line(capsys).startswith("cannot read --env-file bad.env:")


def test_a_bad_setting_in_the_file_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".env").write_text("GITHUB_APP_ID=not-a-number\n")
    assert main(["serve", "--workers", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "rfc-bot: read 1 settings from .env"
    assert err[1].startswith("rfc-bot: error: GITHUB_APP_ID must be the App's numeric ID")


def test_several_workers_get_the_file_and_a_worker_never_rereads_it(
    project: Path,
    private_key_pem: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The supervisor hands the merged settings to its workers; a worker (which the supervisor
    starts with plain `serve`) must not mix in ./.env over an --env-file it was not given."""
    registered_env(project, private_key_pem)
    (project / "other.env").write_text((project / ".env").read_text().replace("=42", "=43"))
    handed: list[dict[str, str]] = []

    class Supervisor:
        def __init__(self, settings: Settings, count: int, environ: dict[str, str]) -> None:
            handed.append(environ)

        def run(self) -> int:
            return 0

    monkeypatch.setattr(bot.serve.supervisor, "Supervisor", Supervisor)
    assert main(["serve", "--workers", "2", "--env-file", "other.env"]) == 0
    assert handed[0]["GITHUB_APP_ID"] == "43"
    seen: list[Any] = []
    monkeypatch.setattr(bot.serve.supervisor, "main", lambda _, env=None: seen.append(env) or 0)
    monkeypatch.setenv(ENV_INDEX, "0")
    assert main(["serve"]) == 0
    assert seen == [None]  # the worker reads its own environment, as its supervisor set it


def test_action_never_reads_a_checkouts_env_unasked(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request's .env would otherwise choose the key that proves the App's own
    writes (RFC_BOT_SECRET) or whose comments count as the App's."""
    (project / ".env").write_text("RFC_BOT_SECRET=chosen-by-the-pull-request\n")
    monkeypatch.delenv("RFC_BOT_SECRET", raising=False)
    seen: list[Mapping[str, str]] = []
    monkeypatch.setattr(bot.cli.action, "main", lambda environ: seen.append(environ) or 0)
    assert main(["action"]) == 0
    assert "RFC_BOT_SECRET" not in seen[0] and capsys.readouterr().err == ""
    (project / "ci.env").write_text("RFC_BOT_ACTIONS_APP_ID=7\n")
    assert main(["action", "--env-file", "ci.env"]) == 0
    assert seen[1]["RFC_BOT_ACTIONS_APP_ID"] == "7"
    assert capsys.readouterr().err == "rfc-bot: read 1 settings from ci.env\n"
