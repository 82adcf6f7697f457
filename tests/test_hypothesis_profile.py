"""CI runs hypothesis derandomized: a CI run passes or fails by the code, never by the draw."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import _settings, settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_ci_profile_is_derandomized_without_database_or_deadline() -> None:
    ci = settings.get_profile("ci")
    assert (ci.derandomize, ci.database, ci.deadline) == (True, None, None)


@pytest.mark.parametrize(("ci", "derandomized"), [("true", True), (None, False)])
def test_the_ci_variable_selects_the_ci_profile(ci: str | None, derandomized: bool) -> None:
    # Every variable by which hypothesis itself detects a CI run (it loads its own "ci" then).
    detected = getattr(_settings, "_CI_VARS", {"CI": None})
    env = {k: v for k, v in os.environ.items() if k not in detected}
    env |= {"CI": ci} if ci is not None else {}
    code = "import tests.conftest; from hypothesis import settings; print(settings().derandomize)"
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == str(derandomized)
