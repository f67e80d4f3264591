"""Type checks for ``aiohttp.client``: request options are typed one by one, responses have
their exact types, and user components (connector, middleware, raise_for_status callable)
are accepted by shape.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from typing_extensions import assert_type
from yarl import URL

from aiohttp.abc import AbstractClientSession, AbstractConnector
from aiohttp.client import (
    ClientRequest,
    ClientResponse,
    ClientSession,
    ClientTimeout,
    ClientWSTimeout,
    TCPConnector,
    request,
)
from aiohttp.client_middleware_digest_auth import DigestAuthMiddleware
from aiohttp.client_middlewares import ClientHandlerType, ClientMiddlewareType
from aiohttp.client_ws import ClientWebSocketResponse
from aiohttp.connector import Connection
from aiohttp.helpers import BasicAuth
from aiohttp.tracing import Trace, TraceConfig


async def options_are_typed(session: ClientSession) -> None:
    async with session.get(
        "http://example.com",
        params={"q": "1", "n": 2},
        headers={"X": "1"},
        timeout=ClientTimeout(total=3),
        allow_redirects=False,
        max_redirects=3,
        auth=BasicAuth("u", "p"),
        ssl=False,
        raise_for_status=True,
        trace_request_ctx={"id": "1"},
        middlewares=(),
    ) as resp:
        assert_type(resp, ClientResponse)
    assert_type(await session.post(URL("http://e/"), json={"a": [1, 2]}), ClientResponse)
    assert_type(await session.put("http://e/", data=b"raw"), ClientResponse)
    assert_type(await session.request("PATCH", "http://e/", data="text"), ClientResponse)
    assert_type(await session.delete("http://e/", json=None), ClientResponse)
    assert_type(await session.head("http://e/"), ClientResponse)
    assert_type(await session.options("http://e/", proxy="http://proxy:1"), ClientResponse)

    await session.get("http://e/", alow_redirects=True)  # type: ignore[call-arg]
    await session.get("http://e/", max_redirects="3")  # type: ignore[arg-type]
    await session.get("http://e/", timeout=5)  # type: ignore[arg-type]
    await session.post("http://e/", timeout=1.5)  # type: ignore[arg-type]
    await session.get("http://e/", auth=("u", "p"))  # type: ignore[arg-type]
    await session.post("http://e/", data=b"", chunked="yes")  # type: ignore[arg-type]
    await session.get(42)  # type: ignore[arg-type]


async def session_construction() -> None:
    ClientSession(timeout=5)  # type: ignore[arg-type]
    ClientSession(timeout=ClientTimeout(total=5), base_url="http://h/")
    ClientSession(raise_for_status=lambda resp: None)  # type: ignore[arg-type,return-value]

    async def check(resp: ClientResponse) -> None:
        resp.raise_for_status()

    async with ClientSession(raise_for_status=check) as session:
        assert_type(session.timeout, ClientTimeout)
        assert_type(session.closed, bool)
        assert_type(session.connector, AbstractConnector | None)
        assert_type(session.trace_configs, list[TraceConfig])
    assert_type(ClientTimeout().total, float | None)
    assert_type(ClientWSTimeout().ws_close, float | None)


async def module_request() -> None:
    async with request("GET", "http://e/", params={"a": "b"}) as resp:
        assert_type(resp, ClientResponse)
    request("GET", "http://e/", timeout=3)  # type: ignore[arg-type]


async def websocket(session: ClientSession) -> None:
    async with session.ws_connect("ws://e/", heartbeat=5.0) as ws:
        assert_type(ws, ClientWebSocketResponse)


# ---- the session satisfies the protocol code can be written against ----------------------


async def fetch(session: AbstractClientSession) -> bytes:
    async with session.get("http://e/", params={"a": "1"}) as resp:
        return await resp.read()


async def uses_the_protocol() -> None:
    async with ClientSession() as session:
        await fetch(session)


# ---- user components ------------------------------------------------------------------------


class ShapedConnector:
    """An AbstractConnector by shape only."""

    def __init__(self) -> None:
        self.inner = TCPConnector()

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: ClientTimeout
    ) -> Connection:
        return await self.inner.connect(req, traces, timeout)

    async def close(self) -> None:
        await self.inner.close()

    @property
    def closed(self) -> bool:
        return self.inner.closed

    @property
    def limit(self) -> int:
        return 1

    @property
    def limit_per_host(self) -> int:
        return 0

    @property
    def force_close(self) -> bool:
        return False

    @property
    def allowed_protocol_schema_set(self) -> frozenset[str]:
        return frozenset({"http"})


class NotAConnector:
    async def connect(self, req: ClientRequest) -> Connection:
        raise NotImplementedError


async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
    return await handler(request)


async def not_a_middleware(request: ClientRequest) -> ClientResponse:
    raise NotImplementedError


async def components() -> None:
    ClientSession(connector=ShapedConnector())
    ClientSession(connector=NotAConnector())  # type: ignore[arg-type]
    ClientSession(middlewares=(middleware, DigestAuthMiddleware("u", "p")))
    ClientSession(middlewares=(not_a_middleware,))  # type: ignore[arg-type]
    chain: ClientMiddlewareType = middleware
    handler: Callable[[ClientRequest], Awaitable[ClientResponse]] = middleware  # type: ignore[assignment]
    assert_type(chain, ClientMiddlewareType)
    del handler


def main() -> None:
    asyncio.run(uses_the_protocol())
