"""Content-Transfer-Encoding and Content-Encoding of multipart parts, both directions.

Reading: :func:`decode_transfer` undoes ``base64`` / ``quoted-printable`` (``binary``,
``7bit`` and ``8bit`` are identity) and :func:`decode_content` undoes ``gzip`` / ``deflate``
/ ``br`` with the output capped (a larger result raises
:class:`~aiohttp.http_exceptions.DecompressSizeError`; corrupt or cut-off data raises
:class:`~aiohttp.http_exceptions.ContentEncodingError`). Writing: :class:`PartEncoder` is a
stream writer that compresses and then transfer-encodes a part's body on its way to the
message writer, chunk by chunk, so a file part is never held whole. :class:`BytesCollector`
gathers what a payload writes (``MultipartWriter.as_bytes``).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Final, Optional, Union

from .abc import AbstractStreamWriter
from .compression_utils import (
    HAS_BROTLI,
    BrotliCompressor,
    BrotliDecompressor,
    ZLibCompressor,
    ZLibDecompressor,
)
from .http_exceptions import ContentEncodingError, DecompressSizeError
from .typedefs import Byteish

if TYPE_CHECKING:
    from multidict import CIMultiDict

IDENTITY_TRANSFER: Final = frozenset({"", "binary", "7bit", "8bit"})
"""Transfer encodings that leave the bytes as they are."""
TRANSFER_ENCODINGS: Final = IDENTITY_TRANSFER | {"base64", "quoted-printable"}
CONTENT_ENCODINGS: Final = frozenset(
    {"", "identity", "gzip", "deflate", *(("br",) if HAS_BROTLI else ())}
)

_B64_LINE: Final = 57  # input bytes per 76-character base64 line (RFC 2045 section 6.8)
_QP_FLUSH: Final = 2**13  # a quoted-printable line longer than this is cut with a soft break


# --- Reading ---------------------------------------------------------------------------------


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo a ``Content-Transfer-Encoding`` (name compared case-insensitively).

    Raises :class:`RuntimeError` for an unknown encoding and :class:`binascii.Error` (a
    :class:`ValueError`) for malformed base64.
    """
    name = encoding.strip().lower()
    if name == "base64":
        return base64.b64decode(data)
    if name == "quoted-printable":
        return binascii.a2b_qp(data)
    if name in IDENTITY_TRANSFER:
        return data
    raise RuntimeError(f"unknown content transfer encoding: {encoding}")


async def decode_content(data: bytes, encoding: str, max_size: int) -> bytes:
    """Undo a ``Content-Encoding``, producing at most ``max_size`` bytes.

    ``deflate`` accepts both the zlib container (RFC 9110) and the raw stream that aiohttp
    writes. Raises :class:`RuntimeError` for an unknown coding.
    """
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return data
    decoder: Union[ZLibDecompressor, BrotliDecompressor]
    if name == "gzip":
        decoder = ZLibDecompressor(encoding="gzip")
    elif name == "deflate":
        decoder = ZLibDecompressor(
            encoding="deflate", suppress_deflate_header=not _has_zlib_header(data)
        )
    elif name == "br" and HAS_BROTLI:
        decoder = BrotliDecompressor()
    else:
        raise RuntimeError(f"unknown content encoding: {encoding}")
    if not data:
        return data
    try:
        out = await decoder.decompress(data, max_size + 1)
    except Exception as exc:  # zlib.error or brotli.error: the data is corrupt
        raise ContentEncodingError(f"cannot decode {name} part: {exc}") from exc
    if len(out) > max_size:
        raise DecompressSizeError(f"{name} part decompresses to more than {max_size} bytes")
    if not decoder.eof:
        raise ContentEncodingError(f"{name} data of the part is cut short")
    return out


def _has_zlib_header(data: bytes) -> bool:
    # RFC 1950: CM=8 in the low nibble of CMF and (CMF*256 + FLG) divisible by 31.
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


# --- Writing ---------------------------------------------------------------------------------


class _Base64Lines:
    """Streaming base64 in CRLF-separated lines of 76 characters."""

    __slots__ = ("_pending", "_started")

    def __init__(self) -> None:
        self._pending = b""
        self._started = False

    def encode(self, data: bytes) -> bytes:
        data = self._pending + data
        full = len(data) - len(data) % _B64_LINE
        self._pending = data[full:]
        return self._lines(data[:full])

    def finish(self) -> bytes:
        data, self._pending = self._pending, b""
        return self._lines(data)

    def _lines(self, data: bytes) -> bytes:
        if not data:
            return b""
        # encodebytes ends every line with LF; lines are joined with CRLF instead, so the
        # body does not end with a line break of its own.
        out = base64.encodebytes(data)[:-1].replace(b"\n", b"\r\n")
        if self._started:
            return b"\r\n" + out
        self._started = True
        return out


class _QuotedPrintable:
    """Streaming quoted-printable: whole lines are encoded as they complete; a line longer
    than :data:`_QP_FLUSH` is emitted early, ended with a soft line break."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending = b""

    def encode(self, data: bytes) -> bytes:
        data = self._pending + data
        cut = data.rfind(b"\n") + 1
        out = binascii.b2a_qp(data[:cut]) if cut else b""
        rest = data[cut:]
        if len(rest) > _QP_FLUSH:
            out += binascii.b2a_qp(rest) + b"=\r\n"
            rest = b""
        self._pending = rest
        return out

    def finish(self) -> bytes:
        data, self._pending = self._pending, b""
        return binascii.b2a_qp(data) if data else b""


class PartEncoder(AbstractStreamWriter):
    """Compresses (``content_encoding``), then transfer-encodes, what a part payload writes,
    and forwards it to ``writer``. :meth:`write_eof` flushes both codecs but does not end
    the underlying message. The encoder is for one part, written once."""

    def __init__(
        self,
        writer: AbstractStreamWriter,
        content_encoding: Optional[str],
        transfer_encoding: Optional[str],
    ) -> None:
        super().__init__()
        self._writer = writer
        self._compressor: Union[ZLibCompressor, BrotliCompressor, None] = None
        if content_encoding == "br":
            self._compressor = BrotliCompressor()
        elif content_encoding in ("gzip", "deflate"):
            # Raw deflate for "deflate", as aiohttp writes it (our reader accepts both).
            self._compressor = ZLibCompressor(
                encoding=content_encoding, suppress_deflate_header=True
            )
        self._transfer: Union[_Base64Lines, _QuotedPrintable, None] = None
        if transfer_encoding == "base64":
            self._transfer = _Base64Lines()
        elif transfer_encoding == "quoted-printable":
            self._transfer = _QuotedPrintable()
        self._closed = False

    async def write(self, chunk: Byteish) -> None:
        """Encode ``chunk`` and pass on whatever encoded output is complete."""
        if self._closed:
            raise RuntimeError("write() after write_eof() on a multipart part")
        data = bytes(chunk)
        if self._compressor is not None:
            data = await self._compressor.compress(data)
        await self._forward(data)

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write ``chunk``, then flush the codecs (idempotent)."""
        if self._closed:
            return
        if chunk:
            await self.write(chunk)
        self._closed = True
        tail = b""
        if self._compressor is not None:
            tail = self._compressor.flush()
        if self._transfer is not None:
            tail = self._transfer.encode(tail) + self._transfer.finish()
        if tail:
            await self._writer.write(tail)

    async def _forward(self, data: bytes) -> None:
        if self._transfer is not None:
            data = self._transfer.encode(data)
        if data:
            await self._writer.write(data)

    async def drain(self) -> None:
        """Wait for the underlying writer."""
        await self._writer.drain()

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        """Not available: a part's coding comes from its ``Content-Encoding`` header."""
        raise RuntimeError("set Content-Encoding on the part instead")

    def enable_chunking(self) -> None:
        """Not available inside a multipart part."""
        raise RuntimeError("chunked framing does not apply to a multipart part")

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Not available: part headers are written by the multipart writer."""
        raise RuntimeError("a multipart part has no message head")


class BytesCollector(AbstractStreamWriter):
    """A stream writer that keeps everything written to it (see :meth:`getvalue`)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._parts)

    async def write(self, chunk: Byteish) -> None:
        """Keep a copy of ``chunk``."""
        self._parts.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Keep ``chunk``; nothing else to end."""
        if chunk:
            self._parts.append(chunk)

    async def drain(self) -> None:
        """Nothing to wait for."""

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        """Not used: part codings are applied by :class:`PartEncoder`."""
        raise RuntimeError("compression is not supported when collecting a multipart body")

    def enable_chunking(self) -> None:
        """Not used: the collected body is not framed."""
        raise RuntimeError("chunking is not supported when collecting a multipart body")

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Not used: only bodies are collected."""
        raise RuntimeError("a collected multipart body has no message head")
