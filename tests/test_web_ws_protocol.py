"""``web.WebSocketResponse`` against hand-built frames over a raw socket: every protocol
error is answered with the right close code (1002, 1007, 1009) and the connection closed,
too-large messages are refused from their header alone, pings are answered, the heartbeat
closes a silent client, and a vanished client ends the receive loop."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Optional

import pytest

from aiohttp import web
from aiohttp.client_exceptions import ServerTimeoutError
from aiohttp.http_websocket import WebSocketError, WSCloseCode, WSMessage, WSMsgType
from tests._web_fixtures import RawWS, serve_app, ws_frame, ws_upgrade

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


@dataclass
class Seen:
    """What the server-side handler observed."""

    messages: list[WSMessage] = field(default_factory=list)
    close_code: Optional[int] = None
    exception: Optional[BaseException] = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.asynccontextmanager
async def recording_server(**options: object) -> AsyncIterator[tuple[int, Seen]]:
    """A WebSocket endpoint that records every message until the loop ends."""
    seen = Seen()

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(**options)  # type: ignore[arg-type]  # options pass through
        await ws.prepare(request)
        try:
            while True:
                msg = await ws.receive()
                seen.messages.append(msg)
                if msg.type in (WSMsgType.CLOSED, WSMsgType.CLOSING):
                    break
                if msg.type == WSMsgType.TEXT and msg.data == "echo please":
                    await ws.send_str("echo")
        finally:
            seen.close_code = ws.close_code
            seen.exception = ws.exception()
            seen.done.set()
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    async with serve_app(app) as port:
        yield port, seen


async def expect_failure(data: bytes, code: int, **options: object) -> Seen:
    """Send ``data`` after the handshake; the server must answer close ``code`` and hang up."""
    async with recording_server(**options) as (port, seen):
        ws = await RawWS.connect(port)
        try:
            await ws.send(data)
            assert await ws.read_close() == code
            assert await ws.at_eof()
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    errors = [m for m in seen.messages if m.type == WSMsgType.ERROR]
    assert len(errors) == 1
    error = errors[0].data
    assert isinstance(error, WebSocketError) and error.code == code
    assert seen.close_code == code
    assert seen.exception is error
    return seen


# -- protocol errors ---------------------------------------------------------------------------


async def test_unmasked_client_frame_is_1002() -> None:
    await expect_failure(ws_frame(TEXT, b"hello", mask=None), WSCloseCode.PROTOCOL_ERROR)


@pytest.mark.parametrize("rsv", [0x20, 0x10, 0x30], ids=["rsv2", "rsv3", "rsv2+3"])
async def test_reserved_bits_are_1002(rsv: int) -> None:
    await expect_failure(ws_frame(TEXT, b"x", rsv=rsv), WSCloseCode.PROTOCOL_ERROR)


async def test_rsv1_without_negotiated_deflate_is_1002() -> None:
    data = zlib.compressobj(wbits=-15).compress(b"x")
    await expect_failure(ws_frame(TEXT, data, rsv=0x40), WSCloseCode.PROTOCOL_ERROR)


@pytest.mark.parametrize(
    "code", [1005, 1006, 1015, 999, 1004, 1016, 2999, 5000, 65535], ids=lambda c: f"code{c}"
)
async def test_forbidden_close_code_received_is_1002(code: int) -> None:
    frame = ws_frame(CLOSE, code.to_bytes(2, "big") + b"bye")
    await expect_failure(frame, WSCloseCode.PROTOCOL_ERROR)


async def test_close_payload_of_one_byte_is_1002() -> None:
    await expect_failure(ws_frame(CLOSE, b"\x03"), WSCloseCode.PROTOCOL_ERROR)


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        (ws_frame(0x3, b"x"), 1002),  # reserved data opcode
        (ws_frame(0xB, b"x"), 1002),  # reserved control opcode
        (ws_frame(PING, b"x", fin=False), 1002),  # fragmented control frame
        (ws_frame(PING, b"x" * 126), 1002),  # control frame over 125 bytes
        (ws_frame(CONT, b"x"), 1002),  # continuation with nothing to continue
        (ws_frame(TEXT, b"a", fin=False) + ws_frame(TEXT, b"b"), 1002),  # new message mid-way
        (ws_frame(TEXT, b"\xff\xfe"), 1007),  # invalid UTF-8
        (ws_frame(TEXT, "é".encode()[:1], fin=False) + ws_frame(CONT, b"x"), 1007),
        (ws_frame(CLOSE, b"\x03\xe8\xff"), 1007),  # close reason not UTF-8
    ],
    ids=[
        "opcode3",
        "opcodeB",
        "fragmented-ping",
        "long-ping",
        "stray-continuation",
        "interleaved",
        "bad-utf8",
        "bad-utf8-fragmented",
        "bad-utf8-close-reason",
    ],
)
async def test_malformed_frames_close_with_their_code(frames: bytes, code: int) -> None:
    await expect_failure(frames, code)


async def test_declared_length_over_limit_is_1009_before_payload() -> None:
    """Only the header is sent: the refusal must not wait for 2 MiB of payload."""
    header = ws_frame(BINARY, b"", length=2 * 1024 * 1024)
    await expect_failure(header, WSCloseCode.MESSAGE_TOO_BIG, max_msg_size=1024 * 1024)


async def test_fragments_summing_over_limit_are_1009() -> None:
    frames = ws_frame(BINARY, b"a" * 600, fin=False) + ws_frame(CONT, b"b" * 600)
    await expect_failure(frames, WSCloseCode.MESSAGE_TOO_BIG, max_msg_size=1000)


async def test_deflate_bomb_is_1009() -> None:
    bomb = zlib.compressobj(wbits=-15)
    payload = bomb.compress(b"\x00" * (4 * 1024 * 1024)) + bomb.flush(zlib.Z_SYNC_FLUSH)
    payload = payload.removesuffix(b"\x00\x00\xff\xff")
    assert len(payload) < 10000
    async with recording_server(max_msg_size=64 * 1024) as (port, seen):
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Extensions: permessage-deflate\r\n")
        try:
            await ws.send(ws_frame(BINARY, payload, rsv=0x40))
            assert await ws.read_close() == WSCloseCode.MESSAGE_TOO_BIG
            assert await ws.at_eof()
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    assert seen.close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_compressed_client_message_is_inflated_and_answered_compressed() -> None:
    deflate = zlib.compressobj(wbits=-15)
    payload = deflate.compress(b"echo please") + deflate.flush(zlib.Z_SYNC_FLUSH)
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Extensions: permessage-deflate\r\n")
        try:
            assert b"permessage-deflate" in ws.head
            await ws.send(ws_frame(TEXT, payload.removesuffix(b"\x00\x00\xff\xff"), rsv=0x40))
            first, opcode, answer = await ws.read_frame()
            assert first & 0x40 and opcode == TEXT
            inflate = zlib.decompressobj(wbits=-15)
            assert inflate.decompress(answer + b"\x00\x00\xff\xff") == b"echo"
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    assert seen.messages[0].data == "echo please"


async def test_messages_before_error_are_delivered() -> None:
    seen = await expect_failure(
        ws_frame(TEXT, b"first") + ws_frame(TEXT, b"x", mask=None), WSCloseCode.PROTOCOL_ERROR
    )
    assert seen.messages[0].type == WSMsgType.TEXT and seen.messages[0].data == "first"


# -- normal traffic over raw frames ------------------------------------------------------------


async def test_frames_in_the_handshake_packet_are_kept() -> None:
    """Frames sent right behind the upgrade request (same TCP write) are not lost."""
    async with recording_server() as (port, seen):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(ws_upgrade() + ws_frame(TEXT, b"early") + ws_frame(CLOSE, b"\x03\xe8"))
            raw = RawWS(reader, writer)
            raw.head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert raw.head.startswith(b"HTTP/1.1 101 ")
            assert await raw.read_close() == 1000
        finally:
            writer.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    kinds = [(m.type, m.data) for m in seen.messages]
    assert kinds[:2] == [(WSMsgType.TEXT, "early"), (WSMsgType.CLOSE, 1000)]


async def test_byte_by_byte_delivery() -> None:
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port)
        try:
            for byte in ws_frame(TEXT, "échø please".encode()) + ws_frame(TEXT, b"echo please"):
                await ws.send(bytes([byte]))
            _, opcode, payload = await ws.read_frame()
            assert (opcode, payload) == (TEXT, b"echo")
        finally:
            await ws.close()
    assert seen.messages[0].data == "échø please"


async def test_ping_is_answered_with_same_payload() -> None:
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port)
        try:
            await ws.send(ws_frame(PING, b"payload-123") + ws_frame(PONG, b"unsolicited"))
            first, opcode, payload = await ws.read_frame()
            assert (first, opcode, payload) == (0x80 | PONG, PONG, b"payload-123")
            await ws.send(ws_frame(TEXT, b"echo please"))
            assert (await ws.read_frame())[1:] == (TEXT, b"echo")
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    # pings and pongs were handled inside receive(), not returned
    assert [m.type for m in seen.messages][:1] == [WSMsgType.TEXT]


async def test_valid_close_code_is_reported_and_answered() -> None:
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port)
        try:
            await ws.send(ws_frame(CLOSE, (4999).to_bytes(2, "big") + "fin ✓".encode()))
            assert await ws.read_close() == 1000
            assert await ws.at_eof()
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    close = seen.messages[0]
    assert (close.type, close.data, close.extra) == (WSMsgType.CLOSE, 4999, "fin ✓")
    assert seen.close_code == 4999 and seen.exception is None


async def test_empty_close_frame_is_answered() -> None:
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port)
        try:
            await ws.send(ws_frame(CLOSE))
            assert await ws.read_close() == 1000
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    assert (seen.messages[0].type, seen.messages[0].data) == (WSMsgType.CLOSE, 0)


async def test_client_vanishing_ends_receive_with_1006() -> None:
    async with recording_server() as (port, seen):
        ws = await RawWS.connect(port)
        await ws.send(ws_frame(TEXT, b"last words"))
        await ws.close()  # TCP close, no close frame
        await asyncio.wait_for(seen.done.wait(), 5)
    assert [m.type for m in seen.messages] == [WSMsgType.TEXT, WSMsgType.CLOSED]
    assert seen.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert seen.exception is None


# -- heartbeat -----------------------------------------------------------------------------


async def test_heartbeat_closes_silent_client() -> None:
    async with recording_server(heartbeat=0.1) as (port, seen):
        ws = await RawWS.connect(port)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            _, opcode, _ = await ws.read_frame()
            assert opcode == PING
            assert 0.05 < loop.time() - start < 1
            # never answer: the server gives up after heartbeat / 2 more
            assert await ws.at_eof(timeout=2)
            assert loop.time() - start < 1.5
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    error = seen.messages[0]
    assert error.type == WSMsgType.ERROR
    assert isinstance(error.data, ServerTimeoutError)
    assert isinstance(error.data, asyncio.TimeoutError)
    assert seen.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert seen.exception is error.data


async def test_heartbeat_spares_client_answering_pings() -> None:
    async with recording_server(heartbeat=0.1) as (port, seen):
        ws = await RawWS.connect(port)
        try:
            for _ in range(4):
                _, opcode, payload = await ws.read_frame(timeout=1)
                assert opcode == PING
                await ws.send(ws_frame(PONG, payload))
            await ws.send(ws_frame(TEXT, b"echo please"))
            assert (await ws.read_frame())[1:] == (TEXT, b"echo")
        finally:
            await ws.close()
        await asyncio.wait_for(seen.done.wait(), 5)
    assert seen.messages[0].type == WSMsgType.TEXT


async def test_heartbeat_traffic_counts_as_alive() -> None:
    """A client that keeps sending data is never pinged."""
    async with recording_server(heartbeat=0.15) as (port, _):
        ws = await RawWS.connect(port)
        try:
            for _ in range(8):
                await ws.send(ws_frame(TEXT, b"tick"))
                await asyncio.sleep(0.05)
            await ws.send(ws_frame(TEXT, b"echo please"))
            assert (await ws.read_frame())[1:] == (TEXT, b"echo")
        finally:
            await ws.close()
