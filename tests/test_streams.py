"""Tests for aiohttp.streams: StreamReader, EmptyStreamReader, DataQueue and the iterators."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest
from hypothesis import given, settings, strategies as st

from aiohttp.helpers import TimerContext
from aiohttp.streams import (
    EMPTY_PAYLOAD,
    DataQueue,
    EmptyStreamReader,
    EofStream,
    FlowControlDataQueue,
    StreamReader,
)
from tests._stream_support import CountingProtocol, make_reader


def fed(*chunks: bytes, eof: bool = True, limit: int = 2**16) -> StreamReader:
    reader, _ = make_reader(limit)
    for chunk in chunks:
        reader.feed_data(chunk)
    if eof:
        reader.feed_eof()
    return reader


async def feed_later(reader: StreamReader, *chunks: bytes, eof: bool = False) -> None:
    for chunk in chunks:
        await asyncio.sleep(0)
        reader.feed_data(chunk)
    if eof:
        await asyncio.sleep(0)
        reader.feed_eof()


# -- read / readany / read_nowait --------------------------------------------------------


async def test_read_n_returns_available_data() -> None:
    reader = fed(b"hello", b"world", eof=False)
    assert await reader.read(3) == b"hel"
    assert await reader.read(4) == b"lowo"
    assert await reader.read(100) == b"rld"


async def test_read_all_until_eof() -> None:
    reader = fed(b"a", b"b", b"c")
    assert await reader.read() == b"abc"
    assert await reader.read() == b""
    assert reader.at_eof()


async def test_read_zero_returns_empty_without_waiting() -> None:
    reader, _ = make_reader()
    assert await reader.read(0) == b""


async def test_read_waits_for_data() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(feed_later(reader, b"late"))
    assert await reader.read(10) == b"late"
    await task


async def test_read_all_waits_for_eof() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(feed_later(reader, b"x", b"y", eof=True))
    assert await reader.read() == b"xy"
    await task


async def test_readany_returns_whole_buffer() -> None:
    reader = fed(b"one", b"two", eof=False)
    assert await reader.readany() == b"onetwo"
    reader.feed_eof()
    assert await reader.readany() == b""


async def test_read_nowait_partial_and_all() -> None:
    reader = fed(b"abcdef", b"gh", eof=False)
    assert reader.read_nowait(2) == b"ab"
    assert reader.read_nowait(5) == b"cdefg"
    assert reader.read_nowait() == b"h"
    assert reader.read_nowait() == b""


async def test_read_nowait_while_waiting_raises() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.read(1))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="waiting for incoming data"):
        reader.read_nowait()
    reader.feed_data(b"z")
    assert await task == b"z"


async def test_read_second_waiter_raises() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.read(1))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match=r"readany\(\) called while another coroutine"):
        await reader.readany()
    reader.feed_eof()
    assert await task == b""


async def test_feed_data_after_eof_fails() -> None:
    reader = fed(b"a")
    with pytest.raises(AssertionError):
        reader.feed_data(b"b")


async def test_feed_data_empty_is_ignored() -> None:
    reader = fed(b"", eof=False)
    assert reader.total_bytes == 0
    assert not reader._buffer


# -- readline / readuntil ----------------------------------------------------------------


async def test_readline_several_lines_in_one_block() -> None:
    reader = fed(b"a\nbb\nccc")
    assert await reader.readline() == b"a\n"
    assert await reader.readline() == b"bb\n"
    assert await reader.readline() == b"ccc"
    assert await reader.readline() == b""


async def test_readline_across_blocks_and_waits() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(feed_later(reader, b"par", b"tial", b" line\nrest"))
    assert await reader.readline() == b"partial line\n"
    await task
    assert reader.read_nowait() == b"rest"


async def test_readline_longer_than_high_water_raises() -> None:
    reader = fed(b"x" * 9, b"\n", limit=4)
    with pytest.raises(ValueError, match="Chunk too big"):
        await reader.readline()


async def test_readline_unterminated_stream_is_bounded() -> None:
    reader, _ = make_reader(limit=4)
    task = asyncio.create_task(reader.readline())
    for _ in range(5):
        await asyncio.sleep(0)
        if not task.done():
            reader.feed_data(b"yyy")
    with pytest.raises(ValueError, match="Chunk too big"):
        await task


async def test_readline_at_high_water_is_accepted() -> None:
    reader = fed(b"x" * 7 + b"\n", limit=4)
    assert await reader.readline() == b"x" * 7 + b"\n"


async def test_readuntil_multibyte_separator_split_over_blocks() -> None:
    reader = fed(b"head\r", b"\n", b"body--", b"-", b"-end")
    assert await reader.readuntil(b"\r\n") == b"head\r\n"
    assert await reader.readuntil(b"----") == b"body----"
    assert await reader.readuntil(b"----") == b"end"


async def test_readuntil_separator_spanning_three_blocks() -> None:
    reader = fed(b"ab", b"X", b"Y", b"Zcd")
    assert await reader.readuntil(b"XYZ") == b"abXYZ"
    assert await reader.read() == b"cd"


async def test_readuntil_empty_separator_raises() -> None:
    reader = fed(b"abc")
    with pytest.raises(ValueError, match="Separator"):
        await reader.readuntil(b"")


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=200).map(lambda b: b.replace(b"\r", b"\n")),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8),
)
def test_readline_any_split_gives_lines(  # type: ignore[misc]  # given() is Callable[..., None]
    data: bytes, cuts: list[int]
) -> None:
    async def run() -> list[bytes]:
        points = sorted({c for c in cuts if c <= len(data)} | {0, len(data)})
        reader = fed(*(data[a:b] for a, b in itertools.pairwise(points)))
        return [line async for line in reader]

    assert asyncio.run(run()) == data.splitlines(keepends=True)


# -- readexactly ---------------------------------------------------------------------


async def test_readexactly_collects_across_feeds() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(feed_later(reader, b"12", b"345", b"67"))
    assert await reader.readexactly(6) == b"123456"
    await task
    assert reader.read_nowait() == b"7"


async def test_readexactly_short_stream_raises_incomplete() -> None:
    reader = fed(b"abc")
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await reader.readexactly(5)
    assert info.value.partial == b"abc"
    assert info.value.expected == 5


# -- readchunk / HTTP chunk boundaries ------------------------------------------------


async def test_readchunk_reports_http_chunk_ends() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()
    reader.feed_data(b"abc")
    reader.end_http_chunk_receiving()
    reader.feed_data(b"de")
    reader.feed_data(b"f")
    reader.end_http_chunk_receiving()
    reader.end_http_chunk_receiving()  # an empty chunk: no extra boundary
    reader.feed_eof()
    assert await reader.readchunk() == (b"abc", True)
    assert await reader.readchunk() == (b"def", True)
    assert await reader.readchunk() == (b"", False)


async def test_readchunk_without_chunking_returns_blocks() -> None:
    reader = fed(b"ab", b"cd")
    assert await reader.readchunk() == (b"ab", False)
    assert await reader.readchunk() == (b"cd", False)
    assert await reader.readchunk() == (b"", False)


async def test_readchunk_boundary_at_cursor_reports_empty_end() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()
    reader.feed_data(b"abc")
    assert await reader.readchunk() == (b"abc", False)
    reader.end_http_chunk_receiving()
    assert await reader.readchunk() == (b"", True)


async def test_readchunk_waits_for_boundary() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()

    async def produce() -> None:
        await asyncio.sleep(0)
        reader.feed_data(b"xy")
        reader.end_http_chunk_receiving()

    task = asyncio.create_task(produce())
    assert await reader.readchunk() == (b"xy", True)
    await task


async def test_chunk_boundaries_passed_by_read_are_dropped() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()
    for piece in (b"ab", b"cd"):
        reader.feed_data(piece)
        reader.end_http_chunk_receiving()
    assert await reader.read(3) == b"abc"
    assert await reader.readchunk() == (b"d", True)


async def test_begin_chunk_after_data_raises() -> None:
    reader = fed(b"x", eof=False)
    with pytest.raises(RuntimeError, match="already fed"):
        reader.begin_http_chunk_receiving()


async def test_end_chunk_without_begin_raises() -> None:
    reader, _ = make_reader()
    with pytest.raises(RuntimeError, match="without calling begin"):
        reader.end_http_chunk_receiving()


# -- eof, callbacks, exceptions ----------------------------------------------------------


async def test_eof_states() -> None:
    reader = fed(b"a", eof=False)
    assert not reader.is_eof() and not reader.at_eof()
    reader.feed_eof()
    assert reader.is_eof() and not reader.at_eof()
    await reader.read()
    assert reader.at_eof()


async def test_wait_eof_wakes_on_feed_eof() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.wait_eof())
    await asyncio.sleep(0)
    assert not task.done()
    reader.feed_eof()
    await task
    await reader.wait_eof()  # already at eof: returns at once


async def test_wait_eof_raises_set_exception() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.wait_eof())
    await asyncio.sleep(0)
    reader.set_exception(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await task


async def test_on_eof_callbacks_run_once(caplog: pytest.LogCaptureFixture) -> None:
    reader, _ = make_reader()
    calls: list[str] = []
    reader.on_eof(lambda: calls.append("first"))

    def broken() -> None:
        raise RuntimeError("callback failed")

    reader.on_eof(broken)
    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        reader.feed_eof()
    assert calls == ["first"]
    assert "Exception in eof callback" in caplog.text
    reader.on_eof(lambda: calls.append("late"))
    assert calls == ["first", "late"]


async def test_set_exception_clears_eof_callbacks() -> None:
    reader, _ = make_reader()
    calls: list[int] = []
    reader.on_eof(lambda: calls.append(1))
    reader.set_exception(ValueError())
    reader.feed_eof()
    assert calls == []


async def test_set_exception_wakes_reader_with_cause() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.read(1))
    await asyncio.sleep(0)
    cause = OSError("reset")
    reader.set_exception(ConnectionError("lost"), cause)
    with pytest.raises(ConnectionError, match="lost") as info:
        await task
    assert info.value.__cause__ is cause
    assert isinstance(reader.exception(), ConnectionError)


@pytest.mark.parametrize(
    "call",
    ["read", "readany", "readline", "readchunk", "readexactly", "read_nowait"],
)
async def test_every_read_raises_stored_exception(call: str) -> None:
    reader = fed(b"data\n", eof=False)
    reader.set_exception(ValueError("bad body"))
    with pytest.raises(ValueError, match="bad body"):
        if call == "read":
            await reader.read()
        elif call == "readany":
            await reader.readany()
        elif call == "readline":
            await reader.readline()
        elif call == "readchunk":
            await reader.readchunk()
        elif call == "readexactly":
            await reader.readexactly(2)
        else:
            reader.read_nowait()


async def test_set_exception_without_cause_keeps_cause_unset() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(reader.readany())
    await asyncio.sleep(0)
    reader.set_exception(ValueError("x"))
    with pytest.raises(ValueError) as info:
        await task
    assert info.value.__cause__ is None


async def test_unread_data_is_deprecated_and_pushes_back() -> None:
    reader = fed(b"abcdef", eof=False)
    assert reader.read_nowait(4) == b"abcd"
    with pytest.warns(DeprecationWarning, match="unread_data"):
        reader.unread_data(b"XY")  # type: ignore[deprecated]  # testing the deprecated API
    assert reader.read_nowait() == b"XYef"


# -- flow control ------------------------------------------------------------------------


async def test_flow_control_pause_above_high_water_resume_below_low() -> None:
    reader, proto = make_reader(limit=4)
    assert reader.get_read_buffer_limits() == (4, 8)
    reader.feed_data(b"12345678")
    assert proto.pauses == 0
    reader.feed_data(b"9")
    assert proto.pauses == 1
    reader.feed_data(b"abc")
    assert proto.pauses == 1  # already paused
    assert await reader.read(5) == b"12345"
    assert proto.resumes == 0  # 7 left: not below low water
    assert await reader.read(4) == b"6789"
    assert proto.resumes == 1
    assert proto.pauses == 1


async def test_flow_control_readline_resumes() -> None:
    reader, proto = make_reader(limit=4)
    reader.feed_data(b"abcdefg\nx\n")
    assert proto.pauses == 1
    assert await reader.readline() == b"abcdefg\n"
    assert proto.resumes == 1


async def test_wait_resumes_paused_protocol_with_empty_buffer() -> None:
    reader, proto = make_reader(limit=4)
    proto.pause_reading()
    task = asyncio.create_task(reader.read(1))
    await asyncio.sleep(0)
    assert proto.resumes == 1
    reader.feed_data(b"q")
    assert await task == b"q"


async def test_drain_hook_refills_below_low_water() -> None:
    reader, proto = make_reader(limit=4)
    blocks = [b"x" * 9, b"y" * 9]

    def refill() -> None:
        if blocks:
            reader.feed_data(blocks.pop(0))
        else:
            reader._set_drain_hook(None)
            reader.feed_eof()

    reader._set_drain_hook(refill)
    reader.feed_data(b"start")
    # readany returns what was buffered; the refill lands in the buffer, it is not
    # appended to the same read (that would make the read unbounded).
    assert await reader.readany() == b"start"
    assert reader._size == 9
    assert await reader.readany() == b"x" * 9
    assert await reader.read() == b"y" * 9
    assert reader.at_eof()
    assert proto.pauses >= 1


async def test_above_high_water() -> None:
    reader = fed(b"123456789", eof=False, limit=4)
    assert reader._above_high_water()
    reader.read_nowait(5)
    assert not reader._above_high_water()


# -- timers ----------------------------------------------------------------------------


async def test_timer_timeout_cancels_wait() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext(loop)
    reader = StreamReader(CountingProtocol(loop), 2**16, timer=timer)
    loop.call_later(0.01, timer.timeout)
    with pytest.raises(asyncio.TimeoutError):
        await reader.read(1)


async def test_timer_fired_blocks_buffered_read() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext(loop)
    reader = StreamReader(CountingProtocol(loop), 2**16, timer=timer)
    reader.feed_data(b"buffered")
    timer.timeout()
    with pytest.raises(asyncio.TimeoutError):
        await reader.read(1)


async def test_loop_defaults_to_protocol_loop() -> None:
    loop = asyncio.get_running_loop()
    reader = StreamReader(CountingProtocol(loop), 10)
    assert reader._loop is loop


# -- iteration ---------------------------------------------------------------------------


async def test_iterate_lines() -> None:
    reader = fed(b"l1\nl2\n", b"l3")
    assert [line async for line in reader] == [b"l1\n", b"l2\n", b"l3"]


async def test_iter_chunked() -> None:
    reader = fed(b"abcde", b"fg")
    assert [c async for c in reader.iter_chunked(3)] == [b"abc", b"def", b"g"]


async def test_iter_any() -> None:
    reader, _ = make_reader()
    task = asyncio.create_task(feed_later(reader, b"1", b"2", eof=True))
    assert b"".join([c async for c in reader.iter_any()]) == b"12"
    await task


async def test_iter_chunks() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()
    reader.feed_data(b"ab")
    reader.end_http_chunk_receiving()
    reader.feed_data(b"c")
    reader.feed_eof()
    assert [c async for c in reader.iter_chunks()] == [(b"ab", True), (b"c", False)]


# -- counters and repr -----------------------------------------------------------------


async def test_byte_counters() -> None:
    reader = fed(b"abc", b"de")
    assert reader.total_bytes == 5
    assert reader.total_compressed_bytes is None
    assert reader.total_raw_bytes == 5
    reader.total_compressed_bytes = 3
    assert reader.total_raw_bytes == 3


async def test_repr_shows_state() -> None:
    reader = fed(b"abc", limit=4)
    reader.set_exception(ValueError("e"))
    text = repr(reader)
    assert text.startswith("<StreamReader 3 bytes eof low=4 high=8")
    assert "e=ValueError('e')" in text
    plain, _ = make_reader()
    assert repr(plain) == "<StreamReader>"


# -- EmptyStreamReader ---------------------------------------------------------------------


async def test_empty_payload_is_always_at_eof() -> None:
    empty = EMPTY_PAYLOAD
    assert isinstance(empty, EmptyStreamReader)
    assert isinstance(empty, StreamReader)
    assert repr(empty) == "<EmptyStreamReader>"
    assert empty.is_eof() and empty.at_eof()
    assert empty.exception() is None
    empty.set_exception(ValueError())
    assert empty.exception() is None
    empty.feed_data(b"ignored")
    empty.feed_eof()
    empty.begin_http_chunk_receiving()
    empty.end_http_chunk_receiving()
    await empty.wait_eof()
    assert await empty.read() == b""
    assert await empty.readany() == b""
    assert await empty.readline() == b""
    assert await empty.readuntil(b"--") == b""
    assert await empty.readchunk() == (b"", False)
    assert empty.read_nowait() == b""
    assert [c async for c in empty.iter_chunks()] == []
    assert [c async for c in empty] == []
    assert empty.total_bytes == 0 and empty.total_raw_bytes == 0
    assert empty.get_read_buffer_limits() == (0, 0)
    with pytest.raises(asyncio.IncompleteReadError):
        await empty.readexactly(1)
    with pytest.warns(DeprecationWarning):
        empty.unread_data(b"x")  # type: ignore[deprecated]  # testing the deprecated API


async def test_empty_payload_on_eof_runs_immediately(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    EMPTY_PAYLOAD.on_eof(lambda: calls.append(1))
    assert calls == [1]

    def broken() -> None:
        raise RuntimeError

    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        EMPTY_PAYLOAD.on_eof(broken)
    assert "Exception in eof callback" in caplog.text


# -- DataQueue ---------------------------------------------------------------------------


async def test_data_queue_feed_and_read() -> None:
    queue: DataQueue[str] = DataQueue(asyncio.get_running_loop())
    queue.feed_data("a", 1)
    queue.feed_data("b", 1)
    assert len(queue) == 2
    assert await queue.read() == "a"
    assert await queue.read() == "b"
    assert len(queue) == 0


async def test_data_queue_read_waits() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    assert not task.done()
    queue.feed_data(42)
    assert await task == 42


async def test_data_queue_eof_raises_eofstream() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    queue.feed_eof()
    with pytest.raises(EofStream):
        await task
    assert queue.is_eof() and queue.at_eof()


async def test_data_queue_exception_after_buffer_drained() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    queue.feed_data(1)
    cause = OSError("x")
    queue.set_exception(ValueError("v"), cause)
    assert queue.is_eof() and not queue.at_eof()
    assert isinstance(queue.exception(), ValueError)
    assert await queue.read() == 1
    with pytest.raises(ValueError, match="v"):
        await queue.read()


async def test_data_queue_exception_wakes_reader_with_cause() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    cause = OSError("x")
    queue.set_exception(ValueError("v"), cause)
    with pytest.raises(ValueError) as info:
        await task
    assert info.value.__cause__ is cause


async def test_data_queue_async_iteration_stops_at_eof() -> None:
    queue: DataQueue[bytes] = DataQueue(asyncio.get_running_loop())
    for item in (b"x", b"y"):
        queue.feed_data(item)
    queue.feed_eof()
    assert [item async for item in queue] == [b"x", b"y"]


async def test_data_queue_second_reader_raises() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await queue.read()
    queue.feed_data(1)
    assert await task == 1


async def test_data_queue_cancelled_read_can_be_retried() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    queue.feed_data(7)
    assert await queue.read() == 7


async def test_flow_control_data_queue_pauses_and_resumes() -> None:
    loop = asyncio.get_running_loop()
    proto = CountingProtocol(loop)
    queue: FlowControlDataQueue[bytes] = FlowControlDataQueue(proto, 2, loop=loop)
    queue.feed_data(b"abc", 3)
    assert proto.pauses == 0
    queue.feed_data(b"de", 2)
    assert proto.pauses == 1
    assert await queue.read() == b"abc"
    assert proto.resumes == 1


async def test_read_all_at_eof_joins_blocks_and_keeps_last_boundary() -> None:
    reader, _ = make_reader()
    reader.begin_http_chunk_receiving()
    for piece in (b"ab", b"cd", b"ef"):
        reader.feed_data(piece)
        reader.end_http_chunk_receiving()
    assert await reader.read(1) == b"a"
    reader.feed_eof()
    assert await reader.read() == b"bcdef"
    assert reader.at_eof()
    # the boundary at the very end is still reported once, then EOF
    assert await reader.readchunk() == (b"", True)
    assert await reader.readchunk() == (b"", False)
