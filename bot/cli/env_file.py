"""``--env-file``: the settings of ``serve`` and ``action`` from a ``.env`` file.

``rfc-bot register`` writes a ``.env``; ``serve`` reads the same file (``.env`` in the working
directory when present, or the file ``--env-file`` names). It is read with python-dotenv:
``KEY=value`` lines, ``export`` prefixes, comments, quoted values over several lines, and ``\\n``
escapes inside double quotes (how ``register`` writes the private key). Nothing is interpolated
(a ``$`` in a secret stays a ``$``), and a variable already in the environment wins over the
file, as a platform's settings should. The result is a new mapping: ``os.environ`` is left as
it was.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.cli.commands import PROG, CliError
from bot.cli.project import display, reason

DEFAULT_ENV_FILE = Path(".env")


@dataclass(frozen=True)
class EnvSource:
    """The settings a command runs with, and the file that supplied some of them."""

    environ: Mapping[str, str] = field(repr=False)  # holds secrets
    path: Path | None = None  # None: no file was read
    from_file: tuple[str, ...] = ()  # names the file supplied
    overridden: tuple[str, ...] = ()  # names in the file that the environment set first

    def notice(self) -> str:
        """One line saying which file was read: names only, never a value."""
        if self.path is None:
            return ""
        line = f"{PROG}: read {len(self.from_file)} settings from {display(self.path)}"
        if self.overridden:
            line += f"; the environment's own value wins for {', '.join(self.overridden)}"
        return line


def settings_environ(
    named: str | None, environ: Mapping[str, str], default: Path | None = DEFAULT_ENV_FILE
) -> EnvSource:
    """``environ`` with the file's settings under it: the file ``named`` (an error when it is
    missing), else ``default`` when that file exists, else nothing."""
    if named is not None:
        path = Path(named)
        if not path.is_file():
            what = "is not a file" if path.exists() else "does not exist"
            raise CliError(
                f"--env-file {named} {what}: name the .env file `rfc-bot register` wrote, "
                "or leave the option out to read ./.env when there is one"
            )
    elif default is not None and default.is_file():
        path = default
    else:
        return EnvSource(environ)
    values = read_env_file(path)
    overridden = tuple(name for name in values if name in environ)
    merged = {**values, **environ}
    supplied = tuple(name for name in values if name not in environ)
    return EnvSource(merged, path, supplied, overridden)


def read_env_file(path: Path) -> dict[str, str]:
    """The file's ``KEY=value`` settings; a name without ``=`` sets nothing."""
    try:
        with path.open(encoding="utf-8") as stream:
            values = dotenv_values(stream=stream, interpolate=False)
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read --env-file {display(path)}: {reason(error)}") from None
    return {name: value for name, value in values.items() if value is not None}


def announce(source: EnvSource) -> None:
    """Say on stderr which file was read (stdout stays the command's own)."""
    if source.path is not None:
        print(source.notice(), file=sys.stderr)
