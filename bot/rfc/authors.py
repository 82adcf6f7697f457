"""The Author(s) line: comma-separated entries, each naming a GitHub ``@login``.

One definition for both callers: the ``authors`` lint rule, and ``rfc-bot new --author``,
which refuses what the rule would reject instead of writing a file that then fails ``lint``.
"""

from __future__ import annotations

import re

# Both patterns are linear: a character class repeated, no nested quantifiers.
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
MENTION = re.compile(r"@([^\s,()<>\[\]]*)")

NO_AUTHOR = "Name at least one author, e.g. 'Jane Doe (@jdoe)'."


def author_entries(value: str) -> list[str]:
    """The non-blank entries of an Author(s) value."""
    return [entry.strip() for entry in value.split(",") if entry.strip()]


def author_problems(value: str) -> list[str]:
    """What is wrong with an Author(s) value, one message per problem, in order; [] when fine."""
    entries = author_entries(value)
    if not entries:
        return [NO_AUTHOR]
    problems = []
    for entry in entries:
        logins = MENTION.findall(entry)
        if not logins:
            problems.append(
                f"Author '{entry}' has no GitHub username; write it as '{entry} (@login)'."
            )
        invalid = [login for login in logins if not LOGIN.match(login)]
        problems += [f"'@{login}' is not a valid GitHub username." for login in invalid]
    return problems
