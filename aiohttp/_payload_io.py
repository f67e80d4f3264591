"""The sending loops and file access that :mod:`aiohttp.payload` builds on.

:class:`FileCursor` remembers where a file payload starts, rewinds there before each send (so
a payload can be re-sent after a redirect) and reads it in :data:`READ_SIZE` blocks; its
blocking methods are meant to run in an executor thread. :func:`send_blocks` and
:func:`send_chunks` copy a file or an async iterable to a writer, never more than a length
cap; :class:`LengthLimitedWriter` applies such a cap to a payload that only knows how to
``write()`` everything. :func:`text_charset` settles the charset and Content-Type of text
bodies.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterable
from typing import IO, TYPE_CHECKING, Final, Optional, Union

from multidict import CIMultiDict

from .helpers import parse_mimetype
from .typedefs import Byteish

if TYPE_CHECKING:
    from .abc import AbstractStreamWriter

READ_SIZE: Final[int] = 2**16
"""Bytes (or, for text files, characters) read from a file per executor call."""


def _as_bytes(data: Union[bytes, str, None], encoding: str) -> bytes:
    # A raw stream in non-blocking mode may return None: nothing to send right now.
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode(encoding)
    return data


class FileCursor:
    """Start position, size and block reads of one file-like object.

    A stream that cannot ``tell``/``seek`` (a pipe, a socket file) is marked single-use:
    :attr:`rewindable` turns false on the first access, and a later send reads whatever is
    left.
    """

    __slots__ = ("_file", "_start", "encoding", "rewindable")

    def __init__(self, file: IO[bytes] | IO[str], encoding: str) -> None:
        self._file = file
        self._start: Optional[int] = None
        self.encoding = encoding  # for files whose read() returns str
        self.rewindable = True

    @property
    def start(self) -> Optional[int]:
        """The position sends start from; ``None`` until first known."""
        return self._start

    def mark_start(self) -> None:
        """Record the current position as the start, if not recorded yet (non-blocking)."""
        if self._start is None and self.rewindable:
            try:
                self._start = self._file.tell()
            except (OSError, AttributeError):
                self.rewindable = False

    def rewind(self) -> None:
        """Move to the start (recording it first if this is the first access)."""
        if self._start is None:
            self.mark_start()
            return
        try:
            self._file.seek(self._start)
        except (OSError, AttributeError):
            self.rewindable = False

    def regular_file_size(self) -> Optional[int]:
        """Bytes from the start to the end of a regular on-disk file, else ``None``.

        Only ``fstat`` of a regular file gives a size to trust; pipes, sockets and devices
        report 0 whatever they will yield.
        """
        self.mark_start()
        if self._start is None:
            return None
        try:
            st = os.fstat(self._file.fileno())
        except (OSError, AttributeError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return max(st.st_size - self._start, 0)

    def read_block(self, rewind: bool, limit: Optional[int]) -> bytes:
        """Blocking: optionally rewind, then read up to ``min(READ_SIZE, limit)`` units."""
        if rewind:
            self.rewind()
        want = READ_SIZE if limit is None else min(READ_SIZE, limit)
        if want <= 0:
            return b""
        return _as_bytes(self._file.read(want), self.encoding)

    def read_all(self) -> bytes:
        """Blocking: rewind and read everything to the end."""
        self.rewind()
        return _as_bytes(self._file.read(), self.encoding)


class LengthLimitedWriter:
    """An :class:`~aiohttp.abc.AbstractStreamWriter` that forwards at most ``limit`` body
    bytes to ``writer`` and silently drops the rest; everything else is delegated."""

    __slots__ = ("_remaining", "_writer")

    def __init__(self, writer: AbstractStreamWriter, limit: int) -> None:
        self._writer = writer
        self._remaining = max(limit, 0)

    # The writer's counters, read and written through (the protocol declares them settable).
    @property
    def buffer_size(self) -> int:
        return self._writer.buffer_size

    @buffer_size.setter
    def buffer_size(self, value: int) -> None:
        self._writer.buffer_size = value

    @property
    def output_size(self) -> int:
        return self._writer.output_size

    @output_size.setter
    def output_size(self, value: int) -> None:
        self._writer.output_size = value

    @property
    def length(self) -> Optional[int]:
        return self._writer.length

    @length.setter
    def length(self, value: Optional[int]) -> None:
        self._writer.length = value

    async def write(self, chunk: Byteish) -> None:
        if self._remaining <= 0:
            return
        view = memoryview(chunk).cast("B")
        if len(view) > self._remaining:
            view = view[: self._remaining]
        self._remaining -= len(view)
        await self._writer.write(view)

    async def write_eof(self, chunk: bytes = b"") -> None:
        await self._writer.write_eof(chunk[: self._remaining])
        self._remaining = 0

    async def drain(self) -> None:
        await self._writer.drain()

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        self._writer.enable_compression(encoding, strategy)

    def enable_chunking(self) -> None:
        self._writer.enable_chunking()

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        await self._writer.write_headers(status_line, headers)

    def send_headers(self) -> None:
        self._writer.send_headers()


def text_charset(encoding: Optional[str], content_type: Optional[str]) -> tuple[str, str]:
    """The charset and Content-Type of a text body, each derived from the other if absent."""
    if encoding is not None:
        return encoding, content_type or f"text/plain; charset={encoding}"
    if content_type is None:
        return "utf-8", "text/plain; charset=utf-8"
    return parse_mimetype(content_type).parameters.get("charset", "utf-8"), content_type


async def send_blocks(
    writer: AbstractStreamWriter,
    read_block: Callable[[bool, Optional[int]], bytes],
    limit: Optional[int],
    *,
    in_thread: bool,
) -> None:
    """Copy ``read_block(rewind, limit)`` results to ``writer`` until one is empty or
    ``limit`` bytes were sent; the first call rewinds. ``in_thread`` runs each read in the
    default executor; otherwise reads run on the loop, which gets a turn between blocks."""
    loop = asyncio.get_running_loop()
    remaining = limit
    first = True
    while True:
        if in_thread:
            chunk = await loop.run_in_executor(None, read_block, first, remaining)
        else:
            if not first:
                await asyncio.sleep(0)
            chunk = read_block(first, remaining)
        first = False
        if not chunk:
            return
        if remaining is not None:
            chunk = chunk[:remaining]
            remaining -= len(chunk)
        await writer.write(chunk)
        if remaining is not None and remaining <= 0:
            return


def check_chunk(chunk: object) -> Byteish:
    """``chunk`` if it is bytes-like, else TypeError (an async iterable body yielded junk)."""
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return chunk
    raise TypeError(f"an async iterable body must yield bytes-like chunks, got {type(chunk)!r}")


async def send_chunks(
    writer: AbstractStreamWriter, iterator: AsyncIterator[Byteish], limit: Optional[int]
) -> None:
    """Copy an async iterator's chunks to ``writer``, at most ``limit`` bytes. Stopping
    early closes an async generator at once (its cleanup runs now, not at GC time)."""
    remaining = limit
    async for chunk in iterator:
        data = check_chunk(chunk)
        if remaining is None:
            await writer.write(data)
            continue
        if len(data) > remaining:
            data = memoryview(data).cast("B")[:remaining]
        remaining -= len(data)
        await writer.write(data)
        if remaining <= 0:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
            return


async def send_cached(
    writer: AbstractStreamWriter, chunks: Iterable[bytes], limit: Optional[int]
) -> None:
    """Write already-collected ``chunks``, at most ``limit`` bytes."""
    for chunk in chunks:
        if limit is not None:
            if limit <= 0:
                return
            chunk = chunk[:limit]
            limit -= len(chunk)
        await writer.write(chunk)
