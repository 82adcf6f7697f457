"""Which RFC a command means (``bot.policy.targets``): one answer for every command."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.policy.targets import no_target_text, target_path

ONE = ["rfcs/0000-retries.md"]
TWO = ["rfcs/0000-retries.md", "rfcs/0000-audit-log.md"]


def test_no_path_means_the_only_rfc() -> None:
    assert target_path(None, ONE) == "rfcs/0000-retries.md"
    assert target_path(None, TWO) is None
    assert target_path(None, []) is None


def test_a_path_names_a_file_by_its_path_or_its_name() -> None:
    assert target_path("rfcs/0000-audit-log.md", TWO) == "rfcs/0000-audit-log.md"
    assert target_path("./rfcs/0000-audit-log.md", TWO) == "rfcs/0000-audit-log.md"
    assert target_path(" /rfcs/0000-audit-log.md ", TWO) == "rfcs/0000-audit-log.md"
    assert target_path("0000-audit-log.md", TWO) == "rfcs/0000-audit-log.md"
    assert target_path("elsewhere/0000-audit-log.md", TWO) == "rfcs/0000-audit-log.md"
    assert target_path("rfcs/0000-nothing.md", TWO) is None
    assert target_path("0000-retries.md", []) is None


def test_the_whole_path_wins_over_an_ambiguous_name() -> None:
    paths = ["rfcs/0000-x.md", "other/0000-x.md"]
    assert target_path("other/0000-x.md", paths) == "other/0000-x.md"
    assert target_path("0000-x.md", paths) is None
    assert target_path("third/0000-x.md", paths) is None


@given(st.one_of(st.none(), st.text(max_size=40)), st.lists(st.text(max_size=20), max_size=4))
def test_the_target_is_one_of_the_files_or_none(wanted: str | None, paths: list[str]) -> None:
    found = target_path(wanted, paths)
    assert found is None or found in paths


def test_why_there_is_no_target() -> None:
    assert no_target_text(None, [], "rfcs") == (
        "this pull request changes no RFC file under `rfcs/`."
    )
    assert no_target_text("x.md", [], "rfcs") == (
        "this pull request changes no RFC file under `rfcs/`."
    )
    assert no_target_text(None, TWO, "rfcs") == (
        "this pull request changes 2 RFCs, so name the one you mean, e.g. "
        "`/rfc status <status> rfcs/0000-retries.md`. Its RFC files:\n\n"
        "- `rfcs/0000-retries.md`\n- `rfcs/0000-audit-log.md`"
    )
    assert no_target_text("./nope.md", ONE, "rfcs") == (
        "`nope.md` is not one of this pull request's RFC files:\n\n- `rfcs/0000-retries.md`"
    )


def test_a_hostile_name_is_quoted_back_inert() -> None:
    text = no_target_text("`<!--x-->`", ONE, "rfcs")
    assert text.startswith("`'<!\u2060--x--\u2060>'` is not one of")
    assert "<!--" not in text and "-->" not in text
