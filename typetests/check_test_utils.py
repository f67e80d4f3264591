"""Type checks for ``aiohttp.test_utils`` and the fixture types of ``aiohttp.pytest_plugin``:
the test client is generic in the request type and the application, so a client of an
application server and one of a raw server differ in type.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
from unittest import mock

from typing_extensions import assert_type
from yarl import URL

from aiohttp import web
from aiohttp.client_reqrep import ClientResponse
from aiohttp.client_ws import ClientWebSocketResponse
from aiohttp.pytest_plugin import AiohttpClient, AiohttpRawServer, AiohttpServer
from aiohttp.test_utils import (
    AioHTTPTestCase,
    BaseTestServer,
    RawTestServer,
    TestClient,
    TestServer,
    loop_context,
    make_mocked_coro,
    make_mocked_request,
    unused_port,
)


async def handler(request: web.BaseRequest) -> web.StreamResponse:
    return web.Response()


async def fixtures(
    aiohttp_client: AiohttpClient,
    aiohttp_server: AiohttpServer,
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    app = web.Application()
    client = await aiohttp_client(app)
    assert_type(client, TestClient[web.Request, web.Application])
    assert_type(client.app, web.Application)
    assert_type(client.server, BaseTestServer)
    assert_type(client.port, int | None)
    assert_type(client.make_url("/"), URL)

    server = await aiohttp_server(app, port=8080, host="127.0.0.1", access_log=None)
    assert_type(server, TestServer)
    assert_type(server.app, web.Application)
    assert_type(await aiohttp_client(server), TestClient[web.Request, web.Application])

    raw = await aiohttp_raw_server(handler, port=None)
    assert_type(raw, RawTestServer)
    raw_client = await aiohttp_client(raw, headers={"X": "1"})
    assert_type(raw_client, TestClient[web.BaseRequest, None])
    assert_type(raw_client.app, None)

    assert_type(await client.get("/", params={"q": "1"}), ClientResponse)
    async with client.post("/", data=b"x") as resp:
        assert_type(resp, ClientResponse)

    await aiohttp_client(app, server_kwargs={"port": 8080, "skip_url_asserts": True})
    await aiohttp_client(app, server_kwargs={"prot": 1})  # type: ignore[call-overload]
    await aiohttp_client("app")  # type: ignore[call-overload]
    await aiohttp_server(app, port="80")  # type: ignore[arg-type]
    await aiohttp_raw_server(app)  # type: ignore[arg-type]
    await client.get("/", allow_redirect=True)  # type: ignore[call-arg]


async def direct_use() -> None:
    app = web.Application()
    async with TestClient(TestServer(app)) as client:
        assert_type(client, TestClient[web.Request, web.Application])
    async with TestClient(RawTestServer(handler)) as raw_client:
        assert_type(raw_client, TestClient[web.BaseRequest, None])
    TestClient(app)  # type: ignore[call-overload]
    TestServer(app, keepalive_timeout="1")  # type: ignore[arg-type]
    TestServer(app, shutdown_timeout=1.0, ssl=None, skip_url_asserts=True)
    await TestServer(app).start_server(access_log=None)


def helpers() -> None:
    req = make_mocked_request("GET", "/", headers={"A": "b"}, match_info={"k": "v"})
    assert_type(req, web.Request)
    make_mocked_request("GET", "/", match_info={"k": 1})  # type: ignore[dict-item]
    assert_type(make_mocked_coro(1), mock.Mock)
    assert_type(unused_port(), int)
    with loop_context() as loop:
        assert_type(loop, asyncio.AbstractEventLoop)


class Case(AioHTTPTestCase):
    async def get_application(self) -> web.Application:
        return web.Application()

    async def test_it(self) -> None:
        assert_type(self.client, TestClient[web.Request, web.Application])
        assert_type(self.server, TestServer)
        assert_type(self.app, web.Application)


async def ws_connect_is_typed(client: TestClient[web.Request, web.Application]) -> None:
    ws = await client.ws_connect("/ws", heartbeat=5.0)
    assert_type(ws, ClientWebSocketResponse)
    assert_type(await ws.receive_str(), str)
    await client.ws_connect("/ws", hartbeat=5.0)  # type: ignore[call-arg]
