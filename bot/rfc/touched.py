"""Which lines of a file a change touched, read from its unified diff (GitHub's ``patch`` of a
pull request file, or ``git diff``), in the head's line numbers.

One pass over the diff, no regex over its body: a hunk's body lines each start with ``' '``,
``'-'``, ``'+'`` or ``'\\'``, so text inside the file (even text shaped like a hunk header)
can never be read as a header. The counts in each header are checked against its body, and
the hunks against each other; a diff that does not add up is no answer (``None``), and the
caller treats every line as touched.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

# ``@@ -12,3 +12,4 @@ heading``: a count of 1 may be left out. At most ten digits each, so a
# number is never a long digit run to convert.
_HEADER = re.compile(r"@@ -(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))? @@")


@dataclass(frozen=True, slots=True)
class Touched:
    """What a change did to one file, in the head's line numbers (1-based).

    ``starts``/``ends``: the lines it wrote (added or rewritten), as sorted inclusive runs.
    ``gaps``: each ``k`` where it removed lines between head lines ``k`` and ``k + 1``.
    ``shift_from``/``shifts``: from head line ``shift_from[i]`` on, an untouched line's
    number is its base number plus ``shifts[i]``.
    ``base_numbers``/``base_texts`` and ``head_numbers``/``head_texts``: the lines the diff
    quotes of each side, and ``line_offset``: how many more lines the head has; to tell
    whether two texts are the ones the diff was made from. (Parallel tuples of numbers and
    strings, not a tuple per line: the garbage collector does not track those, so a large
    diff costs time in proportion to its size.)
    """

    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    gaps: tuple[int, ...] = ()
    shift_from: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()
    base_numbers: tuple[int, ...] = ()
    base_texts: tuple[str, ...] = ()
    head_numbers: tuple[int, ...] = ()
    head_texts: tuple[str, ...] = ()
    line_offset: int = 0

    def touches(self, first: int, last: int) -> bool:
        """Whether the change wrote any line from ``first`` to ``last``, or removed lines
        between two of them."""
        last = max(first, last)
        run = bisect.bisect_right(self.starts, last) - 1
        if run >= 0 and self.ends[run] >= first:
            return True
        gap = bisect.bisect_left(self.gaps, first)
        return gap < len(self.gaps) and self.gaps[gap] < last

    def base_line(self, head_line: int) -> int:
        """The base's number of an untouched head line."""
        at = bisect.bisect_right(self.shift_from, head_line) - 1
        return head_line - (self.shifts[at] if at >= 0 else 0)

    def fits(self, base: str, head: str) -> tuple[bool, bool]:
        """Whether the diff was made from ``base`` and to ``head``, as far as it tells: every
        line it quotes of each side is there, at its number, and the counts of lines differ
        as it says. (base fits, head fits); a length mismatch blames the head."""
        base_lines, head_lines = base.split("\n"), head.split("\n")
        counts = _line_count(head) - _line_count(base) == self.line_offset
        base_fits = _quoted(self.base_numbers, self.base_texts, base_lines)
        return base_fits, counts and _quoted(self.head_numbers, self.head_texts, head_lines)

    def lines(self) -> set[int]:
        """Every touched head line (for tests and small files: it is as large as the runs)."""
        return {n for s, e in zip(self.starts, self.ends, strict=True) for n in range(s, e + 1)}


class _Reader:
    """The state of one pass over a diff."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.gaps: list[int] = []
        self.shift_from: list[int] = []
        self.shifts: list[int] = []
        self.base_numbers: list[int] = []
        self.base_texts: list[str] = []
        self.head_numbers: list[int] = []
        self.head_texts: list[str] = []
        self.head = self.base = 1  # the next line of each side
        self.head_left = self.base_left = 0  # body lines the current hunk still owes
        self.in_hunk = False

    def header(self, line: str) -> bool:
        match = _HEADER.match(line)
        if match is None or self.head_left or self.base_left:
            return False
        self._shift()  # the unchanged lines up to this hunk keep the last hunk's offset
        base_start, base_count, head_start, head_count = (
            int(match[1]),
            int(match[2] or 1),
            int(match[3]),
            int(match[4] or 1),
        )
        # An empty side names the line before it (git's and difflib's convention).
        base_start += base_count == 0
        head_start += head_count == 0
        if base_start < self.base or head_start - base_start != self.head - self.base:
            return False  # overlapping or out of order, or unchanged lines that do not line up
        self.head, self.base = head_start, base_start
        self.head_left, self.base_left = head_count, base_count
        self.in_hunk = True
        return True

    def body(self, line: str) -> bool:
        kind, text = line[:1], line[1:]
        if kind in (" ", ""):  # some tools strip a blank context line's space
            if not (self.head_left and self.base_left):
                return False
            self._shift()
            self._quote_base(text)
            self._quote_head(text)
            self.head, self.base = self.head + 1, self.base + 1
            self.head_left, self.base_left = self.head_left - 1, self.base_left - 1
        elif kind == "-":
            if not self.base_left:
                return False
            if not self.gaps or self.gaps[-1] != self.head - 1:
                self.gaps.append(self.head - 1)
            self._quote_base(text)
            self.base, self.base_left = self.base + 1, self.base_left - 1
        elif kind == "+":
            if not self.head_left:
                return False
            self._quote_head(text)
            if self.ends and self.ends[-1] == self.head - 1:
                self.ends[-1] = self.head
            else:
                self.starts.append(self.head)
                self.ends.append(self.head)
            self.head, self.head_left = self.head + 1, self.head_left - 1
        elif kind != "\\":  # "\ No newline at end of file"
            return False
        return True

    def _quote_base(self, text: str) -> None:
        self.base_numbers.append(self.base)
        self.base_texts.append(text)

    def _quote_head(self, text: str) -> None:
        self.head_numbers.append(self.head)
        self.head_texts.append(text)

    def _shift(self) -> None:
        """Note where the offset between the two sides changes, at the line about to be read."""
        offset = self.head - self.base
        if offset != (self.shifts[-1] if self.shifts else 0):
            self.shift_from.append(self.head)
            self.shifts.append(offset)

    def result(self) -> Touched | None:
        if self.head_left or self.base_left:
            return None  # the last hunk was cut short
        self._shift()
        gaps = [gap for gap in self.gaps if gap >= 1]  # a removal above line 1 splits no span
        return Touched(
            tuple(self.starts),
            tuple(self.ends),
            tuple(gaps),
            tuple(self.shift_from),
            tuple(self.shifts),
            tuple(self.base_numbers),
            tuple(self.base_texts),
            tuple(self.head_numbers),
            tuple(self.head_texts),
            self.head - self.base,
        )


def parse_patch(patch: str) -> Touched | None:
    """The lines a unified diff of one file touched; ``None`` when it does not add up.

    Lines before the first hunk (``diff --git``, ``---``, ``+++``) are skipped. Any context
    size works: GitHub's three lines, ``git diff --unified=0``'s none.
    """
    reader = _Reader()
    lines = patch.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for line in lines:
        if line.startswith("@@"):
            if not reader.header(line):
                return None
        elif reader.in_hunk and not reader.body(line):
            return None
    return reader.result()


def _quoted(numbers: Sequence[int], texts: Sequence[str], lines: Sequence[str]) -> bool:
    return all(
        0 < n <= len(lines) and lines[n - 1] == text for n, text in zip(numbers, texts, strict=True)
    )


def _line_count(text: str) -> int:
    """Lines as git counts them: a last line without its newline is a line."""
    return text.count("\n") + (not text.endswith("\n") and text != "")


def lone_carriage_return(text: str) -> bool:
    """Whether ``text`` breaks a line with a lone ``\\r``: the lint's line numbers (which
    count it, as markdown does) then differ from the diff's (which do not)."""
    return "\r" in text and text.count("\r") != text.count("\r\n")
