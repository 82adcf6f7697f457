"""`rfc-bot config --effective`: the config with what it extends merged in, each value with the
file and line it came from; from local copies, or read through GitHub's API (the simulator);
and `rfc-bot config --check` on a file that extends another."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.rfc.config.public import CONFIG_PATH, Config, load_config
from sandbox.simulator import Simulator
from tests.cli.helpers import error_line, write

ORG = "octo-org/.github:.github/rfc-bot.yml"
MINE = "_extends: .github\nrfc_dir: docs/rfcs\ndecisions:\n  Proposed -> Final: {approvals: 3}\n"
ORG_TEXT = "target_apps: [web]\ndecisions:\n  Proposed -> Final:\n    approvers: [octo-org/arch]\n"


def test_effective_from_a_copy_names_each_values_origin(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {CONFIG_PATH: MINE, "org.yml": ORG_TEXT})
    code = main(["config", "--effective", "--repo", "octo-org/rfcs", "--extends-from", "org.yml"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        f"# The effective configuration of octo-org/rfcs: `{CONFIG_PATH}` extends "
        f"`org.yml (for {ORG})`."
    )
    assert f"rfc_dir: docs/rfcs  # {CONFIG_PATH}:2" in lines
    assert "target_apps: [web]  # org.yml:1" in lines
    assert f"    approvals: 3  # {CONFIG_PATH}:4" in lines
    assert "    approvers: [octo-org/arch]  # org.yml:4" in lines
    assert "number_width: 4  # default" in lines
    config = load_config(out)
    assert (config.rfc_dir, config.target_apps) == ("docs/rfcs", ("web",))


def test_effective_without_extends_is_the_file_with_origins(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--effective"]) == 0
    assert load_config(capsys.readouterr().out) == Config()
    write(project, {"custom.yml": "number_width: 3\n"})
    assert main(["config", "--effective", "custom.yml"]) == 0
    assert "number_width: 3  # custom.yml:1" in capsys.readouterr().out


def test_extends_needs_the_repository_it_belongs_to(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {CONFIG_PATH: MINE})
    assert main(["config", "--effective"]) == 2
    assert "name the repository it belongs to with --repo OWNER/NAME" in error_line(capsys)
    assert main(["config", "--effective", "--repo", "octo-org"]) == 2
    assert "write OWNER/NAME" in error_line(capsys)
    assert main(["config", "--check", "--repo", "octo-org/rfcs"]) == 2
    assert error_line(capsys) == "--repo and --extends-from go with --effective"


def test_problems_are_told_in_their_file_and_what_can_apply_does(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {CONFIG_PATH: MINE, "org.yml": "numbering: sometimes\n_extends: other/x\n"})
    code = main(["config", "--effective", "--repo", "octo-org/rfcs", "--extends-from", "org.yml"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == [
        "rfc-bot: org.yml:2: _extends: other/x:.github/rfc-bot.yml: not followed: it belongs "
        "to another account than octo-org; if other is trusted, list it in _extends_owners in "
        "octo-org's config",
        "rfc-bot: org.yml:1: numbering: 'sometimes' is not one of: sequential, pull-request",
    ]
    assert out.splitlines()[0].endswith(f": `{CONFIG_PATH}`.")  # org.yml left out
    assert load_config(out).rfc_dir == "docs/rfcs"


def test_a_chain_longer_than_the_copies_says_what_is_missing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {CONFIG_PATH: MINE, "org.yml": "_extends: policy\n"})
    code = main(["config", "--effective", "--repo", "octo-org/rfcs", "--extends-from", "org.yml"])
    assert code == 1
    assert capsys.readouterr().err == (
        "rfc-bot: org.yml:1: _extends: octo-org/policy:.github/rfc-bot.yml: not read: give a "
        "copy of it with another --extends-from PATH\n"
    )


def test_a_copy_that_is_not_yaml_is_told(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {CONFIG_PATH: MINE, "org.yml": "target_apps: [web\n"})
    code = main(["config", "--effective", "--repo", "o/r", "--extends-from", "org.yml"])
    assert code == 1
    assert capsys.readouterr().err.startswith("rfc-bot: org.yml:2: invalid YAML")


def test_check_knows_extends(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {CONFIG_PATH: MINE})
    assert main(["config", "--check"]) == 0
    assert capsys.readouterr().out == (
        f"{CONFIG_PATH}: ok; it extends '.github', merged in by "
        "`rfc-bot config --effective --repo OWNER/NAME`\n"
    )
    write(project, {CONFIG_PATH: "_extends: a/b/c\n_extends_owners: [ok, -no]\n"})
    assert main(["config", "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"rfc-bot: {CONFIG_PATH}:1: _extends: 'a/b' is not a GitHub account name "
        "(write .github, REPO, OWNER/REPO or OWNER/REPO:PATH.yml)",
        f"rfc-bot: {CONFIG_PATH}:2: _extends_owners: string '-no' is not a GitHub account name",
    ]


async def test_effective_reads_the_extended_files_through_the_api(
    sim: Simulator,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = sim.create_repo("octo-org/rfcs", {"README.md": "x\n"})
    sim.create_repo("octo-org/.github", {CONFIG_PATH: "_extends: policy\nnumber_width: 3\n"})
    sim.create_repo("octo-org/policy", {CONFIG_PATH: ORG_TEXT}, private=True, installed=False)
    token, _ = sim.issue_token(repo.installation_id)
    monkeypatch.setenv("GITHUB_API_URL", sim.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", token)
    write(project, {CONFIG_PATH: MINE})
    command = ["config", "--effective", "--repo", "octo-org/rfcs"]
    code = await asyncio.to_thread(main, command)
    out, err = capsys.readouterr()
    assert code == 1
    assert f"number_width: 3  # {ORG}:2" in out.splitlines()
    assert err == (
        f"rfc-bot: {ORG}:1: _extends: octo-org/policy:.github/rfc-bot.yml: not found: no such "
        "file on that repository's default branch, or a repository this App's installation "
        "cannot read (install the App on it too)\n"
    )

    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens there
    assert await asyncio.to_thread(main, command) == 2
    assert error_line(capsys).startswith("cannot read the extended files at http://127.0.0.1:9")


def test_a_local_file_that_is_not_yaml_shows_its_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {CONFIG_PATH: "rfc_dir: [\n"})
    assert main(["config", "--effective"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"rfc-bot: {CONFIG_PATH}:2: invalid YAML")
    assert err[1] == f"rfc-bot: error: {CONFIG_PATH} cannot be read as YAML"
