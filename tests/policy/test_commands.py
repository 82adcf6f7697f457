"""The /rfc command parser: what counts as a command, what is ignored, how errors read."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.policy.commands import (
    DECISION_COMMANDS,
    MAX_HOLD_REASON,
    Command,
    CommandError,
    has_candidates,
    new_commands,
    parse_commands,
    valid_forms,
)


def names(body: str) -> list[tuple[int, str, tuple[str, ...]]]:
    return [
        (parsed.line, parsed.name, parsed.args)
        for parsed in parse_commands(body)
        if isinstance(parsed, Command)
    ]


def test_plain_status_command() -> None:
    assert parse_commands("/rfc status proposed") == [
        Command(1, "/rfc status proposed", "status", ("Proposed",))
    ]


def test_status_with_path_and_odd_spacing_and_case() -> None:
    [command] = parse_commands("Thanks!\n\n   /RFC   Status\tFINAL   rfcs/0000-x.md   \n")
    assert isinstance(command, Command)
    assert (command.line, command.name, command.status, command.path) == (
        3,
        "status",
        "Final",
        "rfcs/0000-x.md",
    )
    assert command.raw == "   /RFC   Status\tFINAL   rfcs/0000-x.md   "


def test_other_subcommands() -> None:
    assert names("/rfc check\n\n/rfc help\n\n/rfc number") == [
        (1, "check", ()),
        (3, "help", ()),
        (5, "number", ()),
    ]


def test_several_commands_in_one_paragraph_run_in_order() -> None:
    body = "Please:\n/rfc status proposed\n/rfc check\nthanks"
    assert names(body) == [(2, "status", ("Proposed",)), (3, "check", ())]


def test_crlf_line_endings() -> None:
    body = "hello\r\n/rfc status draft\r\n\r\n/rfc check\r\n"
    assert names(body) == [(2, "status", ("Draft",)), (4, "check", ())]
    assert parse_commands(body)[0].raw == "/rfc status draft"


def test_slash_rfc_must_be_a_whole_word_at_line_start() -> None:
    body = "/rfcs are great\n\nsee /rfc status final\n\n/rfc-bot help\n\ntext /rfc check"
    assert parse_commands(body) == []
    assert not has_candidates("see /rfc status final")
    assert has_candidates("  /rfc check")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("```\n/rfc status final\n```", id="fenced-backticks"),
        pytest.param("~~~md\n/rfc status final\n~~~", id="fenced-tildes"),
        pytest.param("```\n/rfc status final", id="unclosed-fence"),
        pytest.param("text\n\n    /rfc status final", id="indented-code"),
        pytest.param("a `x\n/rfc status final` b", id="inline-code-spanning-lines"),
        pytest.param("``\n/rfc status final\n``", id="double-backtick-code-span"),
        pytest.param("> /rfc status final", id="quote"),
        pytest.param("> quoted\n/rfc status final", id="quote-lazy-continuation"),
        pytest.param("> - item\n>   /rfc status final", id="list-in-quote"),
        pytest.param("- item\n\n  > /rfc status final", id="quote-in-list"),
        pytest.param("<!-- /rfc status final -->", id="html-comment-one-line"),
        pytest.param("<!--\n/rfc status final\n-->", id="html-comment-block"),
        pytest.param("hi <!-- note\n/rfc status final\n--> there", id="html-comment-inline"),
        pytest.param("- item\n\n  ```\n  /rfc status final\n  ```", id="fence-in-list"),
        pytest.param("1. item\n\n       /rfc status final", id="indented-code-in-list"),
        pytest.param("~~old\n/rfc status final~~", id="struck-through"),
        pytest.param("/rfc status final\n---", id="setext-heading"),
        pytest.param("<details>\n/rfc status final\n</details>", id="html-block"),
    ],
)
def test_ignored_contexts(body: str) -> None:
    assert parse_commands(body) == []


def test_command_inside_a_list_item_counts() -> None:
    body = "- first point\n  /rfc status proposed\n- second"
    assert names(body) == [(2, "status", ("Proposed",))]


def test_command_after_a_closed_fence_counts() -> None:
    body = "```\n/rfc status final\n```\n/rfc status proposed"
    assert names(body) == [(4, "status", ("Proposed",))]


def test_command_after_a_closed_html_comment_counts() -> None:
    body = "<!-- hidden -->\n\n/rfc check"
    assert names(body) == [(3, "check", ())]


def test_user_text_that_looks_like_the_internal_marker_is_harmless() -> None:
    body = "rfccommand0 rfccommand00x\n\n/rfc check"
    assert names(body) == [(3, "check", ())]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/rfc", "a subcommand is missing after `/rfc`"),
        ("/rfc frobnicate", "`frobnicate` is not an `/rfc` subcommand"),
        (
            "/rfc status",
            "`/rfc status` needs the new status: one of `draft`, `proposed`, `final`, `deprecated`",
        ),
        (
            "/rfc status accepted",
            "`accepted` is not a status; the statuses are "
            "`draft`, `proposed`, `final`, `deprecated`",
        ),
        (
            "/rfc status final a.md b.md",
            "`/rfc status` takes a status and at most one path, not `b.md`",
        ),
        ("/rfc check now please", "`/rfc check` takes no arguments, but got `now please`"),
    ],
)
def test_errors_quote_the_line_and_show_valid_forms(line: str, problem: str) -> None:
    [error] = parse_commands(f"hello\n{line}")
    assert error == CommandError(2, line, problem, valid_forms())
    assert error.valid_forms[0] == "/rfc status <draft|proposed|final|deprecated> [PATH]"


def test_errors_and_commands_keep_their_order() -> None:
    parsed = parse_commands("/rfc check\n/rfc nope\n/rfc help")
    assert [type(p).__name__ for p in parsed] == ["Command", "CommandError", "Command"]


def test_backticks_in_user_text_cannot_break_the_reply_code_span() -> None:
    [error] = parse_commands("/rfc st`atus")
    assert isinstance(error, CommandError)
    assert error.problem == "`st'atus` is not an `/rfc` subcommand"


def test_statuses_come_from_the_config() -> None:
    statuses = ("Idea", "Accepted")
    assert names_for("/rfc status accepted", statuses) == [("status", ("Accepted",))]
    [error] = parse_commands("/rfc status final", statuses)
    assert isinstance(error, CommandError)
    assert "`idea`, `accepted`" in error.problem
    assert error.valid_forms[0] == "/rfc status <idea|accepted> [PATH]"


def names_for(body: str, statuses: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.name, p.args) for p in parse_commands(body, statuses) if isinstance(p, Command)]


def test_edit_runs_only_new_command_lines() -> None:
    old = "/rfc check\n\nthanks"
    new = "/rfc  CHECK\n\n/rfc status proposed\n\nthanks"
    assert [(p.line, p.name) for p in new_commands(old, new)] == [(3, "status")]


def test_edit_that_moves_a_command_out_of_a_code_block_runs_it() -> None:
    old = "```\n/rfc status proposed\n```"
    new = "/rfc status proposed"
    assert [p.name for p in new_commands(old, new)] == ["status"]


def test_edit_that_repeats_a_command_runs_the_extra_copy_only() -> None:
    old = "/rfc check"
    new = "/rfc check\n\n/rfc check"
    assert [p.line for p in new_commands(old, new)] == [3]


def test_edit_without_changes_runs_nothing() -> None:
    body = "/rfc status proposed\n/rfc nope"
    assert new_commands(body, body) == []


@given(st.text())
def test_parser_never_raises(body: str) -> None:
    for parsed in parse_commands(body):
        assert parsed.raw.lstrip()[:4].lower() == "/rfc"


command_line = st.sampled_from(
    ["/rfc status proposed", "/rfc check", "/rfc help", "/rfc number", "  /rfc status final x.md"]
)
surrounding = st.text(alphabet=st.characters(blacklist_characters="`~\r\n"), max_size=40)


@given(surrounding, command_line, surrounding)
def test_a_fenced_command_is_never_returned(before: str, line: str, after: str) -> None:
    body = f"{before}\n\n```\n{line}\n```\n\n{after}"
    fenced_line = body.split("\n").index(line) + 1
    assert all(parsed.line != fenced_line for parsed in parse_commands(body))


@given(st.lists(command_line, min_size=1, max_size=5))
def test_unfenced_commands_are_all_returned(lines: list[str]) -> None:
    body = "\n\n".join(lines)
    assert [parsed.raw for parsed in parse_commands(body)] == lines


# --- decisions (issue 11) -----------------------------------------------------------------


def parsed_one(line: str) -> Command:
    [command] = parse_commands(line)
    assert isinstance(command, Command), command
    return command


@pytest.mark.parametrize(
    ("line", "name", "args", "concern", "path"),
    [
        ("/rfc approve", "approve", (), None, None),
        ("/rfc APPROVE rfcs/0000-x.md", "approve", ("rfcs/0000-x.md",), None, "rfcs/0000-x.md"),
        ("/rfc cancel", "cancel", (), None, None),
        ("/rfc cancel x.md", "cancel", ("x.md",), None, "x.md"),
        (
            "/rfc concern Needs-Benchmarks",
            "concern",
            ("needs-benchmarks",),
            "needs-benchmarks",
            None,
        ),
        (
            "/rfc concern perf rfcs/0000-x.md",
            "concern",
            ("perf", "rfcs/0000-x.md"),
            "perf",
            "rfcs/0000-x.md",
        ),
        ("/rfc resolve perf", "resolve", ("perf",), "perf", None),
        ("/rfc resolve v1.2_ok a/b", "resolve", ("v1.2_ok", "a/b"), "v1.2_ok", "a/b"),
        ("/rfc hold", "hold", ("",), None, None),
        ("/rfc unhold", "unhold", (), None, None),
        ("/rfc UNHOLD rfcs/0000-x.md", "unhold", ("rfcs/0000-x.md",), None, "rfcs/0000-x.md"),
    ],
)
def test_decision_commands(
    line: str, name: str, args: tuple[str, ...], concern: str | None, path: str | None
) -> None:
    command = parsed_one(line)
    assert (command.name, command.args, command.concern, command.path) == (
        name,
        args,
        concern,
        path,
    )
    assert command.status is None and command.superseded_by is None


@pytest.mark.parametrize(
    ("line", "reason", "path"),
    [
        ("/rfc hold", "", None),
        ("/rfc Hold  waiting for the  security review ", "waiting for the security review", None),
        # A reason may hold slashes: only a first word naming a markdown file is the PATH.
        ("/rfc hold CI/CD must pass first", "CI/CD must pass first", None),
        ("/rfc hold rfcs/0000-x.md legal review", "legal review", "rfcs/0000-x.md"),
        ("/rfc hold x.MD", "", "x.MD"),
    ],
)
def test_hold_takes_an_optional_path_first_then_a_reason(
    line: str, reason: str, path: str | None
) -> None:
    command = parsed_one(line)
    assert (command.name, command.reason, command.path, command.concern) == (
        "hold",
        reason,
        path,
        None,
    )
    assert parsed_one("/rfc unhold").reason is None
    # Two holds with different reasons are different commands; spacing does not count.
    assert parsed_one("/rfc hold a  b").key == parsed_one("/rfc hold a b").key
    assert parsed_one("/rfc hold a").key != parsed_one("/rfc hold b").key


def test_an_oversized_hold_reason_is_refused_with_its_length() -> None:
    [error] = parse_commands("/rfc hold " + "why " * 50_000)
    assert isinstance(error, CommandError)
    assert error.problem == (
        f"a hold's reason is at most {MAX_HOLD_REASON} characters, this one has 199,999: "
        "shorten it, and explain at length in the thread"
    )
    assert parsed_one("/rfc hold " + "y" * MAX_HOLD_REASON).reason == "y" * MAX_HOLD_REASON


def test_status_deprecated_superseded_by() -> None:
    command = parsed_one("/rfc status Deprecated SUPERSEDED-BY #0042 rfcs/0007-old.md")
    assert (command.status, command.superseded_by, command.path) == (
        "Deprecated",
        42,
        "rfcs/0007-old.md",
    )
    plain = parsed_one("/rfc status deprecated superseded-by 12")
    assert (plain.args, plain.superseded_by, plain.path) == (("Deprecated",), 12, None)
    # The successor is part of what makes two commands the same.
    assert plain.key != parsed_one("/rfc status deprecated superseded-by 13").key
    assert plain.key != parsed_one("/rfc status deprecated").key


def test_other_commands_have_no_path() -> None:
    assert parsed_one("/rfc check").path is None
    assert parsed_one("/rfc status final").path is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/rfc approve a.md b.md", "`/rfc approve` takes at most one path, not `a.md b.md`"),
        ("/rfc cancel now please", "`/rfc cancel` takes at most one path, not `now please`"),
        ("/rfc unhold a.md b.md", "`/rfc unhold` takes at most one path, not `a.md b.md`"),
        (
            "/rfc concern",
            "`/rfc concern` needs the concern's NAME, one word such as `needs-benchmarks`",
        ),
        (
            "/rfc resolve",
            "`/rfc resolve` needs the concern's NAME, one word such as `needs-benchmarks`",
        ),
        (
            "/rfc concern This is too slow",
            "a concern's NAME is one word, then at most one path: write "
            "`/rfc concern this-is-too-slow`",
        ),
        (
            "/rfc concern perf a.md b.md",
            "a concern's NAME is one word, then at most one path: write "
            "`/rfc concern perf-a.md-b.md`",
        ),
        (
            "/rfc concern -perf",
            "`-perf` is not a concern NAME: up to 40 letters, digits, `-`, `_` or `.`, starting "
            "with a letter or digit",
        ),
        (
            "/rfc resolve " + "x" * 41,
            "`" + "x" * 41 + "` is not a concern NAME: up to 40 letters, digits, `-`, `_` or `.`, "
            "starting with a letter or digit",
        ),
        (
            "/rfc status deprecated superseded-by",
            "`superseded-by` needs the new RFC's number, e.g. `0042`, not nothing",
        ),
        (
            "/rfc status deprecated superseded-by RFC-42",
            "`superseded-by` needs the new RFC's number, e.g. `0042`, not `RFC-42`",
        ),
        (
            "/rfc status deprecated superseded-by 0000",
            "`superseded-by` needs the new RFC's number, e.g. `0042`, not `0000`",
        ),
        (
            "/rfc status final superseded-by 42",
            "`superseded-by` goes with `/rfc status deprecated`",
        ),
        (
            "/rfc status deprecated superseded-by 42 a.md b.md",
            "`/rfc status` takes a status and at most one path, not `b.md`",
        ),
    ],
)
def test_decision_command_errors(line: str, problem: str) -> None:
    [error] = parse_commands(line)
    assert error == CommandError(1, line, problem, valid_forms())
    assert "/rfc concern NAME [PATH]" in error.valid_forms
    assert "/rfc hold [PATH] [REASON...]" in error.valid_forms


@pytest.mark.parametrize(
    "body",
    [
        "> /rfc approve",
        "```\n/rfc concern perf\n```",
        "`/rfc resolve perf`",
        "<!-- /rfc cancel -->",
        "    /rfc approve",
    ],
)
def test_quoted_or_code_decision_commands_never_run(body: str) -> None:
    assert parse_commands(body) == []


decision_line = st.sampled_from(
    [
        "/rfc approve",
        "/rfc concern perf",
        "/rfc resolve perf x.md",
        "/rfc cancel",
        "/rfc hold",
        "/rfc unhold",
        "/rfc status deprecated superseded-by 42",
    ]
)


@given(surrounding, decision_line, surrounding, st.sampled_from(["```", "~~~", "> ", "    "]))
@example("", "/rfc approve", "", "> ")
def test_a_hidden_decision_command_is_never_returned(
    before: str, line: str, after: str, hiding: str
) -> None:
    fenced = hiding in ("```", "~~~")
    middle = f"{hiding}\n{line}\n{hiding}" if fenced else f"{hiding}{line}"
    body = f"{before}\n\n{middle}\n\n{after}"
    hidden_line = body.split("\n").index(line if fenced else middle) + 1
    assert all(parsed.line != hidden_line for parsed in parse_commands(body))


@given(st.lists(st.text(alphabet="abc-./#09 xX`", max_size=12), max_size=4), decision_line)
@example(["superseded-by"], "/rfc status deprecated")
@example(["a", "b"], "/rfc concern")
def test_decision_arguments_never_raise(words: list[str], line: str) -> None:
    body = " ".join([line, *words])
    for parsed in parse_commands(body):
        assert parsed.raw == body
        if isinstance(parsed, CommandError):
            # User text is quoted without its backticks: every code span closes.
            assert parsed.problem.count("`") % 2 == 0
            assert parsed.valid_forms == valid_forms()
        else:
            assert parsed.name in (*DECISION_COMMANDS, "status")
