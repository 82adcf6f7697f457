"""Webhook intake throughput: the real ``/webhook`` against a bare gidgethub handler.

One run. Both servers listen on loopback in this process and receive the same signed
~22 KB ``pull_request`` delivery from the same client, in interleaved rounds. The real app
gets a router whose one handler does nothing, so what is measured is intake plus the
background path every delivery takes (verify, dedupe, queue in order, client, log line,
metrics); each of its rounds also waits until that background work is done.

    PYTHONPATH=. python bench/bench_intake.py [--deliveries 2000] [--rounds 5] [--concurrency 32]

Prints deliveries/second for both and the ratio (target: >= 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gidgethub import routing, sansio

from bot.logs import configure_logging
from bot.server import create_app, wait_idle
from bot.settings import Settings

SECRET = "bench-secret"


def pull_request_payload(target_bytes: int = 22_000) -> bytes:
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
        "number": 7,
        "state": "open",
        "title": "RFC: Offline mode",
        "user": user,
        "head": {"ref": "rfc/offline", "sha": "a" * 40, "repo": repo, "user": user},
        "base": {"ref": "main", "sha": "b" * 40, "repo": repo, "user": user},
        "labels": [],
        "draft": False,
        "merged": False,
        "body": "",
    }
    payload: dict[str, Any] = {
        "action": "opened",
        "number": 7,
        "pull_request": pull,
        "repository": repo,
        "sender": user,
        "installation": {"id": 99, "node_id": "MDIzOkludGVncmF0aW9uOTk="},
    }
    size = len(json.dumps(payload))
    pull["body"] = "This RFC proposes an offline mode. " * ((target_bytes - size) // 35)
    return json.dumps(payload).encode()


def bare_app() -> web.Application:
    """The baseline: verify the signature and parse with gidgethub, answer 202."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        sansio.Event.from_http(request.headers, body, secret=SECRET)
        return web.Response(status=202)

    app = web.Application(client_max_size=25 * 1024 * 1024)
    app.router.add_post("/webhook", webhook)
    return app


def real_app() -> web.Application:
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings = Settings(
        app_id="1", private_key=key, webhook_secret=SECRET, api_url="http://127.0.0.1:9"
    )
    router = routing.Router()

    async def no_op(event: sansio.Event, gh: Any, ctx: Any) -> None:
        """Registered so every delivery goes the whole way: task, order, client, log."""

    router.add(no_op, "pull_request")
    return create_app(settings, router=router)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/webhook"


async def round_rate(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    count: int,
    concurrency: int,
    prefix: str,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> float:
    """Deliveries per second for one round of ``count`` deliveries."""
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    ids = iter(range(count))

    async def worker() -> None:
        for n in ids:
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": f"{prefix}-{n}",
                "X-Hub-Signature-256": signature,
            }
            async with session.post(url, data=body, headers=headers) as response:
                if response.status != 202:
                    raise RuntimeError(f"unexpected status {response.status}")
                await response.read()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if settle is not None:
        await settle()
    return count / (time.perf_counter() - start)


async def main(deliveries: int, rounds: int, concurrency: int) -> None:
    with open(os.devnull, "w") as devnull:
        # The per-delivery log line is part of the cost (BENCH_LOG_LEVEL=WARNING to drop it).
        configure_logging(os.environ.get("BENCH_LOG_LEVEL", "INFO"), "json", stream=devnull)
        body = pull_request_payload()
        app = real_app()
        real_runner, real_url = await serve(app)
        bare_runner, bare_url = await serve(bare_app())
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            await round_rate(
                session, real_url, body, 200, concurrency, "warm-real", lambda: wait_idle(app)
            )
            await round_rate(session, bare_url, body, 200, concurrency, "warm-bare")
            real: list[float] = []
            bare: list[float] = []
            for r in range(rounds):
                real.append(
                    await round_rate(
                        session,
                        real_url,
                        body,
                        deliveries,
                        concurrency,
                        f"real-{r}",
                        lambda: wait_idle(app),
                    )
                )
                bare.append(
                    await round_rate(session, bare_url, body, deliveries, concurrency, f"bare-{r}")
                )
        await real_runner.cleanup()
        await bare_runner.cleanup()
    real_rate, bare_rate = statistics.median(real), statistics.median(bare)
    print(
        f"payload: {len(body)} bytes, {deliveries} deliveries x {rounds} rounds, "
        f"concurrency {concurrency}"
    )
    print(
        f"rfc-bot /webhook : {real_rate:8.0f} deliveries/s (median; rounds: "
        f"{', '.join(f'{x:.0f}' for x in real)})"
    )
    print(
        f"bare gidgethub   : {bare_rate:8.0f} deliveries/s (median; rounds: "
        f"{', '.join(f'{x:.0f}' for x in bare)})"
    )
    print(f"ratio            : {real_rate / bare_rate:8.2f} (target >= 0.80)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.deliveries, args.rounds, args.concurrency))
