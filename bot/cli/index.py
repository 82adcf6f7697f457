"""``rfc-bot index``: regenerate the RFC index (the table in the RFC directory's README), or
``--check`` that it is up to date (``--create-missing``: the pre-commit hook creates a missing
index, so a repository whose RFCs are all drafts can adopt the hook on day one)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.commands import PROG, CliError, Subcommands, add_command, add_config_option
from bot.cli.project import display, load_project_config, project_root, read_text, reason
from bot.rfc.edits import INDEX_START, update_index
from bot.rfc.tree import index_entries


def add_commands(commands: Subcommands) -> None:
    index = add_command(
        commands, "index", cmd_index, "Regenerate the RFC index (README.md in the RFC dir)."
    )
    index.add_argument("dir", nargs="?", metavar="DIR", help="the RFC directory (default: rfc_dir)")
    index.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when missing or out of date"
    )
    index.add_argument(
        "--create-missing",
        action="store_true",
        help="with --check: create a missing index (still exit 1, so a commit stops to add it)",
    )
    add_config_option(index)


def cmd_index(args: argparse.Namespace) -> int:
    config = load_project_config(args.config)
    root = project_root()
    directory = Path(args.dir) if args.dir else root / config.rfc_dir
    if not directory.is_dir():
        raise CliError(f"no such directory: {display(directory)}")
    index = directory / config.index_file
    existing = read_text(index) if index.is_file() else None
    entries = index_entries(directory, root, config)
    try:
        updated = update_index(existing, entries)
    except ValueError as error:
        raise CliError(f"{display(index)}: {error}") from None
    if updated == existing:
        print(f"{display(index)} is up to date")
        return 0
    if args.check and existing is None and args.create_missing:
        _write(index, updated)
        print(f"created {display(index)}, which was missing: add it to the commit")
        return 1
    if args.check:
        print(f"{display(index)} {_index_state(existing)}; run `{PROG} index {display(directory)}`")
        return 1
    _write(index, updated)
    print(f"{'updated' if existing is not None else 'created'} {display(index)}")
    return 0


def _write(index: Path, text: str) -> None:
    try:
        with index.open("w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        raise CliError(f"cannot write {display(index)}: {reason(error)}") from None


def _index_state(existing: str | None) -> str:
    """Why ``index --check`` fails: the file is missing, holds no index yet, or is stale."""
    if existing is None:
        return "does not exist"
    if INDEX_START not in existing:
        return "has no index (no `<!-- rfc-index:start -->` marker)"
    return "is out of date"
