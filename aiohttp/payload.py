"""Request and response bodies: the :class:`Payload` classes and the registry that picks one.

A payload wraps a body value (bytes, text, a file, an async iterable ...) together with the
headers that describe it (``Content-Type``, optionally ``Content-Disposition``) and knows how to
write itself to an :class:`~aiohttp.abc.AbstractStreamWriter`. :func:`get_payload` turns any
supported value into a payload through :data:`PAYLOAD_REGISTRY`; :func:`payload_type` and
:func:`register_payload` add user types. Files are read in :data:`READ_SIZE` blocks in an
executor thread, never whole into memory, and rewound before each send so that a request body
can be sent again after a redirect. Caller-given header text (content type, file name, header
names and values) with CR, LF or NUL is refused with :class:`ValueError` at construction.
"""

from __future__ import annotations

import asyncio
import builtins
import enum
import io
import json
import mimetypes
import sys
import warnings
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from itertools import chain
from typing import IO, TYPE_CHECKING, Any, Final, Optional, TextIO, Union

from multidict import CIMultiDict

from . import hdrs
from ._header_text import check_header_fields, refuse_line_breaks
from ._payload_io import (
    READ_SIZE as READ_SIZE,
    FileCursor,
    LengthLimitedWriter,
    check_chunk,
    send_blocks,
    send_cached,
    send_chunks,
    text_charset,
)
from .helpers import (
    _SENTINEL,
    content_disposition_header,
    guess_filename,
    sentinel,
)
from .streams import StreamReader
from .typedefs import Byteish, JSONEncoder, LooseHeaders

if TYPE_CHECKING:
    from .abc import AbstractStreamWriter

__all__ = (
    "PAYLOAD_REGISTRY",
    "get_payload",
    "payload_type",
    "Payload",
    "BytesPayload",
    "StringPayload",
    "IOBasePayload",
    "BytesIOPayload",
    "BufferedReaderPayload",
    "TextIOPayload",
    "StringIOPayload",
    "JsonPayload",
    "AsyncIterablePayload",
)

TOO_LARGE_BYTES_BODY: Final[int] = 2**20
"""A bytes body above this size triggers a :class:`ResourceWarning` (use a file or BytesIO)."""


class LookupError(builtins.LookupError):
    """No payload factory is registered for the type of the given value."""


class Order(str, enum.Enum):
    """Where a registered factory is tried: before, among or after the built-in ones."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


# --- The base class -------------------------------------------------------------------------


class Payload(ABC):
    """A body value plus its describing headers.

    ``content_type`` (when not given or ``None``) is guessed from ``filename``, falling back to
    the class default. Extra ``headers`` are merged last. Unknown keyword arguments are
    accepted and ignored, so every payload class takes the same keywords.
    """

    _default_content_type: str = "application/octet-stream"
    _size: Optional[int] = None
    _consumed: bool = False
    _autoclose: bool = False

    def __init__(
        self,
        value: Any,
        headers: Optional[LooseHeaders] = None,
        content_type: Union[str, _SENTINEL, None] = sentinel,
        filename: Optional[str] = None,
        encoding: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self._value = value
        self._encoding = None if encoding is None else refuse_line_breaks(encoding, "encoding")
        self._filename = None if filename is None else refuse_line_breaks(filename, "filename")
        self._headers: CIMultiDict[str] = CIMultiDict()
        if isinstance(content_type, str):
            ctype = content_type
        elif filename is not None:
            ctype = _guess_type(filename) or self._default_content_type
        else:
            ctype = self._default_content_type
        self._headers[hdrs.CONTENT_TYPE] = refuse_line_breaks(ctype, "content_type")
        if headers:
            extra: CIMultiDict[str] = CIMultiDict(headers)
            check_header_fields(extra.items())
            self._headers.update(extra)

    @property
    def size(self) -> Optional[int]:
        """Body length in bytes, or ``None`` when unknown (then sent chunked)."""
        return self._size

    @property
    def filename(self) -> Optional[str]:
        """File name for ``Content-Disposition``, if any."""
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers describing this body (at least ``Content-Type``); mutable."""
        return self._headers

    @property
    def _binary_headers(self) -> bytes:
        """The headers as a block of ``Name: value`` lines ending with an empty line (used
        for multipart parts). Re-checked here because :attr:`headers` is mutable."""
        check_header_fields(self._headers.items())
        lines = "".join(f"{name}: {value}\r\n" for name, value in self._headers.items())
        return lines.encode("utf-8") + b"\r\n"

    @property
    def encoding(self) -> Optional[str]:
        """Charset the body text was encoded with, if the payload came from text."""
        return self._encoding

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return self._headers[hdrs.CONTENT_TYPE]

    @property
    def consumed(self) -> bool:
        """True once the body cannot be sent again (a one-shot stream was read, or closed)."""
        return self._consumed

    @property
    def autoclose(self) -> bool:
        """True when the payload holds no resource (file handle ...) that needs
        :meth:`close`; when false, the owner must ``await payload.close()``."""
        return self._autoclose

    def set_content_disposition(
        self,
        disptype: str,
        quote_fields: bool = True,
        _charset: str = "utf-8",
        **params: str,
    ) -> None:
        """Set ``Content-Disposition`` (see :func:`~aiohttp.helpers.content_disposition_header`)."""
        self._headers[hdrs.CONTENT_DISPOSITION] = content_disposition_header(
            disptype, quote_fields=quote_fields, _charset=_charset, params=params
        )

    @abstractmethod
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text (named like :meth:`bytes.decode`)."""

    @abstractmethod
    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write the whole body to ``writer`` (without ending the message)."""

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: Optional[int]
    ) -> None:
        """Write the body, at most ``content_length`` bytes of it (all of it if ``None``).

        The default caps :meth:`write` through a length-limiting writer; the built-in
        payloads stop reading once the limit is reached.
        """
        if content_length is None:
            await self.write(writer)
        else:
            await self.write(LengthLimitedWriter(writer, content_length))

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as bytes (``encoding`` matters only for payloads built from text)."""
        return self.decode(encoding, errors).encode(encoding, errors)

    async def close(self) -> None:  # noqa: B027  (an optional hook: most payloads hold nothing)
        """Release what the payload holds. Safe to call more than once; does not block."""


def _guess_type(filename: str) -> Optional[str]:
    if sys.version_info >= (3, 13):
        return mimetypes.guess_file_type(filename)[0]
    return mimetypes.guess_type(filename)[0]


# --- In-memory payloads -----------------------------------------------------------------------


class BytesPayload(Payload):
    """A ``bytes``, ``bytearray`` or ``memoryview`` body (a memoryview is sent as its bytes).

    Bodies over :data:`TOO_LARGE_BYTES_BODY` emit a :class:`ResourceWarning`.
    """

    _value: Byteish
    _size: int
    _autoclose = True

    def __init__(self, value: Byteish, *args: Any, **kwargs: Any) -> None:
        if isinstance(value, memoryview):
            if not value.c_contiguous:
                value = memoryview(value.tobytes())
            elif value.format != "B" or value.ndim != 1:
                value = value.cast("B")
        elif not isinstance(value, (bytes, bytearray)):
            raise TypeError(f"value argument must be byte-ish, not {type(value)!r}")
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(value, *args, **kwargs)
        self._size = len(value)
        if self._size > TOO_LARGE_BYTES_BODY:
            warnings.warn(
                "Sending a large body directly as bytes may block the event loop; "
                "pass a file object or io.BytesIO instead",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    @property
    def size(self) -> int:
        return self._size

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return str(self._value, encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The bytes themselves; ``encoding`` is not used."""
        value = self._value
        return value if isinstance(value, bytes) else bytes(value)

    async def write(self, writer: AbstractStreamWriter) -> None:
        await writer.write(self._value)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: Optional[int]
    ) -> None:
        if content_length is None or content_length >= self._size:
            await writer.write(self._value)
        elif content_length > 0:
            await writer.write(memoryview(self._value)[:content_length])


class StringPayload(BytesPayload):
    """A ``str`` body, encoded with ``encoding`` or the charset of ``content_type``
    (default UTF-8, ``text/plain; charset=utf-8``)."""

    def __init__(
        self,
        value: str,
        *args: Any,
        encoding: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        real_encoding, ctype = text_charset(encoding, content_type)
        super().__init__(
            value.encode(real_encoding),
            *args,
            encoding=real_encoding,
            content_type=ctype,
            **kwargs,
        )


class StringIOPayload(StringPayload):
    """The text of a :class:`io.StringIO` (read at construction, from its current position)."""

    def __init__(self, value: IO[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class JsonPayload(BytesPayload):
    """A value serialized with ``dumps`` (default :func:`json.dumps`) and encoded."""

    def __init__(
        self,
        value: Any,
        encoding: str = "utf-8",
        content_type: str = "application/json",
        dumps: JSONEncoder = json.dumps,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            dumps(value).encode(encoding),
            *args,
            content_type=content_type,
            encoding=encoding,
            **kwargs,
        )


# --- File payloads ----------------------------------------------------------------------------


class IOBasePayload(Payload):
    """A file-like object, streamed in :data:`READ_SIZE` blocks read in an executor (text
    that a ``read()`` returns is encoded with :attr:`encoding`, default UTF-8).

    The position at first use is the start of the body: every send rewinds there, so the
    payload can be sent again (after a redirect). A stream that cannot seek is single-use
    (:attr:`consumed` turns true). ``filename`` defaults to the file's base name and, with
    ``disposition``, sets ``Content-Disposition``. :meth:`close` closes the file.
    """

    _value: IO[Any]

    def __init__(
        self,
        value: IO[Any],
        disposition: Optional[str] = "attachment",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if "filename" not in kwargs:
            kwargs["filename"] = guess_filename(value)
        super().__init__(value, *args, **kwargs)
        self._cursor = FileCursor(value, self._encoding or "utf-8")
        if (
            self._filename is not None
            and disposition is not None
            and hdrs.CONTENT_DISPOSITION not in self._headers
        ):
            self.set_content_disposition(disposition, filename=self._filename)

    @property
    def size(self) -> Optional[int]:
        """Bytes from the start position to the end, for a regular file; else ``None``."""
        return self._cursor.regular_file_size()

    def _note_rewindable(self) -> None:
        if not self._cursor.rewindable:
            self._consumed = True

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: Optional[int]
    ) -> None:
        # Never send more than the file had when we started, nor more than asked.
        size = self.size
        limit: Optional[int]
        if size is None or content_length is None:
            limit = content_length if size is None else size
        else:
            limit = min(size, content_length)
        try:
            await send_blocks(writer, self._cursor.read_block, limit, in_thread=True)
        finally:
            self._note_rewindable()

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Blocking: the whole body decoded; prefer ``await as_bytes()`` in a coroutine."""
        data = self._cursor.read_all()
        self._note_rewindable()
        return data.decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body, read in an executor."""
        data = await asyncio.get_running_loop().run_in_executor(None, self._cursor.read_all)
        self._note_rewindable()
        return data

    async def close(self) -> None:
        """Close the file; the payload cannot be sent afterwards."""
        self._consumed = True
        if not getattr(self._value, "closed", True):
            self._value.close()


class BufferedReaderPayload(IOBasePayload):
    """A buffered binary file (``open(path, "rb")``); see :class:`IOBasePayload`."""

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Blocking: the whole file from the start position, decoded."""
        return super().decode(encoding, errors)


class BytesIOPayload(IOBasePayload):
    """An in-memory :class:`io.BytesIO`, from its position at construction to its end.

    Read on the event loop (no thread), yielding to it between blocks; nothing to close.
    """

    _value: io.BytesIO
    _size: int
    _autoclose = True

    def __init__(self, value: io.BytesIO, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        self._cursor.mark_start()
        with value.getbuffer() as buffer:
            self._size = max(buffer.nbytes - value.tell(), 0)

    @property
    def size(self) -> int:
        return self._size

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._cursor.read_all().decode(encoding, errors)

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: Optional[int]
    ) -> None:
        limit = self._size if content_length is None else min(self._size, content_length)
        await send_blocks(writer, self._cursor.read_block, limit, in_thread=False)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self._cursor.read_all()

    async def close(self) -> None:
        """Nothing to release: the buffer is plain memory."""


class TextIOPayload(IOBasePayload):
    """A text file, encoded with ``encoding`` or the charset of ``content_type`` (default
    UTF-8) as it is streamed.

    :attr:`size` is ``None`` (the body is sent chunked): the byte length of decoded and
    re-encoded text, after newline translation, is not known without reading it all.
    """

    _value: TextIO

    def __init__(
        self,
        value: TextIO,
        *args: Any,
        encoding: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        real_encoding, ctype = text_charset(encoding, content_type)
        super().__init__(value, *args, content_type=ctype, encoding=real_encoding, **kwargs)

    @property
    def size(self) -> None:
        return None

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Blocking: the whole text (already decoded; ``encoding`` is not used)."""
        self._cursor.rewind()
        self._note_rewindable()
        return self._value.read()

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole text, encoded with the payload's encoding."""
        text = await asyncio.get_running_loop().run_in_executor(None, self.decode)
        return text.encode(self._encoding or encoding, errors)


# --- Streamed payloads ------------------------------------------------------------------------


class AsyncIterablePayload(Payload):
    """A body produced by an async iterable of bytes-like chunks, sent chunked (size unknown).

    Single-use: streaming consumes the iterator (:attr:`consumed` turns true and a second
    send writes nothing). :meth:`as_bytes` instead collects the chunks and keeps them, after
    which the payload can be sent and decoded any number of times.
    """

    _value: AsyncIterable[Byteish]
    _autoclose = True

    def __init__(self, value: AsyncIterable[Byteish], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(
                "value argument must support collections.abc.AsyncIterable interface, "
                f"got {type(value)!r}"
            )
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(value, *args, **kwargs)
        self._iter: Optional[AsyncIterator[Byteish]] = value.__aiter__()
        self._cached: Optional[list[bytes]] = None

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: Optional[int]
    ) -> None:
        if self._cached is not None:
            await send_cached(writer, self._cached, content_length)
        elif self._iter is not None:
            iterator, self._iter = self._iter, None
            self._consumed = True
            await send_chunks(writer, iterator, content_length)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The collected body as text; only after :meth:`as_bytes` (else TypeError)."""
        if self._cached is None:
            raise TypeError("Unable to decode - content not cached. Call as_bytes() first.")
        return b"".join(self._cached).decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Collect every chunk (once) and return them joined; ``b""`` if already streamed."""
        if self._cached is None:
            iterator, self._iter = self._iter, None
            if iterator is None:
                return b""
            self._cached = [bytes(check_chunk(chunk)) async for chunk in iterator]
        return b"".join(self._cached)


class StreamReaderPayload(AsyncIterablePayload):
    """The body of a :class:`~aiohttp.streams.StreamReader` (e.g. a proxied request's
    content), forwarded as it arrives."""

    def __init__(self, value: StreamReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.iter_any(), *args, **kwargs)


# --- The registry -----------------------------------------------------------------------------

_Factory = Callable[..., Payload]
_TypeSpec = Union[type, tuple[type, ...]]


class PayloadRegistry:
    """Maps value types to payload factories.

    Lookup order: ``try_first`` factories (``isinstance``, in registration order), then the
    factory registered ``normal`` for the value's exact type (the latest such registration
    wins, so users can override a built-in), then a value that already is a
    :class:`Payload` is returned as is, then ``normal`` and ``try_last`` factories by
    ``isinstance`` in registration order.
    """

    __slots__ = ("_first", "_last", "_normal", "_normal_lookup")

    def __init__(self) -> None:
        self._first: list[tuple[_Factory, _TypeSpec]] = []
        self._normal: list[tuple[_Factory, _TypeSpec]] = []
        self._last: list[tuple[_Factory, _TypeSpec]] = []
        self._normal_lookup: dict[type, _Factory] = {}

    def get(
        self,
        data: Any,
        *args: Any,
        _CHAIN: Callable[
            [Iterable[Iterable[tuple[_Factory, _TypeSpec]]]],
            Iterable[tuple[_Factory, _TypeSpec]],
        ] = chain.from_iterable,
        **kwargs: Any,
    ) -> Payload:
        """A payload for ``data``; :class:`LookupError` if no factory accepts its type."""
        for factory, type_ in self._first:
            if isinstance(data, type_):
                return factory(data, *args, **kwargs)
        exact = self._normal_lookup.get(type(data))
        if exact is not None:
            return exact(data, *args, **kwargs)
        if isinstance(data, Payload):
            return data
        for factory, type_ in _CHAIN((self._normal, self._last)):
            if isinstance(data, type_):
                return factory(data, *args, **kwargs)
        raise LookupError(f"no payload factory registered for {type(data)!r}")

    def register(self, factory: _Factory, type: _TypeSpec, *, order: Order = Order.normal) -> None:
        """Use ``factory`` for values that are instances of ``type`` (a class or a tuple)."""
        if order is Order.try_first:
            self._first.append((factory, type))
        elif order is Order.normal:
            self._normal.append((factory, type))
            for exact in type if isinstance(type, tuple) else (type,):
                self._normal_lookup[exact] = factory
        elif order is Order.try_last:
            self._last.append((factory, type))
        else:
            raise ValueError(f"Unsupported order {order!r}")


PAYLOAD_REGISTRY: Final = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """A payload for ``data`` from :data:`PAYLOAD_REGISTRY` (extra arguments go to the
    payload's constructor); :class:`LookupError` for an unsupported type."""
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(factory: _Factory, type: _TypeSpec, *, order: Order = Order.normal) -> None:
    """Register ``factory`` for ``type`` in :data:`PAYLOAD_REGISTRY`."""
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:
    """Class decorator registering a :class:`Payload` subclass for ``type``.

    Example::

        @payload_type(MyData)
        class MyDataPayload(Payload): ...
    """

    def __init__(self, type: Any, *, order: Order = Order.normal) -> None:
        self.type = type
        self.order = order

    def __call__(self, factory: type[Payload]) -> type[Payload]:
        register_payload(factory, self.type, order=self.order)
        return factory


PAYLOAD_REGISTRY.register(BytesPayload, (bytes, bytearray, memoryview))
PAYLOAD_REGISTRY.register(StringPayload, str)
PAYLOAD_REGISTRY.register(StringIOPayload, io.StringIO)
PAYLOAD_REGISTRY.register(TextIOPayload, io.TextIOBase)
PAYLOAD_REGISTRY.register(BytesIOPayload, io.BytesIO)
PAYLOAD_REGISTRY.register(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
PAYLOAD_REGISTRY.register(IOBasePayload, io.IOBase)
PAYLOAD_REGISTRY.register(StreamReaderPayload, StreamReader)
# Last, so more specific async iterables (multipart readers ...) registered later still win.
PAYLOAD_REGISTRY.register(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
