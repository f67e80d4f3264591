"""Reading an HTML form body for :meth:`BaseRequest.post() <aiohttp.web.BaseRequest.post>`.

``multipart/form-data`` parts are read with :class:`aiohttp.multipart.MultipartReader`: a
part with a file name is spooled to an anonymous temporary file (created, written and
rewound in the default executor, so the event loop never waits on the disk) and becomes a
``FileField``; any other part becomes ``str`` (text parts, decoded with the part's charset)
or ``bytes``.  ``application/x-www-form-urlencoded`` bodies are decoded with the request's
charset.  The whole form, every part together, is held to ``max_size`` bytes
(``client_max_size``); going over raises ``HTTPRequestEntityTooLarge`` as soon as it
happens, before the rest of the body is read.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import Callable
from typing import IO, Final, Generic, TypeVar, Union
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDict

from . import hdrs
from .multipart import BodyPartReader, MultipartReader

_F = TypeVar("_F")
_CHUNK: Final = 2**16

# Builds the FileField for one uploaded file: (name, filename, file, content_type, headers).
FileFactory = Callable[[str, str, io.BufferedReader, str, CIMultiDictProxy[str]], _F]


def too_large(max_size: int, actual: int) -> Exception:
    """The ``413`` error for a body of ``actual`` bytes over the ``max_size`` limit."""
    from .web_exceptions import HTTPRequestEntityTooLarge

    return HTTPRequestEntityTooLarge(max_size=max_size, actual_size=actual)


class FormReader(Generic[_F]):
    """Reads one form body (see the module docstring); ``max_size`` 0 means no limit."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, max_size: int, make_file: FileFactory[_F]
    ) -> None:
        self._loop = loop
        self._max_size = max_size
        self._make_file = make_file
        self._size = 0
        self._files: list[IO[bytes]] = []

    def _count(self, n: int) -> None:
        self._size += n
        if 0 < self._max_size < self._size:
            raise too_large(self._max_size, self._size)

    async def read_multipart(self, reader: MultipartReader) -> MultiDict[Union[str, bytes, _F]]:
        """Every field of a ``multipart/form-data`` body.

        :raises ValueError: a nested multipart part (use :meth:`BaseRequest.multipart`).
        """
        out: MultiDict[Union[str, bytes, _F]] = MultiDict()
        try:
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    raise ValueError("To decode nested multipart you need to use custom reader")
                name = part.name or ""
                ctype = part.headers.get(hdrs.CONTENT_TYPE)
                if part.filename:
                    out.add(name, await self._read_file(part, name, part.filename, ctype))
                    continue
                value = await part.decode(await self._read_part(part))
                if ctype is None or ctype.lower().startswith("text/"):
                    out.add(name, value.decode(part.get_charset(default="utf-8")))
                else:
                    out.add(name, value)
        except BaseException:
            await self.close_files()
            raise
        return out

    async def _read_part(self, part: BodyPartReader) -> bytes:
        chunks: list[bytes] = []
        while True:
            chunk = await part.read_chunk(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            self._count(len(chunk))
            chunks.append(chunk)

    async def _read_file(
        self, part: BodyPartReader, name: str, filename: str, ctype: str | None
    ) -> _F:
        run = self._loop.run_in_executor
        tmp: IO[bytes] = await run(None, tempfile.TemporaryFile)
        self._files.append(tmp)
        if hdrs.CONTENT_TRANSFER_ENCODING in part.headers:
            # base64 / quoted-printable must be decoded whole, not chunk by chunk.
            data = await part.decode(await self._read_part(part))
            await run(None, tmp.write, data)
        else:
            while True:
                chunk = await part.read_chunk(_CHUNK)
                if not chunk:
                    break
                self._count(len(chunk))
                await run(None, tmp.write, chunk)
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
        """The fields of an ``application/x-www-form-urlencoded`` body."""
        self._count(len(data))
        out: MultiDict[Union[str, bytes, _F]] = MultiDict()
        if data:
            text = data.rstrip().decode(charset)
            out.extend(parse_qsl(text, keep_blank_values=True, encoding=charset))
        return out
