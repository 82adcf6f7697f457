"""The project a command runs in: its root, its config file, and its paths as the user sees
them (relative to the current directory)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.cli.commands import CliError
from bot.local.git import git_root
from bot.rfc.config.public import CONFIG_PATH, Config, ConfigError, load_config


def project_root() -> Path:
    """The git work tree holding the current directory, else the current directory."""
    cwd = Path.cwd().resolve()
    return git_root(cwd) or cwd


def find_config() -> Path | None:
    """``.github/rfc-bot.yml`` in the current directory or a parent, up to the git root."""
    cwd = Path.cwd().resolve()
    stop = git_root(cwd)
    for directory in (cwd, *cwd.parents):
        candidate = directory / CONFIG_PATH
        if candidate.is_file():
            return candidate
        if directory == stop:
            break
    return None


def display(path: Path) -> str:
    """The path as the user can type it from here, with '/' separators: relative to the
    current directory when inside the project (``../rfcs/...`` from a subfolder), else as
    given (a path outside the project is clearer whole than as a climb of ``..``)."""
    here, target = Path.cwd().resolve(), path.resolve()
    if not target.is_relative_to(project_root()):
        return path.as_posix()
    return Path(os.path.relpath(target, here)).as_posix()


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {display(path)}: {reason(error)}") from None


def reason(error: Exception) -> str:
    """Why an I/O call failed, in the words of the system when it has them."""
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def load_project_config(explicit: str | None) -> Config:
    """The config named by ``--config``, else the one found upwards, else the defaults."""
    path = Path(explicit) if explicit else find_config()
    if path is None:
        return Config()
    if not path.is_file():
        raise CliError(f"config file not found: {explicit}")
    try:
        return load_config(read_text(path), display(path))
    except ConfigError as error:
        raise CliError(str(error)) from None
