"""Load: the real `rfc-bot serve` processes against the GitHub simulator in another process.

Three kinds of process on loopback: the simulator (`--serve-simulator`, started by this
script), the App (`python -m bot serve --workers N`, a supervisor and N workers), and this
script, which sends signed deliveries at a fixed rate, each on a new connection (as GitHub
does, so the kernel spreads them over the workers).

The mix, per 100 deliveries: 10 `pull_request` opened, 50 synchronize, 30 plain comments,
8 `/rfc check` comments, 2 merges (`closed`, merged: the App numbers the RFC). The
simulator holds `--repos` repositories with open and merged pull requests made beforehand;
its rate limit is raised out of the way and its OpenAPI contract check is off (the end-to-end
tests hold every request to it; here it would be the bottleneck).

Printed: deliveries lost (sent but not handled: connection errors, non-2xx answers, or no
`handled` log line from the App), acknowledgement p50/p99 (send to 202), completion p50/p99
(send to the end of the App's handling, which ends with its last write: the 202's latency
plus the App's own `duration_ms`), API calls per delivery, peak RSS per worker and its growth
over the run, and CPU time per `pull_request` delivery (all the App's processes, measured in
a second phase that sends only `pull_request` synchronize deliveries).

    python bench/bench_load.py [--rate 200] [--seconds 60] [--workers 2] [--repos 4]
                               [--pr-seconds 15] [--pr-rate 100] [--api-latency 0]

Targets (2 CPUs, `--workers 2`, 200/s): 0 lost, completion p99 < 2 s, acknowledgement
p99 < 100 ms, peak RSS < 200 MB per worker and growing < 20 % over the run.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402

SECRET = "bench-load-webhook-secret"
MIX = (  # (kind, share of 100)
    ("opened", 10),
    ("synchronize", 50),
    ("comment", 30),
    ("check_command", 8),
    ("merge", 2),  # far above any real RFC repository's rate, and numbering is serial per repo
)
START_SECONDS = 60.0
SETTLE_SECONDS = 120.0  # after the last send, how long the App may take to finish
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- the simulator process -----------------------------------------------------------------


def serve_simulator(repos: int, open_pulls: int, merged: int, latency: float) -> None:
    """Seed the simulator, write the deliveries' payloads to a file, serve until stdin ends."""
    from aiohttp import web

    from sandbox.delivery import signature
    from sandbox.demo import demo_file
    from sandbox.simulator import Simulator

    async def main() -> None:
        sim = Simulator(rate_limit=10**9)
        sim.contract.check = lambda *args, **kwargs: []  # type: ignore[method-assign]
        await sim.start()
        text = demo_file("fixed.md")
        payloads: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind, _ in MIX}

        def add(kind: str, event: str, payload: dict[str, Any]) -> None:
            body = json.dumps(payload)
            payloads[kind].append((event, body, signature(body.encode(), SECRET)))

        for r in range(repos):
            name = f"load-org/rfcs-{r}"
            repo = sim.create_repo(name, files={
                "README.md": "# RFCs\n",
                ".github/rfc-bot.yml": demo_file("rfc-bot.yml"),
                "rfcs/README.md": demo_file("index.md"),
            })  # fmt: skip
            sim.set_permission(repo, "alice", "write")
            for n in range(open_pulls):
                body = text.replace("# Job Retries", f"# Job Retries {r}-{n}", 1)
                pull = sim.open_pull_request(
                    repo, head=f"rfc/open-{n}", files={f"rfcs/0000-open-{n}.md": body}
                )
                add("opened", "pull_request", sim.event_pull_request(repo, pull.number, "opened"))
                add("synchronize", "pull_request",
                    sim.event_pull_request(repo, pull.number, "synchronize"))  # fmt: skip
                plain = sim.add_comment(repo, pull.number, "alice", f"Looks good {n}")
                add("comment", "issue_comment", sim.event_issue_comment(repo, pull.number, plain))
                check = sim.add_comment(repo, pull.number, "alice", "/rfc check")
                add("check_command", "issue_comment",
                    sim.event_issue_comment(repo, pull.number, check))  # fmt: skip
            for n in range(merged):
                body = text.replace("# Job Retries", f"# Merged {r}-{n}", 1)
                pull = sim.open_pull_request(
                    repo, head=f"rfc/merged-{n}", files={f"rfcs/0000-merged-{n}.md": body}
                )
                sim.merge_pull_request(repo, pull.number)
                add("merge", "pull_request", sim.event_pull_request(repo, pull.number, "closed"))
        plan = Path(tempfile.mkstemp(prefix="rfc-bot-load-", suffix=".json")[1])
        plan.write_text(json.dumps(payloads))
        sim.latency = latency
        start = len(sim.requests)
        cpu_start = time.process_time()

        async def summary(request: web.Request) -> web.Response:
            made = sim.requests[start:]
            return web.json_response({
                "requests": len(made),
                "by_operation": Counter(r.operation_id or "?" for r in made),
                "errors": sum(1 for r in made if r.status >= 400 or r.status == 0),
                "cpu_seconds": time.process_time() - cpu_start,
            })  # fmt: skip

        async def mark(request: web.Request) -> web.Response:
            nonlocal start
            start = len(sim.requests)
            return web.json_response({"ok": True})

        control = web.Application()
        control.router.add_get("/summary", summary)
        control.router.add_post("/mark", mark)
        runner = web.AppRunner(control, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        print(json.dumps({
            "base_url": sim.base_url,
            "app_id": sim.app_id,
            "private_key": sim.private_key_pem,
            "plan": str(plan),
            "control": f"http://{host}:{port}",
        }), flush=True)  # fmt: skip
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
        plan.unlink(missing_ok=True)
        await runner.cleanup()
        await sim.stop()

    asyncio.run(main())


# --- the driver ----------------------------------------------------------------------------


@dataclass
class Sent:
    kind: str
    event: str
    scheduled: float
    acked: float | None = None
    status: int = 0


@dataclass
class Phase:
    sent: dict[str, Sent] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    api_calls: int = 0
    api_errors: int = 0
    simulator_cpu_seconds: float = 0.0
    driver_cpu_seconds: float = 0.0
    rss_peak: dict[int, float] = field(default_factory=dict)  # worker index -> MB
    rss_early: dict[int, float] = field(default_factory=dict)
    rss_late: dict[int, float] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every live process under ``pid`` (Linux /proc), depth first."""
    found: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += [child, *descendants(child)]
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def worker_pids(supervisor: int) -> list[int]:
    try:
        children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


def schedule(rate: float, seconds: float, kinds: list[tuple[str, int]]) -> list[str]:
    """The kind of each delivery, the mix spread evenly (deterministic)."""
    wheel = [kind for kind, share in kinds for _ in range(share)]
    stride = 37  # coprime with 100: consecutive deliveries differ in kind
    count = int(rate * seconds)
    return [wheel[(i * stride) % len(wheel)] for i in range(count)]


async def send_all(
    url: str,
    plan: dict[str, list[list[str]]],
    kinds: list[str],
    rate: float,
    supervisor: int,
    phase: Phase,
) -> None:
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    cursor: Counter[str] = Counter()
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[None]] = []
    workers = worker_pids(supervisor) or [supervisor]  # --workers 1 serves in the process
    start = loop.time()

    async def one(session: aiohttp.ClientSession, kind: str, scheduled: float) -> None:
        event, body, signature = plan[kind][cursor[kind] % len(plan[kind])]
        cursor[kind] += 1
        delivery = str(uuid.uuid4())
        sent = phase.sent[delivery] = Sent(kind, event, scheduled)
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature,
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
        }
        try:
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                sent.status = response.status
        except (aiohttp.ClientError, TimeoutError):
            sent.status = 0
        sent.acked = loop.time()

    async def sample_rss() -> None:
        while True:
            elapsed = loop.time() - start
            for index, pid in enumerate(workers):
                mb = rss_mb(pid)
                phase.rss_peak[index] = max(phase.rss_peak.get(index, 0.0), mb)
                if elapsed < len(kinds) / rate * 0.25:
                    phase.rss_early[index] = mb
                phase.rss_late[index] = mb
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample_rss())
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


def read_log(path: Path, offset: int) -> tuple[dict[str, tuple[str, float]], int]:
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
    return outcomes, offset + len(data)


async def settle(path: Path, offset: int, phase: Phase) -> dict[str, tuple[str, float]]:
    """Wait until every accepted delivery has its log line (bounded)."""
    accepted = {d for d, s in phase.sent.items() if s.status == 202}
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        outcomes, _ = read_log(path, offset)
        if accepted <= outcomes.keys() or time.monotonic() > deadline:
            return outcomes
        await asyncio.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


async def run_phase(
    args: argparse.Namespace,
    url: str,
    control: str,
    plan: dict[str, list[list[str]]],
    kinds: list[str],
    rate: float,
    app: subprocess.Popen[bytes],
    log_path: Path,
) -> tuple[Phase, dict[str, tuple[str, float]]]:
    phase = Phase()
    offset = log_path.stat().st_size
    async with aiohttp.ClientSession() as session:
        await session.post(f"{control}/mark")
    before = cpu_seconds([app.pid, *descendants(app.pid)])
    driver_before = time.process_time()
    await send_all(url, plan, kinds, rate, app.pid, phase)
    phase.driver_cpu_seconds = time.process_time() - driver_before
    outcomes = await settle(log_path, offset, phase)
    phase.cpu_seconds = cpu_seconds([app.pid, *descendants(app.pid)]) - before
    async with aiohttp.ClientSession() as session, session.get(f"{control}/summary") as answer:
        summary = await answer.json()
    phase.api_calls = summary["requests"]
    phase.api_errors = summary["errors"]
    phase.simulator_cpu_seconds = summary["cpu_seconds"]
    return phase, outcomes


def start_simulator(args: argparse.Namespace) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    merges = dict(MIX)["merge"] / 100
    merged = max(1, math.ceil(args.rate * args.seconds * merges / args.repos) + 1)
    simulator = subprocess.Popen(
        [sys.executable, __file__, "--serve-simulator", "--repos", str(args.repos),
         "--open-pulls", str(args.open_pulls), "--merged", str(merged),
         "--api-latency", str(args.api_latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    assert simulator.stdout is not None
    line = simulator.stdout.readline()
    if not line:
        raise SystemExit("the simulator did not start")
    return simulator, json.loads(line)


def start_app(
    args: argparse.Namespace, info: dict[str, Any], log_path: Path
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
        [sys.executable, "-m", "bot", "serve", "--workers", str(args.workers)],
        env=environ, cwd=REPO, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if len(worker_pids(app.pid)) >= args.workers or args.workers == 1:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                pass
        time.sleep(0.1)
    else:
        raise SystemExit("the App did not start")
    time.sleep(1.0)  # every worker listening
    return app, f"{base}/webhook"


def figures_of(args: argparse.Namespace, mixed: tuple[Phase, dict[str, tuple[str, float]]],
               prs: tuple[Phase, dict[str, tuple[str, float]]] | None) -> list[Figure]:  # fmt: skip
    phase, outcomes = mixed
    done = {"handled", "ignored", "user_error"}
    acks = [(s.acked or s.scheduled) - s.scheduled for s in phase.sent.values() if s.status == 202]
    completions = [
        (s.acked or s.scheduled) - s.scheduled + outcomes[d][1]
        for d, s in phase.sent.items()
        if s.status == 202 and d in outcomes
    ]
    lost = sum(
        1 for d, s in phase.sent.items() if s.status != 202 or outcomes.get(d, ("",))[0] not in done
    )
    statuses = Counter(s.status for s in phase.sent.values())
    kinds = Counter(outcomes.get(d, ("missing",))[0] for d in phase.sent)
    sent = len(phase.sent)
    label = f"load {args.rate:g}/s x{args.workers}"
    figures = [
        Figure(f"{label}: deliveries lost", lost, "", target=at_most(0),
               note=f"{sent} sent in {phase.seconds:.1f} s; answers {dict(statuses)}; "
                    f"outcomes {dict(kinds)}"),
        Figure(f"{label}: acknowledgement p50", percentile(acks, 0.5) * 1000, "ms"),
        Figure(f"{label}: acknowledgement p99", percentile(acks, 0.99) * 1000, "ms",
               target=at_most(100)),
        Figure(f"{label}: completion p50", percentile(completions, 0.5) * 1000, "ms"),
        Figure(f"{label}: completion p99", percentile(completions, 0.99) * 1000, "ms",
               target=at_most(2000)),
        Figure(f"{label}: API calls per delivery", phase.api_calls / max(1, sent), "calls",
               note=f"{phase.api_calls} calls, {phase.api_errors} answered >= 400"),
        Figure(f"{label}: CPU per delivery (mixed)", phase.cpu_seconds / max(1, sent) * 1000,
               "ms", note="all the App's processes, user + system, over deliveries sent"),
        Figure(f"{label}: simulator CPU per delivery",
               phase.simulator_cpu_seconds / max(1, sent) * 1000, "ms",
               note="the simulator shares the machine: its CPU is not the App's to spend; "
                    f"this script's: {phase.driver_cpu_seconds / max(1, sent) * 1000:.2f} ms"),
    ]  # fmt: skip
    for index in sorted(phase.rss_peak):
        early, late = phase.rss_early.get(index, 0.0), phase.rss_late.get(index, 0.0)
        figures.append(Figure(
            f"{label}: peak RSS, worker {index}", phase.rss_peak[index], "MB",
            target=at_most(200),
            note=f"first quarter {early:.0f} MB, end {late:.0f} MB",
        ))  # fmt: skip
        figures.append(Figure(
            f"{label}: RSS growth, worker {index}", late / early if early else math.nan, "x",
            target=at_most(1.2), note="RSS at the end / at the end of the first quarter",
        ))  # fmt: skip
    if prs is not None:
        pr_phase, pr_outcomes = prs
        handled = sum(1 for d in pr_phase.sent if pr_outcomes.get(d, ("",))[0] == "handled")
        figures.append(Figure(
            f"load: CPU per pull_request delivery (x{args.workers})",
            pr_phase.cpu_seconds / max(1, handled) * 1000, "ms",
            note=f"{handled} synchronize deliveries at {args.pr_rate:g}/s, "
                 f"{pr_phase.api_calls / max(1, handled):.1f} API calls each",
        ))  # fmt: skip
    return figures


async def bench(args: argparse.Namespace) -> list[Figure]:
    simulator, info = start_simulator(args)
    log_path = Path(tempfile.mkstemp(prefix="rfc-bot-load-", suffix=".log")[1])
    app = None
    try:
        plan = json.loads(Path(info["plan"]).read_text())
        app, url = start_app(args, info, log_path)
        # Warm every worker (tokens, config caches) with a few deliveries of each kind.
        warm = [kind for kind, _ in MIX for _ in range(4 * args.workers)]
        await run_phase(args, url, info["control"], plan, warm, 20, app, log_path)
        kinds = schedule(args.rate, args.seconds, list(MIX))
        mixed = await run_phase(args, url, info["control"], plan, kinds, args.rate, app, log_path)
        prs = None
        if args.pr_seconds > 0:
            only = schedule(args.pr_rate, args.pr_seconds, [("synchronize", 1)])
            prs = await run_phase(args, url, info["control"], plan, only, args.pr_rate, app,
                                  log_path)  # fmt: skip
        return figures_of(args, mixed, prs)
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
        errors = [line for line in log_path.read_text(errors="replace").splitlines()
                  if re.search(r'"level": ?"(ERROR|CRITICAL)"', line)]  # fmt: skip
        if errors:
            print(f"{len(errors)} error lines in the App's log, e.g. {errors[0][:300]}",
                  file=sys.stderr)  # fmt: skip
        log_path.unlink(missing_ok=True)


def measure(
    rate: float = 200,
    seconds: float = 60,
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
        raise SystemExit("bench_load reads /proc: Linux only")
    return asyncio.run(bench(args))


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rate", type=float, default=200.0, help="deliveries per second")
    options.add_argument("--seconds", type=float, default=60.0)
    options.add_argument("--workers", type=int, default=2)
    options.add_argument("--repos", type=int, default=4)
    options.add_argument("--open-pulls", type=int, default=50, help="per repository")
    options.add_argument("--merged", type=int, default=0, help=argparse.SUPPRESS)
    options.add_argument("--pr-seconds", type=float, default=15.0)
    options.add_argument("--pr-rate", type=float, default=100.0)
    options.add_argument("--api-latency", type=float, default=0.0, help="seconds per API call")
    options.add_argument("--serve-simulator", action="store_true", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.serve_simulator:
        serve_simulator(args.repos, args.open_pulls, args.merged, args.api_latency)
        return
    print_figures(measure(args.rate, args.seconds, args.workers, args.repos, args.pr_seconds,
                          args.pr_rate, args.api_latency, args.open_pulls))  # fmt: skip


if __name__ == "__main__":
    main()
