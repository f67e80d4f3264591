"""``ClientSession.ws_connect`` against an independent server, the ``websockets`` library:
messages both ways, async iteration, subprotocols, permessage-deflate, the closing handshake
from either side, ping/pong, heartbeat, receive timeouts, transport info and tracing; and one
end-to-end run of our client against our own ``web.WebSocketResponse``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from aiohttp import web
from aiohttp.client import ClientSession, ClientWSTimeout
from aiohttp.client_exceptions import WSMessageTypeError
from aiohttp.client_ws import ClientWebSocketResponse
from aiohttp.http_websocket import WSCloseCode, WSMsgType
from aiohttp.tracing import (
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceRequestEndParams,
    TraceRequestHeadersSentParams,
    TraceRequestStartParams,
)
from tests._web_fixtures import serve_app

ServerHandler = Callable[[ServerConnection], Awaitable[None]]


async def echo(conn: ServerConnection) -> None:
    try:
        async for message in conn:
            await conn.send(message)
    except ConnectionClosed:
        pass


@asynccontextmanager
async def ws_server(handler: ServerHandler = echo, **options: object) -> AsyncIterator[str]:
    """A ``websockets`` server on a loopback port; yields its URL."""
    async with serve(handler, "127.0.0.1", 0, ping_interval=None, **options) as server:  # type: ignore[arg-type]  # options pass through
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/path"


@asynccontextmanager
async def connect(
    handler: ServerHandler = echo,
    server_options: dict[str, object] | None = None,
    **options: object,
) -> AsyncIterator[ClientWebSocketResponse]:
    async with (
        ws_server(handler, **(server_options or {})) as url,
        ClientSession() as session,
        session.ws_connect(url, **options) as ws,  # type: ignore[arg-type]  # options pass through
    ):
        yield ws


# -- messages --------------------------------------------------------------------------------


async def test_echo_text_binary_json() -> None:
    async with connect() as ws:
        await ws.send_str("héllo")
        assert await ws.receive_str(timeout=5) == "héllo"
        await ws.send_bytes(b"\x00\xff" * 1000)
        assert await ws.receive_bytes(timeout=5) == b"\x00\xff" * 1000
        await ws.send_bytes(bytearray(b"ba"))
        assert await ws.receive_bytes(timeout=5) == b"ba"
        await ws.send_json({"a": [1, 2]})
        assert await ws.receive_json(timeout=5) == {"a": [1, 2]}
        await ws.send_json({"x": 1}, dumps=lambda o: json.dumps(o, separators=(",", ":")))
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.TEXT and msg.data == '{"x":1}'
        assert msg.json() == {"x": 1}
        await ws.send_frame(b"raw", WSMsgType.BINARY)
        assert await ws.receive_bytes(timeout=5) == b"raw"


async def test_large_message_round_trip() -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    async with connect(server_options={"max_size": None}) as ws:
        await ws.send_bytes(payload)
        assert await ws.receive_bytes(timeout=5) == payload


async def test_wrong_message_type_raises_type_error() -> None:
    async with connect() as ws:
        await ws.send_bytes(b"bin")
        with pytest.raises(WSMessageTypeError, match="BINARY"):
            await ws.receive_str(timeout=5)
        await ws.send_str("txt")
        with pytest.raises(TypeError):
            await ws.receive_bytes(timeout=5)
        with pytest.raises(TypeError):
            await ws.send_str(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await ws.send_bytes("text")  # type: ignore[arg-type]


async def test_async_iteration_ends_when_server_closes() -> None:
    async def handler(conn: ServerConnection) -> None:
        for i in range(3):
            await conn.send(f"m{i}")
        await conn.close(1001, "going")

    async with connect(handler) as ws:
        received = [msg.data async for msg in ws]
        assert received == ["m0", "m1", "m2"]
        assert ws.closed
        assert ws.close_code == 1001


# -- negotiation -----------------------------------------------------------------------------


async def test_subprotocol_chosen_by_server() -> None:
    async with connect(server_options={"subprotocols": ["v2", "v3"]}, protocols=("v1", "v2")) as ws:
        assert ws.protocol == "v2"


async def test_no_subprotocol_offered_gives_none() -> None:
    async with connect() as ws:
        assert ws.protocol is None


async def test_compression_negotiated_and_used() -> None:
    seen: list[str] = []

    async def handler(conn: ServerConnection) -> None:
        seen.append(
            conn.request.headers.get("Sec-WebSocket-Extensions", "") if conn.request else ""
        )
        await echo(conn)

    text = "compress me " * 5000
    async with connect(handler, compress=15) as ws:
        assert 9 <= ws.compress <= 15
        await ws.send_str(text)
        assert await ws.receive_str(timeout=5) == text
        await ws.send_str("plain", compress=0)
        assert await ws.receive_str(timeout=5) == "plain"
    assert seen[0].startswith("permessage-deflate")


async def test_compression_declined_by_server() -> None:
    async with connect(server_options={"compression": None}, compress=15) as ws:
        assert ws.compress == 0
        await ws.send_str("x" * 1000)
        assert await ws.receive_str(timeout=5) == "x" * 1000


async def test_compressed_bomb_from_server_is_refused() -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.send(b"\0" * (2 * 1024 * 1024))
        await conn.wait_closed()

    async with connect(handler, compress=15, max_msg_size=1024 * 1024) as ws:
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.ERROR
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG


# -- closing ---------------------------------------------------------------------------------


async def test_client_close_reaches_server_with_code_and_reason() -> None:
    closed: asyncio.Future[tuple[int | None, str | None]] = (
        asyncio.get_running_loop().create_future()
    )

    async def handler(conn: ServerConnection) -> None:
        await echo(conn)
        closed.set_result((conn.close_code, conn.close_reason))

    async with connect(handler) as ws:
        assert await ws.close(code=4001, message=b"done") is True
        assert ws.closed and ws.close_code == 4001
        assert await ws.close() is False
        assert (await ws.receive()).type is WSMsgType.CLOSED
    assert await asyncio.wait_for(closed, 5) == (4001, "done")


async def test_server_close_is_answered() -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.close(4002, "server says bye")

    async with connect(handler) as ws:
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.CLOSE
        assert msg.data == 4002 and msg.extra == "server says bye"
        assert ws.closed and ws.close_code == 4002
        assert ws.get_extra_info("peername") is None


async def test_close_from_another_task_wakes_receiver() -> None:
    async with connect() as ws:
        receiver = asyncio.create_task(ws.receive())
        await asyncio.sleep(0.01)
        assert await ws.close() is True
        msg = await asyncio.wait_for(receiver, 5)
        assert msg.type is WSMsgType.CLOSING
        assert ws.close_code == WSCloseCode.OK


async def test_session_close_ends_the_websocket() -> None:
    async with ws_server() as url:
        session = ClientSession()
        ws = await session.ws_connect(url)
        await session.close()
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.CLOSED
        assert ws.closed


# -- ping, heartbeat, timeouts ---------------------------------------------------------------


async def test_ping_pong_without_autoping() -> None:
    async with connect(autoping=False) as ws:
        await ws.ping(b"are you there")
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.PONG and msg.data == b"are you there"
        await ws.pong(b"unsolicited")  # the server ignores it
        await ws.send_str("after")
        assert await ws.receive_str(timeout=5) == "after"


async def test_heartbeat_keeps_a_live_connection() -> None:
    async with connect(heartbeat=0.05) as ws:
        await asyncio.sleep(0.3)  # pings go out and are answered meanwhile
        assert not ws.closed and ws.exception() is None
        await ws.send_str("alive")
        assert await ws.receive_str(timeout=5) == "alive"


async def test_receive_timeout_from_client_ws_timeout() -> None:
    async with connect(timeout=ClientWSTimeout(ws_receive=0.05)) as ws:
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        await ws.send_str("ok")
        assert await ws.receive_str() == "ok"


async def test_deprecated_timeout_arguments_warn() -> None:
    async with ws_server() as url, ClientSession() as session:
        with pytest.warns(DeprecationWarning, match="receive_timeout"):
            ws = await session.ws_connect(url, receive_timeout=0.05)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        await ws.close()
        with pytest.warns(DeprecationWarning, match="timeout"):
            ws = await session.ws_connect(url, timeout=2.0)  # type: ignore[arg-type]  # 3.13 still takes a float
        await ws.close()


async def test_concurrent_receive_is_refused() -> None:
    async with connect() as ws:
        first = asyncio.create_task(ws.receive())
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError, match="Concurrent"):
            await ws.receive()
        await ws.send_str("x")
        assert (await asyncio.wait_for(first, 5)).data == "x"


# -- transport info and tracing -------------------------------------------------------------


async def test_extra_info_and_repr() -> None:
    async with connect() as ws:
        peer = ws.get_extra_info("peername")
        assert isinstance(peer, tuple) and peer[0] == "127.0.0.1"
        assert ws.get_extra_info("nonexistent", "dflt") == "dflt"
        assert "open" in repr(ws)


async def test_tracing_signals_fire_for_the_upgrade_request() -> None:
    events: list[str] = []
    config = TraceConfig()

    async def on_start(
        session: ClientSession, ctx: SimpleNamespace, params: TraceRequestStartParams
    ) -> None:
        events.append(f"start {params.method} {params.url.scheme}")

    async def on_conn(
        session: ClientSession, ctx: SimpleNamespace, params: TraceConnectionCreateEndParams
    ) -> None:
        events.append("connection")

    async def on_headers(
        session: ClientSession, ctx: SimpleNamespace, params: TraceRequestHeadersSentParams
    ) -> None:
        events.append(f"headers {params.headers.get('Upgrade')}")

    async def on_end(
        session: ClientSession, ctx: SimpleNamespace, params: TraceRequestEndParams
    ) -> None:
        events.append(f"end {params.response.status}")

    config.on_request_start.append(on_start)
    config.on_connection_create_end.append(on_conn)
    config.on_request_headers_sent.append(on_headers)
    config.on_request_end.append(on_end)
    async with (
        ws_server() as url,
        ClientSession(trace_configs=[config]) as session,
        session.ws_connect(url) as ws,
    ):
        await ws.send_str("t")
        assert await ws.receive_str(timeout=5) == "t"
    assert events == ["start GET ws", "connection", "headers websocket", "end 101"]


# -- our client against our server -----------------------------------------------------------


async def test_end_to_end_with_our_server() -> None:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("chat",), heartbeat=5)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                if msg.data == "close":
                    await ws.close(code=4003, message=b"asked")
                else:
                    await ws.send_str(msg.data.upper())
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data[::-1])
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    async with serve_app(app) as port, ClientSession() as session:
        url = f"http://127.0.0.1:{port}/ws"
        async with session.ws_connect(url, protocols=("chat",), compress=15) as ws:
            assert ws.protocol == "chat"
            assert ws.compress == 15
            await ws.send_str("hello")
            assert await ws.receive_str(timeout=5) == "HELLO"
            await ws.send_bytes(b"abc" * 50000)
            assert await ws.receive_bytes(timeout=5) == b"cba" * 50000
            await ws.send_str("close")
            msg = await ws.receive(timeout=5)
            assert msg.type is WSMsgType.CLOSE and msg.data == 4003
            assert ws.close_code == 4003
