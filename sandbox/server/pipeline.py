"""The simulator's HTTP server, and the path of every REST request from arrival to answer.

A request is recorded and checked against GitHub's REST description (a departure is a
violation: ``sim.violations``), waits the set latency, runs the tests' before-hooks, then
meets an injected fault or GitHub's answer: authenticate, charge the primary rate limit,
dispatch to the operation's handler, make a GET's answer conditional. The routes come from
sandbox/routes/table.py.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.github import GitHub
from sandbox.openapi.contract import NO_BODY, Contract, Operation
from sandbox.routes.call import Call, Reply
from sandbox.routes.table import HANDLERS, application
from sandbox.server.auth import USER_PATHS, authenticate, payer, user_of
from sandbox.server.faults import Faults, drop_connection, status_response
from sandbox.server.limits import RATE_LIMIT_DOCS, Payer, RateLimits, etag, matches
from sandbox.sim_state import ApiError

DOCS = "https://docs.github.com/rest"
BeforeCallback = Callable[[Any], Awaitable[None] | None]  # called with the simulator
_INVALID_JSON = object()


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0  # 0: no answer (an injected reset or timeout)
    operation_id: str | None = None
    fault: str | None = None  # the injected fault's label, if one fired


@dataclass
class BeforeHook:
    """A test's callback, run before the next ``times`` requests that match."""

    method: str
    pattern: re.Pattern[str]
    times: int
    callback: BeforeCallback

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and self.pattern.search(path) is not None
        )


class Server(GitHub):
    """The simulated GitHub served on loopback, with what its traffic leaves behind."""

    def __init__(
        self, *, app_id: str = "4242", app_slug: str = "rfc-bot", rate_limit: int = 5000
    ) -> None:
        super().__init__(app_id=app_id, app_slug=app_slug)
        self.contract = Contract.load()
        self.latency = 0.0
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.faults = Faults()
        self.rate_limits = RateLimits(self.clock, rate_limit)
        self._befores: list[BeforeHook] = []
        self._runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 at ``port`` (0: a free one); returns the API base URL. After
        ``stop``, ``start(port)`` brings the same GitHub back at the same address."""
        self.faults.stopping.clear()
        self._runner = web.AppRunner(application(self, self._handle), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.faults.stopping.set()  # hung requests give up at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.raw_path.split("?", 1)[0]
        query = dict(request.query)
        raw = await request.read()
        body = parse_body(raw)
        record = RecordedRequest(request.method, path, query, None if body is NO_BODY else body)
        self.requests.append(record)
        problems = self.contract.check(request.method, path, query, body)
        problems += header_problems(request, path)
        self.violations.extend(problems)
        operation = self.contract.match(request.method, path)
        record.operation_id = operation.operation_id if operation else None
        if self.latency:
            await asyncio.sleep(self.latency)
        await self._run_befores(request.method, path)
        fault = self.faults.take(request.method, path)
        if fault is not None:
            record.fault = fault.label
        if fault is None or fault.applied:
            answer = self._answer(request, path, query, body, operation, problems)
            record.status = answer.status
            if fault is None:
                return answer
        assert fault is not None
        if fault.kind == "status":
            response = status_response(fault, self.rate_limits.headers(payer(self, request, path)))
            record.status = response.status
            return response
        record.status = 0
        await drop_connection(request, fault, self.faults.stopping)
        return web.Response(status=499)  # never sent: the connection is gone

    def _answer(
        self,
        request: web.Request,
        path: str,
        query: dict[str, str],
        body: Any,
        operation: Operation | None,
        problems: list[str],
    ) -> web.Response:
        """GitHub's answer: authenticate, charge the rate limit, handle, make conditional."""
        spender = payer(self, request, path)
        try:
            if operation is None or operation.operation_id not in HANDLERS:
                raise ApiError(404, "Not Found")
            if body is _INVALID_JSON:
                raise ApiError(400, "Problems parsing JSON")
            installation_id = authenticate(self, request, path)
            if self.rate_limits.exhausted(spender):
                return self._rate_limited(spender)
            if any("request body" in p for p in problems):
                raise ApiError(422, "Invalid request.\n\n" + "\n".join(problems))
            call = Call(
                request.method,
                operation.path_params(path) or {},
                query,
                None if body is NO_BODY else body,
                self.base_url,
                request.url,
                installation_id,
                user_of(self, request) if path in USER_PATHS else None,
            )
            reply = HANDLERS[operation.operation_id](self, call)
        except ApiError as error:
            response = error_response(error)
        else:
            if request.method == "GET" and reply.status == 200:
                tag = etag(reply.body, reply.headers.get("Link"))
                if matches(request.headers.get("If-None-Match"), tag):
                    return self._not_modified(spender, tag)
                reply.headers["ETag"] = tag
            response = json_response(reply)
        self.rate_limits.spend(spender)
        response.headers.update(self.rate_limits.headers(spender))
        return response

    def _not_modified(self, spender: Payer, tag: str) -> web.Response:
        # A 304 to a conditional request does not count against the primary rate limit.
        self.rate_limits.record_not_modified(spender)
        return web.Response(status=304, headers={"ETag": tag, **self.rate_limits.headers(spender)})

    def _rate_limited(self, spender: Payer) -> web.Response:
        body = {
            "message": self.rate_limits.exceeded_message(spender),
            "documentation_url": RATE_LIMIT_DOCS,
        }
        return web.json_response(body, status=403, headers=self.rate_limits.headers(spender))

    async def _run_befores(self, method: str, path: str) -> None:
        for hook in self._befores:
            if hook.matches(method, path) and hook.callback is not None:
                hook.times -= 1
                result = hook.callback(self)
                if inspect.isawaitable(result):
                    await result


def parse_body(raw: bytes) -> Any:
    if not raw.strip():
        return NO_BODY
    try:
        return json.loads(raw)
    except ValueError:
        return _INVALID_JSON


def header_problems(request: web.Request, path: str) -> list[str]:
    where = f"{request.method} {path}"
    problems = []
    if not request.headers.get("User-Agent"):
        problems.append(f"{where}: no User-Agent header (GitHub rejects such requests)")
    if not request.headers.get("X-GitHub-Api-Version"):
        problems.append(f"{where}: no X-GitHub-Api-Version header")
    return problems


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "message": error.message,
        "documentation_url": DOCS,
        "status": str(error.status),
    }
    if error.errors:
        body["errors"] = error.errors
    return web.json_response(body, status=error.status, headers=error.headers)


def json_response(reply: Reply) -> web.Response:
    if reply.status == 204:  # No Content: GitHub sends no body at all
        return web.Response(status=204, headers=reply.headers)
    return web.json_response(reply.body, status=reply.status, headers=reply.headers)
