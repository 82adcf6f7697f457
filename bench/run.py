"""Run every benchmark and print one table: figure, value, baseline, ratio, target, met?

    python bench/run.py [--quick] [--markdownlint-prefix DIR]
        [--only lint,hostile,links,intake,latency,loop-lag,comment-lag,ack,flood,redelivery,
                sweep,stale,load,cpu,site,dashboard,readiness,recovery,extends,legacy]

``--quick`` runs each benchmark with small sizes (a smoke test: the figures are noisier and
the whole-process lint covers 50 files, not 200). Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import (  # noqa: E402
    bench_ack,
    bench_comment_lag,
    bench_config_extends,
    bench_cpu,
    bench_dashboard,
    bench_flood,
    bench_hostile,
    bench_intake,
    bench_latency,
    bench_legacy,
    bench_links,
    bench_lint,
    bench_load,
    bench_loop_lag,
    bench_readiness,
    bench_recovery,
    bench_redelivery,
    bench_site,
    bench_stale,
    bench_sweep,
)
from bench.figure import Figure, print_figures  # noqa: E402

BENCHES = (
    "lint",
    "hostile",
    "links",
    "intake",
    "latency",
    "loop-lag",
    "comment-lag",
    "ack",
    "flood",
    "redelivery",
    "sweep",
    "stale",
    "load",
    "cpu",
    "site",
    "dashboard",
    "readiness",
    "recovery",
    "extends",
    "legacy",
)


def plans(quick: bool, markdownlint_prefix: Path | None) -> dict[str, Callable[[], list[Figure]]]:
    if quick:
        return {
            "lint": lambda: bench_lint.measure(3, 5, 50, 1, markdownlint_prefix),
            "hostile": lambda: bench_hostile.measure(5_000, 2),
            "links": lambda: bench_links.measure(5_000, 3),
            "intake": lambda: bench_intake.measure(500, 3),
            "latency": lambda: bench_latency.measure(5),
            "loop-lag": lambda: bench_loop_lag.measure(rounds=1, repeat=3),
            "comment-lag": lambda: bench_comment_lag.measure(rounds=1),
            "ack": lambda: bench_ack.measure(1),
            "flood": bench_flood.measure,  # counts calls: no sizes to shrink
            "redelivery": bench_redelivery.measure,  # counts calls too
            "sweep": lambda: bench_sweep.measure(10, repos=50),
            "stale": lambda: bench_stale.measure(10),
            "load": lambda: bench_load.measure(
                rate=100, seconds=5, pr_seconds=3, pr_rate=50, open_pulls=10
            ),
            "cpu": lambda: bench_cpu.measure(deliveries=50, rounds=1),
            "site": lambda: bench_site.measure(100),
            "dashboard": lambda: bench_dashboard.measure(3, 3),
            "readiness": lambda: bench_readiness.measure(2),
            "recovery": lambda: bench_recovery.measure(15),
            "extends": lambda: bench_config_extends.measure(2, 10),
            "legacy": lambda: bench_legacy.measure(2, 3),
        }
    return {
        "lint": lambda: bench_lint.measure(markdownlint_prefix=markdownlint_prefix),
        "hostile": bench_hostile.measure,
        "links": bench_links.measure,
        "intake": bench_intake.measure,
        "latency": bench_latency.measure,
        "loop-lag": bench_loop_lag.measure,
        "comment-lag": bench_comment_lag.measure,
        "ack": bench_ack.measure,
        "flood": bench_flood.measure,
        "redelivery": bench_redelivery.measure,
        "sweep": bench_sweep.measure,
        "stale": bench_stale.measure,
        "load": bench_load.measure,
        "cpu": bench_cpu.measure,
        "site": bench_site.measure,
        "dashboard": bench_dashboard.measure,
        "readiness": bench_readiness.measure,
        "recovery": bench_recovery.measure,
        "extends": bench_config_extends.measure,
        "legacy": bench_legacy.measure,
    }


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    options.add_argument("--only", default=",".join(BENCHES), help="comma-separated subset")
    options.add_argument("--markdownlint-prefix", type=Path, help="an npm --prefix directory")
    args = options.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        options.error(f"unknown benchmark(s): {', '.join(unknown)}")
    runnable = plans(args.quick, args.markdownlint_prefix)
    figures: list[Figure] = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures += runnable[name]()
    print(f"rfc-bot benchmarks, {date.today().isoformat()}, Python {sys.version.split()[0]}")
    print()
    print_figures(figures)
    return 1 if any(figure.met is False for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
