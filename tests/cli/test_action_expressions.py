"""The emulated runner's expressions (tests/action_expressions.py) mean what GitHub's mean:
the cases the documented workflows and action.yml rely on, and the language's odd corners."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.action_expressions import ExpressionError, Scope

EVENT = {
    "pull_request": {"base": {"sha": "b4se"}, "head": {"repo": {"full_name": "fork/rfcs"}}},
    "issue": {"labels": [{"name": "rfc"}, {"name": "Bug"}], "pull_request": None},
}


def scope(failed: bool = False, **contexts: Any) -> Scope:
    base = {
        "github": {"event_name": "pull_request", "event": EVENT, "repository": "octo-org/rfcs"},
        "inputs": {"base": "", "mode": "lint", "sarif": ""},
        "steps": {"install": {"outputs": {"rfc-bot": "/venv/bin/rfc-bot"}}},
        "env": {},
    }
    functions = {
        "success": lambda: not failed,
        "failure": lambda: failed,
        "always": lambda: True,
        "cancelled": lambda: False,
        "hashFiles": lambda *patterns: "abc" if "present.sarif" in patterns else "",
    }
    return Scope({**base, **contexts}, functions)


def test_or_returns_an_operand_not_a_boolean() -> None:
    assert scope().interpolate("${{ inputs.base || github.event.pull_request.base.sha }}") == "b4se"
    assert scope().evaluate("inputs.mode && 'yes'") == "yes"
    assert scope().evaluate("inputs.base && 'yes'") == ""


def test_property_names_with_hyphens_and_any_case() -> None:
    assert scope().interpolate("${{ steps.install.outputs.rfc-bot }}") == "/venv/bin/rfc-bot"
    assert scope().evaluate("GITHUB.Event.Pull_Request.BASE.sha") == "b4se"
    assert scope().evaluate("steps.install.outputs['rfc-bot']") == "/venv/bin/rfc-bot"
    assert scope().evaluate("github.event.no.such.thing") is None


def test_strings_compare_ignoring_case_and_mixed_types_as_numbers() -> None:
    assert scope().evaluate("inputs.mode == 'LINT'") is True
    assert scope().evaluate("'1' == 1 && null == 0 && true == 1 && '' == 0") is True
    assert scope().evaluate("'abc' == 0") is False  # NaN equals nothing
    assert scope().evaluate("'b' > 'A' && 2 >= '2' && !(1 < null)") is True


def test_object_filters_and_functions() -> None:
    assert scope().value_of("${{ github.event.issue.labels.*.name }}") == ["rfc", "Bug"]
    assert scope().evaluate("contains(github.event.issue.labels.*.name, 'bug')") is True
    assert scope().evaluate("startsWith('octo-org/rfcs', 'OCTO') && endsWith('a.md', '.MD')")
    assert scope().evaluate("format('{0}-{{x}}-{1}', 'a', true)") == "a-{x}-true"
    assert scope().evaluate("join(fromJSON('[1, 2]'), '+')") == "1+2"
    assert scope().evaluate("contains(fromJSON('[\"schedule\"]'), github.event_name)") is False


def test_interpolation_writes_values_as_strings() -> None:
    assert scope().interpolate("a${{ null }}b${{ true }}c${{ 3 }}d${{ 0.5 }}") == "abtruec3d0.5"
    assert scope().value_of("${{ 3 }}") == 3  # a whole expression keeps its type


def test_if_without_a_status_check_means_success_and() -> None:
    assert scope().condition("inputs.mode == 'lint'") is True
    assert scope(failed=True).condition("inputs.mode == 'lint'") is False
    assert scope(failed=True).condition("${{ always() && inputs.mode == 'lint' }}") is True
    assert scope(failed=True).condition("failure()") is True
    assert scope().condition(None) is True and scope(failed=True).condition(None) is False


def test_the_documented_upload_condition() -> None:
    condition = (
        "always() && hashFiles('present.sarif') != '' && "
        "github.event.pull_request.head.repo.full_name == github.repository"
    )
    assert scope(failed=True).condition(condition) is False  # a fork: no upload
    same = {**EVENT, "pull_request": {"head": {"repo": {"full_name": "octo-org/rfcs"}}}}
    github = {"event": same, "repository": "octo-org/rfcs"}
    assert scope(failed=True, github=github).condition(condition) is True
    assert scope(github=github).condition(condition.replace("present", "absent")) is False


def test_the_documented_job_condition_on_comments() -> None:
    condition = "github.event_name != 'issue_comment' || github.event.issue.pull_request"
    assert scope().condition(condition) is True
    on_issue = {"event_name": "issue_comment", "event": EVENT}
    assert scope(github=on_issue).condition(condition) is False
    pull_event = {**EVENT, "issue": {"pull_request": {"url": "u"}}}
    on_pull = {"event_name": "issue_comment", "event": pull_event}
    assert scope(github=on_pull).condition(condition) is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("secrets.TOKEN", "Unrecognized named-value: 'secrets'"),
        ("nope()", "Unrecognized function: 'nope'"),
        ("inputs.mode ==", "unexpected ''"),
        ("'unterminated", "unexpected symbol"),
        ("(1", "expected ')'"),
    ],
)
def test_what_the_runner_refuses(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        scope().evaluate(source)


@given(st.text(max_size=60))
@example("a.")
@example("a[")
@example("!")
def test_any_text_evaluates_or_is_refused_as_github_refuses_it(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        scope().evaluate(source)
