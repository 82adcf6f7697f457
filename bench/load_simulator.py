"""The load benchmark's GitHub: the simulator in a process of its own, seeded, with the
deliveries' payloads written to a file (``bench/bench_load.py`` starts it).

    python bench/load_simulator.py --repos 4 --open-pulls 50 --merged 20 [--api-latency 0]

It prints one JSON line (the simulator's address, the App's id and key, the payloads' file,
a control address) and serves until its stdin closes. Its rate limit is raised out of the way
and its OpenAPI contract check is off: the end-to-end tests hold every request to it; here it
would be the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SECRET = "bench-load-webhook-secret"
MIX = (  # (kind, share of 100)
    ("opened", 10),
    ("synchronize", 50),
    ("comment", 30),
    ("check_command", 8),
    ("merge", 2),  # far above any real RFC repository's rate, and numbering is serial per repo
)


def serve_simulator(repos: int, open_pulls: int, merged: int, latency: float) -> None:
    """Seed the simulator, write the deliveries' payloads to a file, serve until stdin ends."""

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
        await serve_plan(sim, plan)

    asyncio.run(main())


async def serve_plan(sim: Any, plan: Path) -> None:
    """Announce the seeded simulator on stdout (its URL, the App's credentials, the plan file,
    a control app's URL) and serve until stdin ends. The control app answers ``/summary``: the
    simulator's requests since ``/mark``, by operation, and its CPU seconds."""
    from aiohttp import web

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
        nonlocal start, cpu_start
        start, cpu_start = len(sim.requests), time.process_time()
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


def start_simulator(
    repos: int, open_pulls: int, merged: int, latency: float
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """The simulator's process (stop it by closing its stdin) and what it printed."""
    simulator = subprocess.Popen(
        [sys.executable, __file__, "--repos", str(repos), "--open-pulls", str(open_pulls),
         "--merged", str(merged), "--api-latency", str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    assert simulator.stdout is not None
    line = simulator.stdout.readline()
    if not line:
        raise SystemExit("the simulator did not start")
    return simulator, json.loads(line)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repos", type=int, default=4)
    options.add_argument("--open-pulls", type=int, default=50)
    options.add_argument("--merged", type=int, default=1)
    options.add_argument("--api-latency", type=float, default=0.0)
    args = options.parse_args()
    serve_simulator(args.repos, args.open_pulls, args.merged, args.api_latency)


if __name__ == "__main__":
    main()
