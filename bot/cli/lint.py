"""``rfc-bot lint``: check RFC files, or the RFC files in directories, and report the findings.

Exit status 1 when any finding is an error (warnings pass).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.cli.commands import PROG, CliError, Subcommands, add_command, add_config_option
from bot.cli.project import display, load_project_config, project_root, reason
from bot.local.git import GitError, GitRevision
from bot.rfc.config.public import Config
from bot.rfc.diagnostics import has_errors
from bot.rfc.report import FORMATS, render
from bot.rfc.tree import MissingPath, UnreadableFile, changed_only, collect_targets, lint_tree

COLOR_MODES = ("auto", "always", "never")


def add_commands(commands: Subcommands) -> None:
    lint = add_command(
        commands, "lint", cmd_lint, "Check RFC files (or the RFC files in directories)."
    )
    lint.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: rfc_dir)"
    )
    lint.add_argument(
        "--format", choices=FORMATS, default="text", help="how findings are printed (default: text)"
    )
    lint.add_argument(
        "--color",
        choices=COLOR_MODES,
        default="auto",
        help="colour the text format (auto: on a terminal, unless NO_COLOR is set)",
    )
    lint.add_argument("--base", metavar="GIT_REF", help="compare with the files at this ref")
    lint.add_argument(
        "--changed",
        action="store_true",
        help="only the files that differ from --base (no index check)",
    )
    add_config_option(lint)


def cmd_lint(args: argparse.Namespace) -> int:
    config = load_project_config(args.config)
    paths = args.paths or [_default_rfc_dir(config)]
    try:
        targets = collect_targets(paths, config)
        base = GitRevision.open(Path.cwd(), args.base) if args.base else None
        if args.changed:
            if base is None:
                raise CliError("--changed needs --base GIT_REF")
            targets = changed_only(targets, base)
        reports = lint_tree(targets, project_root(), config, base=base, index_fix=_index_fix)
    except MissingPath as error:
        raise CliError(f"no such file or directory: {error.path}") from None
    except UnreadableFile as error:
        raise CliError(f"cannot read {display(error.path)}: {reason(error.error)}") from None
    except GitError as error:
        raise CliError(str(error)) from None
    colour = args.format == "text" and use_colour(args.color, sys.stdout.isatty(), os.environ)
    skipped = len(targets.skipped)
    sys.stdout.write(render(reports, args.format, color=colour, skipped=skipped))
    return 1 if has_errors([d for report in reports for d in report.diagnostics]) else 0


def use_colour(mode: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """``--color``: ``always`` and ``never`` win over the environment (as no-color.org asks of
    a command-line flag); ``auto`` colours a terminal unless ``NO_COLOR`` is set and non-empty.
    """
    if mode != "auto":
        return mode == "always"
    return is_terminal and not environ.get("NO_COLOR")


def _index_fix(directory: Path) -> str:
    return f"run `{PROG} index {display(directory)}` to regenerate it"


def _default_rfc_dir(config: Config) -> str:
    """The configured RFC directory, for a command run with no path: it must exist."""
    directory = project_root() / config.rfc_dir
    if not directory.is_dir():
        raise CliError(
            f"no such directory: {display(directory)} (the configured rfc_dir); give a PATH"
        )
    return str(directory)
