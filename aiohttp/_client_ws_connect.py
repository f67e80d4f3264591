"""Opening a client WebSocket: what :meth:`aiohttp.ClientSession.ws_connect` runs.

:func:`ws_connect` sends the upgrade request through the session's ordinary request path
(so default headers, cookies, auth, proxies, redirects, timeouts and tracing apply as for any
request), checks the ``101`` answer (:mod:`aiohttp._client_ws_handshake`), and takes the
connection over: the connection stays with the response instead of going back to the pool,
the protocol hands every received byte -- the ones that came with the ``101`` first -- to a
client-role :class:`~aiohttp.http_websocket.WebSocketReader`, and a masking
:class:`~aiohttp.http_websocket.WebSocketWriter` sends.  Any failed check raises
:class:`~aiohttp.WSServerHandshakeError` carrying the response's status, headers, request
info and history, after closing the response.  :class:`_WSRequestContextManager` (public
home :mod:`aiohttp.client`) is what ``ws_connect`` returns: await it, or ``async with`` it to
close the WebSocket when the block ends.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from ssl import SSLContext
from typing import TYPE_CHECKING, Optional, Union

from ._awaitable_context import _ClosingContext
from ._client_options import SSLOption
from ._client_ws_handshake import HandshakeFailed, check_answer, client_offer
from ._connector_tls import merge_ssl_params
from ._websocket._parser import DEFAULT_MAX_MSG_SIZE
from ._ws_session import MessageQueue, MessageReader
from .client_exceptions import ClientConnectionError, WSServerHandshakeError
from .client_ws import DEFAULT_WS_CLIENT_TIMEOUT, ClientWebSocketResponse, ClientWSTimeout
from .helpers import _SENTINEL, BasicAuth
from .http_websocket import WebSocketWriter
from .typedefs import LooseHeaders, Query, StrOrURL

if TYPE_CHECKING:
    from .client import ClientSession

__all__ = ("DEFAULT_MAX_MSG_SIZE", "_WSRequestContextManager", "ws_connect")


def _ws_timeout(
    timeout: Union[ClientWSTimeout, _SENTINEL, float], receive_timeout: Optional[float]
) -> ClientWSTimeout:
    """The WebSocket timeouts from ``timeout`` and the deprecated ``receive_timeout``."""
    if isinstance(timeout, ClientWSTimeout):
        result = timeout
    elif isinstance(timeout, _SENTINEL):
        result = DEFAULT_WS_CLIENT_TIMEOUT
    else:
        warnings.warn(
            "parameter 'timeout' of type 'float' is deprecated, please use "
            "'timeout=ClientWSTimeout(ws_close=...)'",
            DeprecationWarning,
            stacklevel=3,
        )
        result = ClientWSTimeout(ws_close=float(timeout))
    if receive_timeout is not None:
        warnings.warn(
            "float parameter 'receive_timeout' is deprecated, please use parameter "
            "'timeout=ClientWSTimeout(ws_receive=...)'",
            DeprecationWarning,
            stacklevel=3,
        )
        result = ClientWSTimeout(ws_receive=receive_timeout, ws_close=result.ws_close)
    return result


async def ws_connect(
    session: ClientSession,
    url: StrOrURL,
    *,
    method: str,
    protocols: Iterable[str],
    timeout: Union[ClientWSTimeout, _SENTINEL, float],
    receive_timeout: Optional[float],
    autoclose: bool,
    autoping: bool,
    heartbeat: Optional[float],
    auth: Optional[BasicAuth],
    origin: Optional[str],
    params: Query,
    headers: Optional[LooseHeaders],
    proxy: Optional[StrOrURL],
    proxy_auth: Optional[BasicAuth],
    ssl: SSLOption,
    verify_ssl: Optional[bool],
    fingerprint: Optional[bytes],
    ssl_context: Optional[SSLContext],
    server_hostname: Optional[str],
    proxy_headers: Optional[LooseHeaders],
    compress: int,
    max_msg_size: int,
) -> ClientWebSocketResponse:
    """Open a WebSocket to ``url`` (see :meth:`aiohttp.ClientSession.ws_connect`).

    :raises ValueError: a bad option (heartbeat, max_msg_size, compress, subprotocol name),
        before anything is sent.
    :raises WSServerHandshakeError: the server did not complete the handshake.
    """
    ws_timeout = _ws_timeout(timeout, receive_timeout)
    if heartbeat is not None and not heartbeat > 0:
        raise ValueError(f"heartbeat must be a positive number of seconds, got {heartbeat!r}")
    if max_msg_size < 0:
        raise ValueError(f"max_msg_size must be >= 0, got {max_msg_size!r}")
    ssl = merge_ssl_params(ssl, verify_ssl is None or verify_ssl, ssl_context, fingerprint)
    offer = client_offer(headers, protocols, origin, compress)

    resp = await session._request(
        method,
        url,
        params=params,
        headers=offer.headers,
        read_until_eof=False,
        auth=auth,
        proxy=proxy,
        proxy_auth=proxy_auth,
        ssl=ssl,
        server_hostname=server_hostname,
        proxy_headers=proxy_headers,
    )
    try:
        try:
            accepted = check_answer(resp.status, resp.headers, offer)
        except HandshakeFailed as exc:
            raise WSServerHandshakeError(
                resp.request_info,
                resp.history,
                message=exc.message,
                status=resp.status,
                headers=resp.headers,
            ) from None
        conn = resp.connection
        protocol = None if conn is None else conn.protocol
        transport = None if conn is None else conn.transport
        if protocol is None or transport is None:
            raise ClientConnectionError("Connection closed during the WebSocket handshake")
        # Between two messages the socket may rightly stay quiet as long as receive() waits:
        # the request's sock_read timeout must not cut the WebSocket off sooner.
        if ws_timeout.ws_receive is None:
            protocol.read_timeout = None
        elif protocol.read_timeout is not None:
            protocol.read_timeout = max(ws_timeout.ws_receive, protocol.read_timeout)
        loop = session._loop
        queue = MessageQueue(protocol, loop=loop)
        writer = WebSocketWriter(
            protocol,
            transport,
            use_mask=True,
            compress=accepted.compress,
            notakeover=accepted.notakeover,
        )
        reader = MessageReader(queue, max_msg_size, compress=bool(accepted.compress), role="client")
        protocol.set_parser(reader, queue)
        return session._ws_response_class(
            queue,
            writer,
            accepted.protocol,
            resp,
            ws_timeout,
            autoclose,
            autoping,
            loop,
            heartbeat=heartbeat,
            compress=accepted.compress,
            client_notakeover=accepted.notakeover,
        )
    except BaseException:
        resp.close()
        raise


class _WSRequestContextManager(_ClosingContext[ClientWebSocketResponse]):
    """The result of ``session.ws_connect()``: ``await`` it for the WebSocket, or
    ``async with`` it to close the WebSocket when the block ends."""

    __slots__ = ()


_WSRequestContextManager.__module__ = "aiohttp.client"
