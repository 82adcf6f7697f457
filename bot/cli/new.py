"""``rfc-bot new``: a new RFC file from the bundled template, numbered ``0000`` until merge.

The file name's slug is the title transliterated to ASCII by python-slugify ("Ünïcode title"
gives ``unicode-title``, "中文标题" ``zhong-wen-biao-ti``); a title with nothing to transliterate
(emoji only) falls back to ``rfc``, as the lint rule's suggestion does.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from bot.cli.commands import CliError, Subcommands, add_command, add_config_option
from bot.cli.project import display, load_project_config, project_root, reason
from bot.rfc.edits import fill_template
from bot.rfc.paths import slugify


def add_commands(commands: Subcommands) -> None:
    new = add_command(commands, "new", cmd_new, "Create a new RFC from the template.")
    new.add_argument(
        "title", help="the RFC's title, in any script; the file name spells it in ASCII"
    )
    new.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME",
        help="a target application, one of the config's target_apps (repeatable)",
    )
    new.add_argument(
        "--author",
        action="append",
        default=[],
        metavar='"Name (@user)"',
        help="an author with their GitHub login (repeatable)",
    )
    new.add_argument("--dir", metavar="DIR", help="directory to write to (default: rfc_dir)")
    add_config_option(new)


def cmd_new(args: argparse.Namespace) -> int:
    config = load_project_config(args.config)
    title = args.title.strip()
    if not title or "\n" in title:
        raise CliError("the title must be one non-empty line")
    unknown = [app for app in args.app if app not in config.target_apps]
    if unknown:
        known = ", ".join(config.target_apps)
        raise CliError(f"unknown application {unknown[0]!r}; known applications: {known}")
    # Python 3.11's argparse swallows the value of `--author=--` and appends the option's
    # default (a list) instead: take the value the user wrote.
    args.author = [author if isinstance(author, str) else "--" for author in args.author]
    if any("\n" in author or "\r" in author for author in args.author):
        raise CliError("an --author must be one line")
    directory = Path(args.dir) if args.dir else project_root() / config.rfc_dir
    path = directory / file_name(title, config.number_width)
    text = fill_template(
        _bundled_template(),
        title=title,
        status=config.initial_status,
        today=_today(),
        apps=args.app,
        authors=args.author,
    )
    if args.author:
        _check_authors(text)
    _write_new(directory, path, text)
    print(display(path))
    return 0


MAX_SLUG = 80  # whole words; file systems allow 255 bytes for a name


def file_name(title: str, width: int) -> str:
    """``0000-slug.md``: the title in lower-case ASCII words joined by ``-``."""
    from slugify import slugify as transliterated  # lazy: only `new` spells titles

    words = transliterated(
        title, max_length=MAX_SLUG, word_boundary=True, replacements=[["'", ""], ["’", ""]]
    )
    return f"{'0' * width}-{slugify(words)}.md"


def _write_new(directory: Path, path: Path, text: str) -> None:
    """Write ``text`` to ``path``, which must not exist yet (never overwrite an RFC)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="") as file:
            file.write(text)
    except FileExistsError:
        if not directory.is_dir():  # mkdir met a file where the directory should be
            raise CliError(
                f"cannot write {display(path)}: {display(directory)} is a file"
            ) from None
        raise CliError(
            f"{display(path)} already exists; not overwriting it: give the RFC another title, "
            "or move that file away first"
        ) from None
    except OSError as error:
        raise CliError(f"cannot write {display(path)}: {reason(error)}") from None


def _today() -> date:
    return datetime.now(UTC).date()


def _bundled_template() -> str:
    return resources.files("bot.rfc").joinpath("template.md").read_text(encoding="utf-8")


def _check_authors(text: str) -> None:
    """Refuse the authors the ``authors`` lint rule would reject: the check runs on the
    Author(s) value as the linter parses it back from the file about to be written."""
    # Lazy: only `new --author` reads the file back, with the lint rule's own check.
    from bot.rfc.document import parse
    from bot.rfc.rules.metadata import author_problems

    written = parse(text).metadata.get("Author(s)")
    problems = author_problems(written.value if written else "")
    if problems:
        raise CliError(f"--author: {problems[0]}")
