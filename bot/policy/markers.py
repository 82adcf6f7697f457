"""The hidden markers the App writes into its comments: each one's format, writer and reader.

A marker is an HTML comment, invisible on GitHub, by which the App finds its own records again
(GitHub is the database). Markers sit in two places only, and the readers look nowhere else:

- the head: a comment's first line starts with them (a reply names the comment it answers;
  the status panel; the numbering announcement; a numbering error), and so may the answer to
  one command in a reply (``/rfc number`` answers with the numbering announcement); a
  tracking issue's body starts with the RFC it tracks;
- a record: a decision's marker is the last line of the message it ends (a reminder, the
  comment period's start, the move's announcement), so the comment's end or a blank line
  follows it. Its claim is compact JSON. It only makes that message said once (``carries``);
  decision state lives in the decision record, never in a comment.

Only the App's own comments are read (GitHub proves their author, ``bot.github.issues``), and
user text the App echoes in them goes through ``defuse`` first, so it can never form a marker.
Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from enum import StrEnum

_OPEN = "<!--"
_CLOSE = "-->"
_REPLY = " rfc-bot:reply:"
_MAX_ID_DIGITS = 20
_DIGITS = frozenset("0123456789")
_WEEK_CHARS = _DIGITS | {"-"}

PANEL = "<!-- rfc-bot:panel -->"
NUMBERED = "<!-- rfc-bot:numbered -->"
NUMBERING_ERROR = "<!-- rfc-bot:numbering-error -->"
# The head of the one reminder of a stale episode (``bot.policy.staleness``).
STALE = "<!-- rfc-bot:stale -->"
# The head of the weekly digest issue's body, followed by ``digest_week``'s marker.
DIGEST = "<!-- rfc-bot:digest -->"
_DIGEST_WEEK = " rfc-bot:digest-week "
# After ``PANEL`` in the panel's head while a decision runs: a record that then cannot be found
# stops the decisions instead of silently reading as "none started".
RUNNING = "<!-- rfc-bot:decision-running -->"


class Record(StrEnum):
    """The kinds of decision record: each makes one message said once."""

    REMINDER = "rfc-bot:decision-reminder"
    DONE = "rfc-bot:decision-done"
    PERIOD = "rfc-bot:decision-period"


_RECORD_START = f"{_OPEN} rfc-bot:decision-"


# --- writers ------------------------------------------------------------------------------


def reply(comment_id: int, digest: str) -> str:
    """A reply's head: the comment it answers, and a digest of the lines it runs."""
    return f"{_OPEN}{_REPLY}{comment_id} {_CLOSE}{_OPEN} {digest} {_CLOSE}"


def record(kind: Record, claim: Mapping[str, object]) -> str:
    """A decision record line. The claim has no ``<`` or ``>``: it cannot close the comment."""
    value = json.dumps(claim, separators=(",", ":"))
    value = value.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{_OPEN} {kind.value} {value} {_CLOSE}"


def digest_head(week: str) -> str:
    """The digest's head: ``DIGEST``, then the week it was written for (``YYYY-MM-DD``)."""
    return f"{DIGEST}{_OPEN}{_DIGEST_WEEK}{week} {_CLOSE}"


def tracking(repo: str, pull: int, path: str) -> str:
    """The head of a tracking issue's body: the repository, pull request and RFC (its
    unnumbered path) it tracks. Compact JSON without ``<`` or ``>``, like a record's claim."""
    claim = json.dumps({"repo": repo.lower(), "pr": pull, "rfc": path}, separators=(",", ":"))
    claim = claim.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{_OPEN} rfc-bot:tracking {claim} {_CLOSE}"


def defuse(text: str) -> str:
    """User text the App echoes, unable to open or close an HTML comment (a word joiner, which
    GitHub shows as nothing, splits ``<!--`` and ``-->``), so it can never form a marker."""
    return text.replace(_OPEN, "<!\u2060--").replace(_CLOSE, "--\u2060>")


# --- readers ------------------------------------------------------------------------------


def reply_ids(body: str) -> list[int]:
    """The comment ids the head of the App's ``body`` says it answers (linear in its size)."""
    ids = []
    for inner in _head_comments(_first_line(body)):
        digits = inner.removeprefix(_REPLY).removesuffix(" ")
        if (
            inner.startswith(_REPLY)
            and inner.endswith(" ")
            and 0 < len(digits) <= _MAX_ID_DIGITS
            and set(digits) <= _DIGITS
        ):
            ids.append(int(digits))
    return ids


def digest_week(body: str) -> str | None:
    """The week the App's digest ``body`` was written for, from its head; None without one."""
    first = _first_line(body)
    if not _starts_with(first, DIGEST):
        return None
    for inner in _head_comments(first.removeprefix(DIGEST)):
        week = inner.removeprefix(_DIGEST_WEEK).removesuffix(" ")
        if inner.startswith(_DIGEST_WEEK) and inner.endswith(" ") and _is_day(week):
            return week
    return None


def _is_day(text: str) -> bool:
    """``YYYY-MM-DD``, a real day."""
    if len(text) != 10 or not set(text) <= _WEEK_CHARS:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def panel_says_running(body: str) -> bool:
    """Whether the App's panel ``body`` says a decision is running."""
    return carries(body, PANEL + RUNNING)


def carries(body: str, marker: str) -> bool:
    """Whether the App's ``body`` holds ``marker`` (as a writer above made it) in its place."""
    if marker.startswith(_RECORD_START):
        return marker in _record_lines(body)
    return any(_starts_with(head, marker) for head in _heads(body))


def _starts_with(head: str, marker: str) -> bool:
    """``head`` starts with the whole ``marker``, maybe followed by more markers."""
    rest = head.removeprefix(marker)
    return rest != head and (not rest or rest.startswith(_OPEN))


def _first_line(body: str) -> str:
    lines = body.splitlines()
    return lines[0] if lines else ""


def _heads(body: str) -> list[str]:
    """Where a message of the App's begins: its comment's first line and, in a reply, the text
    of each answer (after the command it answers, quoted in a code span, and ``: ``)."""
    lines = body.splitlines() or [""]
    if not reply_ids(lines[0]):
        return lines[:1]
    return [lines[0], *(answer for line in lines[1:] if (answer := _answer(line)) is not None)]


def _answer(line: str) -> str | None:
    """The answer on a reply's line `` `command`: answer`` (the code span's delimiter is longer
    than any backtick run inside it, so the first run as long closes it)."""
    ticks = len(line) - len(line.lstrip("`"))
    close = line.find("`" * ticks, ticks) if ticks else -1
    if close == -1 or not line.startswith(": ", close + ticks):
        return None
    return line[close + ticks + 2 :]


def _head_comments(line: str) -> list[str]:
    """The inner text of each HTML comment in the run that starts ``line``."""
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
