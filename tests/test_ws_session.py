"""The received-message queue of :mod:`aiohttp._ws_session`: order, flow control against a
real socket transport, the end of the queue, errors, and what it reports to the heartbeat;
and the session's reader, whose one-call path must agree with the general reader."""

from __future__ import annotations

import asyncio
import socket
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Optional

import pytest

from aiohttp._websocket._mask import apply_mask_python
from aiohttp._websocket._parser import Role
from aiohttp._websocket.models import WSMessageBinary, WSMessageText
from aiohttp._ws_session import MessageQueue, MessageReader
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_websocket import WebSocketReader, WSMessage, WSMsgType
from aiohttp.streams import EofStream


def text(data: str) -> WSMessage:
    return WSMessageText(WSMsgType.TEXT, data, "")


def paused(protocol: BaseProtocol) -> bool:
    return protocol._reading_paused


@pytest.fixture
async def protocol() -> AsyncIterator[BaseProtocol]:
    """A protocol connected to a real socket pair, so pausing reading really pauses."""
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    transport, proto = await loop.create_connection(lambda: BaseProtocol(loop), sock=ours)
    try:
        yield proto
    finally:
        transport.close()
        theirs.close()
        await asyncio.sleep(0)


async def test_queue_returns_messages_in_order(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    queue.feed_data(text("a"), 1)
    queue.feed_data(WSMessageBinary(WSMsgType.BINARY, b"b", ""), 1)
    assert len(queue) == 2
    assert await queue.read() == (WSMsgType.TEXT, "a", "")
    assert await queue.read() == (WSMsgType.BINARY, b"b", "")
    assert len(queue) == 0


async def test_queue_wakes_a_waiting_reader(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    assert not task.done()
    queue.feed_data(text("late"), 4)
    assert await asyncio.wait_for(task, 5) == (WSMsgType.TEXT, "late", "")


async def test_queue_pauses_reading_past_twice_the_limit_and_resumes(
    protocol: BaseProtocol,
) -> None:
    queue = MessageQueue(protocol, limit=10, loop=asyncio.get_running_loop())
    queue.feed_data(text("x" * 20), 20)
    assert not paused(protocol)  # 20 is not past 2 * 10
    queue.feed_data(text("y"), 1)
    assert paused(protocol)
    await queue.read()
    assert not paused(protocol)  # 1 byte left, under the limit again
    await queue.read()
    assert not paused(protocol)


async def test_queue_end_and_error(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    queue.feed_data(text("last"), 4)
    queue.feed_eof()
    assert queue.is_eof() and not queue.at_eof()
    assert await queue.read() == (WSMsgType.TEXT, "last", "")
    assert queue.at_eof()
    with pytest.raises(EofStream):
        await queue.read()

    failed = MessageQueue(protocol, loop=asyncio.get_running_loop())
    cause = OSError("reset")
    error = ConnectionResetError("lost")
    failed.set_exception(error, cause)
    assert failed.exception() is error and error.__cause__ is cause
    with pytest.raises(ConnectionResetError):
        await failed.read()


async def test_queue_error_wakes_a_waiting_reader(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    queue.set_exception(ValueError("bad frame"))
    with pytest.raises(ValueError, match="bad frame"):
        await asyncio.wait_for(task, 5)


async def test_queue_refuses_a_second_reader(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    first = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await queue.read()
    queue.feed_eof()
    with pytest.raises(EofStream):
        await first


async def test_queue_reports_received_frames_but_not_injected_ones(
    protocol: BaseProtocol,
) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    seen: list[int] = []
    queue.on_frame = lambda: seen.append(1)
    queue.feed_data(text("from the peer"), 13)
    queue.inject(text("our own"))
    assert seen == [1]
    assert await queue.read() == (WSMsgType.TEXT, "from the peer", "")
    assert await queue.read() == (WSMsgType.TEXT, "our own", "")


async def test_queue_cancelled_reader_leaves_the_message(protocol: BaseProtocol) -> None:
    queue = MessageQueue(protocol, loop=asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    queue.feed_data(text("kept"), 4)
    assert await queue.read() == (WSMsgType.TEXT, "kept", "")


# -- MessageReader: the one-call path for the commonest frame ---------------------------------


def _frame(first: int, payload: bytes, *, key: Optional[bytes] = None) -> bytes:
    mask_bit = 0 if key is None else 0x80
    n = len(payload)
    if n < 126:
        head = bytes((first, mask_bit | n))
    else:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    return head if key is None else head + key + apply_mask_python(payload, key)


def _deflated(*bodies: bytes) -> list[bytes]:
    obj = zlib.compressobj(1, zlib.DEFLATED, -15)
    out = []
    for body in bodies:
        data = obj.compress(body) + obj.flush(zlib.Z_SYNC_FLUSH)
        out.append(data[:-4])
    return out


_KEY = b"\x11\x22\x33\x44"
_Z1, _Z2 = _deflated("héllo".encode() * 3, b"\x00\x01" * 20)
_READS: dict[str, tuple[list[bytes], Role, int]] = {
    "text": ([_frame(0x81, "héllo".encode(), key=_KEY)], "server", 1024),
    "binary": ([_frame(0x82, b"\x00\xff" * 10, key=_KEY)], "server", 1024),
    "empty": ([_frame(0x81, b"", key=_KEY), _frame(0x82, b"")], "client", 1024),
    "unmasked": ([_frame(0x81, b"a" * 125), _frame(0x82, b"b" * 125)], "client", 1024),
    "16-bit length": ([struct.pack("!BBH", 0x82, 126, 124) + b"c" * 124], "client", 1024),
    "invalid utf-8": ([_frame(0x81, b"\xff\xfe", key=_KEY)], "server", 1024),
    "unmasked to server": ([_frame(0x81, b"x")], "server", 1024),
    "masked to client": ([_frame(0x81, b"x", key=_KEY)], "client", 1024),
    "over the limit": ([_frame(0x82, b"x" * 11, key=_KEY)], "server", 10),
    "control frames": (
        [_frame(0x89, b"ping", key=_KEY), _frame(0x88, b"\x03\xe8bye", key=_KEY)],
        "server",
        1024,
    ),
    "split frame": (
        [_frame(0x81, b"split", key=_KEY)[:3], _frame(0x81, b"split", key=_KEY)[3:]],
        "server",
        1024,
    ),
    "two frames in one read": (
        [_frame(0x81, b"one", key=_KEY) + _frame(0x81, b"two", key=_KEY)],
        "server",
        1024,
    ),
    "fragments": (
        [_frame(0x01, b"frag", key=_KEY), _frame(0x80, b"ment", key=_KEY)],
        "server",
        1024,
    ),
    "compressed": ([_frame(0xC1, _Z1, key=_KEY), _frame(0xC2, _Z2, key=_KEY)], "server", 1024),
    "compressed, unmasked": ([_frame(0xC1, _Z1), _frame(0xC2, _Z2)], "client", 1024),
    "compressed over the limit": ([_frame(0xC1, _Z1, key=_KEY)], "server", 10),
    "compressed invalid": ([_frame(0xC2, b"\xff\xff\xff", key=_KEY)], "server", 1024),
    "compressed invalid utf-8": (
        [_frame(0xC1, _deflated(b"\xff\xfe")[0], key=_KEY)],
        "server",
        1024,
    ),
    "after a failure": (
        [_frame(0xC2, b"\xff\xff\xff", key=_KEY), _frame(0x81, b"late", key=_KEY)],
        "server",
        1024,
    ),
}


def _outcome(
    reader: WebSocketReader, queue: MessageQueue, reads: list[bytes]
) -> tuple[object, ...]:
    results = [reader.feed_data(data) for data in reads]
    exc = queue.exception()
    error = None if exc is None else (type(exc), getattr(exc, "code", None), str(exc))
    return results, list(queue._buffer), queue._size, error


@pytest.mark.parametrize("case", list(_READS))
@pytest.mark.parametrize("compress", [True, False])
async def test_message_reader_is_the_general_reader(
    protocol: BaseProtocol, case: str, compress: bool
) -> None:
    """Whatever takes the one-call path (or leaves it) ends up as the general reader
    would have it: the same messages with the same sizes, the same error."""
    reads, role, limit = _READS[case]
    loop = asyncio.get_running_loop()
    general_queue = MessageQueue(protocol, loop=loop)
    general = WebSocketReader(general_queue, limit, compress=compress, role=role)
    queue = MessageQueue(protocol, loop=loop)
    reader = MessageReader(queue, limit, compress=compress, role=role)
    assert _outcome(reader, queue, reads) == _outcome(general, general_queue, reads)


async def test_message_reader_wakes_the_receiver_and_reports_the_frame(
    protocol: BaseProtocol,
) -> None:
    queue = MessageQueue(protocol, limit=4, loop=asyncio.get_running_loop())
    seen: list[int] = []
    queue.on_frame = lambda: seen.append(1)
    reader = MessageReader(queue, 1024, compress=False, role="server")
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    assert reader.feed_data(_frame(0x82, b"x" * 9, key=_KEY)) == (False, b"")
    assert await asyncio.wait_for(task, 5) == (WSMsgType.BINARY, b"x" * 9, "")
    assert seen == [1]
    reader.feed_data(_frame(0x82, b"y" * 9, key=_KEY))
    assert paused(protocol)  # 9 bytes unread: past twice the limit
    await queue.read()
    assert not paused(protocol)
