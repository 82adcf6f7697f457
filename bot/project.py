"""The project's home page, held in one place: ``[project.urls]`` of pyproject.toml.

SARIF's ``helpUri`` and ``informationUri`` link there. A fork (or the project's real home)
changes that one table; the tests then name every document and ``app.yml`` line to update.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "rfc-bot"
HOME = "Homepage"  # the key of [project.urls] that names the home
# Beside the package in a checkout (an editable install, or ``python -m bot`` from it).
CHECKOUT_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def urls_of_pyproject(text: str) -> dict[str, str]:
    """``[project.urls]`` of rfc-bot's pyproject.toml; empty for another project's."""
    project = tomllib.loads(text).get("project", {})
    if project.get("name") != DISTRIBUTION:
        return {}
    return {str(key): str(value) for key, value in project.get("urls", {}).items()}


def urls_of_metadata(fields: Iterable[str]) -> dict[str, str]:
    """The ``Project-URL`` fields of installed metadata (``label, url``), by label."""
    pairs = (field.partition(",") for field in fields)
    return {label.strip(): url.strip() for label, _, url in pairs if url.strip()}


@cache
def project_url() -> str:
    """The home page: from the checkout's pyproject.toml when running from one (so an edit
    counts at once, whatever was installed), else from the installed distribution."""
    urls = {}
    if CHECKOUT_PYPROJECT.is_file():
        urls = urls_of_pyproject(CHECKOUT_PYPROJECT.read_text(encoding="utf-8"))
    if not urls:
        try:
            urls = urls_of_metadata(metadata.metadata(DISTRIBUTION).get_all("Project-URL") or [])
        except metadata.PackageNotFoundError:
            urls = {}
    if HOME not in urls:
        raise LookupError(f"{DISTRIBUTION} names no {HOME} in [project.urls]: reinstall it")
    return urls[HOME]


def rules_doc_url() -> str:
    """docs/rules.md on the project's default branch."""
    return f"{project_url()}/blob/main/docs/rules.md"
