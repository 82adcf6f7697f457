"""The ``follow_up`` table: what the App does besides numbering when an RFC's pull request
merges (a tracking issue, links rewritten to the numbered file). See docs/numbering.md."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.rfc.config.collection_kinds import ListOf, OrNull
from bot.rfc.config.scalar_kinds import Choice, Integer, LabelText, Name, RepoDir
from bot.rfc.config.sections import Section, setting

TRACKING_ASSIGNEES: tuple[str, ...] = ("authors", "none")
DEFAULT_TRACKING_TITLE = "Tracking issue for RFC {number}: {title}"


@dataclass(frozen=True)
class TrackingIssueConfig:
    title: str = setting(
        Name(),
        DEFAULT_TRACKING_TITLE,
        "The issue's title; {number} is the RFC's number, {title} its title.",
    )
    labels: tuple[str, ...] = setting(
        ListOf(LabelText()), ("rfc: tracking",), "Labels of the issue (created if missing)."
    )
    assignees: str = setting(
        Choice(TRACKING_ASSIGNEES),
        "authors",
        "authors: the RFC's Author(s) handles that GitHub lets the repository assign; none.",
    )
    checklist_sections: tuple[str, ...] = setting(
        ListOf(),
        ("Success Metrics", "Rollout Plan"),
        "Sections of the RFC whose bullets become the issue's checklist (`- [ ]`).",
    )
    statuses: tuple[str, ...] = setting(
        ListOf(at_least=1, too_few="needs at least one status", fold_case=True),
        ("Final",),
        "An RFC merged with one of these statuses gets a tracking issue.",
    )


@dataclass(frozen=True)
class LinksConfig:
    folders: tuple[str, ...] = setting(
        ListOf(RepoDir()),
        ("docs",),
        "Folders (with their subfolders) whose markdown files get their relative links to a "
        "renamed RFC rewritten, besides rfc_dir (always).",
    )
    max_files: int = setting(
        Integer(0, 5000),
        200,
        "At most this many markdown files of those folders are read per merge (a note says "
        "when more were left).",
    )


@dataclass(frozen=True)
class FollowUpConfig:
    tracking_issue: TrackingIssueConfig | None = setting(
        OrNull(Section(TrackingIssueConfig), None),
        None,
        "A tracking issue opened once when an RFC merges accepted; null: none. `{}` turns it "
        "on with its keys' defaults.",
    )
    links: LinksConfig | None = setting(
        OrNull(Section(LinksConfig), None),
        LinksConfig(),
        "Relative links to a renamed RFC rewritten in the numbering commit; null: never.",
    )


def follow_up_statuses(follow_up: FollowUpConfig) -> Iterable[str]:
    """The statuses ``follow_up`` names (each must be one of ``statuses``)."""
    return follow_up.tracking_issue.statuses if follow_up.tracking_issue else ()
