"""The demos run from a checkout's virtual environment: every command the docs give for them
says so (a bare `python3 -m bot demo` fails where the system Python lacks the App)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.app_commands import DEMO_NEEDS_CHECKOUT

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
# The interpreter word before `-m bot demo`, wherever a doc writes one.
_RUN = re.compile(r"(\S*python3?) -m bot demo\b")


def interpreters() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for line_number, line in enumerate(document.read_text("utf-8").splitlines(), 1):
            for match in _RUN.finditer(line):
                where = f"{document.relative_to(ROOT)}:{line_number}"
                found.append((where, match.group(1).strip("`")))
    return found


def test_the_docs_name_the_demo() -> None:
    wheres = [where for where, _ in interpreters()]
    assert any(where.startswith("docs/dashboard.md") for where in wheres)
    assert any(where.startswith("README.md") for where in wheres)


@pytest.mark.parametrize(("where", "python"), interpreters())
def test_every_demo_command_uses_the_virtual_environment(where: str, python: str) -> None:
    assert python == ".venv/bin/python", f"{where}: run it as .venv/bin/python"


def test_the_demo_outside_a_checkout_says_the_same() -> None:
    assert "&& .venv/bin/python -m bot demo" in DEMO_NEEDS_CHECKOUT
