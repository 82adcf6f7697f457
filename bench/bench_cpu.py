"""CPU per `pull_request` delivery, and GitHub calls per delivery, of the real App.

Three kinds of process on loopback, as in `bench_load.py`: the simulator (this script with
`--serve-simulator`), the App (`python -m bot serve --workers N`: a supervisor, N serving
processes, their lint processes) and this script, which sends signed deliveries at a fixed
rate, each on a new connection. Only the App's process tree is measured: user + system CPU
of the supervisor and every descendant, read from `/proc` before and after each phase (the
simulator's CPU is its own, printed in the notes).

Every delivery is about a pull request of its own with a ~20 KB RFC of its own (the example
RFC with its title and a section of generated sentences made unique), so no cache keyed by
content can stand in for linting:

- `opened`: a pull request adding the RFC, never seen by the App before;
- `synchronize`: a pull request the App already labelled, pushed to with a new text of the
  RFC (the labels the RFC earns are set beforehand, as an earlier run would have set them).

Each round sends one phase of `opened` and one of `synchronize` deliveries; figures are the
medians over the rounds. Baseline, measured in the same run: `lint()` of such texts in this
process (CPU time per text, the floor any delivery pays), or with `--compare DIR` the App of
another checkout (e.g. `git worktree add ../base main`), run against the same simulator with
its phases alternating with this one's (target: half its CPU per delivery).

    python bench/bench_cpu.py [--deliveries 200] [--rounds 3] [--rate 100] [--workers 2]
                              [--compare DIR] [--py-spy DIR] [--cprofile FILE]

`--py-spy DIR` records the App's process tree during the first round with py-spy (if it is
installed) and writes one collapsed-stack file per phase there; `--cprofile FILE` runs the
App (`--workers 1`) under cProfile timed by CPU time and writes its stats to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
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

from bench.bench_load import free_port, read_log  # noqa: E402
from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bench.process_tree import cpu_seconds, descendants  # noqa: E402

SECRET = "bench-cpu-webhook-secret"
KINDS = ("opened", "synchronize")
EXAMPLE = REPO / "examples" / "rfcs" / "0000-job-retries.md"
TEXT_BYTES = 20_000
# The labels the example RFC earns with the demo's config: an earlier run set them.
LABELS = ("rfc", "rfc: draft", "app: orchestrator", "app: jobmaster", "app: shared")
START_SECONDS = 60.0
SETTLE_SECONDS = 120.0


def rfc_text(tag: str) -> str:
    """The example RFC, about 20 KB, made unique by ``tag`` (title and every added sentence)."""
    text = EXAMPLE.read_text().replace("# Job Retries", f"# Job Retries {tag}", 1)
    anchor = "### Detailed Design\n"
    before, _, after = text.partition(anchor)
    sentences: list[str] = []
    n = 0
    while len(text) + sum(len(s) for s in sentences) < TEXT_BYTES:
        n += 1
        sentences.append(
            f"Retry budget {tag}.{n}: the queue for tenant {n * 37 % 101} waits at most "
            f"{n * 13 % 97 + 1} seconds between attempts, and its jitter stays full.\n\n"
        )
    return before + anchor + "".join(sentences) + after


# --- the simulator process -----------------------------------------------------------------


def serve_simulator(deliveries: int, rounds: int, repos: int, warm: int) -> None:
    """Seed every round's pull requests (``warm`` small warm-up rounds first), write the signed
    payloads to a file, serve until stdin ends. A control app answers ``/summary`` (requests
    since ``/mark``, by operation)."""

    from bench.load_simulator import serve_plan
    from sandbox.delivery import signature
    from sandbox.demo import demo_file
    from sandbox.simulator import Simulator

    async def main() -> None:
        sim = Simulator(rate_limit=10**9)
        sim.contract.check = lambda *args, **kwargs: []  # type: ignore[method-assign]
        await sim.start()
        targets = []
        for r in range(repos):
            repo = sim.create_repo(f"cpu-org/rfcs-{r}", files={
                "README.md": "# RFCs\n",
                ".github/rfc-bot.yml": demo_file("rfc-bot.yml"),
                "rfcs/README.md": demo_file("index.md"),
            })  # fmt: skip
            for name in LABELS:
                sim.add_label(repo, name, "ededed", "")
            targets.append(repo)
        plan: dict[str, list[list[tuple[str, str, str]]]] = {kind: [] for kind in KINDS}
        for round_index in range(warm + rounds):
            count = 8 if round_index < warm else deliveries
            for kind in KINDS:
                payloads = []
                for n in range(count):
                    repo = targets[n % repos]
                    tag = f"{kind[0]}{round_index}-{n}"
                    path = f"rfcs/0000-bench-{tag}.md"
                    pull = sim.open_pull_request(
                        repo, head=f"rfc/{tag}", files={path: rfc_text(tag)}
                    )
                    if kind == "synchronize":
                        pull.labels = list(LABELS)
                        sim.commit(repo, f"rfc/{tag}", {path: rfc_text(tag + "-push")})
                    body = json.dumps(sim.event_pull_request(repo, pull.number, kind))
                    payloads.append(("pull_request", body, signature(body.encode(), SECRET)))
                plan[kind].append(payloads)
        plan_file = Path(tempfile.mkstemp(prefix="rfc-bot-cpu-", suffix=".json")[1])
        plan_file.write_text(json.dumps(plan))
        await serve_plan(sim, plan_file)

    asyncio.run(main())


# --- the driver ----------------------------------------------------------------------------


@dataclass
class Phase:
    kind: str
    sent: int = 0
    handled: int = 0
    cpu_seconds: float = 0.0
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    simulator_cpu_seconds: float = 0.0

    @property
    def cpu_ms_per_delivery(self) -> float:
        return self.cpu_seconds / max(1, self.handled) * 1000

    @property
    def calls_per_delivery(self) -> float:
        return sum(self.calls.values()) / max(1, self.handled)


async def send_phase(url: str, payloads: list[list[str]], rate: float) -> dict[str, int]:
    """Each payload once, at ``rate`` per second, each on a new connection; id -> status."""
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    statuses: dict[str, int] = {}
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(session: aiohttp.ClientSession, event: str, body: str, sig: str) -> None:
        delivery = str(uuid.uuid4())
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sig,
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
        }
        try:
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                statuses[delivery] = response.status
        except (aiohttp.ClientError, TimeoutError):
            statuses[delivery] = 0

    tasks = []
    async with aiohttp.ClientSession(connector=connector) as session:
        for i, (event, body, sig) in enumerate(payloads):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, event, body, sig)))
        await asyncio.gather(*tasks)
    return statuses


async def settle(log_path: Path, offset: int, accepted: set[str]) -> dict[str, str]:
    """delivery id -> outcome, once every accepted delivery has its log line (bounded)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        outcomes, _ = read_log(log_path, offset)
        if accepted <= outcomes.keys() or time.monotonic() > deadline:
            return {d: outcome for d, (outcome, _) in outcomes.items()}
        await asyncio.sleep(0.2)


async def run_phase(kind: str, payloads: list[list[str]], rate: float, app: App,
                    control: str, profile: Path | None) -> Phase:  # fmt: skip
    phase = Phase(kind)
    offset = app.log.stat().st_size
    async with aiohttp.ClientSession() as session:
        await session.post(f"{control}/mark")
    pid = app.process.pid
    recorder = start_py_spy(pid, profile) if profile else None
    before = cpu_by_role(pid)
    statuses = await send_phase(app.webhook_url, payloads, rate)
    outcomes = await settle(app.log, offset, {d for d, s in statuses.items() if s == 202})
    after = cpu_by_role(pid)
    phase.cpu_by_role = {role: after[role] - before.get(role, 0.0) for role in after}
    phase.cpu_seconds = sum(phase.cpu_by_role.values())
    if recorder is not None:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
    async with aiohttp.ClientSession() as session, session.get(f"{control}/summary") as answer:
        summary = await answer.json()
    phase.sent = len(statuses)
    phase.handled = sum(1 for d in statuses if outcomes.get(d) == "handled")
    phase.calls = Counter(summary["by_operation"])
    phase.errors = summary["errors"]
    phase.simulator_cpu_seconds = summary["cpu_seconds"]
    return phase


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_by_role(supervisor: int) -> dict[str, float]:
    """CPU seconds so far of the App's processes: the supervisor, the serving processes, their
    lint processes (and anything else they started, counted with them)."""
    serving = children(supervisor) or [supervisor]  # --workers 1 serves in the supervisor
    lint = [pid for worker in serving for pid in descendants(worker)]
    roles = {"serving": cpu_seconds(serving), "lint": cpu_seconds(lint)}
    if serving != [supervisor]:
        roles["supervisor"] = cpu_seconds([supervisor])
    return roles


@dataclass
class App:
    """``rfc-bot serve`` in processes of its own, and the file its JSON log goes to."""

    process: subprocess.Popen[bytes]
    webhook_url: str
    log: Path


def start_py_spy(pid: int, directory: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed: no profile", file=sys.stderr)
        return None
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"profile-{int(time.time() * 1000)}.txt"
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw",
         "--rate", "250", "--gil", "--nonblocking", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def profiled_app(out: Path, argv: list[str]) -> None:
    """``rfc-bot ARGV`` under cProfile timed by CPU time (not wall time: a process waiting in
    a system call for a context switch must not look busy); the stats go to ``out``."""
    import cProfile

    from bot.cli import main as rfc_bot

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        rfc_bot(argv)
    except SystemExit:
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(out)


def start_app(
    workers: int,
    info: dict[str, Any],
    log_path: Path,
    cprofile: Path | None = None,
    root: Path = REPO,
) -> App:
    """``rfc-bot serve`` from the checkout ``root`` against the simulator ``info`` names."""
    port = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(root),
        "GITHUB_APP_ID": info["app_id"],
        "GITHUB_PRIVATE_KEY": info["private_key"],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": info["base_url"],
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
    }
    with log_path.open("wb") as log:
        app = subprocess.Popen(
            [sys.executable,
             *([__file__, "--profiled-app", str(cprofile)] if cprofile else ["-m", "bot"]),
             "serve", "--workers", str(workers)],
            env=environ, cwd=root, stdout=log, stderr=log,
        )  # fmt: skip
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit("the App did not start")
    time.sleep(1.0)  # every worker listening, every lint process started
    return App(app, f"http://127.0.0.1:{port}/webhook", log_path)


def wait_for_sweep(log: Path, limit: float = 90.0) -> None:
    """Wait until the App's start-up reconciliation sweep (it starts at a random moment in its
    first 30 s, and reads every open pull request) is done, so no phase pays for it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and b"reconcile: swept" not in log.read_bytes():
        time.sleep(0.5)


def quiesce(pid: int, idle_cpu_seconds: float = 0.03, limit: float = 60.0) -> None:
    """Wait until the App's process tree is idle (its start-up sweep done, say): it spends less
    than ``idle_cpu_seconds`` of CPU in a second."""
    deadline = time.monotonic() + limit
    last = cpu_seconds([pid, *descendants(pid)])
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds([pid, *descendants(pid)])
        if now - last < idle_cpu_seconds:
            return
        last = now


def lint_baseline(count: int) -> float:
    """CPU seconds per text of ``lint()`` in this process, on texts like the deliveries'."""
    from bot.rfc.config.public import load_config
    from bot.rfc.lint import lint
    from sandbox.demo import demo_file

    config = load_config(demo_file("rfc-bot.yml"), ".github/rfc-bot.yml")
    texts = [rfc_text(f"baseline-{n}") for n in range(count)]
    lint("rfcs/0000-bench-warm.md", texts[0], config)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before = usage.ru_utime + usage.ru_stime
    for n, text in enumerate(texts):
        lint(f"rfcs/0000-bench-{n}.md", text.encode(), config)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime - before) / count


def parse_floor(count: int) -> float:
    """CPU seconds per text of markdown-it's block parse alone (the parse ``lint()`` runs: the
    tables rule on, inline tokenizing off), on texts like the deliveries': what a lint pays
    before any rule runs."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark").enable("table").disable("inline")
    texts = [rfc_text(f"floor-{n}") for n in range(count)]
    markdown.parse(texts[0])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before = usage.ru_utime + usage.ru_stime
    for text in texts:
        markdown.parse(text)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime - before) / count


Phases = dict[str, list[Phase]]  # kind -> one phase per round


async def bench(deliveries: int, rounds: int, rate: float, workers: int, repos: int,
                profile: Path | None, cprofile: Path | None = None,
                compare: Path | None = None) -> tuple[Phases, Phases | None, float]:  # fmt: skip
    """The phases of this checkout's App and, with ``compare``, of that checkout's App run
    against the same simulator, their phases alternating; and the lint baseline."""
    roots = [REPO] if compare is None else [REPO, compare.resolve()]
    simulator = subprocess.Popen(
        [sys.executable, __file__, "--serve-simulator", "--deliveries", str(deliveries),
         "--rounds", str(rounds * len(roots)), "--warm", str(len(roots)), "--repos", str(repos)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    assert simulator.stdout is not None and simulator.stdin is not None
    line = simulator.stdout.readline()
    if not line:
        raise SystemExit("the simulator did not start")
    info = json.loads(line)
    apps: list[App] = []
    phases: list[Phases] = [{kind: [] for kind in KINDS} for _ in roots]
    try:
        plan = json.loads(Path(info["plan"]).read_text())
        payloads = {kind: iter(plan[kind]) for kind in KINDS}
        for root in roots:
            log_path = Path(tempfile.mkstemp(prefix="rfc-bot-cpu-", suffix=".log")[1])
            apps.append(start_app(workers, info, log_path, cprofile, root))
            for kind in KINDS:  # a warm-up round: token, config, labels, lint processes
                await run_phase(kind, next(payloads[kind]), rate, apps[-1], info["control"], None)
            wait_for_sweep(apps[-1].log)
            quiesce(apps[-1].process.pid)
        for round_index in range(rounds):
            for app, app_phases in zip(apps, phases, strict=True):
                for kind in KINDS:
                    spy = profile / kind if profile and not round_index and app is apps[0] else None
                    app_phases[kind].append(await run_phase(
                        kind, next(payloads[kind]), rate, app, info["control"], spy
                    ))  # fmt: skip
    finally:
        for app in apps:
            app.process.send_signal(signal.SIGTERM)
        for app in apps:
            try:
                app.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                app.process.kill()
            app.log.unlink(missing_ok=True)
        simulator.stdin.close()
        simulator.wait(timeout=60)
    return phases[0], phases[1] if compare else None, lint_baseline(50)


def per_delivery_ms(runs: list[Phase], seconds: Any) -> float:
    """The median over ``runs`` of ``seconds(phase)`` per handled delivery, in ms."""
    return statistics.median(seconds(p) / max(1, p.handled) for p in runs) * 1000


def tree_ms_per_round(phases: Phases) -> list[float]:
    """Each round's CPU of the App's tree per handled delivery, both kinds together, in ms."""
    rounds = zip(*(phases[kind] for kind in KINDS), strict=True)
    return [
        sum(p.cpu_seconds for p in pair) / max(1, sum(p.handled for p in pair)) * 1000
        for pair in rounds
    ]


def figures_of(phases: Phases, other: Phases | None, lint_seconds: float, rate: float,
               workers: int, compare: Path | None) -> list[Figure]:  # fmt: skip
    """With ``other`` (the ``compare`` checkout's phases), every CPU figure's baseline is that
    App's; otherwise ``lint()`` of one such text in this process."""
    lint_ms = lint_seconds * 1000
    tree = tree_ms_per_round(phases)
    setup = (
        f"{phases[KINDS[0]][0].sent} deliveries per phase at {rate:g}/s, --workers {workers}, "
        f"median of {len(tree)} rounds; "
    )
    if other is None:
        setup += f"baseline: lint() of one such text in this process ({lint_ms:.2f} ms)"
        tree_baseline: float = lint_ms
        target = None
    else:
        others = tree_ms_per_round(other)
        paired = statistics.median(new / old for new, old in zip(tree, others, strict=True))
        setup += (
            f"baseline: the App of {compare}, phases alternating with this one's (its rounds: "
            f"{', '.join(f'{v:.2f}' for v in others)} ms; median of the rounds' ratios "
            f"{paired:.2f}); lint() of one such text in this process: {lint_ms:.2f} ms, "
            f"markdown-it's block parse of it alone: {parse_floor(50) * 1000:.2f} ms"
        )
        tree_baseline, target = statistics.median(others), at_most(0.5, on_ratio=True)
    figures = [
        Figure(
            "cpu: App tree CPU per pull_request delivery",
            statistics.median(tree),
            "ms",
            baseline=tree_baseline,
            target=target,
            note=f"{setup}; rounds: {', '.join(f'{v:.2f}' for v in tree)} ms",
        ),
    ]
    for kind in KINDS:
        runs = phases[kind]
        baseline = per_delivery_ms(other[kind], _cpu) if other is not None else lint_ms
        figures += [
            Figure(f"cpu: CPU per {kind} delivery", per_delivery_ms(runs, _cpu), "ms",
                   baseline=baseline, note=_cpu_note(runs, other[kind] if other else None)),
            Figure(f"cpu: GitHub calls per {kind} delivery",
                   statistics.median(p.calls_per_delivery for p in runs), "calls",
                   baseline=statistics.median(p.calls_per_delivery for p in other[kind])
                   if other is not None else None,
                   target=at_most(4), note=f"by operation: {_by_route(runs)}"),
        ]  # fmt: skip
    return figures


def _cpu(phase: Phase) -> float:
    return phase.cpu_seconds


def _cpu_note(runs: list[Phase], other: list[Phase] | None) -> str:
    def roles(phases: list[Phase]) -> str:
        return ", ".join(
            f"{role} {per_delivery_ms(phases, lambda p, r=role: p.cpu_by_role.get(r, 0.0)):.2f}"
            for role in ("serving", "lint", "supervisor")
        )

    simulator = per_delivery_ms(runs, lambda p: p.simulator_cpu_seconds)
    lost = sum(p.sent - p.handled for p in runs)
    note = f"by process, ms: {roles(runs)}"
    if other is not None:
        note += f" (baseline: {roles(other)}; its calls: {_by_route(other)})"
    return note + f"; not handled: {lost}; simulator CPU per delivery {simulator:.2f} ms"


def _by_route(runs: list[Phase]) -> str:
    calls: Counter[str] = Counter()
    for p in runs:
        calls.update(p.calls)
    handled = max(1, sum(p.handled for p in runs))
    return ", ".join(f"{op} {n / handled:.2f}" for op, n in calls.most_common())


def measure(deliveries: int = 200, rounds: int = 3, rate: float = 100, workers: int = 2,
            repos: int = 4, profile: Path | None = None,
            compare: Path | None = None) -> list[Figure]:  # fmt: skip
    """CPU and GitHub calls per pull_request delivery of `rfc-bot serve` (see the module doc)."""
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_cpu reads /proc: Linux only")
    phases, other, lint_seconds = asyncio.run(
        bench(deliveries, rounds, rate, workers, repos, profile, compare=compare)
    )
    return figures_of(phases, other, lint_seconds, rate, workers, compare)


def main() -> None:
    if sys.argv[1:2] == ["--profiled-app"]:
        profiled_app(Path(sys.argv[2]), sys.argv[3:])
        return
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--deliveries", type=int, default=200, help="per kind and round")
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--rate", type=float, default=100.0, help="deliveries per second")
    options.add_argument("--workers", type=int, default=2)
    options.add_argument("--repos", type=int, default=4)
    options.add_argument("--py-spy", type=Path, help="record the first round with py-spy here")
    options.add_argument(
        "--cprofile",
        type=Path,
        help="run the App under cProfile (--workers 1), its stats to this file",
    )
    options.add_argument(
        "--compare",
        type=Path,
        help="another checkout of rfc-bot: its App is the baseline, same run",
    )
    options.add_argument("--warm", type=int, default=1, help=argparse.SUPPRESS)
    options.add_argument("--serve-simulator", action="store_true", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.serve_simulator:
        serve_simulator(args.deliveries, args.rounds, args.repos, args.warm)
        return
    if args.cprofile:
        asyncio.run(bench(args.deliveries, args.rounds, args.rate, 1, args.repos, None,
                          args.cprofile.resolve()))  # fmt: skip
        print(f"cProfile stats of the serving process: {args.cprofile}")
        return
    print_figures(measure(args.deliveries, args.rounds, args.rate, args.workers, args.repos,
                          args.py_spy, args.compare))  # fmt: skip


if __name__ == "__main__":
    main()
