"""Heroku's Python buildpack (and the platforms that reuse it) accepts the repository: its files
read the way the buildpack reads them, offline.

The rules follow heroku/heroku-buildpack-python (lib/package_manager.sh, lib/python_version.sh,
lib/pip.sh): exactly one package manager file; the Python version from ``.python-version``
(``runtime.txt``, deprecated, would win over it); then ``pip install -r requirements.txt``
from the app's directory; then the Procfile's ``web`` command.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.cli.program import build_parser

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_MANAGER_FILES = ("Pipfile.lock", "requirements.txt", "poetry.lock", "uv.lock")
# lib/python_version.sh: N.N or N.N.N, integers without leading zeros.
_INT = r"(0|[1-9][0-9]*)"
PYTHON_VERSION = re.compile(rf"{_INT}\.{_INT}(\.{_INT})?")
SUPPORTED_MINORS = range(10, 15)  # 3.10 to 3.14, the buildpack's supported Pythons


class BuildpackError(Exception):
    """What the buildpack would stop the build with."""


def package_manager(files: set[str]) -> str:
    """lib/package_manager.sh: a Pipfile needs its lock; exactly one manager's file."""
    if "Pipfile" in files and "Pipfile.lock" not in files:
        raise BuildpackError("No 'Pipfile.lock' found")
    found = [name for name in PACKAGE_MANAGER_FILES if name in files]
    if len(found) != 1:
        raise BuildpackError(f"expected one package manager file, found {found or 'none'}")
    return found[0]


def requested_python(text: str) -> str:
    """lib/python_version.sh, ``.python-version``: lines trimmed, blank and ``#`` lines
    dropped, exactly one version left, of form N.N or N.N.N, of a supported Python."""
    lines = [line.strip() for line in text.replace("\0", "␀").splitlines()]
    versions = [line for line in lines if line and not line.startswith("#")]
    for version in versions:
        if not PYTHON_VERSION.fullmatch(version):
            raise BuildpackError(f"Invalid Python version in .python-version: {version!r}")
    if len(versions) != 1:
        raise BuildpackError(f"expected one Python version, found {len(versions)}")
    major, minor = (int(part) for part in versions[0].split(".")[:2])
    if major != 3 or minor not in SUPPORTED_MINORS:
        raise BuildpackError(f"Python {major}.{minor} is not supported")
    return versions[0]


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirement_lines() -> list[str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_buildpack_finds_one_package_manager_file() -> None:
    files = {path.name for path in ROOT.iterdir()}
    assert package_manager(files) == "requirements.txt"
    assert "runtime.txt" not in files  # deprecated, and it would win over .python-version


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"pyproject.toml"}, "found none"),  # the repository before this file existed
        ({"requirements.txt", "uv.lock"}, "found ['requirements.txt', 'uv.lock']"),
        ({"Pipfile", "requirements.txt"}, "No 'Pipfile.lock'"),
    ],
)
def test_what_the_buildpack_refuses(files: set[str], problem: str) -> None:
    with pytest.raises(BuildpackError, match=re.escape(problem)):
        package_manager(files)


def test_the_python_version_is_one_the_buildpack_and_the_project_accept() -> None:
    version = requested_python((ROOT / ".python-version").read_text(encoding="utf-8"))
    assert version == "3.11"  # the major version only: the buildpack brings the security fixes
    requires = project()["requires-python"]
    assert Version(f"{version}.0") in Requirement(f"python{requires}").specifier
    # The container runs the same Python.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(rf"^FROM python:{re.escape(version)}\.\d+-", dockerfile, re.M)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("python-3.11\n", "Invalid Python version"),
        ("3.11.x\n", "Invalid Python version"),
        ("3.011\n", "Invalid Python version"),
        ("3.11\n3.12\n", "found 2"),
        ("# a comment only\n\n", "found 0"),
        ("3.9\n", "not supported"),
        ("\ufeff3.11\n", "Invalid Python version"),  # a byte-order mark
    ],
)
def test_what_the_buildpack_says_of_a_bad_python_version(text: str, problem: str) -> None:
    with pytest.raises(BuildpackError, match=problem):
        requested_python(text)


def test_a_python_version_with_comments_and_spaces_is_read() -> None:
    assert requested_python("# the App's Python\n  3.11.7  \n\n") == "3.11.7"


def test_requirements_pin_exactly_the_runtime_dependencies_then_install_the_app() -> None:
    """Each of pyproject's dependencies, with its extras, at one version it allows; then `.`,
    which installs the App (and its `rfc-bot` command). python3 scripts/requirements.py
    regenerates the file."""
    *pins, last = requirement_lines()
    assert last == "."
    wanted = {canonicalize_name(r.name): r for r in map(Requirement, project()["dependencies"])}
    pinned = {canonicalize_name(r.name): r for r in map(Requirement, pins)}
    assert len(pinned) == len(pins), "a package is pinned twice"
    assert pinned.keys() == wanted.keys()
    for name, pin in pinned.items():
        (clause,) = pin.specifier
        assert clause.operator == "==", f"{pin}: pin an exact version"
        assert wanted[name].specifier.contains(clause.version), f"{pin} vs {wanted[name]}"
        assert pin.extras == wanted[name].extras and pin.marker is None


def test_pip_builds_the_app_offline_and_the_pins_satisfy_it(tmp_path: Path) -> None:
    """The buildpack's `pip install -r requirements.txt` installs `.`: pip builds it here from
    this checkout (offline, no index, no build isolation) and its requirements, as pip reads
    them from the built metadata, accept every pin."""
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run", "--no-index"]
    command += ["--no-build-isolation", "--quiet", "--report", str(report), "."]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (app,) = [item for item in json.loads(report.read_text())["install"] if item["is_direct"]]
    assert app["metadata"]["name"] == "rfc-bot"
    needs = [Requirement(text) for text in app["metadata"]["requires_dist"]]
    runtime = {canonicalize_name(r.name): r for r in needs if r.marker is None}
    for pin in map(Requirement, requirement_lines()[:-1]):
        (clause,) = pin.specifier
        assert runtime[canonicalize_name(pin.name)].specifier.contains(clause.version)


def test_the_procfile_runs_a_console_script_of_the_app() -> None:
    (line,) = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    process, _, command = line.partition(":")
    assert process == "web"  # the process type Heroku routes HTTP to (on $PORT)
    program, *arguments = shlex.split(command)
    scripts = project()["scripts"]
    assert program in scripts
    (script,) = entry_points(group="console_scripts", name=program)
    assert script.value == scripts[program]
    assert callable(script.load())
    assert build_parser().parse_args(arguments).command == "serve"
