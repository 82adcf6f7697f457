"""The decision record: entries only the App writes, their canonical JSON and MAC, and the
checks that reject a forged, copied or altered record. Pure.

The record lives in a check run (``RECORD_NAME``) on the pull request's head commit; GitHub
lets only the App that created a check run change it, and nobody can delete one. Each entry
carries an HMAC-SHA256 over its canonical JSON plus the repository and pull request, keyed by
a key derived from the App's secret, so an entry copied from another pull request, or written
by another workflow sharing the ``github-actions`` App, fails to verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RECORD_NAME = "RFC decision record"
MAX_OUTPUT_CHARS = 65_535  # GitHub's limit on a check run's output text
_LABEL = b"rfc-bot decision record v1"
_VERSION = 1

KINDS = frozenset(
    {
        "start",
        "approve",
        "changes-requested",
        "concern",
        "resolve",
        "hold",
        "unhold",
        "cancel",
        "text-changed",
        "period-started",
        "moved",
        "reminded",
    }
)


class RecordBroken(Exception):
    """The record cannot be trusted: an entry fails its MAC, or it is missing or unreadable.
    The decision stops; the message says what is wrong."""


def record_key(signing_key: bytes) -> bytes:
    """The record's MAC key: derived from the App's key with its own label, so a proof of a
    commit can never pass as a record entry or the other way round."""
    return hmac.new(signing_key, _LABEL, hashlib.sha256).digest()


Identity = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted decision event. ``source``: the comment id, ``review:<id>``, a commit sha
    or ``app``; ``blob``: the RFC's blob sha at the head when accepted; ``extra``: the kind's
    own fields (``current``/``target``/``roster`` of a start, ``name`` of a concern, ``reason``
    of a hold ...)."""

    kind: str
    path: str
    actor: str
    at: datetime
    source: str
    blob: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""

    @property
    def identity(self) -> Identity:
        """What makes two entries the same event (two replicas may stamp different times).
        A concern's name is part of it: one comment may raise several concerns."""
        return (self.kind, self.path, self.source, self.blob, str(self.extra.get("name", "")))

    def claim(self) -> dict[str, Any]:
        """The entry as the JSON object its MAC covers."""
        return {
            "kind": self.kind,
            "path": self.path,
            "actor": self.actor,
            "at": stamp(self.at),
            "source": self.source,
            "blob": self.blob,
            "extra": dict(self.extra),
            "link": self.link,
        }


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: object) -> str:
    """One spelling per value: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_mac(key: bytes, repo: str, pull: int, entry: Entry) -> str:
    message = canonical_json([repo.lower(), pull, entry.claim()]).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def render_record(key: bytes, repo: str, pull: int, entries: Iterable[Entry]) -> str:
    """The check run's ``output.text``: the entries with their MACs, as JSON."""
    items = [{**e.claim(), "mac": entry_mac(key, repo, pull, e)} for e in ordered(entries)]
    return canonical_json({"version": _VERSION, "entries": items})


def fits(text: str) -> bool:
    return len(text) <= MAX_OUTPUT_CHARS and len(text.encode("utf-8")) <= MAX_OUTPUT_CHARS


def parse_record(key: bytes, repo: str, pull: int, text: str) -> list[Entry]:
    """The entries of one record's ``output.text``; ``RecordBroken`` when any entry is not
    exactly as the App wrote it for this pull request."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise RecordBroken("the decision record is not readable JSON") from error
    items = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(items, list) or data.get("version") != _VERSION:
        raise RecordBroken("the decision record has an unknown shape")
    return [_verified(key, repo, pull, item) for item in items]


def _verified(key: bytes, repo: str, pull: int, item: object) -> Entry:
    if not isinstance(item, dict):
        raise RecordBroken("a decision record entry is not an object")
    entry = _entry(item)
    mac = item.get("mac")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, entry_mac(key, repo, pull, entry)):
        raise RecordBroken(
            f"a decision record entry ({_kind_of(item)}) fails its proof: it was altered, "
            "copied from elsewhere or written by someone other than this App"
        )
    return entry


def _entry(item: Mapping[str, Any]) -> Entry:
    try:
        extra = item["extra"]
        if item["kind"] not in KINDS or not isinstance(extra, dict):
            raise TypeError
        fields = [str(item[name]) for name in ("kind", "path", "actor", "source", "blob")]
        at = datetime.fromisoformat(str(item["at"]).replace("Z", "+00:00"))
        return Entry(fields[0], fields[1], fields[2], at, fields[3], fields[4], extra,
                     str(item.get("link") or ""))  # fmt: skip
    except (KeyError, TypeError, ValueError) as error:
        raise RecordBroken(f"a decision record entry ({_kind_of(item)}) is malformed") from error


def _kind_of(item: Mapping[str, Any]) -> str:
    return "".join(c for c in str(item.get("kind", "?"))[:24] if c.isalnum() or c == "-")


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """The entries once each (by identity, the earliest kept), in the order they were
    accepted; replicas that wrote at once are merged by this."""
    kept: dict[Identity, Entry] = {}
    for entry in sorted(entries, key=_order_key):
        kept.setdefault(entry.identity, entry)
    return list(kept.values())


def merge(*records: Iterable[Entry]) -> list[Entry]:
    """The union of several records' entries (two replicas wrote at once)."""
    return ordered(entry for record in records for entry in record)


def _order_key(entry: Entry) -> tuple[object, ...]:
    return (entry.at, *entry.identity, entry.actor, canonical_json(dict(entry.extra)))


def baseline_blob(entries: Iterable[Entry], path: str) -> str | None:
    """The RFC text the record last saw on ``path``: the blob of its latest start,
    text-changed or move entry."""
    found = None
    for entry in ordered(entries):
        if entry.path == path and entry.kind in ("start", "text-changed", "moved"):
            found = entry.blob
    return found


def has_source(entries: Iterable[Entry], source: str) -> bool:
    return any(entry.source == source for entry in entries)


def open_paths(entries: Iterable[Entry]) -> list[str]:
    """The RFCs whose latest decision, as recorded, is neither cancelled nor moved."""
    latest: dict[str, str] = {}
    for entry in ordered(entries):
        if entry.kind in ("start", "cancel", "moved"):
            latest[entry.path] = entry.kind
    return [path for path, kind in latest.items() if kind == "start"]


def git_blob_sha(content: bytes) -> str:
    """The sha git gives a file's content (what GitHub lists as a file's ``sha``)."""
    header = f"blob {len(content)}\0".encode("ascii")
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()
