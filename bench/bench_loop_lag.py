"""Does linting leave the event loop free? Loop lag while big RFCs lint, pool vs on the loop.

    python bench/bench_loop_lag.py [--files 4] [--rounds 3] [--workers N] [--repeat 5]

1. Loop lag: a coroutine asks to wake every 1 ms; its lag is how late each wake-up comes.
   Measured while ``--files`` RFCs near the 1 MB limit lint at once, ``--rounds`` times, with
   ``LintPool`` (``--workers``, default one per CPU) and with ``lint()`` called on the loop
   (what the App did before), rounds interleaved. Everything the App answers (webhook 202s,
   ``/healthz``) waits at least this long. Target: pool p99 at most 1/10 of the on-loop p99.
2. Per-call cost: a pool of one worker linting the 15 KB example RFC, one call at a time,
   against ``lint()`` in process (best of ``--repeat`` interleaved rounds of 20 calls). This
   decides whether small files should skip the pool.
3. Sending a ``Document`` back: pickle round trip of the 1 MB RFC's ``Document`` against its
   ``LintSummary`` (what the pool sends), baseline: the lint itself.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.lint_pool.pool import LintPool  # noqa: E402
from bot.rfc.config.public import Config  # noqa: E402
from bot.rfc.lint import MAX_BYTES, lint  # noqa: E402
from bot.rfc.lint_summary import LintSummary  # noqa: E402
from bot.serve.processes import usable_cpus  # noqa: E402

EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
PATH = "rfcs/0000-job-retries.md"
TICK = 0.001


def big_rfc(size: int = MAX_BYTES - 10_000) -> str:
    """The example RFC with its sections repeated (headings numbered) up to ``size`` bytes."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head, _, body = text.partition("\n## ")
    parts, total, copy = [head], len(head.encode()), 0
    while total < size:
        part = f"\n## Part {copy}: {body}"
        parts.append(part)
        total += len(part.encode())
        copy += 1
    return "".join(parts).encode()[:size].decode("utf-8", "ignore")


async def lags_while(work: Callable[[], Awaitable[object]]) -> list[float]:
    """How late (seconds) each 1 ms wake-up of a ticking coroutine came while ``work`` ran."""
    lags: list[float] = []
    finished = False

    async def tick() -> None:
        last = time.perf_counter()
        while not finished:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            lags.append(max(0.0, now - last - TICK))
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.01)
    lags.clear()  # only the window of the work
    await work()
    finished = True
    await ticker
    return lags


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def loop_lag(
    files: int, rounds: int, workers: int
) -> tuple[list[float], list[float], list[float]]:
    """(lags with the pool, with lint() on the loop, with nothing to do), rounds interleaved."""
    texts = [big_rfc() for _ in range(files)]
    config = Config()
    pooled: list[float] = []
    on_loop: list[float] = []
    idle: list[float] = []

    async def lint_on_loop() -> None:
        for text in texts:
            lint(PATH, text, config)
            await asyncio.sleep(0)  # as concurrent handlers would: each lint blocks in turn

    async with LintPool(processes=workers, timeout=60) as pool:
        await pool.lint(PATH, texts[0], config)  # warm: first-use costs out of the window

        async def lint_in_pool() -> None:
            await asyncio.gather(*(pool.lint(PATH, text, config) for text in texts))

        for _ in range(rounds):
            pooled += await lags_while(lint_in_pool)
            on_loop += await lags_while(lint_on_loop)
            idle += await lags_while(lambda: asyncio.sleep(1.0))
    return pooled, on_loop, idle


async def per_call(repeat: int, number: int = 20) -> tuple[float, float]:
    """(pool seconds, in-process seconds) per lint of the 15 KB RFC, best of interleaved rounds."""
    text = EXAMPLE.read_text(encoding="utf-8")
    config = Config()
    pooled: list[float] = []
    inline: list[float] = []
    async with LintPool(processes=1, timeout=60) as pool:
        await pool.lint(PATH, text, config)
        lint(PATH, text, config)
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                await pool.lint(PATH, text, config)
            pooled.append((time.perf_counter() - start) / number)
            start = time.perf_counter()
            for _ in range(number):
                lint(PATH, text, config)
            inline.append((time.perf_counter() - start) / number)
    return min(pooled), min(inline)


def pickling(repeat: int) -> tuple[float, float, float, int, int]:
    """(Document round trip s, LintSummary round trip s, lint s, Document bytes, summary bytes)
    for the 1 MB RFC; best of ``repeat``."""
    text = big_rfc()
    start = time.perf_counter()
    result = lint(PATH, text, Config())
    linted = time.perf_counter() - start
    summary = LintSummary.of(result)

    def round_trip(value: object) -> tuple[float, int]:
        best, size = float("inf"), 0
        for _ in range(repeat):
            start = time.perf_counter()
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
            best, size = min(best, time.perf_counter() - start), len(data)
        return best, size

    document, document_size = round_trip(result.document)
    reduced, summary_size = round_trip(summary)
    return document, reduced, linted, document_size, summary_size


def measure(
    files: int = 4, rounds: int = 3, workers: int | None = None, repeat: int = 5
) -> list[Figure]:
    workers = workers or usable_cpus()
    pooled, on_loop, idle = asyncio.run(loop_lag(files, rounds, workers))
    pool_call, inline_call = asyncio.run(per_call(repeat))
    document, reduced, linted, document_size, summary_size = pickling(repeat)
    size = f"{files} RFCs of {len(big_rfc().encode()) / 1e6:.2f} MB"
    window = f"{size} linting at once, {rounds} interleaved rounds, a 1 ms ticker"
    return [
        Figure(
            "loop lag p50 while big RFCs lint: pool",
            percentile(pooled, 0.5) * 1000,
            "ms",
            baseline=percentile(on_loop, 0.5) * 1000,
            note=f"{window}; {workers} workers; baseline: lint() on the loop",
        ),
        Figure(
            "loop lag p99 while big RFCs lint: pool",
            percentile(pooled, 0.99) * 1000,
            "ms",
            baseline=percentile(on_loop, 0.99) * 1000,
            target=at_most(0.1, on_ratio=True),
            note=f"the same windows ({len(pooled)} ticks with the pool, {len(on_loop)} on "
            f"the loop); worst: {max(pooled) * 1000:.1f} ms vs {max(on_loop) * 1000:.0f} ms; "
            f"with nothing linting, 1 s per round: p99 {percentile(idle, 0.99) * 1000:.1f} ms",
        ),
        Figure(
            "pool: one 15 KB RFC per call",
            pool_call * 1000,
            "ms",
            baseline=inline_call * 1000,
            note=f"{EXAMPLE.name}, one call at a time, 1 worker; best of {repeat} interleaved "
            "rounds of 20; baseline: lint() in process",
        ),
        Figure(
            "pickle round trip: 1 MB Document",
            document * 1000,
            "ms",
            baseline=linted * 1000,
            note=f"{document_size / 1e6:.2f} MB pickled; what the pool sends instead "
            f"(LintSummary): {summary_size:,} bytes, {reduced * 1000:.2f} ms; "
            "baseline: lint() of the same file",
        ),
    ]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--files", type=int, default=4)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--workers", type=int, help="default: one per CPU")
    options.add_argument("--repeat", type=int, default=5)
    args = options.parse_args()
    print_figures(measure(args.files, args.rounds, args.workers, args.repeat))


if __name__ == "__main__":
    main()
