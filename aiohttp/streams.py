"""Buffered byte and object streams between the HTTP parser and the application.

:class:`StreamReader` holds the body bytes of one message as the parser feeds them and hands
them out through ``read``/``readline``/``readchunk``/...; it also drives read-side flow control
of its connection: once more than twice ``limit`` bytes are buffered it pauses the protocol,
and a read that drains the buffer below ``limit`` resumes it.  :class:`DataQueue` is the same
idea for whole objects (WebSocket messages), :data:`EMPTY_PAYLOAD` stands for a message without
a body, and the iterator classes give ``async for`` over lines, chunks or any data.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Final, Generic, Optional, Protocol, TypeVar

from typing_extensions import deprecated

from .base_protocol import BaseProtocol
from .helpers import _EXC_SENTINEL, BaseTimerContext, TimerNoop
from .log import internal_logger

__all__ = ("EMPTY_PAYLOAD", "DataQueue", "EofStream", "StreamReader")

_T = TypeVar("_T")
_NO_TIMER: Final = TimerNoop()  # stateless: one serves every reader


class EofStream(Exception):
    """Raised by :meth:`DataQueue.read` once the queue is exhausted."""


def _chain(exc: BaseException, cause: BaseException) -> None:
    if cause is not _EXC_SENTINEL and cause is not exc:
        exc.__cause__ = cause


def _fail(fut: asyncio.Future[None], exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class AsyncStreamIterator(Generic[_T]):
    """Calls ``read_func`` until it returns ``b""`` or raises :class:`EofStream`."""

    __slots__ = ("read_func",)

    def __init__(self, read_func: Callable[[], Awaitable[_T]]) -> None:
        self.read_func = read_func

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        try:
            item = await self.read_func()
        except EofStream:
            raise StopAsyncIteration from None
        if item == b"":
            raise StopAsyncIteration
        return item


class _ChunkReadable(Protocol):
    async def readchunk(self) -> tuple[bytes, bool]: ...


class _Readable(_ChunkReadable, Protocol):
    async def readline(self) -> bytes: ...

    async def read(self, n: int = -1) -> bytes: ...

    async def readany(self) -> bytes: ...


class ChunkTupleAsyncStreamIterator:
    """Yields ``(data, end_of_http_chunk)`` pairs from :meth:`StreamReader.readchunk`."""

    __slots__ = ("_stream",)

    def __init__(self, stream: _ChunkReadable) -> None:
        self._stream = stream

    def __aiter__(self) -> ChunkTupleAsyncStreamIterator:
        return self

    async def __anext__(self) -> tuple[bytes, bool]:
        item = await self._stream.readchunk()
        if item == (b"", False):
            raise StopAsyncIteration
        return item


class AsyncStreamReaderMixin:
    """``async for`` helpers: lines (plain iteration), fixed-size chunks, any data, HTTP chunks."""

    __slots__ = ()

    def __aiter__(self: _Readable) -> AsyncStreamIterator[bytes]:
        return AsyncStreamIterator(self.readline)

    def iter_chunked(self: _Readable, n: int) -> AsyncStreamIterator[bytes]:
        """Yield chunks of at most ``n`` bytes."""

        async def read_n() -> bytes:
            return await self.read(n)

        return AsyncStreamIterator(read_n)

    def iter_any(self: _Readable) -> AsyncStreamIterator[bytes]:
        """Yield whatever data is buffered as soon as it arrives."""
        return AsyncStreamIterator(self.readany)

    def iter_chunks(self: _Readable) -> ChunkTupleAsyncStreamIterator:
        """Yield ``(data, end_of_http_chunk)`` pairs (see :meth:`StreamReader.readchunk`)."""
        return ChunkTupleAsyncStreamIterator(self)


class StreamReader(AsyncStreamReaderMixin):
    """The body of one HTTP message, fed by the parser and read by the application.

    Only one coroutine may wait on a reader at a time.  ``limit`` sets flow control: above
    ``2 * limit`` buffered bytes the protocol stops reading from its transport; a read that
    brings the buffer below ``limit`` starts it again.  ``timer`` is entered around every wait
    for data, so a read timeout cancels the wait.
    """

    __slots__ = (
        "_buffer",
        "_buffer_offset",
        "_cursor",
        "_drain_hook",
        "_eof",
        "_eof_callbacks",
        "_eof_waiter",
        "_exception",
        "_high_water",
        "_http_chunk_splits",
        "_loop",
        "_low_water",
        "_protocol",
        "_size",
        "_timer",
        "_waiter",
        "total_bytes",
        "total_compressed_bytes",
    )

    total_bytes: int
    """Bytes fed so far (after any content decoding)."""
    total_compressed_bytes: Optional[int]
    """Bytes received before content decoding, or ``None`` when the body is not encoded."""

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        timer: Optional[BaseTimerContext] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        self._protocol = protocol
        self._low_water = limit
        self._high_water = limit * 2
        self._loop = loop if loop is not None else protocol._loop
        self._size = 0
        self._cursor = 0
        self._http_chunk_splits: Optional[collections.deque[int]] = None
        self._buffer: collections.deque[bytes] = collections.deque()
        self._buffer_offset = 0
        self._eof = False
        self._waiter: Optional[asyncio.Future[None]] = None
        self._eof_waiter: Optional[asyncio.Future[None]] = None
        self._exception: Optional[BaseException] = None
        self._timer: BaseTimerContext = _NO_TIMER if timer is None else timer
        self._eof_callbacks: list[Callable[[], None]] = []
        self._drain_hook: Optional[Callable[[], None]] = None
        self.total_bytes = 0
        self.total_compressed_bytes = None

    def __repr__(self) -> str:
        info = [type(self).__name__]
        if self._size:
            info.append(f"{self._size} bytes")
        if self._eof:
            info.append("eof")
        if self._low_water != 2**16:
            info.append(f"low={self._low_water} high={self._high_water}")
        if self._waiter is not None:
            info.append(f"w={self._waiter!r}")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return "<{}>".format(" ".join(info))

    @property
    def total_raw_bytes(self) -> int:
        """Bytes as received from the network (before content decoding)."""
        if self.total_compressed_bytes is None:
            return self.total_bytes
        return self.total_compressed_bytes

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """The ``(low, high)`` water marks of the buffer, in bytes."""
        return (self._low_water, self._high_water)

    # -- state -------------------------------------------------------------------------

    def exception(self) -> Optional[BaseException]:
        """The error set by :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        """Fail the stream: the waiting reader and every later read raise ``exc``.

        ``exc_cause``, when given, becomes ``exc.__cause__`` of the raised error.
        """
        _chain(exc, exc_cause)
        self._exception = exc
        self._eof_callbacks.clear()
        self._drain_hook = None
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _fail(waiter, exc)
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            _fail(waiter, exc)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when :meth:`feed_eof` is called (at once if it already was)."""
        if self._eof:
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")
        else:
            self._eof_callbacks.append(callback)

    def is_eof(self) -> bool:
        """True once the writer side called :meth:`feed_eof`."""
        return self._eof

    def at_eof(self) -> bool:
        """True once :meth:`feed_eof` was called and every byte has been read."""
        return self._eof and not self._buffer

    async def wait_eof(self) -> None:
        """Wait until :meth:`feed_eof` is called (buffered data may remain unread)."""
        if self._eof:
            return
        if self._exception is not None:
            raise self._exception
        if self._eof_waiter is not None:
            raise RuntimeError("wait_eof() called while another coroutine is waiting for EOF")
        waiter = self._eof_waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._eof_waiter = None

    # -- writer side -------------------------------------------------------------------

    def feed_data(self, data: bytes, size: int = 0) -> None:
        """Append ``data`` (``size`` is ignored; kept for 3.13 compatibility)."""
        assert not self._eof, "feed_data after feed_eof"
        if not data:
            return
        n = len(data)
        self._size += n
        self._buffer.append(data)
        self.total_bytes += n
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _wake(waiter)
        if self._size > self._high_water and not self._protocol._reading_paused:
            self._protocol.pause_reading()

    def feed_eof(self) -> None:
        """Mark the end of the body: wake readers and run the ``on_eof`` callbacks."""
        self._eof = True
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _wake(waiter)
        waiter = self._eof_waiter
        if waiter is not None:
            self._eof_waiter = None
            _wake(waiter)
        callbacks, self._eof_callbacks = self._eof_callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")

    def begin_http_chunk_receiving(self) -> None:
        """Start recording ``Transfer-Encoding: chunked`` boundaries (before any data)."""
        if self._http_chunk_splits is None:
            if self.total_bytes:
                raise RuntimeError(
                    "Called begin_http_chunk_receiving when some data was already fed"
                )
            self._http_chunk_splits = collections.deque()

    def end_http_chunk_receiving(self) -> None:
        """Record that an HTTP chunk ends at the current end of the data."""
        splits = self._http_chunk_splits
        if splits is None:
            raise RuntimeError(
                "Called end_chunk_receiving without calling begin_chunk_receiving first"
            )
        # An empty chunk adds no boundary: readchunk() would otherwise report
        # the same position twice.
        last = splits[-1] if splits else 0
        if self.total_bytes == last:
            return
        splits.append(self.total_bytes)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _wake(waiter)

    @deprecated("unread_data() is deprecated and will be removed in future releases (#3260)")
    def unread_data(self, data: bytes) -> None:
        """Push ``data`` back to the front of the buffer (deprecated)."""
        if not data:
            return
        if self._buffer_offset:
            self._buffer[0] = self._buffer[0][self._buffer_offset :]
            self._buffer_offset = 0
        self._size += len(data)
        self._cursor -= len(data)
        self._buffer.appendleft(data)

    # -- reader side -------------------------------------------------------------------

    async def readline(self) -> bytes:
        """Read one line ending with ``b"\\n"`` (or what is left at EOF).

        :raises ValueError: the line is longer than the high-water mark.
        """
        return await self.readuntil(b"\n")

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Read up to and including ``separator`` (or what is left at EOF).

        :raises ValueError: ``separator`` is empty, or the data before it exceeds the
            high-water mark (``"Chunk too big"``): nothing is buffered without bound.
        """
        seplen = len(separator)
        if seplen == 0:
            raise ValueError("Separator should be at least one-byte string")
        if self._exception is not None:
            raise self._exception
        parts: list[bytes] = []
        got = 0
        tail = b""  # the last seplen-1 bytes taken, to find a separator split across buffers
        while True:
            while self._buffer:
                head = self._buffer[0]
                start = self._buffer_offset
                take = -1
                if tail:
                    probe = tail + head[start : start + seplen - 1]
                    idx = probe.find(separator)
                    if idx != -1:
                        take = idx + seplen - len(tail)
                if take == -1:
                    idx = head.find(separator, start)
                    if idx != -1:
                        take = idx + seplen - start
                part = self._read_nowait_chunk(take)
                parts.append(part)
                got += len(part)
                if got > self._high_water:
                    self._maybe_resume()
                    raise ValueError("Chunk too big")
                if take != -1:
                    self._maybe_resume()
                    return b"".join(parts)
                if seplen > 1:
                    tail = (tail + part)[-(seplen - 1) :]
            if self._eof:
                return b"".join(parts)
            await self._wait("readuntil")

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes as soon as any are available; ``-1`` reads to EOF."""
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:
            if self._eof:  # the whole body is here: take it in one pass
                return self._read_nowait(-1)
            parts: list[bytes] = []
            while True:
                part = await self.readany()
                if not part:
                    return b"".join(parts)
                parts.append(part)
        while not self._buffer and not self._eof:
            await self._wait("read")
        return self._read_nowait(n)

    async def readany(self) -> bytes:
        """Read whatever is buffered, waiting for data if there is none; ``b""`` at EOF."""
        if self._exception is not None:
            raise self._exception
        while not self._buffer and not self._eof:
            await self._wait("readany")
        return self._read_nowait(-1)

    async def readchunk(self) -> tuple[bytes, bool]:
        """Read the next piece of data and whether it ends an HTTP chunk.

        For a chunked body the pair is ``(data, True)`` when ``data`` reaches the end of a
        transfer chunk; otherwise ``(data, False)``.  ``(b"", False)`` means EOF.
        """
        while True:
            if self._exception is not None:
                raise self._exception
            splits = self._http_chunk_splits
            while splits:
                pos = splits.popleft()
                if pos == self._cursor:
                    return (b"", True)
                if pos > self._cursor:
                    return (self._read_nowait(pos - self._cursor), True)
            if self._buffer:
                data = self._read_nowait_chunk(-1)
                self._maybe_resume()
                return (data, False)
            if self._eof:
                return (b"", False)
            await self._wait("readchunk")

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes.

        :raises asyncio.IncompleteReadError: EOF came first (``partial`` holds what was read).
        """
        if self._exception is not None:
            raise self._exception
        parts: list[bytes] = []
        missing = n
        while missing > 0:
            part = await self.read(missing)
            if not part:
                partial = b"".join(parts)
                raise asyncio.IncompleteReadError(partial, len(partial) + missing)
            parts.append(part)
            missing -= len(part)
        return b"".join(parts)

    def read_nowait(self, n: int = -1) -> bytes:
        """Return up to ``n`` buffered bytes (all with ``-1``) without waiting."""
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None and not self._waiter.done():
            raise RuntimeError("Called while some coroutine is waiting for incoming data.")
        return self._read_nowait(n)

    # -- internals ---------------------------------------------------------------------

    def _read_nowait_chunk(self, n: int) -> bytes:
        """Take up to ``n`` bytes (``-1``: all) from the first buffered block only."""
        head = self._buffer[0]
        offset = self._buffer_offset
        if n != -1 and len(head) - offset > n:
            data = head[offset : offset + n]
            self._buffer_offset += n
        elif offset:
            self._buffer.popleft()
            data = head[offset:]
            self._buffer_offset = 0
        else:
            data = self._buffer.popleft()
        size = len(data)
        self._size -= size
        self._cursor += size
        splits = self._http_chunk_splits
        # Boundaries the cursor has moved past can no longer be reported: drop them.
        while splits and splits[0] < self._cursor:
            splits.popleft()
        return data

    def _read_nowait(self, n: int) -> bytes:
        """Take up to ``n`` bytes (``-1``: all) across buffered blocks."""
        self._timer.assert_timeout()
        buffer = self._buffer
        if n == -1 and len(buffer) > 1:
            # everything: one join instead of a chunk at a time
            if self._buffer_offset:
                buffer[0] = buffer[0][self._buffer_offset :]
                self._buffer_offset = 0
            data = b"".join(buffer)
            buffer.clear()
            self._size = 0
            self._cursor += len(data)
            splits = self._http_chunk_splits
            # Boundaries the cursor has moved past can no longer be reported: drop them.
            while splits and splits[0] < self._cursor:
                splits.popleft()
            self._maybe_resume()
            return data
        parts: list[bytes] = []
        while self._buffer:
            part = self._read_nowait_chunk(n)
            parts.append(part)
            if n != -1:
                n -= len(part)
                if n == 0:
                    break
        self._maybe_resume()
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    def _maybe_resume(self) -> None:
        """After a read: below the low-water mark, let the decoder refill, then resume."""
        if self._size >= self._low_water:
            return
        hook = self._drain_hook
        if hook is not None:
            hook()
            if self._size >= self._low_water:
                return
        if self._protocol._reading_paused:
            self._protocol.resume_reading()

    def _set_drain_hook(self, hook: Optional[Callable[[], None]]) -> None:
        """(for :mod:`aiohttp._decoding`) Call ``hook`` when reads drain the buffer below
        the low-water mark, before the protocol is resumed; ``None`` removes it."""
        self._drain_hook = hook

    def _above_high_water(self) -> bool:
        """True while the buffer holds more than the high-water mark."""
        return self._size > self._high_water

    async def _wait(self, func_name: str) -> None:
        # A decoder holding back input refills the buffer now rather than after a wait
        # that nothing else would end.
        self._maybe_resume()
        if self._buffer or self._eof:
            return
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        waiter = self._waiter = self._loop.create_future()
        try:
            with self._timer:
                await waiter
        finally:
            self._waiter = None


class EmptyStreamReader(StreamReader):
    """The reader of a message without a body: always at EOF, never fails."""

    __slots__ = ()

    def __init__(self) -> None:
        self._eof = True
        self._size = 0
        self._buffer = collections.deque()
        self._exception = None
        self._waiter = None
        self.total_bytes = 0
        self.total_compressed_bytes = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def get_read_buffer_limits(self) -> tuple[int, int]:
        return (0, 0)

    def exception(self) -> Optional[BaseException]:
        return None

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        pass

    def on_eof(self, callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:
            internal_logger.exception("Exception in eof callback")

    def feed_eof(self) -> None:
        pass

    def is_eof(self) -> bool:
        return True

    def at_eof(self) -> bool:
        return True

    async def wait_eof(self) -> None:
        return

    def feed_data(self, data: bytes, size: int = 0) -> None:
        pass

    def begin_http_chunk_receiving(self) -> None:
        pass

    def end_http_chunk_receiving(self) -> None:
        pass

    @deprecated("unread_data() is deprecated and will be removed in future releases (#3260)")
    def unread_data(self, data: bytes) -> None:
        pass

    async def readline(self) -> bytes:
        return b""

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        return b""

    async def read(self, n: int = -1) -> bytes:
        return b""

    async def readany(self) -> bytes:
        return b""

    async def readchunk(self) -> tuple[bytes, bool]:
        return (b"", False)

    async def readexactly(self, n: int) -> bytes:
        raise asyncio.IncompleteReadError(b"", n)

    def read_nowait(self, n: int = -1) -> bytes:
        return b""


EMPTY_PAYLOAD: Final = EmptyStreamReader()


class DataQueue(Generic[_T]):
    """A FIFO of whole objects (e.g. WebSocket messages) with an end and an error state.

    :meth:`read` returns the next object, waiting for one; at the end it raises the error
    set by :meth:`set_exception`, or :class:`EofStream`.  ``async for`` stops at the end.
    """

    __slots__ = ("_buffer", "_eof", "_exception", "_loop", "_size", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._eof = False
        self._waiter: Optional[asyncio.Future[None]] = None
        self._exception: Optional[BaseException] = None
        self._buffer: collections.deque[tuple[_T, int]] = collections.deque()
        self._size = 0

    def __len__(self) -> int:
        return len(self._buffer)

    def is_eof(self) -> bool:
        """True once :meth:`feed_eof` or :meth:`set_exception` was called."""
        return self._eof

    def at_eof(self) -> bool:
        """True at the end with nothing left to read."""
        return self._eof and not self._buffer

    def exception(self) -> Optional[BaseException]:
        """The error set by :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        """End the queue with ``exc``: raised by :meth:`read` once the buffer is empty."""
        _chain(exc, exc_cause)
        self._eof = True
        self._exception = exc
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _fail(waiter, exc)

    def feed_data(self, data: _T, size: int = 0) -> None:
        """Append ``data``; ``size`` is its weight for flow control."""
        self._size += size
        self._buffer.append((data, size))
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _wake(waiter)

    def feed_eof(self) -> None:
        """Mark the end of the queue."""
        self._eof = True
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            _wake(waiter)

    async def read(self) -> _T:
        """Return the next object, waiting for one.

        :raises EofStream: the queue ended and is empty.
        """
        if not self._buffer and not self._eof:
            if self._waiter is not None:
                raise RuntimeError("read() called while another coroutine is already waiting")
            waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        if self._buffer:
            data, size = self._buffer.popleft()
            self._size -= size
            return data
        if self._exception is not None:
            raise self._exception
        raise EofStream

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        return AsyncStreamIterator(self.read)


class FlowControlDataQueue(DataQueue[_T]):
    """A :class:`DataQueue` that pauses ``protocol`` while the summed ``size`` of its
    objects exceeds ``limit`` and resumes it once a read brings it back under."""

    __slots__ = ("_limit", "_protocol")

    def __init__(
        self, protocol: BaseProtocol, limit: int, *, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(loop=loop)
        self._protocol = protocol
        self._limit = limit * 2

    def feed_data(self, data: _T, size: int = 0) -> None:
        super().feed_data(data, size)
        if self._size > self._limit and not self._protocol._reading_paused:
            self._protocol.pause_reading()

    async def read(self) -> _T:
        data = await super().read()
        if self._size < self._limit and self._protocol._reading_paused:
            self._protocol.resume_reading()
        return data
