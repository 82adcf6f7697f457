"""The tracking issue of an accepted RFC: whether one is due, and what it says (title, labels,
the authors to assign, a checklist from the RFC's named sections, links to the RFC and its pull
request, and the hidden marker by which the App finds it again). Pure.

Only the RFC's text on the default branch after the merge is read, never a ``**Tracking
Issue:**`` line in it: that line is the App's to write (``bot.rfc.numbering.follow_up``), and one
an author wrote is overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.policy.markers import defuse, tracking
from bot.policy.text import clip, one_line
from bot.rfc.config.public import Config
from bot.rfc.document import Document, normalize_title
from bot.rfc.paths import parse_name

MAX_TITLE = 256  # GitHub's limit on an issue title
MAX_ASSIGNEES = 10  # GitHub assigns at most ten people to an issue
MAX_ITEMS = 100  # checklist items, all sections together
MAX_ITEM_CHARS = 300
_BOX = re.compile(r"\[[ xX]\][ \t]+")


@dataclass(frozen=True, slots=True)
class TrackingIssue:
    """The issue the App wants for one RFC of a merged pull request."""

    rfc_path: str  # the unnumbered path the pull request added (what the marker names)
    title: str
    body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]  # candidates: GitHub is asked which of them can be assigned
    marker: str


def wants_tracking(doc: Document, config: Config) -> bool:
    """Whether an RFC merged with this text gets a tracking issue."""
    wanted = config.follow_up.tracking_issue
    status = config.canonical_status(doc.status)
    if wanted is None or status is None:
        return False
    return status in {config.canonical_status(s) for s in wanted.statuses}


def tracking_issue(
    *,
    repo: str,
    repo_url: str,
    branch: str,
    pull: int,
    old_path: str,
    new_path: str,
    doc: Document,
    config: Config,
) -> TrackingIssue:
    """The tracking issue of the RFC ``old_path`` of pull request ``pull``, numbered as
    ``new_path`` on ``branch`` (``config.follow_up.tracking_issue`` must be set)."""
    wanted = config.follow_up.tracking_issue
    assert wanted is not None
    name = parse_name(new_path)
    number = f"{name.number:0{config.number_width}d}" if name else "?"
    rfc_title = one_line(doc.title or (name.slug if name else new_path))
    title = wanted.title.replace("{number}", number).replace("{title}", rfc_title)
    marker = tracking(repo, pull, old_path)
    link = f"{repo_url}/blob/{branch}/{new_path}"
    lines = [
        marker,
        f"Tracks the implementation of [RFC {number}: {_inline(rfc_title)}]({link}), "
        f"accepted in #{pull}.",
        "",
        *_checklist(doc, wanted.checklist_sections),
    ]
    authors = doc.authors if wanted.assignees == "authors" else []
    return TrackingIssue(
        old_path,
        clip(title, MAX_TITLE),
        "\n".join(lines).rstrip() + "\n",
        wanted.labels,
        tuple(dict.fromkeys(login.lower() for login in authors))[:MAX_ASSIGNEES],
        marker,
    )


def _checklist(doc: Document, sections: Sequence[str]) -> list[str]:
    """Each named section's bullets (its sub-sections' too) as unchecked boxes."""
    wanted = [normalize_title(title) for title in sections]
    lines: list[str] = []
    budget = MAX_ITEMS
    for key in wanted:
        for section in (s for s in doc.sections if s.key == key):
            items = [
                _item(item.text)
                for item in doc.list_items
                if section.line < item.line <= section.end_line and item.text.strip()
            ][:budget]
            if items:
                budget -= len(items)
                lines += [f"### {_inline(section.title)}", *items, ""]
    if not lines:
        names = ", ".join(f"_{_inline(title)}_" for title in sections) or "no section"
        lines = [f"The RFC's {names} list no items: add the tasks here."]
    return lines


def _item(text: str) -> str:
    box = _BOX.match(text)
    item = text[box.end() :] if box else text
    return f"- [ ] {_inline(clip(item.strip(), MAX_ITEM_CHARS))}"


def _inline(text: str) -> str:
    """RFC text on one line of the issue: no line break, no marker of the App's."""
    return defuse(one_line(text))
