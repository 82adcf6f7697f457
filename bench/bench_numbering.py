"""Cost of numbering on merge: API calls and wall time for a repository of many RFCs.

One run. The simulator holds ``--rfcs`` numbered RFCs, the index and ``--docs`` markdown files
under ``docs/`` (whose links the numbering commit rewrites), and answers every API call after
``--latency`` seconds (default 50 ms). Two pull requests, each adding one RFC, are merged one
after the other and their ``closed`` events delivered to a freshly started App (so the first
merge is the first after a restart: every text must be read), and the script prints, per
merge, the time from delivery to the App being idle, the API calls (by operation) and the
sequential round trips. ``--tracking``: the RFCs are merged Final with tracking issues on.

    PYTHONPATH=. python bench/bench_numbering.py [--rfcs 50] [--docs 20] [--tracking]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bench.timing import TimedRequests, round_trips
from bot.serve.app import wait_idle
from sandbox.delivery import deliver
from sandbox.harness import start_app
from sandbox.simulator import Simulator

SECRET = "bench-webhook-secret"
INDEX = "rfcs/README.md"


@dataclass
class Sample:
    label: str
    seconds: float
    calls: Counter[str]
    round_trips: int


def rfc(title: str, number: str, status: str = "Draft") -> str:
    body = "Retry failed jobs with exponential backoff and a cap on attempts.\n" * 40
    return (
        f"# {title}\n\n**Status:** {status}  \n**Target Application(s):** api  \n"
        f"**RFC Number:** {number}  \n**Created:** 2024-05-01  \n"
        "**Last Updated:** 2024-05-02  \n**Author(s):** Alice Example (@alice)  \n\n"
        f"## Overview\n\n### Summary\n{body}"
    )


async def merge_one(sim: Simulator, app: web.Application, url: str, session: Any, repo: Any,
                    slug: str, label: str, latency: float, status: str) -> Sample:  # fmt: skip
    path = f"rfcs/0000-{slug}.md"
    pull = sim.open_pull_request(repo, head=f"rfc/{slug}", files={path: rfc(slug, "[TBD]", status)},
                                 author="alice", title=f"RFC: {slug}")  # fmt: skip
    sim.merge_pull_request(repo, pull.number)
    requests: TimedRequests = sim.requests  # type: ignore[assignment]
    first = len(requests)
    started = time.perf_counter()
    payload = sim.event_pull_request(repo, pull.number, "closed")
    assert await deliver(session, url, "pull_request", payload, SECRET) == 202
    await wait_idle(app)
    seconds = time.perf_counter() - started
    assert not any(p.startswith("rfcs/0000-") for p in sim.tree(repo)), "not numbered"
    made = requests[first:]
    calls = Counter(r.operation_id or f"{r.method} {r.path}" for r in made)
    return Sample(label, seconds, calls, round_trips(requests.arrivals[first:], latency))


def doc(n: int) -> str:
    return f"# Guide {n}\n\n" + f"See [RFC 1](../rfcs/0001-rfc-1.md) and section {n}.\n" * 60


async def bench(rfcs: int, latency: float, docs: int = 20, tracking: bool = False) -> list[Sample]:
    sim = Simulator()
    await sim.start()
    sim.requests = TimedRequests()
    running = await start_app(sim, SECRET)
    app, url = running.app, running.webhook_url
    files = {f"rfcs/{n:04d}-rfc-{n}.md": rfc(f"RFC {n}", f"{n:04d}") for n in range(1, rfcs + 1)}
    files[INDEX] = "# RFCs\n"
    files.update({f"docs/guide-{n}.md": doc(n) for n in range(docs)})
    if tracking:
        files[".github/rfc-bot.yml"] = "follow_up:\n  tracking_issue: {}\n"
    status = "Final" if tracking else "Draft"
    try:
        repo = sim.create_repo("octo-org/rfcs", files=files)
        sim.latency = latency
        async with aiohttp.ClientSession() as session:
            return [
                await merge_one(sim, app, url, session, repo, "first-new", "first merge "
                                "after a restart", latency, status),
                await merge_one(sim, app, url, session, repo, "second-new", "next merge "
                                "(caches warm)", latency, status),
            ]  # fmt: skip
    finally:
        await running.stop()
        await sim.stop()
        if sim.violations:
            raise SystemExit("requests off GitHub's REST description:\n" + "\n".join(
                sim.violations))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rfcs", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per API call")
    parser.add_argument("--docs", type=int, default=20, help="markdown files under docs/")
    parser.add_argument("--tracking", action="store_true", help="Final RFCs, tracking issues on")
    args = parser.parse_args()
    samples = asyncio.run(bench(args.rfcs, args.latency, args.docs, args.tracking))
    print(f"numbering on merge, {args.rfcs} RFCs and {args.docs} docs on the branch, "
          f"tracking issues {'on' if args.tracking else 'off'}, API latency "
          f"{args.latency * 1000:.0f} ms")  # fmt: skip
    for sample in samples:
        calls = sum(sample.calls.values())
        print(f"  {sample.label}: {sample.seconds * 1000:.0f} ms to idle, "
              f"{calls} API calls, {sample.round_trips} round trips")  # fmt: skip
        for operation, count in sorted(sample.calls.items(), key=lambda item: -item[1]):
            print(f"      {count:3d}  {operation}")


if __name__ == "__main__":
    main()
