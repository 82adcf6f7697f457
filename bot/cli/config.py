"""``rfc-bot rules`` and ``rfc-bot config``: the lint rules, and the config that tunes them
(the commented defaults, a config file checked, or the effective config with what it extends:
``bot.cli.config_effective``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.commands import PROG, CliError, Subcommands, add_command
from bot.cli.project import display, find_config, read_text
from bot.rfc.config.public import (
    CONFIG_PATH,
    ConfigError,
    default_config_yaml,
    load_config,
    parse_config_file,
)
from bot.rfc.diagnostics import Severity


def add_commands(commands: Subcommands) -> None:
    add_command(commands, "rules", cmd_rules, "List every lint rule.")
    config = add_command(
        commands, "config", cmd_config, "Print the default config or check a config file."
    )
    mode = config.add_mutually_exclusive_group(required=True)
    mode.add_argument("--defaults", action="store_true", help="print the default config")
    mode.add_argument("--check", nargs="?", const="", metavar="FILE", help="validate a config")
    mode.add_argument(
        "--effective",
        nargs="?",
        const="",
        metavar="FILE",
        help="print the config with what it extends merged in, each value with its origin",
    )
    config.add_argument(
        "--repo",
        metavar="OWNER/NAME",
        help="with --effective: the repository the config belongs to (needed by _extends)",
    )
    config.add_argument(
        "--extends-from",
        action="append",
        default=[],
        metavar="PATH",
        help="with --effective: a copy of an extended file, in the chain's order (else they "
        "are read from GitHub with GITHUB_TOKEN)",
    )


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
    if (args.repo or args.extends_from) and args.effective is None:
        raise CliError("--repo and --extends-from go with --effective")
    named = args.check if args.effective is None else args.effective
    path = Path(named) if named else find_config()
    if path is not None and not path.is_file():
        raise CliError(f"config file not found: {named}")
    if args.effective is not None:
        from bot.cli.config_effective import show_effective  # loads the GitHub client

        return show_effective(path, args.repo, args.extends_from)
    if path is None:
        print(f"no {CONFIG_PATH} found; the defaults apply")
        return 0
    text = read_text(path)
    try:
        load_config(text, display(path))
    except ConfigError as error:
        for problem in error.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return 1
    extends = parse_config_file(text, display(path)).extends
    if extends is not None:
        print(
            f"{display(path)}: ok; it extends '{extends}', merged in by "
            "`rfc-bot config --effective --repo OWNER/NAME`"
        )
        return 0
    print(f"{display(path)}: ok")
    return 0
