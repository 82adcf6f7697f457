"""What the check says about legacy problems (``bot.rfc.legacy``): the summary's count of
them, and why an RFC's problems all count in full. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.policy.text import plural
from bot.rfc.diagnostics import Severity
from bot.rfc.legacy import Legacy


def legacy_sentence(passes: Iterable[Legacy | None]) -> str:
    """E.g. "10 legacy problems on lines this pull request did not touch (warnings): ...",
    after a blank line; empty when there are none."""
    lowered: Counter[Severity] = Counter()
    hidden = 0
    for legacy in passes:
        if legacy is not None:
            lowered.update(dict(legacy.lowered))
            hidden += legacy.hidden
    total = sum(lowered.values()) + hidden
    if not total:
        return ""
    levels = [plural(n, severity.value) for severity, n in _worst_first(lowered)]
    levels += [f"{hidden} not shown"] if hidden else []
    # One kind: its word alone ("warnings"); several: each with its count.
    shown = levels[0].split(" ", 1)[1] if len(levels) == 1 else ", ".join(levels)
    return (
        f"\n\n{plural(total, 'legacy problem')} on lines this pull request did not touch "
        f"({shown}): the base branch already had them, so they do not block merging "
        "(`legacy` in the configuration)."
    )


def held_note(legacy: Legacy | None) -> str:
    """Why none of an RFC's problems counts as legacy although some could (a paragraph for
    the check's text); empty when nothing was held."""
    if legacy is None or not legacy.held:
        return ""
    return f"_No problem here counts as legacy: {legacy.held}._\n\n"


def _worst_first(counts: Counter[Severity]) -> list[tuple[Severity, int]]:
    return sorted(counts.items(), key=lambda item: -item[0].rank)
