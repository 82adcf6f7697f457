"""Matching what a person typed against a known list: case/whitespace folding and near misses.

Shared by the config reader (unknown keys, rule ids, statuses) and the lint rules (statuses,
applications, metadata keys), so every "did you mean" reads the same.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s_]+")


def fold(text: str) -> str:
    """The form two spellings share when they differ only in case or whitespace."""
    return " ".join(text.split()).casefold()


def fold_index(choices: Iterable[str]) -> dict[str, str]:
    """folded spelling -> the spelling in ``choices`` (the first one, should two fold alike)."""
    index: dict[str, str] = {}
    for choice in choices:
        index.setdefault(fold(choice), choice)
    return index


def suggest(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    folded = {choice.lower(): choice for choice in choices}
    normalized = _SEPARATORS.sub("-", value.strip().lower())
    if normalized in folded:
        return f" (did you mean '{folded[normalized]}'?)"
    close = difflib.get_close_matches(normalized, list(folded), n=1, cutoff=0.6)
    return f" (did you mean '{folded[close[0]]}'?)" if close else ""
