"""Who may move an RFC between statuses: the pure decision and the GitHub questions behind it."""

from __future__ import annotations

from http import HTTPStatus
from types import MappingProxyType
from typing import Any

import pytest
from gidgethub import BadRequest

from bot.features.roles import actor_roles, is_maintainer
from bot.policy.permissions import (
    Allowed,
    Refused,
    Roles,
    decide,
    is_author,
    needs_maintainer_check,
    teams,
    who_may,
)
from bot.rfc.config.public import Config
from bot.rfc.workflow import rfc_authors

CONFIG = Config()


class FakeGitHub:
    """Answers getitem from a table of paths; records every path asked."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def getitem(self, url: str, url_vars: dict[str, str] | None = None) -> Any:
        self.asked.append(url)
        answer = self.answers.get(url, HTTPStatus.NOT_FOUND)
        if isinstance(answer, HTTPStatus):
            raise BadRequest(answer)
        return answer


def permission_path(user: str) -> str:
    return f"/repos/o/r/collaborators/{user}/permission"


def test_author_may_propose() -> None:
    assert decide("alice", "Draft", "Proposed", Roles(author=True), CONFIG) == Allowed(
        "Draft", "Proposed"
    )


def test_maintainer_may_finalise_but_author_may_not() -> None:
    assert isinstance(decide("mona", "Proposed", "Final", Roles(maintainer=True), CONFIG), Allowed)
    refused = decide("alice", "Proposed", "Final", Roles(author=True), CONFIG)
    assert refused == Refused(
        "**Proposed -> Final** may be done by maintainers (write access to the repository, "
        "or listed in the config); @alice is not a maintainer of this repository "
        "(being an author is not enough here)."
    )


def test_stranger_is_told_who_may() -> None:
    refused = decide("eve", "Draft", "Proposed", Roles(), CONFIG)
    assert isinstance(refused, Refused)
    assert "the RFC's authors" in refused.reason
    assert "maintainers" in refused.reason
    assert refused.reason.endswith(
        "@eve is neither an author of this RFC nor a maintainer of this repository."
    )


def test_forbidden_transition_lists_the_reachable_states() -> None:
    refused = decide("mona", "Draft", "Final", Roles(author=True, maintainer=True), CONFIG)
    assert refused == Refused(
        "**Draft -> Final** is not an allowed move; from **Draft** an RFC can move to **Proposed**."
    )


def test_nothing_leaves_deprecated() -> None:
    refused = decide("mona", "Deprecated", "Draft", Roles(maintainer=True), CONFIG)
    assert refused == Refused("an RFC in **Deprecated** cannot change status any more.")


def test_permission_keys_match_ignoring_case_and_spacing() -> None:
    config = Config(permissions=MappingProxyType({"proposed->FINAL": ("author",)}))
    assert who_may("Proposed", "Final", config) == ("author",)
    assert who_may("Draft", "Proposed", config) == ("maintainers",)  # unlisted
    assert isinstance(decide("alice", "Proposed", "Final", Roles(author=True), config), Allowed)
    refused = decide("mona", "Proposed", "Final", Roles(maintainer=True), config)
    assert isinstance(refused, Refused)
    assert refused.reason.endswith("@mona is not an author of this RFC.")


def test_canonical_status() -> None:
    assert CONFIG.canonical_status(" proposed ") == "Proposed"
    assert CONFIG.canonical_status("[Draft]") is None
    assert CONFIG.canonical_status(None) is None


def test_author_is_the_pull_author_or_listed_in_the_rfc() -> None:
    assert is_author("Alice", rfc_authors(None, [], "alice"))
    assert is_author("bob", rfc_authors(None, ["@Bob", "carol"], "alice"))
    assert not is_author("eve", rfc_authors(None, ["bob"], "alice"))
    assert not is_author("eve", rfc_authors(None, [], None))


def test_authors_of_an_existing_rfc_come_from_the_base_branch() -> None:
    # Opening a PR on someone else's RFC, or adding yourself to its Author(s) line in that
    # PR, does not make you its author.
    authors = rfc_authors(["@carol"], ["@carol", "@eve"], "eve")
    assert not is_author("eve", authors)
    assert is_author("carol", authors)


def test_maintainer_check_is_skipped_when_authorship_suffices() -> None:
    assert not needs_maintainer_check("Draft", "Proposed", True, CONFIG)
    assert needs_maintainer_check("Draft", "Proposed", False, CONFIG)
    assert needs_maintainer_check("Proposed", "Final", True, CONFIG)


def test_teams_parse_org_slash_team_entries() -> None:
    config = Config(maintainers=("mona", "octo-org/rfc-editors", "bad/"))
    assert teams(config) == [("octo-org", "rfc-editors")]


async def test_author_roles_ask_github_nothing() -> None:
    gh = FakeGitHub({})
    roles = await actor_roles(
        gh, "o/r", "alice", current="Draft", target="Proposed",
        authors=rfc_authors(None, [], "alice"), config=CONFIG,
    )  # fmt: skip
    assert roles == Roles(author=True)
    assert gh.asked == []


async def test_config_listed_maintainer_asks_github_nothing() -> None:
    gh = FakeGitHub({})
    assert await is_maintainer(gh, "o/r", "Mona", Config(maintainers=("mona",)))
    assert gh.asked == []


@pytest.mark.parametrize(
    ("permission", "expected"),
    [("admin", True), ("maintain", True), ("write", True), ("triage", False), ("read", False)],
)
async def test_repository_permission_decides(permission: str, expected: bool) -> None:
    gh = FakeGitHub({permission_path("bob"): {"permission": permission, "role_name": permission}})
    assert await is_maintainer(gh, "o/r", "bob", CONFIG) is expected


async def test_team_membership_is_asked_last() -> None:
    team_path = "/orgs/octo-org/teams/editors/memberships/bob"
    config = Config(maintainers=("octo-org/editors",))
    active = FakeGitHub({permission_path("bob"): {"permission": "read"},
                         team_path: {"state": "active"}})  # fmt: skip
    assert await is_maintainer(active, "o/r", "bob", config)
    assert active.asked == [permission_path("bob"), team_path]
    pending = FakeGitHub({permission_path("bob"): {"permission": "read"},
                          team_path: {"state": "pending"}})  # fmt: skip
    assert not await is_maintainer(pending, "o/r", "bob", config)


async def test_unreadable_team_counts_as_not_a_member() -> None:
    gh = FakeGitHub({"/orgs/o/teams/t/memberships/bob": HTTPStatus.FORBIDDEN})
    assert not await is_maintainer(gh, "o/r", "bob", Config(maintainers=("o/t",)))


async def test_refusal_after_asking_github() -> None:
    gh = FakeGitHub({permission_path("eve"): {"permission": "read"}})
    roles = await actor_roles(
        gh, "o/r", "eve", current="Proposed", target="Final",
        authors=rfc_authors(None, ["alice"], "alice"), config=CONFIG,
    )  # fmt: skip
    assert roles == Roles()
    assert isinstance(decide("eve", "Proposed", "Final", roles, CONFIG), Refused)
