"""Link destinations in markdown, where each is written, and rewriting those that name a
renamed file. Pure.

markdown-it-py decides what is a link, so text in code, in raw HTML or escaped is never taken
for one: inline links and images ``[x](dest)`` and reference definitions ``[x]: dest``. Each
destination is located by its exact offsets in the text as given, so a rewrite replaces those
characters and nothing else (other text, line endings and hard breaks stay as they are).

How an offset is found: the block parser runs with markdown-it's own ``reference`` rule
wrapped, which re-reads the definition it just accepted from the parser's line marks; an
inline token's text is a run of source lines each cut at its container's prefix (a quote's
``>``, a list's indent), so a position in it maps to its source line, and the inline ``link``
and ``image`` rules, wrapped, re-read the destination of a link they just accepted. A
position is used only when the source holds exactly the destination's text there (a line
whose tabs the parser expanded is left as it is). Linear: every line and inline token is
read a bounded number of times.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers import parseLinkDestination, parseLinkLabel
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import reference as _reference
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as _image
from markdown_it.rules_inline import link as _link
from markdown_it.token import Token

_FOUND = "rfc_bot_destinations"  # env key: what the wrapped rules found
_INLINE = "rfc_bot_inline"  # env key: the inline token being parsed, and its line map
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one link destination is written: ``text[start:end] == raw`` (``<...>`` kept)."""

    start: int
    end: int
    raw: str
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class Target:
    """A relative destination resolved to a repository path."""

    path: str  # normalised, from the repository root
    raw_path: str  # the destination's path part as written (before ``#`` or ``?``)
    rest: str  # ``#fragment`` or ``?query`` as written, or ""
    rooted: bool  # written from the repository root (``/rfcs/x.md``)


class _Lines:
    """Line starts of a text, by markdown-it's line breaks (LF, CRLF or a lone CR)."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


@dataclass
class _Parse:
    """One document's parse: its normalised text (what markdown-it reads) and its lines."""

    source: str
    normal: str
    source_lines: _Lines
    normal_lines: _Lines

    def found(self, start: int, raw: str) -> Destination | None:
        """The destination written at ``start`` of the normalised text, if it is there."""
        if self.normal[start : start + len(raw)] != raw or "\n" in raw:
            return None
        line = self.normal_lines.line_of(start)
        column = start - self.normal_lines.starts[line]
        begin = self.source_lines.starts[line] + column
        return Destination(begin, begin + len(raw), raw, line + 1, column + 1)


def _recording_reference(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not _reference(state, start_line, end_line, silent):
        return False
    if not silent:
        span = _definition_destination(state, start_line)
        if span is not None:
            state.env[_FOUND].append(span)
    return True


def _definition_destination(state: StateBlock, start_line: int) -> tuple[int, str] | None:
    """(offset, raw) of the destination of the definition just read at ``start_line``: its
    text is re-assembled as the rule assembles it (the first line, then each continuation
    line from its container's text start), keeping where each piece came from."""
    line = start_line
    start = state.bMarks[line] + state.tShift[line]
    pieces: list[tuple[int, int]] = [(0, start)]  # (offset in the text, offset in src)
    text = state.src[start : state.eMarks[line] + 1]
    pos, past_label = 1, False
    while pos < len(text):
        char = text[pos]
        if char == "\n" and line + 1 < state.line:
            line += 1
            begin = state.bMarks[line] + state.tShift[line]
            pieces.append((len(text), begin))
            text += state.src[begin : state.eMarks[line] + 1]
        elif not past_label:
            if char == "\\":
                pos += 1
            elif char == "]":
                past_label, pos = True, pos + 1  # the ':' after it
        elif char not in " \t\n":
            break
        pos += 1
    found = parseLinkDestination(text, pos, len(text))
    if not found.ok:
        return None
    piece = bisect.bisect_right(pieces, (pos, len(state.src))) - 1
    offset, source = pieces[piece]
    return source + pos - offset, text[pos : found.pos]


def _recording(rule: Callable[[StateInline, bool], bool], label_at: int) -> Any:
    """An inline ``link`` or ``image`` rule that records the destination of each inline link it
    accepts (``label_at``: where its ``[`` is, after the start)."""

    def run(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not rule(state, silent):
            return False
        if not silent and state.src[state.pos - 1] == ")":
            span = _inline_destination(state, start + label_at)
            if span is not None:
                state.env[_INLINE][1](span)
        return True

    return run


def _inline_destination(state: StateInline, label: int) -> tuple[int, str] | None:
    """(offset in the inline text, raw) of the destination of the link whose ``[`` is at
    ``label``, as the rule just read it."""
    saved = state.pos, state.posMax
    try:
        end = parseLinkLabel(state, label, False)
    finally:
        state.pos, state.posMax = saved
    if end < 0 or end + 1 >= len(state.src) or state.src[end + 1] != "(":
        return None
    pos = end + 2
    while pos < len(state.src) and state.src[pos] in " \t\n":
        pos += 1
    found = parseLinkDestination(state.src, pos, len(state.src))
    return (pos, state.src[pos : found.pos]) if found.ok else None


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").disable("inline")
    md.block.ruler.at("reference", _recording_reference)
    md.inline.ruler.at("link", _recording(_link, 0))
    md.inline.ruler.at("image", _recording(_image, 1))
    return md


_MARKDOWN = _parser()


def destinations(text: str, needle: str = "") -> list[Destination]:
    """Every link destination of ``text``, in order. With ``needle``, only those of the
    paragraphs, headings and cells whose text holds it (case-insensitive), and of every
    reference definition: a cheap way to skip most of a document."""
    normal = _BREAK.sub("\n", text).replace("\x00", "\ufffd")
    parse = _Parse(text, normal, _Lines(text), _Lines(normal))
    found: list[Destination] = []
    env: dict[str, Any] = {_FOUND: []}
    tokens = _MARKDOWN.parse(normal, env)
    for start, raw in env[_FOUND]:
        if (hit := parse.found(start, raw)) is not None:
            found.append(hit)
    wanted = needle.casefold()
    cursors: dict[int, int] = {}  # a table row's line -> where its next cell's search starts
    for index, token in enumerate(tokens):
        if token.type != "inline" or token.map is None:
            continue
        if wanted and wanted not in token.content.casefold():
            continue
        in_cell = index > 0 and tokens[index - 1].type in ("th_open", "td_open")
        found.extend(_inline(parse, token, env, cursors if in_cell else None))
    found.sort(key=lambda d: d.start)
    return found


def _inline(
    parse: _Parse, token: Token, env: dict[str, Any], cursors: dict[int, int] | None
) -> list[Destination]:
    spans: list[tuple[int, str]] = []
    env[_INLINE] = (token, spans.append)
    _MARKDOWN.inline.parse(token.content, _MARKDOWN, env, [])
    if not spans:
        return []
    assert token.map is not None
    content = token.content
    starts = [0, *(i + 1 for i, char in enumerate(content) if char == "\n")]
    found = []
    for offset, raw in spans:
        row = bisect.bisect_right(starts, offset) - 1
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(content)
        base = _line_offset(parse, token.map[0] + row, content[starts[row] : end], cursors)
        if base is not None and (hit := parse.found(base + offset - starts[row], raw)):
            found.append(hit)
    return found


def _line_offset(
    parse: _Parse, line: int, piece: str, cursors: dict[int, int] | None
) -> int | None:
    """Where ``piece`` (one line of an inline token's text) starts in the normalised text: a
    line of a paragraph is the end of its source line (its container's prefix cut), a table
    cell is found after the row's previous cell."""
    starts = parse.normal_lines.starts
    if line >= len(starts):
        return None
    begin = starts[line]
    stop = starts[line + 1] - 1 if line + 1 < len(starts) else len(parse.normal)
    source = parse.normal[begin:stop]
    if cursors is None:
        for candidate in (source, source.rstrip(" \t")):
            if candidate.endswith(piece):
                return begin + len(candidate) - len(piece)
        at = source.find(piece)
        return None if at < 0 else begin + at
    at = source.find(piece, cursors.get(line, 0))
    if at < 0:
        return None
    cursors[line] = at + len(piece)
    return begin + at


# --- resolving and rewriting ---------------------------------------------------------------


def target(raw: str, doc_path: str) -> Target | None:
    """The repository path a destination names, relative to the folder of ``doc_path``
    (``/x`` from the repository root); None for a URL, a bare fragment, or a path that
    climbs out of the repository."""
    href = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    cut = min((i for i in (href.find("#"), href.find("?")) if i >= 0), default=len(href))
    raw_path, rest = href[:cut], href[cut:]
    if not raw_path or raw_path.startswith("//") or _SCHEME.match(raw_path):
        return None
    path = unquote(unescapeAll(raw_path))
    rooted = path.startswith("/")
    joined = path.lstrip("/") if rooted else posixpath.join(posixpath.dirname(doc_path), path)
    normal = posixpath.normpath(joined) if joined else ""
    if not normal or normal == "." or normal == ".." or normal.startswith("../"):
        return None
    return Target(normal, raw_path, rest, rooted)


def rewrite_links(text: str, doc_path: str, renames: Mapping[str, str]) -> str:
    """``text`` with each relative link to a renamed file (``renames``: old path -> new
    path, from the repository root) pointing at its new path; everything else as it was."""
    if not _mentions(text, {posixpath.basename(old).casefold() for old in renames}):
        return text
    edits: list[tuple[int, int, str]] = []
    for destination in destinations(text, needle=".md"):
        found = target(destination.raw, doc_path)
        if found is None or found.path not in renames:
            continue
        new_path = _new_raw_path(found, renames[found.path], doc_path)
        raw = destination.raw
        inner = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        rewritten = new_path + found.rest
        edits.append((destination.start, destination.end, raw.replace(inner, rewritten, 1)))
    return _apply(text, edits)


def _mentions(text: str, names: set[str]) -> bool:
    """Whether ``text`` names one of the files at all (percent-escapes read): most files do
    not, and are left without a parse."""
    folded = text.casefold()
    if any(name in folded for name in names):
        return True
    return "%" in text and any(name in unquote(folded) for name in names)


def _new_raw_path(found: Target, new_path: str, doc_path: str) -> str:
    old_name = posixpath.basename(found.path)
    same_folder = posixpath.dirname(found.path) == posixpath.dirname(new_path)
    if same_folder and found.raw_path.endswith(old_name):
        return found.raw_path[: -len(old_name)] + posixpath.basename(new_path)
    if found.rooted:
        return "/" + new_path
    return posixpath.relpath(new_path, posixpath.dirname(doc_path) or ".")


def rewrite_urls(text: str, replace: Callable[[str], str | None]) -> str:
    """``text`` with each link destination for which ``replace`` gives a new one replaced
    (the Rendered link of a pull request's description)."""
    edits = []
    for destination in destinations(text):
        new = replace(destination.raw)
        if new is not None and new != destination.raw:
            edits.append((destination.start, destination.end, new))
    return _apply(text, edits)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    if not edits:
        return text
    parts, at = [], 0
    for start, end, new in sorted(edits):
        if start < at:
            continue  # overlapping (never, for distinct destinations): keep the first
        parts += [text[at:start], new]
        at = end
    parts.append(text[at:])
    return "".join(parts)
