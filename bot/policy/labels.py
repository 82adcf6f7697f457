"""Which labels a pull request should carry: `rfc`, `rfc: <status>`, `app: <name>`, `rfc: numbered`.

Pure policy. The App only ever removes labels it owns (see ``is_owned_label``); anything else a
person put on the pull request is left alone. ``labels.numbered`` is only ever added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.rfc.config.public import Config

# GitHub's colour for a label created without one.
GITHUB_DEFAULT_COLOR = "ededed"
_RFC_COLOR = "5319e7"
_APP_COLOR = "1d76db"
_NUMBERED_COLOR = "0e8a16"
_DECISION_COLOR = "d4c5f9"
_PERIOD_COLOR = "f9d0c4"
_STALE_COLOR = "cccccc"
_DIGEST_COLOR = "c2e0c6"
_STATUS_COLORS: Mapping[str, str] = {
    "draft": "c5def5",
    "proposed": "fbca04",
    "final": "0e8a16",
    "deprecated": "b60205",
}
_OTHER_STATUS_COLOR = "bfd4f2"


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
    if name == names.rfc or name in decision_labels(config):
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
    if name == names.decision:
        return _DECISION_COLOR, "An RFC decision is collecting approvals"
    if name == names.comment_period:
        return _PERIOD_COLOR, "An RFC decision is in its final comment period"
    if name == names.stale:
        return _STALE_COLOR, "No activity for longer than stale_after allows"
    if name == names.digest:
        return _DIGEST_COLOR, "The weekly RFC digest"
    status = _strip_prefix(name, names.status_prefix)
    if status is not None and status in {s.lower() for s in config.statuses}:
        return _STATUS_COLORS.get(status, _OTHER_STATUS_COLOR), f"RFC status: {status}"
    app = _strip_prefix(name, names.app_prefix)
    if app is not None:
        return _APP_COLOR, f"RFC targets the {app} application"
    return GITHUB_DEFAULT_COLOR, ""


def decision_labels(config: Config) -> frozenset[str]:
    """The labels the decisions feature manages (the check keeps them as they are)."""
    return frozenset({config.labels.decision, config.labels.comment_period})


def with_decision_labels(config: Config, current: Iterable[str], wanted: Iterable[str]) -> set[str]:
    """``current`` with the decision labels set to ``wanted`` (a subset of them)."""
    managed = decision_labels(config)
    return {name for name in current if name not in managed} | (set(wanted) & managed)


def kept_decision_labels(config: Config, current: Iterable[str]) -> set[str]:
    """The decision labels among ``current``: the check's sync keeps them."""
    return set(current) & decision_labels(config)


def with_numbered(config: Config, current: Iterable[str]) -> set[str]:
    """The labels of a pull request whose RFCs got their numbers."""
    return {*current, config.labels.numbered}


@dataclass(frozen=True, slots=True)
class LabelChanges:
    """What to change: labels to add (with their style, used if the repository lacks them)
    and owned labels to remove."""

    add: tuple[tuple[str, tuple[str, str]], ...]
    remove: tuple[str, ...]


def label_changes(config: Config, current: Iterable[str], desired: Iterable[str]) -> LabelChanges:
    """Make the owned labels equal ``desired``; labels the App does not own are never removed."""
    have, want = set(current), set(desired)
    return LabelChanges(
        add=tuple((name, label_style(config, name)) for name in sorted(want - have)),
        remove=tuple(sorted(name for name in have - want if is_owned_label(config, name))),
    )


def _match(value: str, choices: Iterable[str]) -> str | None:
    wanted = value.strip().lower()
    return next((choice for choice in choices if choice.lower() == wanted), None)


def _strip_prefix(name: str, prefix: str) -> str | None:
    return name[len(prefix) :] if prefix and name.startswith(prefix) else None
