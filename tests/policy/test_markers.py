"""The App's hidden markers: the bytes it writes, the round trips, and that user text the App
echoes can never be read as one of them."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.commands import parse_commands
from bot.policy.decisions.texts import start_text
from bot.policy.markers import (
    NUMBERED,
    NUMBERING_ERROR,
    PANEL,
    Record,
    carries,
    defuse,
    record,
    reply,
    reply_ids,
)
from bot.policy.replies import Outcome, render_reply, reply_marker
from bot.rfc.config.public import DecisionRule

CLAIM = {"path": "rfcs/0000-x.md", "target": "Final"}
HOSTILE = [
    "<!-- rfc-bot:panel -->",
    "<!-- rfc-bot:numbered -->",
    "<!-- rfc-bot:reply:7 --><!-- 0123456789ab -->",
    '<!-- rfc-bot:decision-done {"path":"rfcs/0000-x.md","target":"Final"} -->',
    '\n<!-- rfc-bot:decision-reminder {"path":"rfcs/0000-x.md","stretch":"s"} -->\n',
    "--> <!-- x",
]
# User text: anything, and the shapes of the App's own markers in particular.
user_text = (
    st.text(max_size=120)
    | st.sampled_from(HOSTILE)
    | st.builds(
        "".join, st.lists(st.sampled_from([*HOSTILE, "\n", "\n\n", "`", " ", "x"]), max_size=8)
    )
)


def test_the_markers_keep_their_bytes() -> None:
    assert PANEL == "<!-- rfc-bot:panel -->"
    assert NUMBERED == "<!-- rfc-bot:numbered -->"
    assert NUMBERING_ERROR == "<!-- rfc-bot:numbering-error -->"
    assert reply(12, "0123456789ab") == "<!-- rfc-bot:reply:12 --><!-- 0123456789ab -->"
    assert record(Record.DONE, CLAIM) == (
        '<!-- rfc-bot:decision-done {"path":"rfcs/0000-x.md","target":"Final"} -->'
    )


def test_a_reply_head_round_trips() -> None:
    body = reply(42, "abc") + "\n`/rfc check`: Validation ran again."
    assert reply_ids(body) == [42]
    assert carries(body, reply(42, "abc")) and not carries(body, reply(42, "abd"))
    assert reply_ids("ok\n" + reply(42, "abc")) == []  # only the head counts


def test_head_markers_count_only_at_the_head() -> None:
    assert carries(f"{PANEL}\n## RFC status", PANEL)
    assert carries(f"{NUMBERED}\nAssigned RFC 0001", NUMBERED)
    assert carries(f"{NUMBERING_ERROR}\nCould not", NUMBERING_ERROR)
    assert carries(NUMBERED, NUMBERED)
    assert not carries(f"Note\n{PANEL}", PANEL)
    assert not carries(f"x {PANEL}", PANEL)
    assert not carries("<!-- rfc-bot:panel --> and more", PANEL)
    assert not carries("<!-- rfc-bot:panel-x -->", PANEL)


def test_the_answer_to_rfc_number_carries_the_announcement() -> None:
    announcement = f"{NUMBERED}\nAssigned RFC 0001: [x](https://example.test/x)"
    parsed = parse_commands("/rfc number")
    body = render_reply(reply_marker(9, parsed), parsed, [Outcome(announcement, True)], None)
    assert carries(body, NUMBERED)
    assert not carries(f"{reply(9, 'abc')}\nSome text\n{NUMBERED}", NUMBERED)


def test_records_count_only_at_the_end_of_their_message() -> None:
    line = record(Record.REMINDER, {"path": "rfcs/0000-x.md"})
    assert carries(f"@bob: waiting.\n{line}", line)
    assert carries(f"started.\n{line}\n\n`/rfc approve`: counted.", line)
    assert carries(f"done.\r\n{line}", line)
    assert not carries(f"{line}\nmore text of the same message", line)
    assert not carries(f"  {line}", line)
    assert not carries(line, record(Record.REMINDER, {"path": "rfcs/0000-y.md"}))


def test_a_claim_cannot_close_its_comment() -> None:
    claim = {"path": "rfcs/0000-a-->b<!--.md"}
    line = record(Record.DONE, claim)
    assert line.count("-->") == 1 and line.count("<!--") == 1
    assert carries(line, line)


@given(user_text)
def test_defused_text_holds_no_comment_delimiter(text: str) -> None:
    defused = defuse(text)
    assert "<!--" not in defused and "-->" not in defused
    assert defused.replace("\u2060", "") == text.replace("\u2060", "")


def test_defuse_leaves_ordinary_text_alone() -> None:
    assert defuse("rfcs/0000-x.md -> Final <b>") == "rfcs/0000-x.md -> Final <b>"


@given(user_text, user_text)
@example("<!-- rfc-bot:panel -->", '<!-- rfc-bot:decision-done {"path":"p","target":"T"} -->')
def test_echoed_user_text_never_reads_as_a_marker(before: str, after: str) -> None:
    """An App comment made of its own head and records, with defused user text anywhere
    around them (own lines, blank lines, the answer's place), reads as exactly what the App
    wrote."""
    done = record(Record.DONE, CLAIM)
    echo, tail = defuse(before), defuse(after)
    body = "\n".join(
        [reply(5, "d"), f"`x`: {echo}", echo, f"moved.\n{done}", "", tail, f"`y`: {tail}"]
    )
    assert reply_ids(body) == [5]
    assert carries(body, done)
    assert not carries(body, record(Record.PERIOD, CLAIM))
    for marker in (PANEL, NUMBERED, NUMBERING_ERROR, reply(7, "0123456789ab")):
        assert not carries(body, marker)
    reminder = record(Record.REMINDER, {"path": "rfcs/0000-x.md"})
    assert not carries(body, reminder)


@given(st.text(max_size=80) | st.sampled_from(HOSTILE))
def test_a_reply_echoing_a_hostile_command_line_carries_only_its_own_marker(text: str) -> None:
    parsed = parse_commands(f"/rfc {' '.join(text.split())}")
    outcomes = [Outcome("it was done.") for _ in parsed]
    marker = reply_marker(3, parsed)
    body = render_reply(marker, parsed, outcomes, None)
    assert reply_ids(body) == [3]
    assert not any(carries(body, record(kind, CLAIM)) for kind in Record)
    assert not any(carries(body, m) for m in (PANEL, NUMBERED, NUMBERING_ERROR))


def test_the_start_reply_holds_no_record() -> None:
    """The decision lives in the record; the start reply only tells people."""
    text = start_text("rfcs/0000-x.md", "Proposed", "Final", "Alice", DecisionRule(), {"bob"})
    assert "<!--" not in text and "@bob" in text
