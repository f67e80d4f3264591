"""Incremental compressors and bounded decompressors for HTTP content codings.

This module owns the codec objects behind ``Content-Encoding``: :class:`ZLibCompressor` and
:class:`ZLibDecompressor` for ``gzip`` and ``deflate`` and, when the optional ``brotli`` binding
imports (:data:`HAS_BROTLI`), :class:`BrotliCompressor` and :class:`BrotliDecompressor` for
``br``. Every decompressor takes a ``max_length`` so a caller can take a compression bomb apart
in bounded steps, and every ``async`` method moves chunks larger than ``max_sync_chunk_size``
to an executor while keeping concurrent calls in the order they were made.

Errors: corrupt zlib/gzip input raises :class:`zlib.error`; corrupt brotli input (including
bytes after the end of a brotli stream) raises :class:`brotli.error`. Both derive from
:class:`Exception` only; the stream layer translates them to ``ContentEncodingError``.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Final, Optional, Protocol

from .typedefs import Byteish

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is an optional speed-up
    HAS_BROTLI: bool = False
else:
    HAS_BROTLI = True

#: Chunks up to this many bytes are (de)compressed inline by the ``async`` methods;
#: larger ones go to the executor (aiohttp 3.13.3's value).
MAX_SYNC_CHUNK_SIZE: Final = 4096
#: aiohttp 3.13.3's cap on the output of one decompression call.
DEFAULT_MAX_DECOMPRESS_SIZE: Final = 2**25
MAX_DECOMPRESS_SIZE: Final = DEFAULT_MAX_DECOMPRESS_SIZE


class _CompressObj(Protocol):
    def compress(self, data: Byteish, /) -> bytes: ...

    def flush(self, mode: int = ..., /) -> bytes: ...


class _DecompressObj(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unconsumed_tail(self) -> bytes: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: Byteish, /, max_length: int = ...) -> bytes: ...

    def flush(self, length: int = ..., /) -> bytes: ...


class ZLibBackendProtocol(Protocol):
    """What a zlib-compatible module offers (the stdlib :mod:`zlib`, ``isal.isal_zlib``,
    ``zlib_ng.zlib_ng`` ...): the factory functions the codecs here are built from."""

    def compressobj(
        self,
        level: int = ...,
        method: int = ...,
        wbits: int = ...,
        memLevel: int = ...,
        strategy: int = ...,
    ) -> _CompressObj: ...

    def decompressobj(self, wbits: int = ...) -> _DecompressObj: ...


class _ZLibBackend:
    """The zlib module codecs use; :func:`set_zlib_backend` swaps it."""

    __slots__ = ("module",)

    def __init__(self, module: ZLibBackendProtocol) -> None:
        self.module = module


ZLibBackend: Final = _ZLibBackend(zlib)


def set_zlib_backend(new_zlib_backend: ZLibBackendProtocol) -> None:
    """Use ``new_zlib_backend`` (a zlib-compatible module) for compressors and decompressors
    created from now on."""
    ZLibBackend.module = new_zlib_backend


def encoding_to_mode(encoding: Optional[str] = None, suppress_deflate_header: bool = False) -> int:
    """Return the zlib ``wbits`` for a content coding.

    ``gzip`` selects the gzip container; anything else selects the zlib container of
    ``deflate`` (RFC 9110 section 8.4.1.2), or a raw deflate stream when
    ``suppress_deflate_header`` is true.
    """
    if encoding == "gzip":
        return 16 + zlib.MAX_WBITS
    return -zlib.MAX_WBITS if suppress_deflate_header else zlib.MAX_WBITS


class _OrderedOffload:
    """Runs codec work inline or in an executor, never letting two calls overtake each other.

    Small chunks run inline unless earlier calls are still queued behind the lock; then they
    wait their turn, so the codec sees its input in call order. Cancelling a call whose chunk
    is already in the executor loses that chunk's output, which corrupts the stream: the owner
    must then discard the codec.
    """

    __slots__ = ("_executor", "_lock", "_max_sync_chunk_size", "_queued")

    def __init__(self, executor: Optional[Executor], max_sync_chunk_size: Optional[int]) -> None:
        self._executor = executor
        self._max_sync_chunk_size = max_sync_chunk_size
        self._lock: Optional[asyncio.Lock] = None
        self._queued = 0

    async def _run(self, size: int, work: Callable[[], bytes]) -> bytes:
        limit = self._max_sync_chunk_size
        inline = limit is None or size <= limit
        if inline and not self._queued:
            return work()
        lock = self._lock
        if lock is None:
            lock = self._lock = asyncio.Lock()
        self._queued += 1
        try:
            async with lock:
                if inline:
                    return work()
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._executor, work)
        finally:
            self._queued -= 1


class ZLibCompressor(_OrderedOffload):
    """Incremental gzip/deflate compressor.

    ``wbits`` overrides the container chosen by ``encoding`` and ``suppress_deflate_header``
    (see :func:`encoding_to_mode`); ``level`` and ``strategy`` default to zlib's defaults.
    """

    __slots__ = ("_compressor", "_mode")

    def __init__(
        self,
        encoding: Optional[str] = None,
        suppress_deflate_header: bool = False,
        level: Optional[int] = None,
        wbits: Optional[int] = None,
        strategy: Optional[int] = None,
        executor: Optional[Executor] = None,
        max_sync_chunk_size: Optional[int] = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        super().__init__(executor, max_sync_chunk_size)
        self._mode = encoding_to_mode(encoding, suppress_deflate_header) if wbits is None else wbits
        self._compressor = ZLibBackend.module.compressobj(
            level=zlib.Z_DEFAULT_COMPRESSION if level is None else level,
            wbits=self._mode,
            strategy=zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy,
        )

    def compress_sync(self, data: Byteish) -> bytes:
        """Compress ``data`` inline; the output may be empty until enough input has arrived."""
        return self._compressor.compress(data)

    async def compress(self, data: Byteish) -> bytes:
        """Compress ``data``, in the executor when it is larger than ``max_sync_chunk_size``."""
        return await self._run(len(data), lambda: self._compressor.compress(data))

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        """Return the pending output; ``Z_FINISH`` (the default) also ends the stream."""
        return self._compressor.flush(mode)


class ZLibDecompressor(_OrderedOffload):
    """Incremental gzip/deflate decompressor with bounded output per call.

    With ``max_length > 0`` a call returns at most that many bytes and leaves the input it
    did not get to in :attr:`unconsumed_tail`, which the caller passes back in (followed by
    new input) on its next call. Corrupt input raises :class:`zlib.error`.
    """

    __slots__ = ("_decompressor", "_mode")

    def __init__(
        self,
        encoding: Optional[str] = None,
        suppress_deflate_header: bool = False,
        executor: Optional[Executor] = None,
        max_sync_chunk_size: Optional[int] = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        super().__init__(executor, max_sync_chunk_size)
        self._mode = encoding_to_mode(encoding, suppress_deflate_header)
        self._decompressor = ZLibBackend.module.decompressobj(wbits=self._mode)

    def decompress_sync(self, data: Byteish, max_length: int = 0) -> bytes:
        """Decompress inline; ``max_length <= 0`` means no bound."""
        return self._decompressor.decompress(data, max(max_length, 0))

    async def decompress(self, data: Byteish, max_length: int = 0) -> bytes:
        """Like :meth:`decompress_sync`, in the executor for large chunks."""
        return await self._run(len(data), lambda: self.decompress_sync(data, max_length))

    def flush(self, length: int = 0) -> bytes:
        """Return the output still buffered; ``length > 0`` sizes zlib's initial buffer."""
        if length > 0:
            return self._decompressor.flush(length)
        return self._decompressor.flush()

    @property
    def eof(self) -> bool:
        """True once the end of the compressed stream has been seen."""
        return self._decompressor.eof

    @property
    def unconsumed_tail(self) -> bytes:
        """Input left over by a ``max_length``-bounded call; feed it back in next."""
        return self._decompressor.unconsumed_tail

    @property
    def unused_data(self) -> bytes:
        """Bytes that followed the end of the compressed stream."""
        return self._decompressor.unused_data


class BrotliCompressor(_OrderedOffload):
    """Incremental brotli compressor with the same interface as :class:`ZLibCompressor`.

    ``quality`` defaults to 4, a speed/size balance suited to compressing responses on the fly.
    Raises :class:`RuntimeError` when the ``brotli`` binding is not installed.
    """

    __slots__ = ("_compressor",)

    def __init__(
        self,
        quality: int = 4,
        executor: Optional[Executor] = None,
        max_sync_chunk_size: Optional[int] = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        if not HAS_BROTLI:  # pragma: no cover
            raise RuntimeError("The 'brotli' package is required for br compression")
        super().__init__(executor, max_sync_chunk_size)
        self._compressor = brotli.Compressor(quality=quality)

    def compress_sync(self, data: Byteish) -> bytes:
        """Compress ``data`` inline; the output may be empty until enough input has arrived."""
        return self._compressor.process(data)

    async def compress(self, data: Byteish) -> bytes:
        """Compress ``data``, in the executor when it is larger than ``max_sync_chunk_size``."""
        return await self._run(len(data), lambda: self._compressor.process(data))

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        """Return the pending output; ``zlib.Z_FINISH`` (the default) also ends the stream."""
        if mode == zlib.Z_FINISH:
            return self._compressor.finish()
        return self._compressor.flush()


class BrotliDecompressor(_OrderedOffload):
    """Incremental brotli decompressor with bounded output per call.

    Unlike zlib, the decoder keeps the input it has not processed yet, so there is no
    ``unconsumed_tail``: after a ``max_length``-bounded call the caller checks
    :attr:`needs_input`, and while it is false calls ``decompress_sync(b"", max_length)``
    again before giving it more input. Corrupt input, and any byte after the end of the
    stream, raises :class:`brotli.error`. Raises :class:`RuntimeError` when the ``brotli``
    binding is not installed.
    """

    __slots__ = ("_decoder", "_held", "_maybe_more", "_surplus")

    def __init__(
        self,
        executor: Optional[Executor] = None,
        max_sync_chunk_size: Optional[int] = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        if not HAS_BROTLI:  # pragma: no cover
            raise RuntimeError("The 'brotli' package is required for br decompression")
        super().__init__(executor, max_sync_chunk_size)
        self._decoder = brotli.Decompressor()
        # Input the decoder cannot take until it has handed out its pending output.
        self._held = b""
        # Output beyond the caller's max_length: the decoder's output limit is only a hint.
        self._surplus = b""
        # The last decoder call stopped at its output limit, so it may hold more output.
        self._maybe_more = False

    def decompress_sync(self, data: Byteish, max_length: int = 0) -> bytes:
        """Decompress inline; with ``max_length > 0`` return at most that many bytes."""
        if data:
            self._held = self._held + bytes(data) if self._held else bytes(data)
        if max_length <= 0:
            return self._drain_unbounded()
        parts: list[bytes] = []
        size = 0
        surplus = self._surplus
        if surplus:
            parts.append(surplus[:max_length])
            self._surplus = surplus[max_length:]
            size = len(parts[0])
        while size < max_length:
            chunk = self._step(max_length - size)
            if chunk is None:
                break
            if chunk:
                parts.append(chunk)
                size += len(chunk)
        if size > max_length:
            last = parts[-1]
            cut = len(last) - (size - max_length)
            parts[-1] = last[:cut]
            self._surplus = last[cut:]
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    async def decompress(self, data: Byteish, max_length: int = 0) -> bytes:
        """Like :meth:`decompress_sync`, in the executor for large chunks."""
        return await self._run(len(data), lambda: self.decompress_sync(data, max_length))

    def flush(self) -> bytes:
        """Return all output the decoder still holds, without a bound."""
        return self._drain_unbounded()

    @property
    def needs_input(self) -> bool:
        """True when a call without new input would return nothing.

        False while output is pending: call ``decompress_sync(b"", max_length)`` again.
        """
        if self._surplus:
            return False
        if self._decoder.is_finished():
            # Input held past the end of the stream raises on the next call.
            return not self._held
        return not (self._held or self._maybe_more) and self._decoder.can_accept_more_data()

    @property
    def eof(self) -> bool:
        """True once the end of the stream has been decoded and all output handed out."""
        return not self._surplus and self._decoder.is_finished()

    def _step(self, limit: int) -> Optional[bytes]:
        """Make one decoder call with an output limit (0: none); None when it needs input."""
        decoder = self._decoder
        if not self._held and decoder.is_finished():
            self._maybe_more = False
            return None
        if decoder.can_accept_more_data() and (self._held or not self._maybe_more):
            if not self._held:
                return None
            data, self._held = self._held, b""
        else:
            data = b""
        if limit > 0:
            chunk = decoder.process(data, output_buffer_limit=limit)
            self._maybe_more = len(chunk) >= limit
        else:
            chunk = decoder.process(data)
            self._maybe_more = False
        if not chunk and not data:
            # No progress without input; guards against looping on a stuck decoder.
            self._maybe_more = False
            return None
        return chunk

    def _drain_unbounded(self) -> bytes:
        parts = [self._surplus] if self._surplus else []
        self._surplus = b""
        while (chunk := self._step(0)) is not None:
            if chunk:
                parts.append(chunk)
        return b"".join(parts)
