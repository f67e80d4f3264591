"""``web.WebSocketResponse`` driven by an independent client, the ``websockets`` library:
messages both ways, async iteration, the closing handshake from either side, compression,
concurrent sends, timeouts, ping/pong, heartbeat with a live peer, application shutdown,
and the API's errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from aiohttp import web
from aiohttp.client_exceptions import WSMessageTypeError
from aiohttp.http_websocket import WSCloseCode, WSMsgType
from tests._web_fixtures import serve_app

WSHandler = Callable[[web.Request, web.WebSocketResponse], Awaitable[None]]


@contextlib.asynccontextmanager
async def ws_server(
    body: WSHandler, app: web.Application | None = None, **options: object
) -> AsyncIterator[str]:
    """Serve ``body(request, ws)`` on ``/ws`` after ``ws.prepare``; yield the URL."""

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(**options)  # type: ignore[arg-type]  # options pass through
        await ws.prepare(request)
        await body(request, ws)
        return ws

    app = app if app is not None else web.Application()
    app.router.add_get("/ws", handler)
    async with serve_app(app) as port:
        yield f"ws://127.0.0.1:{port}/ws"


@contextlib.asynccontextmanager
async def client(url: str, **kwargs: object) -> AsyncIterator[ClientConnection]:
    async with connect(url, open_timeout=5, close_timeout=5, **kwargs) as conn:  # type: ignore[arg-type]  # kwargs pass through
        yield conn


# -- messages ------------------------------------------------------------------------------------


async def test_echo_text_binary_json() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.send_str("echo:" + await ws.receive_str())
        await ws.send_bytes(b"echo:" + await ws.receive_bytes())
        data = await ws.receive_json()
        await ws.send_json({"got": data})
        await ws.send_bytes(bytearray(b"ba"))
        await ws.send_bytes(memoryview(b"mv"))

    async with ws_server(body) as url, client(url) as c:
        await c.send("hi")
        assert await c.recv() == "echo:hi"
        await c.send(b"\x00\xff")
        assert await c.recv() == b"echo:\x00\xff"
        await c.send(json.dumps([1, "x"]))
        assert json.loads(await c.recv()) == {"got": [1, "x"]}
        assert await c.recv() == b"ba"
        assert await c.recv() == b"mv"


async def test_large_fragmented_message_from_client() -> None:
    got: list[int] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        got.append(len(await ws.receive_bytes()))

    async with ws_server(body) as url, client(url) as c:
        await c.send([b"a" * 70000, b"b" * 70000, b"c"])  # three fragments
        await c.wait_closed()
    assert got == [140001]


async def test_async_iteration_ends_on_client_close() -> None:
    seen: list[str] = []
    state: dict[str, object] = {}

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        async for msg in ws:
            assert msg.type == WSMsgType.TEXT
            seen.append(msg.data)
        state.update(closed=ws.closed, code=ws.close_code, exc=ws.exception())

    async with ws_server(body) as url:
        async with client(url) as c:
            for word in ("a", "b", "c"):
                await c.send(word)
        assert c.close_code == 1000
        await asyncio.sleep(0.05)
    assert seen == ["a", "b", "c"]
    assert state == {"closed": True, "code": 1000, "exc": None}


async def test_receive_str_on_binary_raises_type_error() -> None:
    errors: list[BaseException] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        try:
            await ws.receive_str()
        except WSMessageTypeError as exc:
            errors.append(exc)
        try:
            await ws.receive_bytes()
        except TypeError as exc:
            errors.append(exc)

    async with ws_server(body) as url, client(url) as c:
        await c.send(b"bin")
        await c.send("text")
        await c.wait_closed()
    assert len(errors) == 2
    assert "BINARY" in str(errors[0]) and "TEXT" in str(errors[1])


async def test_send_wrong_types_raise_type_error() -> None:
    errors: list[str] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        with pytest.raises(TypeError) as info:
            await ws.send_str(b"x")  # type: ignore[arg-type]  # the misuse under test
        errors.append(str(info.value))
        with pytest.raises(TypeError) as info:
            await ws.send_bytes("x")  # type: ignore[arg-type]  # the misuse under test
        errors.append(str(info.value))
        with pytest.raises(TypeError):
            await ws.send_json(object())
        with pytest.raises(ValueError, match="125"):
            await ws.ping(b"x" * 126)
        await ws.send_str("still open")

    async with ws_server(body) as url, client(url) as c:
        assert await c.recv() == "still open"
    assert "str" in errors[0] and "byte" in errors[1]


# -- closing handshake -------------------------------------------------------------------------


async def test_server_initiated_close() -> None:
    state: dict[str, object] = {}

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.send_str("bye soon")
        state["first"] = await ws.close(code=4001, message=b"done here")
        state["second"] = await ws.close()
        state["code"] = ws.close_code
        state["closed"] = ws.closed
        state["after"] = [(await ws.receive()).type for _ in range(3)]

    async with ws_server(body) as url, client(url) as c:
        assert await c.recv() == "bye soon"
        with pytest.raises(ConnectionClosed):
            await c.recv()
        assert (c.close_code, c.close_reason) == (4001, "done here")
    assert state == {
        "first": True,
        "second": False,
        "code": 4001,  # the client echoed our code
        "closed": True,
        "after": [WSMsgType.CLOSED] * 3,
    }


async def test_receive_after_close_eventually_raises() -> None:
    errors: list[BaseException] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.close()
        try:
            for _ in range(10):
                assert (await ws.receive()).type == WSMsgType.CLOSED
        except RuntimeError as exc:
            errors.append(exc)

    async with ws_server(body) as url, client(url) as c:
        await c.wait_closed()
    assert len(errors) == 1 and "closed" in str(errors[0])


async def test_client_initiated_close_with_code_and_reason() -> None:
    got: list[object] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        msg = await ws.receive()
        got.extend([msg.type, msg.data, msg.extra, ws.closed, ws.close_code])
        got.append((await ws.receive()).type)

    async with ws_server(body) as url:
        async with client(url) as c:
            await c.close(code=4002, reason="bye")
        assert c.close_code == 1000  # autoclose answers with 1000
    assert got == [WSMsgType.CLOSE, 4002, "bye", True, 4002, WSMsgType.CLOSED]


async def test_autoclose_false_leaves_answer_to_handler() -> None:
    got: list[object] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        msg = await ws.receive()
        got.extend([msg.type, ws.closed])
        got.append((await ws.receive()).type)
        await ws.send_str("parting words")  # allowed: only the peer finished
        got.append(await ws.close(code=4003))

    async with ws_server(body, autoclose=False) as url, client(url) as c:
        await c.close(code=1001)
        assert (c.close_code, c.close_reason) == (4003, "")
    assert got == [WSMsgType.CLOSE, False, WSMsgType.CLOSING, True]


async def test_handler_returning_open_socket_is_closed_by_server() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.send_str("only this")

    async with ws_server(body) as url, client(url) as c:
        assert await c.recv() == "only this"
        await c.wait_closed()
        assert c.close_code == 1000


async def test_close_reason_too_long_is_refused_before_sending() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        with pytest.raises(ValueError, match="123"):
            await ws.close(message=b"x" * 124)
        assert not ws.closed
        await ws.send_str("open")
        await ws.close(message="ünïcode")

    async with ws_server(body) as url, client(url) as c:
        assert await c.recv() == "open"
        await c.wait_closed()
        assert c.close_reason == "ünïcode"


async def test_close_from_other_task_while_receiving() -> None:
    events: list[object] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        async def closer() -> None:
            await asyncio.sleep(0.05)
            events.append(await ws.close(code=WSCloseCode.GOING_AWAY))

        task = asyncio.create_task(closer())
        msg = await ws.receive()
        events.append(msg.type)
        await task
        events.append(ws.close_code)

    async with ws_server(body) as url, client(url) as c:
        with pytest.raises(ConnectionClosed):
            await c.recv()
        assert c.close_code == 1001
    assert events == [WSMsgType.CLOSING, True, 1001]


async def test_close_times_out_when_peer_never_answers() -> None:
    """``timeout`` bounds the wait for the peer's close frame (raw client: never answers)."""
    from tests._web_fixtures import RawWS

    state: dict[str, object] = {}

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        state["result"] = await ws.close()
        state["elapsed"] = loop.time() - start
        state["code"] = ws.close_code
        state["exc"] = type(ws.exception())

    app = web.Application()
    async with ws_server(body, app, timeout=0.2) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        raw = await RawWS.connect(port)
        try:
            assert await raw.read_close() == 1000
            assert await raw.at_eof()
        finally:
            await raw.close()
    assert state["result"] is True
    assert 0.15 < float(state["elapsed"]) < 2  # type: ignore[arg-type]  # a float stored above
    assert state["code"] == WSCloseCode.ABNORMAL_CLOSURE
    assert issubclass(state["exc"], asyncio.TimeoutError)  # type: ignore[arg-type]  # a class


# -- compression ----------------------------------------------------------------------------------


@pytest.mark.parametrize("compression", ["deflate", None])
async def test_compression_both_ways(compression: str | None) -> None:
    state: dict[str, object] = {}
    big = "compress me " * 20000

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        state["compress"] = ws.compress
        text = await ws.receive_str()
        assert text == big
        await ws.send_str(text)
        await ws.send_str("small")
        await ws.send_bytes(b"\x00" * 100, compress=0)  # this one uncompressed

    async with ws_server(body) as url, client(url, compression=compression) as c:
        await c.send(big)
        assert await c.recv() == big
        assert await c.recv() == "small"
        assert await c.recv() == b"\x00" * 100
    assert state["compress"] == (15 if compression else 0)


# -- concurrency -------------------------------------------------------------------------------


async def test_concurrent_sends_from_many_tasks() -> None:
    """Messages sent by several tasks at once arrive whole, each task's in order; some are
    large enough to be compressed off the event loop."""

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        async def sender(n: int) -> None:
            for i in range(30):
                size = 70000 if i % 10 == 0 else 10
                await ws.send_str(f"{n}:{i}:" + "x" * size)

        await asyncio.gather(*(sender(n) for n in range(8)))
        await ws.close()

    async with ws_server(body) as url, client(url, max_size=2**20) as c:
        last = dict.fromkeys(range(8), -1)
        count = 0
        async for text in c:
            assert isinstance(text, str)
            n, i, pad = text.split(":")
            assert pad == "x" * (70000 if int(i) % 10 == 0 else 10)
            assert int(i) == last[int(n)] + 1
            last[int(n)] = int(i)
            count += 1
    assert count == 240


async def test_concurrent_receive_is_refused() -> None:
    errors: list[BaseException] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        first = asyncio.create_task(ws.receive())
        await asyncio.sleep(0.01)
        try:
            await ws.receive()
        except RuntimeError as exc:
            errors.append(exc)
        assert (await first).data == "go"

    async with ws_server(body) as url, client(url) as c:
        await asyncio.sleep(0.05)
        await c.send("go")
        await c.wait_closed()
    assert len(errors) == 1 and "Concurrent" in str(errors[0])


# -- timeouts, ping/pong, heartbeat ---------------------------------------------------------------


async def test_receive_timeout_raises_and_socket_stays_open() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive_str(timeout=0.05)  # per-call override
        await ws.send_str("timed out twice")
        assert await ws.receive_str(timeout=5) == "late"
        await ws.send_str("ok")

    async with ws_server(body, receive_timeout=0.05) as url, client(url) as c:
        assert await c.recv() == "timed out twice"
        await c.send("late")
        assert await c.recv() == "ok"


async def test_client_ping_is_answered() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.receive()

    async with ws_server(body) as url, client(url) as c:
        pong_waiter = await c.ping(b"are you there")
        latency = await asyncio.wait_for(pong_waiter, 5)
        assert latency >= 0


async def test_autoping_off_returns_ping_and_pong_messages() -> None:
    got: list[tuple[WSMsgType, bytes]] = []

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await ws.ping("server ping")
        msg = await ws.receive()
        assert msg.type == WSMsgType.PONG
        got.append((msg.type, msg.data))
        msg = await ws.receive()
        assert msg.type == WSMsgType.PING
        got.append((msg.type, msg.data))
        await ws.pong(msg.data)

    async with ws_server(body, autoping=False) as url, client(url) as c:
        await asyncio.sleep(0.05)
        pong_waiter = await c.ping(b"client ping")
        await asyncio.wait_for(pong_waiter, 5)
    assert got == [(WSMsgType.PONG, b"server ping"), (WSMsgType.PING, b"client ping")]


async def test_heartbeat_keeps_live_peer_open() -> None:
    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        await asyncio.sleep(0.4)  # several heartbeats, the client answers each ping
        assert not ws.closed
        await ws.send_str("still here")
        await ws.receive()

    async with ws_server(body, heartbeat=0.1) as url, client(url) as c:
        assert await c.recv() == "still here"


# -- application lifecycle ---------------------------------------------------------------------


async def test_app_shutdown_closes_open_websockets() -> None:
    """The documented pattern: ``on_shutdown`` closes every open socket with GOING_AWAY."""
    sockets: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets")
    ended: list[web.WebSocketResponse] = []

    async def on_shutdown(app: web.Application) -> None:
        open_sockets = app[sockets]
        for ws in set(open_sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        request.app[sockets].add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            request.app[sockets].discard(ws)
        ended.append(ws)
        return ws

    app = web.Application()
    app[sockets] = set()
    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    clients = []
    try:
        for _ in range(3):
            clients.append(await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=5).__aenter__())
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await runner.cleanup()
        assert loop.time() - start < 3
        for c in clients:
            await asyncio.wait_for(c.wait_closed(), 5)
            assert (c.close_code, c.close_reason) == (1001, "Server shutdown")
    finally:
        for c in clients:
            await c.close()
    assert [ws.close_code for ws in ended] == [1001, 1001, 1001]  # the clients' answer


# -- API details ---------------------------------------------------------------------------


async def test_prepare_is_idempotent_and_extra_info() -> None:
    state: dict[str, object] = {}

    async def body(request: web.Request, ws: web.WebSocketResponse) -> None:
        first = ws._payload_writer
        state["same"] = await ws.prepare(request) is first
        state["prepared"] = ws.prepared
        state["peer"] = ws.get_extra_info("peername")
        state["missing"] = ws.get_extra_info("no such thing", "dflt")
        with pytest.raises(RuntimeError, match="write"):
            await ws.write(b"raw")
        await ws.close()
        state["after_close"] = ws.get_extra_info("peername", "gone")

    async with ws_server(body) as url, client(url) as c:
        await c.wait_closed()
        local = c.local_address
    assert state["same"] is True and state["prepared"] is True
    assert state["peer"] == local
    assert state["missing"] == "dflt"
    assert state["after_close"] == "gone"


async def test_methods_before_prepare_raise_runtime_error() -> None:
    ws = web.WebSocketResponse()
    assert not ws.prepared and not ws.closed
    assert ws.close_code is None and ws.exception() is None and ws.ws_protocol is None
    assert ws.compress is True
    assert ws.get_extra_info("peername", 1) == 1
    for call in (
        lambda: ws.send_str("x"),
        lambda: ws.send_bytes(b"x"),
        lambda: ws.ping(),
        lambda: ws.pong(),
        lambda: ws.receive(),
        lambda: ws.close(),
        lambda: ws.write_eof(),
    ):
        with pytest.raises(RuntimeError):
            await call()


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError, match="max_msg_size"):
        web.WebSocketResponse(max_msg_size=-1)
    with pytest.raises(ValueError, match="heartbeat"):
        web.WebSocketResponse(heartbeat=0)
