"""Pull-request labels: apply the changes the policy decided (``bot.policy.labels``).

``sync_labels`` is the one entry point. Each label about to be added is first created in the
repository with its style, where "already exists" is fine; then one request adds them all.
``known`` remembers which labels exist (a ``KnownLabelCache``), so a warm run creates none.
Removals are one request per label. Nothing to change: no request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, MutableMapping
from urllib.parse import quote

from cachetools import TTLCache
from gidgethub import BadRequest, InvalidField, ValidationError
from gidgethub.abc import GitHubAPI

from bot.policy.labels import label_changes, label_style
from bot.rfc.config.public import Config
from bot.values import Pull

log = logging.getLogger(__name__)

# (repository full name, lower-cased label name) -> True, for labels known to exist.
KnownLabels = MutableMapping[tuple[str, str], bool]
# A label deleted by hand is re-created (with its colour) at most this long after.
KNOWN_LABEL_SECONDS = 3600


class KnownLabelCache(TTLCache[tuple[str, str], bool]):
    """The App's ``KnownLabels`` (``ctx.caches.of(KnownLabelCache)``), each remembered
    ``KNOWN_LABEL_SECONDS``."""

    def __init__(self) -> None:
        super().__init__(maxsize=8192, ttl=KNOWN_LABEL_SECONDS)


async def sync_labels(
    gh: GitHubAPI, pull: Pull, config: Config, desired: Iterable[str], known: KnownLabels
) -> None:
    """Make the pull request's owned labels equal ``desired``; never touch labels not owned."""
    repo, number = pull.repo, pull.number
    _remember(known, repo, pull.labels)  # on the pull request, so in the repository too
    changes = label_changes(config, pull.labels, desired)
    await asyncio.gather(
        _add(gh, repo, number, dict(changes.add), known),
        *(_remove(gh, repo, number, name) for name in changes.remove),
    )


async def _add(
    gh: GitHubAPI,
    repo: str,
    number: int,
    styles: Mapping[str, tuple[str, str]],
    known: KnownLabels,
) -> None:
    if not styles:
        return
    unknown = [name for name in styles if (repo, name.lower()) not in known]
    await asyncio.gather(*(ensure_label(gh, repo, name, *styles[name]) for name in unknown))
    _remember(known, repo, unknown)
    await gh.post(f"/repos/{repo}/issues/{number}/labels", data={"labels": list(styles)})


async def set_label(
    gh: GitHubAPI, pull: Pull, config: Config, name: str, present: bool, known: KnownLabels
) -> None:
    """Put one label on the pull request or take it off, whoever owns it (the stale label,
    which the check's sync leaves alone); nothing when it already is as wanted."""
    there = name.lower() in (label.lower() for label in pull.labels)
    if present and not there:
        await _add(gh, pull.repo, pull.number, {name: label_style(config, name)}, known)
    elif there and not present:
        await _remove(gh, pull.repo, pull.number, name)


def _remember(known: KnownLabels, repo: str, names: Iterable[str]) -> None:
    for name in names:
        known[(repo, name.lower())] = True


async def ensure_label(gh: GitHubAPI, repo: str, name: str, color: str, description: str) -> None:
    """Create the repository label; one that already exists is left exactly as it is."""
    try:
        await gh.post(
            f"/repos/{repo}/labels",
            data={"name": name, "color": color, "description": description},
        )
    except BadRequest as error:
        if error.status_code != 422 or not _already_exists(error):
            raise


def _already_exists(error: BadRequest) -> bool:
    errors = error.errors if isinstance(error, InvalidField | ValidationError) else None
    if isinstance(errors, list):
        return any(isinstance(e, Mapping) and e.get("code") == "already_exists" for e in errors)
    return "already_exists" in str(error)


async def _remove(gh: GitHubAPI, repo: str, number: int, name: str) -> None:
    try:
        await gh.delete(f"/repos/{repo}/issues/{number}/labels/{quote(name, safe='')}")
    except BadRequest as error:
        if error.status_code != 404:  # already gone: the goal is reached
            raise
        log.info("label %r was already removed from %s#%d", name, repo, number)
