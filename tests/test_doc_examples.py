"""Every command example in README.md and docs/ that shows output is the real output.

See tests/doc_examples.py for the markup; `python3 -m tests.doc_examples` regenerates them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doc_examples import DOCUMENTS, Example, examples, run, unmarked_command_blocks

EXAMPLES = [example for document in DOCUMENTS for example in examples(document)]


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) >= 5
    assert all(example.commands() for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.where for example in EXAMPLES])
def test_example_output_is_real(example: Example) -> None:
    assert run(example) == example.body, (
        f"{example.where} no longer shows what the command prints; "
        "regenerate with `python3 -m tests.doc_examples` and review the diff"
    )


def test_every_block_showing_a_command_is_checked() -> None:
    """A `$ command` in a block not marked `console` would escape the check above."""
    assert [where for document in DOCUMENTS for where in unmarked_command_blocks(document)] == []


def test_a_changed_output_is_caught(tmp_path: Path) -> None:
    """The check can fail: an example whose shown output is not the command's."""
    document = tmp_path / "doc.md"
    document.write_text("```console\n$ rfc-bot --version\nrfc-bot 9.9.9\n```\n")
    (example,) = examples(document)
    assert run(example) != example.body
    assert run(example).startswith("$ rfc-bot --version\nrfc-bot ")


def test_scene_directives(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text(
        "<!-- example-file: conf/a.txt -->\n```text\nhello\n```\n\n"
        "<!-- example-dir: examples -->\n<!-- example-setup: echo made > made.txt -->\n"
        "```console\n$ cat conf/a.txt made.txt && ls rfcs\n```\n"
    )
    (example,) = examples(document)
    assert run(example) == (
        "$ cat conf/a.txt made.txt && ls rfcs\nhello\nmade\n"
        "0000-flawed-example.md\n0000-job-retries.md\n"
    )
