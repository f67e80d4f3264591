"""Client middlewares: chain order, changing the request, retrying, short-circuiting, the
per-request override, and running once per redirect hop."""

from __future__ import annotations

import asyncio
from typing import Optional

import pytest
from yarl import URL

from aiohttp.client import ClientRequest, ClientResponse, ClientSession
from aiohttp.client_middlewares import (
    ClientHandlerType,
    ClientMiddlewareType,
    build_client_middlewares,
)
from tests._raw_server import Request
from tests._session_helpers import base, reply, requests_of, serve


def ok(request: Request) -> bytes:
    return reply(200, b"ok")


def recorder(name: str, log: list[str]) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        log.append(f"{name} in")
        response = await handler(request)
        log.append(f"{name} out")
        return response

    return middleware


async def test_build_chain_runs_first_middleware_outermost() -> None:
    log: list[str] = []
    sentinel_response = object()

    async def handler(request: ClientRequest) -> ClientResponse:
        log.append("handler")
        return sentinel_response  # type: ignore[return-value]  # a stand-in response

    chain = build_client_middlewares(handler, [recorder("a", log), recorder("b", log)])
    request = ClientRequest("GET", URL("http://example.com/"), loop=asyncio.get_running_loop())
    assert await chain(request) is sentinel_response
    assert log == ["a in", "b in", "handler", "b out", "a out"]
    assert build_client_middlewares(handler, ()) is handler


async def test_session_middlewares_run_in_order_and_change_the_request() -> None:
    log: list[str] = []

    async def add_header(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        request.headers["X-Added"] = "yes"
        return await handler(request)

    async with serve(ok) as srv:
        middlewares = (recorder("outer", log), add_header, recorder("inner", log))
        async with (
            ClientSession(middlewares=middlewares) as session,
            session.get(base(srv)) as resp,
        ):
            assert resp.status == 200
    assert log == ["outer in", "inner in", "inner out", "outer out"]
    assert requests_of(srv)[0].header("x-added") == b"yes"


async def test_middleware_retries_by_calling_the_handler_again() -> None:
    statuses = iter([503, 503, 200])

    def respond(request: Request) -> bytes:
        return reply(next(statuses), b"x")

    async def retry(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        response = await handler(request)
        while response.status == 503:
            response.release()
            response = await handler(request)
        return response

    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(retry,)) as session,
        session.post(base(srv), data=b"body") as resp,
    ):
        assert resp.status == 200
    assert [r.body for r in requests_of(srv)] == [b"body"] * 3


async def test_middleware_short_circuits_without_calling_the_handler() -> None:
    cache: dict[str, ClientResponse] = {}

    async def cached(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        key = str(request.url)
        if key in cache:
            return cache[key]
        response = await handler(request)
        await response.read()
        cache[key] = response
        return response

    async with serve(ok) as srv, ClientSession(middlewares=(cached,)) as session:
        first = await session.get(base(srv))
        second = await session.get(base(srv))
        assert second is first
        assert await second.read() == b"ok"
    assert len(requests_of(srv)) == 1


async def test_per_request_middlewares_replace_the_sessions() -> None:
    log: list[str] = []
    async with (
        serve(ok) as srv,
        ClientSession(middlewares=(recorder("session", log),)) as session,
    ):
        async with session.get(base(srv), middlewares=(recorder("request", log),)) as r:
            await r.read()
        async with session.get(base(srv), middlewares=()) as r:
            await r.read()
        async with session.get(base(srv)) as r:
            await r.read()
    assert log == ["request in", "request out", "session in", "session out"]


async def test_middleware_runs_for_each_redirect_hop() -> None:
    seen: list[str] = []

    def respond(request: Request) -> bytes:
        if request.request_line.split()[1] == b"/start":
            return reply(302, b"", [("Location", "/end")])
        return reply(200, b"end")

    async def watch(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        seen.append(request.url.path)
        return await handler(request)

    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(watch,)) as session,
        session.get(f"{base(srv)}/start") as resp,
    ):
        assert await resp.read() == b"end"
    assert seen == ["/start", "/end"]


async def test_middleware_error_propagates() -> None:
    async def boom(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        raise LookupError("no")

    async with ClientSession(middlewares=(boom,)) as session:
        with pytest.raises(LookupError):
            await session.get("http://127.0.0.1:9/")


async def test_middleware_may_send_another_request_with_the_session() -> None:
    token: Optional[str] = None

    def respond(request: Request) -> bytes:
        if request.request_line.split()[1] == b"/token":
            return reply(200, b"T0K3N")
        return reply(200, request.header("authorization") or b"none")

    async def bearer(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        nonlocal token
        if token is None:
            async with (
                ClientSession() as other,
                other.get(request.url.with_path("/token")) as resp,
            ):
                token = (await resp.read()).decode()
        request.headers["Authorization"] = f"Bearer {token}"
        return await handler(request)

    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(bearer,)) as session,
        session.get(f"{base(srv)}/api") as resp,
    ):
        assert await resp.read() == b"Bearer T0K3N"


async def test_middleware_logs_through_request_session_without_recursion() -> None:
    """The cookbook's pattern: ``req.session`` sends a side request, ``middlewares=()``
    keeps it out of the middleware itself."""
    calls: list[str] = []

    async def log_to_api(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        calls.append(request.url.path)
        session = request.session
        async with session.post(  # type: ignore[attr-defined]  # ClientRequest.session is typed as the reqrep hook protocol for now
            "log", data=request.url.path.encode(), middlewares=()
        ) as resp:
            assert resp.ok
        return await handler(request)

    async with (
        serve(ok) as srv,
        ClientSession(base(srv) + "/", middlewares=(log_to_api,)) as session,
        session.get("api") as resp,
    ):
        assert resp.status == 200
    assert calls == ["/api"]
    assert [r.request_line for r in requests_of(srv)] == [
        b"POST /log HTTP/1.1",
        b"GET /api HTTP/1.1",
    ]
