"""Do the link rewrite and the link rule stay linear on hostile input?

    python bench/bench_links.py [--size 25000] [--repeat 5]

Each generated input (many links to the renamed file, long bracket runs, many reference
definitions, a table of links, links in deep quotes) is rewritten by
``bot.rfc.links.rewrite_links`` at sizes n, 2n and 4n characters. Per input it prints:

- growth per doubling, ``(t(4n) / t(n)) ** 0.5``: linear is 2, quadratic 4. Target: at most 2.2.
- the rewrite at 4n against a bare ``MarkdownIt("commonmark").parse()`` of the same text,
  measured in the same run, interleaved. Target: at most 3 (the rewrite parses the blocks,
  then only the inline text that names a ``.md`` file).

Then what the ``rfc-link-target`` rule adds to ``lint()`` of the 15 KB example RFC (with a
few links to RFC files): ``lint(known_files=...)`` against ``lint()`` (informational).
Times are the best of ``--repeat`` rounds; a round repeats a call until it has run 20 ms.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from markdown_it import MarkdownIt  # noqa: E402

from bench.bench_hostile import per_call  # noqa: E402
from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.links import rewrite_links  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
DOC_PATH = "docs/guide.md"
RENAMES = {"rfcs/0000-job-retries.md": "rfcs/0042-job-retries.md"}
GROWTH_TARGET = 2.2
RATIO_TARGET = 3.0
Generator = Callable[[int], str]


def _repeat(unit: Callable[[int], str], size: int) -> str:
    parts, length, index = [], 0, 0
    while length < size:
        piece = unit(index)
        parts.append(piece)
        length += len(piece)
        index += 1
    return "".join(parts)


def inputs() -> dict[str, Generator]:
    link = "../rfcs/0000-job-retries.md"
    return {
        "links in one paragraph": lambda n: _repeat(lambda i: f"see [r{i}]({link}) ", n),
        "a link per line": lambda n: _repeat(lambda i: f"line {i} [r]({link}#s{i})\n", n),
        "bracket runs": lambda n: (
            "0000-job-retries.md.md\n" + _repeat(lambda i: "[" * 50 + "](", n)
        ),
        "reference definitions": lambda n: _repeat(lambda i: f"[r{i}]: {link}\n", n),
        "table of links": lambda n: (
            "| a | b |\n|---|---|\n" + _repeat(lambda i: f"| [x]({link}) | [y]({link}) |\n", n)
        ),
        "deep quotes": lambda n: _repeat(lambda i: "> " * (i % 20) + f"[q]({link})\n\n", n),
    }


@dataclass(frozen=True)
class Measured:
    name: str
    sizes: tuple[int, ...]
    rewritten: tuple[float, ...]
    parsed: tuple[float, ...]

    @property
    def growth(self) -> float:
        return (self.rewritten[-1] / self.rewritten[0]) ** (1 / (len(self.sizes) - 1))


def measure_input(name: str, generate: Generator, size: int, repeat: int) -> Measured:
    parser = MarkdownIt("commonmark")
    texts = [generate(size * factor) for factor in (1, 2, 4)]
    rewritten, parsed = [], []
    for text in texts:
        call = partial(rewrite_links, text, DOC_PATH, RENAMES)
        call()  # warm up
        best_rewrite = best_parse = float("inf")
        for _ in range(repeat):  # interleaved: both see the same machine
            best_rewrite = min(best_rewrite, per_call(call, 1))
            best_parse = min(best_parse, per_call(partial(parser.parse, text), 1))
        rewritten.append(best_rewrite)
        parsed.append(best_parse)
    return Measured(name, tuple(len(t) for t in texts), tuple(rewritten), tuple(parsed))


def figures_of(found: Measured) -> list[Figure]:
    sizes = "/".join(f"{size:,}" for size in found.sizes)
    times = "/".join(f"{seconds * 1000:.2f}" for seconds in found.rewritten)
    return [
        Figure(
            f"links: {found.name}: growth",
            found.growth,
            "x",
            target=at_most(GROWTH_TARGET),
            note=f"rewrite_links() at {sizes} chars: {times} ms",
        ),
        Figure(
            f"links: {found.name}: vs parse",
            found.rewritten[-1] * 1000,
            "ms",
            baseline=found.parsed[-1] * 1000,
            target=at_most(RATIO_TARGET, on_ratio=True),
        ),
    ]


def rule_cost(repeat: int) -> Figure:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "### Summary\n", "### Summary\nAfter [RFC 7](0007-queues.md) and [8](0008-gone.md).\n", 1
    )
    config, path = Config(), "rfcs/0000-job-retries.md"
    known = frozenset({path, "rfcs/0007-queues.md"})
    with_files = without = float("inf")
    for _ in range(repeat):  # interleaved: both see the same machine
        with_files = min(
            with_files, per_call(lambda: lint(path, text, config, known_files=known), 1)
        )
        without = min(without, per_call(lambda: lint(path, text, config), 1))
    return Figure(
        "links: lint() with the repository's files",
        with_files * 1000,
        "ms",
        baseline=without * 1000,
        note=f"baseline: lint() of {EXAMPLE.name} with two links, without known_files",
    )


def measure(size: int = 25_000, repeat: int = 5) -> list[Figure]:
    figures: list[Figure] = []
    for name, generate in inputs().items():
        figures += figures_of(measure_input(name, generate, size, repeat))
    figures.append(rule_cost(repeat))
    return figures


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=25_000, help="n, in characters")
    options.add_argument("--repeat", type=int, default=5)
    args = options.parse_args()
    print_figures(measure(args.size, args.repeat))


if __name__ == "__main__":
    main()
