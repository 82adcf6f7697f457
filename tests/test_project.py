"""The project's home is read from one place, pyproject.toml's [project.urls] (bot/project.py):
from the checkout when there is one, else from the installed metadata."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from bot import project
from bot.project import project_url, rules_doc_url, urls_of_metadata, urls_of_pyproject

ROOT = Path(__file__).resolve().parents[1]


def declared_home() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(pyproject["project"]["urls"]["Homepage"])


def test_the_home_is_pyprojects() -> None:
    assert project_url() == declared_home()
    assert rules_doc_url() == f"{declared_home()}/blob/main/docs/rules.md"


def test_another_projects_pyproject_names_nothing() -> None:
    text = '[project]\nname = "other"\n[project.urls]\nHomepage = "https://example.invalid"\n'
    assert urls_of_pyproject(text) == {}
    assert urls_of_pyproject("[tool.x]\n") == {}


def test_metadata_fields_are_read_by_label() -> None:
    fields = ["Homepage, https://example.invalid/rfc-bot", "Docs,https://d.invalid", "Broken"]
    assert urls_of_metadata(fields) == {
        "Homepage": "https://example.invalid/rfc-bot",
        "Docs": "https://d.invalid",
    }


def test_without_a_checkout_the_installed_metadata_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(project, "CHECKOUT_PYPROJECT", tmp_path / "absent.toml")
    fake = {"Project-URL": "Homepage, https://example.invalid/fork"}

    class Meta:
        def get_all(self, name: str) -> list[str]:
            return [fake[name]]

    monkeypatch.setattr(metadata, "metadata", lambda name: Meta())
    project_url.cache_clear()
    try:
        assert project_url() == "https://example.invalid/fork"
    finally:
        project_url.cache_clear()


def test_no_home_anywhere_says_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(project, "CHECKOUT_PYPROJECT", tmp_path / "absent.toml")

    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "metadata", missing)
    project_url.cache_clear()
    try:
        with pytest.raises(LookupError, match=r"no Homepage in \[project.urls\]: reinstall it"):
            project_url()
    finally:
        project_url.cache_clear()
