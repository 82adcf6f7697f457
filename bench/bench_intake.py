"""Webhook intake throughput: the real ``/webhook`` against a bare gidgethub handler.

Both servers listen on loopback in this process and receive the same signed ~22 KB
``pull_request`` deliveries (spread over ``--pulls`` pull requests) from the same client,
in interleaved rounds (the order alternates each round).

What is measured: deliveries *answered* per second at the HTTP level (202 received by the
client), from the first request of a round to the last response. The real app runs its normal
background handling, on a router whose one ``pull_request`` handler does nothing, so every
delivery is verified, deduplicated, queued per pull request, dispatched with a GitHub client,
counted and logged (one JSON line, written to the null device); that work shares the event
loop with intake while the round runs. After each round the app is drained (untimed for the
intake figure) and the bench checks every delivery was handled. A second figure, "handled",
includes the drain: deliveries per second from the first request until all work was done.

The process gets the garbage-collector settings ``rfc-bot serve`` applies (``tune_gc``), which
both servers share since they run in one process; ``--default-gc`` leaves CPython's defaults.

    python bench/bench_intake.py [--deliveries 2000] [--rounds 7] [--concurrency 32]

Target: answered per second >= 0.8x the bare handler's (median of the rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import hmac
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from gidgethub import routing, sansio  # noqa: E402

from bench.figure import Figure, at_least, print_figures  # noqa: E402
from bot.serve.app import create_app, wait_idle  # noqa: E402
from bot.serve.logs import configure_logging  # noqa: E402
from bot.serve.settings import Settings  # noqa: E402
from bot.serve.supervisor import tune_gc  # noqa: E402

SECRET = "bench-webhook-secret"
WARM_UP = 200


def pull_request_payload(number: int = 7, target_bytes: int = 22_000) -> bytes:
    """A pull_request.opened payload shaped like GitHub's, padded to about 22 KB."""
    user = {
        "login": "alice",
        "id": 1,
        "type": "User",
        "site_admin": False,
        "avatar_url": "https://avatars.githubusercontent.com/u/1?v=4",
        "html_url": "https://github.com/alice",
    }
    repo = {
        "id": 42,
        "name": "rfcs",
        "full_name": "octo-org/rfcs",
        "private": False,
        "owner": {**user, "login": "octo-org", "type": "Organization"},
        "default_branch": "main",
        "html_url": "https://github.com/octo-org/rfcs",
    }
    repo |= {
        f"{name}_url": f"https://api.github.com/repos/octo-org/rfcs/{name}{{/id}}"
        for name in (
            "issues",
            "pulls",
            "commits",
            "labels",
            "branches",
            "contents",
            "comments",
            "compare",
            "git_refs",
            "git_trees",
            "statuses",
        )
    }
    pull = {
        "number": number,
        "state": "open",
        "title": "RFC: Offline mode",
        "user": user,
        "head": {"ref": f"rfc/offline-{number}", "sha": "a" * 40, "repo": repo, "user": user},
        "base": {"ref": "main", "sha": "b" * 40, "repo": repo, "user": user},
        "labels": [],
        "draft": False,
        "merged": False,
        "body": "",
    }
    payload: dict[str, Any] = {
        "action": "opened",
        "number": number,
        "pull_request": pull,
        "repository": repo,
        "sender": user,
        "installation": {"id": 99, "node_id": "MDIzOkludGVncmF0aW9uOTk="},
    }
    size = len(json.dumps(payload))
    pull["body"] = "This RFC proposes an offline mode. " * ((target_bytes - size) // 35)
    return json.dumps(payload).encode()


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str


def deliveries_for(pulls: int) -> list[Delivery]:
    bodies = [pull_request_payload(number) for number in range(1, pulls + 1)]
    return [
        Delivery(body, "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())
        for body in bodies
    ]


def bare_app() -> web.Application:
    """The baseline: verify the signature and parse with gidgethub, answer 202."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        sansio.Event.from_http(request.headers, body, secret=SECRET)
        return web.Response(status=202)

    app = web.Application(client_max_size=25 * 1024 * 1024)
    app.router.add_post("/webhook", webhook)
    return app


def test_settings() -> Settings:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return Settings(
        app_id="1",
        private_key=key.decode(),
        webhook_secret=SECRET,
        api_url="http://127.0.0.1:9",
        lint_workers=0,
    )


class NoOpRouter(routing.Router):
    """A router with one ``pull_request`` handler that does nothing but count."""

    def __init__(self) -> None:
        super().__init__()
        self.handled = 0

        async def no_op(event: sansio.Event, gh: Any, ctx: Any) -> None:
            self.handled += 1

        self.add(no_op, "pull_request")


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}/webhook"


async def answer_round(
    session: aiohttp.ClientSession,
    url: str,
    deliveries: list[Delivery],
    count: int,
    concurrency: int,
    prefix: str,
) -> float:
    """Seconds until ``count`` deliveries (unique ids) are all answered 202."""
    ids = iter(range(count))

    async def worker() -> None:
        for n in ids:
            delivery = deliveries[n % len(deliveries)]
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": f"{prefix}-{n}",
                "X-Hub-Signature-256": delivery.signature,
            }
            async with session.post(url, data=delivery.body, headers=headers) as response:
                await response.read()
                if response.status != 202:
                    raise RuntimeError(f"{url}: unexpected status {response.status}")

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


@contextmanager
def delivery_lines_to_null() -> Iterator[None]:
    """JSON log lines at INFO, as in production, written to the null device; restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with open(os.devnull, "w") as devnull:
        configure_logging("INFO", "json", stream=devnull)
        try:
            yield
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)


@contextmanager
def serving_gc(enabled: bool) -> Iterator[None]:
    """``tune_gc`` as ``rfc-bot serve`` applies it, undone after (other benchmarks follow)."""
    if not enabled:
        yield
        return
    threshold = gc.get_threshold()
    tune_gc()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@dataclass
class Rounds:
    answered: list[float]  # real app, deliveries answered per second
    handled: list[float]  # real app, including the drain
    bare: list[float]


async def run_rounds(count: int, rounds: int, concurrency: int, pulls: int) -> Rounds:
    deliveries = deliveries_for(pulls)
    router = NoOpRouter()
    app = create_app(test_settings(), router=router)
    real_runner, real_url = await serve(app)
    bare_runner, bare_url = await serve(bare_app())
    result = Rounds([], [], [])
    sent = 0
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency)
        ) as session:

            async def real(prefix: str, n: int) -> tuple[float, float]:
                nonlocal sent
                answered = await answer_round(session, real_url, deliveries, n, concurrency, prefix)
                drain_start = time.perf_counter()
                await wait_idle(app)
                sent += n
                return answered, answered + time.perf_counter() - drain_start

            async def bare(prefix: str, n: int) -> float:
                return await answer_round(session, bare_url, deliveries, n, concurrency, prefix)

            await real("warm-real", WARM_UP)
            await bare("warm-bare", WARM_UP)
            for r in range(rounds):
                order = ("real", "bare") if r % 2 == 0 else ("bare", "real")
                for which in order:
                    if which == "real":
                        answered, handled = await real(f"real-{r}", count)
                        result.answered.append(count / answered)
                        result.handled.append(count / handled)
                    else:
                        result.bare.append(count / await bare(f"bare-{r}", count))
    finally:
        await real_runner.cleanup()
        await bare_runner.cleanup()
    if router.handled != sent:
        raise RuntimeError(f"{sent} deliveries accepted but {router.handled} handled")
    return result


def measure(
    deliveries: int = 2000,
    rounds: int = 7,
    concurrency: int = 32,
    pulls: int = 20,
    serve_gc: bool = True,
) -> list[Figure]:
    """Intake figures: answered/s vs the bare handler (target), and handled/s (drain included).

    ``serve_gc``: the garbage-collector settings of ``rfc-bot serve`` while measuring.
    """
    with delivery_lines_to_null(), serving_gc(serve_gc):
        result = asyncio.run(run_rounds(deliveries, rounds, concurrency, pulls))
    bare = statistics.median(result.bare)
    ratios = [real / bare for real, bare in zip(result.answered, result.bare, strict=True)]
    setup = (
        f"{deliveries} signed ~22 KB pull_request deliveries x {rounds} interleaved rounds, "
        f"{pulls} PRs, concurrency {concurrency}, median; "
        + ("GC as in rfc-bot serve (tune_gc)" if serve_gc else "CPython's default GC settings")
    )
    return [
        Figure(
            "intake: /webhook answered",
            statistics.median(result.answered),
            "deliveries/s",
            baseline=bare,
            target=at_least(0.8, on_ratio=True),
            note=(
                f"{setup}; 202s received per second, background handling (no-op handler, "
                "log line, metrics) running on the same loop, the drain after the last 202 "
                "not timed; baseline: aiohttp handler doing only gidgethub's "
                f"Event.from_http. Rounds: {_rates(result.answered)} vs bare {_rates(result.bare)}"
                f" (per-round ratios {', '.join(f'{r:.2f}' for r in ratios)},"
                f" median {statistics.median(ratios):.2f})"
            ),
        ),
        Figure(
            "intake: handled, drain included",
            statistics.median(result.handled),
            "deliveries/s",
            baseline=bare,
            note="the same rounds, timed until every accepted delivery was handled",
        ),
    ]


def _rates(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pulls", type=int, default=20, help="pull requests to spread over")
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep CPython's garbage-collector settings instead of rfc-bot serve's",
    )
    args = parser.parse_args()
    figures = measure(
        args.deliveries, args.rounds, args.concurrency, args.pulls, serve_gc=not args.default_gc
    )
    print_figures(figures)


if __name__ == "__main__":
    main()
