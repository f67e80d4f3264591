"""The pure-Python HTTP/1.1 parser engine (:class:`PyH1Engine`).

Theory of operation
-------------------
Bytes accumulate only while a head, a chunk-size line or a trailer section is
unfinished; body bytes are sliced straight out of what ``feed`` was given.  Per head the
engine does one ``find(b"\\r\\n\\r\\n")``, one full-match of the start line and one regex
pass over the field block (:mod:`._h1_head`), then asks :mod:`._h1_framing` how the body
is delimited.  An unfinished head is checked as far as it has arrived
(:func:`._h1_head.scan_partial`), so an overlong or malformed line fails before the blank
line does and memory stays bounded.  States:

===========  ====================================================================
HEAD         waiting for a start line and fields (leading CRLFs are skipped)
LENGTH       ``_remaining`` bytes of a ``Content-Length`` body
CHUNK_SIZE   waiting for a chunk-size line
CHUNK_DATA   ``_remaining`` bytes of the current chunk
CHUNK_CRLF   the CRLF that must follow chunk data
TRAILERS     the trailer section after the last chunk
EOF          a response body delimited by the connection closing
UPGRADED     the connection left HTTP/1.1: everything is ``Upgraded`` data
===========  ====================================================================

The first error is kept and raised again by every later call.  ``lax=True`` (client role
only) accepts bare-LF line ends, obs-fold (unfolded to one SP) and a status line without
the SP before an empty reason; trailers are always parsed strictly.  A lax head that ends
in CRLF CRLF goes through the strict parser first (what it accepts, the lax rules read
alike) and through the line-by-line lax parser only when that one refuses it.

A client engine first tries a response head at the first CRLF CRLF through the cached
fast path of :mod:`._h1_head` (:meth:`PyH1Engine._client_head`): a head it accepts has no
bare LF, so the lax rules would end it at the same place and read it alike; anything it
does not accept, and any error, goes the general way described above.
"""

from __future__ import annotations

import enum
from typing import Final, Literal, Optional, Union

from ..http_exceptions import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    TransferEncodingError,
)
from . import _h1_grammar as g
from ._h1_framing import Framing, Semantics
from ._h1_head import (
    Pairs,
    TextPairs,
    build_request,
    build_response,
    build_response_decoded,
    method_of,
    parse_fields,
    parse_fields_decoded,
    parse_fields_lax,
    scan_partial,
    status_of,
    trailers_of,
    version_of,
)
from ._messages import (
    CHUNK_BOUNDARY,
    MESSAGE_END,
    BodyChunk,
    Event,
    Head,
    MessageEnd,
    RawResponseMessage,
    Upgraded,
)

_HEX: Final = b"0123456789abcdefABCDEF"


class _State(enum.Enum):
    HEAD = 0
    LENGTH = 1
    CHUNK_SIZE = 2
    CHUNK_DATA = 3
    CHUNK_CRLF = 4
    TRAILERS = 5
    EOF = 6
    UPGRADED = 7


_HEAD: Final = _State.HEAD
_LENGTH: Final = _State.LENGTH
_CHUNK_SIZE: Final = _State.CHUNK_SIZE
_CHUNK_DATA: Final = _State.CHUNK_DATA
_CHUNK_CRLF: Final = _State.CHUNK_CRLF
_TRAILERS: Final = _State.TRAILERS
_EOF: Final = _State.EOF
_UPGRADED: Final = _State.UPGRADED

_F_NONE: Final = Framing.NONE
_F_SWITCH: Final = Framing.SWITCH
_F_LENGTH: Final = Framing.LENGTH
_F_CHUNKED: Final = Framing.CHUNKED

Buffer = Union[bytes, bytearray]


class PyH1Engine:
    """Incremental HTTP/1.1 parser in pure Python; implements :class:`._engine.H1Engine`.

    :param role: ``"server"`` parses requests, ``"client"`` parses responses.
    :param max_line_size: longest request/status line (and chunk-size line), in bytes.
    :param max_field_size: longest header or trailer field line, in bytes.
    :param max_headers: most header (or trailer) fields in one section.
    :param lax: (client only) tolerate bare LF, obs-fold and a missing SP before an
        empty reason phrase.
    """

    __slots__ = (
        "_buf",
        "_error",
        "_expect",
        "_lax",
        "_max_field",
        "_max_headers",
        "_max_line",
        "_progress",
        "_remaining",
        "_server",
        "_state",
    )

    def __init__(
        self,
        role: Literal["server", "client"],
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 32768,
        lax: bool = False,
    ) -> None:
        if role not in ("server", "client"):
            raise ValueError(f"role must be 'server' or 'client', not {role!r}")
        self._server = role == "server"
        self._max_line = max_line_size
        self._max_field = max_field_size
        self._max_headers = max_headers
        self._lax = lax and not self._server
        self._buf = bytearray()
        self._state = _HEAD
        self._remaining = 0
        self._progress = (0, 0)
        self._expect = "GET"
        self._error: Optional[HttpProcessingError] = None

    @property
    def upgraded(self) -> bool:
        """True once the connection switched protocols; ``feed`` then returns ``Upgraded``."""
        return self._state is _UPGRADED

    def expect_response(self, method: str) -> None:
        """(client) The next final response answers a ``method`` request (a no-op for servers)."""
        self._expect = method.upper()

    def idle(self) -> bool:
        """True between messages with no byte held back and no error: the engine is then
        in the state of a new one (but for the method :meth:`expect_response` set)."""
        return self._state is _HEAD and not self._buf and self._error is None

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data`` and return the events it completed; raise on a protocol error."""
        if self._error is not None:
            raise self._error
        if self._state is _UPGRADED:
            return [Upgraded(bytes(data))] if data else []
        buf = self._buf
        b: Buffer
        if buf:
            buf += data
            b = buf
        else:
            b = data if type(data) is bytes else bytes(data)
        events: list[Event] = []
        try:
            pos = self._run(b, events)
        except HttpProcessingError as exc:
            self._error = exc
            raise
        if b is buf:
            del buf[:pos]
        elif pos < len(b):
            self._buf = bytearray(memoryview(b)[pos:])
        return events

    def feed_eof(self) -> list[Event]:
        """The peer closed; return the final events or raise if a message was cut short."""
        if self._error is not None:
            raise self._error
        state = self._state
        exc: HttpProcessingError
        if state is _HEAD or state is _UPGRADED:
            if state is _UPGRADED or not self._buf.strip(b"\r\n"):
                return []
            exc = BadHttpMessage("Connection closed before the message head was complete")
        elif state is _EOF:
            self._state = _HEAD
            return [MESSAGE_END]
        elif state is _LENGTH:
            exc = ContentLengthError(
                f"Not enough data to satisfy content length header ({self._remaining} missing)"
            )
        else:
            exc = TransferEncodingError("Not enough data to satisfy transfer length header")
        self._error = exc
        raise exc

    # -- the state machine -------------------------------------------------------------

    def _run(self, b: Buffer, events: list[Event]) -> int:
        pos = 0
        n = len(b)
        state = self._state
        while pos < n:
            if state is _HEAD:
                pos, state, done = self._head(b, pos, n, events)
                if not done:
                    break
            elif state is _LENGTH or state is _CHUNK_DATA or state is _EOF:
                avail = n - pos
                rem = self._remaining
                if state is _EOF or avail < rem:
                    events.append(BodyChunk(bytes(b[pos:n])))
                    if state is not _EOF:
                        self._remaining = rem - avail
                    pos = n
                    break
                events.append(BodyChunk(bytes(b[pos : pos + rem])))
                pos += rem
                self._remaining = 0
                if state is _LENGTH:
                    events.append(MESSAGE_END)
                    state = _HEAD
                else:
                    state = _CHUNK_CRLF
            elif state is _CHUNK_CRLF:
                if b[pos] != 13 or (n - pos > 1 and b[pos + 1] != 10):
                    raise TransferEncodingError("Chunk data is not followed by CRLF")
                if n - pos < 2:
                    break
                pos += 2
                events.append(CHUNK_BOUNDARY)
                state = _CHUNK_SIZE
            elif state is _CHUNK_SIZE:
                pos, state = self._chunks(b, pos, n, events)
                if state is _CHUNK_SIZE:
                    break  # an unfinished chunk-size line (or the end of the data)
            elif state is _TRAILERS:
                pos, done = self._trailers(b, pos, n, events)
                if not done:
                    break
                state = _HEAD
            else:  # _UPGRADED
                events.append(Upgraded(bytes(b[pos:n])))
                pos = n
        self._state = state
        return pos

    def _chunks(self, b: Buffer, pos: int, n: int, events: list[Event]) -> tuple[int, _State]:
        """Parse chunk-size lines and the chunks that are wholly here, from ``pos``.

        Returns the new position and state: ``_CHUNK_SIZE`` when the data ends at or inside
        a chunk-size line, ``_CHUNK_DATA`` inside a chunk, ``_TRAILERS`` after the last one.
        """
        append = events.append
        copy = type(b) is not bytes
        while True:
            eol = b.find(b"\r\n", pos)
            if eol < 0:
                if n - pos > self._max_line:
                    raise g.bad_chunk_line(b[pos:n])
                return pos, _CHUNK_SIZE
            line = b[pos:eol]
            if not line or line.strip(_HEX) or len(line) > g.MAX_CHUNK_SIZE_DIGITS:
                # extensions (or garbage): the full grammar decides
                m = g.CHUNK_LINE.fullmatch(line)
                if m is None or len(line) > self._max_line:
                    raise g.bad_chunk_line(line)
                line = m.group(1)
                if len(line) > g.MAX_CHUNK_SIZE_DIGITS:
                    raise g.bad_chunk_line(b[pos:eol])
            size = int(line, 16)
            pos = eol + 2
            if not size:
                return pos, _TRAILERS
            end = pos + size
            if end + 2 <= n and b[end] == 13 and b[end + 1] == 10:
                # the whole chunk is here: data and boundary in one step
                data = bytes(b[pos:end]) if copy else b[pos:end]
                append(BodyChunk(data))  # type: ignore[arg-type]  # bytes unless copied
                append(CHUNK_BOUNDARY)
                pos = end + 2
                if pos >= n:
                    return pos, _CHUNK_SIZE
            else:
                self._remaining = size
                return pos, _CHUNK_DATA

    def _head(self, b: Buffer, pos: int, n: int, events: list[Event]) -> tuple[int, _State, bool]:
        """Parse one head at ``pos`` if complete: the new position, state, and whether it was."""
        msg: Head
        if not self._progress[0]:
            first = b[pos]
            if first == 13 or first == 10:
                while b.startswith(b"\r\n", pos) or (self._lax and b.startswith(b"\n", pos)):
                    pos += 2 if b[pos] == 13 else 1
                if pos >= n:
                    return pos, _HEAD, False
            if not self._server:
                end = b.find(b"\r\n\r\n", pos)
                if end >= 0:
                    head = self._client_head(b, pos, end)
                    if head is not None:
                        msg, sem = head
                        return self._head_done(b, end + 4, n, msg, sem, events)
        after = -1  # lax: where the body starts (the blank line ends)
        if self._lax:
            # the first LF [CR] LF: the earlier of the two finds (faster than a regex scan)
            start = pos + max(0, self._progress[0] - 2)
            end = b.find(b"\n\r\n", start)
            bare = b.find(b"\n\n", start, None if end < 0 else end)
            if bare >= 0:
                end, after = bare, bare + 2
            elif end >= 0:
                after = end + 3
        else:
            end = b.find(b"\r\n\r\n", pos + max(0, self._progress[0] - 3))
        if end < 0:
            kind = "request" if self._server else "response"
            self._progress = scan_partial(
                b,
                pos,
                n,
                self._progress,
                kind,
                self._max_line,
                self._max_field,
                self._max_headers,
                self._lax,
            )
            return pos, _HEAD, False
        self._progress = (0, 0)
        if after >= 0:
            msg, sem = self._lax_head(b, pos, end, after)
            pos = after
        else:
            msg, sem = self._strict_head(b, pos, end)
            pos = end + 4
        return self._head_done(b, pos, n, msg, sem, events)

    def _head_done(
        self, b: Buffer, pos: int, n: int, msg: Head, sem: Semantics, events: list[Event]
    ) -> tuple[int, _State, bool]:
        """Emit the head parsed before ``pos``; set up for its body (see :meth:`_head`)."""
        events.append(msg)
        framing = sem.framing
        if framing is _F_NONE:
            events.append(MESSAGE_END)
            return pos, _HEAD, True
        if framing is _F_SWITCH:
            events.append(MESSAGE_END)
            if pos < n:
                events.append(Upgraded(bytes(b[pos:n])))
            return n, _UPGRADED, True
        self._remaining = sem.length
        # (identity tests: a dict keyed by the members would run Enum.__hash__)
        state = _LENGTH if framing is _F_LENGTH else _CHUNK_SIZE if framing is _F_CHUNKED else _EOF
        return pos, state, True

    def _client_head(
        self, b: Buffer, pos: int, end: int
    ) -> Optional[tuple[RawResponseMessage, Semantics]]:
        """The common response head ``b[pos:end]`` (``end`` at the first CRLF CRLF): a strict
        status line and plainly valid fields within the limits, parsed through the caches
        of :mod:`._h1_head`.  ``None`` for anything else, and on any error: the general
        path then decides (a head with a bare LF fails here, so the lax rules, which look
        for the first blank line, would read it alike)."""
        eol = b.find(b"\r\n", pos, end + 2)
        if eol - pos > self._max_line:
            return None
        status = status_of(bytes(b[pos:eol]))
        if status is None:
            return None
        raw: Pairs = []
        text: TextPairs = []
        if eol != end:
            fields = parse_fields_decoded(b, eol + 2, end + 2, self._max_headers, self._max_field)
            if fields is None:
                return None
            raw, text = fields
        version, code, reason = status
        try:
            msg, sem = build_response_decoded(version, code, reason, raw, text, self._expect)
        except HttpProcessingError:
            return None
        if code >= 200 or code == 101:
            self._expect = "GET"
        return msg, sem

    def _strict_head(self, b: Buffer, pos: int, end: int) -> tuple[Head, Semantics]:
        eol = b.find(b"\r\n", pos, end + 2)
        if self._server:
            m = g.REQUEST_LINE_FULL.fullmatch(b, pos, eol)
            if m is None or eol - pos > self._max_line:
                g.check_request_line(bytes(b[pos:eol]), True, self._max_line)
                raise BadStatusLine(g.show(b[pos:eol]))  # pragma: no cover
        else:
            m = g.STATUS_LINE_FULL.fullmatch(b, pos, eol)
            if m is None or m.group(3) is None or eol - pos > self._max_line:
                g.check_status_line(bytes(b[pos:eol]), True, self._max_line, False)
                raise BadStatusLine(g.show(b[pos:eol]))  # pragma: no cover
        text: Optional[TextPairs] = None
        if eol == end:
            pairs: Pairs = []
        elif self._server:
            pairs = parse_fields(b, eol + 2, end + 2, self._max_headers, self._max_field)
        else:
            fields = parse_fields_decoded(b, eol + 2, end + 2, self._max_headers, self._max_field)
            if fields is None:
                pairs = parse_fields(b, eol + 2, end + 2, self._max_headers, self._max_field)
            else:
                pairs, text = fields
        first, second, third = m.groups()
        if self._server:
            return build_request(method_of(first), second, version_of(third), pairs)
        return self._response(first, second, third, pairs, text)

    def _lax_head(self, b: Buffer, pos: int, end: int, after: int) -> tuple[Head, Semantics]:
        """A lax head ``b[pos:end]``: the strict parser first, as what it accepts the lax
        rules read alike; the line-by-line lax parser for anything else."""
        if after == end + 3 and b[end - 1] == 13:
            try:
                return self._strict_head(b, pos, end - 1)
            except HttpProcessingError:
                pass
        return self._lax_response(bytes(b[pos:end]))

    def _lax_response(self, head: bytes) -> tuple[RawResponseMessage, Semantics]:
        lines = head.split(b"\n")
        for i, line in enumerate(lines):
            if line.endswith(b"\r"):
                lines[i] = line[:-1]
        first = lines[0]
        g.check_status_line(first, True, self._max_line, True)
        m = g.STATUS_LINE_FULL.fullmatch(first)
        assert m is not None
        pairs = parse_fields_lax(lines[1:], self._max_headers, self._max_field)
        minor, status, reason = m.groups()
        return self._response(minor, status, reason, pairs)

    def _response(
        self,
        minor: bytes,
        status: bytes,
        reason: Optional[bytes],
        pairs: Pairs,
        text: Optional[TextPairs] = None,
    ) -> tuple[RawResponseMessage, Semantics]:
        code = int(status)
        msg, sem = build_response(version_of(minor), code, reason or b"", pairs, self._expect, text)
        if code >= 200 or code == 101:
            self._expect = "GET"
        return msg, sem

    def _trailers(self, b: Buffer, pos: int, n: int, events: list[Event]) -> tuple[int, bool]:
        """Parse the trailer section at ``pos``; return the new position and completeness."""
        if not self._progress[0]:
            if b.startswith(b"\r\n", pos):
                events.append(MESSAGE_END)
                return pos + 2, True
            if n - pos == 1 and b[pos] == 13:
                return pos, False
        end = b.find(b"\r\n\r\n", pos + max(0, self._progress[0] - 3))
        if end < 0:
            self._progress = scan_partial(
                b,
                pos,
                n,
                self._progress,
                "trailer",
                self._max_line,
                self._max_field,
                self._max_headers,
                False,
            )
            return pos, False
        self._progress = (0, 0)
        pairs = parse_fields(b, pos, end + 2, self._max_headers, self._max_field, "trailer")
        events.append(MessageEnd(trailers_of(pairs)))
        return end + 4, True
