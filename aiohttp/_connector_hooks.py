"""The shapes the connectors need from the objects around them, and small connect helpers.

A connector is handed a request's timeouts (:class:`aiohttp.ClientTimeout`) and its traces
(:class:`aiohttp.tracing.Trace`); both classes live in modules that import the connector, so
the connector types them with the structural protocols here (the real classes satisfy them).
:class:`ConnectionOwner` is what a :class:`~aiohttp.connector.Connection` calls back into.
:class:`Deadline` bounds a block of connect work by a timeout, turning its expiry into
:class:`asyncio.TimeoutError`, on every supported Python (``asyncio.timeout`` is 3.11+).
:class:`CloseWaiter` is what ``BaseConnector.close()`` returns; :func:`report_unclosed` is
the warning a connector or connection that was never closed gives when collected.
"""

from __future__ import annotations

import asyncio
import traceback
import warnings
from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Optional, Protocol

from ._client_values import ConnectionKey
from ._timers import TimerContext, ceil_deadline

if TYPE_CHECKING:
    from .client_proto import ResponseHandler


class ConnectTimeouts(Protocol):
    """The parts of :class:`aiohttp.ClientTimeout` a connector reads."""

    @property
    def connect(self) -> Optional[float]:
        """Seconds to get a connection: waiting for a pool slot plus opening it."""

    @property
    def sock_connect(self) -> Optional[float]:
        """Seconds for one connection attempt to a peer (TCP and TLS handshake)."""

    @property
    def ceil_threshold(self) -> float:
        """Timeouts of at least this many seconds are rounded up to whole seconds."""


class ConnectorTrace(Protocol):
    """The tracing signals a connector sends (:class:`aiohttp.tracing.Trace` has them)."""

    async def send_connection_queued_start(self) -> None: ...

    async def send_connection_queued_end(self) -> None: ...

    async def send_connection_create_start(self) -> None: ...

    async def send_connection_create_end(self) -> None: ...

    async def send_connection_reuseconn(self) -> None: ...

    async def send_dns_resolvehost_start(self, host: str) -> None: ...

    async def send_dns_resolvehost_end(self, host: str) -> None: ...

    async def send_dns_cache_hit(self, host: str) -> None: ...

    async def send_dns_cache_miss(self, host: str) -> None: ...


class ConnectionOwner(Protocol):
    """What a :class:`~aiohttp.connector.Connection` gives its protocol back to."""

    def _release(
        self, key: ConnectionKey, protocol: ResponseHandler, *, should_close: bool = False
    ) -> None:
        """Take the connection back: pool it if it is reusable and ``should_close`` is
        false, else close it."""


class Deadline:
    """``async with Deadline(loop, seconds, ceil_threshold):`` raises
    :class:`asyncio.TimeoutError` out of the block when ``seconds`` pass (``None`` or ``0``:
    no limit). The task running the block is cancelled at the deadline and the cancellation
    is turned into the timeout; a cancellation from elsewhere stays a cancellation."""

    __slots__ = ("_delay", "_handle", "_loop", "_threshold", "_timer")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, delay: Optional[float], ceil_threshold: float = 5
    ) -> None:
        self._loop = loop
        self._delay = delay
        self._threshold = ceil_threshold
        self._timer: Optional[TimerContext] = None
        self._handle: Optional[asyncio.TimerHandle] = None

    async def __aenter__(self) -> None:
        delay = self._delay
        if delay is None or delay <= 0:
            return
        timer = TimerContext(self._loop)
        timer.__enter__()
        self._timer = timer
        when = ceil_deadline(self._loop.time(), delay, self._threshold)
        self._handle = self._loop.call_at(when, timer.timeout)

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Optional[bool]:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        timer = self._timer
        if timer is None:
            return None
        self._timer = None
        return timer.__exit__(exc_type, exc, tb)


class PipeLoop(Protocol):
    """The Windows proactor loop's named-pipe client call."""

    def create_pipe_connection(
        self, protocol_factory: Callable[[], ResponseHandler], address: str
    ) -> Awaitable[tuple[asyncio.BaseTransport, ResponseHandler]]: ...


class CloseWaiter:
    """What ``BaseConnector.close()`` returns: awaiting it waits until the closed
    connections are gone. Dropping it without awaiting warns, as aiohttp 3.13 does."""

    __slots__ = ("_awaited", "_futures")

    def __init__(self, futures: list[asyncio.Future[None]]) -> None:
        self._futures = futures
        self._awaited = False

    def __await__(self) -> Generator[object, None, None]:
        self._awaited = True
        futures, self._futures = self._futures, []
        if futures:
            yield from asyncio.gather(*futures, return_exceptions=True).__await__()

    def __del__(self) -> None:
        if not self._awaited:
            warnings.warn(
                "Connector.close() is a coroutine, please use await connector.close()",
                DeprecationWarning,
                stacklevel=2,
            )


def report_unclosed(
    kind: str,
    obj: object,
    loop: asyncio.AbstractEventLoop,
    source_traceback: Optional[traceback.StackSummary],
    **context: object,
) -> None:
    """Warn (:class:`ResourceWarning`) that ``obj``, a ``kind`` ("connector" ...), was
    dropped without being closed, and tell the loop's exception handler (``context`` names
    the object, as 3.13 does)."""
    warnings.warn(f"Unclosed {kind} {obj!r}", ResourceWarning, stacklevel=1, source=obj)
    if loop.is_closed():
        return
    context["message"] = f"Unclosed {kind}"
    if source_traceback is not None:
        context["source_traceback"] = source_traceback
    loop.call_exception_handler(context)
