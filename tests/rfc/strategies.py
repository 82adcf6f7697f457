"""Hypothesis strategies for RFC text, shared by the property tests and the linear-time tests."""

from __future__ import annotations

from hypothesis import strategies as st

# Markdown-ish fragments so the generator reaches headings, tables, metadata and prompts.
FRAGMENTS = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "#### ",
        "**Status:** ",
        "**Created:** ",
        "**RFC Number:** ",
        "**Author(s):** @",
        "| a | b |\n|---|---|\n",
        "- [ ] ",
        "- ",
        "[Phase Name]",
        "[x](y)",
        "```\n",
        "\n",
        "\r\n",
        "\r",
        "2024-02-30",
        "Draft",
        "## Changelog\n### 2024-01-01\n",
        "## Risks and Mitigations\n",
        "<!-- c -->",
        "\t",
        "    ",
        "`[Name]`",
        "\\[",
    ]
)
MARKDOWNISH = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40).map("".join)
