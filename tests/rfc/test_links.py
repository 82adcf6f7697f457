"""Link destinations by exact offsets, and rewriting the relative links to renamed files: a
rewritten document differs from the original only in those destinations, and rewriting twice
changes nothing more."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.rfc.links import destinations, rewrite_links, rewrite_urls, target

RENAMES = {"rfcs/0000-job-retries.md": "rfcs/0042-job-retries.md"}


def test_every_form_of_link_is_rewritten_and_nothing_else() -> None:
    text = (
        "# Jobs\r\n\r\n"
        "See [a](0000-job-retries.md) and `[b](0000-job-retries.md)`, "
        '[c](<./0000-job-retries.md#goals> "t").\r\n'
        "> quoted [q](0000-job-retries.md?plain=1)\r\n\r\n"
        "| a | b |\r\n|---|---|\r\n"
        "| [x](0000-job-retries.md) | [y](0000-job-retries.md) |\r\n\r\n"
        "[ref]: ./0000-job-retries.md\r\n"
        "[ref2]:\r\n  0000-job-retries.md 'title'\r\n\r\n"
        "    [code](0000-job-retries.md)\r\n\r\n"
        "- item [i](0000-job-retries.md)  \r\n  ![img](0000-job-retries.md)\r\n"
        "<!-- [h](0000-job-retries.md) -->\r\n"
        "\\[not](0000-job-retries.md)\r\n"
    )
    rewritten = rewrite_links(text, "rfcs/0000-job-retries.md", RENAMES)
    assert rewritten == (
        text.replace("[a](0000-", "[a](0042-")
        .replace("<./0000-", "<./0042-")
        .replace("[q](0000-", "[q](0042-")
        .replace("[x](0000-", "[x](0042-")
        .replace("[y](0000-", "[y](0042-")
        .replace("[ref]: ./0000-", "[ref]: ./0042-")
        .replace("  0000-job-retries.md 'title'", "  0042-job-retries.md 'title'")
        .replace("[i](0000-", "[i](0042-")
        .replace("[img](0000-", "[img](0042-")
    )
    assert "`[b](0000-job-retries.md)`" in rewritten  # code
    assert "    [code](0000-job-retries.md)" in rewritten
    assert "<!-- [h](0000-job-retries.md) -->" in rewritten
    assert "\\[not](0000-job-retries.md)" in rewritten  # escaped: no link


@pytest.mark.parametrize(
    ("doc_path", "link", "rewritten"),
    [
        ("docs/guide.md", "../rfcs/0000-job-retries.md#x", "../rfcs/0042-job-retries.md#x"),
        ("docs/deep/a.md", "../../rfcs/0000-job-retries.md", "../../rfcs/0042-job-retries.md"),
        ("README.md", "rfcs/0000-job-retries.md", "rfcs/0042-job-retries.md"),
        ("docs/guide.md", "/rfcs/0000-job-retries.md", "/rfcs/0042-job-retries.md"),
        ("rfcs/README.md", "0000%2Djob-retries.md", "0042-job-retries.md"),
        ("docs/guide.md", "0000-job-retries.md", None),  # docs/0000-job-retries.md: no RFC
        ("docs/guide.md", "../../rfcs/0000-job-retries.md", None),  # out of the repository
        ("docs/guide.md", "https://example.org/rfcs/0000-job-retries.md", None),
    ],
)
def test_links_resolve_from_their_files_folder(
    doc_path: str, link: str, rewritten: str | None
) -> None:
    text = f"Read [it]({link}).\n"
    expected = text if rewritten is None else f"Read [it]({rewritten}).\n"
    assert rewrite_links(text, doc_path, RENAMES) == expected


def test_positions_name_line_and_column() -> None:
    text = "one\r\n\r\n> [a](x.md)\n\n[r]: <y z.md>\n"
    found = destinations(text)
    assert [(d.raw, d.line, d.column) for d in found] == [("x.md", 3, 7), ("<y z.md>", 5, 6)]
    assert all(text[d.start : d.end] == d.raw for d in found)


def test_targets() -> None:
    assert target("#top", "rfcs/a.md") is None
    assert target("mailto:x@example.org", "rfcs/a.md") is None
    assert target("//cdn.example.org/x.md", "rfcs/a.md") is None
    found = target("<./b.md#s>", "rfcs/a.md")
    assert found is not None and (found.path, found.rest) == ("rfcs/b.md", "#s")


def test_urls_are_rewritten_by_a_function() -> None:
    body = "[Rendered](https://h/o/r/blob/x/rfcs/0000-a.md)\nSee `[c](https://h/o/r/blob/x/rfcs/0000-a.md)`"
    new = rewrite_urls(
        body, lambda raw: "https://h/o/r/blob/main/rfcs/0001-a.md" if "0000" in raw else None
    )
    assert new.splitlines()[0] == "[Rendered](https://h/o/r/blob/main/rfcs/0001-a.md)"
    assert new.splitlines()[1] == body.splitlines()[1]


# --- properties ------------------------------------------------------------------------------

_NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
_TARGETS = st.sampled_from(
    [
        "0000-job-retries.md",
        "./0000-job-retries.md#goals",
        "<0000-job-retries.md>",
        "../rfcs/0000-job-retries.md",
        "0041-other.md",
        "https://example.org/0000-job-retries.md",
    ]
)
_PIECES = st.one_of(
    st.builds(lambda t: f"[x]({t})", _TARGETS),
    st.builds(lambda t: f"![x]({t})", _TARGETS),
    st.builds(lambda t: f"`[x]({t})`", _TARGETS),
    st.builds(lambda t, n: f"{n}[r]: {t}{n}", _TARGETS, _NEWLINES),
    st.builds(lambda t, n: f"{n}    [c]({t}){n}", _TARGETS, _NEWLINES),
    st.builds(lambda t, n: f"{n}> [q]({t}){n}", _TARGETS, _NEWLINES),
    st.builds(lambda t, n: f"{n}| [t]({t}) | a |{n}|---|---|{n}", _TARGETS, _NEWLINES),
    st.builds(lambda n: f"{n}```{n}[f](0000-job-retries.md){n}```{n}", _NEWLINES),
    st.sampled_from(["text ", "[", "]", "(", ")", "\\", "*", "<!-- ", " -->", "\t", "  "]),
    _NEWLINES,
)
_DOCUMENTS = st.lists(_PIECES, max_size=30).map("".join)


def _between(text: str) -> list[str]:
    """The text outside every destination."""
    parts, at = [], 0
    for found in destinations(text):
        parts.append(text[at : found.start])
        at = found.end
    return [*parts, text[at:]]


@given(_DOCUMENTS)
@example("[r]:\n  0000-job-retries.md\n")
@example("| [t](0000-job-retries.md) | [t](0000-job-retries.md) |\n|---|---|\n")
def test_a_rewrite_changes_destinations_only_and_is_idempotent(text: str) -> None:
    rewritten = rewrite_links(text, "rfcs/0000-job-retries.md", RENAMES)
    assert _between(rewritten) == _between(text)
    assert rewrite_links(rewritten, "rfcs/0000-job-retries.md", RENAMES) == rewritten
    for found in destinations(rewritten):
        resolved = target(found.raw, "rfcs/0000-job-retries.md")
        assert resolved is None or resolved.path not in RENAMES


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    for found in destinations(text):
        assert text[found.start : found.end] == found.raw
    rewrite_links(text, "rfcs/a.md", {"rfcs/a.md": "rfcs/0001-a.md"})
