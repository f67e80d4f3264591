"""The server's HTTP/1.x connection driver: :class:`RequestHandler` (one per connection).

Bytes arrive in :meth:`RequestHandler.data_received` and go through the request parser;
each complete head joins a queue with its body stream, and one task per connection
(:meth:`RequestHandler.start`) answers the queue in order: it builds the request, awaits
the server's handler, sends the response, drains what the handler left of the body
(lingering, at most ``lingering_time`` seconds) and either waits for the next request
(keep-alive) or closes.  Pipelined requests are answered in order; when
:data:`MAX_QUEUED_REQUESTS` parsed requests wait unanswered the transport stops reading.

Timeouts: a request head must be complete ``read_head_timeout`` seconds after its first
byte arrived (and a new connection must deliver a head within that time), else the
connection is closed, with ``408 Request Timeout`` when part of a head had arrived.  A
kept-alive connection idle for ``keepalive_timeout`` seconds is closed.

Errors: a malformed request (including a missing, repeated or invalid ``Host`` in HTTP/1.1)
is answered ``400`` with the parser's one-line message and the connection closed; a handler
exception is a ``500`` (with the traceback only when ``debug``); a response that cannot be
sent (a control character in the reason or a header value, a non-response returned) is
logged and replaced by a ``500`` if nothing was written yet.  When the peer disconnects,
the body being read fails with :class:`RequestPayloadError` or
:class:`~aiohttp.ClientConnectionResetError`, and the handler is cancelled only with
``handler_cancellation=True``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import traceback
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Optional, Protocol, TypedDict, Union

from typing_extensions import Unpack

from . import hdrs
from ._sansio._messages import RawRequestMessage
from ._web_deadlines import ConnectionDeadlines, Expired
from ._web_error_page import error_page
from ._web_send_batch import HOLD_LIMIT
from ._web_serve import (
    MAX_QUEUED_REQUESTS,
    ErrInfo,
    PayloadAccessError,
    RequestPayloadError,
    finish_response,
    serve_connection,
)
from .abc import AbstractAccessLogger
from .base_protocol import BaseProtocol, _BufferedReading
from .client_exceptions import ClientConnectionResetError
from .http_exceptions import BadHttpMessage, HttpProcessingError
from .http_parser import HttpRequestParser
from .log import access_logger, server_logger
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import Byteish
from .web_log import AccessLogger
from .web_request import BaseRequest
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_server import Server

__all__ = ("RequestHandler", "RequestPayloadError", "PayloadAccessError")

#: Bytes after an ``Upgrade`` head kept while the handler decides whether to switch.
MAX_UPGRADE_TAIL: Final = 2**16

_TIMEOUT_408: Final = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
)
# RFC 9110 section 7.2 / RFC 3986 section 3.2.2: uri-host [ ":" port ].
_HOST_RE: Final = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?"
)


_Queued = tuple[Union[RawRequestMessage, ErrInfo], StreamReader]


class _PayloadParser(Protocol):
    """What :meth:`RequestHandler.set_parser` takes (the WebSocket reader)."""

    def feed_data(self, data: bytes) -> tuple[bool, bytes]: ...

    def feed_eof(self) -> None: ...


class _LogOptions(TypedDict, total=False):
    exc_info: object
    stack_info: bool
    stacklevel: int
    extra: Optional[dict[str, object]]


class _RequestHandlerOptions(TypedDict, total=False):
    """The keyword options of :class:`RequestHandler` (passed through ``Server(**kwargs)``)."""

    keepalive_timeout: float
    tcp_keepalive: bool
    logger: logging.Logger
    access_log_class: type[AbstractAccessLogger]
    access_log: Optional[logging.Logger]
    access_log_format: str
    debug: bool
    max_line_size: int
    max_headers: int
    max_field_size: int
    lingering_time: float
    read_bufsize: int
    auto_decompress: bool
    timeout_ceil_threshold: float
    read_head_timeout: float


def _host_error(message: RawRequestMessage, hosts: Sequence[str]) -> Optional[BadHttpMessage]:
    """Why the ``Host`` headers ``hosts`` of ``message`` are unacceptable (RFC 9112
    section 3.2), or None."""
    if len(hosts) != 1:
        if hosts:
            return BadHttpMessage("More than one Host header")
        if message.version >= (1, 1):
            return BadHttpMessage("Missing Host header")
        return None
    if _HOST_RE.fullmatch(hosts[0]) is None:
        return BadHttpMessage("Invalid Host header")
    return None


class RequestHandler(BaseProtocol, _BufferedReading):
    """Serves HTTP/1.x requests on one connection for a :class:`~aiohttp.web.Server`.

    ``read_head_timeout`` (an addition to aiohttp 3.13; default 30 s) bounds how long a
    request head may take to arrive; the other options are aiohttp 3.13's.
    """

    __slots__ = (
        "_cache",
        "_close",
        "_close_after_release",
        "_current_request",
        "_deadlines",
        "_force_close",
        "_handler_waiter",
        "_head_bytes",
        "_held_out",
        "_keepalive",
        "_keepalive_timeout",
        "_lingering_time",
        "_manager",
        "_message_tail",
        "_messages",
        "_payload_parser",
        "_peer_eof",
        "_plain",
        "_read_head_timeout",
        "_receiving",
        "_request_count",
        "_request_factory",
        "_request_handler",
        "_request_in_progress",
        "_request_parser",
        "_send_batch",
        "_task_handler",
        "_tcp_keepalive",
        "_upgrade",
        "_valid_host",
        "_waiter",
        "_waiting",
        "access_log",
        "access_logger",
        "debug",
        "logger",
    )

    def __init__(
        self,
        manager: Server,
        *,
        loop: asyncio.AbstractEventLoop,
        keepalive_timeout: float = 3630,
        tcp_keepalive: bool = True,
        logger: logging.Logger = server_logger,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        access_log: Optional[logging.Logger] = access_logger,
        access_log_format: str = AccessLogger.LOG_FORMAT,
        debug: bool = False,
        max_line_size: int = 8190,
        max_headers: int = 32768,
        max_field_size: int = 8190,
        lingering_time: float = 10.0,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        timeout_ceil_threshold: float = 5,
        read_head_timeout: float = 30.0,
    ) -> None:
        super().__init__(loop)
        self._manager: Optional[Server] = manager
        self._request_handler = manager.request_handler
        self._request_factory = manager.request_factory
        # Not a subclass: the module's serve_connection and finish_response are called
        # directly, not through the start() and finish_response() methods.
        self._plain = type(self) is RequestHandler
        self._request_count = 0
        self._keepalive = False
        self._keepalive_timeout = float(keepalive_timeout)
        self._read_head_timeout = float(read_head_timeout)
        self._lingering_time = float(lingering_time)
        self._tcp_keepalive = tcp_keepalive
        self._current_request: Optional[BaseRequest] = None
        self._messages: deque[_Queued] = deque()
        self._message_tail = b""
        self._waiter: Optional[asyncio.Future[None]] = None
        self._handler_waiter: Optional[asyncio.Future[None]] = None
        self._task_handler: Optional[asyncio.Task[None]] = None
        self._upgrade = False
        self._payload_parser: Optional[_PayloadParser] = None
        self._request_parser: Optional[HttpRequestParser] = HttpRequestParser(
            self,
            loop,
            read_bufsize,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            payload_exception=RequestPayloadError,
            auto_decompress=auto_decompress,
        )
        self._receiving: Optional[StreamReader] = None  # the body being received
        self._head_bytes = False  # part of a head has arrived
        self._valid_host = "\x00"  # the last Host value accepted (never matches at first)
        self._peer_eof = False
        self._close = False
        self._force_close = False
        self._request_in_progress = False
        self._cache: dict[str, object] = {}
        self._send_batch = manager._send_batch
        self._waiting = False  # counted in _send_batch.waiting: requests not yet taken up
        self._held_out: Optional[list[Byteish]] = None  # a finished response not yet written
        self._close_after_release = False
        self._deadlines = ConnectionDeadlines(
            loop, self._on_deadline, timeout_ceil_threshold, manager._second_timers
        )
        self.logger = logger
        self.debug = debug
        self.access_log = access_log
        self.access_logger: Optional[AbstractAccessLogger] = (
            access_log_class(access_log, access_log_format) if access_log is not None else None
        )

    def __repr__(self) -> str:
        state = "connected" if self.transport is not None else "disconnected"
        return f"<{type(self).__name__} {state}>"

    @property
    def keepalive_timeout(self) -> float:
        """Seconds an idle kept-alive connection stays open."""
        return self._keepalive_timeout

    @property
    def peername(self) -> object:
        """The peer address as the transport reports it (``(host, port)`` for TCP)."""
        return self._cache.get("peername")

    @property
    def ssl_context(self) -> object:
        """The TLS context of the connection, or ``None``."""
        return self._cache.get("sslcontext")

    # -- connection events -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        real = self.transport
        assert real is not None and self._manager is not None
        self._cache["peername"] = real.get_extra_info("peername")
        self._cache["sslcontext"] = real.get_extra_info("sslcontext")
        if self._tcp_keepalive:
            sock = real.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                except OSError:
                    pass
        self._manager.connection_made(self, real)
        self._deadlines.start_head(self._read_head_timeout)
        # serve_connection directly (one coroutine less) unless start() is overridden
        self._task_handler = self._loop.create_task(
            serve_connection(self) if self._plain else self.start()
        )

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        manager = self._manager
        if manager is None:
            return
        self._manager = None
        super().connection_lost(exc)
        self._force_close = True
        self._held_out = None  # nobody to read it
        self._leave_waiting()
        self._deadlines.close()
        parser, self._request_parser = self._request_parser, None
        if parser is not None and not self._upgrade:
            try:
                parser.feed_eof()  # a body cut short fails with RequestPayloadError
            except Exception:
                pass
        request = self._current_request
        if request is not None:
            request._cancel(
                exc if exc is not None else ClientConnectionResetError("Connection lost")
            )
        self._messages.clear()
        task = self._task_handler
        if manager.handler_cancellation and self._request_in_progress and task is not None:
            task.cancel()
        self._wake()
        payload_parser, self._payload_parser = self._payload_parser, None
        if payload_parser is not None:
            payload_parser.feed_eof()
        manager.connection_lost(self, exc)

    def eof_received(self) -> Optional[bool]:
        """The peer closed its side: treated as a disconnect (the transport closes and
        :meth:`connection_lost` follows), as a half-close cannot be told from a close.
        A response already held for the batch is written first: the transport sends what
        it has before it closes."""
        self._peer_eof = True
        self._release_output()
        return None

    def data_received(self, data: bytes) -> None:
        if self._force_close:
            return
        payload_parser = self._payload_parser
        if payload_parser is not None:
            eof, _ = payload_parser.feed_data(data)
            if eof:
                self.close()
            return
        if self._upgrade:
            self._message_tail += data
            if len(self._message_tail) > MAX_UPGRADE_TAIL:
                self.pause_reading()
            return
        parser = self._request_parser
        if parser is None:
            return  # after a protocol error: discard until closed
        try:
            messages, upgraded, tail = parser.feed_data(data)
        except HttpProcessingError as exc:
            self._protocol_error(exc)
            return
        if messages:
            self._queue(messages)
        elif self._receiving is None or self._receiving.is_eof():
            # Bytes that completed no head and fed no body: a head is on its way.
            self._receiving = None
            self._head_bytes = True
            self._deadlines.start_head(self._read_head_timeout)
        if upgraded:
            self._upgrade = True
            self._message_tail = tail

    def _queue(self, messages: list[tuple[RawRequestMessage, StreamReader]]) -> None:
        deadlines = self._deadlines
        deadlines.head = None
        self._head_bytes = False
        queue = self._messages
        for message, payload in messages:
            hosts = message.headers.getall(hdrs.HOST, ())
            # A lone Host equal to the last one accepted skips the checks.
            if len(hosts) != 1 or hosts[0] != self._valid_host:
                error = _host_error(message, hosts)
                if error is not None:
                    self._protocol_error(error)
                    return
                self._valid_host = hosts[0] if hosts else ""
            queue.append((message, payload))
            self._request_count += 1
        if not self._waiting:
            self._waiting = True
            self._send_batch.waiting += 1
        last = messages[-1][1]
        self._receiving = None if last.is_eof() else last
        self._wake()
        if len(queue) >= MAX_QUEUED_REQUESTS:
            self.pause_reading()

    def _protocol_error(self, exc: HttpProcessingError) -> None:
        """Answer a malformed request with its status (400 ...) in turn, then close."""
        self._request_parser = None
        self._deadlines.head = None
        receiving = self._receiving
        if receiving is not None and not receiving.is_eof():
            # The error is in a body: its reader raises it; the connection ends after.
            self._close = True
            return
        status = exc.code if 400 <= exc.code < 600 else 400
        self._messages.append((ErrInfo(status, exc, exc.message), EMPTY_PAYLOAD))
        self._wake()

    def _leave_waiting(self) -> None:
        """The request loop has taken up every queued request (see ``_waiting``)."""
        if self._waiting:
            self._waiting = False
            self._send_batch.waiting -= 1

    def _hold_output(self, data: list[Byteish]) -> None:
        """Keep ``data``, a finished response, to be written with the others finished in this
        loop iteration (see :mod:`aiohttp._web_send_batch`); a large one is written now."""
        self._release_output()  # (the request loop never holds two; order is kept anyway)
        self._held_out = data
        if sum(map(len, data)) > HOLD_LIMIT:
            self._release_output()
        else:
            self._send_batch.hold(self)

    def _release_output(self) -> None:
        """Write the held response, if any (before anything else is written or closed),
        and close the connection if its request loop ended meanwhile."""
        data = self._held_out
        if data is None:
            return
        self._held_out = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if len(data) == 1:
            transport.write(data[0])
        else:
            transport.writelines(data)
        if self._close_after_release:
            transport.close()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_deadline(self, which: Expired) -> None:
        if self._force_close:
            return
        if which == "idle":
            if not self._request_in_progress and not self._messages:
                self.log_debug("Closing idle keep-alive connection")
                self.force_close()
            return
        self.log_debug("Request head not complete within read_head_timeout")
        self._request_parser = None  # discard the rest of the head
        self._release_output()
        transport = self.transport
        if (
            transport is not None
            and self._head_bytes
            and not self._request_in_progress
            and not self._messages
        ):
            transport.write(_TIMEOUT_408)
        self.close()  # answer what is queued, then close

    def resume_reading(self) -> None:
        # Body readers resume reading as they drain; the request queue and a held upgrade
        # tail have the last word.
        if len(self._messages) >= MAX_QUEUED_REQUESTS or len(self._message_tail) > MAX_UPGRADE_TAIL:
            return
        super().resume_reading()

    # -- control -------------------------------------------------------------------------------

    def set_parser(self, parser: _PayloadParser) -> None:
        """Hand every later byte to ``parser`` (a WebSocket reader) instead of HTTP."""
        assert self._payload_parser is None
        self._payload_parser = parser
        self._deadlines.head = None
        tail, self._message_tail = self._message_tail, b""
        if tail:
            parser.feed_data(tail)
        self.resume_reading()

    def keep_alive(self, val: bool) -> None:
        """Set whether the connection stays open after the current response."""
        self._keepalive = val

    def close(self) -> None:
        """Close the connection once the current response is sent (queued requests are
        dropped)."""
        self._close = True
        self._wake()

    def force_close(self) -> None:
        """Close the connection now."""
        self._force_close = True
        self._wake()
        self._release_output()
        transport = self.transport
        if transport is not None:
            transport.close()
            self.transport = None

    async def shutdown(self, timeout: Optional[float] = 15.0) -> None:
        """Stop taking requests; give the one in progress ``timeout`` seconds to finish,
        then cancel it; close the connection."""
        self._close = True
        self._deadlines.cancel()
        self._wake()
        if self._request_in_progress:
            waiter = self._handler_waiter = self._loop.create_future()
            try:
                await asyncio.wait_for(asyncio.shield(waiter), timeout)
            except asyncio.TimeoutError:
                pass
            finally:
                self._handler_waiter = None
        task = self._task_handler
        if task is not None and not task.done():
            if self._current_request is not None:
                self._current_request._cancel(asyncio.CancelledError())
            task.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                pass
        self.force_close()

    # -- logging -----------------------------------------------------------------------------

    def log_access(
        self, request: BaseRequest, response: StreamResponse, time: Optional[float]
    ) -> None:
        """Write the access-log line for ``request`` (``time``: when it started, loop time)."""
        logger = self.access_logger
        if logger is not None and logger.enabled:
            elapsed = self._loop.time() - time if time is not None else 0.0
            logger.log(request, response, elapsed)

    def log_debug(self, *args: object, **kw: Unpack[_LogOptions]) -> None:
        """``logger.debug`` when the server runs with ``debug=True``."""
        if self.debug:
            self.logger.debug(*args, **kw)  # type: ignore[arg-type]  # msg is args[0]

    def log_exception(self, *args: object, **kw: Unpack[_LogOptions]) -> None:
        """``logger.exception``."""
        self.logger.exception(*args, **kw)  # type: ignore[arg-type]  # msg is args[0]

    # -- serving -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Answer queued requests in order until the connection should close."""
        await serve_connection(self)

    async def finish_response(
        self, request: BaseRequest, resp: StreamResponse, start_time: Optional[float]
    ) -> tuple[StreamResponse, bool]:
        """Send ``resp`` for ``request``; return it and whether the connection broke."""
        return await finish_response(self, request, resp, start_time)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: Optional[BaseException] = None,
        message: Optional[str] = None,
    ) -> StreamResponse:
        """The error page for ``request`` (see the module docstring); logged, and the
        connection closes after it.

        :raises ConnectionError: part of a response was already sent.
        """
        if status >= 500:
            if exc is not None:
                self.log_exception("Error handling request from %s", request.remote, exc_info=exc)
            else:
                self.logger.error("Error handling request from %s: %s", request.remote, status)
        else:
            self.log_debug("Bad request from %s: %s", request.remote, message)
        if request.writer.output_size > 0:
            raise ConnectionError(
                "Response is sent already, cannot send another response with the error message"
            )
        tb = None
        if self.debug and status >= 500 and exc is not None:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return error_page(status, message, tb, request.headers.get(hdrs.ACCEPT, ""))
