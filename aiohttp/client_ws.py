"""Client-side WebSockets: :class:`ClientWebSocketResponse` and :class:`ClientWSTimeout`.

``await session.ws_connect(url)`` (see :mod:`aiohttp._client_ws_connect`) performs the
opening handshake and hands the connection to a :class:`ClientWebSocketResponse`: from then
on a :class:`~aiohttp.http_websocket.WebSocketReader` in the client role parses what the
server sends (a masked frame from the server is a protocol error, answered with 1002) and a
masking :class:`~aiohttp.http_websocket.WebSocketWriter` sends.  Everything after the
handshake -- the receive loop, the closing handshake, heartbeat, timeouts -- is the
:class:`~aiohttp._ws_session.WebSocketSession` the server side uses too; this class adds the
client's view of it (the HTTP response it came from, the ``ClientWSTimeout`` settings).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import TYPE_CHECKING, Optional

from ._client_timeouts import (
    DEFAULT_WS_CLIENT_TIMEOUT as DEFAULT_WS_CLIENT_TIMEOUT,
    ClientWSTimeout as ClientWSTimeout,
)
from ._ws_messages import _WebSocketMessages, bind_message_api
from ._ws_session import MessageQueue, WebSocketSession
from .client_reqrep import ClientResponse
from .http_websocket import (
    WS_CLOSED_MESSAGE as WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE as WS_CLOSING_MESSAGE,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from .typedefs import (
    JSONDecoder as JSONDecoder,
    JSONEncoder as JSONEncoder,
)

if TYPE_CHECKING:
    from typing_extensions import Self


class ClientWebSocketResponse(_WebSocketMessages):
    """An open WebSocket on the client side of a connection; made by
    :meth:`ClientSession.ws_connect() <aiohttp.ClientSession.ws_connect>`, not directly.

    :param reader: the queue the connection's WebSocket reader fills.
    :param writer: the (masking) frame writer.
    :param protocol: the subprotocol the handshake chose, or None.
    :param response: the ``101`` response the WebSocket came from; closing the WebSocket
        closes it (and so the connection).
    :param timeout: ``ws_receive`` is the default timeout of :meth:`receive`, ``ws_close``
        how long :meth:`close` waits for the server's close frame (None: no limit).
    :param autoclose: answer the server's close frame at once.
    :param autoping: answer pings, and swallow pongs, inside :meth:`receive`.
    :param heartbeat: ping the server after this many quiet seconds; when no frame comes
        back within half that time the connection is closed (close code 1006, and
        :meth:`exception` is a :class:`~aiohttp.ServerTimeoutError`).
    :param compress: the negotiated permessage-deflate window bits (``0``: off).
    :param client_notakeover: the server asked us to reset the compression context after
        every message.
    """

    _session: WebSocketSession

    def __init__(
        self,
        reader: MessageQueue,
        writer: WebSocketWriter,
        protocol: Optional[str],
        response: ClientResponse,
        timeout: ClientWSTimeout,
        autoclose: bool,
        autoping: bool,
        loop: asyncio.AbstractEventLoop,
        *,
        heartbeat: Optional[float] = None,
        compress: int = 0,
        client_notakeover: bool = False,
    ) -> None:
        self._response = response
        self._conn = response.connection
        self._protocol = protocol
        self._timeout = timeout
        self._compress = compress
        self._client_notakeover = client_notakeover
        self._loop = loop
        self._session = WebSocketSession(
            reader,
            writer,
            loop=loop,
            close_transport=response.close,
            timeout=timeout.ws_close,
            receive_timeout=timeout.ws_receive,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
        )

    def _started(self) -> WebSocketSession:
        return self._session

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} {state} {self._response.url}>"

    # -- state -----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (or the server's close frame was answered, or
        the connection failed)."""
        return self._session.closed

    @property
    def close_code(self) -> Optional[int]:
        """The close code: the server's, or the one a failure closed with; None while open.
        A connection that ended without a close frame reports 1006."""
        return self._session.close_code

    @property
    def protocol(self) -> Optional[str]:
        """The subprotocol the server chose, or None."""
        return self._protocol

    @property
    def compress(self) -> int:
        """The negotiated permessage-deflate window bits (``0``: not in use)."""
        return self._compress

    @property
    def client_notakeover(self) -> bool:
        """Whether we reset the compression context after every message."""
        return self._client_notakeover

    def get_extra_info(self, name: str, default: object = None) -> object:
        """Transport information (``"peername"``, ``"sslcontext"`` ...), or ``default`` once
        the connection is gone."""
        conn = self._response.connection
        transport = None if conn is None else conn.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    def exception(self) -> Optional[BaseException]:
        """The error that ended the connection, if any."""
        return self._session.exception()

    # -- sending ---------------------------------------------------------------------------

    async def ping(self, message: bytes = b"") -> None:
        """Send a ping (at most 125 bytes)."""
        await self._session.send_frame(message, WSMsgType.PING)

    async def pong(self, message: bytes = b"") -> None:
        """Send an unsolicited pong (at most 125 bytes)."""
        await self._session.send_frame(message, WSMsgType.PONG)

    # -- receiving -------------------------------------------------------------------------

    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        """Return the next message.

        Pings are answered and pongs swallowed here (with ``autoping``); the server's close
        frame is answered (with ``autoclose``) and returned as a ``CLOSE`` message.  After
        that come ``CLOSING`` (close frame received, ours not sent yet) or ``CLOSED``
        messages; a protocol error or failure is returned once as an ``ERROR`` message
        (a protocol error is also answered with its close code).  Only one task may
        receive at a time.

        :param timeout: overrides ``ClientWSTimeout.ws_receive`` for this call.
        :raises asyncio.TimeoutError: nothing arrived in time (the WebSocket stays open).
        :raises RuntimeError: while another task receives, or when called again and again
            after ``CLOSED`` was returned.
        """
        return await self._session.receive(timeout)

    # -- closing ---------------------------------------------------------------------------

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes = b"") -> bool:
        """Close the WebSocket: send a close frame with ``code`` and ``message`` (at most
        123 bytes), wait up to ``ws_close`` seconds for the server's close frame, then close
        the connection.  Safe to call from any task, also while another one receives.

        :returns: True if this call closed the WebSocket, False if it was closed already.
        :raises ValueError: ``code`` or ``message`` cannot be sent (before anything is).
        """
        return await self._session.close(code=code, message=message)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        await self.close()


bind_message_api(ClientWebSocketResponse)
ClientWSTimeout.__module__ = __name__
