"""The ``rfc-bot`` program: its parser, its shell completion, and ``main``.

The commands: lint, new, rules, config, index, site, audit, completion, serve, demo, action,
register (one module each, or one per group: ``bot.cli.*``).

Exit codes: 0 success (warnings allowed), 1 lint errors, a failed ``--check`` or a move
``audit`` finds unproven, 2 usage or I/O errors (one ``rfc-bot: error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import bot.cli.app_commands
import bot.cli.audit
import bot.cli.config
import bot.cli.index
import bot.cli.lint
import bot.cli.new
import bot.cli.site
from bot import __version__
from bot.cli.commands import PROG, CliError, Subcommands, add_command

COMPLETION_SHELLS = ("bash", "zsh", "tcsh")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Lint and manage RFC documents.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # In the order --help lists them: the RFC commands, then the App's.
    rfc_commands = (bot.cli.lint, bot.cli.new, bot.cli.config, bot.cli.index, bot.cli.site)
    for module in (*rfc_commands, bot.cli.audit):
        module.add_commands(commands)
    _add_completion(commands)
    bot.cli.app_commands.add_commands(commands)
    return parser


def _add_completion(commands: Subcommands) -> None:
    completion = add_command(
        commands, "completion", cmd_completion, "Print a shell completion script (bash, zsh, tcsh)."
    )
    completion.add_argument("shell", choices=COMPLETION_SHELLS, help="the shell to complete in")


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab  # imported here: only this command needs it

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except CliError as error:
        # Every line carries the prefix: a config with three problems is three error lines.
        for line in str(error).splitlines():
            print(f"{PROG}: error: {line}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # --help, --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`rfc-bot rules | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
