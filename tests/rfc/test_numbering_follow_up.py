"""What the numbering commit carries besides numbers, planned without a server: the tracking
issue recorded (an author's value overwritten), and links to the renamed RFCs rewritten in the
renamed files, the index and other markdown files, nothing else changed."""

from __future__ import annotations

from bot.rfc.config.public import Config, load_config
from bot.rfc.numbering import commit_message, follow_up, plan_numbering

OLD, NEW = "rfcs/0000-job-retries.md", "rfcs/0002-job-retries.md"


def rfc(title: str, number: str = "[Assigned when merged]", extra: str = "") -> str:
    return (
        f"# {title}\n\n**Status:** Final  \n**RFC Number:** {number}  \n"
        f"**Author(s):** @alice  \n{extra}\n## Overview\n\nSee [me](0000-job-retries.md#x).\n"
    )


def plan():  # type: ignore[no-untyped-def]
    texts = {"rfcs/0001-audit.md": rfc("Audit", "0001"), OLD: rfc("Job Retries")}
    index = "# RFCs\n\nStart at [retries](0000-job-retries.md).\n"
    return plan_numbering(texts, [OLD], 9, Config(), index_text=index), texts


def test_the_tracking_issue_is_recorded_after_the_metadata() -> None:
    planned, _ = plan()
    [assignment] = follow_up(planned, Config(), tracking={OLD: 57}, link_texts={}).assignments
    assert "**Author(s):** @alice  \n**Tracking Issue:** #57  \n" in assignment.text
    assert "**RFC Number:** 0002  \n" in assignment.text


def test_an_authors_tracking_line_is_overwritten() -> None:
    texts = {OLD: rfc("Job Retries", extra="**Tracking Issue:** #1  \n")}
    planned = plan_numbering(texts, [OLD], 9, Config(), index_text=None)
    [assignment] = follow_up(planned, Config(), tracking={OLD: 57}, link_texts={}).assignments
    assert "**Tracking Issue:** #57" in assignment.text and "#1" not in assignment.text


def test_links_are_rewritten_in_every_file_that_has_them_and_only_there() -> None:
    planned, texts = plan()
    others = {
        **texts,
        "docs/guide.md": "Read [it](../rfcs/0000-job-retries.md).\n",
        "docs/other.md": "Nothing about it.\n",
    }
    done = follow_up(planned, Config(), tracking={}, link_texts=others)
    [assignment] = done.assignments
    assert "See [me](0002-job-retries.md#x)." in assignment.text
    assert done.index_text is not None
    assert "Start at [retries](0002-job-retries.md)." in done.index_text
    assert "| 0002 | [Job Retries](0002-job-retries.md) |" in done.index_text
    rewritten = dict(done.rewritten)
    assert rewritten["docs/guide.md"] == "Read [it](../rfcs/0002-job-retries.md).\n"
    assert rewritten["rfcs/0001-audit.md"] == rfc("Audit", "0001").replace("0000-job", "0002-job")
    assert set(rewritten) == {"docs/guide.md", "rfcs/0001-audit.md"}  # not docs/other.md
    changes = done.changes(Config().index_path)
    assert set(changes) == {OLD, NEW, "rfcs/README.md", "docs/guide.md", "rfcs/0001-audit.md"}
    message = commit_message(done, 9, 4, "RFC-PR: #9")
    assert "rewritten in: docs/guide.md, rfcs/0001-audit.md." in message


def test_links_off_leaves_every_text_as_planned() -> None:
    planned, _ = plan()
    off = load_config("follow_up:\n  links: null\n")
    done = follow_up(
        planned, off, tracking={}, link_texts={"docs/a.md": "[x](../rfcs/0000-job-retries.md)"}
    )
    assert done.assignments == planned.assignments
    assert done.index_text == planned.index_text and done.rewritten == ()


def test_nothing_to_number_is_nothing_to_follow() -> None:
    texts = {"rfcs/0001-audit.md": rfc("Audit", "0001")}
    planned = plan_numbering(texts, [], 9, Config(), index_text=None)
    assert follow_up(planned, Config(), tracking={}, link_texts=texts) == planned
