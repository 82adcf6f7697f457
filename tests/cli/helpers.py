"""What the CLI tests share besides fixtures: RFC texts, writing files, running git, a fake
engine, reading the one stderr line of an error."""

from __future__ import annotations

import subprocess
import types
from pathlib import Path

import pytest

from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.document import parse

NO_BASE = object()  # the fake engine's "no base" sentinel: the CLI must pass it through


class FakeEngine:
    """Stands in for bot.rfc.lint: an error per line with BAD, a warning per line with MEH."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def lint(
        self, path: str, content: bytes, config: object, *, base: object, known_files: object
    ) -> object:
        self.calls.append((path, base))
        text = content.decode()
        diagnostics = [
            Diagnostic(rule, severity, path, number, 1, number, len(line), f"{word} here")
            for number, line in enumerate(text.splitlines(), 1)
            for word, rule, severity in (
                ("BAD", "fake-error", Severity.ERROR),
                ("MEH", "fake-warning", Severity.WARNING),
            )
            if word in line
        ]
        before = parse(base.decode()).status if isinstance(base, bytes) else None
        return types.SimpleNamespace(
            diagnostics=diagnostics, document=parse(text), status_before=before
        )


def rfc(title: str, *, status: str = "Draft", body: str = "") -> str:
    return (
        f"# {title}\n\n**Status:** {status}  \n**Target Application(s):** api  \n"
        f"**Last Updated:** 2024-01-01  \n**Author(s):** @alice  \n\n## Overview\n{body}"
    )


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


def committed_project(project: Path, files: dict[str, str]) -> None:
    """A git repository on branch main whose first commit holds ``files``."""
    git(project, "init", "-q", "-b", "main")
    write(project, files)
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "first")


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The error, read from stderr, which must hold exactly that one line."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.removeprefix("rfc-bot: error: ").rstrip("\n")
