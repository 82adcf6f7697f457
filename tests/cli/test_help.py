"""Every command, option and argument says what it is in ``--help``: a walk over the parser."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.cli.program import build_parser


def parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("rfc-bot",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """The program's parser and every subcommand's, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def arguments() -> Iterator[tuple[str, argparse.Action]]:
    for path, parser in parsers(build_parser()):
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                name = "/".join(action.option_strings) or action.dest
                yield f"{' '.join(path)} {name}", action


ARGUMENTS = dict(arguments())


def test_the_walk_reaches_every_command() -> None:
    commands = {path[1] for path, _ in parsers(build_parser()) if len(path) == 2}
    assert {"lint", "new", "index", "site", "serve", "action", "register"} <= commands
    assert "rfc-bot register --manifest" in ARGUMENTS


@pytest.mark.parametrize("where", sorted(ARGUMENTS))
def test_every_option_and_argument_says_what_it_is(where: str) -> None:
    """Not empty, not hidden, and more than its default ("default: rfc_dir" alone said what
    happens without it, not what it is)."""
    text = ARGUMENTS[where].help
    assert text and text != argparse.SUPPRESS, f"{where} has no help text"
    assert not text.lower().startswith("default"), f"{where}: say what it is, then its default"


def test_every_command_is_described() -> None:
    for path, parser in parsers(build_parser()):
        assert parser.description, f"{' '.join(path)} has no description"


@pytest.mark.parametrize("path", [path for path, _ in parsers(build_parser())], ids=" ".join)
def test_every_help_page_renders(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*path[1:], "--help"]) == 0
    page = capsys.readouterr().out
    assert page.startswith(f"usage: {' '.join(path)}")


def test_register_help_describes_its_files_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    """The options the issue found bare, as the user reads them."""
    assert main(["register", "--help"]) == 0
    page = " ".join(capsys.readouterr().out.split())
    assert "--manifest FILE the App manifest to register (default: app.yml)" in page
    assert "--env-file FILE, --env FILE the .env file to write" in page
    assert "--port PORT the port of the local page on 127.0.0.1" in page
