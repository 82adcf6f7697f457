"""The hidden markers the App writes into its comments: each one's format, writer and reader.

A marker is an HTML comment, invisible on GitHub, by which the App finds its own records again
(GitHub is the database). Markers sit in two places only, and the readers look nowhere else:

- the head: a comment's first line starts with them (a reply names the comment it answers;
  the status panel; the numbering announcement; a numbering error);
- a record: a decision's marker is the last line of the message it ends (the start reply, a
  reminder, the comment period's start, the move's announcement), so the comment's end or a
  blank line follows it. Its claim is compact JSON.

Only the App's own comments are read (GitHub proves their author, ``bot.github.issues``), and
user text the App echoes in them goes through ``defuse`` first, so it can never form a marker.
Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

_OPEN = "<!--"
_CLOSE = "-->"
_REPLY = " rfc-bot:reply:"
_MAX_ID_DIGITS = 20
_DIGITS = frozenset("0123456789")

PANEL = "<!-- rfc-bot:panel -->"
NUMBERED = "<!-- rfc-bot:numbered -->"
NUMBERING_ERROR = "<!-- rfc-bot:numbering-error -->"


class Record(StrEnum):
    """The kinds of decision record."""

    START = "rfc-bot:decision-start"
    REMINDER = "rfc-bot:decision-reminder"
    DONE = "rfc-bot:decision-done"
    PERIOD = "rfc-bot:decision-period"


_RECORD_START = f"{_OPEN} rfc-bot:decision-"
_KINDS = {kind.value: kind for kind in Record}


# --- writers ------------------------------------------------------------------------------


def reply(comment_id: int, digest: str) -> str:
    """A reply's head: the comment it answers, and a digest of the lines it runs."""
    return f"{_OPEN}{_REPLY}{comment_id} {_CLOSE}{_OPEN} {digest} {_CLOSE}"


def record(kind: Record, claim: Mapping[str, object]) -> str:
    """A decision record line. The claim has no ``<`` or ``>``: it cannot close the comment."""
    value = json.dumps(claim, separators=(",", ":"))
    value = value.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{_OPEN} {kind.value} {value} {_CLOSE}"


def defuse(text: str) -> str:
    """User text the App echoes, unable to open or close an HTML comment (a word joiner, which
    GitHub shows as nothing, splits ``<!--`` and ``-->``), so it can never form a marker."""
    return text.replace(_OPEN, "<!\u2060--").replace(_CLOSE, "--\u2060>")


# --- readers ------------------------------------------------------------------------------


def reply_ids(body: str) -> list[int]:
    """The comment ids the head of the App's ``body`` says it answers (linear in its size)."""
    ids = []
    for inner in _head(body):
        digits = inner.removeprefix(_REPLY).removesuffix(" ")
        if (
            inner.startswith(_REPLY)
            and inner.endswith(" ")
            and 0 < len(digits) <= _MAX_ID_DIGITS
            and set(digits) <= _DIGITS
        ):
            ids.append(int(digits))
    return ids


def records(body: str) -> list[tuple[Record, dict[str, Any]]]:
    """(kind, claim) of each decision record in the App's ``body``."""
    found = []
    for line in _record_lines(body):
        kind, _, value = line[len(_OPEN) + 1 : -len(_CLOSE) - 1].partition(" ")
        try:
            claim = json.loads(value)
        except ValueError:
            continue
        if kind in _KINDS and isinstance(claim, dict):
            found.append((_KINDS[kind], claim))
    return found


def carries(body: str, marker: str) -> bool:
    """Whether the App's ``body`` holds ``marker`` (as a writer above made it) in its place."""
    if marker.startswith(_RECORD_START):
        return marker in _record_lines(body)
    first_line = body.partition("\n")[0]
    rest = first_line.removeprefix(marker)
    return rest != first_line and (not rest or rest.startswith(_OPEN))


def _head(body: str) -> list[str]:
    """The inner text of each HTML comment in the run that starts the first line."""
    line = body.partition("\n")[0]
    found = []
    at = 0
    while line.startswith(_OPEN, at):
        end = line.find(_CLOSE, at + len(_OPEN))
        if end == -1:
            break
        found.append(line[at + len(_OPEN) : end])
        at = end + len(_CLOSE)
    return found


def _record_lines(body: str) -> list[str]:
    """Lines that are a whole decision record and end their message."""
    lines = body.splitlines()
    return [
        line
        for number, line in enumerate(lines)
        if line.startswith(_RECORD_START)
        and line.endswith(f" {_CLOSE}")
        and (number + 1 == len(lines) or not lines[number + 1].strip())
    ]
