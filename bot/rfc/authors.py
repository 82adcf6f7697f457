"""The Author(s) line read as people: names, e-mail addresses and GitHub handles.

Authors are separated by commas, semicolons or the word "and"; each is written
``Name (@login)``, ``@login``, ``Name <email>``, a bare e-mail address or a bare name. An ``@``
that starts a word (at the start, after a space or an opening bracket) begins a GitHub handle;
any other ``@`` belongs to an e-mail address. Everything here runs in one pass over the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 1-39 letters, digits or single hyphens, not starting or ending with one. Linear: a class
# repeated, with a one-character lookahead.
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
# An "@" and the token after it, up to a space, separator or bracket. Linear: one negated class.
_AT_TOKEN = re.compile(r"@([^\s,;()\[\]{}<>]*)")
_HANDLE_STARTS = frozenset(",;([{<")  # besides whitespace, what may stand before a handle's "@"
FORMS = "'Jane Doe (@jdoe)', '@jdoe', 'Jane Doe <jane@example.com>' or a name"


@dataclass(frozen=True, slots=True)
class Handle:
    """One ``@token`` written as a GitHub handle: the token after the ``@``, and where the
    ``@`` stands in the value (0-based)."""

    login: str
    start: int

    @property
    def valid(self) -> bool:
        return _LOGIN.match(self.login) is not None


def author_entries(value: str) -> list[str]:
    """The authors a value lists, each with its spacing collapsed."""
    entries: list[str] = []
    for part in value.replace(";", ",").split(","):
        words: list[str] = []
        for word in part.split():
            if word.lower() == "and" and words:
                entries.append(" ".join(words))
                words = []
            else:
                words.append(word)
        if words:
            entries.append(" ".join(words))
    return entries


def handles(value: str) -> list[Handle]:
    """Every ``@token`` of the value meant as a GitHub handle, in order (e-mail addresses'
    ``@`` left out)."""
    return [
        Handle(match[1], match.start())
        for match in _AT_TOKEN.finditer(value)
        if match.start() == 0 or _starts_a_word(value[match.start() - 1])
    ]


def _starts_a_word(before: str) -> bool:
    return before.isspace() or before in _HANDLE_STARTS


def logins(value: str) -> list[str]:
    """The valid GitHub logins the value names as handles, in order."""
    return [handle.login for handle in handles(value) if handle.valid]


def problems(value: str) -> list[tuple[Handle | None, str]]:
    """What is wrong with an Author(s) value, in order, each with the handle it is about
    (None: the whole value); [] when it is fine."""
    if not author_entries(value):
        return [(None, "Name at least one author, e.g. 'Jane Doe (@jdoe)'.")]
    return [
        (
            handle,
            f"'@{handle.login}' is not a valid GitHub username (1-39 letters, digits or single "
            f"hyphens, no hyphen at either end); write each author as {FORMS}.",
        )
        for handle in handles(value)
        if not handle.valid
    ]
