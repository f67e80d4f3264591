"""``multipart/*`` bodies (RFC 2046, RFC 7578): streaming readers, the writer, and
``Content-Disposition`` parsing (RFC 6266).

:class:`MultipartReader` walks the parts of a body, yielding a :class:`BodyPartReader` per
part and another :class:`MultipartReader` per nested multipart; all of them share one read
buffer (:mod:`aiohttp._multipart_source`), which keeps part headers within limits and reads
bodies in bounded pieces. :class:`MultipartWriter` is a :class:`~aiohttp.payload.Payload`
that streams its parts, applying each part's ``Content-Encoding`` and
``Content-Transfer-Encoding`` (:mod:`aiohttp._multipart_codec`). Malformed input from a peer
raises :class:`ValueError` (framing) or an :mod:`aiohttp.http_exceptions` error (headers,
encodings); a caller's header text with CR, LF or NUL raises :class:`ValueError` before
anything is written.
"""

from __future__ import annotations

import codecs
import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Optional, TypeAlias, Union
from urllib.parse import parse_qsl, urlencode

from multidict import CIMultiDict, CIMultiDictProxy
from typing_extensions import Self

from . import hdrs
from ._header_text import check_header_fields, is_token
from ._multipart_codec import BytesCollector, PartEncoder, decode_content, decode_transfer
from ._multipart_disposition import join_continuations, parse_disposition
from ._multipart_parts import check_form_part, own_boundary, peer_boundary, prepare_part
from ._multipart_response import (
    MultipartResponse,
    MultipartResponseWrapper as MultipartResponseWrapper,
)
from ._multipart_source import MAX_LINE_SIZE, ByteStream, PartSource
from .compression_utils import DEFAULT_MAX_DECOMPRESS_SIZE
from .helpers import parse_mimetype
from .payload import JsonPayload, Payload, StringPayload, get_payload

if TYPE_CHECKING:
    from .abc import AbstractStreamWriter

__all__ = (
    "MultipartReader",
    "MultipartWriter",
    "BodyPartReader",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "parse_content_disposition",
    "content_disposition_filename",
)

_JSONValue: TypeAlias = Any  # type: ignore[explicit-any]  # decoded JSON is arbitrary

MAX_NESTING: Final = 32
"""Deepest nesting of multiparts a reader follows (each level costs a reader and recursion)."""


# --- Content-Disposition -------------------------------------------------------------------


class BadContentDispositionHeader(RuntimeWarning):
    """A ``Content-Disposition`` header could not be parsed; it is treated as absent."""


class BadContentDispositionParam(RuntimeWarning):
    """A ``Content-Disposition`` parameter could not be parsed; it is skipped."""


def parse_content_disposition(header: Optional[str]) -> tuple[Optional[str], dict[str, str]]:
    """Split a ``Content-Disposition`` value into its lower-cased type and parameters.

    Parameter names are lower-cased; quoted values are unquoted (leading ``/`` and ``\\``
    dropped), ``name*`` ext-values (RFC 5987) decoded, and continuation segments
    (``name*0``, ``name*1*`` ...) kept for :func:`content_disposition_filename`. A malformed
    header warns :class:`BadContentDispositionHeader` and gives ``(None, {})``; a malformed
    parameter warns :class:`BadContentDispositionParam` and is skipped.
    """
    if not header:
        return None, {}
    disptype, params, problems = parse_disposition(header)
    for problem in problems:
        category = BadContentDispositionHeader if problem.header else BadContentDispositionParam
        warnings.warn(category(problem.text), stacklevel=2)
    return disptype, params


def content_disposition_filename(
    params: Mapping[str, str], name: str = "filename"
) -> Optional[str]:
    """The value of parameter ``name`` from :func:`parse_content_disposition` output:
    ``name*`` (RFC 5987) wins over ``name``, else RFC 2231 continuations are joined;
    ``None`` when absent."""
    if not params:
        return None
    if f"{name}*" in params:
        return params[f"{name}*"]
    if name in params:
        return params[name]
    return join_continuations(params, name)


# --- Reading -------------------------------------------------------------------------------


class BodyPartReader:
    """Reader of one body part; made by :class:`MultipartReader`.

    ``boundary`` is the dash-prefixed boundary (``b"--" + boundary``). The body is read in
    pieces (:meth:`read_chunk`, :meth:`readline`) or whole (:meth:`read` and the
    conveniences); every piece is read once. ``decode`` undoes ``Content-Transfer-Encoding``
    and, outside ``multipart/form-data``, ``Content-Encoding`` (at most
    ``max_decompress_size`` bytes of output).
    """

    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: CIMultiDictProxy[str],
        content: ByteStream,
        *,
        subtype: str = "mixed",
        default_charset: Optional[str] = None,
        max_decompress_size: int = DEFAULT_MAX_DECOMPRESS_SIZE,
    ) -> None:
        self.headers = headers
        self._boundary = boundary
        self._delimiter = b"\n" + boundary
        self._source = PartSource.wrap(content)
        self._is_form_data = subtype == "form-data"
        self._default_charset = default_charset
        self._max_decompress_size = max_decompress_size
        self._at_eof = False
        self._started = False
        self._disposition: Optional[dict[str, str]] = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        data = await self.next()
        if data is None:
            raise StopAsyncIteration
        return data

    async def next(self) -> Optional[bytes]:
        """The rest of the body, or ``None`` when nothing is left."""
        data = await self.read()
        return data or None

    def at_eof(self) -> bool:
        """True once the whole body has been read."""
        return self._at_eof

    async def read(self, *, decode: bool = False) -> bytes:
        """The rest of the body; with ``decode``, passed through :meth:`decode`."""
        if self._at_eof:
            return b""
        chunks: list[bytes] = []
        while not self.at_eof():  # a method call: read_chunk changes the flag
            chunks.append(await self.read_chunk(self.chunk_size))
        data = b"".join(chunks)
        return await self.decode(data) if decode else data

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Up to ``size`` bytes of the body, undecoded (``b""`` once it is all read).

        :raises ValueError: the body ends without its closing boundary.
        """
        if self._at_eof:
            return b""
        data, self._at_eof = await self._source.read_body(
            self._delimiter, size, not self._started, "the boundary that ends a part"
        )
        self._started = True
        return data

    async def readline(self) -> bytes:
        """The next line of the body with its line break (the last line has none);
        ``b""`` at the end."""
        if self._at_eof:
            return b""
        line, self._at_eof = await self._source.read_body_line(
            self._delimiter, not self._started, "the boundary that ends a part"
        )
        self._started = True
        return line

    async def release(self) -> None:
        """Skip the rest of the body without keeping it."""
        if not self._at_eof:
            await self._source.skip_body(
                self._delimiter, not self._started, "the boundary that ends a part"
            )
            self._at_eof = self._started = True

    async def text(self, *, encoding: Optional[str] = None) -> str:
        """The decoded body as text, in ``encoding`` or the part's charset (UTF-8 default)."""
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: Optional[str] = None) -> Optional[dict[str, _JSONValue]]:
        """The decoded body parsed as JSON; ``None`` for an empty body."""
        data = await self.read(decode=True)
        if not data:
            return None
        result: dict[str, _JSONValue] = json.loads(
            data.decode(encoding or self.get_charset(default="utf-8"))
        )
        return result

    async def form(self, *, encoding: Optional[str] = None) -> list[tuple[str, str]]:
        """The decoded body parsed as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        if not data:
            return []
        charset = encoding or self.get_charset(default="utf-8")
        try:
            text = data.rstrip().decode(charset)
        except UnicodeDecodeError:
            raise ValueError(f"data cannot be decoded with {charset} encoding") from None
        return parse_qsl(text, keep_blank_values=True, encoding=charset)

    async def decode(self, data: bytes) -> bytes:
        """Undo ``Content-Transfer-Encoding`` then ``Content-Encoding`` (the latter not for
        form-data parts, RFC 7578 section 4.8).

        :raises RuntimeError: an unknown encoding.
        :raises aiohttp.http_exceptions.DecompressSizeError: more than
            ``max_decompress_size`` bytes would result.
        """
        transfer = self.headers.get(hdrs.CONTENT_TRANSFER_ENCODING)
        if transfer is not None:
            data = decode_transfer(data, transfer)
        coding = self.headers.get(hdrs.CONTENT_ENCODING)
        if coding is not None and not self._is_form_data:
            data = await decode_content(data, coding, self._max_decompress_size)
        return data

    def get_charset(self, default: str) -> str:
        """The ``charset`` of the part's ``Content-Type``, else the form's ``_charset_``
        value, else ``default``."""
        mimetype = parse_mimetype(self.headers.get(hdrs.CONTENT_TYPE, ""))
        return mimetype.parameters.get("charset", self._default_charset or default)

    @property
    def name(self) -> Optional[str]:
        """The ``name`` parameter of ``Content-Disposition`` (a form field's name)."""
        return content_disposition_filename(self._disposition_params(), "name")

    @property
    def filename(self) -> Optional[str]:
        """The ``filename`` (or ``filename*``) parameter of ``Content-Disposition``."""
        return content_disposition_filename(self._disposition_params(), "filename")

    def _disposition_params(self) -> dict[str, str]:
        if self._disposition is None:
            header = self.headers.get(hdrs.CONTENT_DISPOSITION)
            self._disposition = parse_content_disposition(header)[1]
        return self._disposition


class MultipartReader:
    """Reader of a ``multipart/*`` body described by ``headers`` (its ``Content-Type``
    gives the boundary) from ``content`` (a :class:`~aiohttp.streams.StreamReader`).

    :raises ValueError: no multipart ``Content-Type``, or a missing or invalid boundary.
    """

    response_wrapper_cls: type[MultipartResponseWrapper] = MultipartResponseWrapper
    multipart_reader_cls: Optional[type[MultipartReader]] = None
    part_reader_cls: type[BodyPartReader] = BodyPartReader

    def __init__(self, headers: Mapping[str, str], content: ByteStream) -> None:
        self.headers = headers
        ctype = headers.get(hdrs.CONTENT_TYPE)
        if ctype is None:
            raise ValueError("a multipart body needs a Content-Type header")
        self._mimetype = parse_mimetype(ctype)
        if self._mimetype.type != "multipart":
            raise ValueError(f"multipart/* content type expected, got {ctype!r}")
        boundary = self._mimetype.parameters.get("boundary")
        if boundary is None:
            raise ValueError(f"boundary missed for Content-Type: {ctype}")
        self._boundary = b"--" + peer_boundary(boundary)
        self._delimiter = b"\n" + self._boundary
        self._source = PartSource.wrap(content)
        self._default_charset: Optional[str] = None
        self._last_part: Union[MultipartReader, BodyPartReader, None] = None
        self._parts_seen = 0
        self._depth = 0
        self._at_eof = False
        self._at_bof = True

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Union[MultipartReader, BodyPartReader]:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    @classmethod
    def from_response(cls, response: MultipartResponse) -> MultipartResponseWrapper:
        """Wrap a client response whose body is multipart."""
        return cls.response_wrapper_cls(response, cls(response.headers, response.content))

    def at_eof(self) -> bool:
        """True once the closing boundary has been read."""
        return self._at_eof

    async def next(self) -> Union[MultipartReader, BodyPartReader, None]:
        """The next part (the unread rest of the previous one is skipped), or ``None``
        after the closing boundary.

        :raises ValueError: the body ends early or a boundary line is malformed.
        """
        if self._at_eof:
            return None
        await self._finish_last_part()
        if self._at_bof:
            await self._source.skip_body(self._delimiter, True, "the first boundary")
            self._at_bof = False
        await self._read_boundary()
        if self.at_eof():  # a method call: _read_boundary changes the flag
            return None
        part = await self.fetch_next_part()
        self._parts_seen += 1
        self._last_part = part
        if (
            self._parts_seen == 1
            and self._mimetype.subtype == "form-data"
            and isinstance(part, BodyPartReader)
            and part.name == "_charset_"
        ):
            # RFC 7578 section 4.6: the field gives the default charset of the others.
            await self._read_default_charset(part)
            return await self.next()
        return part

    async def release(self) -> None:
        """Skip every remaining part, through the closing boundary."""
        while not self._at_eof:
            item = await self.next()
            if item is None:
                break
            await item.release()

    async def fetch_next_part(self) -> Union[MultipartReader, BodyPartReader]:
        """Read the headers of the part after the current boundary line and return its
        reader."""
        headers = await self._source.read_headers()
        return self._get_part_reader(headers)

    def _get_part_reader(
        self, headers: CIMultiDictProxy[str]
    ) -> Union[MultipartReader, BodyPartReader]:
        mimetype = parse_mimetype(headers.get(hdrs.CONTENT_TYPE, ""))
        if mimetype.type == "multipart":
            if self._depth >= MAX_NESTING:
                raise ValueError(f"multipart bodies nested more than {MAX_NESTING} deep")
            cls = self.multipart_reader_cls or type(self)
            nested = cls(headers, self._source)
            nested._depth = self._depth + 1
            return nested
        return self.part_reader_cls(
            self._boundary,
            headers,
            self._source,
            subtype=self._mimetype.subtype,
            default_charset=self._default_charset,
        )

    async def _finish_last_part(self) -> None:
        last, self._last_part = self._last_part, None
        if last is None:
            return
        if not last.at_eof():
            await last.release()
        if isinstance(last, MultipartReader):
            # Skip the nested body's epilogue, up to our own next boundary.
            await self._source.skip_body(self._delimiter, True, "the boundary after a part")

    async def _read_boundary(self) -> None:
        line = await self._source.read_line(MAX_LINE_SIZE, "multipart boundary line")
        text = line.rstrip(b" \t\r\n")  # transport padding may follow the boundary
        if text == self._boundary:
            return
        if text == self._boundary + b"--":
            self._at_eof = True
            return
        if not line:
            raise ValueError("multipart body ended before its closing boundary")
        raise ValueError(f"Invalid boundary {text!r}, expected {self._boundary!r}")

    async def _read_default_charset(self, part: BodyPartReader) -> None:
        value = b""
        while not part.at_eof() and len(value) < 32:
            value += await part.read_chunk(32 - len(value))
        if len(value) > 31 or not part.at_eof():
            raise RuntimeError("Invalid default charset")
        try:
            charset = value.strip().decode("ascii")
            codecs.lookup(charset)
        except (UnicodeDecodeError, LookupError):
            raise RuntimeError(f"Invalid default charset {value!r}") from None
        self._default_charset = charset


# --- Writing -------------------------------------------------------------------------------

_Part: TypeAlias = tuple[Payload, Optional[str], Optional[str]]


class MultipartWriter(Payload):
    """A ``multipart/<subtype>`` body built from parts, itself a payload (so it can be a
    request or response body, or a part of another writer).

    ``boundary`` defaults to a random one; a given one must be 1-70 RFC 2046 ``bchars``
    (:class:`ValueError` otherwise) and is quoted in ``Content-Type`` when not a token.
    Parts are streamed by :meth:`write`; each part's ``Content-Encoding`` (gzip, deflate,
    br) and ``Content-Transfer-Encoding`` (base64, quoted-printable) are applied on the way.
    """

    _value: None

    def __init__(self, subtype: str = "mixed", boundary: Optional[str] = None) -> None:
        if not is_token(subtype):
            raise ValueError(f"invalid multipart subtype {subtype!r}")
        self._boundary, param = own_boundary(boundary)
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={param}")
        self._parts: list[_Part] = []
        self._is_form_data = subtype == "form-data"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        pass

    def __iter__(self) -> Iterator[_Part]:
        """``(payload, content_encoding, transfer_encoding)`` per part."""
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    @property
    def consumed(self) -> bool:
        """True when a part cannot be sent again (so neither can the whole body)."""
        return any(part.consumed for part, _, _ in self._parts)

    @property
    def boundary(self) -> str:
        """The boundary, without the leading dashes."""
        return self._boundary.decode("ascii")

    def append(self, obj: object, headers: Optional[Mapping[str, str]] = None) -> Payload:
        """Add ``obj`` as a part (through :func:`~aiohttp.payload.get_payload` unless it
        already is a payload), with extra ``headers``.

        :raises TypeError: no payload type fits ``obj``.
        :raises ValueError: a header name or value is not valid header text.
        """
        extra: CIMultiDict[str] = CIMultiDict(headers or {})
        check_header_fields(extra.items())
        if isinstance(obj, Payload):
            obj.headers.update(extra)
            return self.append_payload(obj)
        try:
            payload = get_payload(obj, headers=extra)
        except LookupError:
            raise TypeError(f"Cannot create payload from {obj!r}") from None
        return self.append_payload(payload)

    def append_payload(self, payload: Payload) -> Payload:
        """Add ``payload`` as a part.

        In ``form-data`` a part without ``Content-Disposition`` gets
        ``form-data; name="section-<n>"``, and ``Content-Encoding``, ``Content-Length`` and
        ``Content-Transfer-Encoding`` are refused (RFC 7578); elsewhere a part of known size
        and no encoding gets ``Content-Length``.

        :raises RuntimeError: an unknown content or transfer encoding.
        :raises ValueError: a forbidden form-data header, or invalid header text.
        """
        coding, transfer = prepare_part(payload, self._is_form_data, len(self._parts))
        self._parts.append((payload, coding, transfer))
        return payload

    def append_json(self, obj: object, headers: Optional[Mapping[str, str]] = None) -> Payload:
        """Add ``obj`` serialized as a JSON part."""
        return self.append_payload(JsonPayload(obj, headers=headers))

    def append_form(
        self,
        obj: Union[Sequence[tuple[str, str]], Mapping[str, str]],
        headers: Optional[Mapping[str, str]] = None,
    ) -> Payload:
        """Add ``obj`` as an ``application/x-www-form-urlencoded`` part."""
        pairs = list(obj.items()) if isinstance(obj, Mapping) else list(obj)
        return self.append_payload(
            StringPayload(
                urlencode(pairs, doseq=True),
                headers=headers,
                content_type="application/x-www-form-urlencoded",
            )
        )

    @property
    def size(self) -> Optional[int]:
        """The exact body length, or ``None`` if a part's size is unknown or it is encoded."""
        total = 0
        dashed = len(self._boundary) + 2
        for part, coding, transfer in self._parts:
            part_size = part.size
            if coding or transfer or part_size is None:
                return None
            # "--boundary\r\n" + headers + body + "\r\n"
            total += dashed + 2 + len(part._binary_headers) + part_size + 2
        return total + dashed + 4  # "--boundary--\r\n"

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text, parts as they are (their transfer encodings not applied)."""
        dashes = "--" + self.boundary
        pieces = [
            f"{dashes}\r\n{part._binary_headers.decode(encoding, errors)}"
            f"{part.decode(encoding, errors)}\r\n"
            for part, _, _ in self._parts
        ]
        return "".join(pieces) + f"{dashes}--\r\n"

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as :meth:`write` would send it."""
        collector = BytesCollector()
        await self.write(collector)
        return collector.getvalue()

    async def write(self, writer: AbstractStreamWriter, close_boundary: bool = True) -> None:
        """Stream every part to ``writer``, then the closing boundary if ``close_boundary``.

        Every part's headers are checked before the first byte is written.
        """
        heads = self._checked_heads()
        dashes = b"--" + self._boundary
        for (part, coding, transfer), head in zip(self._parts, heads):
            await writer.write(dashes + b"\r\n" + head)
            if coding or transfer:
                encoder = PartEncoder(writer, coding, transfer)
                await part.write(encoder)
                await encoder.write_eof()
            else:
                await part.write(writer)
            await writer.write(b"\r\n")
        if close_boundary:
            await writer.write(dashes + b"--\r\n")

    async def close(self) -> None:
        """Close every part that holds a resource."""
        for part, _, _ in self._parts:
            if not part.autoclose and not part.consumed:
                await part.close()

    def _checked_heads(self) -> list[bytes]:
        """Each part's header block, after checking them all (nested writers included)."""
        heads = []
        for part, _, _ in self._parts:
            heads.append(part._binary_headers)  # validates names and values
            if self._is_form_data:
                check_form_part(part)
            if isinstance(part, MultipartWriter):
                part._checked_heads()
        return heads
