"""Whether a comment was answered already, decided from the comments listed since it: the
App's reply to these very lines, its +1 (not for an edit), or the comment gone."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.commands import parse_commands
from bot.policy.replies import (
    Prior,
    ThreadComment,
    app_login,
    prior_answer,
    reacting_bots,
    reply_marker,
)
from bot.values import Comment

APP = 4242
COMMAND_ID = 10
MARKER = reply_marker(COMMAND_ID, parse_commands("/rfc check"))


def comment(id_: int, body: str, author: str = "alice", app_id: int | None = None) -> Comment:
    return Comment(id_, body, author, author.endswith("[bot]"), "", app_id)


def own(item: Comment) -> bool:
    return item.app_id == APP


COMMAND = ThreadComment(comment(COMMAND_ID, "/rfc check"), plus_ones=0)
REPLY = ThreadComment(comment(11, MARKER + "\nValidation ran again.", "rfc-bot[bot]", APP))


def prior(*thread: ThreadComment, edited: bool = False) -> Prior:
    return prior_answer(thread, own, COMMAND_ID, MARKER, reaction_counts=not edited)


def with_plus_ones(count: int | None) -> ThreadComment:
    return ThreadComment(COMMAND.comment, plus_ones=count)


def test_the_apps_reply_answers_it() -> None:
    assert prior(COMMAND, REPLY) is Prior.REPLIED
    assert prior(REPLY) is Prior.REPLIED  # the comment deleted since: answered all the same


def test_nothing_yet_is_open() -> None:
    assert prior(COMMAND) is Prior.OPEN
    other = reply_marker(COMMAND_ID, parse_commands("/rfc help"))  # an edit's other lines
    assert prior(COMMAND, ThreadComment(comment(12, other, "rfc-bot[bot]", APP))) is Prior.OPEN


def test_a_deleted_comment_is_gone() -> None:
    assert prior() is Prior.GONE
    assert prior(ThreadComment(comment(99, "unrelated"))) is Prior.GONE


def test_plus_ones_need_a_look_at_whose_they_are_unless_it_is_an_edit() -> None:
    assert prior(with_plus_ones(2)) is Prior.REACTED
    assert prior(with_plus_ones(None)) is Prior.REACTED  # the listing did not say: look
    assert prior(with_plus_ones(2), edited=True) is Prior.OPEN
    assert prior(with_plus_ones(2), REPLY) is Prior.REPLIED


def test_a_forged_reply_is_no_answer() -> None:
    """The marker pasted by a person, or written by another App, or not in its place."""
    by_person = ThreadComment(comment(12, REPLY.comment.body, "eve"))
    by_other_app = ThreadComment(comment(13, REPLY.comment.body, "ci[bot]", 77))
    not_in_place = ThreadComment(comment(14, "hi\n" + MARKER, "rfc-bot[bot]", APP))
    assert prior(COMMAND, by_person, by_other_app, not_in_place) is Prior.OPEN


def test_the_apps_login_is_read_off_its_own_comment() -> None:
    assert app_login([COMMAND, REPLY], own) == "rfc-bot[bot]"
    assert app_login([COMMAND, ThreadComment(comment(12, "x", "ci[bot]", 77))], own) is None


def reaction(login: str, kind: str = "User") -> dict[str, Any]:
    return {"content": "+1", "user": {"login": login, "type": kind}}


def test_only_bot_users_may_be_the_app() -> None:
    reactions = [
        reaction("eve"),
        reaction("rfc-bot"),  # a person who named themselves like the App
        reaction("ci[bot]", "Bot"),
        reaction("rfc-bot[bot]", "Bot"),
        reaction("ci[bot]", "Bot"),
        {"content": "+1", "user": None},
        {"content": "+1"},
    ]
    assert reacting_bots(reactions) == ["ci[bot]", "rfc-bot[bot]"]


listed = st.builds(
    ThreadComment,
    st.builds(
        comment,
        st.integers(1, 20),
        st.sampled_from([MARKER, MARKER + "\nok", "x " + MARKER, "/rfc check", ""]),
        st.sampled_from(["alice", "eve", "rfc-bot[bot]", "ci[bot]"]),
        st.sampled_from([None, APP, 77]),
    ),
    st.one_of(st.none(), st.integers(0, 3)),
)


@given(st.lists(listed, max_size=6), st.booleans())
@example([ThreadComment(comment(COMMAND_ID, MARKER, "eve"), 0)], False)
def test_only_the_apps_own_reply_or_plus_one_ever_closes_a_comment(
    thread: list[ThreadComment], edited: bool
) -> None:
    found = prior(*thread, edited=edited)
    replied = any(own(i.comment) and i.comment.body.startswith(MARKER) for i in thread)
    present = [i for i in thread if i.comment.id == COMMAND_ID]
    if replied:
        assert found is Prior.REPLIED
    elif not present:
        assert found is Prior.GONE
    elif not edited and present[0].plus_ones != 0:
        assert found is Prior.REACTED
    else:
        assert found is Prior.OPEN
