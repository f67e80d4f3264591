"""The asyncio protocol of one client connection: :class:`ResponseHandler`.

It feeds received bytes to an :class:`~aiohttp.http_parser.HttpResponseParser` (a fresh one per
request, made by :meth:`ResponseHandler.set_response_params`) and queues each response head with
the :class:`~aiohttp.streams.StreamReader` of its body for :meth:`ResponseHandler.read`. It owns
the per-read timeout (``sock_read``), knows whether the connection may be reused
(:attr:`ResponseHandler.should_close`), keeps the bytes that follow a protocol switch for the
WebSocket reader (:meth:`ResponseHandler.set_parser`), and turns the connection ending into the
client errors: :class:`~aiohttp.ServerDisconnectedError` while a response head is awaited,
:class:`~aiohttp.ClientPayloadError` on a body that was cut short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from contextlib import suppress
from typing import Final, Optional, Protocol

from .base_protocol import BaseProtocol
from .client_exceptions import (
    ClientConnectionError,
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from .helpers import (
    _EXC_SENTINEL,
    EMPTY_BODY_STATUS_CODES,
    BaseTimerContext,
    ceil_deadline,
)
from .http_exceptions import HttpProcessingError, PayloadEncodingError
from .http_parser import HttpResponseParser, RawResponseMessage
from .streams import EMPTY_PAYLOAD, DataQueue, StreamReader

__all__ = ("ResponseHandler",)

#: Default bound on the number of header fields in one response head.
DEFAULT_MAX_HEADERS: Final = 128

_Message = tuple[RawResponseMessage, StreamReader]


class _BodySink(Protocol):
    """What the protocol needs from the reader a body (or WebSocket messages) go into."""

    def is_eof(self) -> bool: ...

    def set_exception(self, exc: BaseException, exc_cause: BaseException = ..., /) -> None: ...


class _PayloadParser(Protocol):
    """A parser taking over the connection after a protocol switch (the WebSocket reader)."""

    def feed_data(self, data: bytes, /) -> tuple[bool, bytes]: ...

    def feed_eof(self) -> None: ...


class ResponseHandler(BaseProtocol):
    """Reads the responses of one client connection (see the module docstring).

    One request is in flight at a time: the session calls :meth:`set_response_params`
    before sending each request, then awaits :meth:`read` for the head. A response that
    arrives when no request is waiting for one is a protocol error and closes the connection.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._messages: DataQueue[_Message] = DataQueue(loop)
        self._should_close = False
        self._payload: Optional[_BodySink] = None
        self._skip_payload = False
        self._payload_parser: Optional[_PayloadParser] = None
        self._tail = b""
        self._parser: Optional[HttpResponseParser] = None
        self._expecting = False
        self._read_timeout: Optional[float] = None
        self._read_timeout_handle: Optional[asyncio.TimerHandle] = None
        self._timeout_ceil_threshold: float = 5
        self._closed: Optional[asyncio.Future[None]] = loop.create_future()

    # -- state ------------------------------------------------------------------------------

    @property
    def closed(self) -> Optional[asyncio.Future[None]]:
        """A future resolved when the connection is lost (failed if it was lost with an
        error); ``None`` once it was awaited and dropped."""
        return self._closed

    @property
    def should_close(self) -> bool:
        """True unless the connection is clean for another request: the last response was
        keep-alive, its body was read to the end, nothing unexpected arrived after it, no
        error occurred and the protocol was not switched."""
        messages = self._messages  # (its state read directly: two calls less per request)
        return bool(
            self._should_close
            or (self._payload is not None and not self._payload.is_eof())
            or self._upgraded
            or messages._exception is not None
            or self._payload_parser is not None
            or messages._buffer
            or self._tail
        )

    def force_close(self) -> None:
        """Mark the connection as not reusable."""
        self._should_close = True

    def close(self) -> None:
        """Close the transport (buffered data is flushed first)."""
        transport = self.transport
        if transport is not None:
            transport.close()
            self.transport = None
            self._payload = None
            self._drop_timeout()

    def abort(self) -> None:
        """Close the transport at once, dropping buffered data."""
        transport = self.transport
        if transport is not None:
            transport.abort()
            self.transport = None
            self._payload = None
            self._drop_timeout()

    def is_connected(self) -> bool:
        """True while the transport is open and not closing."""
        transport = self.transport
        return transport is not None and not transport.is_closing()

    # -- the queue of response heads ---------------------------------------------------

    def read(self) -> Coroutine[object, None, _Message]:
        """The next response head and its body reader; await it.

        :raises HttpProcessingError: the response head was malformed or too large.
        :raises ServerDisconnectedError: the connection closed before a head arrived.
        :raises SocketTimeoutError: no data arrived within the read timeout.
        """
        # The queue's own coroutine, not one awaiting it: one frame less on every resume.
        return self._messages.read()

    def exception(self) -> Optional[BaseException]:
        """The error that ended the queue of responses, if any."""
        return self._messages.exception()

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        """Fail the connection: :meth:`read` raises ``exc``; it will not be reused."""
        self._should_close = True
        self._drop_timeout()
        self._messages.set_exception(exc, exc_cause)

    def is_eof(self) -> bool:
        return self._messages.is_eof()

    def at_eof(self) -> bool:
        return self._messages.at_eof()

    # -- configuration -----------------------------------------------------------------

    def set_response_params(
        self,
        *,
        timer: Optional[BaseTimerContext] = None,
        skip_payload: bool = False,
        read_until_eof: bool = False,
        auto_decompress: bool = True,
        read_timeout: Optional[float] = None,
        read_bufsize: int = 2**16,
        timeout_ceil_threshold: float = 5,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = DEFAULT_MAX_HEADERS,
        method: Optional[str] = None,
    ) -> None:
        """Prepare for the response to the next request.

        ``skip_payload``: the response has no body (the request was ``HEAD``);
        ``read_until_eof``: accept a body delimited only by the connection closing;
        ``read_timeout``: most seconds between two reads once the request is sent (``None``
        or ``0``: none); ``read_bufsize``: body buffer limit; ``max_*``: response head
        limits (bytes of the status line, bytes of one header field, number of fields).
        ``method`` (an extension) is the request method, so a response to ``CONNECT`` is
        recognised as opening a tunnel.
        """
        self._prepare(
            timer, skip_payload, read_until_eof, auto_decompress, read_timeout, read_bufsize,
            timeout_ceil_threshold, max_line_size, max_field_size, max_headers, method,
        )  # fmt: skip

    def _prepare(
        self,
        timer: Optional[BaseTimerContext],
        skip_payload: bool,
        read_until_eof: bool,
        auto_decompress: bool,
        read_timeout: Optional[float],
        read_bufsize: int,
        timeout_ceil_threshold: float,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
        method: Optional[str],
    ) -> None:
        """:meth:`set_response_params` with positional arguments (cheaper to call); the
        session calls it directly on a :class:`ResponseHandler` (not on subclasses)."""
        self._skip_payload = skip_payload
        self._read_timeout = read_timeout
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._expecting = True
        parser = self._parser
        # The parser of the previous response when it is clean (cheaper than a new one).
        if parser is None or not parser._rearm(
            read_bufsize, timer, method, not skip_payload, read_until_eof, auto_decompress,
            max_line_size, max_field_size, max_headers,
        ):  # fmt: skip
            self._parser = HttpResponseParser(
                self,
                self._loop,
                read_bufsize,
                max_line_size=max_line_size,
                max_headers=max_headers,
                max_field_size=max_field_size,
                timer=timer,
                method=method,
                payload_exception=ClientPayloadError,
                response_with_body=not skip_payload,
                read_until_eof=read_until_eof,
                auto_decompress=auto_decompress,
            )
        if self._tail:
            data, self._tail = self._tail, b""
            self.data_received(data)

    def set_parser(self, parser: _PayloadParser, payload: _BodySink) -> None:
        """Hand the connection to ``parser`` (after a protocol switch); the bytes that
        followed the switch are fed to it at once."""
        self._payload = payload
        self._payload_parser = parser
        self._drop_timeout()
        if self._tail:
            data, self._tail = self._tail, b""
            self.data_received(data)

    # -- read timeout ------------------------------------------------------------------

    @property
    def read_timeout(self) -> Optional[float]:
        """Most seconds allowed between two reads (``None``: no limit)."""
        return self._read_timeout

    @read_timeout.setter
    def read_timeout(self, read_timeout: Optional[float]) -> None:
        self._read_timeout = read_timeout

    def start_timeout(self) -> None:
        """Arm the read timeout (the request was sent; the response is now awaited)."""
        if self._read_timeout or self._read_timeout_handle is not None:
            self._reschedule_timeout()  # (which would do nothing otherwise)

    def _drop_timeout(self) -> None:
        handle = self._read_timeout_handle
        if handle is not None:
            handle.cancel()
            self._read_timeout_handle = None

    def _reschedule_timeout(self) -> None:
        self._drop_timeout()
        timeout = self._read_timeout
        if timeout:
            when = ceil_deadline(self._loop.time(), timeout, self._timeout_ceil_threshold)
            self._read_timeout_handle = self._loop.call_at(when, self._on_read_timeout)

    def _on_read_timeout(self) -> None:
        self._read_timeout_handle = None
        exc = SocketTimeoutError("Timeout on reading data from socket")
        self.set_exception(exc)
        payload = self._payload
        if payload is not None and not payload.is_eof():
            payload.set_exception(exc, _EXC_SENTINEL)

    def pause_reading(self) -> None:
        super().pause_reading()
        self._drop_timeout()

    def resume_reading(self) -> None:
        super().resume_reading()
        self._reschedule_timeout()

    # -- asyncio.Protocol --------------------------------------------------------------

    def eof_received(self) -> None:
        self._drop_timeout()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._drop_timeout()
        clean = exc is None
        closed = self._closed
        if closed is not None and not closed.done():
            if clean:
                closed.set_result(None)
            else:
                closed.set_exception(ClientConnectionError(f"Connection lost: {exc!r}"))
                closed.exception()  # nobody may await it: don't log "never retrieved"
        if self._payload_parser is not None:
            with suppress(Exception):
                self._payload_parser.feed_eof()
        payload = self._payload
        if exc is not None and payload is not None and not payload.is_eof():
            # Even a body delimited by the close is incomplete when the close was an error.
            payload.set_exception(
                ClientPayloadError(f"Response payload is not completed: {exc!r}"), exc
            )
        elif self._parser is not None:
            try:
                self._parser.feed_eof()
            except Exception:
                pass  # the parser has set the error (a ClientPayloadError) on the body
        if not self._messages.is_eof():
            error: BaseException
            if clean:
                error = ServerDisconnectedError()
            elif isinstance(exc, OSError):
                error = ClientOSError(*exc.args)
            else:
                assert exc is not None
                error = exc
            self.set_exception(error, _EXC_SENTINEL if exc is None else exc)
        self._should_close = True
        self._parser = None
        self._payload = None
        self._payload_parser = None
        self._reading_paused = False
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._read_timeout or self._read_timeout_handle is not None:
            self._reschedule_timeout()  # (which would do nothing otherwise)
        if not data:
            return
        if self._payload_parser is not None:
            eof, tail = self._payload_parser.feed_data(data)
            if eof:
                self._payload = None
                self._payload_parser = None
                if tail:
                    self.data_received(tail)
            return
        parser = self._parser
        if self._upgraded or parser is None:
            # After a protocol switch, until the WebSocket reader is set; or before the
            # first request: keep the bytes.
            self._tail += data
            return
        try:
            messages, upgraded, tail = parser.feed_data(data)
        except Exception as exc:
            self._fail_head(exc)
            return
        self._upgraded = upgraded
        for message, body in messages:
            self._deliver(message, body)
            if self.transport is None:
                return
        if tail:
            if upgraded:
                self.data_received(tail)
            else:
                self._tail = tail

    def _deliver(self, message: RawResponseMessage, body: StreamReader) -> None:
        if not self._expecting:
            # A response nobody asked for: the peer is out of step with us.
            self._should_close = True
            self.set_exception(ServerDisconnectedError("Unexpected response from server"))
            self.close()
            return
        if message.should_close:
            self._should_close = True
        interim = 100 <= message.code < 200 and message.code != 101
        if not interim:
            self._expecting = False
        if self._skip_payload or message.code in EMPTY_BODY_STATUS_CODES:
            body = EMPTY_PAYLOAD
        self._payload = body
        self._messages.feed_data((message, body), 0)
        if body is EMPTY_PAYLOAD:
            if not interim:
                self._drop_timeout()
        else:
            body.on_eof(self._drop_timeout)

    def _fail_head(self, exc: BaseException) -> None:
        """A parse error: close, and fail whoever waits for a head (a body that was being
        received got the error from the parser already).

        A body error can arrive in the same read as its head, which is then not
        delivered; it still fails as the body error it is (:class:`ClientPayloadError`),
        not as a malformed head.
        """
        if self.transport is not None:
            self.transport.close()
        error: BaseException
        if isinstance(exc, PayloadEncodingError):
            error = ClientPayloadError(f"Response payload is not completed: {exc!r}")
        elif isinstance(exc, HttpProcessingError):
            error = exc
        else:
            error = HttpProcessingError(message=repr(exc))
        self.set_exception(error, exc)
