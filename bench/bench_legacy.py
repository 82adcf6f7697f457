"""What the legacy pass (``bot.rfc.legacy``) costs on top of the lint it follows.

    python bench/bench_legacy.py [--repeat 5] [--number 10]

1. An old RFC (ten legacy errors) edited on one line: the head's lint plus the whole pass
   (review, the base's lint, finish) against the head's lint alone. The base's lint is the
   price: target ratio <= 2.3.
2. A clean RFC edited on one line: the pass finds nothing to lower and lints nothing more.
   Target ratio <= 1.05.
3. The diff reader on GitHub's largest patch (500 KB): CPU per parse (baseline ``str.split``
   of the same patch), and its growth per doubling of the patch against the growth of a bare
   loop over the same lines (target ratio <= 1.1: linear as a single pass is).
4. The part of the pass that runs on the App's event loop for a 1 MB RFC with a patch
   under GitHub's 500 KB (parse, decode, the check that the diff fits both versions),
   against the lint of that RFC (which runs in the lint pool). Target ratio <= 0.1.

CPU time (``time.process_time``) of this process, best of interleaved rounds: the machine
may be shared.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.legacy import Pending, review  # noqa: E402
from bot.rfc.lint import lint  # noqa: E402
from bot.rfc.touched import parse_patch  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402

PATH = "rfcs/0000-job-retries.md"
TODAY = date(2024, 6, 12)
APPS = "**Target Application(s):** orchestrator, jobmaster"
PROMPT = "[Brief 1-2 sentence description of the feature/change]"
SENTENCE = "Per-command retry policies chosen by the job's author.\n"


def _patch(base: str, head: str) -> str:
    return "".join(difflib.unified_diff(base.splitlines(True), head.splitlines(True)))


def _pass(base: str, head: str, patch: str, config: Config) -> int:
    result = lint(PATH, head, config, base=base, today=TODAY)
    step = review(
        result.diagnostics,
        patch=patch,
        status_before=result.status_before,
        status_after=result.document.status if result.document else None,
        head=head,
        base=base,
        config=config,
    )
    if isinstance(step, Pending):
        step = step.finish(lint(PATH, base, config, today=TODAY).diagnostics)
    return step.count


def _best_pair(
    value: Callable[[], object], baseline: Callable[[], object], repeat: int, number: int
) -> tuple[float, float]:
    """CPU seconds per call of each, best of ``repeat`` interleaved rounds of ``number``."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for index, call in enumerate((value, baseline)):
            start = time.process_time()
            for _ in range(number):
                call()
            best[index] = min(best[index], (time.process_time() - start) / number)
    return best[0], best[1]


def _edit_pair(base: str, config: Config, repeat: int, number: int) -> tuple[float, float, int]:
    head = base.replace(APPS, APPS + ", api")
    patch = _patch(base, head)
    count = _pass(base, head, patch, config)
    value, baseline = _best_pair(
        lambda: _pass(base, head, patch, config),
        lambda: lint(PATH, head, config, base=base, today=TODAY),
        repeat,
        number,
    )
    return value, baseline, count


def _big_patch(lines: int) -> str:
    """A patch rewriting every other line of a ``lines``-line file, GitHub's three lines of
    context: the densest hunks a diff has."""
    old = [f"line {n} of the old text, long enough to look like prose\n" for n in range(lines)]
    new = [line.upper() if n % 2 else line for n, line in enumerate(old)]
    return _patch("".join(old), "".join(new))


def _patch_of_size(size: int) -> str:
    lines = 1000
    while len(_big_patch(lines).encode()) < size:
        lines *= 2
    low, high = lines // 2, lines
    while high - low > 50:
        middle = (low + high) // 2
        low, high = (middle, high) if len(_big_patch(middle).encode()) < size else (low, middle)
    return _big_patch(low)


def _loop_part(repeat: int) -> tuple[float, float, int, int]:
    """(CPU of the on-loop part, CPU of the lint, patch bytes, RFC bytes) for a 1 MB RFC with
    ten legacy errors and a patch just under GitHub's 500 KB."""
    config = Config()
    paragraph = "Paragraph {}: a retry budget caps the attempts per job.\n\n"
    body = "".join(paragraph.format(n) for n in range(16_000)) + f"{PROMPT}\n\n" * 10
    base = demo_file("fixed.md").replace(SENTENCE, body)
    head_lines = base.split("\n")
    for n in range(40, len(head_lines), 24):  # one line in 24 edited
        head_lines[n] = head_lines[n] + " (edited)"
    head = "\n".join(head_lines)
    patch = _patch(base, head)
    result = lint(PATH, head, config, base=base, today=TODAY)

    def on_loop() -> object:
        step = review(
            result.diagnostics,
            patch=patch,
            status_before=result.status_before,
            status_after="Draft",
            head=head.encode(),
            base=base.encode(),
            config=config,
        )
        assert isinstance(step, Pending)  # it went all the way: parsed, decoded, fitted
        return step

    loop, linted = _best_pair(
        on_loop, lambda: lint(PATH, head, config, base=base, today=TODAY), repeat, 1
    )
    return loop, linted, len(patch.encode()), len(head.encode())


def measure(repeat: int = 5, number: int = 10) -> list[Figure]:
    config = Config()
    good = demo_file("fixed.md")
    old = good.replace(SENTENCE, "".join(f"{PROMPT}\n\n" for _ in range(10)))
    figures: list[Figure] = []
    value, baseline, count = _edit_pair(old, config, repeat, number)
    figures.append(
        Figure(
            "legacy pass: old RFC, one line edited",
            value * 1000,
            "ms CPU",
            baseline * 1000,
            at_most(2.3, on_ratio=True),
            f"{count} legacy errors lowered; baseline: the head's lint alone (with its base)",
        )
    )
    value, baseline, count = _edit_pair(good, config, repeat, number)
    figures.append(
        Figure(
            "legacy pass: clean RFC, one line edited",
            value * 1000,
            "ms CPU",
            baseline * 1000,
            at_most(1.05, on_ratio=True),
            "nothing to lower: no base lint, no diff read",
        )
    )
    patch = _patch_of_size(500_000)
    parsed, split = _best_pair(lambda: parse_patch(patch), lambda: patch.split("\n"), repeat, 3)
    figures.append(
        Figure(
            "diff reader: 500 KB patch",
            parsed * 1000,
            "ms CPU",
            split * 1000,
            note=f"{patch.count(chr(10)):,} lines; baseline: str.split of the same patch",
        )
    )
    figures.append(_growth(repeat))
    loop, linted, size, length = _loop_part(max(1, repeat // 2))
    figures.append(
        Figure(
            "legacy pass on the event loop: 1 MB RFC",
            loop * 1000,
            "ms CPU",
            linted * 1000,
            at_most(0.1, on_ratio=True),
            f"{length:,}-byte RFC, {size:,}-byte patch; baseline: that RFC's lint (in the lint "
            "pool)",
        )
    )
    return figures


def _reference(patch: str) -> tuple[list[int], list[str]]:
    """A loop as simple as a reader can be, one pass over the same lines."""
    sizes, texts = [], []
    for line in patch.split("\n"):
        sizes.append(len(line))
        texts.append(line[1:])
    return sizes, texts


def _growth(repeat: int) -> Figure:
    """The diff reader's CPU growth per doubling of the patch, from n to 8n lines; baseline:
    the same growth of ``_reference`` (memory caches make even that a little more than 2)."""
    sizes = [5_000, 10_000, 20_000, 40_000]
    reader, reference = [], []
    for lines in sizes:
        patch = _big_patch(lines)
        pair = _best_pair(lambda p=patch: parse_patch(p), lambda p=patch: _reference(p), repeat, 3)
        reader.append(pair[0])
        reference.append(pair[1])
    return Figure(
        "diff reader: growth per doubling",
        (reader[-1] / reader[0]) ** (1 / 3),
        "x",
        (reference[-1] / reference[0]) ** (1 / 3),
        at_most(1.1, on_ratio=True),
        f"{sizes[0]:,} to {sizes[-1]:,} changed lines; 2 is linear; baseline: a bare loop "
        "over the same lines",
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--number", type=int, default=10)
    args = options.parse_args()
    print_figures(measure(args.repeat, args.number))


if __name__ == "__main__":
    main()
