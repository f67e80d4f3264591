"""llhttp callbacks for :class:`._httptools.HttptoolsH1Engine`: events, checks, positions.

The driver is the ``protocol`` object httptools calls back.  Besides turning callbacks
into events it tracks where the current message started inside the fed bytes (and keeps
its earlier bytes while it spans feeds) so the engine can replay it in Python, and it
raises :class:`Delegate` from a callback whenever llhttp accepted something our grammar
judges differently.  Module docstring of :mod:`._httptools` explains the scheme.
"""

from __future__ import annotations

import enum
import re
from typing import Final, Optional

import httptools

from ..http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    HttpProcessingError,
    LineTooLong,
)
from . import _h1_grammar as g
from ._h1_framing import _NONE_CLOSE, _NONE_KEEP, Framing, Semantics
from ._h1_head import (
    Pairs,
    build_request,
    build_response,
    method_of,
    trailers_of,
    version_of,
)
from ._messages import (
    CHUNK_BOUNDARY,
    MESSAGE_END,
    BodyChunk,
    Event,
    Head,
    HttpVersion,
    MessageEnd,
)

_LAZY: Final = -2  # ``nxt`` of a chunked message: computed on demand
_V11: Final = HttpVersion(1, 1)
_V10: Final = HttpVersion(1, 0)


class Phase(enum.Enum):
    """Where the driver is in the current message."""

    IDLE = 0
    HEAD = 1
    NONE = 2
    LENGTH = 3
    CHUNKED = 4
    EOF = 5


# Module constants: reading an Enum member off its class is slow on a hot path.
_IDLE: Final = Phase.IDLE
_HEAD: Final = Phase.HEAD
_P_NONE: Final = Phase.NONE
_P_LENGTH: Final = Phase.LENGTH
_P_CHUNKED: Final = Phase.CHUNKED
_P_EOF: Final = Phase.EOF
_NONE: Final = Framing.NONE
_SWITCH: Final = Framing.SWITCH
_LENGTH: Final = Framing.LENGTH
_CHUNKED: Final = Framing.CHUNKED


def _phase_of(framing: Framing) -> Phase:
    # identity tests: a dict keyed by members would call Enum.__hash__ (Python code)
    if framing is _NONE or framing is _SWITCH:
        return _P_NONE
    if framing is _LENGTH:
        return _P_LENGTH
    if framing is _CHUNKED:
        return _P_CHUNKED
    return _P_EOF


class Delegate(Exception):
    """Hand this message to the Python engine; raise ``fallback`` if it cannot be replayed."""

    def __init__(self, fallback: HttpProcessingError) -> None:
        super().__init__(fallback)
        self.fallback = fallback


class LLHttpDriver:
    """The callback side of one llhttp parser (one direction of one connection)."""

    def __init__(self, server: bool, max_line: int, max_field: int, max_headers: int) -> None:
        self.server = server
        self.max_line = max_line
        self.max_field = max_field
        self.max_headers = max_headers
        self.head_cap = max_line + (max_headers + 1) * (max_field + 2) + 4
        # The llhttp parser calling back into this driver is held by the engine and lent
        # here only while it runs (``feed``): held here too, the two would form a reference
        # cycle that outlives every connection until the garbage collector finds it.
        self.parser: httptools.HttpRequestParser | httptools.HttpResponseParser | None = None
        self.events: list[Event] = []
        self.phase = _IDLE
        self.data = b""
        # Position bookkeeping for replay: the current message starts at ``data[start:]``
        # preceded by ``prefix`` from earlier feeds (start -1 / prefix None: unknown);
        # ``kept`` events precede it in this feed; ``nxt`` is where the next one starts.
        self.start = -1
        self.prefix: Optional[bytes] = None
        self.kept = 0
        self.nxt = 0
        self.head_end = -1
        self.head_in_feed = False
        self.head_len = -1
        self.tail = 0
        self.head_bytes = 0
        self.pending_expect: Optional[str] = None
        self.carry = b""  # a CR that ended the previous feed between messages
        # The message being parsed.
        self.url = b""
        self.status: Optional[bytes] = None
        self.pairs: Pairs = []
        self.framing = _NONE
        self.length = 0
        self.body_seen = 0
        self.body_in_feed = 0
        self.chunk_data = False
        self.in_chunk = False

    def new_parser(self) -> httptools.HttpRequestParser | httptools.HttpResponseParser:
        """An llhttp parser calling back into this driver (lend it as ``parser`` to feed)."""
        if self.server:
            return httptools.HttpRequestParser(self)
        return httptools.HttpResponseParser(self)

    @property
    def remaining(self) -> int:
        """Bytes still missing from a ``Content-Length`` body."""
        return self.length - self.body_seen

    # -- feed bookkeeping ------------------------------------------------------------

    def begin_feed(self, data: bytes) -> None:
        """Reset per-feed state before ``data`` goes to llhttp."""
        self.data = data
        self.events = []
        self.head_end = -1
        self.head_in_feed = False
        self.body_in_feed = 0
        if self.phase is _IDLE:
            self.nxt = 0
        else:
            self.nxt = -1
            self.start = 0 if self.prefix is not None else -1
            self.kept = 0

    def end_feed(self, data: bytes, replay_limit: int) -> None:
        """After llhttp took all of ``data``: bound an unfinished head, keep replay bytes."""
        phase = self.phase
        if phase is _IDLE:
            self._check_idle_bytes(data)
            self.prefix = None
            return
        start = self.start
        if phase is _HEAD or (phase is _P_CHUNKED and self.in_chunk and not self.chunk_data):
            # An unfinished start line, field line or trailer line: llhttp buffers it in
            # httptools until it ends, so bound it here.
            nl = data.rfind(b"\n")
            if nl < 0 or nl < start:
                self.tail += len(data) - max(start, 0)
            else:
                self.tail = len(data) - nl - 1
            if self.tail > min(self.max_line, self.max_field) + 1:
                raise Delegate(LineTooLong("header line", self.max_field, self.tail))
        if phase is _HEAD:
            self.head_bytes += len(data) - max(start, 0)
            if self.head_bytes > self.head_cap:
                raise Delegate(BadHttpMessage("Message head is too large"))
        if start >= 0 and self.prefix is not None:
            held = self.prefix + data[start:]
            self.prefix = held if len(held) <= replay_limit else None
        else:
            self.prefix = None

    def _check_idle_bytes(self, data: bytes) -> None:
        """llhttp skips any CR/LF between messages; we allow CRLF pairs only."""
        if self.nxt == _LAZY:
            if data.endswith(b"\r\n"):
                return
            self.nxt = self._chunked_end()
        if self.nxt < 0 or self.nxt >= len(data):
            return
        junk = (self.carry if self.nxt == 0 else b"") + data[self.nxt :]
        rest = junk.replace(b"\r\n", b"")
        if rest and not (rest == b"\r" and junk.endswith(b"\r")):
            raise Delegate(BadHttpMethod(g.show(rest, 1)))  # replay_point keeps the carry
        self.carry = rest

    def replay_point(self) -> Optional[tuple[bytes, int, int]]:
        """``(prefix, start, kept)`` to re-parse the current message from, if known."""
        if self.phase is _IDLE:
            if self.nxt == _LAZY:
                self.nxt = self._chunked_end()
            if self.nxt < 0:
                return None
            return (self.carry if self.nxt == 0 else b""), self.nxt, len(self.events)
        if self.start >= 0 and self.prefix is not None:
            return self.prefix, self.start, self.kept
        return None

    def eof_events(self) -> list[Event]:
        """Events for the peer closing a read-until-EOF body."""
        return [MESSAGE_END]

    # -- httptools callbacks -----------------------------------------------------------

    def _lent_parser(self) -> httptools.HttpRequestParser | httptools.HttpResponseParser:
        parser = self.parser
        assert parser is not None, "llhttp callbacks run only while the engine feeds"
        return parser

    def on_message_begin(self) -> None:
        self.phase = _HEAD
        self.url = b""
        self.status = None
        self.pairs = []
        self.body_seen = 0
        self.tail = 0
        self.head_bytes = 0
        if self.nxt == _LAZY:
            self.nxt = self._chunked_end()
        self.head_len = -1
        if self.nxt >= 0:
            self.start = self.nxt
            self.prefix = self.carry if self.nxt == 0 else b""
            self.kept = len(self.events)
        else:
            self.start = -1
            self.prefix = None
        self.nxt = -1
        self.carry = b""
        if self.pending_expect is not None:
            raise Delegate(
                BadHttpMessage(
                    f"Cannot apply expect_response({self.pending_expect!r}) to a pipelined "
                    "response whose start is unknown"
                )
            )

    def on_url(self, url: bytes) -> None:
        url = self.url + url
        self.url = url
        if len(url) + 11 > self.max_line:
            raise Delegate(LineTooLong("request line", self.max_line, len(url) + 11))

    def on_status(self, status: bytes) -> None:
        self.status = status if self.status is None else self.status + status
        if len(self.status) + 13 > self.max_line:
            raise Delegate(LineTooLong("status line", self.max_line, len(self.status) + 13))

    def on_header(self, name: bytes, value: bytes) -> None:
        # Hot: header and trailer fields land in ``pairs``.  llhttp drops the leading OWS
        # of a value but keeps the trailing one; rstrip returns the same object without it.
        self.pairs.append((name, value.rstrip(b" \t")))

    def _checked_fields(self, pairs: Pairs, what: str) -> Pairs:
        """``pairs`` OWS-trimmed, within the count and line-size limits (else delegate)."""
        if len(pairs) > self.max_headers:
            raise Delegate(g.too_many_fields(self.max_headers, what + "s"))
        pairs = [(n, v.rstrip(b" \t")) for n, v in pairs]
        if pairs and max([len(n) + len(v) for n, v in pairs]) + 2 > self.max_field:
            raise Delegate(LineTooLong(f"{what} line", self.max_field))
        return pairs

    def on_headers_complete(self) -> None:
        self.head_in_feed = True
        pairs = self.pairs
        self.pairs = []  # from now on: trailers
        if self.server and self.start >= 0:
            # the common case, kept short: a request whose bytes we can see
            try:
                req, sem = self._request_head(pairs)
            except HttpProcessingError as exc:
                raise Delegate(exc) from exc
            framing = sem.framing
            # the two plain no-body outcomes imply no Upgrade field and no CONNECT, so
            # llhttp cannot want a switch; ask it otherwise
            if (
                sem is not _NONE_KEEP
                and sem is not _NONE_CLOSE
                and (framing is _SWITCH) != self._lent_parser().should_upgrade()
            ):
                raise Delegate(BadHttpMessage("Upgrade request outside llhttp's rules"))
            self.events.append(req)
            self.framing = framing
            self.length = sem.length
            self.phase = _phase_of(framing)
            return
        parser = self._lent_parser()
        code = 0
        try:
            msg: Head
            if self.start >= 0:  # a response (requests took the branch above)
                m = self._raw_head(pairs)
                code = int(m.group(2))
                version = version_of(m.group(1))
                msg, sem = build_response(version, code, m.group(3), pairs, "GET")
            else:
                pairs = self._checked_fields(pairs, "header")
                version = _version(parser.get_http_version())
                if isinstance(parser, httptools.HttpRequestParser):
                    raw_method = parser.get_method()
                    if len(raw_method) + len(self.url) + 10 > self.max_line:
                        raise Delegate(LineTooLong("request line", self.max_line))
                    method = method_of(raw_method)
                    msg, sem = build_request(method, self.url, version, pairs)
                else:
                    code = parser.get_status_code()
                    reason = self.status
                    if (
                        reason is None
                        or code < 100
                        or len(reason) + 13 > self.max_line
                        or reason.translate(None, g.CTL_EXCEPT_HTAB) != reason
                    ):
                        raise Delegate(BadStatusLine(error="Invalid status line"))
                    msg, sem = build_response(version, code, reason, pairs, "GET")
        except HttpProcessingError as exc:
            raise Delegate(exc) from exc
        framing = sem.framing
        if self.server:
            if (framing is _SWITCH) != parser.should_upgrade():
                raise Delegate(BadHttpMessage("Upgrade request outside llhttp's rules"))
        elif code == 101 and not parser.should_upgrade():
            raise Delegate(BadHttpMessage("101 response without Upgrade headers"))
        self.events.append(msg)
        self.framing = framing
        self.length = sem.length
        self.phase = _phase_of(framing)

    def _request_head(self, pairs: Pairs) -> tuple[Head, Semantics]:
        """Build a request head whose bytes we can see, checking its raw start line.

        llhttp parsed method, target and version; the line is exactly ours iff it is as
        long as those with one SP each (llhttp allows no CR or LF inside it, so a longer
        line has none where ours would end) and its protocol is ``HTTP/1.``.  Anything
        else goes through :meth:`_raw_head`, our grammar on the raw line.
        """
        prefix = self.prefix
        region = prefix + self.data if prefix else self.data
        pos = self.start
        if region[pos] == 13:
            while region.startswith(b"\r\n", pos):
                pos += 2
        raw_method = self._lent_parser().get_method()  # type: ignore[union-attr]  # server: requests
        target = self.url
        eol = pos + len(raw_method) + len(target) + 10
        end = region.find(b"\r\n\r\n", eol)
        if (
            end < 0
            or region[eol] != 13
            or not region.startswith(b"HTTP/1.", eol - 8)
            or eol - pos > self.max_line
        ):
            m = self._raw_head(pairs)  # raises (via Delegate) unless our grammar agrees
            raw_method, target, minor = m.groups()
            return build_request(method_of(raw_method), target, version_of(minor), pairs)
        self._fields_end(region, eol, end, pairs)
        minor = region[eol - 1]
        version = _V11 if minor == 49 else _V10 if minor == 48 else HttpVersion(1, minor - 48)
        return build_request(method_of(raw_method), target, version, pairs)

    def _fields_end(self, region: bytes, eol: int, end: int, pairs: Pairs) -> None:
        """Record where the head ends (``end``: its CRLF CRLF); check field count and sizes."""
        prefix = self.prefix
        self.head_end = end + 4 - (len(prefix) if prefix else 0)
        self.head_len = end + 4 - self.start
        if len(pairs) > self.max_headers:
            raise Delegate(g.too_many_fields(self.max_headers, "headers"))
        if end - eol > self.max_field + 2 and _longest_line(region, eol + 2, end) > self.max_field:
            raise Delegate(LineTooLong("header line", self.max_field))

    def _raw_head(self, pairs: Pairs) -> re.Match[bytes]:
        """Check the raw head of a message whose bytes we can see.

        Returns the start-line match (our grammar decides method, target, version,
        status and reason); the field count and line sizes are checked on the raw lines.
        """
        prefix = self.prefix
        region = prefix + self.data if prefix else self.data
        pos = self.start
        while region.startswith(b"\r\n", pos):
            pos += 2
        eol = region.find(b"\r\n", pos)
        end = region.find(b"\r\n\r\n", pos)
        pattern = g.REQUEST_LINE_FULL if self.server else g.STATUS_LINE_FULL
        m = pattern.fullmatch(region, pos, eol) if eol >= 0 else None
        if (
            m is None
            or end < 0
            or eol - pos > self.max_line
            or (not self.server and m.group(3) is None)
        ):
            raise Delegate(BadStatusLine(g.show(region[pos : max(eol, pos)])))
        self._fields_end(region, eol, end, pairs)
        return m

    def on_body(self, body: bytes) -> None:
        self.events.append(BodyChunk(body))
        self.body_seen += len(body)
        self.body_in_feed += len(body)
        self.chunk_data = True

    def on_chunk_header(self) -> None:
        self.chunk_data = False
        self.in_chunk = True
        self.tail = 0

    def on_chunk_complete(self) -> None:
        self.in_chunk = False
        if self.chunk_data:
            self.events.append(CHUNK_BOUNDARY)
            self.chunk_data = False

    def on_message_complete(self) -> None:
        if self.pairs:
            trailers = self._checked_fields(self.pairs, "trailer")
            self.events.append(MessageEnd(trailers_of(trailers)))
        else:
            self.events.append(MESSAGE_END)
        framing = self.framing
        if framing is _LENGTH and not self.head_in_feed:
            # the head ended in an earlier feed: this feed began with body bytes
            self.nxt = self.body_in_feed
        elif self.start < 0 or self.prefix is None:
            self.nxt = -1
        elif framing is _LENGTH and self.head_end >= 0:
            self.nxt = self.head_end + self.length
        elif framing is _NONE and self.head_end >= 0:
            self.nxt = self.head_end
        elif framing is _CHUNKED and self.head_len >= 0:
            self.nxt = _LAZY  # walked only if a next message needs its start
        else:
            self.nxt = -1
        self.phase = _IDLE

    def _chunked_end(self) -> int:
        """Where the chunked message that just completed ends in ``data`` (-1: unknown)."""
        prefix = self.prefix or b""
        region = prefix + self.data if prefix else self.data
        pos = self.start + self.head_len
        try:
            while True:
                eol = region.index(b"\r\n", pos)
                size = int(region[pos:eol].partition(b";")[0], 16)
                pos = eol + 2
                if not size:
                    break
                pos += size + 2
            if not region.startswith(b"\r\n", pos):
                pos = region.index(b"\r\n\r\n", pos) + 2
        except ValueError:
            return -1
        return pos + 2 - len(prefix)


def _longest_line(region: bytes, start: int, end: int) -> int:
    return max(map(len, region[start:end].split(b"\r\n")))


def _version(text: str) -> HttpVersion:
    if text == "1.1":
        return _V11
    if text == "1.0":
        return _V10
    major, _, minor = text.partition(".")
    if major != "1":
        raise Delegate(BadStatusLine(error=f"Unsupported HTTP version {text}"))
    return HttpVersion(1, int(minor))
