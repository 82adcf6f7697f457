"""Typed values from JSON: a dict (what decoded JSON is) and any other Mapping read the same."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from bot.errors import PayloadError
from bot.values import Comment, Pull, is_object


def _pull() -> dict[str, Any]:
    repo = {"full_name": "o/r", "default_branch": "main"}
    return {
        "number": 7,
        "state": "open",
        "user": {"login": "ana"},
        "head": {"ref": "rfc/x", "sha": "a" * 40, "repo": repo},
        "base": {"ref": "main", "sha": "b" * 40, "repo": repo},
        "labels": [{"name": "rfc"}, {"name": 3}, "not an object"],
    }


def _frozen(value: Any) -> Any:
    """The same JSON with every object a read-only Mapping that is not a dict."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_frozen(item) for item in value]
    return value


def test_a_mapping_that_is_not_a_dict_reads_as_the_dict_does() -> None:
    assert Pull.from_json(_frozen(_pull())) == Pull.from_json(_pull())
    assert Pull.from_json(_pull()).labels == ("rfc",)


def test_is_object_only_for_mappings() -> None:
    assert is_object({}) and is_object(MappingProxyType({}))
    assert not any(is_object(value) for value in ([], "x", None, 1, (("a", 1),)))


@pytest.mark.parametrize("wrong", [[], "pull", None, 7])
def test_a_pull_request_that_is_not_an_object_is_refused(wrong: Any) -> None:
    with pytest.raises(PayloadError, match="expected an object"):
        Pull.from_json(wrong)


def test_a_base_that_is_not_an_object_names_the_field() -> None:
    with pytest.raises(PayloadError, match=r"pull_request\.base: expected an object"):
        Pull.from_json({**_pull(), "base": ["main"]})


def test_a_comment_with_a_non_object_user_has_no_author() -> None:
    comment = Comment.from_json({"id": 1, "body": "hi", "user": "ana"})
    assert comment.author is None and not comment.author_is_bot
