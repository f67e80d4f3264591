"""The shared read buffer under the multipart readers of one body, and part-header parsing.

A multipart body is read by a tree of readers (:class:`~aiohttp.multipart.MultipartReader`,
its :class:`~aiohttp.multipart.BodyPartReader` parts and nested readers) that all consume the
same byte stream. :class:`PartSource` wraps that stream once for the whole tree and keeps the
bytes read past a boundary, so no reader has to push data back into the stream. It finds the
end of a body (``CRLF--boundary``, a bare ``LF`` accepted) in bounded steps: a body is handed
out in pieces of at most the requested size, and at most ``size + len(delimiter)`` bytes are
looked at per step, so a large part never sits whole in memory. Header lines are capped in
length and number (:data:`MAX_LINE_SIZE`, :data:`MAX_HEADERS`), and a stream that ends before
a body's closing boundary raises :class:`ValueError` rather than passing a short part off as
complete.
"""

from __future__ import annotations

from typing import Final, Protocol

from multidict import CIMultiDict, CIMultiDictProxy

from ._header_text import is_token
from .http_exceptions import BadHttpMessage, InvalidHeader, LineTooLong

MAX_LINE_SIZE: Final = 8190
"""Longest header line (or unfolded field) of a part, as the HTTP parser's default."""
MAX_HEADERS: Final = 128
"""Most header fields in one part; a part needs a handful (disposition, type, encoding)."""
MAX_BODY_LINE: Final = 2**16
"""Longest line :meth:`PartSource.read_body_line` returns (``BodyPartReader.readline``)."""
SKIP_STEP: Final = 2**16
"""Bytes examined per step while discarding a preamble, an epilogue or an unread part."""

_CR: Final = 0x0D


class ByteStream(Protocol):
    """What a multipart reader needs from its input: ``readany()``, as a
    :class:`~aiohttp.streams.StreamReader` has, returning ``b""`` at the end."""

    async def readany(self) -> bytes: ...


class PartSource:
    """A byte stream plus the bytes already taken from it but not yet consumed.

    The header and body methods raise :class:`ValueError` (saying what was expected) when
    the stream ends where the multipart grammar needs more; none buffers more than one
    step's worth beyond what the stream hands over in one ``readany()``.
    """

    __slots__ = ("_buffer", "_eof", "_stream")

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._eof = False

    @classmethod
    def wrap(cls, stream: ByteStream) -> PartSource:
        """``stream`` itself if it already is a source (a nested reader shares its parent's)."""
        return stream if isinstance(stream, PartSource) else cls(stream)

    async def readany(self) -> bytes:
        """Buffered bytes if any, else the next piece of the stream (``b""`` at its end)."""
        if self._buffer:
            return self._take(len(self._buffer))
        if self._eof:
            return b""
        data = await self._stream.readany()
        if not data:
            self._eof = True
        return data

    def at_eof(self) -> bool:
        """True once the stream ended and every byte was consumed."""
        return self._eof and not self._buffer

    # -- lines -----------------------------------------------------------------------

    async def read_line(self, limit: int, what: str) -> bytes:
        """The next line with its ``LF``; at the end of the stream whatever is left
        (possibly ``b""``). A line longer than ``limit`` bytes plus CRLF raises
        :class:`~aiohttp.http_exceptions.LineTooLong`."""
        cap = limit + 2
        searched = 0
        buf = self._buffer
        while True:
            idx = buf.find(b"\n", searched, cap)
            if idx != -1:
                return self._take(idx + 1)
            if len(buf) >= cap:
                raise LineTooLong(what, limit, len(buf))
            searched = len(buf)
            if not await self._fill():
                return self._take(len(buf))

    async def read_headers(
        self, max_line: int = MAX_LINE_SIZE, max_count: int = MAX_HEADERS
    ) -> CIMultiDictProxy[str]:
        """Read a part's header block through its empty line and parse it.

        Folded lines (leading SP/HTAB) are joined to the field before them. Raises
        :class:`~aiohttp.http_exceptions.LineTooLong`, :class:`BadHttpMessage` (too many
        fields), :class:`InvalidHeader` or :class:`ValueError` (the body ended).
        """
        fields: list[bytearray] = []
        while True:
            line = await self.read_line(max_line, "multipart part header")
            if not line.endswith(b"\n"):
                raise ValueError("multipart body ended inside the headers of a part")
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            if not line:
                return parse_header_fields(fields)
            if line[:1] in (b" ", b"\t"):
                if not fields:
                    raise InvalidHeader(line)
                field = fields[-1]
                field += b" " + line.strip(b" \t")
                if len(field) > max_line:
                    raise LineTooLong("multipart part header", max_line, len(field))
                continue
            if len(fields) >= max_count:
                raise BadHttpMessage(f"more than {max_count} headers in a multipart part")
            fields.append(bytearray(line))

    # -- bodies ----------------------------------------------------------------------

    async def read_body(
        self, delimiter: bytes, size: int, at_start: bool, what: str
    ) -> tuple[bytes, bool]:
        """Up to ``size`` bytes of a body that ends at ``delimiter`` (``b"\\n--boundary"``),
        and whether the body ended.

        At the end, the line break before the boundary is consumed and the ``--boundary``
        line is left in the buffer. ``at_start`` means nothing of this body was read yet, so
        a boundary right at the front is an empty body.
        """
        end, consume, done = await self._scan(delimiter, size, at_start, what)
        data = bytes(self._buffer[:end])
        del self._buffer[:consume]
        return data, done

    async def skip_body(self, delimiter: bytes, at_start: bool, what: str) -> None:
        """Discard everything up to ``delimiter``, as :meth:`read_body` would read it."""
        done = False
        while not done:
            _, consume, done = await self._scan(delimiter, SKIP_STEP, at_start, what)
            del self._buffer[:consume]
            at_start = False

    async def read_body_line(
        self, delimiter: bytes, at_start: bool, what: str
    ) -> tuple[bytes, bool]:
        """The next line of a body ending at ``delimiter``, and whether the body ended.

        A line keeps its line break except the body's last one, whose CRLF belongs to the
        delimiter. Raises :class:`ValueError` for a line over :data:`MAX_BODY_LINE` bytes.
        """
        buf = self._buffer
        dlen = len(delimiter)
        searched = 0
        while True:
            if at_start and buf.startswith(delimiter[1:]):
                return b"", True
            idx = buf.find(b"\n", searched, MAX_BODY_LINE + 1)
            if idx != -1:
                # Decided once the bytes after the break either are the delimiter or
                # cannot become it (which also settles the at_start check above).
                tail = bytes(buf[idx : idx + dlen])
                if tail == delimiter:
                    end = idx - 1 if idx and buf[idx - 1] == _CR else idx
                    data = bytes(buf[:end])
                    del buf[: idx + 1]
                    return data, True
                if self._eof or not delimiter.startswith(tail):
                    return self._take(idx + 1), False
            if idx == -1:
                if len(buf) > MAX_BODY_LINE:
                    raise ValueError(f"line longer than {MAX_BODY_LINE} bytes in a multipart part")
                searched = len(buf)
            else:
                searched = idx
            if not await self._fill() and idx == -1:
                raise ValueError(f"multipart body ended before {what}")

    # -- internals -------------------------------------------------------------------

    async def _scan(
        self, delimiter: bytes, size: int, at_start: bool, what: str
    ) -> tuple[int, int, bool]:
        """``(data_end, consume, done)`` for the next step of a body (see :meth:`read_body`)."""
        if size <= 0:
            raise ValueError(f"chunk size must be positive, not {size}")
        dlen = len(delimiter)
        # A delimiter that starts within the first size+1 bytes lies wholly in the first
        # size+dlen bytes, so the search never looks further than that.
        need = size + dlen
        buf = self._buffer
        while True:
            if at_start and buf.startswith(delimiter[1:]):
                return 0, 0, True
            idx = buf.find(delimiter, 0, need)
            if idx != -1:
                end = idx - 1 if idx and buf[idx - 1] == _CR else idx
                return end, idx + 1, True
            # No delimiter starts before the last dlen bytes (it would have been found), and
            # the byte before one is at most a CR inside them: the rest can go out now.
            safe = min(size, len(buf) - dlen)
            if safe > 0:
                return safe, safe, False
            if not await self._fill():
                raise ValueError(f"multipart body ended before {what}")

    async def _fill(self) -> bool:
        """Append the stream's next piece to the buffer; False at its end."""
        if self._eof:
            return False
        data = await self._stream.readany()
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


def parse_header_fields(fields: list[bytearray]) -> CIMultiDictProxy[str]:
    """Parse unfolded ``Name: value`` lines; a name that is not a token, a missing colon or a
    value holding CR or NUL raises :class:`~aiohttp.http_exceptions.InvalidHeader`."""
    headers: CIMultiDict[str] = CIMultiDict()
    for raw in fields:
        name, sep, value = bytes(raw).partition(b":")
        name_text = name.decode("ascii", "replace")
        if not sep or not is_token(name_text):
            raise InvalidHeader(bytes(raw))
        value = value.strip(b" \t")
        if b"\r" in value or b"\x00" in value:
            raise InvalidHeader(bytes(raw))
        headers.add(name_text, value.decode("utf-8", "surrogateescape"))
    return CIMultiDictProxy(headers)
