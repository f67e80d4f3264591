"""The low-level Server: protocol factory, connections, request factory, shutdown."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_server import Server

from ._web_fixtures import get, raw_conn, serve


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hello")


async def test_server_serves_with_loop_create_server() -> None:
    async with serve(hello) as srv, httpx.AsyncClient() as client:
        resp = await client.get(srv.url)
        assert (resp.status_code, resp.text) == (200, "hello")
        assert srv.server.requests_count == 1
        assert srv.server.request_handler is hello


async def test_server_call_builds_request_handler_with_options() -> None:
    server = Server(hello, keepalive_timeout=7, debug=True, read_head_timeout=3)
    proto = server()
    assert isinstance(proto, RequestHandler)
    assert proto.keepalive_timeout == 7.0 and proto.debug


async def test_server_unknown_option_is_a_clear_type_error() -> None:
    server = Server(hello, no_such_option=1)  # type: ignore[call-overload]  # the misuse under test
    with pytest.raises(TypeError, match="no_such_option"):
        server()


async def test_connections_tracked_and_removed() -> None:
    async with serve(hello) as srv:
        async with raw_conn(srv.port) as conn:
            await conn.send(get())
            await conn.read_response()
            assert len(srv.server.connections) == 1
        for _ in range(50):
            if not srv.server.connections:
                break
            await asyncio.sleep(0.01)
        assert srv.server.connections == []


async def test_pre_shutdown_closes_idle_connections() -> None:
    async with serve(hello) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        await conn.read_response()
        srv.server.pre_shutdown()
        assert await conn.closed_by_peer(timeout=2)


async def test_pre_shutdown_lets_in_flight_request_finish_then_closes() -> None:
    started = asyncio.Event()

    async def slow(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.1)
        return Response(text="done")

    async with serve(slow) as srv, raw_conn(srv.port) as conn:
        await conn.send(get() + get("/queued"))
        await started.wait()
        srv.server.pre_shutdown()
        resp = await conn.read_response()
        assert resp.body == b"done"
        assert await conn.closed_by_peer(timeout=2)  # the queued request is dropped


async def test_custom_request_factory() -> None:
    class MyRequest(BaseRequest):
        marker = "custom"

    def factory(
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> MyRequest:
        return MyRequest(message, payload, protocol, writer, task, asyncio.get_running_loop())

    async def handler(request: MyRequest) -> StreamResponse:
        return Response(text=request.marker)

    loop = asyncio.get_running_loop()
    server = Server(handler, request_factory=factory)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"http://127.0.0.1:{port}/")
    finally:
        listener.close()
        await server.shutdown()
    assert resp.text == "custom"


async def test_shutdown_with_no_connections_returns() -> None:
    server = Server(hello)
    await asyncio.wait_for(server.shutdown(0.1), 1)
    assert server.connections == []
