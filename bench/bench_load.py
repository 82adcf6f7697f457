"""Load: the real `rfc-bot serve` processes against the GitHub simulator in another process.

Three kinds of process on loopback: the simulator (`bench/load_simulator.py`, started by this
script), the App (`python -m bot serve --workers N`: a supervisor, N workers, their lint
processes), and this script, which sends signed deliveries at a fixed rate, each on a new
connection (as GitHub does, so the kernel spreads them over the workers).

The mix, per 100 deliveries: 10 `pull_request` opened, 50 synchronize, 30 plain comments,
8 `/rfc check` comments, 2 merges (`closed`, merged: the App numbers the RFC). The
simulator holds `--repos` repositories with open and merged pull requests made beforehand.

Printed, for the timed phase: deliveries refused (503, by reason from the App's metrics) and
lost (accepted and never handled, or not answered at all); answer p50/p99 (send to the 202
or 503); completion p50/p99 (send to the end of the App's handling: the answer's latency plus
the App's own `duration_ms` from its `handled` log line); API calls per delivery; the App
tree's CPU per handled delivery and its peak resident memory (psutil: supervisor, workers,
lint processes); and, in a second phase of `pull_request` synchronize deliveries only, CPU
per `pull_request` delivery.

    python bench/bench_load.py [--rate 200] [--seconds 20] [--workers 2] [--repos 4]
                               [--pr-seconds 15] [--pr-rate 100] [--api-latency 0]
    python bench/bench_load.py --ceiling [--seconds 20] [--workers 2]

`--ceiling` searches for the highest rate with nothing refused or lost and completion
p99 under 2 s (a fresh simulator and App for each rate tried, so every rate starts from the
same repositories): rates up from `--ceiling-from` by `--ceiling-step` until one fails (down
by halves if the first fails), then halving the gap to `--ceiling-resolution`; it prints that
rate per CPU.

Targets (`--workers 2`): up to 100/s nothing refused or lost, answer p99 < 100 ms,
completion p99 < 2 s; beyond (overload) nothing lost, answer p99 < 100 ms, tree < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, print_figures  # noqa: E402
from bench.load_phase import Phase, Sent, percentile, phase_figures, pull_request_figure  # noqa: E402
from bench.load_simulator import MIX, SECRET, start_simulator  # noqa: E402
from bench.process_tree import ProcessTree  # noqa: E402

START_SECONDS = 60.0
SETTLE_SECONDS = 120.0  # after the last send, how long the App may take to finish
_REFUSED = re.compile(r'^rfcbot_deliveries_refused_total\{(?:[^}]*,)?limit="(\w+)"[^}]*\} (\S+)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def schedule(rate: float, seconds: float, kinds: list[tuple[str, int]]) -> list[str]:
    """The kind of each delivery, the mix spread evenly (deterministic)."""
    wheel = [kind for kind, share in kinds for _ in range(share)]
    stride = 37  # coprime with 100: consecutive deliveries differ in kind
    count = int(rate * seconds)
    return [wheel[(i * stride) % len(wheel)] for i in range(count)]


def read_log(path: Path, offset: int) -> dict[str, tuple[str, float]]:
    """delivery id -> (outcome, duration s) from the App's JSON delivery lines after ``offset``."""
    outcomes: dict[str, tuple[str, float]] = {}
    with path.open("rb") as log:
        log.seek(offset)
        data = log.read()
    for line in data.splitlines():
        if b'"delivery_id"' not in line or b'"duration_ms"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        outcomes[record["delivery_id"]] = (record["outcome"], record["duration_ms"] / 1000)
    return outcomes


@dataclass
class Session:
    """A seeded simulator and a started App, warmed up; ``run`` times one phase."""

    url: str
    control: str
    plan: dict[str, list[list[str]]]
    app: subprocess.Popen[bytes]
    log_path: Path
    cursor: Counter[str] = field(default_factory=Counter)

    async def refusals(self, session: aiohttp.ClientSession) -> Counter[str]:
        """The App's refusals so far by reason, summed over its workers (its /metrics)."""
        found: Counter[str] = Counter()
        async with session.get(self.url.replace("/webhook", "/metrics")) as answer:
            for line in (await answer.text()).splitlines():
                match = _REFUSED.match(line)
                if match:
                    found[match[1]] += int(float(match[2]))
        return found

    async def run(self, rate: float, kinds: list[str]) -> Phase:
        phase = Phase(rate, machine_load=(os.getloadavg()[0], 0.0))
        offset = self.log_path.stat().st_size
        tree = ProcessTree(self.app.pid)
        async with aiohttp.ClientSession() as session:
            await session.post(f"{self.control}/mark")
            refused_before = await self.refusals(session)
        cpu_before = tree.cpu_seconds()
        driver_before = time.process_time()
        began = time.monotonic()
        await self._send_all(rate, kinds, phase, tree)
        phase.driver_cpu_seconds = time.process_time() - driver_before
        phase.outcomes = await self._settle(offset, phase)
        phase.cpu_seconds = tree.cpu_seconds() - cpu_before
        phase.elapsed = time.monotonic() - began
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{self.control}/summary") as answer:
                summary = await answer.json()
            phase.refused_by_reason = await self.refusals(session)
        phase.refused_by_reason.subtract(refused_before)
        phase.api_calls, phase.api_errors = summary["requests"], summary["errors"]
        phase.simulator_cpu_seconds = summary["cpu_seconds"]
        phase.machine_load = (phase.machine_load[0], os.getloadavg()[0])
        return phase

    async def _send_all(
        self, rate: float, kinds: list[str], phase: Phase, tree: ProcessTree
    ) -> None:
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        timeout = aiohttp.ClientTimeout(total=30)
        loop = asyncio.get_running_loop()
        start = loop.time()
        quarter = start + len(kinds) / rate / 4

        async def one(session: aiohttp.ClientSession, kind: str, scheduled: float) -> None:
            event, body, signature = self.plan[kind][self.cursor[kind] % len(self.plan[kind])]
            self.cursor[kind] += 1
            delivery = str(uuid.uuid4())
            sent = phase.sent[delivery] = Sent(kind, event, scheduled, loop.time())
            headers = {
                "X-GitHub-Event": event,
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": signature,
                "Content-Type": "application/json",
                "User-Agent": "GitHub-Hookshot/bench",
            }
            try:
                async with session.post(self.url, data=body.encode(), headers=headers) as answer:
                    await answer.read()
                    sent.status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                sent.status = 0
            sent.answered = loop.time()

        async def sample_rss() -> None:
            while True:
                total, roles = tree.rss_mb()
                if total > phase.tree_peak_mb:
                    phase.tree_peak_mb, phase.roles_at_peak = total, roles
                if loop.time() < quarter:
                    phase.tree_mb_first_quarter = total
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample_rss())
        tasks: list[asyncio.Task[None]] = []
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            for i, kind in enumerate(kinds):
                due = start + i / rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(session, kind, due)))
            await asyncio.gather(*tasks)
        phase.seconds = loop.time() - start
        await asyncio.sleep(1.0)
        sampler.cancel()

    async def _settle(self, offset: int, phase: Phase) -> dict[str, tuple[str, float]]:
        """Wait until every accepted delivery has its log line (bounded)."""
        accepted = {d for d, s in phase.sent.items() if s.status == 202}
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            outcomes = read_log(self.log_path, offset)
            if accepted <= outcomes.keys() or time.monotonic() > deadline:
                return outcomes
            await asyncio.sleep(0.5)


def start_app(
    workers: int, info: dict[str, Any], log_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "GITHUB_APP_ID": info["app_id"],
        "GITHUB_PRIVATE_KEY": info["private_key"],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": info["base_url"],
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
    }
    log = log_path.open("wb")
    app = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--workers", str(workers)],
        env=environ,
        cwd=REPO,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + START_SECONDS
    tree = ProcessTree(app.pid)
    while time.monotonic() < deadline:
        serving = workers == 1 or sum(1 for p in tree.processes() if p.pid != app.pid) >= workers
        if serving:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                pass
        time.sleep(0.1)
    else:
        raise SystemExit("the App did not start")
    time.sleep(1.0)  # every worker listening
    return app, f"http://127.0.0.1:{port}/webhook"


@asynccontextmanager
async def session(args: argparse.Namespace, deliveries: int) -> AsyncIterator[Session]:
    """A fresh simulator (enough merged pull requests for ``deliveries``) and App, warmed."""
    merged = max(1, math.ceil(deliveries * dict(MIX)["merge"] / 100 / args.repos) + 1)
    simulator, info = start_simulator(args.repos, args.open_pulls, merged, args.api_latency)
    log_path = Path(tempfile.mkstemp(prefix="rfc-bot-load-", suffix=".log")[1])
    app = None
    try:
        plan = json.loads(Path(info["plan"]).read_text())
        app, url = start_app(args.workers, info, log_path)
        running = Session(url, info["control"], plan, app, log_path)
        # Warm every worker (tokens, config caches) with a few deliveries of each kind.
        await running.run(20, [kind for kind, _ in MIX for _ in range(4 * args.workers)])
        yield running
    finally:
        if app is not None:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(timeout=60)
            except subprocess.TimeoutExpired:
                app.kill()
        assert simulator.stdin is not None
        simulator.stdin.close()
        simulator.wait(timeout=30)
        errors = [
            line
            for line in log_path.read_text(errors="replace").splitlines()
            if re.search(r'"level": ?"(ERROR|CRITICAL)"', line)
        ]
        if errors:
            print(
                f"{len(errors)} error lines in the App's log, e.g. {errors[0][:300]}",
                file=sys.stderr,
            )
        log_path.unlink(missing_ok=True)


async def bench(args: argparse.Namespace) -> list[Figure]:
    kinds = schedule(args.rate, args.seconds, list(MIX))
    only_prs = schedule(args.pr_rate, args.pr_seconds, [("synchronize", 1)])
    async with session(args, len(kinds) + len(only_prs)) as running:
        mixed = await running.run(args.rate, kinds)
        figures = phase_figures(f"load {args.rate:g}/s x{args.workers}", mixed, args.workers)
        if only_prs:
            figures.append(
                pull_request_figure(await running.run(args.pr_rate, only_prs), args.workers)
            )
    return figures


async def ceiling(args: argparse.Namespace) -> list[Figure]:
    """The highest rate that passes (nothing refused or lost, completion p99 < 2 s)."""
    tried: dict[float, Phase] = {}

    async def passes(rate: float) -> bool:
        kinds = schedule(rate, args.seconds, list(MIX))
        async with session(args, len(kinds)) as running:
            phase = tried[rate] = await running.run(rate, kinds)
        print(
            f"  {rate:g}/s: {'pass' if phase.passes() else 'FAIL'} (refused {phase.refused}, "
            f"lost {phase.lost}, completion p99 "
            f"{percentile(phase.completions(), 0.99) * 1000:.0f} ms)",
            file=sys.stderr,
        )
        return phase.passes()

    good: float | None = None
    bad: float | None = None
    rate = args.ceiling_from
    while rate <= args.ceiling_to:
        if not await passes(rate):
            bad = rate
            break
        good, rate = rate, rate + args.ceiling_step
    while good is None and bad is not None and bad / 2 >= args.ceiling_resolution:
        if await passes(bad / 2):  # the first rate failed: halve until one passes
            good = bad / 2
        else:
            bad /= 2
    while good is not None and bad is not None and bad - good > args.ceiling_resolution:
        middle = round((good + bad) / 2)
        if await passes(middle):
            good = middle
        else:
            bad = middle
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    steps = "; ".join(
        f"{rate:g}/s {'pass' if phase.passes() else 'fail'}"
        for rate, phase in sorted(tried.items())
    )
    best = tried.get(good) if good is not None else None
    cpu_ms = best.cpu_seconds / max(1, best.handled) * 1000 if best else math.nan
    label = f"load ceiling x{args.workers}"
    return [
        Figure(
            f"{label}: deliveries/s",
            good or 0.0,
            "/s",
            note=f"{args.seconds:g} s per rate, {cpus} CPUs shared with the simulator and "
            f"this script: {steps}",
        ),
        Figure(f"{label}: deliveries/s per CPU", (good or 0.0) / cpus, "/s"),
        Figure(
            f"{label}: App CPU per handled delivery at the ceiling",
            cpu_ms,
            "ms",
            note=f"what one CPU given to the App alone could carry: {1000 / cpu_ms:.0f}/s",
        ),
    ]


def measure(
    rate: float = 200,
    seconds: float = 20,
    workers: int = 2,
    repos: int = 4,
    pr_seconds: float = 15,
    pr_rate: float = 100,
    api_latency: float = 0.0,
    open_pulls: int = 50,
) -> list[Figure]:
    args = argparse.Namespace(
        rate=rate,
        seconds=seconds,
        workers=workers,
        repos=repos,
        pr_seconds=pr_seconds,
        pr_rate=pr_rate,
        api_latency=api_latency,
        open_pulls=open_pulls,
    )
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_load needs Linux (the App's workers share a port: SO_REUSEPORT)")
    return asyncio.run(bench(args))


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rate", type=float, default=200.0, help="deliveries per second")
    options.add_argument("--seconds", type=float, default=20.0, help="per rate")
    options.add_argument("--workers", type=int, default=2)
    options.add_argument("--repos", type=int, default=4)
    options.add_argument("--open-pulls", type=int, default=50, help="per repository")
    options.add_argument("--pr-seconds", type=float, default=15.0)
    options.add_argument("--pr-rate", type=float, default=100.0)
    options.add_argument("--api-latency", type=float, default=0.0, help="seconds per API call")
    options.add_argument("--ceiling", action="store_true", help="search for the highest rate")
    options.add_argument("--ceiling-from", type=float, default=60.0)
    options.add_argument("--ceiling-step", type=float, default=30.0)
    options.add_argument("--ceiling-to", type=float, default=400.0)
    options.add_argument("--ceiling-resolution", type=float, default=10.0)
    args = options.parse_args()
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_load needs Linux (the App's workers share a port: SO_REUSEPORT)")
    print_figures(asyncio.run(ceiling(args) if args.ceiling else bench(args)))


if __name__ == "__main__":
    main()
