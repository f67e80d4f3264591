"""Server-side WebSockets: :class:`WebSocketResponse` and :class:`WebSocketReady`.

A handler returns a :class:`WebSocketResponse` after :meth:`~WebSocketResponse.prepare`
answered the opening handshake with ``101 Switching Protocols``; from then on the connection
speaks RFC 6455: the request handler hands every received byte to a
:class:`~aiohttp.http_websocket.WebSocketReader` in the server role (so unmasked frames are
refused with 1002), and the messages it assembles are read with
:meth:`~WebSocketResponse.receive` or ``async for``.  The handshake checks live in
:mod:`aiohttp._ws_handshake`; everything after it (receive loop, closing handshake,
heartbeat, timeouts) in :mod:`aiohttp._ws_session`, which the client shares.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Optional, Union

import attrs

from ._ws_handshake import HandshakeRefused, ServerHandshake, server_handshake
from ._ws_messages import _WebSocketMessages, bind_message_api
from ._ws_session import MessageQueue, MessageReader, WebSocketSession
from .abc import AbstractStreamWriter
from .client_exceptions import ClientConnectionResetError
from .http_websocket import (
    WS_CLOSED_MESSAGE as WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE as WS_CLOSING_MESSAGE,
    WS_KEY as WS_KEY,
    WebSocketReader as WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType as WSMsgType,
)
from .log import ws_logger
from .web_exceptions import HTTPBadRequest, HTTPException, HTTPMethodNotAllowed
from .web_request import BaseRequest
from .web_response import StreamResponse

if TYPE_CHECKING:
    pass

__all__ = ("WebSocketResponse", "WebSocketReady", "WSMsgType")

#: Largest message accepted by default (after decompression), in bytes.
DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024


@attrs.frozen
class WebSocketReady:
    """The answer of :meth:`WebSocketResponse.can_prepare`: whether the handshake would
    succeed (``ok``, also the truth value) and the subprotocol it would choose."""

    ok: bool
    protocol: Optional[str]

    def __bool__(self) -> bool:
        return self.ok


def _http_error(method: str, refused: HandshakeRefused) -> HTTPException:
    if refused.status == 405:
        return HTTPMethodNotAllowed(method, ["GET"], text=refused.message)
    return HTTPBadRequest(headers=refused.headers, text=refused.message)


class WebSocketResponse(_WebSocketMessages, StreamResponse):
    """A WebSocket on the server side of a connection.

    :param timeout: seconds :meth:`close` waits for the peer's close frame.
    :param receive_timeout: default timeout of :meth:`receive` (None: wait forever).
    :param autoclose: answer the peer's close frame at once (else call :meth:`close`).
    :param autoping: answer pings, and swallow pongs, inside :meth:`receive`.
    :param heartbeat: ping the client after this many quiet seconds; when no frame comes
        back within half that time the connection is closed (code 1006, and
        :meth:`exception` is a :class:`~aiohttp.ServerTimeoutError`).
    :param protocols: the subprotocols we speak; the first one the client offers wins.
    :param compress: accept permessage-deflate when the client offers it.
    :param max_msg_size: largest message received (after decompression), in bytes; ``0``
        for no limit.  A larger one closes the connection with 1009.
    :param writer_limit: bytes written before sends wait for the transport to drain.
    """

    _length_check = False

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        receive_timeout: Optional[float] = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: Optional[float] = None,
        protocols: Iterable[str] = (),
        compress: bool = True,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        writer_limit: int = 2**16,
    ) -> None:
        super().__init__(status=101)
        if max_msg_size < 0:
            raise ValueError(f"max_msg_size must be >= 0, got {max_msg_size!r}")
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(f"heartbeat must be a positive number of seconds, got {heartbeat!r}")
        self._protocols = tuple(protocols)
        self._ws_protocol: Optional[str] = None
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._compress: int = compress
        self._max_msg_size = max_msg_size
        self._writer_limit = writer_limit
        self._session: Optional[WebSocketSession] = None

    # -- handshake -------------------------------------------------------------------------

    def _handshake(self, request: BaseRequest) -> ServerHandshake:
        try:
            return server_handshake(
                request.method,
                (request.version.major, request.version.minor),
                request.headers,
                self._protocols,
                bool(self._compress),
            )
        except HandshakeRefused as exc:
            raise _http_error(request.method, exc) from None

    def can_prepare(self, request: BaseRequest) -> WebSocketReady:
        """Whether :meth:`prepare` would accept ``request``, and the subprotocol it would
        choose; never raises for a bad request.

        :raises RuntimeError: the WebSocket is already prepared.
        """
        if self._session is not None:
            raise RuntimeError("Already started")
        try:
            handshake = self._handshake(request)
        except HTTPException:
            return WebSocketReady(False, None)
        return WebSocketReady(True, handshake.protocol)

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter:
        """Answer the opening handshake and switch the connection to WebSocket.

        Idempotent: a second call returns the same writer.

        :raises HTTPBadRequest: the request is not a valid WebSocket upgrade (400).
        :raises HTTPMethodNotAllowed: the request is not a GET (405).
        """
        writer = self._payload_writer
        if writer is not None:
            return writer
        if self._eof_sent:
            raise RuntimeError("The WebSocket is closed already")
        handshake = self._handshake(request)
        if (
            handshake.protocol is None
            and self._protocols
            and request.headers.get("Sec-WebSocket-Protocol")
        ):
            ws_logger.warning(
                "Client protocols %r don't overlap server-known ones %r",
                request.headers.get("Sec-WebSocket-Protocol"),
                self._protocols,
            )
        protocol = request.protocol
        transport = protocol.transport
        if transport is None:
            raise ClientConnectionResetError("Connection lost before the WebSocket handshake")
        self.headers.update(handshake.headers)
        self.force_close()
        self._ws_protocol = handshake.protocol
        self._compress = handshake.compress
        payload_writer = await super().prepare(request)
        assert payload_writer is not None
        loop = asyncio.get_running_loop()
        queue = MessageQueue(protocol, loop=loop)
        ws_writer = WebSocketWriter(
            protocol,
            transport,
            limit=self._writer_limit,
            compress=handshake.compress,
            notakeover=handshake.notakeover,
        )
        protocol.set_parser(
            MessageReader(
                queue, self._max_msg_size, compress=bool(handshake.compress), role="server"
            )
        )
        protocol.keep_alive(False)
        payload_writer.send_headers()
        self._session = WebSocketSession(
            queue,
            ws_writer,
            loop=loop,
            close_transport=transport.close,
            timeout=self._timeout,
            receive_timeout=self._receive_timeout,
            autoclose=self._autoclose,
            autoping=self._autoping,
            heartbeat=self._heartbeat,
        )
        await payload_writer.drain()
        return payload_writer

    def _started(self) -> WebSocketSession:
        session = self._session
        if session is None:
            raise RuntimeError("Call .prepare() first")
        return session

    # -- state -----------------------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        """True once :meth:`prepare` switched the connection to WebSocket."""
        return self._session is not None

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (or the peer's close frame was answered, or
        the connection failed)."""
        session = self._session
        return session is not None and session.closed

    @property
    def close_code(self) -> Optional[int]:
        """The close code: the peer's, or the one a failure closed with; None while open."""
        session = self._session
        return None if session is None else session.close_code

    @property
    def ws_protocol(self) -> Optional[str]:
        """The subprotocol chosen by the handshake, or None."""
        return self._ws_protocol

    @property
    def compress(self) -> int:
        """The ``compress`` argument before :meth:`prepare`; after it, the negotiated
        permessage-deflate window bits (``0``: not in use)."""
        return self._compress

    def get_extra_info(self, name: str, default: object = None) -> object:
        """Transport information (``"peername"``, ``"sslcontext"`` ...), or ``default``
        before :meth:`prepare` and after the connection closed."""
        session = self._session
        if session is None:
            return default
        transport = session.writer.transport
        if transport.is_closing():
            return default
        return transport.get_extra_info(name, default)

    def exception(self) -> Optional[BaseException]:
        """The error that ended the connection, if any."""
        session = self._session
        return None if session is None else session.exception()

    # -- sending ---------------------------------------------------------------------------

    async def ping(self, message: Union[bytes, str] = b"") -> None:
        """Send a ping (a ``str`` is sent UTF-8 encoded; at most 125 bytes)."""
        data = message.encode("utf-8") if isinstance(message, str) else message
        await self._started().send_frame(data, WSMsgType.PING)

    async def pong(self, message: Union[bytes, str] = b"") -> None:
        """Send an unsolicited pong (a ``str`` is sent UTF-8 encoded)."""
        data = message.encode("utf-8") if isinstance(message, str) else message
        await self._started().send_frame(data, WSMsgType.PONG)

    # -- receiving -------------------------------------------------------------------------

    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        """Return the next message.

        Pings are answered and pongs swallowed here (with ``autoping``); the peer's close
        frame is answered (with ``autoclose``) and returned as a ``CLOSE`` message.  After
        that come ``CLOSING`` (close frame received, ours not sent yet) or ``CLOSED``
        messages; a protocol error or failure is returned once as an ``ERROR`` message.
        Only one task may receive at a time.

        :param timeout: overrides ``receive_timeout`` for this call.
        :raises asyncio.TimeoutError: nothing arrived in time (the WebSocket stays open).
        :raises RuntimeError: before :meth:`prepare`, while another task receives, or when
            called again and again after ``CLOSED`` was returned.
        """
        return await self._started().receive(timeout)

    # -- closing ---------------------------------------------------------------------------

    async def close(
        self, *, code: int = WSCloseCode.OK, message: Union[bytes, str] = b"", drain: bool = True
    ) -> bool:
        """Close the WebSocket: send a close frame with ``code`` and ``message`` (at most
        123 bytes), wait up to ``timeout`` seconds for the peer's close frame, then close
        the connection.  Safe to call from any task, also while another one receives.

        :param drain: wait for the close frame to leave the send buffer first.
        :returns: True if this call closed the WebSocket, False if it was closed already.
        :raises RuntimeError: before :meth:`prepare`.
        :raises ValueError: ``code`` or ``message`` cannot be sent (before anything is).
        """
        return await self._started().close(code=code, message=message, drain=drain)

    async def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Not available on a WebSocket: raises :class:`RuntimeError`."""
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self) -> None:  # type: ignore[override]  # 3.13 takes no data here
        """Close the WebSocket (if still open) when the handler is done; idempotent."""
        if self._eof_sent:
            return
        session = self._session
        if session is None:
            raise RuntimeError("Response has not been started")
        if not await session.close():
            await session.wait_closed()  # a close in another task is still in progress
        self._eof_sent = True


bind_message_api(WebSocketResponse)
