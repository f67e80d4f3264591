"""The asyncio protocol base shared by the client and server drivers.

It owns write-side flow control: when the transport's buffer passes its high-water mark
asyncio calls :meth:`pause_writing`, and writers awaiting :meth:`_drain_helper` wait until
:meth:`resume_writing`; read-side flow control is :meth:`pause_reading` /
:meth:`resume_reading`, driven by :class:`aiohttp.streams.StreamReader` buffers.

A protocol that also inherits :class:`_BufferedReading` reads through
:class:`asyncio.BufferedProtocol`: the transport receives into one buffer per thread and
``buffer_updated`` hands a ``bytes`` copy of what arrived to ``data_received``, so the
protocol still only implements ``data_received``. The server's connections do: the
transport's own ``recv(256 KiB)``, a fresh 256 KiB allocation per read, made the C allocator
grow and trim the heap top over and over under keep-alive load (a page fault every few
requests). It costs two Python calls per read, so the client, which showed no such faults,
keeps the plain path.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Optional, cast

from .client_exceptions import ClientConnectionResetError

_READ_BUFFER_SIZE = 256 * 1024
"""How much one read from the transport may return (asyncio's own ``recv`` size)."""


class _ThreadReadBuffer(threading.local):
    """The receive buffer shared by the connections of one thread: a transport fills it and
    :meth:`_BufferedReading.buffer_updated` copies the bytes out within the same callback,
    so no two reads ever overlap in it."""

    def __init__(self) -> None:
        self.view = memoryview(bytearray(_READ_BUFFER_SIZE))


_read_buffer = _ThreadReadBuffer()


class _BufferedReading(asyncio.BufferedProtocol):
    """Mixin for a protocol with ``data_received``: read into the thread's buffer instead
    (list it after the protocol's own base, e.g. ``class P(BaseProtocol, _BufferedReading)``).
    """

    __slots__ = ()

    def get_buffer(self, sizehint: int) -> memoryview:
        """Where the transport writes the next read (:class:`asyncio.BufferedProtocol`)."""
        return _read_buffer.view

    def buffer_updated(self, nbytes: int) -> None:
        """``nbytes`` arrived in the buffer: pass a copy to ``data_received``."""
        self.data_received(_read_buffer.view[:nbytes].tobytes())

    if TYPE_CHECKING:  # provided by the protocol this is mixed into

        def data_received(self, data: bytes) -> None: ...


class BaseProtocol(asyncio.Protocol):
    """Flow control and connection state common to every HTTP connection."""

    __slots__ = (
        "_connection_lost",
        "_drain_waiter",
        "_loop",
        "_paused",
        "_reading_paused",
        "_upgraded",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._paused = False
        self._drain_waiter: Optional[asyncio.Future[None]] = None
        self._reading_paused = False
        self._connection_lost = False
        self._upgraded = False
        self.transport: Optional[asyncio.Transport] = None

    @property
    def writing_paused(self) -> bool:
        """True while the transport asked writers to wait."""
        return self._paused

    @property
    def connected(self) -> bool:
        """True between ``connection_made`` and ``connection_lost``."""
        return self.transport is not None

    @property
    def upgraded(self) -> bool:
        """True once the connection switched to another protocol (WebSocket, CONNECT)."""
        return self._upgraded

    def pause_writing(self) -> None:
        assert not self._paused
        self._paused = True

    def resume_writing(self) -> None:
        assert self._paused
        self._paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def pause_reading(self) -> None:
        """Stop reading from the transport until :meth:`resume_reading`."""
        if not self._reading_paused and self.transport is not None:
            try:
                self.transport.pause_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                pass
            self._reading_paused = True

    def resume_reading(self) -> None:
        """Resume reading from the transport."""
        if self._reading_paused and self.transport is not None:
            try:
                self.transport.resume_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                pass
            self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._connection_lost = True
        self.transport = None
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            return
        self._drain_waiter = None
        if waiter.done():
            return
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)

    async def _drain_helper(self) -> None:
        """Wait until the transport accepts more data; raise if the connection is gone."""
        if self._connection_lost:
            raise ClientConnectionResetError("Connection lost")
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._loop.create_future()
            self._drain_waiter = waiter
        await asyncio.shield(waiter)
