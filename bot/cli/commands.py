"""What every command of the ``rfc-bot`` command line shares: its errors and its parser hooks.

Each command module has ``add_commands(commands)``, which adds its subcommands to the parser
(``bot.cli.program.build_parser``), each with its handler: ``handler(args) -> exit status``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeAlias

from bot.rfc.config.public import CONFIG_PATH

PROG = "rfc-bot"

Handler = Callable[[argparse.Namespace], int]  # the exit status
# What ``add_subparsers`` returns; the program's parser class raises CliError on bad usage.
Subcommands: TypeAlias = "argparse._SubParsersAction[Any]"


class CliError(Exception):
    """A usage or I/O problem: reported as one line on stderr, exit status 2."""


def add_command(
    commands: Subcommands, name: str, handler: Handler, text: str
) -> argparse.ArgumentParser:
    """A subcommand ``name`` that runs ``handler``; ``text`` is its help and description."""
    sub: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    sub.set_defaults(handler=handler)
    return sub


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="FILE", help=f"config file (default: {CONFIG_PATH}, searched upwards)"
    )
