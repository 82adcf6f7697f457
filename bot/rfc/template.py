"""The bundled RFC template, parsed once into what the rules need.

* fixed sections: every H2..H4 heading without a ``[...]`` prompt, with its level and parent;
  headings holding prompts (``#### Phase 1: [Phase Name]``) are examples of repeating sections.
* prompts: every ``[...]`` bracket text of the template that is not a link or a task box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from bot.rfc.config.fields import Config
from bot.rfc.document import Document, normalize_title, parse

TEMPLATE_TITLE = "RFC Template"

# A bracket that is not escaped, an image, the second half of [text][ref], a link [text](url),
# a reference [text][ref] or a link definition [ref]: url.
_BRACKET = re.compile(r"(?<![\\!\]])\[([^\[\]\n]+)\](?![(\[:])")
_BACKTICKS = re.compile(r"`+")
_TASK_BOX_TEXT = frozenset({" ", "x", "X"})


@dataclass(frozen=True, slots=True)
class SectionSpec:
    level: int | None  # None: a configured section the template does not have
    title: str
    parent: str | None  # parent heading title, None at top level
    # Comparison keys, computed once: the rules look them up for every section of every lint.
    key: str = field(init=False, repr=False, compare=False)
    parent_key: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", normalize_title(self.title))
        parent_key = normalize_title(self.parent) if self.parent else None
        object.__setattr__(self, "parent_key", parent_key)


@dataclass(frozen=True, slots=True)
class PromptMatch:
    text: str  # inside the brackets
    column: int  # 1-based, the "["
    end_column: int  # inclusive, the "]"


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    document: Document
    fixed_sections: tuple[SectionSpec, ...]
    prompts: frozenset[str]  # normalized bracket texts

    def is_prompt(self, value: str) -> bool:
        """True when ``value`` is exactly one template prompt, e.g. ``[YYYY-MM-DD]``."""
        value = value.strip()
        return (
            value.startswith("[")
            and value.endswith("]")
            and normalize_title(value[1:-1]) in self.prompts
        )

    def prompts_in(self, line: str) -> list[PromptMatch]:
        """Template prompts left in one source line (code spans ignored)."""
        if "[" not in line:
            return []
        if "`" in line:
            line = blank_code_spans(line)
        return [
            PromptMatch(match[1], match.start() + 1, match.end())
            for match in _BRACKET.finditer(line)
            if normalize_title(match[1]) in self.prompts
        ]


def blank_code_spans(text: str) -> str:
    """``text`` with each code span replaced by spaces of the same length, in linear time.

    A span is what the pattern ``(`+).+?\\1`` would replace, scanning left to right: a run of
    k backticks, at least one character, then the first later run of k backticks (which may sit
    inside a longer run), taking the largest k that closes. That pattern backtracks cubically on a
    long backtick run, so the same spans are found here from the runs' lengths instead.
    """
    return "\n".join(_blank_segment(segment) for segment in text.split("\n"))


def _blank_segment(text: str) -> str:
    """One newline-free piece of ``blank_code_spans`` (a span never crosses a newline)."""
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    longest_after = [0] * len(runs)  # the longest run after each run
    longest = 0
    for index in range(len(runs) - 1, -1, -1):
        longest_after[index] = longest
        longest = max(longest, runs[index][1] - runs[index][0])
    spans: list[tuple[int, int]] = []
    index, position = 0, 0
    while index < len(runs):
        start, end = runs[index]
        position = max(position, start)
        remaining = end - position
        # The largest k that closes: inside this run (needs 2k + 1 backticks) or a later run.
        width = max(min(remaining, longest_after[index]), (remaining - 1) // 2)
        if width < 1:
            index += 1
            continue
        if 2 * width + 1 <= remaining:
            closing_end = position + 2 * width + 1
        else:
            index += 1
            while runs[index][1] - runs[index][0] < width:
                index += 1  # skipped runs fall inside the span: each is passed once
            closing_end = runs[index][0] + width
        spans.append((position, closing_end))
        position = closing_end
        if position >= runs[index][1]:
            index += 1
    if not spans:
        return text
    pieces: list[str] = []
    previous = 0
    for start, end in spans:
        pieces += [text[previous:start], " " * (end - start)]
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


def bracket_texts(line: str) -> list[str]:
    """Every non-link, non-task-box bracket text of a line."""
    return [m[1] for m in _BRACKET.finditer(line) if m[1] not in _TASK_BOX_TEXT]


@cache
def bundled() -> Template:
    """The template shipped with the bot (bot/rfc/template.md), parsed once per process."""
    text = resources.files("bot.rfc").joinpath("template.md").read_text(encoding="utf-8")
    return build(text)


def build(text: str) -> Template:
    document = parse(text)
    fixed = tuple(
        SectionSpec(section.level, section.title, section.parent.title if section.parent else None)
        for section in document.sections
        if section.level <= 4 and not bracket_texts(section.title)
    )
    code = document.code_lines
    prompts = frozenset(
        normalize_title(found)
        for number, line in enumerate(document.lines, start=1)
        if number not in code
        for found in bracket_texts(line)
    )
    return Template(text, document, fixed, prompts)


@cache
def _required(
    required: tuple[str, ...] | None, optional: tuple[str, ...]
) -> tuple[SectionSpec, ...]:
    fixed = bundled().fixed_sections
    if required is None:
        skipped = {normalize_title(title) for title in optional}
        return tuple(spec for spec in fixed if spec.key not in skipped)
    specs: list[SectionSpec] = []
    for title in required:
        from_template = [spec for spec in fixed if spec.key == normalize_title(title)]
        specs.extend(from_template or [SectionSpec(None, title, None)])
    return tuple(specs)


def required_sections(config: Config) -> tuple[SectionSpec, ...]:
    """The sections an RFC must have, in template order (or the configured order)."""
    return _required(config.required_sections, tuple(config.optional_sections))
