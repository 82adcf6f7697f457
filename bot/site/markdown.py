"""An RFC's body as HTML: markdown-it-py with raw HTML off and its link validation on, heading
anchors, and the table of contents read from the same tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

# html=False: any HTML in the RFC is shown as text. linkify stays off. markdown-it-py's
# validateLink refuses javascript:, vbscript:, file: and (non-image) data: URLs.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_NOT_SLUG = re.compile(r"[^\w-]+")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    toc: list[Heading]


def slug(text: str) -> str:
    """GitHub-like anchor: lower case, words joined by '-', other characters dropped."""
    return _NOT_SLUG.sub("", "-".join(text.lower().split())) or "section"


def render(text: str) -> Rendered:
    """The body (everything after the title heading) as HTML, with an id on each heading."""
    tokens = _MARKDOWN.parse(text.replace("\x00", "\ufffd"))
    tokens = _without_title(tokens)
    toc: list[Heading] = []
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        words = _plain(tokens[index + 1])
        anchor = _unique(slug(words), seen)
        token.attrSet("id", anchor)
        toc.append(Heading(int(token.tag[1]), words, anchor))
    return Rendered(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}), toc)


def _unique(anchor: str, seen: set[str]) -> str:
    """``anchor``, or ``anchor-1``, ``anchor-2``... the first not used yet on the page."""
    candidate, count = anchor, 0
    while candidate in seen:
        count += 1
        candidate = f"{anchor}-{count}"
    seen.add(candidate)
    return candidate


def _without_title(tokens: list[Token]) -> list[Token]:
    """Drop the first H1 (the page header shows the title) and the metadata paragraph after
    it (the header shows the fields), when they are there."""
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    if (
        len(tokens) >= 3
        and tokens[0].type == "paragraph_open"
        and tokens[1].content.startswith("**")
    ):
        tokens = tokens[3:]
    return tokens


def _plain(inline: Token) -> str:
    """A heading's text without markup: the text and code children of its inline token."""
    children = inline.children or []
    parts = [child.content for child in children if child.type in ("text", "code_inline")]
    return "".join(parts).strip() or inline.content.strip()
