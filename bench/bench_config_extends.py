"""What ``_extends`` costs: GitHub API calls of a check run, and CPU of the merge.

- Calls, counted on the GitHub simulator: the real App validates a pull request (warm caches:
  installation token, config, labels) in a repository whose config extends
  ``octo-org/.github``, against the same in a repository whose config holds the same values
  itself. The extended file is read on every run as a conditional request: a 304, which the
  rate limit does not count.
- CPU (``time.process_time``, best of interleaved rounds): merging and reading a chain of three
  files, against reading one file that holds the same values; and refusing a merge that YAML
  aliases would make explode, against parsing those two files.
- Loop lag (how late a coroutine that wakes every millisecond comes, worst of a round) while
  a 64 KB config file is parsed the App's way (in a thread), against the same parse run on the
  event loop, rounds interleaved.

    python bench/bench_config_extends.py [ROUNDS] [CALLS]

Targets: no more rate-limited calls than without ``_extends`` (ratio <= 1); the three-file
merge at most 3x the one-file read; the alias bomb refused for less than parsing it costs;
the loop's worst lag at most a fifth of what parsing on the loop causes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from bench.figure import Figure, at_most, print_figures  # noqa: E402
from bot.rfc.config.public import (  # noqa: E402
    CONFIG_PATH,
    ConfigError,
    load_config,
    load_layers,
    parse_config_file,
)
from bot.serve.app import wait_idle  # noqa: E402
from sandbox.delivery import deliver  # noqa: E402
from sandbox.demo import demo_file  # noqa: E402
from sandbox.harness import start_app  # noqa: E402
from sandbox.simulator import Simulator  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "rfcs/0000-job-retries.md"
ORG_TEXT = (
    "target_apps: [orchestrator, jobmaster, web]\n"
    "maintainers: [octo-org/architects]\n"
    "decisions:\n  Proposed -> Final:\n    approvers: [octo-org/architects]\n    approvals: 3\n"
    "labels: {rfc: proposal}\n"
)
TEAM_TEXT = "_extends: .github\nrules: {metadata-order: off}\nnumber_width: 3\n"
LOCAL_TEXT = (
    "_extends: team-policy\nrfc_dir: rfcs\ndecisions:\n  Proposed -> Final: {approvals: 2}\n"
)
ONE_FILE = (
    "target_apps: [orchestrator, jobmaster, web]\nmaintainers: [octo-org/architects]\n"
    "rules: {metadata-order: off}\nnumber_width: 3\nrfc_dir: rfcs\nlabels: {rfc: proposal}\n"
    "decisions:\n  Proposed -> Final:\n    approvers: [octo-org/architects]\n    approvals: 2\n"
)


async def check_calls(sim: Simulator, running: Any, session: Any, repo: Any, index: int
                      ) -> tuple[int, int]:  # fmt: skip
    """(rate-limited calls, free 304s) of one pull request's validation."""
    pull = sim.open_pull_request(repo, head=f"rfc/x-{index}", files={PATH: demo_file(
        "fixed.md")}, author="alice", title=f"RFC {index}")  # fmt: skip
    before = len(sim.requests)
    payload = sim.event_pull_request(repo, pull.number, "opened")
    assert await deliver(session, running.webhook_url, "pull_request", payload, SECRET) == 202
    await wait_idle(running.app)
    statuses = [r.status for r in sim.requests[before:]]
    return sum(1 for s in statuses if s != 304), statuses.count(304)


async def calls() -> dict[str, tuple[int, int]]:
    sim = Simulator()
    await sim.start()
    running = await start_app(sim, SECRET)
    try:
        sim.create_repo("octo-org/.github", files={CONFIG_PATH: ORG_TEXT})
        extending = sim.create_repo("octo-org/extending", files={
            CONFIG_PATH: "_extends: .github\n", "rfcs/README.md": "# Index\n"})  # fmt: skip
        plain = sim.create_repo("octo-org/plain", files={
            CONFIG_PATH: ORG_TEXT, "rfcs/README.md": "# Index\n"})  # fmt: skip
        found = {}
        async with aiohttp.ClientSession() as session:
            for name, repo in (("plain", plain), ("extends", extending)):
                await check_calls(sim, running, session, repo, 0)  # warm caches
                found[name] = await check_calls(sim, running, session, repo, 1)
        return found
    finally:
        await running.stop()
        await sim.stop()
        if sim.violations:
            raise SystemExit("requests off GitHub's REST description:\n" + "\n".join(
                sim.violations))  # fmt: skip


def chain() -> list[Any]:
    return [
        parse_config_file(LOCAL_TEXT, CONFIG_PATH),
        parse_config_file(TEAM_TEXT, "octo-org/team-policy:.github/rfc-bot.yml"),
        parse_config_file(ORG_TEXT, "octo-org/.github:.github/rfc-bot.yml"),
    ]


def alias_bomb_text() -> str:
    rule = "{" + ", ".join(f"k{i}: 1" for i in range(300)) + "}"
    moves = ", ".join(f'"S{i} -> T": *r' for i in range(300))
    return f"decisions: {{a: &r {rule}, {moves}}}\n"


def parse_bomb() -> list[Any]:
    text = alias_bomb_text()
    return [parse_config_file(text, "a.yml"), parse_config_file(text, "b.yml")]


def refuse_bomb(files: list[Any]) -> None:
    try:
        load_layers(files)
    except ConfigError:
        return
    raise AssertionError("the alias bomb was merged")


def best_cpu(work: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - start) / calls


def cpu(rounds: int, calls: int) -> dict[str, float]:
    """Seconds of CPU per call, best of ``rounds`` interleaved rounds."""
    assert load_layers(chain()) == load_config(ONE_FILE)  # the same config, two ways
    bomb = parse_bomb()
    work = {
        "one file": (lambda: load_config(ONE_FILE), calls),
        "three files": (lambda: load_layers(chain()), calls),
        "alias bomb parsed": (parse_bomb, 1),
        "alias bomb refused": (lambda: refuse_bomb(bomb), 1),
    }
    best = dict.fromkeys(work, float("inf"))
    for _ in range(rounds):
        for name, (run, count) in work.items():
            best[name] = min(best[name], best_cpu(run, count))
    return best


BIG = "maintainers:\n" + "".join(f"  - user{i}\n" for i in range(5000))  # 64 KB


async def worst_lag(parse: Callable[[], Any]) -> float:
    """The latest a 1 ms ticker came while ``parse`` ran, in seconds."""
    done, worst = False, 0.0

    async def ticker() -> None:
        nonlocal worst
        while not done:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - start - 0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await parse()
    done = True
    await task
    return worst


async def lags(rounds: int) -> dict[str, float]:
    from bot.features.config import _parse, parse_off_loop

    content = BIG.encode()
    assert len(content) < 65_536

    async def on_loop() -> Any:
        return _parse(content, CONFIG_PATH)

    async def in_thread() -> Any:
        return await parse_off_loop(content, CONFIG_PATH)

    best = {"on the loop": float("inf"), "in a thread": float("inf")}
    for _ in range(rounds):
        best["on the loop"] = min(best["on the loop"], await worst_lag(on_loop))
        best["in a thread"] = min(best["in a thread"], await worst_lag(in_thread))
    return best


def measure(rounds: int = 7, per_round: int = 50) -> list[Figure]:
    counted = asyncio.run(calls())
    plain, extends = counted["plain"], counted["extends"]
    seconds = cpu(rounds, per_round)
    one, three = seconds["one file"], seconds["three files"]
    lag = asyncio.run(lags(rounds))
    return [
        Figure(
            "extends: rate-limited calls of a check run",
            extends[0],
            "calls",
            baseline=plain[0],
            target=at_most(1, on_ratio=True),
            note=f"with _extends: {extends[1]} free 304(s); the same values in the repository's "
            f"own file: {plain[1]} 304(s)",
        ),
        Figure(
            "extends: merge + read of a 3-file chain",
            three * 1e6,
            "µs CPU",
            baseline=one * 1e6,
            target=at_most(3, on_ratio=True),
            note="baseline: load_config of one file holding the same values (parsing included)",
        ),
        Figure(
            "extends: alias bomb refused",
            seconds["alias bomb refused"] * 1e6,
            "µs CPU",
            baseline=seconds["alias bomb parsed"] * 1e6,
            target=at_most(1, on_ratio=True),
            note="two files whose 300 moves alias one 300-key rule (90,000 entries if merged); "
            "baseline: parsing the two files",
        ),
        Figure(
            "extends: worst loop lag, 64 KB config parsed",
            lag["in a thread"] * 1e3,
            "ms",
            baseline=lag["on the loop"] * 1e3,
            target=at_most(0.2, on_ratio=True),
            note="the App's parse_off_loop (a thread) against the same parse on the event loop; "
            "best round of each",
        ),
    ]


def main() -> None:
    rounds, per_round = (int(arg) for arg in (sys.argv[1:] or ["7", "50"])[:2])
    print_figures(measure(rounds, per_round))


if __name__ == "__main__":
    main()
