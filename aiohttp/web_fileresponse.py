"""``FileResponse``: a file on disk sent as a response, the way static files are served.

On :meth:`~FileResponse.prepare` the file (or a pre-compressed ``.br`` / ``.gz`` sibling the
client accepts) is opened in a worker thread, conditional headers are evaluated (RFC 9110
section 13: 304 / 412), a ``Range`` is honoured with 206 (one range, or several as
``multipart/byteranges``) or refused with 416, and the body goes out with
:meth:`asyncio.loop.sendfile` (which falls back to reads where the transport cannot do
it), or by chunked reads of ``chunk_size`` bytes when the body is compressed on the fly,
when sending several ranges, or when the ``AIOHTTP_NOSENDFILE`` environment variable is set.
"""

from __future__ import annotations

import asyncio
import io
import os
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Final, Optional

from multidict import CIMultiDict

from . import hdrs
from ._web_conditional import evaluate_preconditions, format_etag, if_range_holds
from ._web_file_open import (
    FileRefused,
    OpenedFile,
    accepted_codings,
    guess_content_type,
    open_variant,
    read_at,
)
from ._web_ranges import ByteRange, MultipartRanges, UnsatisfiableRange, parse_byte_ranges
from .abc import AbstractStreamWriter
from .client_exceptions import ClientConnectionResetError
from .helpers import ETag, must_be_empty_body
from .typedefs import LooseHeaders, PathLike
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_request import BaseRequest

__all__ = ("FileResponse",)

#: Set ``AIOHTTP_NOSENDFILE`` to send files by reading them instead of ``sendfile``.
NOSENDFILE: Final[bool] = bool(os.environ.get("AIOHTTP_NOSENDFILE"))
_DEFAULT_CHUNK_SIZE: Final = 256 * 1024


class FileResponse(StreamResponse):
    """Send the file at ``path`` (see the module docstring for what is negotiated).

    ``chunk_size`` is how much is read at a time when the file is not sent with
    ``sendfile``.  A ``Content-Type`` given in ``headers`` is kept; otherwise it is
    guessed from the file name.  A missing file is answered with 404, one that cannot be
    read or is not a regular file with 403.
    """

    def __init__(
        self,
        path: PathLike,
        chunk_size: int = _DEFAULT_CHUNK_SIZE,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, got {chunk_size!r}")
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = Path(path)
        self._chunk_size = chunk_size
        # Set by StaticResource: the path is resolved; open no variant that is a symlink.
        self._nofollow = False

    async def prepare(self, request: BaseRequest) -> Optional[AbstractStreamWriter]:
        """Choose what to send, send the head and the body; idempotent."""
        if self.prepared:
            return await super().prepare(request)
        loop = asyncio.get_running_loop()
        codings = accepted_codings(request.headers.get(hdrs.ACCEPT_ENCODING, ""))
        opening = loop.run_in_executor(
            None, lambda: open_variant(self._path, codings, nofollow=self._nofollow)
        )
        try:
            opened = await asyncio.shield(opening)
        except FileRefused as exc:
            return await self._answer_empty(request, exc.status)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_opened)  # the thread still opens the file
            raise
        try:
            return await self._answer(request, opened)
        finally:
            opened.fobj.close()

    async def _answer_empty(
        self, request: BaseRequest, status: int
    ) -> Optional[AbstractStreamWriter]:
        self.set_status(status)
        if status != 304:
            self.content_length = 0
        return await super().prepare(request)

    async def _answer(
        self, request: BaseRequest, opened: OpenedFile
    ) -> Optional[AbstractStreamWriter]:
        etag = ETag(value=f"{opened.mtime_ns:x}-{opened.size:x}")
        last_modified = int(opened.mtime)
        headers = self.headers
        headers[hdrs.ETAG] = format_etag(etag)
        headers[hdrs.LAST_MODIFIED] = formatdate(last_modified, usegmt=True)
        if opened.has_variants:
            _add_vary(headers, hdrs.ACCEPT_ENCODING)
        precondition = evaluate_preconditions(request, etag, last_modified)
        if precondition is not None:
            return await self._answer_empty(request, precondition)

        if hdrs.CONTENT_TYPE not in headers:
            headers[hdrs.CONTENT_TYPE] = guess_content_type(self._path)
        if opened.encoding is not None:
            headers[hdrs.CONTENT_ENCODING] = opened.encoding
        headers[hdrs.ACCEPT_RANGES] = "bytes"

        size = opened.size
        ranges: Optional[list[ByteRange]] = None
        range_header = request.headers.get(hdrs.RANGE)
        if (
            range_header is not None
            and request.method == hdrs.METH_GET
            and if_range_holds(request, etag, last_modified)
        ):
            try:
                ranges = parse_byte_ranges(range_header, size)
            except UnsatisfiableRange:
                headers[hdrs.CONTENT_RANGE] = f"bytes */{size}"
                return await self._answer_empty(request, 416)
            if ranges is not None and len(ranges) > 1 and opened.encoding is not None:
                ranges = None  # several ranges of an encoded body: send it whole instead

        if ranges is None:
            return await self._send_whole(request, opened.fobj, size)
        self.set_status(206)
        if len(ranges) == 1:
            headers[hdrs.CONTENT_RANGE] = ranges[0].content_range(size)
            return await self._send_whole(request, opened.fobj, ranges[0].length, ranges[0].start)
        return await self._send_multipart(request, opened.fobj, ranges, size)

    async def _send_whole(
        self, request: BaseRequest, fobj: io.FileIO, count: int, offset: int = 0
    ) -> Optional[AbstractStreamWriter]:
        self.content_length = count
        writer = await super().prepare(request)
        if writer is None or count == 0 or must_be_empty_body(request.method, self.status):
            return writer
        transport = request.transport
        if transport is None or transport.is_closing():
            # The peer is gone: reading the file to write nowhere would only cost memory.
            raise ClientConnectionResetError("Cannot write to closing transport")
        if NOSENDFILE or self.compression:
            await self._send_chunks(writer, fobj, offset, count)
            return writer
        writer.send_headers()
        await writer.drain()
        loop = asyncio.get_running_loop()
        sent = await loop.sendfile(transport, fobj, offset, count)
        writer.output_size += sent
        if sent != count:
            raise OSError(f"{self._path} shrank while it was being sent")
        return writer

    async def _send_multipart(
        self, request: BaseRequest, fobj: io.FileIO, ranges: list[ByteRange], size: int
    ) -> Optional[AbstractStreamWriter]:
        content_type = self.headers[hdrs.CONTENT_TYPE]
        framing = MultipartRanges(ranges, size, content_type)
        self.headers[hdrs.CONTENT_TYPE] = framing.content_type
        self.content_length = framing.length
        writer = await super().prepare(request)
        if writer is None:
            return writer
        for head, rng in zip(framing.heads, ranges):
            await writer.write(head)
            await self._send_chunks(writer, fobj, rng.start, rng.length)
            await writer.write(b"\r\n")
        await writer.write(framing.tail)
        return writer

    async def _send_chunks(
        self, writer: AbstractStreamWriter, fobj: io.FileIO, offset: int, count: int
    ) -> None:
        loop = asyncio.get_running_loop()
        while count > 0:
            chunk = await loop.run_in_executor(
                None, read_at, fobj, offset, min(self._chunk_size, count)
            )
            if not chunk:
                raise OSError(f"{self._path} shrank while it was being sent")
            await writer.write(chunk)
            offset += len(chunk)
            count -= len(chunk)


def _close_opened(opening: asyncio.Future[OpenedFile]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().fobj.close()


def _add_vary(headers: CIMultiDict[str], name: str) -> None:
    """Add ``name`` to the ``Vary`` header unless it is already listed."""
    current = headers.get(hdrs.VARY)
    if current is None:
        headers[hdrs.VARY] = name
        return
    listed = {item.strip().lower() for item in current.split(",")}
    if name.lower() not in listed and "*" not in listed:
        headers[hdrs.VARY] = f"{current}, {name}"
