"""Bounded streaming decompression of HTTP bodies (``Content-Encoding``) into a StreamReader.

:class:`DecompressingFeeder` sits between the parser and the :class:`~aiohttp.streams.StreamReader`
of one message whose body is ``gzip``, ``deflate`` (zlib-wrapped, or raw deflate as some servers
send and browsers accept) or ``br``.  It inflates at most :data:`DECOMPRESS_STEP` bytes per
decompressor call and stops while the reader holds more than its high-water mark, keeping the
compressed input it has not inflated yet; the reader calls it back once reads drain the buffer
below the low-water mark.  So a decompression bomb costs at most about ``2 * limit + step`` bytes
of output buffer, however large the body it expands to; the total size is not capped.  A stream
that ends before the decompressor saw its end, and corrupt input, are
:class:`~aiohttp.http_exceptions.ContentEncodingError`.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Final, Optional, Protocol

from .compression_utils import HAS_BROTLI, BrotliDecompressor, ZLibDecompressor
from .http_exceptions import ContentEncodingError
from .streams import StreamReader

__all__ = ("DECOMPRESS_STEP", "DecompressingFeeder")

#: The most output one decompressor call may produce.
DECOMPRESS_STEP: Final = 2**16

# The most compressed input one zlib call is given (see _ZLibInflater).
_INPUT_SLICE: Final = 2**14


class _Inflater(Protocol):
    """One codec behind a common face: push input, pull bounded output."""

    def push(self, data: bytes) -> None:
        """Take more compressed input (held until :meth:`pull` gets to it)."""

    def pull(self, max_length: int, *, final: bool = False) -> bytes:
        """Return up to ``max_length`` decoded bytes; ``b""`` only when more input is needed
        (or the stream has ended).  ``final``: no more input will come."""

    @property
    def pending(self) -> bool:
        """True while input or output is held back that :meth:`pull` would still yield."""

    @property
    def eof(self) -> bool:
        """True once the end of the compressed stream was decoded."""


class _ZLibInflater:
    """gzip / deflate.  For ``deflate`` the container is sniffed from the first two bytes:
    a valid zlib header means RFC 1950 data, anything else is taken as raw deflate.

    Held input is handed to zlib in slices of at most :data:`_INPUT_SLICE` bytes: zlib copies
    the input it leaves unconsumed on every bounded call, which on a whole backlog of a
    highly compressed stream would cost time quadratic in the backlog.
    """

    __slots__ = ("_chunks", "_decompressor", "_encoding", "_more", "_offset")

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._decompressor: Optional[ZLibDecompressor] = (
            None if encoding == "deflate" else ZLibDecompressor(encoding=encoding)
        )
        self._chunks: collections.deque[bytes] = collections.deque()
        self._offset = 0  # consumed bytes of self._chunks[0]
        self._more = False  # the last call filled max_length: output may be pending

    def push(self, data: bytes) -> None:
        self._chunks.append(data)

    def _start(self, final: bool) -> Optional[ZLibDecompressor]:
        head = b"".join(self._chunks)[:2]
        if len(head) < 2 and not final:
            return None
        zlib_wrapped = len(head) == 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        self._decompressor = ZLibDecompressor(
            encoding=self._encoding, suppress_deflate_header=not zlib_wrapped
        )
        return self._decompressor

    def pull(self, max_length: int, *, final: bool = False) -> bytes:
        decompressor = self._decompressor
        if decompressor is None:
            decompressor = self._start(final)
            if decompressor is None:
                return b""
        chunks = self._chunks
        while not decompressor.eof and (chunks or self._more):
            if chunks:
                head = chunks[0]
                piece = memoryview(head)[self._offset : self._offset + _INPUT_SLICE]
            else:
                head = b""
                piece = memoryview(head)
            out = decompressor.decompress_sync(piece, max_length)
            self._more = len(out) >= max_length
            if chunks:
                self._offset += len(piece) - len(decompressor.unconsumed_tail)
                if self._offset >= len(head):
                    chunks.popleft()
                    self._offset = 0
            if out:
                return out
        if decompressor.eof:
            # zlib reports the end only once all output is out; bytes after it are ignored.
            chunks.clear()
            self._more = False
        return b""

    @property
    def pending(self) -> bool:
        return bool(self._chunks) or self._more

    @property
    def eof(self) -> bool:
        return self._decompressor is not None and self._decompressor.eof


class _BrotliInflater:
    """br.  The decoder takes input only while it holds no output (``needs_input``);
    until then the input waits here."""

    __slots__ = ("_chunks", "_decompressor")

    def __init__(self) -> None:
        self._decompressor = BrotliDecompressor()
        self._chunks: list[bytes] = []

    def push(self, data: bytes) -> None:
        self._chunks.append(data)

    def pull(self, max_length: int, *, final: bool = False) -> bytes:
        decompressor = self._decompressor
        while not decompressor.eof:
            if decompressor.needs_input:
                if not self._chunks:
                    return b""
                data = b"".join(self._chunks)
                self._chunks.clear()
            else:
                data = b""
            out = decompressor.decompress_sync(data, max_length)
            if out:
                return out
            if not data:
                return b""  # no progress without input: never spin
        self._chunks.clear()  # bytes after the end of the stream are ignored
        return b""

    @property
    def pending(self) -> bool:
        if self._decompressor.eof:
            return False
        return bool(self._chunks) or not self._decompressor.needs_input

    @property
    def eof(self) -> bool:
        return self._decompressor.eof


class DecompressingFeeder:
    """Decodes one message body into ``out`` with bounded memory.

    The parser calls :meth:`feed_data` with the compressed body bytes, :meth:`feed_eof` at
    the end of the message, and the chunk hooks where it would call the reader's.  Those
    methods raise :class:`ContentEncodingError` for corrupt or truncated data.  When the
    reader refills the buffer later (inflation resumed by a read), an error is passed to
    ``on_error`` instead (default: ``out.set_exception``).
    """

    __slots__ = (
        "_done",
        "_encoding",
        "_eof",
        "_inflater",
        "_on_error",
        "_out",
        "_received",
        "_step",
    )

    def __init__(
        self,
        out: StreamReader,
        encoding: str,
        *,
        on_error: Optional[Callable[[BaseException], None]] = None,
        step: int = DECOMPRESS_STEP,
    ) -> None:
        self._out = out
        self._encoding = encoding
        self._inflater = _make_inflater(encoding)
        self._on_error = on_error
        self._step = step
        self._received = 0
        self._eof = False
        self._done = False
        out.total_compressed_bytes = 0

    @property
    def out(self) -> StreamReader:
        """The reader the decoded body goes to."""
        return self._out

    def feed_data(self, data: bytes) -> None:
        """Take compressed body bytes; inflate as much as the reader has room for."""
        if not data or self._done:
            return
        self._received += len(data)
        out = self._out
        out.total_compressed_bytes = (out.total_compressed_bytes or 0) + len(data)
        self._inflater.push(data)
        self._pump()

    def feed_eof(self) -> None:
        """The message ended: finish once all held input is inflated.

        :raises ContentEncodingError: the compressed stream was cut short.
        """
        self._eof = True
        self._pump()

    def begin_http_chunk_receiving(self) -> None:
        """Forwarded to the reader."""
        self._out.begin_http_chunk_receiving()

    def end_http_chunk_receiving(self) -> None:
        """Forwarded to the reader when the chunk's output is all in it (decoded output has
        no natural chunk boundaries; a boundary is dropped rather than misplaced)."""
        if not self._inflater.pending:
            self._out.end_http_chunk_receiving()

    def _pump(self) -> None:
        if self._done:
            return
        out = self._out
        inflater = self._inflater
        if out.exception() is not None:
            # The reader has failed (aborted connection, earlier error): stop inflating.
            self._done = True
            out._set_drain_hook(None)
            return
        final = self._eof
        while not out._above_high_water():
            try:
                chunk = inflater.pull(self._step, final=final)
            except Exception as exc:  # zlib.error, brotli.error: corrupt input
                self._done = True
                out._set_drain_hook(None)
                raise ContentEncodingError(
                    f"Can not decode content-encoding: {self._encoding}"
                ) from exc
            if not chunk:
                break
            out.feed_data(chunk)
        if inflater.pending:
            out._set_drain_hook(self._on_drain)
            return
        out._set_drain_hook(None)
        if final and not self._done:
            self._done = True
            if self._received and not inflater.eof:
                raise ContentEncodingError(
                    f"Can not decode content-encoding: {self._encoding} (stream truncated)"
                )
            out.feed_eof()

    def _on_drain(self) -> None:
        try:
            self._pump()
        except ContentEncodingError as exc:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                self._out.set_exception(exc)


def _make_inflater(encoding: str) -> _Inflater:
    if encoding in ("gzip", "deflate"):
        return _ZLibInflater(encoding)
    if encoding == "br":
        if not HAS_BROTLI:
            raise ContentEncodingError(
                "Can not decode content-encoding: brotli (br). Please install `Brotli`"
            )
        return _BrotliInflater()
    raise ContentEncodingError(f"Can not decode content-encoding: {encoding}")
