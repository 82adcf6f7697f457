"""Build time of the static site (``rfc-bot site``) for generated RFCs: full and incremental.

A full build lints, parses and renders every RFC; an incremental build after one RFC changed
lints and renders that one and rewrites the shared files (index, rfcs.json, feed); a rebuild
with nothing changed only hashes the inputs. The baseline of the incremental figures is the
full build measured in the same run.

    PYTHONPATH=. python bench/bench_site.py [--rfcs 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.figure import Figure, at_most, print_figures
from bot.rfc.config.public import Config
from bot.site.build import build_site

STATUSES = ("Draft", "Proposed", "Final", "Deprecated")
APPS = ("api", "web", "jobs", "billing")


def rfc(number: int, revision: int = 0) -> str:
    status = STATUSES[number % len(STATUSES)]
    successor = f"**Superseded By:** RFC {number + 1:04d}  \n" if status == "Deprecated" else ""
    return (
        f"# Proposal {number} revision {revision}\n\n**Status:** {status}  \n"
        f"**Target Application(s):** {APPS[number % len(APPS)]}  \n**RFC Number:** {number:04d}  \n"
        f"**Created:** 2024-01-{1 + number % 28:02d}  \n**Last Updated:** 2024-02-01  \n"
        f"**Author(s):** Author {number % 37} (@author{number % 37})  \n{successor}\n"
        "## Overview\n\n### Summary\nRetry failed jobs with backoff and jitter.\n\n"
        + "".join(
            f"## Part {part}\n\nSome *text* with `code` and a [link](https://example.com).\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            for part in range(8)
        )
    )


def generate(directory: Path, count: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        (directory / f"{number:04d}-proposal-{number}.md").write_text(rfc(number), encoding="utf-8")


def _timed(rfc_dir: Path, out: Path, root: Path) -> float:
    start = time.perf_counter()
    build_site(rfc_dir, out, Config(), root)
    return time.perf_counter() - start


def measure(rfcs: int = 1000) -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        rfc_dir, out = root / "rfcs", root / "_site"
        generate(rfc_dir, rfcs)
        out.mkdir()
        full = _timed(rfc_dir, out, root)
        changed = rfc_dir / f"{rfcs // 2:04d}-proposal-{rfcs // 2}.md"
        changed.write_text(rfc(rfcs // 2, revision=1), encoding="utf-8")
        one = _timed(rfc_dir, out, root)
        nothing = _timed(rfc_dir, out, root)
    note = f"{rfcs} generated RFCs, lint included, one process"
    return [
        Figure("site: full build", full, "s", target=at_most(10), note=note),
        Figure(
            "site: rebuild, one RFC changed",
            one,
            "s",
            baseline=full,
            target=at_most(0.25, on_ratio=True),
            note=note,
        ),
        Figure(
            "site: rebuild, nothing changed",
            nothing,
            "s",
            baseline=full,
            target=at_most(0.25, on_ratio=True),
            note=note,
        ),
    ]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rfcs", type=int, default=1000)
    print_figures(measure(options.parse_args().rfcs))


if __name__ == "__main__":
    main()
