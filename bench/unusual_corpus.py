"""A deterministic corpus of RFC-like documents far from the team's template.

    python bench/unusual_corpus.py [--out DIR]    # writes the corpus as files, to look at

Real proposals arrive in other teams' shapes: architecture decision records, Python PEPs,
Rust RFCs, Kubernetes KEPs (long YAML front matter, a table of contents, a checklist), and
documents made mostly of big tables, hundreds of headings, long lists, HTML blocks or deep
nesting. Each shape is generated at a few sizes from a fixed seed, so every run lints the same
text. ``corpus()`` returns ``(name, text)`` pairs; the benchmark lints each against a bare
``MarkdownIt().parse()`` of the same text.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

Shape = Callable[[random.Random, int], str]

_WORDS = (
    "scheduler",
    "queue",
    "retry",
    "budget",
    "latency",
    "tenant",
    "shard",
    "replica",
    "lease",
    "token",
    "cache",
    "index",
    "migration",
    "rollout",
    "flag",
    "quorum",
    "backoff",
    "jitter",
    "partition",
    "snapshot",
    "compaction",
    "watermark",
    "throughput",
    "backpressure",
    "controller",
    "reconcile",
    "webhook",
    "admission",
    "namespace",
    "volume",
    "checkpoint",
    "manifest",
    "registry",
    "artifact",
    "pipeline",
    "runner",
    "executor",
    "worker",
    "heartbeat",
)
_NAMES = ("Priya Raman", "Tomas Lindqvist", "Ana Souza", "Kenji Mori", "Lea Brandt")
_HANDLES = ("priya", "t-lindqvist", "asouza", "kmori", "lbrandt")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def _sentence(rng: random.Random) -> str:
    """A sentence with the inline markup real prose has: emphasis, code, links."""
    parts = [_words(rng, rng.randint(4, 10)).capitalize()]
    kind = rng.randrange(5)
    if kind == 0:
        parts.append(f"*{_words(rng, 2)}*")
    elif kind == 1:
        parts.append(f"`{rng.choice(_WORDS)}_{rng.randrange(100)}()`")
    elif kind == 2:
        parts.append(f"[{_words(rng, 2)}](https://example.com/{rng.choice(_WORDS)})")
    elif kind == 3:
        parts.append(f"**{_words(rng, 1)}**")
    parts.append(_words(rng, rng.randint(3, 8)))
    return " ".join(parts) + "."


def _paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences)) + "\n\n"


def _bullets(rng: random.Random, count: int, prefix: str = "- ") -> str:
    return "".join(f"{prefix}{_sentence(rng)}\n" for _ in range(count)) + "\n"


def _code(rng: random.Random, language: str, lines: int) -> str:
    body = "".join(f"    {rng.choice(_WORDS)}_{i} = {rng.randrange(1000)}\n" for i in range(lines))
    return f"```{language}\n{body}```\n\n"


def _table(rng: random.Random, columns: int, rows: int) -> str:
    header = "| " + " | ".join(_words(rng, 1).title() for _ in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    body = "".join(
        "| " + " | ".join(_words(rng, rng.randint(1, 3)) for _ in range(columns)) + " |\n"
        for _ in range(rows)
    )
    return header + rule + body + "\n"


def _bodies(rng: random.Random, count: int, size: int, list_marker: str = "- ") -> list[str]:
    """``count`` section bodies of paragraphs and lists, filled in turn until together they
    hold ``size`` characters (at least one paragraph each), so a document doubles with ``size``."""
    bodies = [[_paragraph(rng, rng.randint(1, 3))] for _ in range(count)]
    length = sum(len(body[0]) for body in bodies)
    turn = 0
    while length < size:
        piece = _paragraph(rng, rng.randint(2, 4))
        if rng.random() < 0.3:
            marker = "  - " if list_marker != "- " and rng.random() < 0.3 else "- "
            piece += _bullets(rng, rng.randint(2, 5), marker)
        bodies[turn % count].append(piece)
        length += len(piece)
        turn += 1
    return ["".join(body) for body in bodies]


def _sections(rng: random.Random, titles: tuple[str, ...], size: int, level: str = "##") -> str:
    """Each title as a section, bodies filled until the whole holds about ``size`` characters."""
    bodies = _bodies(rng, len(titles), size - sum(len(title) + 5 for title in titles))
    return "".join(f"{level} {title}\n\n{body}" for title, body in zip(titles, bodies, strict=True))


def adr(rng: random.Random, size: int) -> str:
    """A Nygard architecture decision record: Status, Context, Decision, Consequences."""
    title = f"# ADR {rng.randrange(100)}: {_words(rng, 4).title()}\n\n"
    head = f"{title}Date: 2024-03-0{rng.randint(1, 9)}\n\n"
    return head + _sections(rng, ("Status", "Context", "Decision", "Consequences"), size)


def pep(rng: random.Random, size: int) -> str:
    """A PEP: an RFC 822 style header block, then the PEP sections."""
    head = (
        f"# PEP {rng.randrange(800, 799 + 100)} – {_words(rng, 4).title()}\n\n"
        f"PEP: {rng.randrange(800, 900)}  \nTitle: {_words(rng, 5)}  \n"
        f"Author: {_NAMES[0]} <priya@example.com>, {_NAMES[1]} <tl@example.com>  \n"
        "Status: Draft  \nType: Standards Track  \nCreated: 01-Mar-2024  \n"
        "Python-Version: 3.14  \nPost-History: 02-Mar-2024, 15-Mar-2024  \n\n"
    )
    titles = (
        "Abstract",
        "Motivation",
        "Rationale",
        "Specification",
        "Backwards Compatibility",
        "Security Implications",
        "How to Teach This",
        "Reference Implementation",
        "Rejected Ideas",
        "Open Issues",
        "Footnotes",
        "Copyright",
    )
    body = _sections(rng, titles, size)
    return head + body + _code(rng, "python", 12)


def rust_rfc(rng: random.Random, size: int) -> str:
    """A Rust RFC: a bullet header, guide- and reference-level explanations, code."""
    head = (
        f"- Feature Name: `{rng.choice(_WORDS)}_{rng.choice(_WORDS)}`\n"
        "- Start Date: 2024-03-01\n- RFC PR: [rust-lang/rfcs#0000](https://example.com/0)\n"
        "- Rust Issue: [rust-lang/rust#0000](https://example.com/1)\n\n"
    )
    titles = (
        "Summary",
        "Motivation",
        "Guide-level explanation",
        "Reference-level explanation",
        "Drawbacks",
        "Rationale and alternatives",
        "Prior art",
        "Unresolved questions",
        "Future possibilities",
    )
    parts = [head]
    for part in _sections(rng, titles, size).split("\n## ")[1:]:
        parts.append("## " + part + _code(rng, "rust", rng.randint(4, 15)))
    return "".join(parts)


def kep(rng: random.Random, size: int) -> str:
    """A Kubernetes KEP: YAML front matter, a table of contents, a checklist, deep outline."""
    front = ["---\n", f"title: {_words(rng, 4)}\n", "kep-number: 4242\n", "authors:\n"]
    front += [f'  - "@{handle}"\n' for handle in _HANDLES]
    front += ["owning-sig: sig-node\n", "participating-sigs:\n"]
    front += [f"  - sig-{rng.choice(_WORDS)}\n" for _ in range(6)]
    front += ["status: implementable\n", "creation-date: 2024-03-01\n", "reviewers:\n"]
    front += [f'  - "@{rng.choice(_HANDLES)}"\n' for _ in range(8)]
    front += ["see-also:\n"] + [f'  - "/keps/sig-node/{i}"\n' for i in range(10)]
    front += ["milestone:\n  alpha: v1.31\n  beta: v1.32\n  stable: v1.34\n", "---\n\n"]
    outline = [
        ("##", "Release Signoff Checklist"),
        ("##", "Summary"),
        ("##", "Motivation"),
        ("###", "Goals"),
        ("###", "Non-Goals"),
        ("##", "Proposal"),
        ("###", "User Stories (Optional)"),
        ("####", "Story 1"),
        ("####", "Story 2"),
        ("###", "Notes/Constraints/Caveats (Optional)"),
        ("###", "Risks and Mitigations"),
        ("##", "Design Details"),
        ("###", "Test Plan"),
        ("#####", "Prerequisite testing updates"),
        ("#####", "Unit tests"),
        ("#####", "Integration tests"),
        ("#####", "e2e tests"),
        ("###", "Graduation Criteria"),
        ("###", "Upgrade / Downgrade Strategy"),
        ("###", "Version Skew Strategy"),
        ("##", "Production Readiness Review Questionnaire"),
        ("###", "Feature Enablement and Rollback"),
        ("###", "Rollout, Upgrade and Rollback Planning"),
        ("###", "Monitoring Requirements"),
        ("###", "Dependencies"),
        ("###", "Scalability"),
        ("###", "Troubleshooting"),
        ("##", "Implementation History"),
        ("##", "Drawbacks"),
        ("##", "Alternatives"),
        ("##", "Infrastructure Needed (Optional)"),
    ]
    toc = "<!-- toc -->\n" + "".join(
        "  " * (len(level) - 2) + f"- [{title}](#{title.lower().replace(' ', '-')})\n"
        for level, title in outline
    )
    checklist = "".join(f"- [{rng.choice(' x')}] {_sentence(rng)}\n" for _ in range(12))
    head = "".join(front) + f"# KEP-4242: {_words(rng, 4).title()}\n\n{toc}<!-- /toc -->\n\n"
    body = [head]
    fill = _bodies(rng, len(outline), size - len(head) - len(checklist), list_marker="  - ")
    for (level, title), text in zip(outline, fill, strict=True):
        body.append(f"{level} {title}\n\n")
        body.append(checklist + "\n" if title == "Release Signoff Checklist" else text)
    return "".join(body)


def big_tables(rng: random.Random, size: int) -> str:
    """A comparison document that is mostly tables: a few wide ones with many rows."""
    parts = [f"# {_words(rng, 3).title()} Options\n\n", _paragraph(rng, 2)]
    while sum(map(len, parts)) < size:
        parts.append(f"## {_words(rng, 2).title()}\n\n")
        parts.append(_table(rng, rng.randint(4, 9), rng.randint(20, 80)))
    return "".join(parts)


def many_headings(rng: random.Random, size: int) -> str:
    """An outline of hundreds of short headings (a spec split into numbered clauses)."""
    parts = [f"# {_words(rng, 3).title()} Specification\n\n"]
    index = 0
    while sum(map(len, parts)) < size:
        level = "#" * rng.choice((2, 3, 3, 4, 4, 5))
        parts.append(f"{level} {index}. {_words(rng, rng.randint(1, 3)).title()}\n\n")
        parts.append(_sentence(rng) + "\n\n")
        index += 1
    return "".join(parts)


def long_front_matter(rng: random.Random, size: int) -> str:
    """A page whose YAML front matter is half of it, then a few plain sections."""
    lines = ["---\n"]
    while sum(map(len, lines)) < size // 2:
        key = f"{rng.choice(_WORDS)}_{len(lines)}"
        if rng.random() < 0.3:
            lines.append(f"{key}:\n" + "".join(f"  - {_words(rng, 2)}\n" for _ in range(4)))
        else:
            lines.append(f"{key}: {_words(rng, rng.randint(1, 6))}\n")
    lines.append("---\n\n")
    body = _sections(rng, ("Summary", "Design", "Rollout", "Open Questions"), size // 2)
    return "".join(lines) + f"# {_words(rng, 3).title()}\n\n" + body


def html_blocks(rng: random.Random, size: int) -> str:
    """Notes exported from a wiki: HTML blocks, details elements, tables in HTML."""
    parts = [f"# {_words(rng, 3).title()}\n\n"]
    while sum(map(len, parts)) < size:
        parts.append(f"## {_words(rng, 2).title()}\n\n")
        parts.append("<details>\n<summary>" + _words(rng, 3) + "</summary>\n\n")
        parts.append(_paragraph(rng, 2) + "</details>\n\n")
        rows = "".join(
            f"<tr><td>{_words(rng, 1)}</td><td>{_words(rng, 3)}</td></tr>\n" for _ in range(8)
        )
        parts.append(f'<table class="{rng.choice(_WORDS)}">\n{rows}</table>\n\n')
        parts.append(_paragraph(rng, 2))
    return "".join(parts)


def long_lists(rng: random.Random, size: int) -> str:
    """Meeting notes: a few headings over very long bullet and numbered lists."""
    parts = [f"# {_words(rng, 3).title()} Notes\n\n"]
    while sum(map(len, parts)) < size:
        parts.append(f"## {_words(rng, 2).title()}\n\n")
        parts.append(_bullets(rng, rng.randint(40, 120)))
        parts.append("".join(f"{i + 1}. {_sentence(rng)}\n" for i in range(30)) + "\n")
    return "".join(parts)


def deep_nesting(rng: random.Random, size: int) -> str:
    """Review threads: quotes inside lists inside quotes, nested a few levels deep."""
    parts = [f"# {_words(rng, 3).title()} Review\n\n## Discussion\n\n"]
    while sum(map(len, parts)) < size:
        depth = rng.randint(2, 6)
        for level in range(depth):
            indent = "  " * level
            parts.append(f"{indent}- {_sentence(rng)}\n{indent}  > {_sentence(rng)}\n")
        parts.append("\n> " + "\n> > ".join(_sentence(rng) for _ in range(depth)) + "\n\n")
    return "".join(parts)


SHAPES: dict[str, Shape] = {
    "adr": adr,
    "pep": pep,
    "rust-rfc": rust_rfc,
    "kep": kep,
    "big-tables": big_tables,
    "many-headings": many_headings,
    "front-matter": long_front_matter,
    "html-blocks": html_blocks,
    "long-lists": long_lists,
    "deep-nesting": deep_nesting,
}
SIZES = (4_000, 15_000, 40_000)  # characters: a short note, a typical RFC, a long one


def corpus(sizes: tuple[int, ...] = SIZES) -> list[tuple[str, str]]:
    """(name, text) for every shape at every size; the same text on every run."""
    found = []
    for shape_index, (name, shape) in enumerate(SHAPES.items()):
        for size in sizes:
            rng = random.Random(shape_index * 1_000_003 + size)
            size_for_shape = size * 3 // 2 if name == "many-headings" else size
            found.append((f"{name}-{size // 1000}k", shape(rng, size_for_shape)))
    return found


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--out", type=Path, default=Path("unusual-corpus"))
    args = options.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in corpus():
        (args.out / f"{name}.md").write_text(text, encoding="utf-8")
    print(f"wrote {len(corpus())} documents to {args.out}")


if __name__ == "__main__":
    main()
