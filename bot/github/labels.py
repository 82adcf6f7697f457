"""Pull-request labels the App keeps in step with the RFCs: `rfc`, `rfc: <status>`, `app: <name>`.

The App only ever removes labels it owns (see ``is_owned_label``); anything else a person put
on the pull request is left alone. ``labels.numbered`` belongs to the numbering feature and is
never removed here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping
from typing import Protocol
from urllib.parse import quote

from gidgethub import BadRequest, InvalidField, ValidationError
from gidgethub.abc import GitHubAPI

from bot.rfc.config import Config

log = logging.getLogger(__name__)

# GitHub's colour for a label created without one.
GITHUB_DEFAULT_COLOR = "ededed"
_RFC_COLOR = "5319e7"
_APP_COLOR = "1d76db"
_NUMBERED_COLOR = "0e8a16"
_STATUS_COLORS: Mapping[str, str] = {
    "draft": "c5def5",
    "proposed": "fbca04",
    "final": "0e8a16",
    "deprecated": "b60205",
}
_OTHER_STATUS_COLOR = "bfd4f2"

# (repository full name, lower-cased label name) -> True, for labels known to exist.
KnownLabels = MutableMapping[tuple[str, str], bool]


class LabelledDocument(Protocol):
    """What the labels read of ``bot.rfc.document.Document``."""

    @property
    def status(self) -> str | None: ...
    @property
    def target_apps(self) -> list[str]: ...


def status_label(config: Config, status: str) -> str | None:
    """``rfc: draft`` for a configured status (matched case-insensitively), else None."""
    canonical = _match(status, config.statuses)
    return None if canonical is None else config.labels.status_prefix + canonical.lower()


def app_label(config: Config, app: str) -> str | None:
    """``app: api`` for a configured target application (case-insensitive), else None."""
    canonical = _match(app, config.target_apps)
    return None if canonical is None else config.labels.app_prefix + canonical


def desired_labels(config: Config, documents: Iterable[LabelledDocument | None]) -> set[str]:
    """The owned labels a pull request touching these RFCs should carry.

    ``None`` stands for an RFC file the PR touches whose content could not be read (or that it
    deletes): it still earns the ``rfc`` label but no status or application label.
    """
    labels: set[str] = set()
    for document in documents:
        labels.add(config.labels.rfc)
        if document is None:
            continue
        if document.status:
            labels.add(status_label(config, document.status) or "")
        labels.update(app_label(config, app) or "" for app in document.target_apps)
    labels.discard("")
    return labels


def is_owned_label(config: Config, name: str) -> bool:
    """True for labels this feature manages (and may therefore remove)."""
    names = config.labels
    if name == names.numbered:
        return False
    if name == names.rfc:
        return True
    status = _strip_prefix(name, names.status_prefix)
    if status is not None and status in {s.lower() for s in config.statuses}:
        return True
    app = _strip_prefix(name, names.app_prefix)
    return app is not None and app in config.target_apps


def label_style(config: Config, name: str) -> tuple[str, str]:
    """(colour, description) used when the App creates the label."""
    names = config.labels
    if name == names.rfc:
        return _RFC_COLOR, "Adds or changes an RFC"
    if name == names.numbered:
        return _NUMBERED_COLOR, "RFC number assigned on merge"
    status = _strip_prefix(name, names.status_prefix)
    if status is not None and status in {s.lower() for s in config.statuses}:
        return _STATUS_COLORS.get(status, _OTHER_STATUS_COLOR), f"RFC status: {status}"
    app = _strip_prefix(name, names.app_prefix)
    if app is not None:
        return _APP_COLOR, f"RFC targets the {app} application"
    return GITHUB_DEFAULT_COLOR, ""


def _default_style(name: str) -> tuple[str, str]:
    return GITHUB_DEFAULT_COLOR, ""


async def sync_labels(
    gh: GitHubAPI,
    repo: str,
    number: int,
    *,
    current: Iterable[str],
    desired: Iterable[str],
    owned: Callable[[str], bool] | Collection[str],
    style: Callable[[str], tuple[str, str]] | None = None,
    known: KnownLabels | None = None,
) -> None:
    """Make the issue's owned labels equal ``desired``; never touch labels not owned.

    ``current`` comes from the event payload (no fetch). Each label about to be added is
    first created in the repository with ``style(name)`` — pass
    ``functools.partial(label_style, config)`` — where "already exists" is fine; then one
    request adds them all. ``known`` remembers which labels exist (``Context.known_labels``),
    so a warm run creates none. Removals are one request per label. Nothing to change: no
    request.
    """
    is_owned = owned if callable(owned) else set(owned).__contains__
    have, want = set(current), set(desired)
    known = {} if known is None else known
    _remember(known, repo, have)  # on the pull request, so in the repository too
    to_add = sorted(want - have)
    to_remove = sorted(name for name in have - want if is_owned(name))
    styler = style or _default_style
    await asyncio.gather(
        _add(gh, repo, number, to_add, styler, known),
        *(_remove(gh, repo, number, name) for name in to_remove),
    )


async def _add(
    gh: GitHubAPI,
    repo: str,
    number: int,
    names: list[str],
    style: Callable[[str], tuple[str, str]],
    known: KnownLabels,
) -> None:
    if not names:
        return
    unknown = [name for name in names if (repo, name.lower()) not in known]
    await asyncio.gather(*(ensure_label(gh, repo, name, *style(name)) for name in unknown))
    _remember(known, repo, unknown)
    await gh.post(f"/repos/{repo}/issues/{number}/labels", data={"labels": names})


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


def _match(value: str, choices: Iterable[str]) -> str | None:
    wanted = value.strip().lower()
    return next((choice for choice in choices if choice.lower() == wanted), None)


def _strip_prefix(name: str, prefix: str) -> str | None:
    return name[len(prefix) :] if prefix and name.startswith(prefix) else None
