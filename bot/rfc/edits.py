"""Pure text edits on RFC files and the RFC index.

Every function returns new text that differs from the input only where it must: other lines,
line endings (LF or CRLF) and the template's trailing two-space hard breaks are kept as they
are, so a bot commit shows a minimal diff.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

from bot.rfc.paths import parse_name

if TYPE_CHECKING:
    from bot.rfc.document import Document

INDEX_START = "<!-- rfc-index:start -->"
INDEX_END = "<!-- rfc-index:end -->"
INDEX_HEADING = "# RFCs"
INDEX_INTRO = (
    "This index is kept up to date by rfc-bot: edit the RFC files, not the table between "
    "the markers."
)
INDEX_COLUMNS = ("RFC", "Title", "Status", "Target Application(s)", "Author(s)", "Last Updated")

# `**Key:** value` or `**Key**: value`, optionally as a list item. Groups: everything up to the
# value (`head`), the value, and the trailing whitespace (a hard break when two spaces or more).
# CommonMark fences: up to three spaces, then ``` or ~~~ (three or more), then info text.
_FENCE = re.compile(r"^ {0,3}(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
_FIELD_LINE = re.compile(
    r"^(?P<head>[ \t]*(?:[-*+][ \t]+)?\*\*(?P<key>[^*\n]+?)(?::\*\*|\*\*:)(?P<gap>[ \t]*))"
    r"(?P<value>.*?)(?P<trail>[ \t]*)$"
)
_SECTION_HEADING = re.compile(r"^ {0,3}##[ \t]")


def _normalise_key(key: str) -> str:
    return " ".join(key.split()).casefold()


def _split_line_ending(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def set_field(text: str, key: str, value: str) -> str:
    """Replace the value of the metadata line ``**Key:** value``.

    Only the metadata block (before the first ``##`` section) is searched, so a
    ``**Status:**`` inside the body is never touched. Raises ValueError when the field is
    missing or the value spans lines.
    """
    if "\n" in value or "\r" in value:
        raise ValueError(f"a {key} value must be one line")
    wanted = _normalise_key(key)
    lines = text.splitlines(keepends=True)
    fence: str | None = None  # the opening marker while inside a fenced code block
    for index, line in enumerate(lines):
        body, ending = _split_line_ending(line)
        fence = _next_fence(fence, body)
        if fence is not None or _FENCE.match(body):
            continue  # code is never metadata, and a "##" in it is not a section
        if _SECTION_HEADING.match(body):
            break
        match = _FIELD_LINE.match(body)
        if match is None or _normalise_key(match["key"]) != wanted:
            continue
        lines[index] = _replace_value(match, value.strip()) + ending
        return "".join(lines)
    raise ValueError(f"the metadata field **{key}:** is missing")


def set_or_add_field(text: str, key: str, value: str) -> str:
    """``set_field``, or, when the field is missing, a new ``**Key:** value`` line after the
    metadata block's last field (which gets the hard break a line inside the block needs).

    Raises ValueError when the file has no metadata field at all or the value spans lines.
    """
    try:
        return set_field(text, key, value)
    except ValueError:
        if "\n" in value or "\r" in value:
            raise
    lines = text.splitlines(keepends=True)
    last = _last_field_line(lines)
    if last is None:
        raise ValueError(f"there is no metadata block to add **{key}:** to")
    body, ending = _split_line_ending(lines[last])
    lines[last] = body.rstrip() + "  " + (ending or "\n")
    lines.insert(last + 1, f"**{key}:** {value.strip()}  {ending or ''}")
    return "".join(lines)


def _last_field_line(lines: list[str]) -> int | None:
    """The index of the metadata block's last ``**Key:** value`` line, if any."""
    fence: str | None = None
    last = None
    for index, line in enumerate(lines):
        body, _ = _split_line_ending(line)
        fence = _next_fence(fence, body)
        if fence is not None or _FENCE.match(body):
            continue
        if _SECTION_HEADING.match(body):
            break
        if _FIELD_LINE.match(body):
            last = index
    return last


def set_superseded_by(text: str, number: int, width: int) -> str:
    """Record ``**Superseded By:** RFC NNNN`` (what ``/rfc status deprecated superseded-by
    NNNN`` writes besides the status)."""
    if number < 1:
        raise ValueError(f"an RFC number must be positive, got {number}")
    return set_or_add_field(text, "Superseded By", f"RFC {number:0{width}d}")


def _next_fence(fence: str | None, line: str) -> str | None:
    """The fence state after ``line``: its opening marker inside a block, else None."""
    match = _FENCE.match(line)
    if match is None:
        return fence
    marker = match["marker"]
    if fence is None:
        return marker
    closes = marker[0] == fence[0] and len(marker) >= len(fence) and not match["info"].strip()
    return None if closes else fence


def _replace_value(match: re.Match[str], value: str) -> str:
    head, trail = match["head"], match["trail"]
    if not match["value"]:
        # An empty value: the regex gave all the spacing to the gap; split it back so a
        # hard break (two trailing spaces) survives.
        gap = match["gap"]
        head = head[: len(head) - len(gap)] + " "
        trail = gap if len(gap) >= 2 else ""
    elif not match["gap"]:
        head += " "
    return f"{head}{value}{trail}"


def set_status(text: str, status: str, today: date) -> str:
    """Set Status, and Last Updated to ``today`` when the file has that field."""
    text = set_field(text, "Status", status)
    try:
        return set_field(text, "Last Updated", today.isoformat())
    except ValueError:
        return text  # the lint rules report the missing field; the status change still holds


def set_number(text: str, number: int, width: int) -> str:
    """Set RFC Number to the zero-padded number, e.g. 42 at width 4 -> ``0042``."""
    if number < 1:
        raise ValueError(f"an RFC number must be positive, got {number}")
    return set_field(text, "RFC Number", f"{number:0{width}d}")


# --- The index ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RfcRef:
    """An RFC named by number in a ``Superseded By`` or ``Replaces`` line, and where."""

    number: int
    line: int
    column: int
    end_column: int


@dataclass(frozen=True)
class IndexEntry:
    number: int  # 0: unassigned, not listed
    path: str
    title: str
    status: str
    target_apps: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # logins without "@"
    last_updated: str = ""
    # The supersession links (not shown in the index; checked by bot.rfc.supersession).
    superseded_by: RfcRef | None = None
    replaces: tuple[RfcRef, ...] = ()


def index_entry(path: str, doc: Document) -> IndexEntry:
    """The index row for one RFC file; the number comes from the file name."""
    name = parse_name(path)
    return IndexEntry(
        number=name.number if name else 0,
        path=path,
        title=doc.title or (name.slug if name else posixpath.basename(path)),
        status=doc.status or "",
        target_apps=list(doc.target_apps),
        authors=list(doc.authors),
        last_updated=doc.field("Last Updated") or "",
        superseded_by=next(iter(_refs(doc, "Superseded By")), None),
        replaces=_refs(doc, "Replaces"),
    )


def _refs(doc: Document, key: str) -> tuple[RfcRef, ...]:
    """The RFCs a supersession field names (none when it is malformed: lint says so)."""
    found = doc.metadata.get(key)
    numbers = doc.rfc_refs(key)
    if found is None or not numbers:
        return ()
    return tuple(RfcRef(n, found.line, found.column, found.end_column) for n in numbers)


def _one_line(text: str) -> str:
    # str.split() breaks on every line break Python knows (CR, LF, VT, FF, NEL, U+2028...).
    return " ".join(text.split())


def _inert(text: str) -> str:
    """``text`` that cannot steer the index: one line, no ``<`` (so no HTML, no comment and no
    index marker can start in it) and no unescaped ``|`` (so it stays in its cell)."""
    return text.replace("<", "&lt;").replace("|", "\\|")


def _cell(text: str) -> str:
    """Table cell text from an RFC's own words: one line, inert."""
    return _inert(_one_line(text))


def _link_text(text: str) -> str:
    """Link text: a cell that also keeps its brackets and backslashes literal."""
    return _inert(re.sub(r"([\[\]\\])", r"\\\1", _one_line(text)))


def _link_target(path: str, rfc_dir_relative: bool) -> str:
    """The link to the file, percent-encoded: spaces, parentheses, ``<``, ``|`` and line breaks
    in a file name can neither end the link nor break the row."""
    target = posixpath.basename(path) if rfc_dir_relative else path
    return quote(target, safe="/")


def _row(entry: IndexEntry, rfc_dir_relative: bool) -> str:
    name = parse_name(entry.path)
    width = name.width if name else 4
    cells = (
        f"{entry.number:0{width}d}",
        f"[{_link_text(entry.title)}]({_link_target(entry.path, rfc_dir_relative)})",
        _cell(entry.status),
        _cell(", ".join(entry.target_apps)),
        _cell(", ".join(f"@{login.lstrip('@')}" for login in entry.authors)),
        _cell(entry.last_updated),
    )
    return "| " + " | ".join(cells) + " |"


def render_index_table(entries: Iterable[IndexEntry], rfc_dir_relative_links: bool = True) -> str:
    """The markdown table (no trailing newline): numbered RFCs, by number then path.

    Every line starts with ``|`` and holds no ``<``, so no line of it is an index marker and
    none of it is HTML, whatever the RFCs say.
    """
    listed = sorted((e for e in entries if e.number > 0), key=lambda e: (e.number, e.path))
    header = "| " + " | ".join(INDEX_COLUMNS) + " |"
    separator = "|" + "|".join(" --- " for _ in INDEX_COLUMNS) + "|"
    rows = [_row(entry, rfc_dir_relative_links) for entry in listed]
    return "\n".join([header, separator, *rows])


def _block(table: str, newline: str) -> str:
    return newline.join([INDEX_START, *table.split("\n"), INDEX_END])


def _marker_line(marker: str) -> re.Pattern[str]:
    """A line that holds ``marker`` alone (group ``marker``; spaces and tabs around it allowed,
    and kept). Lines end at CR, LF or CRLF, as in CommonMark. Linear: only a line start can
    begin a match."""
    return re.compile(r"(?<![^\r\n])[ \t]*(?P<marker>" + re.escape(marker) + r")[ \t]*(?![^\r\n])")


_START_LINE = _marker_line(INDEX_START)
_END_LINE = _marker_line(INDEX_END)
_LINE_ENDING = re.compile(r"\r\n|\r|\n")


def _newline(text: str) -> str:
    """The line ending the index block is written with: CRLF when the file has one."""
    return "\r\n" if "\r\n" in text else "\n"


def _append(existing: str, block: str, newline: str) -> str:
    """``existing`` followed by a blank line and the block.

    The text is only ever added to, and never so that a CR ending ``existing`` meets an LF of
    ours: that would make a CRLF the file did not have, and the next run would pick CRLF for
    the block (``_newline``) and rewrite it. So each run writes the same bytes.
    """
    if not existing.strip(" \t\r\n"):  # not str.strip(): a form feed does not end a line
        return existing + block + newline
    text = existing
    trailing = text[len(text.rstrip(" \t\r\n")) :]
    endings = len(_LINE_ENDING.findall(trailing))
    while endings < 2:  # the last line ended, then one blank line
        text += "\r" if text.endswith("\r") else newline
        endings += 1
    return text + block + newline


def update_index(
    existing: str | None, entries: Sequence[IndexEntry], rfc_dir_relative_links: bool = True
) -> str:
    """Regenerate the table between the index markers, leaving all other text untouched.

    ``existing=None`` creates the file; a file without markers gets the block appended.

    Only a line that holds a marker alone counts as one, and there must be exactly one start
    line with exactly one end line after it. The block this writes has no marker line but its
    own two (``render_index_table``), and RFC text only ever lands inside it, escaped; so a
    second marker line was written by a person, and which pair is ours cannot be told from the
    text. Raises ValueError then, and when one marker is missing or they are out of order,
    rather than guessing which text is generated: a wrong guess would overwrite their words.
    """
    table = render_index_table(entries, rfc_dir_relative_links)
    if existing is None:
        intro = f"{INDEX_HEADING}\n\n{INDEX_INTRO}\n\n"
        return intro + _block(table, "\n") + "\n"
    newline = _newline(existing)
    starts, ends = list(_START_LINE.finditer(existing)), list(_END_LINE.finditer(existing))
    if not starts and not ends:
        return _append(existing, _block(table, newline), newline)
    if len(starts) > 1 or len(ends) > 1:
        raise ValueError("the index has more than one rfc-index block")
    if not starts or not ends or ends[0].start() < starts[0].end():
        raise ValueError(
            f"the index has a broken {INDEX_START} / {INDEX_END} pair; fix or remove the markers"
        )
    start, end = starts[0].start("marker"), ends[0].end("marker")
    return existing[:start] + _block(table, newline) + existing[end:]


def index_start_line(text: str) -> int | None:
    """The 1-based line of the first start marker that counts (alone on its line; lines end at
    CR, LF or CRLF), or None: where a report about the index should point."""
    found = _START_LINE.search(text)
    if found is None:
        return None
    return len(_LINE_ENDING.findall(text, 0, found.start())) + 1


def index_is_current(existing: str | None, entries: Sequence[IndexEntry]) -> bool:
    """True when regenerating the index would not change it."""
    if existing is None:
        return False
    try:
        return update_index(existing, entries) == existing
    except ValueError:
        return False


# --- New RFC from the template -----------------------------------------------------------------


def set_title(text: str, title: str) -> str:
    """Replace the first ATX H1 line (``# ...``) with ``# title``; ValueError when there is none."""
    if "\n" in title or not title.strip():
        raise ValueError("a title must be one non-empty line")
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        body, ending = _split_line_ending(line)
        if re.match(r"^ {0,3}#[ \t]", body):
            lines[index] = f"# {title.strip()}{ending}"
            return "".join(lines)
    raise ValueError("the text has no '# Title' line")


def fill_template(
    template: str,
    *,
    title: str,
    status: str,
    today: date,
    apps: Sequence[str] = (),
    authors: Sequence[str] = (),
) -> str:
    """A new RFC: the template with title, status and dates set; apps and authors when given."""
    text = set_title(template, title)
    text = set_field(text, "Status", status)
    text = set_field(text, "Created", today.isoformat())
    text = set_field(text, "Last Updated", today.isoformat())
    if apps:
        text = set_field(text, "Target Application(s)", ", ".join(apps))
    if authors:
        text = set_field(text, "Author(s)", ", ".join(authors))
    return text
