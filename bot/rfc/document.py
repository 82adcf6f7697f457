"""The document model: one markdown-it-py parse of an RFC, turned into plain data with line spans.

Every rule works on this model, so the text is parsed exactly once per lint. ``parse`` accepts any
``str`` and never raises: odd markdown only yields a sparser model.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.rfc.authors import logins

# Built once: creating a MarkdownIt instance costs more than parsing a small file. The rules
# read block structure and raw inline text only, so inline tokenizing (most of the parse cost)
# is switched off: inline tokens keep their source text in .content.
_MARKDOWN = MarkdownIt("commonmark").enable("table").disable("inline")

# Canonical metadata keys, in template order.
METADATA_KEYS: tuple[str, ...] = (
    "Status",
    "Target Application(s)",
    "RFC Number",
    "Created",
    "Last Updated",
    "Author(s)",
)
# Known fields an RFC may leave out: the two ends of a supersession (``RFC NNNN`` each), and
# the tracking issue the App records.
SUPERSEDED_BY = "Superseded By"
REPLACES = "Replaces"
# Written by the App in the numbering commit of an accepted RFC (docs/numbering.md).
TRACKING_ISSUE = "Tracking Issue"
OPTIONAL_METADATA_KEYS: tuple[str, ...] = (REPLACES, SUPERSEDED_BY, TRACKING_ISSUE)
# Every known key, in template order (the optional ones come last).
KNOWN_METADATA_KEYS: tuple[str, ...] = METADATA_KEYS + OPTIONAL_METADATA_KEYS
_CANONICAL_KEYS = {key.lower(): key for key in KNOWN_METADATA_KEYS}
# One reference to an RFC: `RFC 0042`, `RFC-42`, `#42` or `0042`.
_RFC_REF = re.compile(r"(?:RFC[ \t-]*)?#?([0-9]{1,9})", re.IGNORECASE)

# `**Key:** value` (the template's form) or `**Key**: value`.
_METADATA_LINE = re.compile(r"^\s*\*\*(?P<key>[^*\n]+?)(?::\*\*|\*\*:)(?P<rest>.*)$")
_TASK_BOX = re.compile(r"^\[([ xX])\]\s")
_SPACES = re.compile(r"\s+")


def normalize_title(title: str) -> str:
    """Heading comparison key: case- and whitespace-insensitive."""
    return _SPACES.sub(" ", title).strip().lower()


@dataclass(frozen=True, slots=True)
class MetadataField:
    """One ``**Key:** value`` line. column/end_column (1-based, inclusive) span the value."""

    key: str  # canonical key when known, else as written
    value: str
    line: int
    column: int
    end_column: int
    known: bool = True
    key_column: int = 1
    key_end_column: int = 1


@dataclass(slots=True)
class Section:
    """A heading (H2..H6) and the lines up to the next heading of the same or higher level."""

    level: int
    title: str
    line: int
    end_line: int
    own_content: bool = False  # block content before the first sub-heading
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)
    # The comparison key, computed once: rules look it up per section and per parent.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = normalize_title(self.title)

    @property
    def has_content(self) -> bool:
        """Own content, or (for a section made only of sub-sections) a sub-section with content."""
        return self.own_content or any(child.has_content for child in self.children)


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    line: int
    column: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Table:
    line: int
    end_line: int
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class ListItem:
    line: int
    text: str  # the item's first inline content (for a task item, after the box)


@dataclass(frozen=True, slots=True)
class TaskItem:
    line: int
    checked: bool
    text: str


@dataclass(slots=True)
class Document:
    lines: list[str]
    title: str | None = None
    title_line: int | None = None
    h1_lines: list[int] = field(default_factory=list)  # every top-level H1, title included
    metadata: dict[str, MetadataField] = field(default_factory=dict)  # first of each key
    metadata_fields: list[MetadataField] = field(default_factory=list)  # all, in order
    sections: list[Section] = field(default_factory=list)  # flat, document order
    tables: list[Table] = field(default_factory=list)
    list_items: list[ListItem] = field(default_factory=list)
    task_items: list[TaskItem] = field(default_factory=list)
    code_lines: frozenset[int] = frozenset()  # lines inside fences, code blocks, raw HTML

    def field(self, key: str) -> str | None:
        found = self.metadata.get(key)
        return found.value if found else None

    @property
    def status(self) -> str | None:
        return self.field("Status")

    @property
    def target_apps(self) -> list[str]:
        value = self.field("Target Application(s)") or ""
        return [app.strip() for app in value.split(",") if app.strip()]

    @property
    def authors(self) -> list[str]:
        """The GitHub logins Author(s) names (e-mail addresses and invalid handles left out)."""
        return logins(self.field("Author(s)") or "")

    def rfc_refs(self, key: str) -> list[int] | None:
        """The RFC numbers a ``Superseded By`` or ``Replaces`` field names (comma-separated);
        [] when the field is absent, None when a part is not an RFC reference."""
        value = self.field(key)
        if value is None:
            return []
        parts = [part.strip() for part in value.split(",")]
        matches = [_RFC_REF.fullmatch(part) for part in parts]
        if not parts or any(match is None for match in matches):
            return None
        return [int(match[1]) for match in matches if match is not None]

    def section_at(self, line: int) -> Section | None:
        """The innermost section whose span holds ``line``."""
        index = bisect.bisect_right(self.sections, line, key=lambda section: section.line) - 1
        # Every section that starts earlier and still holds ``line`` is an ancestor of the last
        # section starting at or before it, so walking up the parents finds the innermost one.
        section = self.sections[index] if index >= 0 else None
        while section is not None and section.end_line < line:
            section = section.parent
        return section

    def find_sections(self, title: str) -> list[Section]:
        wanted = normalize_title(title)
        return [section for section in self.sections if section.key == wanted]


def source_lines(text: str) -> list[str]:
    """Lines as markdown-it numbers them (it only treats \\n, \\r\\n and \\r as breaks)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse(text: str) -> Document:
    """Parse RFC markdown into a Document. Never raises for any str."""
    # CommonMark replaces NUL with U+FFFD, and markdown-it does; the lines must read the same,
    # or positions found in them (table cells) would not match the tokens' text.
    text = text.replace("\x00", "\ufffd")
    lines = source_lines(text)
    tokens = _MARKDOWN.parse(text)
    builder = _Builder(lines)
    builder.walk(tokens)
    return builder.finish()


class _Builder:
    """One pass over the token stream, collecting the pieces of the Document."""

    def __init__(self, lines: list[str]) -> None:
        self.doc = Document(lines=lines)
        self.headings: list[tuple[int, str, int]] = []  # (level, title, 1-based line)
        self.content_lines: list[int] = []  # first line of each top-level content block
        self.code_lines: set[int] = set()
        self.preamble_paragraphs: list[tuple[int, int]] = []
        self.past_preamble = False  # an H2..H6 heading was seen: metadata ends there

    def walk(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.nesting == -1 or token.type == "inline":
                # Closing tokens and inline text (always nested, level >= 1) hold nothing the
                # walk collects; the tokens that own them read them by index.
                index += 1
                continue
            start = token.map[0] + 1 if token.map else None
            if token.type == "heading_open" and token.level == 0 and start is not None:
                title = tokens[index + 1].content if index + 1 < len(tokens) else ""
                level = int(token.tag[1])
                self.headings.append((level, title.strip(), start))
                self.past_preamble = self.past_preamble or level >= 2
            elif token.type == "table_open" and token.map:
                index = self._table(tokens, index)
                continue
            elif token.type == "list_item_open" and start is not None:
                self._list_item(tokens, index, start)
            if token.type in ("fence", "code_block", "html_block") and token.map:
                self.code_lines.update(range(token.map[0] + 1, token.map[1] + 1))
            if token.level == 0 and start is not None and _is_content(token):
                self.content_lines.append(start)
                if token.type == "paragraph_open" and token.map and not self.past_preamble:
                    self.preamble_paragraphs.append((token.map[0], token.map[1]))
            index += 1

    def _table(self, tokens: list[Token], index: int) -> int:
        table_map = tokens[index].map or [0, 0]
        if tokens[index].level == 0:
            self.content_lines.append(table_map[0] + 1)
        rows: list[tuple[Cell, ...]] = []
        cells: list[Cell] = []
        row_line = table_map[0] + 1
        index += 1
        while index < len(tokens) and tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                cells, row_line = [], (token.map[0] + 1 if token.map else row_line)
            elif token.type == "inline":
                cells.append(self._cell(token.content, row_line, cells))
            elif token.type == "tr_close":
                rows.append(tuple(cells))
            index += 1
        header, body = (rows[0], tuple(rows[1:])) if rows else ((), ())
        self.doc.tables.append(Table(table_map[0] + 1, table_map[1], header, body))
        return index + 1

    def _cell(self, text: str, line: int, previous: list[Cell]) -> Cell:
        source = self.doc.lines[line - 1] if line - 1 < len(self.doc.lines) else ""
        after = previous[-1].end_column if previous else 0
        # The parser unescapes `\|` in cell text; the source holds the escaped form, so searching
        # for that always succeeds and each search starts where the previous cell ended: one
        # row costs one pass over its line (a failed search would rescan the rest of it).
        written = text.replace("|", "\\|")
        found = source.find(written, after) if text else -1
        if found < 0:
            return Cell(text, line, after + 1, after + 1)
        return Cell(text, line, found + 1, found + len(written))

    def _list_item(self, tokens: list[Token], index: int, line: int) -> None:
        text = ""
        for token in tokens[index + 1 : index + 4]:
            if token.type == "inline":
                text = token.content.split("\n", 1)[0]
                break
            if token.type == "list_item_close":
                break
        box = _TASK_BOX.match(text + " ")
        if box:
            item_text = text[box.end() :].strip() if len(text) > 3 else ""
            self.doc.task_items.append(TaskItem(line, box[1] != " ", item_text))
        self.doc.list_items.append(ListItem(line, text.strip()))

    def finish(self) -> Document:
        doc = self.doc
        doc.code_lines = frozenset(self.code_lines)
        h1 = [(title, line) for level, title, line in self.headings if level == 1]
        doc.h1_lines = [line for _, line in h1]
        if h1:
            doc.title, doc.title_line = h1[0]
        doc.sections = self._sections()
        self._metadata()
        return doc

    def _sections(self) -> list[Section]:
        last_line = _last_text_line(self.doc.lines)
        sections: list[Section] = []
        open_stack: list[tuple[int, Section | None]] = []  # (level, section; None for H1)
        for level, title, line in self.headings:
            while open_stack and open_stack[-1][0] >= level:
                self._close(open_stack.pop()[1], line - 1)
            if level == 1:
                open_stack.append((level, None))
                continue
            parent = open_stack[-1][1] if open_stack else None
            section = Section(level, title, line, line, parent=parent)
            if parent is not None:
                parent.children.append(section)
            sections.append(section)
            open_stack.append((level, section))
        for _, open_section in open_stack:
            self._close(open_section, last_line)
        self._mark_own_content(sections)
        return sections

    def _close(self, section: Section | None, end_line: int) -> None:
        if section is None:
            return
        lines = self.doc.lines
        while end_line > section.line and not lines[end_line - 1].strip():
            end_line -= 1
        section.end_line = max(section.line, end_line)

    def _mark_own_content(self, sections: list[Section]) -> None:
        """A section owns the content blocks between its heading and the next heading."""
        heading_lines = sorted(line for _, _, line in self.headings)
        by_line = {section.line: section for section in sections}
        for content_line in self.content_lines:
            index = bisect.bisect_left(heading_lines, content_line) - 1
            if index >= 0 and heading_lines[index] in by_line:
                by_line[heading_lines[index]].own_content = True

    def _metadata(self) -> None:
        doc = self.doc
        for start, end in self.preamble_paragraphs:
            for number in range(start + 1, end + 1):
                field_ = _metadata_field(doc.lines[number - 1], number)
                if field_ is None:
                    continue
                doc.metadata_fields.append(field_)
                if field_.known:
                    doc.metadata.setdefault(field_.key, field_)


def _metadata_field(source: str, line: int) -> MetadataField | None:
    match = _METADATA_LINE.match(source)
    if match is None:
        return None
    written_key = match["key"].strip()
    canonical = _CANONICAL_KEYS.get(normalize_title(written_key))
    rest = match["rest"]
    value = rest.strip()
    value_start = match.start("rest") + (len(rest) - len(rest.lstrip()))
    column = value_start + 1
    end_column = value_start + len(value) if value else column
    return MetadataField(
        key=canonical or written_key,
        value=value,
        line=line,
        column=column,
        end_column=end_column,
        known=canonical is not None,
        key_column=match.start("key") + 1,
        key_end_column=match.start("key") + len(match["key"]),
    )


def _is_content(token: Token) -> bool:
    """Blocks that count as a section's content: not headings, rules or bare HTML comments."""
    if token.type in ("heading_open", "hr") or token.nesting == -1:
        return False
    if token.type == "html_block":
        return not token.content.strip().startswith("<!--")
    return True


def _last_text_line(lines: list[str]) -> int:
    for number in range(len(lines), 0, -1):
        if lines[number - 1].strip():
            return number
    return 1
