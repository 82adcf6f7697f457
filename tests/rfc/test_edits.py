"""Pure text edits: metadata fields, new RFCs from the template, the RFC index."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.rfc.edits import (
    INDEX_END,
    INDEX_START,
    IndexEntry,
    fill_template,
    index_is_current,
    index_start_line,
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


def marker_lines(text: str) -> list[tuple[int, str]]:
    """(line number, marker) for each line that is an index marker alone: the lines that count."""
    lines = re.split(r"\r\n|\r|\n", text)
    return [
        (number, line.strip(" \t"))
        for number, line in enumerate(lines)
        if line.strip(" \t") in (INDEX_START, INDEX_END)
    ]


titles = st.text(min_size=1, max_size=20).filter(lambda t: t.strip())
# Text that tries to reach outside its cell: markers, comments, pipes, breaks, link syntax.
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *(INDEX_START, INDEX_END, "<!--", "-->", "<b>", "&lt;"),
                *("|", "\\", "\\|", "[", "]", "(", ")", "`", " "),
                *("\n", "\r", "\r\n", "\u2028", "\x0c"),
            ]
        ),
        st.text(max_size=5),
    ),
    max_size=12,
).map("".join)
PREFIXES = st.lists(
    st.one_of(
        st.sampled_from(["\n", "\r", "\r\n", " ", "\t", "\x0c", "# RFCs", "```"]),
        st.sampled_from([f"x {INDEX_START}", f"{INDEX_END} y"]),  # not alone on their line
        st.text(max_size=8),
    ),
    max_size=10,
).map("".join)


@given(st.lists(st.tuples(st.integers(0, 9999), titles), max_size=8), st.text(max_size=40))
@example([], "0\r")  # a CR at the end met the appended LF: CRLF next run, block rewritten
@example([], "\x0c")  # a form feed is whitespace to str.strip, yet does not end a line
@example([], "  ")  # the marker line then starts with spaces: kept, not swallowed
def test_update_index_is_idempotent_and_keeps_prefix(
    rows: list[tuple[int, str]], prefix: str
) -> None:
    entries = [IndexEntry(n, f"rfcs/{n:04d}-x.md", title, "Draft") for n, title in rows]
    if marker_lines(prefix):
        with pytest.raises(ValueError, match="rfc-index"):
            update_index(prefix, entries)
        return
    once = update_index(prefix, entries)
    assert once.startswith(prefix)
    assert update_index(once, entries) == once
    [(start, _), (end, _)] = marker_lines(once)
    assert end - start - 1 == 2 + sum(1 for n, _ in rows if n > 0)


TABLE_PARSER = MarkdownIt("commonmark").enable("table")


@given(
    st.lists(
        st.builds(
            IndexEntry,
            number=st.integers(1, 99),
            path=HOSTILE.map(lambda slug: f"rfcs/0001-{slug}.md"),
            title=HOSTILE,
            status=HOSTILE,
            target_apps=st.lists(HOSTILE, max_size=2),
            authors=st.lists(HOSTILE, max_size=2),
            last_updated=HOSTILE,
        ),
        max_size=4,
    ),
    PREFIXES,
    st.sampled_from(["", "\n", "\r\n## After\r\n", "\n\nfooter\n"]),
)
def test_the_index_cannot_be_steered_by_content(
    entries: list[IndexEntry], prefix: str, suffix: str
) -> None:
    """Whatever the RFCs hold, regenerating twice writes the same text, the two markers are the
    only marker lines, and between them is one table of one row per RFC, six cells each,
    with no HTML in it."""
    existing = prefix + suffix
    if marker_lines(existing):  # a person's duplicate marker: refused (tested above)
        return
    once = update_index(existing, entries)
    assert update_index(once, entries) == once
    assert update_index(update_index(once, entries[::-1]), entries) == once
    [(start, first), (end, last)] = marker_lines(once)
    assert (first, last) == (INDEX_START, INDEX_END)
    table = re.split(r"\r\n|\r|\n", once)[start + 1 : end]
    assert len(table) == 2 + len(entries)
    assert all(line.startswith("| ") and "<" not in line for line in table)
    tokens = TABLE_PARSER.parse("\n".join(table))
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type in ("th_open", "td_open")]
    assert (len(rows), len(cells)) == (1 + len(entries), 6 * (1 + len(entries)))
    inline = [child for t in tokens if t.children for child in t.children]
    assert not [t for t in tokens + inline if t.type.startswith("html")]


@pytest.mark.parametrize(
    "title",
    [
        f"Sneaky {INDEX_END}",
        f"Two lines\n{INDEX_END}\nand more",
        "<!-- an open comment",
        "a | b | c",
        "<script>alert(1)</script>",
    ],
)
def test_a_hostile_title_is_written_inert_and_later_merges_still_update(title: str) -> None:
    index = update_index(None, [IndexEntry(1, "rfcs/0001-a.md", title, "Draft")])
    assert "<" not in index.split(INDEX_START)[1].split(INDEX_END)[0]
    later = [
        IndexEntry(1, "rfcs/0001-a.md", title, "Final"),
        IndexEntry(2, "rfcs/0002-b.md", "B", "Draft"),
    ]
    updated = update_index(index, later)
    assert "| Final |" in updated and "[B](0002-b.md)" in updated
    assert index_is_current(updated, later)


def test_an_index_written_before_escaping_heals() -> None:
    """An older index whose row holds the end marker inline: that marker does not count."""
    stale = f"# RFCs\n\n{INDEX_START}\n| 0001 | [Evil {INDEX_END}](0001-a.md) |\n{INDEX_END}\n"
    updated = update_index(stale, [IndexEntry(1, "rfcs/0001-a.md", f"Evil {INDEX_END}", "Draft")])
    assert updated.endswith(
        f"| 0001 | [Evil &lt;!-- rfc-index:end -->](0001-a.md) | Draft |  |  |  |\n{INDEX_END}\n"
    )


def test_markers_mentioned_in_prose_are_not_markers() -> None:
    prose = f"# RFCs\n\nThe table sits between `{INDEX_START}` and `{INDEX_END}`.\n"
    once = update_index(prose, ENTRIES)
    assert once.startswith(prose + "\n" + INDEX_START + "\n")
    assert update_index(once, ENTRIES) == once


def test_index_start_line_is_the_marker_that_counts() -> None:
    text = f"# RFCs\r\nsee `{INDEX_START}`\r\n\r\n  {INDEX_START}\n{INDEX_END}\n"
    assert index_start_line(text) == 4
    assert index_start_line(f"\r{INDEX_START}") == 2
    assert index_start_line(f"inline {INDEX_START}") is None


def test_text_outside_the_markers_is_kept_even_on_their_lines() -> None:
    """Only what lies from the start marker to the end marker is regenerated."""
    existing = f"  {INDEX_START}\nstale\n\t{INDEX_END}  \nafter\n"
    updated = update_index(existing, ENTRIES)
    assert updated.startswith(f"  {INDEX_START}\n| RFC |")
    assert updated.endswith(f"|\n{INDEX_END}  \nafter\n")
    assert update_index(updated, ENTRIES) == updated


def test_hostile_file_names_stay_inside_the_link() -> None:
    entry = IndexEntry(3, "rfcs/0003-a b)(<x>|\n.md", "T", "Draft")
    [row] = render_index_table([entry]).splitlines()[2:]
    assert row == "| 0003 | [T](0003-a%20b%29%28%3Cx%3E%7C%0A.md) | Draft |  |  |  |"


def test_set_field_looks_past_fenced_code() -> None:
    text = "# T\n\n```md\n## Not a section\n**Status:** Final\n```\n\n**Status:** Draft\n"
    after = set_field(text, "Status", "Proposed")
    assert after == text.replace("**Status:** Draft", "**Status:** Proposed")


def test_set_field_fence_closes_only_on_a_matching_marker() -> None:
    text = "# T\n\n~~~\n```\n**Status:** Final\n~~~\n**Status:** Draft\n"
    assert set_field(text, "Status", "Proposed").endswith("**Status:** Proposed\n")
