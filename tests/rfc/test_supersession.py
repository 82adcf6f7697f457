"""Supersession across files: both ends checked on a directory, and the edit that records it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rfc.config.public import Config, load_config
from bot.rfc.document import parse
from bot.rfc.edits import index_entry, set_or_add_field, set_superseded_by
from bot.rfc.supersession import check_supersession
from bot.rfc.tree import collect_targets, lint_tree

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rfcs"
GOOD = (EXAMPLES / "0000-job-retries.md").read_text(encoding="utf-8")
AUTHORS = "**Author(s):** Priya Raman (@praman), Tomas Lindqvist (@tlindqvist)  \n"


def rfc(number: int, status: str = "Final", extra: str = "") -> tuple[str, str]:
    """(path, text) of a numbered RFC with ``extra`` metadata lines after Author(s)."""
    text = GOOD.replace("[Assigned when merged]", f"{number:04d}")
    text = text.replace("**Status:** Draft", f"**Status:** {status}")
    assert AUTHORS in text
    return f"rfcs/{number:04d}-x.md", text.replace(AUTHORS, AUTHORS + extra)


def findings(*files: tuple[str, str], config: Config | None = None) -> list[tuple[str, str, int]]:
    entries = [index_entry(path, parse(text)) for path, text in files]
    return [(d.path, d.rule, d.line) for d in check_supersession(entries, config or Config())]


def line_of(text: str, key: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"**{key}:"))


def test_both_ends_agree() -> None:
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0012  \n")
    new = rfc(12, "Final", "**Replaces:** RFC 0007  \n")
    assert findings(old, new) == []


def test_a_missing_successor() -> None:
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0099  \n")
    [(path, rule, line)] = findings(old, rfc(12))
    assert (path, rule, line) == (old[0], "supersession-target", line_of(old[1], "Superseded By"))


def test_a_deprecated_successor() -> None:
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0012  \n")
    new = rfc(12, "Deprecated", "**Replaces:** RFC 0007  \n")
    entries = [index_entry(path, parse(text)) for path, text in (old, new)]
    [finding] = check_supersession(entries, Config())
    assert (finding.rule, finding.path) == ("supersession-target", old[0])
    assert "RFC 12 (rfcs/0012-x.md) is Deprecated itself" in finding.message


def test_one_sided_links_are_reported_on_the_side_that_names_the_other() -> None:
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0012  \n")
    assert findings(old, rfc(12)) == [(old[0], "supersession-mismatch", 9)]
    new = rfc(12, "Final", "**Replaces:** RFC 0007, RFC 0099  \n")
    assert findings(rfc(7), new) == [
        (new[0], "supersession-mismatch", 9),
        (new[0], "supersession-target", 9),
    ]
    # A's successor is B, but B says it replaces C: both one-sided claims are reported.
    c = rfc(9, "Deprecated", "**Superseded By:** RFC 0012  \n")
    assert findings(old, rfc(12, "Final", "**Replaces:** RFC 0009  \n"), c) == [
        (old[0], "supersession-mismatch", 9),
    ]


def test_self_references_and_unnumbered_rfcs() -> None:
    itself = rfc(7, "Deprecated", "**Superseded By:** RFC 0007  \n**Replaces:** RFC 0007  \n")
    assert findings(itself) == []  # the per-file rule reports it once
    draft = ("rfcs/0000-new.md", rfc(12, "Draft", "**Replaces:** RFC 0007  \n")[1])
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0012  \n")
    assert findings(draft, old) == [
        (draft[0], "supersession-mismatch", 9),
        (old[0], "supersession-target", 9),
    ]


def test_severity_overrides_apply() -> None:
    old = rfc(7, "Deprecated", "**Superseded By:** RFC 0099  \n")
    off = load_config("rules:\n  supersession-target: off\n")
    assert findings(old, config=off) == []
    notice = load_config("rules:\n  supersession-target: notice\n")
    entries = [index_entry(*[old[0], parse(old[1])])]
    [finding] = check_supersession(entries, notice)
    assert finding.severity.value == "notice"


def test_lint_tree_adds_them_to_the_files_in_line_order(tmp_path: Path) -> None:
    directory = tmp_path / "rfcs"
    directory.mkdir()
    for path, text in (rfc(7, "Deprecated", "**Superseded By:** RFC 0012  \n"), rfc(12)):
        (tmp_path / path).write_text(text)
    reports = lint_tree(collect_targets([str(directory)], Config()), tmp_path, Config())
    [old, new] = reports
    assert [d.rule for d in old.diagnostics] == ["supersession-mismatch"]
    assert new.diagnostics == []
    # Given files alone, the other end may simply not have been given: nothing is claimed.
    alone = collect_targets([str(directory / "0007-x.md")], Config())
    assert lint_tree(alone, tmp_path, Config())[0].diagnostics == []


def test_set_superseded_by_adds_the_line_then_replaces_it() -> None:
    _, text = rfc(7, "Deprecated")
    added = set_superseded_by(text, 12, 4)
    assert AUTHORS + "**Superseded By:** RFC 0012  \n" in added
    assert parse(added).rfc_refs("Superseded By") == [12]
    again = set_superseded_by(added, 13, 4)
    assert again == added.replace("RFC 0012", "RFC 0013")
    with pytest.raises(ValueError, match="positive"):
        set_superseded_by(text, 0, 4)


def test_adding_a_field_keeps_the_block_a_block() -> None:
    text = "# T\n\n**Status:** Draft\n**Author(s):** @a\n\n## Overview\n"
    added = set_or_add_field(text, "Replaces", "RFC 0001")
    assert (
        added == "# T\n\n**Status:** Draft\n**Author(s):** @a  \n**Replaces:** RFC 0001  \n"
        "\n## Overview\n"
    )
    with pytest.raises(ValueError, match="no metadata block"):
        set_or_add_field("# T\n\n## Overview\n**Status:** Draft\n", "Replaces", "RFC 1")
    with pytest.raises(ValueError, match="one line"):
        set_or_add_field(text, "Replaces", "RFC 1\nRFC 2")
    no_newline = set_or_add_field("**Status:** Draft", "Replaces", "RFC 1")
    assert no_newline == "**Status:** Draft  \n**Replaces:** RFC 1  "


@pytest.mark.parametrize(
    ("value", "numbers"),
    [("RFC 0012", [12]), ("rfc-12, #7 , 0003", [12, 7, 3]), ("RFC twelve", None), ("", None)],
)
def test_rfc_refs(value: str, numbers: list[int] | None) -> None:
    doc = parse(f"# T\n\n**Replaces:** {value}\n")
    assert doc.rfc_refs("Replaces") == numbers
    assert doc.rfc_refs("Superseded By") == []
