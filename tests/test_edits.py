"""Pure text edits: metadata fields, new RFCs from the template, the RFC index."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rfc.edits import (
    INDEX_END,
    INDEX_START,
    IndexEntry,
    fill_template,
    index_is_current,
    render_index_table,
    set_field,
    set_number,
    set_status,
    set_title,
    update_index,
)

TEMPLATE = resources.files("bot.rfc").joinpath("template.md").read_text(encoding="utf-8")
HEAD = (
    "# Job retries\n\n"
    "**Status:** Draft  \n"
    "**RFC Number:** [Assigned when merged]  \n"
    "**Last Updated:** 2024-01-01  \n\n"
    "## Overview\n\n"
    "**Status:** not metadata\n"
)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_set_field_keeps_the_hard_break_and_everything_else() -> None:
    after = set_field(HEAD, "Status", "Proposed")
    assert changed_lines(HEAD, after) == [("**Status:** Draft  \n", "**Status:** Proposed  \n")]


def test_set_field_only_touches_the_metadata_block() -> None:
    text = "# T\n\n## Overview\n\n**Status:** Draft\n"
    with pytest.raises(ValueError, match=r"\*\*Status:\*\* is missing"):
        set_field(text, "Status", "Final")


def test_set_field_keeps_crlf() -> None:
    crlf = HEAD.replace("\n", "\r\n")
    after = set_field(crlf, "status", "Final")
    assert after == crlf.replace("**Status:** Draft  \r\n", "**Status:** Final  \r\n", 1)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**Status:** Draft", "**Status:** Final"),
        ("**Status:**Draft", "**Status:** Final"),
        ("**Status**: Draft  ", "**Status**: Final  "),
        ("- **Status:** Draft", "- **Status:** Final"),
        ("**Status:**  ", "**Status:** Final  "),
        ("**Status:**", "**Status:** Final"),
    ],
)
def test_set_field_spellings(line: str, expected: str) -> None:
    assert set_field(f"# T\n{line}\n", "Status", "Final") == f"# T\n{expected}\n"


def test_set_field_rejects_multi_line_values() -> None:
    with pytest.raises(ValueError, match="one line"):
        set_field(HEAD, "Status", "Draft\n## Injected")


def test_set_status_updates_last_updated() -> None:
    after = set_status(HEAD, "Proposed", date(2024, 5, 6))
    assert changed_lines(HEAD, after) == [
        ("**Status:** Draft  \n", "**Status:** Proposed  \n"),
        ("**Last Updated:** 2024-01-01  \n", "**Last Updated:** 2024-05-06  \n"),
    ]


def test_set_status_without_last_updated_still_sets_status() -> None:
    assert set_status("# T\n**Status:** Draft\n", "Final", date(2024, 1, 1)) == (
        "# T\n**Status:** Final\n"
    )


def test_set_number_pads() -> None:
    after = set_number(TEMPLATE, 42, 4)
    assert changed_lines(TEMPLATE, after) == [
        ("**RFC Number:** [Assigned when merged]  \n", "**RFC Number:** 0042  \n")
    ]
    with pytest.raises(ValueError, match="positive"):
        set_number(TEMPLATE, 0, 4)


def test_fill_template() -> None:
    text = fill_template(
        TEMPLATE,
        title="Job retries",
        status="Draft",
        today=date(2024, 5, 6),
        apps=["api", "shared"],
        authors=["Alice (@alice)"],
    )
    head = text.splitlines()[:8]
    assert head == [
        "# Job retries",
        "",
        "**Status:** Draft  ",
        "**Target Application(s):** api, shared  ",
        "**RFC Number:** [Assigned when merged]  ",
        "**Created:** 2024-05-06  ",
        "**Last Updated:** 2024-05-06  ",
        "**Author(s):** Alice (@alice)  ",
    ]
    assert text.splitlines()[8:] == TEMPLATE.splitlines()[8:]


def test_set_title_errors() -> None:
    with pytest.raises(ValueError, match="no '# Title'"):
        set_title("no heading\n", "T")
    with pytest.raises(ValueError, match="one non-empty line"):
        set_title(TEMPLATE, "  ")


LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS),
    max_size=30,
)


@given(value=values, crlf=st.booleans())
def test_set_field_changes_one_line_only(value: str, crlf: bool) -> None:
    text = TEMPLATE.replace("\n", "\r\n") if crlf else TEMPLATE
    after = set_field(text, "Author(s)", value)
    changes = changed_lines(text, after)
    assert len(changes) <= 1
    for _, new in changes:
        assert new.startswith("**Author(s):** ")
        assert new.endswith("  \r\n" if crlf else "  \n")
        assert value.strip() in new


# --- index ---------------------------------------------------------------------------------

ENTRIES = [
    IndexEntry(2, "rfcs/0002-b.md", "Beta | pipes", "Draft", ["api"], ["bob"], "2024-02-02"),
    IndexEntry(1, "rfcs/0001-a.md", "Alpha [v2]", "Final", ["api", "shared"], ["a", "c"], "x"),
    IndexEntry(0, "rfcs/0000-wip.md", "Unnumbered", "Draft", [], [], ""),
]


def test_render_index_table() -> None:
    assert render_index_table(ENTRIES).splitlines() == [
        "| RFC | Title | Status | Target Application(s) | Author(s) | Last Updated |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 0001 | [Alpha \\[v2\\]](0001-a.md) | Final | api, shared | @a, @c | x |",
        "| 0002 | [Beta \\| pipes](0002-b.md) | Draft | api | @bob | 2024-02-02 |",
    ]


def test_render_index_table_repo_relative_links_and_ties() -> None:
    entries = [
        IndexEntry(7, "rfcs/007-z.md", "Z", "Draft"),
        IndexEntry(7, "rfcs/007-a.md", "A", "Draft"),
    ]
    rows = render_index_table(entries, rfc_dir_relative_links=False).splitlines()[2:]
    assert rows == [
        "| 007 | [A](rfcs/007-a.md) | Draft |  |  |  |",
        "| 007 | [Z](rfcs/007-z.md) | Draft |  |  |  |",
    ]


def test_update_index_creates_a_file() -> None:
    text = update_index(None, ENTRIES)
    assert text.startswith("# RFCs\n\n")
    assert f"{INDEX_START}\n| RFC |" in text
    assert text.endswith(f"{INDEX_END}\n")
    assert index_is_current(text, ENTRIES)
    assert not index_is_current(text, ENTRIES[1:])
    assert not index_is_current(None, ENTRIES)


def test_update_index_keeps_surrounding_text_byte_for_byte() -> None:
    before = (
        f"# Our RFCs\r\n\r\nIntro.\r\n\r\n{INDEX_START}\r\nstale\r\n{INDEX_END}\r\n\r\nFooter  \r\n"
    )
    after = update_index(before, ENTRIES)
    assert after.startswith("# Our RFCs\r\n\r\nIntro.\r\n\r\n" + INDEX_START + "\r\n| RFC |")
    assert after.endswith(f"|\r\n{INDEX_END}\r\n\r\nFooter  \r\n")
    assert "stale" not in after
    assert "\n" not in after.replace("\r\n", "")
    assert update_index(after, ENTRIES) == after


@pytest.mark.parametrize("existing", ["# Mine\n", "# Mine", "# Mine\n\n", ""])
def test_update_index_appends_when_there_are_no_markers(existing: str) -> None:
    after = update_index(existing, ENTRIES)
    assert after.startswith(existing)
    block = after[len(existing) :]
    assert block.lstrip("\n").startswith(INDEX_START)
    if existing.strip():
        assert after.count("\n\n" + INDEX_START) == 1
    assert index_is_current(after, ENTRIES)


@pytest.mark.parametrize(
    "broken",
    [
        f"{INDEX_START}\nno end\n",
        f"{INDEX_END}\n{INDEX_START}\n",
        f"x\n{INDEX_END}\n",
        f"{INDEX_START}\n{INDEX_END}\n{INDEX_START}\n{INDEX_END}\n",
    ],
)
def test_update_index_refuses_broken_markers(broken: str) -> None:
    with pytest.raises(ValueError, match="rfc-index"):
        update_index(broken, ENTRIES)
    assert not index_is_current(broken, ENTRIES)


titles = st.text(min_size=1, max_size=20).filter(lambda t: t.strip())


@given(st.lists(st.tuples(st.integers(0, 9999), titles), max_size=8), st.text(max_size=40))
def test_update_index_is_idempotent_and_keeps_prefix(
    rows: list[tuple[int, str]], prefix: str
) -> None:
    if INDEX_START in prefix or INDEX_END in prefix:
        return
    entries = [IndexEntry(n, f"rfcs/{n:04d}-x.md", title, "Draft") for n, title in rows]
    once = update_index(prefix, entries)
    assert once.startswith(prefix)
    assert update_index(once, entries) == once
    table = once[once.index(INDEX_START) : once.index(INDEX_END)]
    assert len(table.splitlines()) == 3 + sum(1 for n, _ in rows if n > 0)


def test_set_field_looks_past_fenced_code() -> None:
    text = "# T\n\n```md\n## Not a section\n**Status:** Final\n```\n\n**Status:** Draft\n"
    after = set_field(text, "Status", "Proposed")
    assert after == text.replace("**Status:** Draft", "**Status:** Proposed")


def test_set_field_fence_closes_only_on_a_matching_marker() -> None:
    text = "# T\n\n~~~\n```\n**Status:** Final\n~~~\n**Status:** Draft\n"
    assert set_field(text, "Status", "Proposed").endswith("**Status:** Proposed\n")
