"""Reading an HTML form body for :meth:`BaseRequest.post() <aiohttp.web.BaseRequest.post>`.

``multipart/form-data`` parts are read with :class:`aiohttp.multipart.MultipartReader`: a
part with a file name is streamed to an anonymous temporary file (created, written and
rewound in the default executor, so the event loop never waits on the disk, and the upload
is never held whole in memory) and becomes a ``FileField``; any other part becomes ``str``
(text parts, decoded with the part's charset) or ``bytes``.  A transfer-encoded file part
(``base64``, ``quoted-printable``) is decoded on its way to the file.
``application/x-www-form-urlencoded`` bodies are decoded with the request's charset.

The body as it arrives (boundaries and part headers included) is held to ``max_size`` bytes
(``client_max_size``): a larger declared ``Content-Length`` is refused before anything is
read, and a body that grows past the limit raises ``HTTPRequestEntityTooLarge`` as soon as
it does.  A malformed form (bad or missing boundary, a body cut short, a part without a
name, an unknown charset or transfer encoding, undecodable text) raises :class:`BadForm`,
a ``400`` that is also a :class:`ValueError`; malformed part headers raise the
:mod:`aiohttp.http_exceptions` errors, which the server answers with ``400`` as well.
"""

from __future__ import annotations

import asyncio
import binascii
import io
import re
import tempfile
from collections.abc import Callable, Mapping
from typing import IO, Final, Generic, Optional, TypeVar, Union
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDict

from . import hdrs
from ._multipart_codec import IDENTITY_TRANSFER
from ._multipart_source import ByteStream
from .multipart import BodyPartReader, MultipartReader
from .web_exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

_F = TypeVar("_F")
_CHUNK: Final = 2**16
# Decoded file data is handed to the executor in writes of about this size.
_WRITE_BATCH: Final = 2**18
_NOT_BASE64: Final = re.compile(rb"[^A-Za-z0-9+/=]")

# Builds the FileField for one uploaded file: (name, filename, file, content_type, headers).
FileFactory = Callable[[str, str, io.BufferedReader, str, CIMultiDictProxy[str]], _F]


class BadForm(HTTPBadRequest, ValueError):
    """A malformed form body: answered ``400`` when a handler lets it through, and a
    :class:`ValueError` for code that catches what :mod:`aiohttp.multipart` raises."""

    def __init__(self, detail: str) -> None:
        super().__init__(text=f"400: Bad Request: malformed form body: {detail}")
        self.args = (detail,)

    def __str__(self) -> str:
        return str(self.args[0])


def too_large(max_size: int, actual: int) -> HTTPRequestEntityTooLarge:
    """The ``413`` error for a body of ``actual`` bytes over the ``max_size`` limit."""
    return HTTPRequestEntityTooLarge(max_size=max_size, actual_size=actual)


class _CountedStream:
    """The request body as the multipart reader takes it, counted against the limit."""

    __slots__ = ("_max_size", "_size", "_stream")

    def __init__(self, stream: ByteStream, max_size: int) -> None:
        self._stream = stream
        self._max_size = max_size
        self._size = 0

    async def readany(self) -> bytes:
        data = await self._stream.readany()
        self._size += len(data)
        if 0 < self._max_size < self._size:
            raise too_large(self._max_size, self._size)
        return data


class _TransferDecoder:
    """Undoes ``base64`` or ``quoted-printable`` piece by piece (identity otherwise)."""

    __slots__ = ("_kind", "_pending")

    def __init__(self, encoding: str) -> None:
        kind = encoding.strip().lower()
        if kind not in IDENTITY_TRANSFER and kind not in ("base64", "quoted-printable"):
            raise BadForm(f"unknown Content-Transfer-Encoding {encoding!r}")
        self._kind = kind
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes that ``data`` completes; the rest waits for more."""
        if self._kind == "base64":
            # Characters outside the alphabet (line breaks) are skipped, as b64decode does.
            pending = self._pending + _NOT_BASE64.sub(b"", data)
            cut = len(pending) - len(pending) % 4
            self._pending = pending[cut:]
            return _b64decode(pending[:cut])
        if self._kind == "quoted-printable":
            pending = self._pending + data
            # Escapes and soft breaks never span lines: decode through the last line break,
            # else all but an escape that may be cut at the end.
            cut = pending.rfind(b"\n") + 1
            if not cut:
                cut = len(pending)
                escape = pending.find(b"=", max(0, cut - 2))
                if escape != -1:
                    cut = escape
            self._pending = pending[cut:]
            return _qpdecode(pending[:cut])
        return data

    def flush(self) -> bytes:
        """The decoded rest at the end of the part."""
        rest, self._pending = self._pending, b""
        if self._kind == "base64":
            return _b64decode(rest)
        if self._kind == "quoted-printable":
            return _qpdecode(rest)
        return rest


def _b64decode(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error as exc:
        raise BadForm(f"invalid base64 in a file part: {exc}") from exc


def _qpdecode(data: bytes) -> bytes:
    return binascii.a2b_qp(data)


class FormReader(Generic[_F]):
    """Reads one form body (see the module docstring); ``max_size`` 0 means no limit."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, max_size: int, make_file: FileFactory[_F]
    ) -> None:
        self._loop = loop
        self._max_size = max_size
        self._make_file = make_file
        self._files: list[IO[bytes]] = []

    def check_declared(self, length: Optional[int]) -> None:
        """Refuse a declared body ``length`` over the limit before reading any of it."""
        if length is not None and 0 < self._max_size < length:
            raise too_large(self._max_size, length)

    async def read_multipart(
        self, headers: Mapping[str, str], body: ByteStream
    ) -> MultiDict[Union[str, bytes, _F]]:
        """Every field of the ``multipart/form-data`` ``body`` described by ``headers``.

        :raises BadForm: the form is malformed, or has a nested multipart part (use
            :meth:`BaseRequest.multipart` for those).
        """
        try:
            reader = MultipartReader(headers, _CountedStream(body, self._max_size))
        except ValueError as exc:
            raise BadForm(str(exc)) from exc
        out: MultiDict[Union[str, bytes, _F]] = MultiDict()
        try:
            while (part := await self._next_part(reader)) is not None:
                name = part.name
                if not name:
                    raise BadForm("a form-data part without a name")
                ctype = part.headers.get(hdrs.CONTENT_TYPE)
                filename = part.filename
                if filename:
                    out.add(name, await self._read_file(part, name, filename, ctype))
                    continue
                value = await self._read_value(part)
                if ctype is None or ctype.lower().startswith("text/"):
                    out.add(name, _decode_text(value, part.get_charset(default="utf-8")))
                else:
                    out.add(name, value)
        except BaseException:
            await self.close_files()
            raise
        return out

    @staticmethod
    async def _next_part(reader: MultipartReader) -> Optional[BodyPartReader]:
        try:
            part = await reader.next()
        except (ValueError, RuntimeError) as exc:  # framing; an invalid _charset_ field
            raise BadForm(str(exc)) from exc
        if isinstance(part, MultipartReader):
            raise BadForm("a nested multipart part (read it with request.multipart())")
        return part

    async def _read_value(self, part: BodyPartReader) -> bytes:
        decoder = _TransferDecoder(part.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, ""))
        chunks: list[bytes] = []
        while chunk := await _read_chunk(part):
            chunks.append(decoder.feed(chunk))
        chunks.append(decoder.flush())
        return b"".join(chunks)

    async def _read_file(
        self, part: BodyPartReader, name: str, filename: str, ctype: Optional[str]
    ) -> _F:
        decoder = _TransferDecoder(part.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, ""))
        run = self._loop.run_in_executor
        tmp: IO[bytes] = await run(None, tempfile.TemporaryFile)
        self._files.append(tmp)
        batch: list[bytes] = []
        batched = 0
        while chunk := await _read_chunk(part):
            data = decoder.feed(chunk)
            batch.append(data)
            batched += len(data)
            if batched >= _WRITE_BATCH:
                await run(None, tmp.write, b"".join(batch))
                batch.clear()
                batched = 0
        batch.append(decoder.flush())
        await run(None, tmp.write, b"".join(batch))
        await run(None, tmp.seek, 0)
        content_type = "application/octet-stream" if ctype is None else ctype
        buffered: io.BufferedReader = tmp  # type: ignore[assignment]  # TemporaryFile is one
        return self._make_file(name, filename, buffered, content_type, part.headers)

    async def close_files(self) -> None:
        """Close the temporary files of a form that failed half way."""
        files, self._files = self._files, []
        for tmp in files:
            await self._loop.run_in_executor(None, tmp.close)

    def read_urlencoded(self, data: bytes, charset: str) -> MultiDict[Union[str, bytes, _F]]:
        """The fields of an ``application/x-www-form-urlencoded`` body (already read within
        the limit by :meth:`BaseRequest.read`).

        :raises BadForm: the body does not decode with ``charset`` (percent-escapes that
            do not are replaced with U+FFFD, as :func:`urllib.parse.parse_qsl` does).
        """
        out: MultiDict[Union[str, bytes, _F]] = MultiDict()
        if data:
            text = _decode_text(data.rstrip(), charset)
            out.extend(parse_qsl(text, keep_blank_values=True, encoding=charset))
        return out


async def _read_chunk(part: BodyPartReader) -> bytes:
    try:
        return await part.read_chunk(_CHUNK)
    except ValueError as exc:  # the body ended before the part's closing boundary
        raise BadForm(str(exc)) from exc


def _decode_text(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset)
    except LookupError:
        raise BadForm(f"unknown charset {charset!r}") from None
    except UnicodeDecodeError as exc:
        raise BadForm(f"a text field is not valid {charset}: {exc}") from exc
