"""Write requirements.txt: what Heroku's Python buildpack installs (``pip install -r``).

Usage: python3 scripts/requirements.py > requirements.txt

Each runtime dependency of pyproject.toml, with its extras, pinned to the version installed in
this environment (the one the tests ran with), then ``.``: the App itself, which gives the
``rfc-bot`` command the Procfile runs. tests/test_buildpack.py checks that the pins agree with
pyproject.toml; run this again after changing its dependencies.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent

HEADER = """\
# The App's runtime dependencies for platforms that run `pip install -r requirements.txt`
# (Heroku's Python buildpack, Dokku, Scalingo): pinned to the versions the tests ran with,
# then the App itself (`.`), which installs the `rfc-bot` command the Procfile runs.
# Generated from pyproject.toml: python3 scripts/requirements.py > requirements.txt
"""


def pinned(dependency: str) -> str:
    requirement = Requirement(dependency)
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        sys.exit(f"{requirement.name} is not installed: pip install -e . first")
    if not requirement.specifier.contains(installed, prereleases=True):
        sys.exit(f"{requirement.name} {installed} does not satisfy {requirement}")
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}=={installed}"


def requirements_text() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = sorted((pinned(dependency) for dependency in project["dependencies"]), key=str.lower)
    return HEADER + "\n".join([*lines, "."]) + "\n"


if __name__ == "__main__":
    sys.stdout.write(requirements_text())
