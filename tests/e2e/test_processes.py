"""Two real `rfc-bot serve` processes against one simulated GitHub.

The numbering race across replicas, with nothing shared but GitHub: separate processes,
separate memory, deliveries sent to both at the same instant. Also proves `serve` starts from
environment settings and drains on SIGTERM.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from sandbox.delivery import deliver
from sandbox.simulator import Simulator
from tests.e2e.processes import REPO, SECRET, SETTLE_SECONDS, ServeProcess, rfc, start_serve, until


@pytest.fixture
async def processes(sim: Simulator) -> AsyncIterator[tuple[ServeProcess, ServeProcess]]:
    async with aiohttp.ClientSession() as session:
        started = await asyncio.gather(start_serve(sim, session), start_serve(sim, session))
        try:
            yield started
        finally:
            for serve in started:
                if serve.process.returncode is None:
                    serve.process.kill()
                    await serve.process.wait()


def numbered(sim: Simulator, slug: str) -> list[str]:
    return [p for p in sim.tree(REPO) if p.endswith(f"-{slug}.md") and "/0000-" not in p]


async def test_two_serve_processes_number_concurrent_merges_exactly_once(
    sim: Simulator, processes: tuple[ServeProcess, ServeProcess]
) -> None:
    sim.latency = 0.005  # keep both processes' work in flight together
    sim.create_repo(REPO, files={"rfcs/README.md": "# RFCs\n"})
    slugs = ("alpha", "beta", "gamma")
    pulls = []
    for slug in slugs:
        pull = sim.open_pull_request(
            REPO, head=f"rfc/{slug}", files={f"rfcs/0000-{slug}.md": rfc(slug)}
        )
        sim.merge_pull_request(REPO, pull.number)
        pulls.append(pull)
    events = [sim.event_pull_request(REPO, p.number, "closed") for p in pulls]

    async with aiohttp.ClientSession() as session:
        sends = [
            deliver(session, serve.url, "pull_request", event, SECRET)
            for event in events
            for serve in processes  # every merge reaches both replicas at once
        ]
        statuses = await asyncio.gather(*sends)

        async def all_announced() -> bool:
            return all(
                numbered(sim, slug) and sim.pr_labels(REPO, p.number).count("rfc: numbered")
                for slug, p in zip(slugs, pulls, strict=True)
            )

        await until(all_announced, SETTLE_SECONDS, "every merged RFC to be numbered")
        exit_codes = [await serve.stop() for serve in processes]

    assert statuses == [202] * len(sends)
    assert exit_codes == [0, 0]
    paths = [path for slug in slugs for path in numbered(sim, slug)]
    assert sorted(Path(p).name[:4] for p in paths) == ["0001", "0002", "0003"]
    assert not [p for p in sim.tree(REPO) if p.startswith("rfcs/0000-")]
    index = sim.file(REPO, "rfcs/README.md") or ""
    assert all(Path(p).name in index for p in paths)
    for pull in pulls:
        announcements = [c for c in sim.comments(REPO, pull.number) if "Assigned RFC" in c["body"]]
        assert len(announcements) == 1
