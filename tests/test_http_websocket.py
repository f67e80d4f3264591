"""The asyncio WebSocket adapters of :mod:`aiohttp.http_websocket`: the reader feeding a
``DataQueue`` and the writer over a real loopback connection (a ``BaseProtocol`` transport on
one end, a raw socket reading the bytes on the other), plus the run-time behaviour of the
``WSMessage`` union."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import random
import socket
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import cast

import pytest
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame
from websockets.streams import StreamReader as WsStreamReader
from websockets.utils import apply_mask as ws_apply_mask

from aiohttp import http_websocket
from aiohttp._websocket.models import WSMessageBinary, WSMessageClose, WSMessageText
from aiohttp.base_protocol import BaseProtocol
from aiohttp.client_exceptions import ClientConnectionResetError
from aiohttp.http_websocket import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
)
from aiohttp.streams import DataQueue, EofStream

# -- loopback --------------------------------------------------------------------------------


@dataclass
class Loopback:
    protocol: BaseProtocol
    transport: asyncio.Transport
    peer: socket.socket

    async def recv_exact(self, n: int) -> bytes:
        loop = asyncio.get_running_loop()
        data = b""
        while len(data) < n:
            chunk = await asyncio.wait_for(loop.sock_recv(self.peer, n - len(data)), 5)
            assert chunk, "connection closed early"
            data += chunk
        return data

    async def recv_frames(
        self, count: int, *, mask: bool, peer: PerMessageDeflate | None = None
    ) -> list[Frame]:
        """Read ``count`` frames with the websockets parser as the independent peer."""
        reader = WsStreamReader()
        frames: list[Frame] = []
        loop = asyncio.get_running_loop()
        while len(frames) < count:
            parse = Frame.parse(
                reader.read_exact, mask=mask, extensions=[peer] if peer is not None else None
            )
            while True:
                try:
                    next(parse)
                except StopIteration as stop:
                    frames.append(stop.value)
                    break
                chunk = await asyncio.wait_for(loop.sock_recv(self.peer, 65536), 5)
                assert chunk, "connection closed early"
                reader.feed_data(chunk)
        return frames


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    loop = asyncio.get_running_loop()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    host, port = listener.getsockname()[:2]
    (transport, protocol), (peer, _) = await asyncio.gather(
        loop.create_connection(lambda: BaseProtocol(loop), host, port),
        loop.sock_accept(listener),
    )
    peer.setblocking(False)
    try:
        yield Loopback(protocol, transport, peer)
    finally:
        transport.close()
        peer.close()
        listener.close()
        await asyncio.sleep(0)


# -- the writer ------------------------------------------------------------------------------


async def test_writer_server_text_frame_exact_bytes(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    await writer.send_frame(b"hello", WSMsgType.TEXT)
    await writer.send_frame(b"", WSMsgType.PING)
    assert await loopback.recv_exact(9) == b"\x81\x05hello\x89\x00"


async def test_writer_client_masks_with_its_random(loopback: Loopback) -> None:
    writer = WebSocketWriter(
        loopback.protocol, loopback.transport, use_mask=True, random=random.Random(7)
    )
    await writer.send_frame(b"hello", WSMsgType.BINARY)
    key = random.Random(7).getrandbits(32).to_bytes(4, "big")
    expected = b"\x82\x85" + key + ws_apply_mask(b"hello", key)
    assert await loopback.recv_exact(len(expected)) == expected


@pytest.mark.parametrize("size", [5, 200_000])
async def test_writer_client_default_keys_from_the_os_random_source(
    loopback: Loopback, size: int
) -> None:
    """Small frames go out in one write, large ones as header then payload: both arrive
    whole, masked with keys that differ from frame to frame."""
    writer = WebSocketWriter(loopback.protocol, loopback.transport, use_mask=True)
    payloads = [os.urandom(size) for _ in range(3)]
    for payload in payloads:
        await writer.send_frame(payload, WSMsgType.BINARY)
    frames = await loopback.recv_frames(3, mask=True)
    assert [f.data for f in frames] == payloads


async def test_writer_large_frame_counts_toward_the_drain_limit(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, limit=100_000)
    loopback.protocol.pause_writing()
    task = asyncio.create_task(writer.send_frame(b"y" * 150_000, WSMsgType.BINARY))
    await asyncio.sleep(0.01)
    assert not task.done()  # over the limit: waits for the transport to drain
    loopback.protocol.resume_writing()
    await asyncio.wait_for(task, 5)
    (frame,) = await loopback.recv_frames(1, mask=False)
    assert frame.data == b"y" * 150_000


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (0, b"\x82\x00"),
        (125, b"\x82\x7d"),
        (126, b"\x82\x7e\x00\x7e"),
        (65535, b"\x82\x7e\xff\xff"),
        (65536, b"\x82\x7f" + struct.pack("!Q", 65536)),
    ],
)
async def test_writer_length_encodings_on_the_wire(
    loopback: Loopback, size: int, header: bytes
) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    await writer.send_frame(payload, WSMsgType.BINARY)
    assert await loopback.recv_exact(len(header) + size) == header + payload


async def test_writer_close_frame_then_data_refused(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    await writer.close(WSCloseCode.GOING_AWAY, "bye ✓")
    reason = "bye ✓".encode()
    expected = bytes((0x88, 2 + len(reason))) + (1001).to_bytes(2, "big") + reason
    assert await loopback.recv_exact(len(expected)) == expected
    with pytest.raises(ClientConnectionResetError, match="closing"):
        await writer.send_frame(b"late", WSMsgType.TEXT)


async def test_writer_close_defaults(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    await writer.close()
    assert await loopback.recv_exact(4) == b"\x88\x02\x03\xe8"


async def test_writer_bad_input_sends_nothing(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    with pytest.raises(ValueError, match="at most 123"):
        await writer.close(1000, "r" * 124)
    with pytest.raises(ValueError, match="at most 125"):
        await writer.send_frame(b"p" * 126, WSMsgType.PING)
    with pytest.raises(ValueError, match="opcode"):
        await writer.send_frame(b"x", 0x3)
    await writer.send_frame(b"ok", WSMsgType.TEXT)
    assert await loopback.recv_exact(4) == b"\x81\x02ok"


async def test_writer_closing_transport_raises(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport)
    loopback.transport.close()
    with pytest.raises(ClientConnectionResetError, match="closing transport"):
        await writer.send_frame(b"x", WSMsgType.TEXT)


async def test_writer_waits_for_drain_past_limit(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, limit=10)
    await writer.send_frame(b"small", WSMsgType.BINARY)  # under the limit: no drain
    loopback.protocol.pause_writing()  # as the transport does at its high-water mark
    task = asyncio.create_task(writer.send_frame(b"x" * 100, WSMsgType.BINARY))
    await asyncio.sleep(0.01)
    assert not task.done()
    loopback.protocol.resume_writing()
    await asyncio.wait_for(task, 5)
    frames = await loopback.recv_frames(2, mask=False)
    assert [f.data for f in frames] == [b"small", b"x" * 100]


async def test_writer_send_returns_what_is_left_to_await(loopback: Loopback) -> None:
    """send() writes at once; only a due drain (or an executor compression) is left."""
    writer = WebSocketWriter(loopback.protocol, loopback.transport, limit=10)
    assert writer._send(b"small", WSMsgType.TEXT) is None
    loopback.protocol.pause_writing()
    pending = writer._send(b"x" * 100, WSMsgType.BINARY)
    assert pending is not None
    task = asyncio.ensure_future(pending)
    await asyncio.sleep(0.01)
    assert not task.done()
    loopback.protocol.resume_writing()
    await asyncio.wait_for(task, 5)
    frames = await loopback.recv_frames(2, mask=False)
    assert [f.data for f in frames] == [b"small", b"x" * 100]


async def test_writer_executor_compression_waits_for_drain(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, limit=10, compress=15)
    loopback.protocol.pause_writing()
    big = os.urandom(100_000)  # incompressible: well past the limit once compressed too
    task = asyncio.create_task(writer.send_frame(big, WSMsgType.BINARY))
    for _ in range(500):  # the compression runs in a thread first
        await asyncio.sleep(0.01)
        if loopback.protocol._drain_waiter is not None:
            break
    assert loopback.protocol._drain_waiter is not None  # written, now waiting for a drain
    assert not task.done()
    loopback.protocol.resume_writing()
    await asyncio.wait_for(task, 5)
    peer = PerMessageDeflate(False, False, 15, 15)
    (frame,) = await loopback.recv_frames(1, mask=False, peer=peer)
    assert frame.data == big


async def test_writer_compressed_messages_decode_at_the_peer(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, use_mask=True, compress=15)
    bodies = [b"compressible " * 40, b"compressible " * 40, b"\x00\x01\x02"]
    for body in bodies:
        await writer.send_frame(body, WSMsgType.BINARY)
    await writer.send_frame(b"ping", WSMsgType.PING)
    peer = PerMessageDeflate(False, False, 15, 15)
    frames = await loopback.recv_frames(4, mask=True, peer=peer)
    assert [f.data for f in frames] == [*bodies, b"ping"]


async def test_writer_per_message_compress_override(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, compress=15)
    await writer.send_frame(b"plain", WSMsgType.BINARY, compress=0)
    assert await loopback.recv_exact(7) == b"\x82\x05plain"
    await writer.send_frame(b"aaaaaaaaaaaaaaaaaaaaaaaa", WSMsgType.BINARY, compress=9)
    await writer.send_frame(b"aaaaaaaaaaaaaaaaaaaaaaaa", WSMsgType.BINARY)
    peer = PerMessageDeflate(False, False, 15, 15)
    frames = await loopback.recv_frames(2, mask=False, peer=peer)
    assert [f.data for f in frames] == [b"a" * 24] * 2


async def test_writer_big_compressed_message_keeps_order(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, compress=15, notakeover=False)
    big = b"0123456789abcdef" * 20_000  # compressed in the executor
    small = b"0123456789abcdef" * 4
    await asyncio.gather(
        writer.send_frame(big, WSMsgType.BINARY),
        writer.send_frame(small, WSMsgType.BINARY),
        writer.send_frame(b"after", WSMsgType.TEXT),
    )
    peer = PerMessageDeflate(False, False, 15, 15)
    frames = await loopback.recv_frames(3, mask=False, peer=peer)
    assert [f.data for f in frames] == [big, small, b"after"]


async def test_writer_cancelled_compression_keeps_peer_in_step(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, compress=15)
    big = b"shared prefix that repeats " * 10_000
    task = asyncio.create_task(writer.send_frame(big, WSMsgType.BINARY))
    await asyncio.sleep(0)  # now awaiting the executor
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # refers back to the cancelled message's content if the context were kept
    await writer.send_frame(b"shared prefix that repeats " * 3, WSMsgType.BINARY)
    peer = PerMessageDeflate(False, False, 15, 15)
    (frame,) = await loopback.recv_frames(1, mask=False, peer=peer)
    assert frame.data == b"shared prefix that repeats " * 3


async def test_writer_to_reader_end_to_end(loopback: Loopback) -> None:
    writer = WebSocketWriter(loopback.protocol, loopback.transport, use_mask=True, compress=12)
    await writer.send_frame("héllo".encode(), WSMsgType.TEXT)
    await writer.send_frame(b"\x00" * 70_000, WSMsgType.BINARY)
    await writer.send_frame(b"hi", WSMsgType.PONG)
    await writer.close(1000, "done")
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1 << 20, compress=True, role="server")
    loop = asyncio.get_running_loop()
    received: list[WSMessage] = []
    while len(received) < 4:
        chunk = await asyncio.wait_for(loop.sock_recv(loopback.peer, 4096), 5)
        assert reader.feed_data(chunk) == (False, b"")
        while len(queue):
            received.append(await queue.read())
    assert received == [
        (WSMsgType.TEXT, "héllo", ""),
        (WSMsgType.BINARY, b"\x00" * 70_000, ""),
        (WSMsgType.PONG, b"hi", ""),
        (WSMsgType.CLOSE, 1000, "done"),
    ]


# -- the reader ------------------------------------------------------------------------------


async def test_reader_feeds_messages_with_sizes() -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1024)
    assert reader.feed_data(b"\x81\x02hi\x82\x03abc") == (False, b"")
    assert await queue.read() == (WSMsgType.TEXT, "hi", "")
    assert await queue.read() == (WSMsgType.BINARY, b"abc", "")
    reader.feed_eof()
    with pytest.raises(EofStream):
        await queue.read()


async def test_reader_protocol_error_goes_to_the_queue_after_earlier_messages() -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1024)
    assert reader.feed_data(b"\x81\x02ok\x83\x00") == (True, b"")
    assert await queue.read() == (WSMsgType.TEXT, "ok", "")
    with pytest.raises(WebSocketError) as info:
        await queue.read()
    assert info.value.code == WSCloseCode.PROTOCOL_ERROR
    assert reader.feed_data(b"\x81\x01x") == (True, b"\x81\x01x")


async def test_reader_too_big_frame_header_fails_at_once() -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1000)
    assert reader.feed_data(b"\x82\x7f" + struct.pack("!Q", 1 << 33)) == (True, b"")
    with pytest.raises(WebSocketError) as info:
        await queue.read()
    assert info.value.code == WSCloseCode.MESSAGE_TOO_BIG


async def test_reader_without_compress_refuses_rsv1() -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1000, compress=False)
    assert reader.feed_data(b"\xc1\x01x") == (True, b"")
    with pytest.raises(WebSocketError, match="RSV1"):
        await queue.read()


async def test_reader_client_role_refuses_masked_frames() -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 1000, role="client")
    assert reader.feed_data(b"\x81\x81abcd" + bytes([ord("x") ^ ord("a")])) == (True, b"")
    with pytest.raises(WebSocketError, match="masked"):
        await queue.read()


# -- the message union at run time -----------------------------------------------------------


def test_module_all_matches_aiohttp_3_13() -> None:
    assert set(http_websocket.__all__) == {
        "WS_CLOSED_MESSAGE",
        "WS_CLOSING_MESSAGE",
        "WS_KEY",
        "WebSocketReader",
        "WebSocketWriter",
        "WSMessage",
        "WebSocketError",
        "WSMsgType",
        "WSCloseCode",
        "ws_ext_gen",
        "ws_ext_parse",
        "WSHandshakeError",
    }
    assert WS_KEY == b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


#: The run-time ``WSMessage`` class of 3.13 code.  For the type checker ``WSMessage`` is the
#: union of the kinds, which cannot be called; typed code builds ``WSMessageText(...)`` etc.
WSMessageAtRuntime = cast("Callable[..., tuple[object, object, object]]", WSMessage)


def test_wsmessage_constructor_builds_the_matching_kind() -> None:
    msg = WSMessageAtRuntime(WSMsgType.TEXT, "data", None)
    assert type(msg) is WSMessageText
    assert isinstance(msg, WSMessage)
    assert type(WSMessageAtRuntime(2, b"x", None)) is WSMessageBinary  # plain ints, as in 3.13
    assert type(WSMessageAtRuntime(type=WSMsgType.CLOSE, data=1000, extra="r")) is WSMessageClose
    assert issubclass(WSMessageClose, WSMessage)
    assert not isinstance((WSMsgType.TEXT, "x", None), WSMessage)
    with pytest.raises(ValueError):
        WSMessageAtRuntime(0x55, b"", None)


def test_wsmessage_is_the_3_13_tuple() -> None:
    msg = WSMessageText(WSMsgType.TEXT, "data", "extra")
    assert msg.data == "data"
    assert msg.extra == "extra"
    assert msg[1] == "data"
    kind, data, extra = msg
    assert (kind, data, extra) == (WSMsgType.TEXT, "data", "extra")
    assert msg == (WSMsgType.TEXT, "data", "extra") == (1, "data", "extra")
    assert pickle.loads(pickle.dumps(msg)) == msg
    assert WS_CLOSED_MESSAGE == (WSMsgType.CLOSED, None, None)
    assert WS_CLOSING_MESSAGE == (WSMsgType.CLOSING, None, None)
    assert WSMessageAtRuntime.__name__ == "WSMessage"


def test_wsmessage_json() -> None:
    assert WSMessageText(WSMsgType.TEXT, '{"a": 1}', None).json() == {"a": 1}
    assert WSMessageBinary(WSMsgType.BINARY, b"[1, 2]", None).json() == [1, 2]
    assert WSMessageText(WSMsgType.TEXT, "1", None).json(loads=int) == 1
    unbound_json = cast("Callable[[object], object]", WSMessageAtRuntime.json)  # type: ignore[attr-defined]  # 3.13 code may call it unbound
    assert unbound_json(WSMessageText(WSMsgType.TEXT, "[3]", None)) == [3]
    with pytest.raises(json.JSONDecodeError):
        WSMessageText(WSMsgType.TEXT, "not json", None).json()


def test_wsmsgtype_lowercase_aliases_and_values() -> None:
    assert WSMsgType.text is WSMsgType.TEXT and WSMsgType.binary is WSMsgType.BINARY
    assert WSMsgType.close is WSMsgType.CLOSE and WSMsgType.error is WSMsgType.ERROR
    assert [int(t) for t in WSMsgType] == [0, 1, 2, 9, 10, 8, 0x100, 0x101, 0x102]
    assert WSMsgType["closing"] is WSMsgType.CLOSING


def test_websocket_error_carries_code_and_message() -> None:
    err = WebSocketError(WSCloseCode.MESSAGE_TOO_BIG, "too big")
    assert err.code == 1009 and str(err) == "too big"
    assert err.args == (1009, "too big")
    assert issubclass(WSHandshakeError, Exception)
