"""`rfc-bot index`: creating, checking and updating the RFC index."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.rfc.edits import INDEX_END, INDEX_START
from tests.cli.helpers import error_line, rfc, write


def test_index_creates_checks_and_updates(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            "rfcs/0002-b.md": rfc("Beta"),
            "rfcs/0001-a.md": rfc("Alpha"),
            "rfcs/0000-draft.md": rfc("Unnumbered"),
        },
    )
    assert main(["index", "--check"]) == 1
    assert capsys.readouterr().out == ("rfcs/README.md does not exist; run `rfc-bot index rfcs`\n")
    assert main(["index"]) == 0
    assert capsys.readouterr().out == "created rfcs/README.md\n"
    text = (project / "rfcs/README.md").read_text()
    assert "| 0001 | [Alpha](0001-a.md) | Draft | api | @alice | 2024-01-01 |" in text
    assert "Unnumbered" not in text
    assert main(["index", "--check"]) == 0
    assert capsys.readouterr().out == "rfcs/README.md is up to date\n"
    write(project, {"rfcs/0001-a.md": rfc("Alpha", status="Final")})
    assert main(["index", "rfcs", "--check"]) == 1
    assert capsys.readouterr().out == "rfcs/README.md is out of date; run `rfc-bot index rfcs`\n"
    assert (project / "rfcs/README.md").read_text() == text  # --check never writes


def test_index_check_tells_a_file_without_an_index_from_a_stale_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A README with prose and no markers yet: `index` would append the table, so --check
    fails, and says what is wrong rather than calling an index that never existed stale."""
    write(project, {"rfcs/0001-a.md": rfc("Alpha"), "rfcs/README.md": "# Our RFCs\n"})
    assert main(["index", "--check"]) == 1
    assert capsys.readouterr().out == (
        "rfcs/README.md has no index (no `<!-- rfc-index:start -->` marker); "
        "run `rfc-bot index rfcs`\n"
    )
    assert (project / "rfcs/README.md").read_text() == "# Our RFCs\n"


def test_index_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "nowhere"]) == 2
    assert capsys.readouterr().err == "rfc-bot: error: no such directory: nowhere\n"
    write(project, {"rfcs/README.md": f"{INDEX_START}\nno end marker\n"})
    assert main(["index"]) == 2
    assert "broken" in capsys.readouterr().err


def test_index_skips_files_that_are_not_text(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"rfcs/0001-a.md": rfc("Alpha")})
    (project / "rfcs/0002-b.md").write_bytes(b"\xff\xfe binary")
    assert main(["index"]) == 0
    text = (project / "rfcs/README.md").read_text()
    assert "[Alpha](0001-a.md)" in text
    assert "0002-b.md" not in text
    assert INDEX_START in text
    assert INDEX_END in text


def test_index_that_cannot_be_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"rfcs/0001-a.md": rfc("Alpha")})
    (project / "rfcs/README.md").mkdir()
    assert main(["index"]) == 2
    assert error_line(capsys).startswith("cannot write rfcs/README.md: ")


def test_check_create_missing_creates_only_a_missing_index(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pre-commit hook's mode: drafts only and no index yet (day one) creates it, exit 1
    so that the commit stops to take the file; a stale index is only reported."""
    write(project, {"rfcs/0000-draft.md": rfc("Draft")})
    assert main(["index", "--check", "--create-missing"]) == 1
    assert capsys.readouterr().out == (
        "created rfcs/README.md, which was missing: add it to the commit\n"
    )
    created = (project / "rfcs/README.md").read_text()
    assert INDEX_START in created and "Draft" not in created
    assert main(["index", "--check", "--create-missing"]) == 0
    assert capsys.readouterr().out == "rfcs/README.md is up to date\n"
    write(project, {"rfcs/0001-a.md": rfc("Alpha")})
    assert main(["index", "--check", "--create-missing"]) == 1
    assert capsys.readouterr().out == "rfcs/README.md is out of date; run `rfc-bot index rfcs`\n"
    assert (project / "rfcs/README.md").read_text() == created  # a stale index: never written
