"""The asyncio-facing HTTP/1.1 parsers of aiohttp 3.13: bytes in, messages with body readers out.

:class:`HttpRequestParser` (server side) and :class:`HttpResponseParser` (client side) drive a
wire-core engine (:func:`aiohttp._sansio.make_engine`) and turn its events into what the
protocol drivers consume: each parsed head together with the
:class:`~aiohttp.streams.StreamReader` its body is fed into (:data:`~aiohttp.streams.EMPTY_PAYLOAD`
when it has none), decoded through :mod:`aiohttp._decoding` when it has a ``Content-Encoding``.
:class:`HeadersParser` parses a standalone header block (multipart part headers).  The message
head types live in :mod:`aiohttp._sansio._messages` and are re-exported here, their 3.13 home.
"""

from __future__ import annotations

import abc
import asyncio
import sys
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Final, Generic, Literal, Optional, TypeVar, Union

from multidict import CIMultiDictProxy, istr

from . import hdrs
from ._decoding import DecompressingFeeder
from ._sansio import H1Engine, PyH1Engine, make_engine
from ._sansio._h1_head import decode_fields, parse_fields, parse_fields_lax
from ._sansio._messages import (
    BodyChunk,
    ChunkBoundary,
    HttpVersion as HttpVersion,
    HttpVersion10 as HttpVersion10,
    HttpVersion11 as HttpVersion11,
    MessageEnd,
    RawRequestMessage as RawRequestMessage,
    RawResponseMessage as RawResponseMessage,
    Upgraded,
)
from .base_protocol import BaseProtocol
from .helpers import BaseTimerContext
from .http_exceptions import BadHttpMessage, HttpProcessingError
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import RawHeaders

__all__ = (
    "HeadersParser",
    "HttpParser",
    "HttpRequestParser",
    "HttpResponseParser",
    "RawRequestMessage",
    "RawResponseMessage",
)

_MsgT = TypeVar("_MsgT", RawRequestMessage, RawResponseMessage)
_Sink = Union[StreamReader, DecompressingFeeder]
_ENCODINGS: Final = frozenset(("gzip", "deflate", "br", "zstd"))


class HeadersParser:
    """Parses a header block given as lines (``lines[0]``, the start line, is skipped;
    parsing stops at the first empty line).

    Strict (RFC 9112) unless ``lax``, which also accepts obs-fold continuation lines.
    Every field line is limited to ``max_field_size`` bytes and a block to ``max_headers``
    fields.
    """

    __slots__ = ("lax", "max_field_size", "max_headers", "max_line_size")

    def __init__(
        self,
        max_line_size: int = 8190,
        max_headers: int = 32768,
        max_field_size: int = 8190,
        lax: bool = False,
    ) -> None:
        self.max_line_size = max_line_size
        self.max_headers = max_headers
        self.max_field_size = max_field_size
        self.lax = lax

    def parse_headers(self, lines: list[bytes]) -> tuple[CIMultiDictProxy[str], RawHeaders]:
        """Return the headers and their raw ``(name, value)`` pairs.

        :raises BadHttpMessage: (or a subclass) for a malformed or oversized field line.
        """
        fields: list[bytes] = []
        for line in lines[1:]:
            if not line:
                break
            fields.append(line)
        if self.lax:
            pairs = parse_fields_lax(
                [f[:-1] if f.endswith(b"\r") else f for f in fields],
                self.max_headers,
                self.max_field_size,
            )
        elif fields:
            block = b"\r\n".join(fields) + b"\r\n"
            pairs = parse_fields(block, 0, len(block), self.max_headers, self.max_field_size)
        else:
            pairs = []
        return CIMultiDictProxy(decode_fields(pairs)), tuple(pairs)


class HttpParser(abc.ABC, Generic[_MsgT]):
    """Base of the request and response parsers (see the module docstring).

    :meth:`feed_data` returns ``(messages, upgraded, tail)``: the heads completed by the
    data, each with its body reader; whether the connection switched protocols; and the
    bytes that followed the switch.  A malformed head raises out of :meth:`feed_data`.
    An error while a body is received (framing, content decoding) is set on that body's
    reader -- as ``payload_exception(str(error))`` with the error as ``__cause__`` when
    ``payload_exception`` is given -- and raised out of :meth:`feed_data` as well, so the
    driver closes the connection; messages completed earlier in that same call are then not
    returned.  After an error every call raises it again.
    """

    lax: ClassVar[bool] = False
    _role: ClassVar[Literal["server", "client"]]
    _head_type: ClassVar[type[RawRequestMessage] | type[RawResponseMessage]]

    def __init__(
        self,
        protocol: Optional[BaseProtocol] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        limit: int = 2**16,
        max_line_size: int = 8190,
        max_headers: int = 32768,
        max_field_size: int = 8190,
        timer: Optional[BaseTimerContext] = None,
        code: Optional[int] = None,
        method: Optional[str] = None,
        payload_exception: Optional[type[BaseException]] = None,
        response_with_body: bool = True,
        read_until_eof: bool = False,
        auto_decompress: bool = True,
    ) -> None:
        self.protocol = protocol
        self.loop = loop
        self.max_line_size = max_line_size
        self.max_headers = max_headers
        self.max_field_size = max_field_size
        self.timer = timer
        self.code = code
        self.method = method
        self.payload_exception = payload_exception
        self.response_with_body = response_with_body
        self.read_until_eof = read_until_eof
        self._limit = limit
        self._auto_decompress = auto_decompress
        self._upgraded = False
        self._error: Optional[BaseException] = None
        # The body being received: its reader and what body bytes go into (the reader, or
        # a decoder in front of it).  No sink while a body nobody asked for is dropped.
        self._payload: Optional[StreamReader] = None
        self._sink: Optional[_Sink] = None
        self._engine = self._new_engine()

    def _new_engine(self) -> H1Engine:
        engine = make_engine(
            self._role,
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            max_headers=self.max_headers,
            lax=self.lax,
        )
        expect = self._expected_method()
        if expect is not None:
            engine.expect_response(expect)
        return engine

    def _expected_method(self) -> Optional[str]:
        return None

    # -- 3.13 compatibility surface ----------------------------------------------------

    @abc.abstractmethod
    def parse_message(self, lines: list[bytes]) -> _MsgT:
        """Parse a complete head given as lines (start line first) into a message."""

    def parse_headers(
        self, lines: list[bytes]
    ) -> tuple[CIMultiDictProxy[str], RawHeaders, Optional[bool], Optional[str], bool, bool]:
        """Parse the header lines of a head (``lines[0]`` is the start line).

        Returns ``(headers, raw_headers, close, encoding, upgrade, chunked)``: ``close`` is
        what the ``Connection`` header asks for (``None`` when it says nothing).
        """
        parser = HeadersParser(self.max_line_size, self.max_headers, self.max_field_size, self.lax)
        headers, raw_headers = parser.parse_headers(lines)
        close: Optional[bool] = None
        upgrade = False
        tokens = {
            t.strip(" \t").lower()
            for v in headers.getall(hdrs.CONNECTION, ())
            for t in v.split(",")
        }
        if "close" in tokens:
            close = True
        elif "keep-alive" in tokens:
            close = False
        if "upgrade" in tokens and hdrs.UPGRADE in headers:
            upgrade = True
        encoding: Optional[str] = None
        ce = headers.get(hdrs.CONTENT_ENCODING)
        if ce is not None and ce.strip(" \t").lower() in _ENCODINGS:
            encoding = ce.strip(" \t").lower()
        te = headers.get(hdrs.TRANSFER_ENCODING)
        chunked = te is not None and te.rsplit(",", 1)[-1].strip(" \t").lower() == "chunked"
        if chunked and hdrs.CONTENT_LENGTH in headers:
            raise BadHttpMessage("Transfer-Encoding can't be present with Content-Length")
        return headers, raw_headers, close, encoding, upgrade, chunked

    def _parse_head_lines(self, lines: list[bytes]) -> _MsgT:
        while lines and not lines[-1]:
            lines = lines[:-1]
        engine = make_engine(
            self._role,
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            max_headers=self.max_headers,
            lax=self.lax,
        )
        for event in engine.feed(b"\r\n".join(lines) + b"\r\n\r\n"):
            if isinstance(event, self._head_type):
                return event  # type: ignore[return-value]  # _head_type is _MsgT's class
        raise BadHttpMessage("Incomplete message head")

    def set_upgraded(self, val: bool) -> None:
        """Switch protocols (``True``: every later byte is returned as ``tail``) or back."""
        self._upgraded = val
        if not val and self._engine.upgraded:
            self._engine = self._new_engine()

    # -- feeding -------------------------------------------------------------------------

    def feed_data(
        self,
        data: bytes,
        SEP: Literal[b"\r\n", b"\n"] = b"\r\n",
        EMPTY: bytes = b"",
        CONTENT_LENGTH: istr = hdrs.CONTENT_LENGTH,
        METH_CONNECT: str = hdrs.METH_CONNECT,
        SEC_WEBSOCKET_KEY1: istr = hdrs.SEC_WEBSOCKET_KEY1,
    ) -> tuple[list[tuple[_MsgT, StreamReader]], bool, bytes]:
        """Parse ``data``; see the class docstring.  (The upper-case parameters exist for
        signature compatibility with aiohttp 3.13 and are ignored.)"""
        if self._error is not None:
            raise self._error
        if self._upgraded:
            return [], True, data
        try:
            events = self._engine.feed(data)
        except HttpProcessingError as exc:
            self._body_failed(exc)
            raise
        messages: list[tuple[_MsgT, StreamReader]] = []
        tail = b""
        head_type = self._head_type
        sink = self._sink
        try:
            i = 0
            count = len(events)
            while i < count:
                event = events[i]
                i += 1
                cls = type(event)
                if cls is BodyChunk:
                    if sink is not None:
                        sink.feed_data(event.data)  # type: ignore[union-attr]  # cls checked
                elif cls is ChunkBoundary:
                    if sink is not None:
                        sink.end_http_chunk_receiving()
                elif cls is head_type:
                    msg: _MsgT = event  # type: ignore[assignment]  # _head_type is _MsgT's class
                    if i < count and type(events[i]) is MessageEnd:
                        # no body: skip its end, nothing to feed
                        messages.append((msg, EMPTY_PAYLOAD))
                        i += 1
                    else:
                        messages.append((msg, self._start_body(msg)))
                        sink = self._sink
                elif cls is MessageEnd:
                    if sink is not None:
                        sink.feed_eof()
                        sink = self._sink = self._payload = None
                elif cls is Upgraded:
                    tail = event.data  # type: ignore[union-attr]  # cls checked
        except Exception as exc:
            self._body_failed(exc)
            raise
        return messages, self._engine.upgraded, tail

    def feed_eof(self) -> Optional[_MsgT]:
        """The peer closed the connection: end a body delimited by the close.

        A body cut short raises (and is set on its reader); a head cut short is dropped
        (``None`` is returned).
        """
        if self._error is not None or self._upgraded:
            return None
        try:
            events = self._engine.feed_eof()
            for event in events:
                if type(event) is MessageEnd and self._sink is not None:
                    self._sink.feed_eof()
                    self._sink = self._payload = None
        except Exception as exc:
            if self._payload is None:
                return None
            self._body_failed(exc)
            raise
        return None

    # -- bodies ----------------------------------------------------------------------------

    def _start_body(self, msg: _MsgT) -> StreamReader:
        if self._skip_body(msg):
            return EMPTY_PAYLOAD
        protocol = self.protocol
        if protocol is None:
            loop = self.loop if self.loop is not None else asyncio.get_running_loop()
            protocol = self.protocol = BaseProtocol(loop)
        payload = StreamReader(protocol, self._limit, timer=self.timer, loop=self.loop)
        self._payload = payload
        sink: _Sink = payload
        if self._auto_decompress and msg.compression is not None:
            # An encoding that cannot be decoded raises here; feed_data fails the payload.
            sink = DecompressingFeeder(
                payload, msg.compression, on_error=partial(self._set_payload_error, payload)
            )
        if msg.chunked:
            sink.begin_http_chunk_receiving()
        self._sink = sink
        return payload

    def _skip_body(self, msg: _MsgT) -> bool:
        return False

    def _set_payload_error(self, payload: StreamReader, exc: BaseException) -> None:
        if self.payload_exception is not None:
            payload.set_exception(self.payload_exception(str(exc)), exc)
        else:
            payload.set_exception(exc)

    def _body_failed(self, exc: BaseException) -> None:
        """Record ``exc`` as fatal and set it on the body being received, if any."""
        self._error = exc
        payload = self._payload
        if payload is not None:
            self._set_payload_error(payload, exc)
        self._payload = self._sink = None


class HttpRequestParser(HttpParser[RawRequestMessage]):
    """Parses requests (the server side).  Always strict (RFC 9112)."""

    _role = "server"
    _head_type = RawRequestMessage
    if not TYPE_CHECKING:  # listed in the class itself, as on 3.13's (C) class
        __init__ = HttpParser.__init__

    def parse_message(self, lines: list[bytes]) -> RawRequestMessage:
        return self._parse_head_lines(lines)


class HttpResponseParser(HttpParser[RawResponseMessage]):
    """Parses responses (the client side).

    Lenient (bare LF, obs-fold, a status line without reason) except under
    ``python -X dev``.  ``method`` is the request method the response answers (``HEAD`` and
    ``CONNECT`` change its framing); ``response_with_body=False`` means no body is expected;
    with ``read_until_eof=False`` a body delimited only by the connection closing is ignored.
    """

    lax = not sys.flags.dev_mode
    _role = "client"
    _head_type = RawResponseMessage
    if not TYPE_CHECKING:
        __init__ = HttpParser.__init__

    def _expected_method(self) -> Optional[str]:
        if not self.response_with_body and self.method != hdrs.METH_CONNECT:
            return hdrs.METH_HEAD
        return self.method

    def _rearm(
        self,
        limit: int,
        timer: Optional[BaseTimerContext],
        method: Optional[str],
        response_with_body: bool,
        read_until_eof: bool,
        auto_decompress: bool,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
    ) -> bool:
        """Get ready for the next response of the same connection as a new parser made
        with these arguments (and this one's protocol, loop and ``payload_exception``) would
        be; ``False``, changing nothing, when this one holds bytes, an error, a body being
        received or other limits (the caller then makes a new one)."""
        engine = self._engine
        if (
            type(engine) is not PyH1Engine
            or not engine.idle()
            or self._error is not None
            or self._upgraded
            or self._payload is not None
            or max_line_size != self.max_line_size
            or max_field_size != self.max_field_size
            or max_headers != self.max_headers
        ):
            return False
        self._limit = limit
        self.timer = timer
        self.method = method
        self.response_with_body = response_with_body
        self.read_until_eof = read_until_eof
        self._auto_decompress = auto_decompress
        engine.expect_response(self._expected_method() or hdrs.METH_GET)
        return True

    def _skip_body(self, msg: RawResponseMessage) -> bool:
        # A body that runs until the connection closes (neither length nor chunked).
        return (
            not self.read_until_eof and not msg.chunked and hdrs.CONTENT_LENGTH not in msg.headers
        )

    def parse_message(self, lines: list[bytes]) -> RawResponseMessage:
        return self._parse_head_lines(lines)
