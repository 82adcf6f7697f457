"""Does a long hostile comment leave the event loop free? Loop lag while the command parser
reads 64 KB comments, in its thread (``commands_to_run``) against on the loop.

    python bench/bench_comment_lag.py [--size 64000] [--rounds 3]

A coroutine asks to wake every 1 ms; its lag is how late each wake-up comes (as in
``bench_loop_lag.py``). Measured while the generated comments of ``bench/hostile_comments.py``
(each cut to ``--size`` characters, under GitHub's 65,536) are parsed one after another: by
``bot.features.commands.commands_to_run``, which parses a comment longer than
``PARSE_ON_LOOP_MAX_CHARS`` in the parser's thread, and by ``parse_commands`` called on the loop
(what the handler did before), rounds interleaved. Also the parser's CPU time per comment, the
largest of them (the process's own CPU: other jobs on a shared machine do not count).

Target: the p99 lag with the thread at most 1/10 of the on-loop p99.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import hostile_comments  # noqa: E402
from bench.bench_loop_lag import lags_while, percentile  # noqa: E402
from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.features.commands import PARSE_ON_LOOP_MAX_CHARS, commands_to_run  # noqa: E402
from bot.policy.commands import parse_commands  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402

MAX_COMMENT = 65_536


def comments(size: int) -> dict[str, str]:
    return {name: make(size)[:MAX_COMMENT] for name, make in hostile_comments.inputs().items()}


Lags = list[float]


async def measure_lags(size: int, rounds: int) -> tuple[Lags, Lags, Lags, float, str]:
    """(lags with the thread, on the loop, with nothing to do; the most CPU seconds of one
    parse, and its input)."""
    texts = comments(size)
    config = Config()
    threaded: Lags = []
    on_loop: Lags = []
    idle: Lags = []

    async def in_thread() -> None:
        for text in texts.values():
            await commands_to_run(text, config, False, None)

    async def on_the_loop() -> None:
        for text in texts.values():
            parse_commands(text, config.statuses)
            await asyncio.sleep(0)  # as concurrent handlers would: each parse blocks in turn

    await in_thread()  # warm: the thread exists before the window
    for _ in range(rounds):
        threaded += await lags_while(in_thread)
        on_loop += await lags_while(on_the_loop)
        idle += await lags_while(lambda: asyncio.sleep(1.0))
    cpu = {}
    for name, text in texts.items():
        start = time.process_time()
        parse_commands(text, config.statuses)
        cpu[name] = time.process_time() - start
    worst = max(cpu, key=lambda name: cpu[name])
    return threaded, on_loop, idle, cpu[worst], worst


def measure(size: int = 64_000, rounds: int = 3) -> list[Figure]:
    threaded, on_loop, idle, cpu, worst = asyncio.run(measure_lags(size, rounds))
    note = (
        f"{len(hostile_comments.inputs())} hostile comments of {size:,} characters, parsed one "
        f"after another, {rounds} interleaved rounds; comments over {PARSE_ON_LOOP_MAX_CHARS:,} "
        f"characters go to the parser's thread; the machine's own lag with nothing to do: p99 "
        f"{percentile(idle, 0.99) * 1000:.1f} ms, max {max(idle) * 1000:.1f} ms"
    )
    return [
        Figure(
            "comment lag p99: parser thread",
            percentile(threaded, 0.99) * 1000,
            "ms",
            baseline=percentile(on_loop, 0.99) * 1000,
            target=at_most(0.1, on_ratio=True),
            note=note,
        ),
        Figure(
            "comment lag max: parser thread",
            max(threaded) * 1000,
            "ms",
            baseline=max(on_loop) * 1000,
            note="baseline: parse_commands on the loop",
        ),
        Figure(
            f"comment parse CPU, most of one {size:,}-character comment",
            cpu * 1000,
            "ms",
            note=f"the slowest input: {worst}",
        ),
    ]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size", type=int, default=64_000)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    print_figures(measure(args.size, args.rounds))


if __name__ == "__main__":
    main()
