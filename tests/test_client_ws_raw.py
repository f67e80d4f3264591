"""``ClientSession.ws_connect`` against scripted raw-socket servers: what the upgrade request
puts on the wire, every way a server's answer can fail the handshake
(:class:`WSServerHandshakeError` with the status), and protocol violations after it, checked
by the close frame our client sends back.  Frames are built and read here with a small
independent codec, never our own."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Optional

import pytest

from aiohttp.client import ClientSession, ClientTimeout, ServerTimeoutError, WSServerHandshakeError
from aiohttp.client_exceptions import ClientConnectionResetError
from aiohttp.client_ws import ClientWebSocketResponse, ClientWSTimeout
from aiohttp.http_websocket import WebSocketError, WSCloseCode, WSMessage, WSMsgType
from tests._raw_server import RawConnection, RawServer, raw_server, scripted

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEFAULT_LIMIT = 4 * 1024 * 1024
Script = Callable[[RawConnection], Awaitable[object]]


# -- an independent little frame codec -----------------------------------------------------


def frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: Optional[bytes] = None,
    length: Optional[int] = None,
) -> bytes:
    """One frame; ``length`` overrides the announced payload length."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    mask_bit = 0x80 if mask is not None else 0
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if mask is not None:
        payload = mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def close_frame(code: int, reason: bytes = b"") -> bytes:
    return frame(0x8, struct.pack("!H", code) + reason)


async def read_frame(conn: RawConnection) -> tuple[int, bytes, bool]:
    """``(opcode, unmasked payload, was_masked)`` of the next frame the client sent."""
    first, second = await conn.read_exactly(2)
    n = second & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await conn.read_exactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await conn.read_exactly(8))
    masked = bool(second & 0x80)
    key = await conn.read_exactly(4) if masked else b"\0\0\0\0"
    data = await conn.read_exactly(n)
    return first & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(data)), masked


async def read_close_code(conn: RawConnection) -> int:
    """The code of the client's next close frame (data frames before it are skipped)."""
    while True:
        opcode, payload, _ = await read_frame(conn)
        if opcode == 0x8:
            return int(struct.unpack("!H", payload[:2])[0]) if payload else 1005
        assert opcode in (0x1, 0x2, 0x9, 0xA), opcode


def accept_for(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def answer(key: bytes, *, status: bytes = b"101 Switching Protocols", extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept_for(key) + b"\r\n" + extra + b"\r\n"
    )


def ws_peer(
    script: Script, *, extra: bytes = b"", first: bytes = b""
) -> Callable[[RawConnection], Awaitable[None]]:
    """A server completing the handshake (with ``extra`` header lines and ``first`` bytes
    in the same write), then running ``script``."""

    async def handler(conn: RawConnection) -> None:
        request = await conn.read_request()
        key = request.header("sec-websocket-key")
        assert key is not None
        conn.write(answer(key, extra=extra) + first)
        await conn.drain()
        await script(conn)

    return handler


@asynccontextmanager
async def connected(
    script: Script, *, extra: bytes = b"", first: bytes = b"", **options: object
) -> AsyncIterator[tuple[ClientWebSocketResponse, RawServer]]:
    async with raw_server(ws_peer(script, extra=extra, first=first)) as server:
        async with ClientSession() as session:
            ws = await session.ws_connect(f"ws://127.0.0.1:{server.port}/chat", **options)  # type: ignore[arg-type]  # options pass through
            try:
                yield ws, server
            finally:
                await ws.close()
        assert server.errors == []


async def sent_close(reply: bytes, max_msg_size: int) -> tuple[int, WSMessage, int]:
    """Send ``reply`` after the handshake; return the close code our client answered with,
    the message ``receive()`` returned and ``ws.close_code``."""
    code: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def script(conn: RawConnection) -> None:
        conn.write(reply)
        await conn.drain()
        code.set_result(await read_close_code(conn))

    async with connected(script, max_msg_size=max_msg_size) as (ws, _):
        msg = await asyncio.wait_for(ws.receive(), 5)
        sent = await asyncio.wait_for(code, 5)
    return sent, msg, ws.close_code or 0


# -- the upgrade request on the wire ---------------------------------------------------------


async def test_upgrade_request_carries_the_websocket_headers() -> None:
    async def script(conn: RawConnection) -> None:
        await read_close_code(conn)

    async with connected(
        script, protocols=("chat", "superchat"), origin="http://example.org", compress=15
    ) as (ws, server):
        request = server.connections[0].requests[0]
        assert request.request_line == b"GET /chat HTTP/1.1"
        assert request.header("upgrade") == b"websocket"
        assert request.header("connection") == b"Upgrade"
        assert request.header("sec-websocket-version") == b"13"
        key = request.header("sec-websocket-key")
        assert key is not None and len(base64.b64decode(key, validate=True)) == 16
        assert request.header("sec-websocket-protocol") == b"chat,superchat"
        assert request.header("origin") == b"http://example.org"
        extensions = request.header("sec-websocket-extensions")
        assert extensions is not None and extensions.startswith(b"permessage-deflate")
        assert ws.protocol is None and ws.compress == 0


async def test_upgrade_request_keys_differ_per_connection() -> None:
    keys: list[Optional[bytes]] = []
    for _ in range(2):
        async with connected(read_close_code) as (_, server):
            keys.append(server.connections[0].requests[0].header("sec-websocket-key"))
    assert keys[0] != keys[1]


async def test_upgrade_request_method_and_query_are_used() -> None:
    async with connected(read_close_code, method="POST", params={"room": "1"}) as (_, server):
        assert server.connections[0].requests[0].request_line == b"POST /chat?room=1 HTTP/1.1"


async def test_client_frames_are_masked() -> None:
    frames: list[tuple[int, bytes, bool]] = []

    async def script(conn: RawConnection) -> None:
        frames.append(await read_frame(conn))
        frames.append(await read_frame(conn))

    async with connected(script) as (ws, _):
        await ws.send_str("héllo")
        await ws.close(code=4000, message=b"done")
    assert frames[0] == (0x1, "héllo".encode(), True)
    assert frames[1] == (0x8, struct.pack("!H", 4000) + b"done", True)


# -- a failed handshake --------------------------------------------------------------------


async def handshake_error(
    reply: Callable[[bytes], bytes], **options: object
) -> WSServerHandshakeError:
    async def handler(conn: RawConnection) -> None:
        request = await conn.read_request()
        key = request.header("sec-websocket-key")
        assert key is not None
        conn.write(reply(key))
        await conn.drain()
        await conn.read_until_eof()  # returns once the client closed the connection

    async with raw_server(handler) as server:
        async with ClientSession() as session:
            with pytest.raises(WSServerHandshakeError) as info:
                await session.ws_connect(f"ws://127.0.0.1:{server.port}/", **options)  # type: ignore[arg-type]  # options pass through
        assert server.errors == []
    return info.value


async def test_handshake_wrong_status_raises_with_status() -> None:
    exc = await handshake_error(
        lambda key: b"HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nX-Why: no\r\n\r\nnope"
    )
    assert exc.status == 403
    assert exc.message == "Invalid response status"
    assert exc.headers is not None and exc.headers["X-Why"] == "no"
    assert exc.request_info.url.path == "/"
    assert exc.history == ()


async def test_handshake_200_raises() -> None:
    exc = await handshake_error(lambda key: answer(key, status=b"200 OK"))
    assert exc.status == 200


async def test_handshake_missing_accept_raises() -> None:
    exc = await handshake_error(
        lambda key: (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        )
    )
    assert (exc.status, exc.message) == (101, "Invalid challenge response")


async def test_handshake_wrong_accept_raises() -> None:
    exc = await handshake_error(lambda key: answer(b"dGhlIHNhbXBsZSBub25jZQ=="))
    assert (exc.status, exc.message) == (101, "Invalid challenge response")


async def test_handshake_missing_upgrade_raises() -> None:
    exc = await handshake_error(
        lambda key: (
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept_for(key) + b"\r\n\r\n"
        )
    )
    assert (exc.status, exc.message) == (101, "Invalid upgrade header")


async def test_handshake_wrong_connection_header_raises() -> None:
    exc = await handshake_error(
        lambda key: (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: keep-alive\r\nSec-WebSocket-Accept: " + accept_for(key) + b"\r\n\r\n"
        )
    )
    assert (exc.status, exc.message) == (101, "Invalid connection header")


async def test_handshake_unoffered_protocol_raises() -> None:
    exc = await handshake_error(
        lambda key: answer(key, extra=b"Sec-WebSocket-Protocol: other\r\n"), protocols=("chat",)
    )
    assert exc.status == 101
    assert "subprotocol" in exc.message


async def test_handshake_unoffered_extension_raises() -> None:
    exc = await handshake_error(
        lambda key: answer(key, extra=b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
    )
    assert exc.status == 101
    assert "extension" in exc.message


async def test_handshake_bad_extension_parameters_raise() -> None:
    exc = await handshake_error(
        lambda key: answer(
            key,
            extra=b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99\r\n",
        ),
        compress=15,
    )
    assert exc.status == 101
    assert "client_max_window_bits" in exc.message


async def test_handshake_chosen_protocol_and_extension_are_reported() -> None:
    extra = (
        b"Sec-WebSocket-Protocol: v2\r\n"
        b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10; "
        b"client_no_context_takeover\r\n"
    )
    async with connected(read_close_code, extra=extra, protocols=("v1", "v2"), compress=15) as (
        ws,
        _,
    ):
        assert ws.protocol == "v2"
        assert ws.compress == 10
        assert ws.client_notakeover is True


async def test_bad_options_fail_before_sending() -> None:
    async with raw_server(scripted(b"")) as server, ClientSession() as session:
        url = f"ws://127.0.0.1:{server.port}/"
        with pytest.raises(ValueError, match="subprotocol"):
            await session.ws_connect(url, protocols=("a b",))
        with pytest.raises(ValueError, match="window bits"):
            await session.ws_connect(url, compress=3)
        with pytest.raises(ValueError, match="heartbeat"):
            await session.ws_connect(url, heartbeat=0)
        with pytest.raises(ValueError, match="max_msg_size"):
            await session.ws_connect(url, max_msg_size=-1)
        await asyncio.sleep(0.01)
        assert server.received == b""


# -- after the handshake ---------------------------------------------------------------------


async def test_frames_sent_with_the_101_are_kept() -> None:
    first = frame(0x1, b"early") + frame(0x2, b"bird")

    async with connected(read_close_code, first=first) as (ws, _):
        assert await ws.receive_str() == "early"
        assert await ws.receive_bytes() == b"bird"


async def test_fragmented_message_and_interleaved_ping() -> None:
    pong: asyncio.Future[tuple[int, bytes, bool]] = asyncio.get_running_loop().create_future()

    async def script(conn: RawConnection) -> None:
        conn.write(frame(0x1, b"ab", fin=False) + frame(0x9, b"hb") + frame(0x0, b"cd"))
        pong.set_result(await read_frame(conn))
        await read_close_code(conn)

    async with connected(script) as (ws, _):
        assert await ws.receive_str(timeout=5) == "abcd"
        assert await asyncio.wait_for(pong, 5) == (0xA, b"hb", True)


@pytest.mark.parametrize(
    ("reply", "code", "max_msg_size"),
    [
        (frame(0x1, b"hi", mask=b"abcd"), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x1, b"hi", rsv=4), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x1, b"hi", rsv=2), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x1, b"hi", rsv=1), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x3, b""), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x9, b"x" * 126), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x0, b"orphan"), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (close_frame(1005), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (close_frame(1006), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (close_frame(1015), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (close_frame(999), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (close_frame(5000), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x8, b"\x03"), WSCloseCode.PROTOCOL_ERROR, DEFAULT_LIMIT),
        (frame(0x1, b"\xff\xfe"), WSCloseCode.INVALID_TEXT, DEFAULT_LIMIT),
        (frame(0x2, length=2048), WSCloseCode.MESSAGE_TOO_BIG, 1024),
        (frame(0x2, length=5 * 1024 * 1024), WSCloseCode.MESSAGE_TOO_BIG, DEFAULT_LIMIT),
    ],
    ids=[
        "masked",
        "rsv1-unnegotiated",
        "rsv2",
        "rsv3",
        "unknown-opcode",
        "long-ping",
        "orphan-continuation",
        "close-1005",
        "close-1006",
        "close-1015",
        "close-999",
        "close-5000",
        "close-one-byte",
        "bad-utf8",
        "declared-over-limit",
        "declared-over-default-limit",
    ],
)
async def test_protocol_violation_is_answered_with_its_close_code(
    reply: bytes, code: int, max_msg_size: int
) -> None:
    sent, msg, close_code = await sent_close(reply, max_msg_size)
    assert sent == code
    assert close_code == code
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, WebSocketError) and msg.data.code == code


async def test_server_close_frame_is_answered_and_returned() -> None:
    answered: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def script(conn: RawConnection) -> None:
        conn.write(close_frame(1001, b"bye"))
        answered.set_result(await read_close_code(conn))

    async with connected(script) as (ws, _):
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.CLOSE
        assert (msg.data, msg.extra) == (1001, "bye")
        assert ws.closed and ws.close_code == 1001
        assert (await ws.receive()).type is WSMsgType.CLOSED
        assert await ws.close() is False
        assert await asyncio.wait_for(answered, 5) == 1000


async def test_connection_lost_without_close_frame_is_1006() -> None:
    async def script(conn: RawConnection) -> None:
        conn.close()

    async with connected(script) as (ws, _):
        msg = await ws.receive(timeout=5)
        assert msg.type is WSMsgType.CLOSED
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
        with pytest.raises(ClientConnectionResetError):
            await ws.send_str("late")


async def test_close_gives_up_after_ws_close_timeout() -> None:
    async def script(conn: RawConnection) -> None:
        await read_close_code(conn)
        await asyncio.sleep(10)  # never answers

    loop = asyncio.get_running_loop()
    async with connected(script, timeout=ClientWSTimeout(ws_close=0.1)) as (ws, _):
        start = loop.time()
        assert await ws.close() is True
        assert loop.time() - start < 2
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_heartbeat_without_pong_closes_with_server_timeout() -> None:
    pings: list[int] = []

    async def script(conn: RawConnection) -> None:
        while True:
            opcode, _, _ = await read_frame(conn)
            pings.append(opcode)

    async with connected(script, heartbeat=0.1) as (ws, _):
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is WSMsgType.ERROR
        assert isinstance(msg.data, ServerTimeoutError)
        assert isinstance(ws.exception(), ServerTimeoutError)
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert pings and pings[0] == 0x9


async def test_receive_timeout_leaves_the_websocket_open() -> None:
    async def script(conn: RawConnection) -> None:
        opcode, payload, _ = await read_frame(conn)
        conn.write(frame(opcode, payload))
        await read_close_code(conn)

    async with connected(script, timeout=ClientWSTimeout(ws_receive=0.05)) as (ws, _):
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        assert not ws.closed
        await ws.send_str("still here")
        assert await ws.receive_str(timeout=5) == "still here"


async def test_sock_read_timeout_does_not_cut_a_quiet_websocket() -> None:
    async def script(conn: RawConnection) -> None:
        await asyncio.sleep(0.3)
        conn.write(frame(0x1, b"late"))
        await read_close_code(conn)

    async with (
        raw_server(ws_peer(script)) as server,
        ClientSession(timeout=ClientTimeout(sock_read=0.1)) as session,
        session.ws_connect(f"ws://127.0.0.1:{server.port}/") as ws,
    ):
        assert await ws.receive_str(timeout=5) == "late"
