"""The client-response side of :meth:`aiohttp.multipart.MultipartReader.from_response`.

:class:`MultipartResponseWrapper` (importable from :mod:`aiohttp.multipart`, as in 3.13)
pairs a reader with the response it reads, releasing the response once the closing boundary
has been read; :class:`MultipartResponse` is what it needs of a response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Protocol, Union

from typing_extensions import Self

if TYPE_CHECKING:
    from .multipart import BodyPartReader, MultipartReader
    from .streams import StreamReader


class MultipartResponse(Protocol):
    """What :meth:`MultipartReader.from_response` needs of a client response."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> StreamReader: ...

    def release(self) -> Awaitable[object]: ...


class MultipartResponseWrapper:
    """A :class:`MultipartReader` over a client response, releasing the response (and its
    connection) once the last part has been fetched."""

    def __init__(self, resp: MultipartResponse, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Union[MultipartReader, BodyPartReader]:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True when the response body has been read to its end."""
        return self.resp.content.at_eof()

    async def next(self) -> Union[MultipartReader, BodyPartReader, None]:
        """The next part, or ``None`` at the end (the response is then released)."""
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the response."""
        await self.resp.release()
