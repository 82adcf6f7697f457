"""The pure numbering planner: which new RFCs get which numbers, the new index, the trailer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.provenance import numbering_trailers, proven_numbering, signing_key
from bot.rfc.config.public import Config
from bot.rfc.edits import INDEX_END, INDEX_START
from bot.rfc.numbering import (
    Assignment,
    Numbered,
    NumberingError,
    added_rfcs,
    commit_message,
    plan_numbering,
    rfc_files,
)
from bot.rfc.paths import parse_name

CONFIG = Config()


def rfc(title: str, number: str = "[Assigned when merged]", newline: str = "\n") -> str:
    lines = [
        f"# {title}",
        "",
        "**Status:** Draft  ",
        "**Target Application(s):** api  ",
        f"**RFC Number:** {number}  ",
        "**Created:** 2024-03-01  ",
        "**Last Updated:** 2024-03-02  ",
        "**Author(s):** @alice  ",
        "",
        "## Overview",
        "",
        "### Summary",
        "Retry failed jobs.",
        "",
    ]
    return newline.join(lines)


def branch(*paths: str) -> dict[str, str]:
    """Branch RFC texts for the given paths, titled after their slugs."""
    return {path: rfc(parse_name(path).slug.replace("-", " ").title()) for path in paths}


def test_first_rfc_in_an_empty_directory_gets_number_one() -> None:
    texts = branch("rfcs/0000-job-retries.md")

    plan = plan_numbering(texts, ["rfcs/0000-job-retries.md"], 12, CONFIG, index_text=None)

    [assignment] = plan.assignments
    assert (assignment.old_path, assignment.new_path, assignment.number) == (
        "rfcs/0000-job-retries.md",
        "rfcs/0001-job-retries.md",
        1,
    )
    assert "**RFC Number:** 0001  \n" in assignment.text
    assert assignment.text.replace("0001", "[Assigned when merged]") == texts[assignment.old_path]
    assert plan.pending and plan.already_numbered == () and plan.missing == ()


def test_new_index_is_created_listing_every_numbered_rfc() -> None:
    texts = branch("rfcs/0003-audit-log.md", "rfcs/0000-job-retries.md")

    plan = plan_numbering(texts, ["rfcs/0000-job-retries.md"], 12, CONFIG, index_text=None)

    index = plan.index_text
    assert index is not None and index.startswith("# ")
    table = index[index.index(INDEX_START) : index.index(INDEX_END)]
    assert "[Audit Log](0003-audit-log.md)" in table
    assert "[Job Retries](0004-job-retries.md)" in table
    assert table.index("0003-audit-log.md") < table.index("0004-job-retries.md")
    assert "0000-job-retries" not in table


def test_sequential_takes_one_more_than_the_highest_number_despite_gaps() -> None:
    texts = branch("rfcs/0001-a.md", "rfcs/0007-g.md", "rfcs/0000-new.md")

    plan = plan_numbering(texts, ["rfcs/0000-new.md"], 99, CONFIG, index_text=None)

    assert [a.new_path for a in plan.assignments] == ["rfcs/0008-new.md"]


def test_number_width_pads_the_file_name_and_the_field() -> None:
    config = Config(number_width=3)
    texts = branch("rfcs/0000-new.md")

    [assignment] = plan_numbering(
        texts, ["rfcs/0000-new.md"], 5, config, index_text=None
    ).assignments

    assert assignment.new_path == "rfcs/001-new.md"
    assert "**RFC Number:** 001  " in assignment.text


def test_several_rfcs_in_one_pull_request_get_consecutive_numbers_by_path() -> None:
    texts = branch("rfcs/0004-old.md", "rfcs/0000-zeta.md", "rfcs/0000-alpha.md")

    plan = plan_numbering(
        texts, ["rfcs/0000-zeta.md", "rfcs/0000-alpha.md"], 8, CONFIG, index_text=None
    )

    assert [(a.new_path, a.number) for a in plan.assignments] == [
        ("rfcs/0005-alpha.md", 5),
        ("rfcs/0006-zeta.md", 6),
    ]


def test_pull_request_strategy_uses_the_pull_request_number() -> None:
    config = Config(numbering="pull-request")
    texts = branch("rfcs/0007-old.md", "rfcs/0000-new.md")

    [assignment] = plan_numbering(
        texts, ["rfcs/0000-new.md"], 123, config, index_text=None
    ).assignments

    assert (assignment.new_path, assignment.number) == ("rfcs/0123-new.md", 123)


def test_pull_request_strategy_refuses_a_number_that_is_taken() -> None:
    config = Config(numbering="pull-request")
    texts = branch("rfcs/0042-other.md", "rfcs/0000-new.md")

    with pytest.raises(NumberingError, match=r"42 .*already taken"):
        plan_numbering(texts, ["rfcs/0000-new.md"], 42, config, index_text=None)


def test_pull_request_strategy_refuses_two_rfcs_in_one_pull_request() -> None:
    config = Config(numbering="pull-request")
    texts = branch("rfcs/0000-a.md", "rfcs/0000-b.md")

    with pytest.raises(NumberingError, match="one number per pull request"):
        plan_numbering(texts, ["rfcs/0000-a.md", "rfcs/0000-b.md"], 3, config, index_text=None)


def test_already_numbered_when_a_proven_commit_of_this_pull_request_renamed_it() -> None:
    texts = branch("rfcs/0001-a.md", "rfcs/0005-job-retries.md")
    proven = {"rfcs/0000-job-retries.md": "rfcs/0005-job-retries.md"}

    plan = plan_numbering(
        texts, ["rfcs/0000-job-retries.md"], 12, CONFIG, index_text="x", proven=proven
    )

    assert not plan.pending
    assert plan.already_numbered == (
        Numbered("rfcs/0005-job-retries.md", 5, "rfcs/0000-job-retries.md"),
    )
    assert plan.index_text is None
    assert plan.changes(CONFIG.index_path) == {}


def test_another_pull_requests_rfc_with_the_same_slug_is_not_this_ones() -> None:
    # Two pull requests used the slug "job-retries"; only a proven commit names this one's.
    texts = branch("rfcs/0001-a.md", "rfcs/0005-job-retries.md")

    plan = plan_numbering(texts, ["rfcs/0000-job-retries.md"], 12, CONFIG, index_text="x")

    assert plan.missing == ("rfcs/0000-job-retries.md",) and not plan.already_numbered


def test_a_restored_unnumbered_file_of_a_numbered_pull_request_is_not_numbered_twice() -> None:
    texts = branch("rfcs/0005-job-retries.md", "rfcs/0000-job-retries.md")
    proven = {"rfcs/0000-job-retries.md": "rfcs/0005-job-retries.md"}

    plan = plan_numbering(
        texts, ["rfcs/0000-job-retries.md"], 12, CONFIG, index_text=None, proven=proven
    )

    assert not plan.pending
    assert plan.already_numbered == (
        Numbered("rfcs/0005-job-retries.md", 5, "rfcs/0000-job-retries.md"),
    )


def test_a_file_gone_without_a_numbered_twin_is_reported_missing() -> None:
    plan = plan_numbering(
        branch("rfcs/0001-a.md"), ["rfcs/0000-gone.md"], 3, CONFIG, index_text=None
    )

    assert plan.missing == ("rfcs/0000-gone.md",) and not plan.pending


def test_an_older_rfc_with_the_same_slug_does_not_stop_a_new_one() -> None:
    texts = branch("rfcs/0002-retries.md", "rfcs/0000-retries.md")

    plan = plan_numbering(texts, ["rfcs/0000-retries.md"], 9, CONFIG, index_text=None)

    assert [a.new_path for a in plan.assignments] == ["rfcs/0003-retries.md"]


def test_index_text_around_the_markers_is_preserved() -> None:
    before = "# Our RFCs\n\nHand-written intro.\n\n"
    after = "\n\n## How to propose\n\nOpen a pull request.\n"
    index = f"{before}{INDEX_START}\n| stale |\n{INDEX_END}{after}"

    plan = plan_numbering(
        branch("rfcs/0000-new.md"), ["rfcs/0000-new.md"], 1, CONFIG, index_text=index
    )

    assert plan.index_text is not None
    assert plan.index_text.startswith(before + INDEX_START)
    assert plan.index_text.endswith(INDEX_END + after)
    assert "| stale |" not in plan.index_text and "0001-new.md" in plan.index_text


def test_broken_index_markers_leave_the_index_alone_but_still_number() -> None:
    plan = plan_numbering(
        branch("rfcs/0000-new.md"),
        ["rfcs/0000-new.md"],
        1,
        CONFIG,
        index_text=f"# RFCs\n{INDEX_START}\nno end marker\n",
    )

    assert [a.number for a in plan.assignments] == [1]
    assert plan.index_text is None
    assert plan.index_problem is not None and "rfcs/README.md" in plan.index_problem
    assert CONFIG.index_path not in plan.changes(CONFIG.index_path)


def test_changes_delete_the_old_path_and_write_the_new_one_and_the_index() -> None:
    plan = plan_numbering(
        branch("rfcs/0000-new.md"), ["rfcs/0000-new.md"], 1, CONFIG, index_text=None
    )

    changes = plan.changes(CONFIG.index_path)

    assert changes["rfcs/0000-new.md"] is None
    assert changes["rfcs/0001-new.md"] == plan.assignments[0].text
    assert changes["rfcs/README.md"] == plan.index_text
    assert len(changes) == 3


def test_crlf_line_endings_are_kept() -> None:
    texts = {"rfcs/0000-new.md": rfc("New", newline="\r\n")}

    [assignment] = plan_numbering(
        texts, ["rfcs/0000-new.md"], 1, CONFIG, index_text=None
    ).assignments

    assert "**RFC Number:** 0001  \r\n" in assignment.text
    assert assignment.text.count("\r\n") == texts["rfcs/0000-new.md"].count("\r\n")


def test_a_file_without_the_number_field_is_renamed_and_left_as_written() -> None:
    text = "# New\n\n**Status:** Draft\n\n## Overview\n"

    [assignment] = plan_numbering(
        {"rfcs/0000-new.md": text}, ["rfcs/0000-new.md"], 1, CONFIG, index_text=None
    ).assignments

    assert assignment == Assignment(
        "rfcs/0000-new.md", "rfcs/0001-new.md", 1, text, number_field_set=False
    )


def test_skipped_files_and_the_index_are_not_rfcs() -> None:
    paths = [
        "rfcs/README.md",
        "rfcs/0000-template.md",
        "rfcs/0002-a.md",
        "rfcs/notes.txt",
        "rfcs/sub/0009-deep.md",
        "docs/0050-elsewhere.md",
    ]

    assert rfc_files(paths, CONFIG) == ["rfcs/0002-a.md"]


def test_template_numbers_do_not_count_towards_the_next_number() -> None:
    texts = branch("rfcs/0000-new.md")
    texts["rfcs/0000-template.md"] = rfc("Template")

    plan = plan_numbering(texts, ["rfcs/0000-new.md"], 1, CONFIG, index_text=None)

    assert [a.number for a in plan.assignments] == [1]


def test_added_rfcs_reads_the_pull_request_files_listing() -> None:
    files = [
        {"filename": "rfcs/0000-new.md", "status": "added"},
        {
            "filename": "rfcs/0000-moved-in.md",
            "status": "renamed",
            "previous_filename": "drafts/moved-in.md",
        },
        {
            "filename": "rfcs/0000-renamed.md",
            "status": "renamed",
            "previous_filename": "rfcs/0000-old-name.md",
        },
        {"filename": "rfcs/0000-edited.md", "status": "modified"},
        {"filename": "rfcs/0007-numbered.md", "status": "added"},
        {"filename": "rfcs/README.md", "status": "added"},
        {"filename": "src/0000-code.md", "status": "added"},
    ]

    assert added_rfcs(files, CONFIG) == ["rfcs/0000-moved-in.md", "rfcs/0000-new.md"]


def test_commit_message_ends_with_the_proof_trailers() -> None:
    plan = plan_numbering(
        branch("rfcs/0000-a.md", "rfcs/0000-b.md"),
        ["rfcs/0000-a.md", "rfcs/0000-b.md"],
        77,
        CONFIG,
        index_text=None,
    )
    renames = [(a.old_path, a.new_path) for a in plan.assignments]
    key = signing_key("a secret of sixteen+")

    message = commit_message(
        plan, 77, CONFIG.number_width, numbering_trailers(key, "o/r", 77, renames)
    )

    assert message.splitlines()[0] == "Assign RFC numbers 0001, 0002"
    assert "\n\nRFC-PR: #77\nRFC-Numbered: " in message
    assert "rfcs/0000-a.md -> rfcs/0001-a.md" in message
    assert proven_numbering(key, "o/r", 77, [message]) == dict(renames)
    # Proven only for the pull request, repository and key it was made for.
    assert proven_numbering(key, "o/r", 78, [message]) == {}
    assert proven_numbering(key, "o/other", 77, [message]) == {}
    assert proven_numbering(signing_key("another secret!!!"), "o/r", 77, [message]) == {}


def test_a_forged_or_misplaced_trailer_proves_nothing() -> None:
    key = signing_key("a secret of sixteen+")
    real = numbering_trailers(key, "o/r", 4, [("rfcs/0000-a.md", "rfcs/0001-a.md")])
    forged = 'Subject\n\nRFC-PR: #4\nRFC-Numbered: [["rfcs/0000-a.md", "rfcs/0009-a.md"]]\n'
    assert proven_numbering(key, "o/r", 4, [forged + "RFC-Proof: " + "0" * 64]) == {}
    tampered = real.replace("0001-a.md", "0009-a.md")
    assert proven_numbering(key, "o/r", 4, ["Subject\n\n" + tampered]) == {}
    not_last = "Subject\n\n" + real + "\n\nmore text\n"
    assert proven_numbering(key, "o/r", 4, [not_last]) == {}
    assert proven_numbering(key, "o/r", 4, ["Subject\n\n" + real]) == {
        "rfcs/0000-a.md": "rfcs/0001-a.md"
    }


@given(
    taken=st.sets(st.integers(min_value=1, max_value=500), max_size=12),
    new_slugs=st.sets(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=5),
)
def test_sequential_numbers_are_fresh_distinct_and_consecutive(
    taken: set[int], new_slugs: set[str]
) -> None:
    texts = branch(*(f"rfcs/{n:04d}-old{n}.md" for n in taken))
    added = [f"rfcs/0000-{slug}.md" for slug in new_slugs]
    texts.update(branch(*added))

    plan = plan_numbering(texts, added, 1, CONFIG, index_text=None)

    numbers = [a.number for a in plan.assignments]
    assert len(numbers) == len(added)
    assert numbers == list(range(max(taken, default=0) + 1, max(taken, default=0) + 1 + len(added)))
    assert not set(numbers) & taken
    assert [a.old_path for a in plan.assignments] == sorted(added)
    new_paths = {a.new_path for a in plan.assignments}
    assert not new_paths & set(texts)
