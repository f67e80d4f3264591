"""The received-message queue of :mod:`aiohttp._ws_session`: order, flow control against a
real socket transport, the end of the queue, errors, and what it reports to the heartbeat."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from aiohttp._websocket.models import WSMessageBinary, WSMessageText
from aiohttp._ws_session import MessageQueue
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_websocket import WSMessage, WSMsgType
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
