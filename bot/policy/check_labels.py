"""The labels a check run implies, recorded in the run itself, so that a sweep can tell from
the run and the pull request listing alone whether a pull request's labels are in sync. Pure.

The `RFC validation` run's ``external_id`` carries a digest of the owned labels its lint
earned (``rfc``, ``rfc: <status>``, ``app: <name>``; never the decision labels, which the
decisions feature sets, nor ``rfc: numbered``, which is only ever added). Only this App can
write its runs, so the digest is the App's own word. A digest, not the names: GitHub
documents no bound on ``external_id``, and a short value stays far below any.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from bot.policy.labels import decision_labels, is_owned_label
from bot.rfc.config.public import Config

_TAG = " labels:"
_DIGEST_CHARS = 16


def labels_digest(labels: Iterable[str]) -> str:
    """One spelling per set of labels (GitHub compares label names without case)."""
    names = "\n".join(sorted({name.lower() for name in labels}))
    return hashlib.sha256(names.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]


def labelled_run_id(nonce: str, implied: Iterable[str]) -> str:
    """A run's ``external_id``: ``nonce`` (unique per run, which finds a run whose answer was
    lost) and the digest of the labels the run implies."""
    return f"{nonce}{_TAG}{labels_digest(implied)}"


def implied_digest(external_id: object) -> str | None:
    """The labels digest a run's ``external_id`` records; None for a run without one (made
    by an older release, or by something else)."""
    if not isinstance(external_id, str):
        return None
    _, tag, digest = external_id.rpartition(_TAG)
    if not tag or len(digest) != _DIGEST_CHARS or not _is_hex(digest):
        return None
    return digest


def owned_now(config: Config, labels: Iterable[str]) -> set[str]:
    """The labels a check run decides among ``labels``: owned, and not a decision label."""
    managed = decision_labels(config)
    return {name for name in labels if is_owned_label(config, name) and name not in managed}


def _is_hex(text: str) -> bool:
    return all(char in "0123456789abcdef" for char in text)
