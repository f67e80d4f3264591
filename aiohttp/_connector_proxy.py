"""The ``CONNECT`` tunnel an HTTPS request takes through an HTTP proxy.

:func:`open_tunnel` asks the proxy, on an open connection to it, to connect to the target
(``CONNECT host:port``, with the request's proxy credentials and proxy headers) and reads
the proxy's answer with the ordinary response machinery. A 2xx answer leaves the connection
as a raw byte pipe to the target, ready for the TLS handshake; any other answer closes the
connection and raises :class:`~aiohttp.ClientHttpProxyError` with the proxy's status.
A plain-HTTP request needs no tunnel: it is sent to the proxy in absolute form.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Optional

from . import hdrs
from .client_exceptions import ClientHttpProxyError
from .client_proto import ResponseHandler
from .client_reqrep import ClientRequest


class _TunnelConnection:
    """The proxy connection while the tunnel is negotiated: never pooled, and
    :meth:`detach` hands the protocol over so that closing the response leaves it open."""

    def __init__(self, protocol: ResponseHandler) -> None:
        self._protocol: Optional[ResponseHandler] = protocol

    @property
    def protocol(self) -> Optional[ResponseHandler]:
        return self._protocol

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        return None if self._protocol is None else self._protocol.transport

    def release(self) -> None:
        self.close()

    def close(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            protocol.close()

    def detach(self) -> None:
        self._protocol = None


def tunnel_request(req: ClientRequest, loop: asyncio.AbstractEventLoop) -> ClientRequest:
    """The ``CONNECT`` request to send to ``req``'s proxy."""
    connect = ClientRequest(
        hdrs.METH_CONNECT, req.url, headers=req.proxy_headers, loop=loop, ssl=req.ssl
    )
    if req.proxy_auth is not None:
        connect.headers[hdrs.PROXY_AUTHORIZATION] = req.proxy_auth.encode()
    return connect


async def open_tunnel(
    req: ClientRequest,
    protocol: ResponseHandler,
    loop: asyncio.AbstractEventLoop,
    *,
    timeout_ceil_threshold: float = 5,
) -> None:
    """Open a tunnel to ``req``'s host through the proxy ``protocol`` is connected to.

    :raises ClientHttpProxyError: the proxy answered with a non-2xx status (the
        connection is closed).

    Any other failure (the proxy hanging up, a malformed answer, cancellation) also closes
    the connection.
    """
    conn = _TunnelConnection(protocol)
    connect = tunnel_request(req, loop)
    protocol.set_response_params(
        method=hdrs.METH_CONNECT,
        read_until_eof=True,
        timeout_ceil_threshold=timeout_ceil_threshold,
    )
    try:
        response = await connect.send(conn)
        await response.start(conn)
    except BaseException:
        conn.close()
        raise
    status = response.status
    if 200 <= status < 300:
        conn.detach()
        response.close()
        return
    try:
        message = response.reason or HTTPStatus(status).phrase
    except ValueError:
        message = ""
    error = ClientHttpProxyError(
        response.request_info,
        response.history,
        status=status,
        message=message,
        headers=response.headers,
    )
    response.close()
    conn.close()
    raise error
