"""``rfc-bot rules`` and ``rfc-bot config``: the lint rules, and the config that tunes them
(the commented defaults, or a config file checked)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.commands import PROG, CliError, Subcommands, add_command
from bot.cli.project import display, find_config, read_text
from bot.rfc.config.public import CONFIG_PATH, ConfigError, default_config_yaml, load_config
from bot.rfc.diagnostics import Severity


def add_commands(commands: Subcommands) -> None:
    add_command(commands, "rules", cmd_rules, "List every lint rule.")
    config = add_command(
        commands, "config", cmd_config, "Print the default config or check a config file."
    )
    mode = config.add_mutually_exclusive_group(required=True)
    mode.add_argument("--defaults", action="store_true", help="print the default config")
    mode.add_argument("--check", nargs="?", const="", metavar="FILE", help="validate a config")


def cmd_rules(args: argparse.Namespace) -> int:
    from bot.rfc.rules import RULES

    width = max((len(rule.id) for rule in RULES), default=0)
    for rule in RULES:
        print(f"{rule.id:<{width}}  {Severity(rule.severity).value:<7}  {rule.summary}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    if args.defaults:
        sys.stdout.write(default_config_yaml())
        return 0
    path = Path(args.check) if args.check else find_config()
    if path is None:
        print(f"no {CONFIG_PATH} found; the defaults apply")
        return 0
    if not path.is_file():
        raise CliError(f"config file not found: {args.check}")
    try:
        load_config(read_text(path), display(path))
    except ConfigError as error:
        for problem in error.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return 1
    print(f"{display(path)}: ok")
    return 0
