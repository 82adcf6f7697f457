"""File name, title and the section outline compared with the bundled template."""

from __future__ import annotations

import bisect
import posixpath

from bot.rfc.diagnostics import Severity
from bot.rfc.document import Document, Section, normalize_title
from bot.rfc.nearest import NearestKeys
from bot.rfc.paths import slugify
from bot.rfc.rules.base import LintContext, checker, define
from bot.rfc.template import TEMPLATE_TITLE, SectionSpec, required_sections

FILE_UNREADABLE = define(
    "file-unreadable",
    Severity.ERROR,
    "The file is not usable text: binary, not UTF-8, or larger than 1 MB.",
    doc="RFCs are UTF-8 markdown of reasonable size. A file with NUL bytes, bytes that are not "
    "valid UTF-8, or more than 1 MB is reported once, on line 1, and not checked further.",
    bad="(a PNG image committed as rfcs/0000-diagram.md)",
    good="# Job Retries with Backoff\n\n(plain UTF-8 markdown)",
    fix="Save the file as UTF-8 text; keep images and large attachments out of the RFC file.",
    family="file",
)
FILE_EMPTY = define(
    "file-empty",
    Severity.ERROR,
    "The file is not empty.",
    doc="An empty file (or one of only whitespace) is reported once, on line 1, and not checked "
    "further: every other rule would fail on it, and one message says what to do.",
    bad="(an empty rfcs/0000-job-retries.md)",
    good="# Job Retries with Backoff\n\n**Status:** Draft\n...",
    fix='Start from the template: `rfc-bot new "Title"` writes a new RFC with every section '
    "and metadata field, ready to fill in.",
    family="file",
)
# Reported by the App's lint pool (bot/lint_pool/), which stops a lint at its time budget.
LINT_TIMEOUT = define(
    "lint-timeout",
    Severity.ERROR,
    "The file lints within the App's time budget.",
    doc="The App gives each file a hard time budget (`LINT_TIMEOUT_SECONDS`, 5 s by default; "
    "an ordinary RFC takes a few milliseconds, one near the 1 MB limit well under a second). "
    "A file that takes longer is stopped, reported once, on line 1, and not checked further, "
    "so one file can never hold up the App. Only the App reports it; `rfc-bot lint` has no "
    "budget.",
    bad="(a file the linter needs more than LINT_TIMEOUT_SECONDS for)",
    good="# Job Retries with Backoff\n\n(an RFC of ordinary size and shape)",
    fix="Split the RFC into smaller files; if the file is ordinary, report it to the App's "
    "maintainers as a bug, with the file attached.",
    family="file",
)
FILE_NAME = define(
    "file-name",
    Severity.ERROR,
    "The file name is NNNN-kebab-slug.md with the configured number width.",
    doc="RFC files are named `NNNN-kebab-slug.md`: the number (`0000` until merged, "
    "`number_width` digits) then a lower-case slug of words joined by single hyphens.",
    bad="rfcs/Job_Retries.md\nrfcs/42-job-retries.md",
    good="rfcs/0000-job-retries.md\nrfcs/0042-job-retries.md",
    fix="Rename the file to 0000-<slug>.md; the bot assigns the number when the PR merges.",
    family="file",
)
TITLE_MISSING = define(
    "title-missing",
    Severity.ERROR,
    "The RFC starts with a single H1 title.",
    doc="The first heading is the RFC's title, written as an H1 (`# Title`).",
    bad="## Job retries\n\n**Status:** Draft",
    good="# Job Retries with Backoff\n\n**Status:** Draft",
    fix="Add a `# Title` line at the top of the file.",
    family="structure",
)
TITLE_MULTIPLE = define(
    "title-multiple",
    Severity.ERROR,
    "Only one H1 heading per RFC.",
    doc="An RFC has exactly one H1, its title; every other heading is H2 or deeper.",
    bad="# Job Retries\n...\n# Appendix",
    good="# Job Retries\n...\n## Appendices",
    fix="Turn the extra `#` heading into a `##` (or deeper) heading.",
    family="structure",
)
TITLE_TEMPLATE = define(
    "title-template",
    Severity.ERROR,
    "The title is not the template's own title.",
    doc="An RFC copied from the template must replace `# RFC Template` with its own title.",
    bad="# RFC Template",
    good="# Job Retries with Backoff",
    fix="Replace 'RFC Template' with a short title for your proposal.",
    family="structure",
)
SECTION_MISSING = define(
    "section-missing",
    Severity.ERROR,
    "Every required section of the template is present.",
    doc="Required sections are every H2-H4 heading of the bundled template that holds no "
    "`[...]` prompt, minus `optional_sections` (or exactly `required_sections` when configured). "
    "Headings with prompts, such as `#### Phase 1: [Phase Name]`, are examples of repeating "
    "sections and are not required. The diagnostic points at the line where the section belongs: "
    "the next template section that is present, or the end of its parent.",
    bad="## Overview\n\n### Summary\nRetry failed jobs.\n\n### Goals\n...",
    good="## Overview\n\n### Summary\nRetry failed jobs.\n\n### Context and Motivation\n"
    "...\n\n### Goals\n...",
    fix="Add the section heading (at the level shown) where the diagnostic points, and fill it.",
    family="structure",
)
SECTION_LEVEL = define(
    "section-level",
    Severity.ERROR,
    "Required sections use the template's heading level.",
    doc="A required section must be written at the same heading level as in the template, so "
    "the outline nests the same way.",
    bad="## Goals",
    good="### Goals",
    fix="Change the number of `#` marks to the template's level.",
    family="structure",
)
SECTION_ORDER = define(
    "section-order",
    Severity.ERROR,
    "Required sections appear in the template's order.",
    doc="Sections follow the template's order. The rule flags the fewest sections that must "
    "move (those outside the longest run already in order), each with the neighbour to move it "
    "next to: after the section it must follow when it comes too early, before the section it "
    "must precede when it comes too late. Done top to bottom, the moves put the outline in "
    "order; subsections that move with their section are not flagged again.",
    bad="### Non-Goals\n...\n### Goals\n...",
    good="### Goals\n...\n### Non-Goals\n...",
    fix="Move the section (with its subsections) next to the section the message names, "
    "after or before it as the message says; work through the messages top to bottom.",
    family="structure",
)
SECTION_EMPTY = define(
    "section-empty",
    Severity.ERROR,
    "Required sections are not empty.",
    doc="A required section needs content of its own: a paragraph, list, table or code. A "
    "section made only of sub-sections (such as `## Overview`) is judged by its sub-sections, "
    "each of which is checked in turn. Horizontal rules and HTML comments do not count.",
    bad="### Goals\n\n### Non-Goals",
    good="### Goals\nRetry transient failures automatically.\n\n### Non-Goals",
    fix="Write the section's content, or 'Not applicable' with a reason.",
    family="structure",
)


@checker
def check_file_name(doc: Document, ctx: LintContext) -> None:
    width = ctx.config.number_width
    if ctx.name is None:
        suggestion = f"{0:0{width}d}-{slugify(doc.title or _stem(ctx.path))}.md"
        ctx.report(
            FILE_NAME,
            1,
            f"File name '{posixpath.basename(ctx.path)}' is not NNNN-kebab-slug.md; "
            f"rename it to '{suggestion}'.",
        )
    elif ctx.name.width != width:
        expected = f"{ctx.name.number:0{width}d}-{ctx.name.slug}.md"
        ctx.report(
            FILE_NAME,
            1,
            f"The number in '{posixpath.basename(ctx.path)}' has {ctx.name.width} digits; "
            f"this repository uses {width}: rename it to '{expected}'.",
        )


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def report_empty(doc: Document, ctx: LintContext) -> None:
    """The one diagnostic of an empty file (``doc``): what to start from, or what to restore."""
    ctx.document = doc
    if isinstance(ctx.base, Document) and any(line.strip() for line in ctx.base.lines):
        message = (
            "The file is empty, but this RFC has content on the base branch: restore it "
            "(to retire an RFC, set its Status to Deprecated instead)."
        )
    else:
        name = ctx.name.slug if ctx.name is not None else slugify(_stem(ctx.path))
        title = name.replace("-", " ").capitalize()
        message = (
            "The file is empty; start from the template: delete it and run "
            f'`rfc-bot new "{title}"`, which writes the RFC with every section to fill in.'
        )
    ctx.report(FILE_EMPTY, 1, message, end_column=1)


@checker
def check_title(doc: Document, ctx: LintContext) -> None:
    if doc.title_line is None:
        ctx.report(TITLE_MISSING, 1, "The RFC has no '# Title' heading; add one on the first line.")
        return
    if normalize_title(doc.title or "") == normalize_title(TEMPLATE_TITLE):
        ctx.report(
            TITLE_TEMPLATE,
            doc.title_line,
            f"The title is still '{TEMPLATE_TITLE}'; replace it with the RFC's own title.",
        )
    for line in doc.h1_lines[1:]:
        ctx.report(
            TITLE_MULTIPLE,
            line,
            f"Second H1 heading (the title is on line {doc.title_line}); use '##' or deeper.",
        )


@checker
def check_sections(doc: Document, ctx: LintContext) -> None:
    specs = required_sections(ctx.config)
    matched = _match_sections(doc, specs)
    _report_missing(doc, ctx, specs, matched)
    _report_levels(ctx, specs, matched)
    _report_order(ctx, specs, matched)
    for section in matched:
        if section is not None and not section.own_content and not section.children:
            ctx.report(
                SECTION_EMPTY,
                section.line,
                f"Section '{section.title}' is empty; write its content.",
            )


def _parent_key(section: Section) -> str | None:
    return section.parent.key if section.parent else None


def _match_sections(doc: Document, specs: tuple[SectionSpec, ...]) -> list[Section | None]:
    """Pair each spec with a document section: same title and parent first, then same title."""
    by_key: dict[str, list[Section]] = {}
    for section in doc.sections:
        by_key.setdefault(section.key, []).append(section)
    claimed: set[int] = set()
    matched: list[Section | None] = [None] * len(specs)
    for exact in (True, False):
        for index, spec in enumerate(specs):
            if matched[index] is not None:
                continue
            for section in by_key.get(spec.key, ()):
                fits = not exact or _parent_key(section) == spec.parent_key
                if fits and id(section) not in claimed:
                    matched[index] = section
                    claimed.add(id(section))
                    break
    return matched


def _report_missing(
    doc: Document, ctx: LintContext, specs: tuple[SectionSpec, ...], matched: list[Section | None]
) -> None:
    last_line = max(1, len(doc.lines))
    claimed = {id(section) for section in matched if section is not None}
    unclaimed = NearestKeys((s.key, s) for s in doc.sections if id(s) not in claimed)
    following = _next_present(matched)
    first_by_key: dict[str, Section] = {}  # a parent is the first matched spec with its title
    for spec, section in zip(specs, matched, strict=True):
        if section is not None:
            first_by_key.setdefault(spec.key, section)
    for index, spec in enumerate(specs):
        if matched[index] is not None:
            continue
        heading = "#" * (spec.level or 2) + " " + spec.title
        where = f" under '{spec.parent}'" if spec.parent else ""
        misnamed = unclaimed.pop_closest(spec.key)
        if misnamed is not None:
            ctx.report(
                SECTION_MISSING,
                misnamed.line,
                f"Missing required section '{heading}'{where}; "
                f"rename '{misnamed.title}' to '{spec.title}'.",
            )
            continue
        # Where it belongs: before the next present section, within its parent.
        next_present = following[index]
        line = next_present.line if next_present is not None else last_line
        parent = first_by_key.get(spec.parent_key) if spec.parent_key else None
        if parent is not None and line > parent.end_line:
            line = parent.end_line
        message = f"Missing required section '{heading}'{where}; add it here."
        ctx.report(SECTION_MISSING, line, message)


def _next_present(matched: list[Section | None]) -> list[Section | None]:
    """For each index, the first matched section after it (one sweep from the end)."""
    following: list[Section | None] = [None] * len(matched)
    for index in range(len(matched) - 2, -1, -1):
        following[index] = matched[index + 1] or following[index + 1]
    return following


def _report_levels(
    ctx: LintContext, specs: tuple[SectionSpec, ...], matched: list[Section | None]
) -> None:
    for spec, section in zip(specs, matched, strict=True):
        if section is None or spec.level is None or section.level == spec.level:
            continue
        ctx.report(
            SECTION_LEVEL,
            section.line,
            f"'{section.title}' is an H{section.level}; the template has it as H{spec.level}: "
            f"write '{'#' * spec.level} {spec.title}'.",
        )


def _report_order(
    ctx: LintContext, specs: tuple[SectionSpec, ...], matched: list[Section | None]
) -> None:
    """The sections off one longest run already in the template's order are the fewest that
    must move. Each is told the neighbour to move next to, so that doing what the messages
    say, top to bottom, puts the sections in order: a section that comes too early goes after
    its nearest predecessor in place, one that comes too late before its nearest successor in
    place (it is already after its predecessor). In place: on that run, or moved by a message
    above. Subsections that move with their section are not told again."""
    present = [(spec, section) for spec, section in zip(specs, matched, strict=True) if section]
    in_order = _longest_increasing([section.line for _, section in present])
    kept = [section if index in in_order else None for index, (_, section) in enumerate(present)]
    before, after = _previous_present(kept), _next_present(kept)
    carried = _carried(present, in_order)
    in_place = sorted(in_order)  # positions in template order of the sections in place
    moving = (i for i in range(len(present)) if i not in in_order and i not in carried)
    for index in sorted(moving, key=lambda i: present[i][1].line):
        section = present[index][1]
        spot = bisect.bisect_left(in_place, index)
        predecessor, successor = before[index], after[index]
        too_early = successor is None or (
            predecessor is not None and section.line < predecessor.line
        )
        neighbour = in_place[spot - 1] if too_early else in_place[spot]
        in_place.insert(spot, index)
        where = "after" if too_early else "before"
        with_children = any(id(child) in carried.values() for child in section.children)
        what = "it, with its subsections," if with_children else "it"
        ctx.report(
            SECTION_ORDER,
            section.line,
            f"Section '{section.title}' is out of the template's order; move {what} {where} "
            + _neighbour(present[neighbour][1], neighbour in in_order),
        )


def _neighbour(section: Section, in_place: bool) -> str:
    if in_place:
        return f"'{section.title}' (line {section.line})."
    return f"'{section.title}', once that has moved."


def _carried(present: list[tuple[SectionSpec, Section]], in_order: set[int]) -> dict[int, int]:
    """Position -> id of the sections that move with their parent, which moves too (the
    template has them under it)."""
    moving = {id(section) for i, (_, section) in enumerate(present) if i not in in_order}
    return {
        index: id(section)
        for index, (spec, section) in enumerate(present)
        if section.parent is not None
        and id(section.parent) in moving
        and id(section) in moving
        and spec.parent_key == section.parent.key
    }


def _previous_present(matched: list[Section | None]) -> list[Section | None]:
    """For each index, the last matched section before it (one sweep from the start)."""
    preceding: list[Section | None] = [None] * len(matched)
    for index in range(1, len(matched)):
        preceding[index] = matched[index - 1] or preceding[index - 1]
    return preceding


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []  # values
    tail_index: list[int] = []  # index into values for each tail
    parent: list[int] = [-1] * len(values)
    for index, value in enumerate(values):
        position = bisect.bisect_left(tails, value)
        if position == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[position] = value
            tail_index[position] = index
        parent[index] = tail_index[position - 1] if position else -1
    kept: set[int] = set()
    cursor = tail_index[-1] if tail_index else -1
    while cursor != -1:
        kept.add(cursor)
        cursor = parent[cursor]
    return kept
