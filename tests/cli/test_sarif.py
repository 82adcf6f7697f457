"""SARIF 2.1.0 exactly: the official schema with format checking, percent-encoded URIs,
code-point columns, a helpUri per rule that lands on the rule's entry in docs/rules.md."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from bot.cli import main
from bot.project import project_url, rules_doc_url
from bot.rfc.diagnostics import Diagnostic, Severity
from bot.rfc.report import FileReport, render, sarif_log, sarif_uri
from bot.rfc.rules import RULES
from tests.cli.helpers import rfc, write
from tests.sarif_schema import SCHEMA_PATH, SCHEMA_SHA256, assert_valid_sarif, sarif_errors

ROOT = Path(__file__).resolve().parents[2]
ODD_NAMES = ["0000-Bad Name.md", "100%.md", "café.md", "c#.md", "what?.md", "c:d.md"]


def _one(path: str, line: str = "**Author(s):** José") -> dict[str, object]:
    diagnostic = Diagnostic("authors", Severity.ERROR, path, 1, 16, 1, 19, "no login", "")
    log = sarif_log([FileReport(path, [diagnostic], [line])])
    return log


def _with_uri(uri: str) -> dict[str, object]:
    log = _one("rfcs/x.md")
    _location(log)["artifactLocation"] = {"uri": uri}
    return log


def _location(log: dict[str, object]) -> dict[str, object]:
    result = log["runs"][0]["results"][0]  # type: ignore[index]
    return result["locations"][0]["physicalLocation"]  # type: ignore[no-any-return]


def test_the_vendored_schema_is_the_official_one_unmodified() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert (SCHEMA_PATH.parent / "LICENSE.md").read_text().count("OASIS") > 3


def test_format_checking_is_on() -> None:
    """The check can fail: a raw space in a uri, or a helpUri that is not absolute, is caught
    by the formats alone (the schema's types accept any string)."""
    log = _one("rfcs/x.md")
    _location(log)["artifactLocation"] = {"uri": "rfcs/0000-Bad Name.md"}
    assert any("uri-reference" in error for error in sarif_errors(log))
    log = _one("rfcs/x.md")
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules.md#x"  # type: ignore[index]
    assert any("'uri'" in error for error in sarif_errors(log))


@pytest.mark.parametrize("name", ODD_NAMES)
def test_uris_are_percent_encoded(name: str) -> None:
    log = _one(f"rfcs/{name}")
    assert_valid_sarif(log)
    uri = _location(log)["artifactLocation"]["uri"]  # type: ignore[index]
    assert unquote(uri) == f"rfcs/{name}"
    parts = urlsplit(uri)
    assert (parts.scheme, parts.query, parts.fragment) == ("", "", "")


def test_encoded_uris_exactly() -> None:
    assert [sarif_uri(f"rfcs/{name}") for name in ODD_NAMES] == [
        "rfcs/0000-Bad%20Name.md",
        "rfcs/100%25.md",
        "rfcs/caf%C3%A9.md",
        "rfcs/c%23.md",
        "rfcs/what%3F.md",
        "rfcs/c%3Ad.md",
    ]


@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
@example("a/../b c")
@example("%2F")
def test_any_path_becomes_a_uri_reference_that_decodes_to_it(path: str) -> None:
    uri = sarif_uri(path)
    assert unquote(uri) == path
    parts = urlsplit(uri)
    assert (parts.scheme, parts.query, parts.fragment) == ("", "", "")
    assert re.fullmatch(r"[A-Za-z0-9\-._~/%]*", uri)
    assert_valid_sarif(_with_uri(uri))


def test_a_file_name_that_is_not_utf8_keeps_its_bytes() -> None:
    assert sarif_uri("rfcs/caf\udce9.md") == "rfcs/caf%E9.md"  # b"caf\xe9.md", Latin-1
    assert sarif_uri("rfcs/\ud800.md") == "rfcs/%3F.md"  # no file system gives this


def test_columns_are_unicode_code_points() -> None:
    log = _one("rfcs/x.md")
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"  # type: ignore[index]
    # "**Author(s):** José": the name is columns 16-19 in code points (20 in UTF-8 bytes).
    assert _location(log)["region"] == {
        "startLine": 1,
        "startColumn": 16,
        "endLine": 1,
        "endColumn": 20,
    }


def test_the_engine_counts_columns_in_code_points(project: Path) -> None:
    """The columnKind claim holds for real findings: a value after a non-ASCII key."""
    from bot.rfc.config.public import Config
    from bot.rfc.lint import lint

    text = rfc("T").replace("**Author(s):** @alice", "**Author(s):** Zoë Ünal (@zoë)")
    found = [d for d in lint("rfcs/0000-t.md", text, Config()).diagnostics if d.rule == "authors"]
    line = text.splitlines()[found[0].line - 1]
    assert line[found[0].column - 1 : found[0].end_column] == "@zoë"


def test_every_rule_has_a_help_uri_to_its_doc_entry() -> None:
    rules = sarif_log([])["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    headings = set(re.findall(r"^### (\S+)$", (ROOT / "docs/rules.md").read_text(), re.M))
    assert len(rules) == len(RULES)
    for rule in rules:
        assert rule["helpUri"] == f"{rules_doc_url()}#{rule['id']}"
        assert rule["id"] in headings  # GitHub's anchor of "### rule-id" is "#rule-id"


def test_project_url_is_the_apps_homepage() -> None:
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    assert manifest["url"] == project_url()
    assert rules_doc_url().startswith(project_url() + "/")


def test_cli_sarif_for_odd_file_names_is_valid(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real command on real files whose names need encoding, every rule and result
    checked against the official schema."""
    write(project, {f"rfcs/{name}": rfc("T", status="Drafty") for name in ODD_NAMES})
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    assert main(["lint", "--format", "sarif", "rfcs"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid_sarif(log)
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
    }
    assert {unquote(uri) for uri in uris} == {f"rfcs/{name}" for name in ODD_NAMES}
    assert "rfcs/c%23.md" in uris


def test_rendered_sarif_is_sarif_log_as_json() -> None:
    reports = [FileReport("rfcs/c#.md", [], [])]
    assert json.loads(render(reports, "sarif")) == sarif_log(reports)
