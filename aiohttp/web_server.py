"""The low-level HTTP server: :class:`Server` turns a request handler into a protocol
factory for :meth:`asyncio.loop.create_server`.

``Server(handler)`` serves every request with ``await handler(request)``; each accepted
connection gets a :class:`~aiohttp.web.RequestHandler`, built with the keyword options given
to the server (``keepalive_timeout``, ``read_head_timeout``, ``max_line_size`` ...).  The
server tracks its connections so :meth:`Server.shutdown` can let in-flight requests finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Optional, TypeVar, cast, overload

from typing_extensions import Unpack

from ._sansio._messages import RawRequestMessage
from ._web_deadlines import SecondTimers
from ._web_send_batch import SendBatch
from .abc import AbstractStreamWriter
from .streams import StreamReader
from .web_protocol import RequestHandler, _RequestHandlerOptions
from .web_request import BaseRequest
from .web_response import StreamResponse

__all__ = ("Server",)

_R = TypeVar("_R", bound=BaseRequest)

_RequestHandler = Callable[[BaseRequest], Awaitable[StreamResponse]]
_RequestFactory = Callable[
    [RawRequestMessage, StreamReader, RequestHandler, AbstractStreamWriter, "asyncio.Task[None]"],
    _R,
]

#: The keyword options a :class:`Server` passes to each :class:`RequestHandler`.
_ServerOptions = _RequestHandlerOptions


class Server:
    """A protocol factory serving HTTP/1.x with ``handler``.

    ``request_factory`` builds the request object of each request (default:
    :class:`~aiohttp.web.BaseRequest`); ``handler`` then receives what it built.  With
    ``handler_cancellation`` a peer that disconnects cancels the handler serving it.
    """

    request_handler: _RequestHandler
    request_factory: _RequestFactory[BaseRequest]

    @overload
    def __init__(
        self,
        handler: Callable[[BaseRequest], Awaitable[StreamResponse]],
        *,
        request_factory: None = None,
        handler_cancellation: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> None: ...

    @overload
    def __init__(
        self,
        handler: Callable[[_R], Awaitable[StreamResponse]],
        *,
        request_factory: _RequestFactory[_R],
        handler_cancellation: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> None: ...

    def __init__(
        self,
        handler: Callable[[_R], Awaitable[StreamResponse]],
        *,
        request_factory: Optional[_RequestFactory[_R]] = None,
        handler_cancellation: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Unpack[_ServerOptions],
    ) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._connections: dict[RequestHandler, asyncio.Transport] = {}
        self._second_timers = SecondTimers()  # the keep-alive/head deadlines of its connections
        self._send_batch = SendBatch(self._loop)  # responses written together per iteration
        self._kwargs = kwargs
        #: Requests served since the server was created.
        self.requests_count = 0
        # The factory builds the request type the handler takes, so the pair is
        # consistent; stored erased to the base type.
        self.request_handler = cast(_RequestHandler, handler)
        self.request_factory = (
            self._make_request
            if request_factory is None
            else cast(_RequestFactory[BaseRequest], request_factory)
        )
        self.handler_cancellation = handler_cancellation

    @property
    def connections(self) -> list[RequestHandler]:
        """The open connections (and those still finishing a request)."""
        return list(self._connections)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        """Called by a :class:`RequestHandler` when its connection opens."""
        self._connections[handler] = transport

    def connection_lost(self, handler: RequestHandler, exc: Optional[BaseException] = None) -> None:
        """Called by a :class:`RequestHandler` when its connection closes; it stays listed
        until its request task ends."""
        if handler not in self._connections:
            return
        task = handler._task_handler
        if task is not None and not task.done():
            task.add_done_callback(lambda _: self._connections.pop(handler, None))
        else:
            del self._connections[handler]

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> BaseRequest:
        return BaseRequest(message, payload, protocol, writer, task, self._loop)

    def pre_shutdown(self) -> None:
        """Stop every connection from taking new requests (idle ones close now)."""
        for conn in list(self._connections):
            conn.close()

    async def shutdown(self, timeout: Optional[float] = None) -> None:
        """Close every connection, giving in-flight requests ``timeout`` seconds to finish
        (``None``: as long as they take)."""
        await asyncio.gather(*(conn.shutdown(timeout) for conn in list(self._connections)))
        self._connections.clear()

    def __call__(self) -> RequestHandler:
        """A protocol for one new connection."""
        try:
            return RequestHandler(self, loop=self._loop, **self._kwargs)
        except TypeError:
            # Name the bad keyword clearly (the server was configured wrongly).
            bad = set(self._kwargs) - set(_RequestHandlerOptions.__annotations__)
            if bad:
                raise TypeError(f"Unknown Server options: {sorted(bad)}") from None
            raise
