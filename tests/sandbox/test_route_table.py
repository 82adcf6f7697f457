"""The route table is exactly what the simulator serves: every page resolves in the aiohttp
router to its handler, every documented REST operation reaches its handler through the one
REST entry point, and nothing else is registered."""

from __future__ import annotations

import re
from functools import partial

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from sandbox.openapi.contract import Contract
from sandbox.routes.table import (
    API_ROUTES,
    HANDLERS,
    PAGES,
    REST_ENTRY,
    ApiRoute,
    Page,
    application,
)
from sandbox.simulator import Simulator


async def answer_rest(request: web.Request) -> web.StreamResponse:
    raise AssertionError("routes are only resolved here, never answered")


@pytest.fixture(scope="module")
def unstarted() -> Simulator:
    return Simulator()


@pytest.fixture
def app(unstarted: Simulator) -> web.Application:
    return application(unstarted, answer_rest)


def canonical(path: str) -> str:
    """A route's path as aiohttp names its resource: ``{name:regex}`` becomes ``{name}``."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


def concrete(template: str) -> str:
    """A request path for a template: each parameter filled with its own name."""
    return re.sub(r"\{(\w+)\}", r"\1", template)


def path_of(route: web.AbstractRoute) -> str:
    assert route.resource is not None
    return route.resource.canonical


def test_nothing_but_the_table_is_registered(app: web.Application, unstarted: Simulator) -> None:
    registered = {(route.method, path_of(route)) for route in app.router.routes()}
    expected = {("*", canonical(REST_ENTRY))}
    for page in PAGES:
        expected.add((page.method, canonical(page.path)))
        if page.method == "GET":
            expected.add(("HEAD", canonical(page.path)))  # aiohttp's GET answers HEAD too
    assert registered == expected
    for route in app.router.routes():
        if path_of(route) == canonical(REST_ENTRY):
            assert route.handler is answer_rest
        else:
            assert isinstance(route.handler, partial) and route.handler.args == (unstarted,)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.method} {page.path}")
async def test_each_page_resolves_to_its_handler(app: web.Application, page: Page) -> None:
    path = concrete(canonical(page.path)).replace("/number", "/1").replace("/run_id", "/1")
    request = make_mocked_request(page.method, path, app=app)
    match = await app.router.resolve(request)
    assert isinstance(match.handler, partial) and match.handler.func is page.handler


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda route: route.operation_id)
async def test_each_operation_reaches_its_handler(app: web.Application, route: ApiRoute) -> None:
    path = concrete(route.template)
    request = make_mocked_request(route.method, path, app=app)
    assert (await app.router.resolve(request)).handler is answer_rest
    operation = Contract.load().match(route.method, path)
    assert operation is not None and operation.operation_id == route.operation_id
    assert HANDLERS[operation.operation_id] is route.handler


def test_the_table_is_the_documented_operations_each_once() -> None:
    documented = {
        (operation.method.upper(), operation.template): operation.operation_id
        for operation in Contract.load().operations
    }
    listed = {(route.method, route.template): route.operation_id for route in API_ROUTES}
    assert len(listed) == len(API_ROUTES)  # no route listed twice
    assert listed == documented
    assert len(HANDLERS) == len(API_ROUTES)  # no operationId twice


@pytest.mark.parametrize("path", ["/repos/o/r/issues/comments/1", "/repos/o/pull/1"])
async def test_an_undocumented_path_goes_to_the_rest_entry(app: web.Application, path: str) -> None:
    """Even one shaped like a web page (`/OWNER/REPO/pull/N`): /repos/... is the API's."""
    request = make_mocked_request("GET", path, app=app)
    assert (await app.router.resolve(request)).handler is answer_rest
    assert Contract.load().match("GET", path) is None
