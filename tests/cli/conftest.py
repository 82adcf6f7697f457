"""Fixtures for the CLI tests: a project directory to run `rfc-bot` in, and a fake engine."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from tests.cli.helpers import NO_BASE, FakeEngine


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """The fake engine in place of bot.rfc.lint (through sys.modules), for tests that pin
    down the CLI's own logic: file discovery, --base, exit codes, the index check."""
    fake = FakeEngine()
    module = types.ModuleType("bot.rfc.lint")
    module.lint = fake.lint  # type: ignore[attr-defined]
    module.NO_BASE = NO_BASE  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.rfc.lint", module)
    return fake
