"""The bundled RFC template, parsed once into what the rules need.

* fixed sections: every H2..H4 heading without a ``[...]`` prompt, with its level and parent;
  headings holding prompts (``#### Phase 1: [Phase Name]``) are examples of repeating sections.
* prompts: every ``[...]`` bracket text of the template that is not a link or a task box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.rfc.config_table import Config
from bot.rfc.document import Document, normalize_title, parse

TEMPLATE_TITLE = "RFC Template"

# A bracket that is not escaped, an image, the second half of [text][ref], a link [text](url),
# a reference [text][ref] or a link definition [ref]: url.
_BRACKET = re.compile(r"(?<![\\!\]])\[([^\[\]\n]+)\](?![(\[:])")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_TASK_BOX_TEXT = frozenset({" ", "x", "X"})


@dataclass(frozen=True, slots=True)
class SectionSpec:
    level: int | None  # None: a configured section the template does not have
    title: str
    parent: str | None  # parent heading title, None at top level

    @property
    def key(self) -> str:
        return normalize_title(self.title)

    @property
    def parent_key(self) -> str | None:
        return normalize_title(self.parent) if self.parent else None


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
            line = _CODE_SPAN.sub(lambda m: " " * len(m[0]), line)
        return [
            PromptMatch(match[1], match.start() + 1, match.end())
            for match in _BRACKET.finditer(line)
            if normalize_title(match[1]) in self.prompts
        ]


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
