"""The HTTP/1.1 message writer shared by the client and the server (aiohttp 3.13's
:class:`StreamWriter`).

It turns one message into transport writes. :meth:`StreamWriter.write_headers` serializes and
checks the head but holds it back, so it leaves together with the first body bytes (or on
:meth:`~StreamWriter.send_headers`, :meth:`~StreamWriter.set_eof`,
:meth:`~StreamWriter.write_eof`): a small message is a single ``transport.write``. Body bytes
pass through the optional compressor, the ``length`` cap (the declared Content-Length) and the
chunked framing; :meth:`~StreamWriter.write_eof` flushes the compressor and writes the last
chunk, with trailer fields if given. Back-pressure comes from
:meth:`BaseProtocol._drain_helper <aiohttp.base_protocol.BaseProtocol._drain_helper>`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Optional, Union

from multidict import CIMultiDict

from ._header_serialize import serialize_head, serialize_trailers
from ._sansio._messages import HttpVersion, HttpVersion10, HttpVersion11
from .abc import AbstractStreamWriter
from .base_protocol import BaseProtocol
from .client_exceptions import ClientConnectionResetError
from .compression_utils import BrotliCompressor, ZLibCompressor
from .typedefs import Byteish

__all__ = ("StreamWriter", "HttpVersion", "HttpVersion10", "HttpVersion11")

_T_OnChunkSent = Optional[Callable[[bytes], Awaitable[None]]]
_T_OnHeadersSent = Optional[Callable[["CIMultiDict[str]"], Awaitable[None]]]

# Pieces totalling up to this many bytes are joined into one transport.write; above it,
# transport.writelines hands them over without the copy.
_JOIN_LIMIT: Final = 16384
_CRLF: Final = b"\r\n"
_LAST_CHUNK: Final = b"0\r\n\r\n"


def _flat(chunk: Byteish) -> Byteish:
    """View a memoryview of wide items or several dimensions as flat bytes, so len() counts
    bytes (a non-contiguous view raises :class:`TypeError`)."""
    if isinstance(chunk, memoryview) and chunk.nbytes != len(chunk):
        return chunk.cast("B")
    return chunk


class StreamWriter(AbstractStreamWriter):
    """Writes one HTTP/1.1 message to ``protocol``'s transport.

    ``on_chunk_sent`` is awaited with each body chunk as given (before compression) and
    ``on_headers_sent`` with the headers, once they have passed the injection checks;
    both exist for request tracing.
    """

    length: Optional[int] = None
    chunked: bool = False
    #: When a list, writes are collected in it instead of sent (the server holds a
    #: finished response this way, see ``aiohttp._web_send_batch``).
    _hold: Optional[list[Byteish]] = None

    def __init__(
        self,
        protocol: BaseProtocol,
        loop: asyncio.AbstractEventLoop,
        on_chunk_sent: _T_OnChunkSent = None,
        on_headers_sent: _T_OnHeadersSent = None,
    ) -> None:
        self._protocol = protocol
        self.loop = loop
        #: Body bytes still allowed by the declared Content-Length; None: no cap.
        self.length = None
        #: Frame the body with ``Transfer-Encoding: chunked``.
        self.chunked = False
        #: Bytes handed to the transport since the last drain check.
        self.buffer_size = 0
        #: Bytes handed to the transport in total: head, framing and body.
        self.output_size = 0
        self._eof = False
        self._compress: Union[ZLibCompressor, BrotliCompressor, None] = None
        self._head: Optional[bytes] = None
        self._on_chunk_sent = on_chunk_sent
        self._on_headers_sent = on_headers_sent

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        """The protocol's transport; None once the connection is lost."""
        return self._protocol.transport

    @property
    def protocol(self) -> BaseProtocol:
        """The connection's protocol, which owns flow control."""
        return self._protocol

    def enable_chunking(self) -> None:
        self.chunked = True

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        """Compress the body that follows.

        ``deflate`` produces the zlib container RFC 9110 specifies (aiohttp 3.13 sends raw
        deflate; every decoder we know accepts both). ``br`` needs the ``brotli`` package.
        Other codings raise :class:`ValueError`.
        """
        if encoding == "br":
            self._compress = BrotliCompressor()
        elif encoding in ("gzip", "deflate"):
            self._compress = ZLibCompressor(encoding=encoding, strategy=strategy)
        else:
            raise ValueError(f"Unsupported content coding for compression: {encoding!r}")

    async def write(self, chunk: Byteish, *, drain: bool = True, LIMIT: int = 0x10000) -> None:
        """Send ``chunk`` as body data (compressed, capped and framed as configured).

        With ``drain`` true, once more than ``LIMIT`` bytes were handed to the transport
        since the last check, wait until the transport's buffer drains. Raises
        :class:`ClientConnectionResetError` when the transport is closing or gone, and
        :class:`RuntimeError` after the message was ended.
        """
        if self._eof:
            raise RuntimeError("Cannot write to a message after write_eof() or set_eof()")
        if type(chunk) is not bytes:
            chunk = _flat(chunk)
        if self._on_chunk_sent is not None:
            await self._on_chunk_sent(chunk if isinstance(chunk, bytes) else bytes(chunk))
        if self._compress is not None:
            chunk = await self._compress.compress(chunk)
        if self.length is not None:
            chunk = self._cap(chunk)
        if chunk:
            head = self._head
            if head is not None and not self.chunked and len(head) + len(chunk) <= _JOIN_LIMIT:
                # the common small response: head and body in one write
                self._head = None
                data = head + chunk
                transport = self._protocol.transport
                if transport is None or transport.is_closing():
                    raise ClientConnectionResetError("Cannot write to closing transport")
                size = len(data)
                self.buffer_size += size
                self.output_size += size
                transport.write(data)
            else:
                self._send_body(chunk, b"")
        if drain and self.buffer_size > LIMIT:
            self.buffer_size = 0
            await self.drain()

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Serialize the start line and ``headers``; they are sent with the first body bytes.

        Raises :class:`ValueError` (before anything is sent or any callback runs) when the
        start line, a name or a value holds CR, LF or NUL, or a name is not a token.
        """
        head = serialize_head(status_line, headers)
        if self._on_headers_sent is not None:
            await self._on_headers_sent(headers)
        self._head = head if self._head is None else self._head + head

    def _write_headers_nowait(self, status_line: str, headers: CIMultiDict[str]) -> bool:
        """:meth:`write_headers` without a coroutine, for a writer without an
        ``on_headers_sent`` callback: True when done; False (nothing done) otherwise."""
        if self._on_headers_sent is not None:
            return False
        head = serialize_head(status_line, headers)
        self._head = head if self._head is None else self._head + head
        return True

    def send_headers(self) -> None:
        """Hand a held-back head to the transport now."""
        head = self._head
        if head is not None:
            self._head = None
            self._send(head)

    def set_eof(self) -> None:
        """Mark the message complete without a body end marker (HEAD, 204, 304, sendfile).

        A held-back head is sent now. Idempotent.
        """
        if self._eof:
            return
        self.send_headers()
        self._eof = True

    async def write_eof(
        self, chunk: Byteish = b"", *, trailers: Optional[Mapping[str, str]] = None
    ) -> None:
        """Send ``chunk``, flush the compressor and end the message; idempotent.

        ``trailers`` (an extension of aiohttp 3.13) are trailer fields for a chunked message,
        checked like headers; fields RFC 9110 forbids in trailers (Content-Length, Host ...)
        are refused. Both checks raise :class:`ValueError` before anything is sent, as do
        trailers on a message that is not chunked.
        """
        if self._eof:
            return
        if trailers is None and type(chunk) is bytes and self._write_eof_nowait(chunk):
            # _drain_helper() returns at once unless paused or lost: skip the coroutine then
            if self._must_drain():
                await self._protocol._drain_helper()
            return
        last = _LAST_CHUNK
        if trailers:
            if not self.chunked:
                raise ValueError("Trailers need a chunked message: call enable_chunking() first")
            last = serialize_trailers(trailers)
        chunk = _flat(chunk)
        if chunk and self._on_chunk_sent is not None:
            await self._on_chunk_sent(chunk if isinstance(chunk, bytes) else bytes(chunk))
        compress = self._compress
        if compress is not None:
            self._compress = None
            data = await compress.compress(chunk) if chunk else b""
            chunk = data + compress.flush()
        chunk = self._cap(chunk)
        if self.chunked:
            self._send_body(chunk, last)
        elif chunk:
            self._send_body(chunk, b"")
        else:
            self.send_headers()
        self._eof = True
        await self.drain()

    def _write_eof_nowait(self, chunk: bytes) -> bool:
        """:meth:`write_eof` of ``chunk`` without a coroutine, for a message that is neither
        compressed nor chunked and has no ``on_chunk_sent`` callback: True when done (the
        caller then awaits :meth:`drain` if :meth:`_must_drain`); False (nothing done)
        otherwise."""
        if self._eof:
            return True
        if self._compress is not None or self.chunked or self._on_chunk_sent is not None:
            return False
        length = self.length
        if length is not None:
            if len(chunk) > length:
                chunk = chunk[:length]
            self.length = length - len(chunk)
        head = self._head
        if head is None:
            if chunk:
                self._send(chunk)
        elif not chunk:
            self._head = None
            self._send(head)
        elif len(head) + len(chunk) <= _JOIN_LIMIT:
            self._head = None
            self._send(head + chunk)
        else:
            self._send_body(chunk, b"")
        self._eof = True
        return True

    def _must_drain(self) -> bool:
        """Whether :meth:`drain` would wait (or raise): the transport is paused or lost."""
        protocol = self._protocol
        return protocol.transport is not None and (protocol._paused or protocol._connection_lost)

    async def drain(self) -> None:
        """Wait until the transport's buffer is below its high-water mark.

        Returns at once without a transport. A connection lost while waiting raises the
        transport's error, or returns if it was closed cleanly.
        """
        # _drain_helper() returns at once unless paused or lost: skip the coroutine then
        if self._must_drain():
            await self._protocol._drain_helper()

    def _cap(self, chunk: Byteish) -> Byteish:
        """Cut ``chunk`` to what the declared Content-Length still allows."""
        length = self.length
        if length is None:
            return chunk
        if len(chunk) > length:
            chunk = chunk[:length]
        self.length = length - len(chunk)
        return chunk

    def _send_body(self, chunk: Byteish, last: bytes) -> None:
        """Send ``chunk`` (framed when chunked), then ``last``, after any held-back head."""
        parts: list[Byteish] = []
        if self._head is not None:
            parts.append(self._head)
            self._head = None
        if self.chunked:
            if chunk:
                parts += (b"%x\r\n" % len(chunk), chunk, _CRLF)
            if last:
                parts.append(last)
        else:
            parts.append(chunk)
        if len(parts) == 1:
            self._send(parts[0])
            return
        transport = self._transport()
        size = sum(map(len, parts))
        self.buffer_size += size
        self.output_size += size
        if self._hold is not None:
            self._hold.extend(parts)
        elif size <= _JOIN_LIMIT:
            transport.write(b"".join(parts))
        else:
            transport.writelines(parts)

    def _send(self, data: Byteish) -> None:
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")
        size = len(data)
        self.buffer_size += size
        self.output_size += size
        if self._hold is None:
            transport.write(data)
        else:
            self._hold.append(data)

    def _transport(self) -> asyncio.Transport:
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")
        return transport
