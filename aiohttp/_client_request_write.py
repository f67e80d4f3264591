"""Putting a client request on the wire: the last header decisions and the body writer.

:func:`finalize_headers` settles what only the moment of sending decides (framing, the default
``Content-Type`` of a body-carrying method, ``Connection``) and refuses a head whose framing is
ambiguous. :func:`write_request_body` is the body task of
:meth:`aiohttp.ClientRequest.write_bytes`: it honours ``Expect: 100-continue``, writes exactly
the declared ``Content-Length``, ends the message and hands any failure to the connection's
protocol, where the response (and the pool) find it.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from multidict import CIMultiDict
from yarl import URL

from . import hdrs
from ._client_hooks import ConnectionLike
from .abc import AbstractStreamWriter
from .client_exceptions import ClientConnectionError, ClientOSError
from .helpers import set_exception
from .http_writer import HttpVersion, HttpVersion10, HttpVersion11
from .payload import Payload


def content_length(headers: CIMultiDict[str]) -> Optional[int]:
    """The ``Content-Length`` the headers declare, or ``None``.

    :raises ValueError: the value is not a decimal number.
    """
    value = headers.get(hdrs.CONTENT_LENGTH)
    if value is None:
        return None
    value = value.strip(" \t")
    if not value.isdigit() or not value.isascii():
        raise ValueError(f"Invalid Content-Length header: {value!r}")
    return int(value)


def finalize_headers(
    headers: CIMultiDict[str],
    default_content_type: bool,
    version: HttpVersion,
    force_close: bool,
) -> tuple[bool, Optional[int]]:
    """Complete ``headers`` for sending; return ``(chunked, content_length)``.

    ``default_content_type``: add ``Content-Type: application/octet-stream`` if absent.
    ``Connection`` is added when it differs from the version's default (``close`` for an
    HTTP/1.1 connector that does not reuse connections, ``keep-alive`` for HTTP/1.0).

    :raises ValueError: framing a server could read two ways: ``Host``,
        ``Content-Length`` or ``Transfer-Encoding`` given twice, both of the last two, a
        ``Transfer-Encoding`` not ending in ``chunked``, chunked framing on HTTP/1.0, or an
        invalid ``Content-Length``.
    """
    for name in (hdrs.HOST, hdrs.CONTENT_LENGTH, hdrs.TRANSFER_ENCODING):
        if len(headers.getall(name, ())) > 1:
            raise ValueError(f"The {name} header must not be given more than once")
    te = headers.get(hdrs.TRANSFER_ENCODING)
    chunked = te is not None
    if te is not None:
        if hdrs.CONTENT_LENGTH in headers:
            raise ValueError("Transfer-Encoding and Content-Length must not both be set")
        if te.rsplit(",", 1)[-1].strip(" \t").lower() != "chunked":
            raise ValueError(f"chunked must be the final transfer coding, not {te!r}")
    if chunked and version < HttpVersion11:
        raise ValueError("Chunked transfer coding needs HTTP/1.1; give a Content-Length")
    length = None if chunked or hdrs.CONTENT_LENGTH not in headers else content_length(headers)
    if default_content_type and hdrs.CONTENT_TYPE not in headers:
        headers[hdrs.CONTENT_TYPE] = "application/octet-stream"
    if hdrs.CONNECTION not in headers:
        if force_close:
            if version == HttpVersion11:
                headers[hdrs.CONNECTION] = "close"
        elif version == HttpVersion10:
            headers[hdrs.CONNECTION] = "keep-alive"
    return chunked, length


async def write_request_body(
    writer: AbstractStreamWriter,
    conn: ConnectionLike,
    body: Optional[Payload],
    length: Optional[int],
    continue100: Optional[asyncio.Future[bool]],
    url: URL,
) -> None:
    """Write ``body`` (exactly ``length`` bytes when given) and end the message.

    With ``continue100`` the head is sent first and the body only once the future says the
    server agreed; a final response instead leaves the body unsent and the connection
    marked not reusable. Failures are set on the protocol (and close the connection)
    instead of raised; a cancellation closes the connection and propagates.
    """
    protocol = conn.protocol
    if protocol is None:
        return
    try:
        if continue100 is not None:
            writer.send_headers()
            protocol.start_timeout()  # the server's answer to the head is now awaited
            await writer.drain()
            if not await continue100:
                protocol.force_close()
                return
        if body is not None:
            writer.length = length
            await body.write_with_length(writer, length)
            missing = writer.length
            writer.length = None
            if length is not None and missing:
                raise ClientConnectionError(
                    f"The request body is {missing} bytes shorter than its Content-Length "
                    f"({length})"
                )
        await writer.write_eof()
    except OSError as exc:
        error: BaseException = exc
        if exc.errno is not None or not isinstance(exc, asyncio.TimeoutError):
            error = ClientOSError(exc.errno, f"Can not write request body for {url!s}")
        set_exception(protocol, error, exc)
        protocol.close()
    except asyncio.CancelledError:
        conn.close()  # the body was not sent in full: the connection is unusable
        raise
    except Exception as exc:
        set_exception(
            protocol,
            ClientConnectionError(
                f"Failed to send bytes into the underlying connection {conn!s}: {exc!r}"
            ),
            exc,
        )
        protocol.close()
    else:
        protocol.start_timeout()
