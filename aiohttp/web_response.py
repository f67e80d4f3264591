"""Server responses: :class:`StreamResponse` (head first, then the body in pieces),
:class:`Response` (a whole body known up front) and :func:`json_response`.

A response is a plain object until :meth:`StreamResponse.prepare` binds it to a request:
prepare decides keep-alive, chunking and compression, fills in ``Content-Length``,
``Date``, ``Server`` and ``Connection``, fires the request's prepare hook (the application's
``on_response_prepare`` signal), checks that no status reason or header value holds a
control character (:class:`ValueError` before a byte is written), and hands the head to the
request's writer, which sends it with the first body bytes.  Reason phrases, the ``Date``
cache and ``Accept-Encoding`` negotiation live in :mod:`aiohttp._web_response_head`.
"""

from __future__ import annotations

import asyncio
import enum
import warnings
from concurrent.futures import Executor
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Final, Optional, TypeAlias, Union

from multidict import CIMultiDict

from . import hdrs
from ._sansio._messages import HttpVersion10, HttpVersion11
from ._web_response_fields import ResponseFieldsMixin
from ._web_response_head import (
    REASON_PHRASES,
    SERVER_SOFTWARE,
    add_vary,
    check_header_values,
    check_reason,
    choose_coding,
    http_date,
    new_compressor,
    status_line,
)
from ._web_state import StateMapping
from .abc import AbstractStreamWriter
from .helpers import _SENTINEL, must_be_empty_body, sentinel, should_remove_content_length
from .http_writer import StreamWriter
from .payload import PAYLOAD_REGISTRY, LookupError as PayloadLookupError, Payload
from .typedefs import DEFAULT_JSON_ENCODER, JSONEncoder, LooseHeaders

if TYPE_CHECKING:
    from .web_request import BaseRequest

__all__ = ("ContentCoding", "StreamResponse", "Response", "json_response")

# Response state (``resp["key"] = value``) holds whatever the application puts there.
_StateValue: TypeAlias = Any  # type: ignore[explicit-any]  # arbitrary user values
# What ``Response(body=...)`` takes: bytes-like or a Payload (other values the payload
# registry knows are still accepted at run time, as in aiohttp 3.13).
_ResponseBody: TypeAlias = Union[bytes, bytearray, memoryview, Payload, None]


class ContentCoding(enum.Enum):
    """The content codings :meth:`StreamResponse.enable_compression` can force."""

    # The values are the Accept-Encoding / Content-Encoding tokens.
    deflate = "deflate"
    gzip = "gzip"
    identity = "identity"


class StreamResponse(ResponseFieldsMixin, StateMapping):
    """A response whose body is written piece by piece after :meth:`prepare`.

    Also a mutable mapping for per-response application state.
    """

    # Defaults live on the class so that creating a response sets only what differs.
    _length_check: bool = True  # WebSocketResponse turns it off (no framing of its own)
    _payload_writer: Optional[AbstractStreamWriter] = None
    _req: Optional[BaseRequest] = None
    _eof_sent: bool = False
    _must_be_empty_body: Optional[bool] = None
    _keep_alive: Optional[bool] = None
    _chunked: bool = False
    _compression: bool = False
    _compression_strategy: Optional[int] = None
    _compression_force: Optional[ContentCoding] = None
    _cookies: Optional[SimpleCookie] = None
    _body_length: int = 0

    def __init__(
        self,
        *,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
        _real_headers: Optional[CIMultiDict[str]] = None,
    ) -> None:
        self._state: dict[str, _StateValue] = {}
        if _real_headers is not None:
            self._headers = _real_headers
        elif headers is not None:
            self._headers = CIMultiDict(headers)
        else:
            self._headers = CIMultiDict()
        if status == 200 and reason is None and type(status) is int:
            self._status, self._reason = 200, "OK"  # the common case, without the checks
        else:
            self.set_status(status, reason)

    # -- status and state ------------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        """True once :meth:`prepare` ran (the head is committed)."""
        return self._eof_sent or self._payload_writer is not None

    @property
    def task(self) -> Optional[asyncio.Task[None]]:
        """The task serving the request this response answers (``None`` before prepare)."""
        return self._req.task if self._req is not None else None

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def reason(self) -> str:
        """The reason phrase."""
        return self._reason

    def set_status(self, status: int, reason: Optional[str] = None) -> None:
        """Set the status code and reason (the standard phrase when ``reason`` is None).

        :raises RuntimeError: the head was already prepared.
        :raises ValueError: the status is not a three-digit code, or ``reason`` holds a
            control character (CR, LF, NUL ...).
        """
        if self._payload_writer is not None or self._eof_sent:
            raise RuntimeError(
                "Cannot change the response status code after the headers have been sent"
            )
        code = status if type(status) is int else int(status)
        if not 100 <= code <= 999:
            raise ValueError(f"Invalid HTTP status code {status!r}: must be in 100..999")
        self._status = code
        self._reason = REASON_PHRASES.get(code, "") if reason is None else check_reason(reason)

    @property
    def keep_alive(self) -> Optional[bool]:
        """Whether the connection stays open after this response (decided by prepare)."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response."""
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        """Bytes sent for this response, head included (known after :meth:`write_eof`)."""
        return self._body_length

    @property
    def output_length(self) -> int:
        """Deprecated: bytes handed to the transport so far."""
        warnings.warn("output_length is deprecated", DeprecationWarning, stacklevel=2)
        return self._payload_writer.buffer_size if self._payload_writer is not None else 0

    @property
    def chunked(self) -> bool:
        """Whether chunked transfer coding was requested."""
        return self._chunked

    @property
    def compression(self) -> bool:
        """Whether compression was requested."""
        return self._compression

    def enable_chunked_encoding(self, chunk_size: Optional[int] = None) -> None:
        """Send the body with ``Transfer-Encoding: chunked`` (HTTP/1.1 only).

        :raises RuntimeError: a ``Content-Length`` is set.
        """
        self._chunked = True
        if hdrs.CONTENT_LENGTH in self._headers:
            raise RuntimeError("You can't enable chunked encoding when a content length is set")
        if chunk_size is not None:
            warnings.warn("Chunk size is deprecated #1615", DeprecationWarning, stacklevel=2)

    def enable_compression(
        self, force: Union[bool, ContentCoding, None] = None, strategy: Optional[int] = None
    ) -> None:
        """Compress the body: with ``force`` in that coding, else in the best coding the
        request's ``Accept-Encoding`` allows (brotli, gzip, deflate; none if it allows none).
        ``strategy`` is a zlib strategy constant."""
        if isinstance(force, bool):
            warnings.warn(
                "Using boolean for force is deprecated #3318", DeprecationWarning, stacklevel=2
            )
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif force is not None and not isinstance(force, ContentCoding):
            raise TypeError(f"force must be None, a bool or a ContentCoding, not {force!r}")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    # -- headers ---------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """The response headers (mutable until prepare)."""
        return self._headers

    if not TYPE_CHECKING:
        # Written in ResponseFieldsMixin; also bound here, their aiohttp 3.13 home, so
        # ``vars(StreamResponse)`` lists them.  (Type checkers see the mixin's.)
        content_length = ResponseFieldsMixin.content_length
        content_type = ResponseFieldsMixin.content_type
        charset = ResponseFieldsMixin.charset
        last_modified = ResponseFieldsMixin.last_modified
        etag = ResponseFieldsMixin.etag
        cookies = ResponseFieldsMixin.cookies
        set_cookie = ResponseFieldsMixin.set_cookie
        del_cookie = ResponseFieldsMixin.del_cookie

    # -- sending ---------------------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> Optional[AbstractStreamWriter]:
        """Send the head (see the module docstring); return the body writer.

        Idempotent: later calls return the same writer, or ``None`` after :meth:`write_eof`.
        """
        if self._eof_sent:
            return None
        writer = self._payload_writer
        if writer is not None:
            return writer
        self._must_be_empty_body = must_be_empty_body(request.method, self._status)
        # One coroutine for the whole head: the steps that need not await are plain calls.
        length = self._preset_length(request)
        self._req = request
        writer = self._payload_writer = request._payload_writer
        headers = self._headers
        if self._compression and hdrs.CONTENT_ENCODING not in headers:
            await self._start_compression(request)
            length = -1
        self._finish_headers(request, writer, length)
        if request._has_prepare_hook():
            await request._prepare_hook(self)
        line = self._status_line(request)
        if type(writer) is not StreamWriter or not writer._write_headers_nowait(line, headers):
            await writer.write_headers(line, headers)
        return writer

    def _send_nowait(self, request: BaseRequest) -> Optional[StreamWriter]:
        """:meth:`prepare` and :meth:`write_eof` in one plain call, when neither has to
        wait: the writer when the response was sent (the caller still awaits its
        ``drain()`` if it ``_must_drain()``); None, with nothing done, otherwise."""
        return None

    def _preset_length(self, request: BaseRequest) -> int:
        """Set what the body's length says before the head is finished; return the
        length when it is known here for sure (else -1: ask :attr:`content_length`)."""
        return -1

    def _finish_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter, known_length: int = -1
    ) -> None:
        version = request.version
        headers = self._headers
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = request.keep_alive
        if self._cookies:
            for morsel in self._cookies.values():
                headers.add(hdrs.SET_COOKIE, morsel.OutputString())
        empty = self._must_be_empty_body
        if self._chunked:
            if version != HttpVersion11:
                raise RuntimeError(
                    f"Using chunked encoding is forbidden for HTTP/{version.major}.{version.minor}"
                )
            if not empty:
                writer.enable_chunking()
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif self._length_check:
            length = writer.length = self.content_length if known_length < 0 else known_length
            if length is None and not empty:
                if version >= HttpVersion11:
                    writer.enable_chunking()
                    headers[hdrs.TRANSFER_ENCODING] = "chunked"
                else:
                    keep_alive = False  # the body ends when the connection does
        if empty:
            if should_remove_content_length(request.method, self._status):
                headers.popall(hdrs.CONTENT_LENGTH, None)
            headers.popall(hdrs.TRANSFER_ENCODING, None)
        elif (
            writer.length if self._length_check else self.content_length
        ) != 0 and hdrs.CONTENT_TYPE not in headers:
            headers[hdrs.CONTENT_TYPE] = "application/octet-stream"
        # setdefault: one lookup when absent (the usual case), same order as a set
        headers.setdefault(hdrs.DATE, http_date())
        headers.setdefault(hdrs.SERVER, SERVER_SOFTWARE)
        connection = headers.get(hdrs.CONNECTION)
        if connection is None:
            if keep_alive:
                if version == HttpVersion10:
                    headers[hdrs.CONNECTION] = "keep-alive"
            elif version == HttpVersion11:
                headers[hdrs.CONNECTION] = "close"
        elif "close" in connection.lower():
            keep_alive = False
        self._keep_alive = keep_alive

    def _status_line(self, request: BaseRequest) -> str:
        """The status line, after checking no header value holds a control character."""
        headers = self._headers
        values = "".join(headers.values())
        if not values.isprintable():  # C-fast; a tab or non-ASCII space needs a closer look
            check_header_values(headers.items(), values)
        return status_line(request.version, self._status, self._reason)

    async def _start_compression(self, request: BaseRequest) -> None:
        force = self._compression_force
        if force is not None:
            if force is not ContentCoding.identity:
                await self._do_start_compression(force.value)
            return
        add_vary(self._headers, "Accept-Encoding")
        accept = request.headers.get(hdrs.ACCEPT_ENCODING)
        coding = choose_coding(accept) if accept else None
        if coding is not None:
            await self._do_start_compression(coding)

    async def _do_start_compression(self, coding: str) -> None:
        writer = self._payload_writer
        assert writer is not None
        self._headers[hdrs.CONTENT_ENCODING] = coding
        writer.enable_compression(coding, self._compression_strategy)
        # The compressed length is unknown: the body goes chunked (or until close).
        self._headers.popall(hdrs.CONTENT_LENGTH, None)

    async def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Send ``data`` as part of the body (after :meth:`prepare`).

        Data for a response that has no body (HEAD, 204, 304) is dropped.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        if not self._must_be_empty_body:
            await writer.write(data)

    async def drain(self) -> None:
        """Deprecated: wait until the transport's buffer drains (``write`` already does)."""
        warnings.warn(
            "drain method is deprecated, use await resp.write()", DeprecationWarning, stacklevel=2
        )
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        await self._payload_writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """End the body (with ``data`` as its last piece); idempotent."""
        if self._eof_sent:
            return
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        await writer.write_eof(b"" if self._must_be_empty_body else data)
        self._eof_sent = True
        self._req = None
        self._body_length = writer.output_size
        self._payload_writer = None

    # -- mapping and identity ----------------------------------------------------------------

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self._req is not None:
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{type(self).__name__} {self._reason} {info}>"

    if not TYPE_CHECKING:
        # Written in StateMapping; bound here too, where aiohttp 3.13 defines them.
        __getitem__ = StateMapping.__getitem__
        __setitem__ = StateMapping.__setitem__
        __len__ = StateMapping.__len__
        __iter__ = StateMapping.__iter__


class Response(StreamResponse):
    """A response whose whole body (``body`` bytes or payload, or ``text``) is known before
    it is sent.

    :raises ValueError: both ``body`` and ``text``; a ``charset`` inside ``content_type``;
        ``content_type``/``charset`` together with a ``Content-Type`` header; a body type
        the payload registry does not know.
    :raises TypeError: ``text`` that is not a ``str``.
    """

    _body: Union[bytes, bytearray, Payload, None] = None
    _compressed_body: Optional[bytes] = None
    _zlib_executor_size: Optional[int] = None
    _zlib_executor: Optional[Executor] = None

    def __init__(
        self,
        *,
        body: _ResponseBody = None,
        status: int = 200,
        reason: Optional[str] = None,
        text: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
        content_type: Optional[str] = None,
        charset: Optional[str] = None,
        zlib_executor_size: Optional[int] = None,
        zlib_executor: Optional[Executor] = None,
    ) -> None:
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        real_headers: CIMultiDict[str]
        if headers is None:
            real_headers = CIMultiDict()
        else:
            real_headers = CIMultiDict(headers)
            if hdrs.CONTENT_TYPE in real_headers:
                if content_type is not None or charset is not None:
                    raise ValueError(
                        "passing both Content-Type header and content_type "
                        "or charset params is forbidden"
                    )
                content_type = ""  # keep the caller's header
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text argument must be str ({type(text)!r})")
            if content_type != "":
                charset = "utf-8" if charset is None else charset
                ctype = "text/plain" if content_type is None else content_type
                real_headers[hdrs.CONTENT_TYPE] = f"{ctype}; charset={charset}"
                body = text.encode(charset)
                text = None
        elif content_type:
            if charset is not None:
                content_type = f"{content_type}; charset={charset}"
            real_headers[hdrs.CONTENT_TYPE] = content_type
        super().__init__(status=status, reason=reason, _real_headers=real_headers)
        if text is not None:
            self.text = text  # decoded with the charset of the caller's Content-Type
        elif type(body) is bytes:
            self._body = body
        elif body is not None:
            self.body = body
        if zlib_executor_size is not None:
            self._zlib_executor_size = zlib_executor_size
        if zlib_executor is not None:
            self._zlib_executor = zlib_executor

    @property
    def body(self) -> Union[bytes, bytearray, Payload, None]:
        """The body: bytes, a :class:`~aiohttp.payload.Payload`, or ``None``."""
        return self._body

    @body.setter
    def body(self, body: _ResponseBody) -> None:
        if body is None or isinstance(body, (bytes, bytearray)):
            self._body = body
        else:
            try:
                payload = PAYLOAD_REGISTRY.get(body)
            except PayloadLookupError:
                raise ValueError(f"Unsupported body type {type(body)!r}") from None
            self._body = payload
            headers = self._headers
            for key, value in payload.headers.items():
                if key not in headers:
                    headers[key] = value
        self._compressed_body = None

    @property
    def text(self) -> Optional[str]:
        """The body decoded with the response charset (UTF-8 by default)."""
        body = self._body
        if body is None:
            return None
        return body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text argument must be str ({type(text)!r})")
        if self.content_type == "application/octet-stream":
            self.content_type = "text/plain"
        charset = self.charset
        if charset is None:
            charset = self.charset = "utf-8"
        self._body = text.encode(charset)
        self._compressed_body = None

    @property
    def content_length(self) -> Optional[int]:
        """The body length (``None`` while it is unknown: chunked, or a streaming payload)."""
        if self._chunked:
            return None
        if hdrs.CONTENT_LENGTH in self._headers:
            return self._header_content_length()
        if self._compressed_body is not None:
            return len(self._compressed_body)
        body = self._body
        if body is None:
            return 0
        if type(body) is bytes or isinstance(body, bytearray):
            return len(body)
        return None  # a payload: its size is set as a header by prepare when known

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        raise RuntimeError("Content length is set automatically")

    async def write_eof(self, data: bytes = b"") -> None:
        """Send the body and end the response (``data`` must be empty); idempotent."""
        if self._eof_sent:
            return
        if data:
            raise ValueError(f"data arg is not supported, got {data!r}")
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        body = self._compressed_body if self._compressed_body is not None else self._body
        if type(body) is bytes and not self._must_be_empty_body:
            # The common case, without the extra coroutine of StreamResponse.write_eof.
            await writer.write_eof(body)
            self._eof_sent = True
            self._req = None
            self._body_length = writer.output_size
            self._payload_writer = None
        elif body is None or self._must_be_empty_body:
            await super().write_eof()
        elif isinstance(body, Payload):
            try:
                await body.write(writer)
            finally:
                await body.close()
            await super().write_eof()
        else:
            await super().write_eof(bytes(body))

    def _send_nowait(self, request: BaseRequest) -> Optional[StreamWriter]:
        # The steps of prepare() and write_eof(), for a bytes body on a plain writer with
        # no compression, chunking, prepare hook or override of either method.
        cls = type(self)
        if cls.prepare is not _PREPARE or cls.write_eof is not _WRITE_EOF:
            return None
        body = self._body
        if (
            type(body) is not bytes
            or self._compression
            or self._chunked
            or self._eof_sent
            or self._payload_writer is not None
        ):
            return None
        writer = request._payload_writer
        if (
            type(writer) is not StreamWriter
            or writer._on_headers_sent is not None
            or writer._on_chunk_sent is not None
            or writer._compress is not None
            or writer.chunked
            or request._has_prepare_hook()
        ):
            return None
        empty = self._must_be_empty_body = must_be_empty_body(request.method, self._status)
        if empty:
            return None  # prepare() recomputes it
        length = self._preset_length(request)
        self._req = request
        self._payload_writer = writer
        self._finish_headers(request, writer, length)
        writer._write_headers_nowait(self._status_line(request), self._headers)
        writer._write_eof_nowait(body)
        self._eof_sent = True
        self._req = None
        self._body_length = writer.output_size
        self._payload_writer = None
        return writer

    def _preset_length(self, request: BaseRequest) -> int:
        headers = self._headers
        if hdrs.CONTENT_LENGTH in headers:
            if should_remove_content_length(request.method, self._status):
                del headers[hdrs.CONTENT_LENGTH]
            return -1
        if self._chunked:
            return -1
        body = self._body
        if body is not None and type(body) is not bytes and isinstance(body, Payload):
            if body.size is not None:
                headers[hdrs.CONTENT_LENGTH] = str(body.size)
            return -1
        size = 0 if body is None else len(body)
        # An empty HEAD or 304 answer cannot know the length it stands for.
        if size or (self._status != 304 and request.method not in hdrs.METH_HEAD_ALL):
            headers[hdrs.CONTENT_LENGTH] = str(size)
        # What content_length would say now, unless a subclass redefines it.
        return size if type(self).content_length is _RESPONSE_CONTENT_LENGTH else -1

    async def _do_start_compression(self, coding: str) -> None:
        body = self._body
        if self._chunked or isinstance(body, Payload):
            await super()._do_start_compression(coding)
            return
        compressor = new_compressor(
            coding, self._compression_strategy, self._zlib_executor, self._zlib_executor_size
        )
        data = b"" if body is None else body
        self._compressed_body = await compressor.compress(data) + compressor.flush()
        self._headers[hdrs.CONTENT_ENCODING] = coding
        self._headers[hdrs.CONTENT_LENGTH] = str(len(self._compressed_body))


_RESPONSE_CONTENT_LENGTH: Final = Response.content_length
_PREPARE: Final = StreamResponse.prepare
_WRITE_EOF: Final = Response.write_eof

_JSONData: TypeAlias = Any  # type: ignore[explicit-any]  # whatever ``dumps`` accepts


def json_response(
    data: Union[_JSONData, _SENTINEL] = sentinel,
    *,
    text: Optional[str] = None,
    body: Optional[bytes] = None,
    status: int = 200,
    reason: Optional[str] = None,
    headers: Optional[LooseHeaders] = None,
    content_type: str = "application/json",
    dumps: JSONEncoder = DEFAULT_JSON_ENCODER,
) -> Response:
    """A :class:`Response` whose body is ``dumps(data)`` (or the given ``text``/``body``).

    :raises ValueError: ``data`` together with ``text`` or ``body``.
    """
    if data is not sentinel:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        text = dumps(data)
    return Response(
        text=text,
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )
